// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {ICharter} from "./interfaces/ICharter.sol";
import {IFundInstaller} from "./interfaces/IFundInstaller.sol";
import {IMutualAidFund} from "./interfaces/IMutualAidFund.sol";
import {IPropertyRegistry} from "./interfaces/IPropertyRegistry.sol";

/// @title FundInstaller
/// @notice Creates and initialises a cooperative's MutualAidFund and PropertyRegistry in one
/// transaction, for the charter's decision executor only; see {IFundInstaller}.
/// @dev No owner, nothing to configure: the implementations are immutables. The only storage
/// is the per-charter installation counter that salts the `CREATE2` clones.
contract FundInstaller is IFundInstaller {
    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    address private immutable _fundImplementation;
    address private immutable _propertyRegistryImplementation;

    mapping(address charter => uint256 count) private _installations;

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    constructor(address fundImplementation_, address propertyRegistryImplementation_) {
        if (fundImplementation_ == address(0) || propertyRegistryImplementation_ == address(0)) {
            revert FundInstallerZeroAddress();
        }
        _fundImplementation = fundImplementation_;
        _propertyRegistryImplementation = propertyRegistryImplementation_;
    }

    /// @inheritdoc IFundInstaller
    function install(
        address charter,
        IMutualAidFund.Rules calldata rules,
        PropertyConfig calldata property
    ) external returns (address fund, address propertyRegistry) {
        if (charter == address(0)) revert FundInstallerZeroAddress();
        if (msg.sender != ICharter(charter).decisionExecutor()) {
            revert FundInstallerNotDecisionExecutor(charter, msg.sender);
        }
        address membership = ICharter(charter).membership();
        uint256 installation = _installations[charter];
        _installations[charter] = installation + 1;
        bytes32 salt = _salt(charter, installation);

        fund = Clones.cloneDeterministic(_fundImplementation, salt);
        propertyRegistry = Clones.cloneDeterministic(_propertyRegistryImplementation, salt);
        IMutualAidFund(fund).initialize(charter, membership, rules);
        IPropertyRegistry(propertyRegistry).initialize(
            charter, property.name, property.symbol, property.baseURI
        );
        emit FundInstalled(charter, fund, propertyRegistry, installation);
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IFundInstaller
    function predictAddresses(address charter)
        external
        view
        returns (address fund, address propertyRegistry)
    {
        bytes32 salt = _salt(charter, _installations[charter]);
        fund = Clones.predictDeterministicAddress(_fundImplementation, salt);
        propertyRegistry = Clones.predictDeterministicAddress(_propertyRegistryImplementation, salt);
    }

    /// @inheritdoc IFundInstaller
    function installations(address charter) external view returns (uint256) {
        return _installations[charter];
    }

    /// @inheritdoc IFundInstaller
    function fundImplementation() external view returns (address) {
        return _fundImplementation;
    }

    /// @inheritdoc IFundInstaller
    function propertyRegistryImplementation() external view returns (address) {
        return _propertyRegistryImplementation;
    }

    /*//////////////////////////////////////////////////////////////
                               INTERNALS
    //////////////////////////////////////////////////////////////*/

    function _salt(address charter, uint256 installation) private pure returns (bytes32) {
        return keccak256(abi.encode(charter, installation));
    }
}
