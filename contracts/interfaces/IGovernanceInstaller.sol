// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IGovernanceInstaller
/// @notice Installs a cooperative's governance (a Council, a GeneralMeeting and its
/// MeetingProxies, EIP-1167 clones of fixed implementations) in one transaction: both clones are created and initialised
/// before the transaction ends, so nobody can initialise a fresh clone first (no front-running
/// window). Only the charter's current decision executor may install for a cooperative; it
/// then hands its role over with `Charter.setDecisionExecutor(council)`, a call only it can
/// make. One installer per network (like the cooperative factory); it has no owner and no
/// setting.
///
/// Addresses are deterministic (`CREATE2`, salt = `keccak256(abi.encode(charter, n))` for the
/// cooperative's n-th installation, from 0), so `predictAddresses` tells them before the
/// transaction; a cooperative may install again (say, to replace governance that was never
/// handed the role), each time at new addresses.
interface IGovernanceInstaller {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice The charter parameters of governance.
    struct GovernanceConfig {
        /// @notice The first council (2 to 64 distinct addresses).
        address[] councilMembers;
        /// @notice Seconds a council item stays open for votes and the chair's signature.
        uint32 itemExpiry;
        /// @notice Minimum seconds between convening a general meeting and its opening.
        uint32 noticePeriod;
        /// @notice Quorum thresholds in basis points by attempt; the last repeats.
        uint16[] quorumSchedule;
    }

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Governance was installed for the cooperative of `charter`; `council` must still
    /// be handed the decision executor role.
    event GovernanceInstalled(
        address indexed charter, address indexed council, address indexed generalMeeting
    );

    /// @notice The cooperative's `MeetingProxies` (proxies for its general meeting) was created
    /// with its governance, in the same transaction.
    event MeetingProxiesInstalled(
        address indexed charter, address indexed generalMeeting, address indexed proxies
    );

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice An implementation or the charter is the zero address.
    error GovernanceInstallerZeroAddress();

    /// @notice Only the charter's current decision executor may install its governance;
    /// `account` tried.
    error GovernanceInstallerNotDecisionExecutor(address charter, address account);

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Creates and initialises the Council and GeneralMeeting of the cooperative of
    /// `charter`, wired to each other, to the charter and to its membership register. Only the
    /// charter's current decision executor.
    /// @return council The new Council clone.
    /// @return generalMeeting The new GeneralMeeting clone.
    function install(address charter, GovernanceConfig calldata config)
        external
        returns (address council, address generalMeeting);

    /// @notice The addresses the next `install` for `charter` creates.
    function predictAddresses(address charter)
        external
        view
        returns (address council, address generalMeeting);

    /// @notice How many times governance was installed for `charter`.
    function installations(address charter) external view returns (uint256);

    /// @notice The Council implementation the clones delegate to.
    function councilImplementation() external view returns (address);

    /// @notice The GeneralMeeting implementation the clones delegate to.
    function generalMeetingImplementation() external view returns (address);

    /// @notice The MeetingProxies implementation the clones delegate to.
    function meetingProxiesImplementation() external view returns (address);

    /// @notice The address of the `MeetingProxies` the next `install` for `charter` creates.
    function predictProxies(address charter) external view returns (address);
}
