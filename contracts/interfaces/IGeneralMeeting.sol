// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";

/// @title IGeneralMeeting
/// @notice The general meeting (общее собрание) of one cooperative: one member, one vote,
/// whatever their shares.
///
/// Life of a meeting:
/// 1. The council convenes it (`convene`, callable only by the council contract, i.e. as an
///    action of a passed and signed council item) with an agenda of questions, each with a
///    document hash, a required majority and optional on-chain actions; voting opens no sooner
///    than the charter's notice period after convening.
/// 2. The voters are the members active at the record block, which is the convening block: the
///    contract fixes it, the convener cannot choose it, and a reconvened meeting keeps it and its
///    count of eligible voters (stored at convening). A member who joins later does not vote in
///    this meeting. Each membership (member index) casts at most one ballot, from the address
///    that holds it now: after a key recovery the new key votes and the old one cannot.
///    Each question's majority is at least the one the law fixes for what its actions do
///    (`IMeetingReserved.reservedMajority` of each target): convening a charter change as a
///    simple-majority question is refused.
/// 3. Each voter casts one ballot with a choice per question: from their own wallet
///    (`castBallot`) or as an EIP-712 signature that anyone relays, alone (`castBallotBySig`) or
///    in a batch (`castBallotsBySig`).
/// 4. After the window closes anyone calls `close`: the quorum is met when the participants are
///    *more than* the meeting's quorum threshold of the active members at the record block; each
///    question is accepted or not by its majority of those who voted. A meeting that missed its
///    quorum may be reconvened by the council with the next, lower threshold of the charter's
///    schedule.
/// 5. The secretary and the presiding chair sign the protocol; the results are final and anyone
///    executes each accepted question's actions, once. Officers who never sign cannot freeze a
///    held meeting's decisions: once the signing period (a charter parameter, 14 days unless the
///    meeting set another) has passed since closing, the accepted questions are executable
///    without the missing signature, which is recorded (`MeetingProtocolSignatureMissing`).
///    Actions run with the council's authority and the question's majority (through
///    `ICouncil.executeMeetingDecision`); actions addressed to the council itself (a new
///    council, the item expiry) or to this contract (its parameters) are called directly.
interface IGeneralMeeting is IERC5267 {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice The majority a question needs, counted over the voters who cast a ballot.
    /// @dev `Simple`: for > 1/2. `TwoThirds`: for >= 2/3. `ThreeQuarters`: for >= 3/4.
    enum Majority {
        Simple,
        TwoThirds,
        ThreeQuarters
    }

    /// @notice A choice on one question of a ballot (the same numbering as OpenZeppelin's
    /// Governor).
    enum Choice {
        Against,
        For,
        Abstain
    }

    /// @notice Where a meeting stands.
    /// @dev `Scheduled`: convened, voting not yet open (notice period). `Open`: ballots accepted.
    /// `Ended`: the window closed, `close` not yet called. `QuorumMissed`: closed without quorum
    /// (may be reconvened). `Held`: closed with quorum, results final. `Reconvened`: missed its
    /// quorum and was convened again.
    enum MeetingState {
        None,
        Scheduled,
        Open,
        Ended,
        QuorumMissed,
        Held,
        Reconvened
    }

    /// @notice One question of an agenda, as convened.
    struct Question {
        /// @notice Hash of the question's document (draft resolution, charter amendment...).
        bytes32 documentHash;
        /// @notice The majority of those voting it needs.
        Majority majority;
        /// @notice Contracts an accepted question calls (may be empty).
        address[] targets;
        /// @notice The call data for each target.
        bytes[] calldatas;
    }

    /// @notice What the council decides when it convenes a meeting.
    struct Convocation {
        /// @notice When voting opens (unix seconds): at least the notice period from now.
        uint40 opensAt;
        /// @notice When voting closes (unix seconds), after `opensAt`.
        uint40 closesAt;
        /// @notice Who keeps and signs the protocol.
        address secretary;
        /// @notice Who presides and signs the protocol; zero for the cooperative's chair.
        address chair;
        /// @notice The agenda (1 to 32 questions).
        Question[] questions;
    }

