// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFundInstaller} from "./interfaces/IFundInstaller.sol";
import {IMutualAidFund} from "./interfaces/IMutualAidFund.sol";
import {IPropertyRegistry} from "./interfaces/IPropertyRegistry.sol";
import {PairInstaller} from "./libraries/PairInstaller.sol";

/// @title FundInstaller
/// @notice Creates and initialises a cooperative's MutualAidFund and PropertyRegistry in one
/// transaction, for the charter's decision executor only; see {IFundInstaller}.
/// @dev No owner, nothing to configure: the implementations are immutables. The only storage
/// is the per-charter installation counter that salts the `CREATE2` clones.
contract FundInstaller is IFundInstaller, PairInstaller {
    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    constructor(address fundImplementation_, address propertyRegistryImplementation_)
        PairInstaller(fundImplementation_, propertyRegistryImplementation_)
    {}

    /// @inheritdoc IFundInstaller
    function install(
        address charter,
        IMutualAidFund.Rules calldata rules,
        PropertyConfig calldata property
    ) external returns (address fund, address propertyRegistry) {
        address membership;
        uint256 installation;
        (membership, installation, fund, propertyRegistry) = _installPair(charter);
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
        return _predictPair(charter);
    }

    /// @inheritdoc IFundInstaller
    function installations(address charter) external view returns (uint256) {
        return _installations[charter];
    }

    /// @inheritdoc IFundInstaller
    function fundImplementation() external view returns (address) {
        return _FIRST_IMPLEMENTATION;
    }

    /// @inheritdoc IFundInstaller
    function propertyRegistryImplementation() external view returns (address) {
        return _SECOND_IMPLEMENTATION;
    }

    /*//////////////////////////////////////////////////////////////
                               INTERNALS
    //////////////////////////////////////////////////////////////*/

    function _revertZeroAddress() internal pure override {
        revert FundInstallerZeroAddress();
    }

    function _revertNotDecisionExecutor(address charter, address caller) internal pure override {
        revert FundInstallerNotDecisionExecutor(charter, caller);
    }
}
