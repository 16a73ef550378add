// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IGeneralMeeting} from "./IGeneralMeeting.sol";
import {IMembershipView} from "./IMembershipView.sol";

/// @title IBranches
/// @notice Cooperative branches (кооперативные участки, Закон РФ 3085-1) of one cooperative:
/// members belong to a branch, the council creates branches and appoints each branch's trustee,
/// the trustee verifies the identity of the branch's applicants, and each branch holds its own
/// meetings (собрания пайщиков участка) that elect the branch's delegates (уполномоченные).
///
/// The rules:
/// - an applicant or member chooses their branch; a member moves to another branch on their own
///   call (the council cannot choose who votes where). Each branch meeting takes one ballot per
///   member who was in the branch at its record block (one member, one vote);
/// - a branch meeting is a `GeneralMeeting` clone whose register and "council" are this
///   contract: it is convened by the cooperative's council or the branch's trustee, and its
///   agenda may only elect the branch's delegates (`electDelegates` for that branch);
/// - delegates are elected only by an accepted question of their branch's meeting, at most one
///   delegate per `membersPerDelegate()` members of the branch (the norm of representation,
///   rounded up), each an active member of that branch; a new election replaces the branch's
///   whole delegation;
/// - this contract answers `IMembershipView` for the meeting that asks: for a branch meeting,
///   the branch's members; for any other caller (the cooperative's general meeting once it is
///   held as a meeting of delegates, `GeneralMeeting.setRegister`), the delegates, one vote each
///   (3085-1: each delegate has one vote; the norm of representation gives the larger branch
///   more delegates). The quorum base is the number of delegates at convening;
/// - a member who leaves the cooperative is taken out of the branch's count (and delegation) by
///   `release`, which anyone may call.
interface IBranches is IMembershipView {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice One branch.
    struct BranchInfo {
        /// @notice The branch's trustee (zero: none appointed).
        address trustee;
        /// @notice The branch's meeting (a `GeneralMeeting` clone).
        address meeting;
        /// @notice Active members counted in the branch.
        uint32 members;
        /// @notice Delegates the branch's meeting elected and who still hold the mandate.
        uint32 delegates;
        /// @notice Hash of the council's decision document creating the branch.
        bytes32 documentHash;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice A required address (charter, implementation) is zero.
    error BranchesZeroAddress();

    /// @notice The norm of representation must be at least one member per delegate.
    error BranchesInvalidNorm(uint32 membersPerDelegate);

    /// @notice Only the cooperative's decision executor (the council) may do this.
    error BranchesNotCouncil(address caller);

    /// @notice No branch has this id.
    error BranchesUnknownBranch(uint256 branchId);

    /// @notice `caller` is not the trustee of the branch (or the account has no branch).
    error BranchesNotTrustee(uint256 branchId, address caller);

    /// @notice Only the council or the branch's trustee convenes the branch's meeting.
    error BranchesNotConvener(uint256 branchId, address caller);

    /// @notice `account` holds no membership record (or is not an active member where one is
    /// required).
    error BranchesNotMember(address account);

    /// @notice `account` already belongs to branch `branchId`.
    error BranchesAlreadyInBranch(address account, uint256 branchId);

    /// @notice `account` does not belong to branch `branchId`.
    error BranchesNotInBranch(address account, uint256 branchId);

    /// @notice Only the branch's own meeting elects its delegates.
    error BranchesNotBranchMeeting(uint256 branchId, address caller);

    /// @notice A branch meeting's question may only elect that branch's delegates.
    error BranchesActionNotAllowed(uint256 questionIndex, uint256 actionIndex);

    /// @notice A delegation must have 1 to `seats` delegates.
    error BranchesInvalidDelegation(uint256 branchId, uint256 count, uint256 seats);

    /// @notice The same member is named twice in one delegation.
    error BranchesDuplicateDelegate(address delegate);

    /// @notice `account` is still an active member: nothing to release.
    error BranchesStillActive(address account);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice The council created branch `branchId` with its meeting clone.
    event BranchCreated(uint256 indexed branchId, address meeting, bytes32 documentHash);

    /// @notice The council appointed (or, with zero, removed) the branch's trustee.
    event BranchTrusteeSet(uint256 indexed branchId, address trustee);