    /// @notice Everything stored about one meeting (its questions: `question`).
    struct MeetingInfo {
        MeetingState state;
        /// @notice 0 for a first convocation, n for the n-th reconvening.
        uint8 attempt;
        /// @notice Number of questions.
        uint8 questionCount;
        /// @notice Quorum threshold in basis points: participants must be more than this share.
        uint16 quorumBps;
        uint40 opensAt;
        uint40 closesAt;
        uint48 recordBlock;
        /// @notice Voters who cast a ballot.
        uint32 participants;
        /// @notice Active members at the record block (stored at convening).
        uint32 eligible;
        /// @notice Bit i set: question i accepted (set when closed).
        uint32 acceptedMask;
        /// @notice Bit i set: question i's actions ran.
        uint32 executedMask;
        address secretary;
        /// @notice The presiding chair; zero for the cooperative's chair.
        address chair;
        bool secretarySigned;
        bool chairSigned;
        /// @notice Hash of the signed protocol, zero until the secretary signs.
        bytes32 protocolHash;
        /// @notice The meeting this one reconvenes (zero for none).
        uint256 previousMeetingId;
    }

    /// @notice One question's stored terms and tally.
    struct QuestionInfo {
        bytes32 documentHash;
        Majority majority;
        /// @notice `hashActions(targets, calldatas)`, zero for none.
        bytes32 actionsHash;
        uint256 forVotes;
        uint256 againstVotes;
        uint256 abstainVotes;
    }

    /// @notice Where the members' demand for an extraordinary meeting with one agenda stands.
    struct DemandInfo {
        /// @notice The register the share is counted on (the block of the first demand).
        uint48 recordBlock;
        /// @notice Active members at that block.
        uint32 eligible;
        /// @notice Memberships that signed the demand.
        uint32 count;
        /// @notice When the share was reached (zero until then).
        uint40 reachedAt;
        /// @notice Whether a meeting with the agenda was convened in answer.
        bool satisfied;
        /// @notice Until when the council alone may answer (zero until reached); after it the
        /// demanders convene the meeting themselves (`conveneOnDemand`).
        uint256 councilDueBy;
    }

    /// @notice A ballot relayed for a voter who signed it (EIP-712 type
    /// `Ballot(uint256 meetingId,address voter,uint8[] choices)`).
    struct SignedBallot {
        address voter;
        /// @notice One `Choice` per question, in agenda order.
        uint8[] choices;
    }

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice The notice period or quorum schedule changed.
    event GeneralMeetingParametersSet(uint32 noticePeriod, uint16[] quorumSchedule);

    /// @notice A meeting was convened. `previousMeetingId` is the meeting it reconvenes (zero for
    /// a first convocation); `recordBlock` and `eligible` are the register fixed at convening.
    event MeetingConvened(
        uint256 indexed meetingId,
        uint256 indexed previousMeetingId,
        uint8 attempt,
        uint40 opensAt,
        uint40 closesAt,
        uint48 recordBlock,
        uint32 eligible,
        uint16 quorumBps,
        address secretary,
        address chair
    );

    /// @notice Question `index` of the meeting's agenda.
    event QuestionAdded(
        uint256 indexed meetingId,
        uint8 index,
        bytes32 indexed documentHash,
        Majority majority,
        address[] targets,
        bytes[] calldatas
    );

    /// @notice `voter` cast a ballot. `choices` packs question i's `Choice` in bits 2i..2i+1.
    event BallotCast(
        uint256 indexed meetingId, address indexed voter, uint256 choices, bool bySignature
    );

    /// @notice A signed ballot in a batch was skipped; `reason` is the selector of the error a
    /// single submission would have reverted with.
    event BallotRejected(uint256 indexed meetingId, address indexed voter, bytes4 reason);

    /// @notice The meeting was closed and counted.
    event MeetingClosed(
        uint256 indexed meetingId,
        bool quorumReached,
        uint256 participants,
        uint256 eligible,
        uint32 acceptedMask
    );

    /// @notice The secretary or the presiding chair signed the protocol.
    event MeetingProtocolSigned(
        uint256 indexed meetingId, address indexed signer, bytes32 indexed protocolHash
    );

