// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {ICouncil} from "./interfaces/ICouncil.sol";
import {IGeneralMeeting} from "./interfaces/IGeneralMeeting.sol";
import {IGovernanceInstaller} from "./interfaces/IGovernanceInstaller.sol";
import {IMeetingProxies} from "./interfaces/IMeetingProxies.sol";
import {PairInstaller} from "./libraries/PairInstaller.sol";

/// @title GovernanceInstaller
/// @notice Creates and initialises a cooperative's Council, GeneralMeeting and MeetingProxies in
/// one transaction, for the charter's decision executor only; see {IGovernanceInstaller}.
/// @dev No owner, nothing to configure: the implementations are immutables. The only storage
/// is the per-charter installation counter that salts the `CREATE2` clones.
contract GovernanceInstaller is IGovernanceInstaller, PairInstaller {
    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @dev The third clone of an installation: the general meeting's proxies.
    address private immutable _PROXIES_IMPLEMENTATION;

    constructor(
        address councilImplementation_,
        address generalMeetingImplementation_,
        address meetingProxiesImplementation_
    ) PairInstaller(councilImplementation_, generalMeetingImplementation_) {
        if (meetingProxiesImplementation_ == address(0)) revert GovernanceInstallerZeroAddress();
        _PROXIES_IMPLEMENTATION = meetingProxiesImplementation_;
    }

    /// @inheritdoc IGovernanceInstaller
    function install(address charter, GovernanceConfig calldata config)
        external
        returns (address council, address generalMeeting)
    {
        address membership;
        uint256 installation;
        (membership, installation, council, generalMeeting) = _installPair(charter);
        address proxies =
            Clones.cloneDeterministic(_PROXIES_IMPLEMENTATION, _salt(charter, installation));
        ICouncil(council).initialize(
            charter, generalMeeting, config.councilMembers, config.itemExpiry
        );
        IGeneralMeeting(generalMeeting).initialize(
            charter, membership, council, config.noticePeriod, config.quorumSchedule, proxies
        );
        IMeetingProxies(proxies).initialize(charter, membership, generalMeeting);
        emit GovernanceInstalled(charter, council, generalMeeting);
        emit MeetingProxiesInstalled(charter, generalMeeting, proxies);
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
    function predictProxies(address charter) external view returns (address) {
        return Clones.predictDeterministicAddress(
            _PROXIES_IMPLEMENTATION, _salt(charter, _installations[charter])
        );
    }

    /// @inheritdoc IGovernanceInstaller
    function meetingProxiesImplementation() external view returns (address) {
        return _PROXIES_IMPLEMENTATION;
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
