// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICouncil} from "./interfaces/ICouncil.sol";
import {IGeneralMeeting} from "./interfaces/IGeneralMeeting.sol";
import {IGovernanceInstaller} from "./interfaces/IGovernanceInstaller.sol";
import {PairInstaller} from "./libraries/PairInstaller.sol";

/// @title GovernanceInstaller
/// @notice Creates and initialises a cooperative's Council and GeneralMeeting in one
/// transaction, for the charter's decision executor only; see {IGovernanceInstaller}.
/// @dev No owner, nothing to configure: the implementations are immutables. The only storage
/// is the per-charter installation counter that salts the `CREATE2` clones.
contract GovernanceInstaller is IGovernanceInstaller, PairInstaller {
    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    constructor(address councilImplementation_, address generalMeetingImplementation_)
        PairInstaller(councilImplementation_, generalMeetingImplementation_)
    {}

    /// @inheritdoc IGovernanceInstaller
    function install(address charter, GovernanceConfig calldata config)
        external
        returns (address council, address generalMeeting)
    {
        address membership;
        (membership,, council, generalMeeting) = _installPair(charter);
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
        return _predictPair(charter);
    }

    /// @inheritdoc IGovernanceInstaller
    function installations(address charter) external view returns (uint256) {
        return _installations[charter];
    }

    /// @inheritdoc IGovernanceInstaller
    function councilImplementation() external view returns (address) {
        return _FIRST_IMPLEMENTATION;
    }

    /// @inheritdoc IGovernanceInstaller
    function generalMeetingImplementation() external view returns (address) {
        return _SECOND_IMPLEMENTATION;
    }

    /*//////////////////////////////////////////////////////////////
                               INTERNALS
    //////////////////////////////////////////////////////////////*/

    function _revertZeroAddress() internal pure override {
        revert GovernanceInstallerZeroAddress();
    }

    function _revertNotDecisionExecutor(address charter, address caller) internal pure override {
        revert GovernanceInstallerNotDecisionExecutor(charter, caller);
    }
}