    /// @notice An accepted question's actions ran (`executor` sent the transaction).
    event QuestionExecuted(uint256 indexed meetingId, uint8 indexed index, address executor);

    /// @notice A question was executed after the signing period without the signatures in
    /// `missing` (bit 0: the secretary's, bit 1: the presiding chair's).
    event MeetingProtocolSignatureMissing(uint256 indexed meetingId, uint8 missing);

    /// @notice `member` joined the demand for an extraordinary meeting with agenda
    /// `agendaHash` (`count` memberships so far).
    event MeetingDemanded(bytes32 indexed agendaHash, address indexed member, uint32 count);

    /// @notice A relayed demand signature was skipped; `reason` is the selector of the error a
    /// direct demand would revert with.
    event MeetingDemandRejected(bytes32 indexed agendaHash, address indexed member, bytes4 reason);

    /// @notice The demand reached the charter's share of members: the council must convene the
    /// meeting by `councilDueBy`, after which the demanders may.
    event MeetingDemandReached(
        bytes32 indexed agendaHash, uint32 count, uint32 eligible, uint256 councilDueBy
    );

    /// @notice A meeting with the demanded agenda was convened by `convener` (the council, or a
    /// demander after the council's period).
    event MeetingDemandSatisfied(
        bytes32 indexed agendaHash, uint256 indexed meetingId, address convener
    );

    /// @notice The demand rules changed (a general-meeting decision).
    event GeneralMeetingDemandRulesSet(uint16 thresholdBps, uint32 period);

    /// @notice The signing period changed (a general-meeting decision).
    event GeneralMeetingSigningPeriodSet(uint32 signingPeriod);

    /// @notice The register of voters and the proxies changed (a general-meeting decision): the
    /// meeting is held as a meeting of delegates (`register` is the cooperative's `Branches`)
    /// or of all members again (`register` is the `Membership`).
    event GeneralMeetingRegisterSet(address register, address proxies);

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice Question `index` calls a function that needs at least `required`
    /// (`Majority`) and was convened with less.
    error GeneralMeetingMajorityTooLow(uint256 index, Majority required);

    /// @notice Action `action` of question `question` calls `Council.executeMeetingDecision`
    /// itself: a question names its targets, the meeting forwards them with its own majority.
    error GeneralMeetingActionNotAllowed(uint256 question, uint256 action);

    /// @notice A meeting with this agenda was already convened in answer to the demand.
    error GeneralMeetingDemandSatisfied(bytes32 agendaHash);

    /// @notice This membership already joined the demand.
    error GeneralMeetingAlreadyDemanded(bytes32 agendaHash, address member);

    /// @notice No demand with this agenda has reached the members' share, or it was answered.
    error GeneralMeetingNoPendingDemand(bytes32 agendaHash);

    /// @notice The council still has until `due` to convene the demanded meeting.
    error GeneralMeetingCouncilStillDue(bytes32 agendaHash, uint256 due);

    /// @notice Only a member who joined the demand may convene it after the council's period.
    error GeneralMeetingNotDemander(bytes32 agendaHash, address account);

    /// @notice The council's answer to a demand must open by `latest` (the end of its demand
    /// period plus the notice period).
    error GeneralMeetingDemandedMeetingTooLate(bytes32 agendaHash, uint256 opensAt, uint256 latest);

    /// @notice The share must be 1 to 1,000 basis points (at most one tenth, the law's) and the
    /// period 1 to 60 days.
    error GeneralMeetingInvalidDemandRules(uint16 thresholdBps, uint32 period);

    /// @notice The signing period must be between one day and 90 days.
    error GeneralMeetingInvalidSigningPeriod(uint32 signingPeriod);

    /// @notice A zero address was given where an account or contract is needed.
    error GeneralMeetingZeroAddress();

    /// @notice Only the council contract may convene; `account` tried.
    error GeneralMeetingNotCouncil(address account);

    /// @notice Only the cooperative's `MeetingProxies` may cast a ballot for a principal;
    /// `account` tried.
    error GeneralMeetingNotProxies(address account);

