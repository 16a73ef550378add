// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ICouncil
/// @notice The council (совет) of one cooperative: a small board elected by the general meeting
/// that decides admissions, exits, payouts, loans and credit limits, and convenes general
/// meetings.
///
/// The council contract is the charter's decision executor: every decision-gated function of the
/// cooperative's other contracts accepts calls from it alone, and it makes such calls only
/// - when anyone executes the actions of a council item that passed and whose protocol the chair
///   signed (`execute`), or
/// - on behalf of the general meeting contract, which executes accepted meeting questions
///   (`executeMeetingDecision`).
///
/// An item passes when its votes *for* exceed half of **all** council members (not of those who
/// voted). Voting and the chair's signature must both happen before the item expires (a charter
/// parameter, 30 days by default); a signed item stays executable. The council's composition and
/// the expiry change only by a general-meeting decision; a new composition starts a new council
/// term (epoch), and items proposed under a former term can no longer collect votes.
interface ICouncil {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice How a council member votes (the same numbering as OpenZeppelin's Governor).
    enum VoteType {
        Against,
        For,
        Abstain
    }

    /// @notice Where an item stands.
    /// @dev `Pending`: collecting votes. `Passed`: votes for exceed half of all members, waiting
    /// for the chair's signature. `Signed`: the chair signed the protocol, anyone may execute.
    /// `Executed`: the actions ran (or there were none). `Rejected`: it can no longer pass.
    /// `Expired`: undecided (or unsigned) when its time ran out, or proposed under a former
    /// council term and still undecided.
    enum ItemState {
        None,
        Pending,
        Passed,
        Signed,
        Executed,
        Rejected,
        Expired
    }

    /// @notice Everything stored about one agenda item. Its actions are in `CouncilItemProposed`.
    struct ItemInfo {
        /// @notice The item's state now.
        ItemState state;
        /// @notice The council term the item was proposed in.
        uint32 epoch;
        /// @notice When voting and signing close (unix seconds).
        uint40 expiresAt;
        /// @notice Votes for, against and abstaining.
        uint8 forVotes;
        uint8 againstVotes;
        uint8 abstainVotes;
        /// @notice Hash of the document the item decides on (application, payout request...).
        bytes32 documentHash;
        /// @notice `hashActions(targets, calldatas)`, zero when the item carries no actions.
        bytes32 actionsHash;
        /// @notice Hash of the protocol the chair signed, zero until signed.
        bytes32 protocolHash;
    }

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice A council was seated: `members` form council term `epoch`.
    event CouncilSeated(uint32 indexed epoch, address[] members);

    /// @notice The item expiry changed (seconds from proposal).
    event CouncilItemExpirySet(uint32 previousExpiry, uint32 newExpiry);

    /// @notice A council member put an item on the agenda.
    event CouncilItemProposed(
        uint256 indexed itemId,
        address indexed proposer,
        bytes32 indexed documentHash,
        address[] targets,
        bytes[] calldatas,
        uint32 epoch,
        uint40 expiresAt
    );

    /// @notice A council member voted on an item.
    event CouncilVoteCast(uint256 indexed itemId, address indexed member, VoteType support);

    /// @notice The item's votes for exceeded half of all council members.
    event CouncilItemPassed(uint256 indexed itemId);

    /// @notice The item can no longer pass (too many votes against or abstaining).
    event CouncilItemRejected(uint256 indexed itemId);

    /// @notice The chair signed the protocol of a passed item.
    event CouncilProtocolSigned(
        uint256 indexed itemId, address indexed chair, bytes32 indexed protocolHash
    );

    /// @notice The item's actions ran (`executor` sent the transaction).
    event CouncilItemExecuted(uint256 indexed itemId, address indexed executor);

    /// @notice The council ran an action of an accepted general-meeting question.
    event CouncilMeetingDecisionExecuted(address indexed target, bytes4 indexed selector);

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice A zero address was given where an account or contract is needed.
    error CouncilZeroAddress();

    /// @notice A zero document or protocol hash.
    error CouncilZeroHash();

    /// @notice `size` members is outside the allowed council size (2 to 64).
    error CouncilInvalidSize(uint256 size);

    /// @notice `account` appears twice in a council list.
    error CouncilDuplicateMember(address account);

    /// @notice An item expiry of zero.
    error CouncilInvalidExpiry();

    /// @notice `account` is not a member of the current council.
    error CouncilNotMember(address account);

    /// @notice `account` is not the cooperative's chair.
    error CouncilNotChair(address account);

    /// @notice Only the general meeting contract may do this; `account` tried.
    error CouncilNotGeneralMeeting(address account);

    /// @notice The targets and calldatas lists differ in length.
    error CouncilInvalidActions(uint256 targets, uint256 calldatas);

    /// @notice No item has this id.
    error CouncilUnknownItem(uint256 itemId);

    /// @notice The member already voted on the item.
    error CouncilAlreadyVoted(uint256 itemId, address member);

    /// @notice The vote type is not Against (0), For (1) or Abstain (2).
    error CouncilInvalidVoteType(uint8 support);

    /// @notice The item is past its expiry (or from a former council term): no more votes or
    /// signatures.
    error CouncilItemExpired(uint256 itemId);

    /// @notice The item is not in the state this action needs (`state` is where it stands).
    error CouncilUnexpectedState(uint256 itemId, ItemState state);

    /// @notice Execution before the chair signed the protocol.
    error CouncilProtocolNotSigned(uint256 itemId);

    /// @notice The item's actions already ran.
    error CouncilAlreadyExecuted(uint256 itemId);

    /// @notice The actions given are not the ones the item was proposed with.
    error CouncilActionsNotOnAgenda(uint256 itemId);

    /// @notice The action calls a function only the general meeting may decide
    /// (`IMeetingReserved`): a council item cannot propose it.
    error CouncilActionReservedToMeeting(address target, bytes4 selector);

    /// @notice A council item cannot be executed from inside a general-meeting decision (its
    /// actions would borrow the meeting's authority).
    error CouncilExecutionInsideMeetingDecision(uint256 itemId);

    /// @notice A majority outside `IGeneralMeeting.Majority`.
    error CouncilInvalidMajority(uint8 majority);

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice One-time set-up of a fresh clone.
    /// @param charter The cooperative's charter (its chair signs protocols; the council becomes
    /// its decision executor once the current executor hands the role over).
    /// @param generalMeeting The cooperative's general meeting contract.
    /// @param members The first council (2 to 64 distinct addresses).
    /// @param itemExpiry Seconds an item stays open for votes and the chair's signature.
    function initialize(
        address charter,
        address generalMeeting,
        address[] calldata members,
        uint32 itemExpiry
    ) external;

    /// @notice A council member puts an item on the agenda.
    /// @param documentHash Hash of the document the council decides on (non-zero).
    /// @param targets Contracts the decision calls when executed (may be empty).
    /// @param calldatas The call data for each target.
    /// @return itemId The new item's id (sequential from 1).
    function propose(bytes32 documentHash, address[] calldata targets, bytes[] calldata calldatas)
        external
        returns (uint256 itemId);

    /// @notice A council member votes on a pending item of the current council term.
    /// @param itemId The item.
    /// @param support 0 against, 1 for, 2 abstain.
    function castVote(uint256 itemId, uint8 support) external;

    /// @notice The chair signs the protocol of a passed item, before it expires.
    /// @param itemId The item.
    /// @param protocolHash Hash of the protocol document.
    function signProtocol(uint256 itemId, bytes32 protocolHash) external;

    /// @notice Anyone runs the actions of a signed item, once. A failing action reverts the
    /// whole execution, which may be retried.
    /// @param itemId The item.
    /// @param targets The targets it was proposed with.
    /// @param calldatas The call data it was proposed with.
    function execute(uint256 itemId, address[] calldata targets, bytes[] calldata calldatas)
        external;

    /// @notice Runs one action of an accepted general-meeting question with the council's
    /// authority (the decision executor's). Only the general meeting contract.
    /// @param target The contract called.
    /// @param data The call data.
    /// @return result What the call returned.
    /// @param majority The majority the question was convened with (`IGeneralMeeting.Majority`):
    /// functions reserved to the meeting read it back through `meetingDecisionMajority`.
    function executeMeetingDecision(address target, bytes calldata data, uint8 majority)
        external
        returns (bytes memory result);

    /// @notice Zero unless the council is carrying out a general-meeting decision right now
    /// (inside `executeMeetingDecision`); then the decision's majority plus one. Functions that
    /// only the meeting may decide (`IMeetingReserved`) accept the council's call only then.
    function meetingDecisionMajority() external view returns (uint256);

    /// @notice Seats a new council (a new term). Only the general meeting contract.
    /// @param members The new council (3 to 64 distinct addresses).
    function setCouncil(address[] calldata members) external;

    /// @notice Sets how long items stay open. Only the general meeting contract.
    function setItemExpiry(uint32 itemExpiry) external;

    /// @notice Everything stored about `itemId`.
    function item(uint256 itemId) external view returns (ItemInfo memory);

    /// @notice The state of `itemId` now.
    function state(uint256 itemId) external view returns (ItemState);

    /// @notice Whether `account` voted on `itemId`.
    function hasVoted(uint256 itemId, address account) external view returns (bool);

    /// @notice Number of items proposed so far.
    function itemCount() external view returns (uint256);

    /// @notice The members of the current council.
    function councilMembers() external view returns (address[] memory);

    /// @notice Whether `account` sits on the current council.
    function isCouncilMember(address account) external view returns (bool);

    /// @notice The current council term (1 for the first council).
    function epoch() external view returns (uint32);

    /// @notice Seconds an item stays open for votes and the chair's signature.
    function itemExpiry() external view returns (uint32);

    /// @notice The cooperative's charter.
    function charter() external view returns (address);

    /// @notice The cooperative's general meeting contract.
    function generalMeeting() external view returns (address);

    /// @notice The commitment an item stores for its actions: zero for none, otherwise
    /// `keccak256(abi.encode(targets, calldatas))`.
    function hashActions(address[] calldata targets, bytes[] calldata calldatas)
        external
        pure
        returns (bytes32);
}