    /// @notice `account` (membership `memberIndex`) joined branch `branchId`, leaving
    /// `fromBranchId` (zero: none); `counted` when it is counted as an active member.
    event BranchJoined(
        address indexed account,
        uint256 indexed memberIndex,
        uint256 indexed branchId,
        uint256 fromBranchId,
        bool counted
    );

    /// @notice Membership `memberIndex` was counted in (admitted) or out of (left the
    /// cooperative) its branch's active members.
    event BranchMemberCounted(uint256 indexed branchId, uint256 indexed memberIndex, bool counted);

    /// @notice The branch's meeting `meeting` elected `delegates` (membership indices
    /// `memberIndices`), replacing the previous delegation.
    event DelegatesElected(
        uint256 indexed branchId, address meeting, address[] delegates, uint32[] memberIndices
    );

    /// @notice Membership `memberIndex` no longer holds a delegate's mandate of the branch.
    event DelegateRemoved(uint256 indexed branchId, uint256 indexed memberIndex);

    /// @notice The branch's trustee attested the identity check of `applicant`.
    event BranchApplicantVerified(
        uint256 indexed branchId, address indexed applicant, address trustee, bytes32 checkRecord
    );

    /// @notice `convener` convened meeting `meetingId` of the branch's meeting contract.
    event BranchMeetingConvened(
        uint256 indexed branchId, uint256 indexed meetingId, address convener
    );

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Creates a branch and its meeting clone. Only the council.
    /// @param documentHash Hash of the council's decision document.
    /// @return branchId The new branch's id (1, 2, 3...).
    function createBranch(bytes32 documentHash) external returns (uint256 branchId);

    /// @notice Appoints the branch's trustee (an active member of the branch), or removes it
    /// with zero. Only the council.
    function setTrustee(uint256 branchId, address trustee) external;

    /// @notice The sender (an applicant or a member) joins `branchId`, or moves there from
    /// their branch. A delegate who moves loses the mandate.
    function joinBranch(uint256 branchId) external;

    /// @notice Counts `account` (who chose a branch as an applicant and is now an active
    /// member) in its branch. Anyone may call.
    function enrol(address account) external;

    /// @notice Takes `account` (no longer an active member) out of its branch's count and
    /// delegation. Anyone may call.
    function release(address account) external;

    /// @notice The trustee of the applicant's branch attests the applicant's identity check in
    /// `Membership` (this contract holds the verifier role; a trustee verifies only the
    /// applicants of their own branch).
    function attestIdentity(address applicant, bytes32 checkRecord) external;

    /// @notice Convenes a meeting of the branch. Only the council or the branch's trustee; every
    /// action of the agenda must be `electDelegates(branchId, ...)` on this contract.
    function conveneBranchMeeting(uint256 branchId, IGeneralMeeting.Convocation calldata convocation)
        external
        returns (uint256 meetingId);

    /// @notice Replaces the branch's delegation with `delegates`. Only the branch's meeting,
    /// executing an accepted question.
    function electDelegates(uint256 branchId, address[] calldata delegates) external;

    /// @notice The branch.
    function branch(uint256 branchId) external view returns (BranchInfo memory);

    /// @notice Number of branches.
    function branchCount() external view returns (uint256);

    /// @notice The branch `account`'s membership belongs to now (zero: none).
    function branchOf(address account) external view returns (uint256);

    /// @notice The branch membership `memberIndex` belonged to at the end of `blockNumber`.
    function branchOfIndexAt(uint256 memberIndex, uint256 blockNumber)
        external
        view
        returns (uint256);

    /// @notice The branch whose delegate `account` is now (zero: not a delegate).
    function delegateBranchOf(address account) external view returns (uint256);

    /// @notice The delegates of the branch now.
    function delegatesOf(uint256 branchId) external view returns (address[] memory);

    /// @notice Delegates of all branches now (the delegates' meeting's quorum base).
    function delegateCount() external view returns (uint256);

    /// @notice How many delegates the branch may elect now: its members divided by the norm,
    /// rounded up.
    function seats(uint256 branchId) external view returns (uint256);

    /// @notice The norm of representation: members per delegate.
    function membersPerDelegate() external view returns (uint32);

    /// @notice The branch whose meeting contract is `meeting` (zero: none).
    function branchOfMeeting(address meeting) external view returns (uint256);

    /// @notice The cooperative's charter.
    function charter() external view returns (address);
}