    /// @notice Only a general-meeting decision (this contract calling itself) may do this; a
    /// branch meeting never changes its own parameters (they are the charter's).
    error GeneralMeetingNotMeetingDecision(address account);

    /// @notice The quorum schedule is empty or has a threshold above 10,000 basis points.
    error GeneralMeetingInvalidQuorumSchedule();

    /// @notice The agenda is empty or has more than 32 questions.
    error GeneralMeetingInvalidAgenda(uint256 questions);

    /// @notice A question's document hash is zero.
    error GeneralMeetingZeroHash();

    /// @notice A question's targets and calldatas differ in length.
    error GeneralMeetingInvalidActions(uint256 targets, uint256 calldatas);

    /// @notice Voting would open before the notice period (`earliest`) has passed, or would not
    /// close after it opens.
    error GeneralMeetingInvalidSchedule(uint256 opensAt, uint256 closesAt, uint256 earliest);

    /// @notice The secretary is also the presiding chair: the protocol needs two signers.
    error GeneralMeetingSecretaryIsChair(address account);

    /// @notice No meeting has this id.
    error GeneralMeetingUnknownMeeting(uint256 meetingId);

    /// @notice The meeting is not in the state this action needs (`state` is where it stands).
    error GeneralMeetingUnexpectedState(uint256 meetingId, MeetingState state);

    /// @notice A ballot outside the voting window.
    error GeneralMeetingNotOpen(uint256 meetingId, uint256 opensAt, uint256 closesAt);

    /// @notice `account` was not an active member at the meeting's record block.
    error GeneralMeetingNotVoter(uint256 meetingId, address account);

    /// @notice `voter` already cast a ballot in this meeting (a replayed signature lands here).
    error GeneralMeetingAlreadyVoted(uint256 meetingId, address voter);

    /// @notice The ballot does not have exactly one valid choice (0, 1, 2) per question.
    error GeneralMeetingInvalidChoices(uint256 meetingId);

    /// @notice The signature is not `voter`'s ballot for this meeting, contract and chain.
    error GeneralMeetingInvalidSignature(address voter);

    /// @notice The batch's ballots and signatures differ in length.
    error GeneralMeetingBatchLengthMismatch(uint256 ballots, uint256 signatures);

    /// @notice `account` is not the meeting's secretary or presiding chair, or already signed.
    error GeneralMeetingNotSigner(uint256 meetingId, address account);

    /// @notice The chair's protocol hash differs from the one the secretary signed.
    error GeneralMeetingProtocolMismatch(bytes32 expected, bytes32 given);

    /// @notice Execution before both the secretary and the chair signed the protocol.
    error GeneralMeetingProtocolNotSigned(uint256 meetingId);

    /// @notice No question has this index.
    error GeneralMeetingUnknownQuestion(uint256 meetingId, uint256 index);

    /// @notice The question was not accepted.
    error GeneralMeetingQuestionNotAccepted(uint256 meetingId, uint256 index);

    /// @notice The question's actions already ran.
    error GeneralMeetingAlreadyExecuted(uint256 meetingId, uint256 index);

    /// @notice The actions given are not the ones the question was convened with.
    error GeneralMeetingActionsNotOnAgenda(uint256 meetingId, uint256 index);

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice One-time set-up of a fresh clone.
    /// @param charter The cooperative's charter (its chair presides unless a meeting names one).
    /// @param membership The cooperative's membership register (voters and quorum base).
    /// @param council The cooperative's council contract (convenes; runs decisions).
    /// @param noticePeriod Minimum seconds between convening and the opening of voting.
    /// @param quorumSchedule Quorum thresholds in basis points for the first convocation and each
    /// reconvening; the last one repeats (e.g. [5000], or [7500, 5000, 2500]).
    /// @param proxies The cooperative's `MeetingProxies` (the only caller of `castProxyBallot`);
    /// zero when the cooperative takes no votes by proxy.
    function initialize(
        address charter,
        address membership,
        address council,
        uint32 noticePeriod,
        uint16[] calldata quorumSchedule,
        address proxies
    ) external;

