// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {ICharter} from "./interfaces/ICharter.sol";
import {ICouncil} from "./interfaces/ICouncil.sol";
import {IGeneralMeeting} from "./interfaces/IGeneralMeeting.sol";
import {IGovernanceInstaller} from "./interfaces/IGovernanceInstaller.sol";

/// @title GovernanceInstaller
/// @notice Creates and initialises a cooperative's Council and GeneralMeeting in one
/// transaction, for the charter's decision executor only; see {IGovernanceInstaller}.
/// @dev No owner, nothing to configure: the implementations are immutables. The only storage
/// is the per-charter installation counter that salts the `CREATE2` clones.
contract GovernanceInstaller is IGovernanceInstaller {
    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    address private immutable _councilImplementation;
    address private immutable _generalMeetingImplementation;

    mapping(address charter => uint256 count) private _installations;

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    constructor(address councilImplementation_, address generalMeetingImplementation_) {
        if (councilImplementation_ == address(0) || generalMeetingImplementation_ == address(0)) {
            revert GovernanceInstallerZeroAddress();
        }
        _councilImplementation = councilImplementation_;
        _generalMeetingImplementation = generalMeetingImplementation_;
    }

    /// @inheritdoc IGovernanceInstaller
    function install(address charter, GovernanceConfig calldata config)
        external
        returns (address council, address generalMeeting)
    {
        if (charter == address(0)) revert GovernanceInstallerZeroAddress();
        if (msg.sender != ICharter(charter).decisionExecutor()) {
            revert GovernanceInstallerNotDecisionExecutor(charter, msg.sender);
        }
        address membership = ICharter(charter).membership();
        uint256 installation = _installations[charter];
        _installations[charter] = installation + 1;
        bytes32 salt = _salt(charter, installation);

        council = Clones.cloneDeterministic(_councilImplementation, salt);
        generalMeeting = Clones.cloneDeterministic(_generalMeetingImplementation, salt);
        ICouncil(council).initialize(
            charter, generalMeeting, config.councilMembers, config.itemExpiry
        );
        IGeneralMeeting(generalMeeting).initialize(
            charter, membership, council, config.noticePeriod, config.quorumSchedule
        );
        emit GovernanceInstalled(charter, council, generalMeeting);
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IGovernanceInstaller
    function predictAddresses(address charter)
        external
        view
        returns (address council, address generalMeeting)
    {
        bytes32 salt = _salt(charter, _installations[charter]);
        council = Clones.predictDeterministicAddress(_councilImplementation, salt);
        generalMeeting = Clones.predictDeterministicAddress(_generalMeetingImplementation, salt);
    }

    /// @inheritdoc IGovernanceInstaller
    function installations(address charter) external view returns (uint256) {
        return _installations[charter];
    }

    /// @inheritdoc IGovernanceInstaller
    function councilImplementation() external view returns (address) {
        return _councilImplementation;
    }

    /// @inheritdoc IGovernanceInstaller
    function generalMeetingImplementation() external view returns (address) {
        return _generalMeetingImplementation;
    }

    /*//////////////////////////////////////////////////////////////
                               INTERNALS
    //////////////////////////////////////////////////////////////*/

    function _salt(address charter, uint256 installation) private pure returns (bytes32) {
        return keccak256(abi.encode(charter, installation));
    }
}