    /// @notice Convenes a meeting. Only the council contract (a passed, signed council item).
    /// @return meetingId The new meeting's id (sequential from 1).
    function convene(Convocation calldata convocation) external returns (uint256 meetingId);

    /// @notice Convenes again, with the same agenda and the next quorum threshold of the
    /// schedule, a meeting that missed its quorum. Only the council contract.
    /// @param previousMeetingId The meeting that missed its quorum.
    /// @param opensAt When voting opens (at least the notice period from now).
    /// @param closesAt When voting closes.
    /// @param secretary Who keeps and signs the protocol.
    /// @param chair Who presides and signs; zero for the cooperative's chair.
    /// @return meetingId The new meeting's id.
    function reconvene(
        uint256 previousMeetingId,
        uint40 opensAt,
        uint40 closesAt,
        address secretary,
        address chair
    ) external returns (uint256 meetingId);

    /// @notice The sender casts their ballot: one choice per question, in agenda order.
    function castBallot(uint256 meetingId, uint8[] calldata choices) external;

    /// @notice Anyone relays one signed ballot; every problem reverts with its named error.
    function castBallotBySig(
        uint256 meetingId,
        SignedBallot calldata ballot,
        bytes calldata signature
    ) external;

    /// @notice The cooperative's `MeetingProxies` casts `principal`'s ballot, given by the
    /// holder of the principal's proxy (доверенность) for this meeting; it checked the proxy.
    /// The ballot counts like the principal's own: one has-voted bit per membership, so a
    /// principal who voted cannot be voted for, and a principal voted for cannot vote again.
    function castProxyBallot(uint256 meetingId, address principal, uint8[] calldata choices)
        external;

    /// @notice Anyone relays a batch of signed ballots for one meeting. A ballot that is invalid
    /// (bad signature, not a voter, already voted, bad choices) is skipped with `BallotRejected`
    /// so that one member cannot make the whole batch fail; a meeting that is not open or
    /// lists of different lengths revert the batch.
    /// @return accepted Number of ballots counted.
    function castBallotsBySig(
        uint256 meetingId,
        SignedBallot[] calldata ballots,
        bytes[] calldata signatures
    ) external returns (uint256 accepted);

    /// @notice Anyone closes a meeting whose voting window has ended: checks the quorum and
    /// counts each question.
    function close(uint256 meetingId) external;

    /// @notice The secretary, then the presiding chair, sign the protocol of a closed meeting.
    /// @param protocolHash Hash of the protocol document; the chair must sign the same hash.
    function signProtocol(uint256 meetingId, bytes32 protocolHash) external;

    /// @notice Anyone runs an accepted question's actions, once, after both signatures or, when
    /// a signature is still missing, once the signing period has passed since closing. A
    /// failing action reverts the whole execution, which may be retried.
    function execute(
        uint256 meetingId,
        uint8 index,
        address[] calldata targets,
        bytes[] calldata calldatas
    ) external;

    /// @notice Sets the notice period and quorum schedule. Only a general-meeting decision.
    function setParameters(uint32 noticePeriod, uint16[] calldata quorumSchedule) external;

    /// @notice The sender, a member, joins the demand for an extraordinary meeting with the
    /// agenda `agendaHash` (`agendaHash(questions)`). The first demand fixes the register; when
    /// the charter's share of its members (one tenth by default) has joined, the council must
    /// convene a meeting with exactly this agenda within the demand period (30 days by default),
    /// or the demanders may convene it themselves (`conveneOnDemand`).
    function demandMeeting(bytes32 agendaHash) external;

    /// @notice Anyone relays members' signed demands (EIP-712
    /// `MeetingDemand(bytes32 agendaHash,address member)` in this contract's domain). An invalid
    /// one is skipped with `MeetingDemandRejected`.
    /// @return added Number of memberships counted.
    function demandMeetingBySig(
        bytes32 agendaHash,
        address[] calldata members,
        bytes[] calldata signatures
    ) external returns (uint256 added);

    /// @notice A member who joined a demand that reached the share convenes the meeting when the
    /// council has not within its period. The agenda must be the demanded one; the schedule and
    /// majorities are checked as for `convene`.
    function conveneOnDemand(Convocation calldata convocation) external returns (uint256 meetingId);

    /// @notice Sets the members' share (basis points, 1 to 1,000) and the council's period
    /// (1 to 60 days) for demanded meetings. Only a general-meeting decision.
    function setDemandRules(uint16 thresholdBps, uint32 period) external;

    /// @notice The members' share that obliges the council to convene (basis points).
    function demandThresholdBps() external view returns (uint16);

    /// @notice The council's period to convene a demanded meeting (seconds).
    function demandPeriod() external view returns (uint32);

    /// @notice Where the demand for the agenda stands.
    function demand(bytes32 agendaHash) external view returns (DemandInfo memory);

    /// @notice Whether the membership `member` holds joined the demand.
    function hasDemanded(bytes32 agendaHash, address member) external view returns (bool);

    /// @notice The hash members demand: `keccak256(abi.encode(questions))`.
    function agendaHash(Question[] calldata questions) external pure returns (bytes32);

    /// @notice The EIP-712 digest a member signs to join a demand.
    function demandDigest(bytes32 agendaHash, address member) external view returns (bytes32);

    /// @notice Sets how long after closing the officers have to sign the protocol before the
    /// accepted questions become executable without them (1 to 90 days). Only a general-meeting
    /// decision.
    function setSigningPeriod(uint32 signingPeriod) external;

    /// @notice Sets who votes from the next convocation on: `register` answers `IMembershipView`
    /// (the `Membership`, or the cooperative's `Branches` for a meeting of delegates), and
    /// `proxies` is the one caller of `castProxyBallot` (zero: no votes by proxy; a delegate's
    /// mandate cannot be passed on). Only a general-meeting decision.
    function setRegister(address register, address proxies) external;

    /// @notice How long after closing a missing protocol signature stops holding back execution.
    function signingPeriod() external view returns (uint32);

    /// @notice When the meeting was closed (zero while not closed).
    function closedAt(uint256 meetingId) external view returns (uint40);

    /// @notice Everything stored about a meeting.
    function meeting(uint256 meetingId) external view returns (MeetingInfo memory);

    /// @notice The state of a meeting now.
    function state(uint256 meetingId) external view returns (MeetingState);

    /// @notice Question `index` of a meeting, with its tally.
    function question(uint256 meetingId, uint256 index)
        external
        view
        returns (QuestionInfo memory);

    /// @notice Whether the membership `voter` votes with in the meeting (its index at the
    /// record block, or else the one it holds now) cast a ballot. One ballot per membership: a
    /// membership whose key was recovered has voted whichever of its addresses cast it.
    function hasVoted(uint256 meetingId, address voter) external view returns (bool);

    /// @notice Whether the membership with member index `memberIndex`
    /// (`IMembershipView.memberIndexOf`) cast a ballot in the meeting.
    function hasIndexVoted(uint256 meetingId, uint256 memberIndex) external view returns (bool);

    /// @notice Number of meetings convened so far.
    function meetingCount() external view returns (uint256);

    /// @notice Minimum seconds between convening and the opening of voting.
    function noticePeriod() external view returns (uint32);

    /// @notice Quorum thresholds (basis points) by attempt; the last one repeats.
    function quorumSchedule() external view returns (uint16[] memory);

    /// @notice The EIP-712 digest `voter` signs for a ballot in this contract's domain.
    function ballotDigest(uint256 meetingId, address voter, uint8[] calldata choices)
        external
        view
        returns (bytes32);

    /// @notice The EIP-712 domain separator (bound to this contract's address and chain).
    function domainSeparator() external view returns (bytes32);

    /// @notice The cooperative's charter.
    function charter() external view returns (address);

    /// @notice The cooperative's membership register.
    function membership() external view returns (address);

    /// @notice The cooperative's council contract.
    function council() external view returns (address);

    /// @notice The cooperative's `MeetingProxies` (zero: no votes by proxy).
    function proxies() external view returns (address);

    /// @notice The commitment a question stores for its actions: zero for none, otherwise
    /// `keccak256(abi.encode(targets, calldatas))`.
    function hashActions(address[] calldata targets, bytes[] calldata calldatas)
        external
        pure
        returns (bytes32);
}
