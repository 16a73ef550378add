// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {ICharter} from "./interfaces/ICharter.sol";
import {ICouncil} from "./interfaces/ICouncil.sol";
import {IGeneralMeeting} from "./interfaces/IGeneralMeeting.sol";
import {IMembershipView} from "./interfaces/IMembershipView.sol";
import {BoundedSignatureChecker} from "./libraries/BoundedSignatureChecker.sol";
import {MeetingDecision} from "./libraries/MeetingDecision.sol";

/// @title GeneralMeeting
/// @notice The general meeting of one cooperative: agendas convened by the council, one ballot
/// per member active at the record block (direct or EIP-712 signed and relayed in batches),
/// quorum and majorities counted on chain, a protocol signed by the secretary and the presiding
/// chair, accepted questions executed once with the council's authority. The rules are
/// documented on {IGeneralMeeting}.
/// @dev Deployed once as an implementation and used through EIP-1167 clones: nothing is an
/// immutable, and the EIP-712 domain is computed from `address(this)` and `block.chainid`.
///
/// Ballots are the hot path. What a ballot costs in storage:
/// - "has voted": per meeting, a bitmap keyed by the voter's member index
///   (`IMembershipView.voterIndexAt`), 255 members to a word; bit 255 of each word is a marker
///   set when the meeting is convened (for the indices assigned so far, up to
///   `_MAX_MARKED_WORDS` words), so that no ballot pays for a fresh slot: the first ballot of a
///   word changes a non-zero slot, the next ones in the same transaction a warm one. One index
///   is one membership, whatever address holds it: key recovery cannot give a membership two
///   ballots.
/// - the tally: per question two 32-bit counters (for, against) packed three questions to a
///   word, and the participant count in the low 32 bits of word 0, so that a ballot on up to
///   three questions writes one tally slot. The words get a marker bit when the meeting is
///   convened so that no ballot pays for a fresh slot. Abstentions are participants minus for
///   minus against (every ballot answers every question). A batch adds its ballots up in memory
///   and writes each word once.
contract GeneralMeeting is IGeneralMeeting, Initializable {
    /*//////////////////////////////////////////////////////////////
                                CONSTANTS
    //////////////////////////////////////////////////////////////*/

    string private constant _DOMAIN_NAME = "Coopnode GeneralMeeting";
    string private constant _DOMAIN_VERSION = "1";

    bytes32 private constant _DOMAIN_TYPEHASH = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    );
    bytes32 private constant _DOMAIN_NAME_HASH = keccak256(bytes(_DOMAIN_NAME));
    bytes32 private constant _DOMAIN_VERSION_HASH = keccak256(bytes(_DOMAIN_VERSION));

    /// @dev The struct a member signs: the meeting (which fixes the agenda) and a choice per
    /// question. Each meeting takes one ballot per voter, so no nonce is needed: a replayed
    /// signature finds the voter's "has voted" bit set.
    bytes32 private constant _BALLOT_TYPEHASH =
        keccak256("Ballot(uint256 meetingId,address voter,uint8[] choices)");

    /// @dev The struct a member signs to demand an extraordinary meeting with an agenda
    /// (`agendaHash`). One signature per membership and agenda: no nonce is needed.
    bytes32 private constant _DEMAND_TYPEHASH =
        keccak256("MeetingDemand(bytes32 agendaHash,address member)");

    /// @dev The members' share that obliges the council to convene (the law: one tenth), and
    /// the council's period to do it (the law: typically 30 days); a charter may lower the
    /// share and shorten or lengthen the period within bounds, never raise the share.
    uint16 private constant _DEFAULT_DEMAND_BPS = 1_000;
    uint16 private constant _MAX_DEMAND_BPS = 1_000;
    uint32 private constant _DEFAULT_DEMAND_PERIOD = 30 days;
    uint32 private constant _MIN_DEMAND_PERIOD = 1 days;
    uint32 private constant _MAX_DEMAND_PERIOD = 60 days;

    uint256 private constant _MAX_QUESTIONS = 32;

    /// @dev Gas an ERC-1271 wallet gets to answer for a ballot: enough for a multisig or a
    /// passkey account, too little for a contract voter to burn a relayer's batch.
    uint256 private constant _ERC1271_GAS = 100_000;

    /// @dev The signing period when the meeting never set one, and its bounds.
    uint32 private constant _DEFAULT_SIGNING_PERIOD = 14 days;
    uint32 private constant _MIN_SIGNING_PERIOD = 1 days;
    uint32 private constant _MAX_SIGNING_PERIOD = 90 days;
    uint256 private constant _BPS = 10_000;

    /// @dev Tally word layout: bits [0, 32) of word 0 count the participants (zero in the other
    /// words); question `3w + k` has its votes for in bits [32 + 64k, 64 + 64k) and its votes
    /// against in bits [64 + 64k, 96 + 64k) of word `w`; bit 255 is the marker.
    uint256 private constant _LANES = 3;
    uint256 private constant _LANE_BASE = 32;
    uint256 private constant _LANE_BITS = 64;
    uint256 private constant _COUNT_BITS = 32;
    uint256 private constant _COUNT_MASK = (1 << 32) - 1;
    uint256 private constant _MARKER = 1 << 255;

    /// @dev Has-voted bitmaps: member index `i` is bit `i % 255` of word `i / 255`; bit 255 is
    /// the marker. Convening marks at most this many words (8,160 members, about 700,000 gas);
    /// in a larger register the first ballot of each further word writes a fresh slot.
    uint256 private constant _VOTERS_PER_WORD = 255;
    uint256 private constant _MAX_MARKED_WORDS = 32;

    /// @dev Bits of `MeetingCore.flags`.
    uint8 private constant _SECRETARY_SIGNED = 1;
    uint8 private constant _CHAIR_SIGNED = 2;

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev The stored part of a meeting's state; Scheduled / Open / Ended derive from time.
    enum Status {
        None,
        Convened,
        QuorumMissed,
        Held,
        Reconvened
    }

    /// @dev One slot: everything a ballot reads and writes about its meeting.
    struct MeetingCore {
        uint40 opensAt;
        uint40 closesAt;
        uint48 recordBlock;
        uint16 quorumBps;
        uint8 attempt;
        uint8 questionCount;
        Status status;
        uint8 flags;
        uint40 closedAt;
    }

    /// @dev One slot: the secretary and the results.
    struct MeetingResult {
        address secretary;
        uint32 eligible;
        uint32 acceptedMask;
        uint32 executedMask;
    }

    /// @dev One slot: the presiding chair and the majority (2 bits) of each question.
    struct MeetingAgenda {
        address chair;
        uint64 majorities;
    }

    struct Meeting {
        MeetingCore core;
        MeetingResult result;
        MeetingAgenda agenda;
        bytes32 protocolHash;
        uint256 previousMeetingId;
    }

    /// @dev What every ballot of a batch shares, kept in memory (the stack is too small).
    struct Batch {
        bytes32 separator;
        uint256 meetingId;
        uint48 recordBlock;
        uint256 questionCount;
        IMembershipView register;
    }

    /// @dev Slot 0, read by every ballot: the register, the meeting counter, the notice period.
    IMembershipView private _membership;
    uint64 private _meetingCount;
    uint32 private _noticePeriod;

    ICharter private _charter;
    uint32 private _signingPeriod;
    uint16 private _demandBps;
    uint32 private _demandPeriod;
    ICouncil private _council;
    uint16[] private _quorumSchedule;

    mapping(uint256 meetingId => Meeting) private _meetings;
    mapping(uint256 meetingId => mapping(uint256 index => bytes32)) private _questionDocs;
    mapping(uint256 meetingId => mapping(uint256 index => bytes32)) private _questionActions;
    mapping(uint256 meetingId => mapping(uint256 word => uint256)) private _tallies;
    mapping(uint256 meetingId => mapping(uint256 word => uint256 bits)) private _voted;

    /// @dev One slot: a members' demand for an extraordinary meeting with one agenda.
    struct Demand {
        uint48 recordBlock;
        uint32 eligible;
        uint32 count;
        uint40 reachedAt;
        bool satisfied;
    }

    mapping(bytes32 agendaHash => Demand) private _demands;
    mapping(bytes32 agendaHash => mapping(uint256 word => uint256 bits)) private _demanders;

    /// @dev The cooperative's `MeetingProxies` (zero: no proxies): the one caller of
    /// `castProxyBallot`.
    address private _proxies;

    /*//////////////////////////////////////////////////////////////
                               INITIALISER
    //////////////////////////////////////////////////////////////*/

    constructor() {
        _disableInitializers();
    }

    /// @inheritdoc IGeneralMeeting
    function initialize(
        address charter_,
        address membership_,
        address council_,
        uint32 noticePeriod_,
        uint16[] calldata quorumSchedule_,
        address proxies_
    ) external initializer {
        if (charter_ == address(0) || membership_ == address(0) || council_ == address(0)) {
            revert GeneralMeetingZeroAddress();
        }
        _charter = ICharter(charter_);
        _proxies = proxies_;
        _membership = IMembershipView(membership_);
        _council = ICouncil(council_);
        _setParameters(noticePeriod_, quorumSchedule_);
    }

    /*//////////////////////////////////////////////////////////////
                               CONVENING
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IGeneralMeeting
    function convene(Convocation calldata convocation) external returns (uint256 meetingId) {
        _onlyCouncil();
        meetingId = _convene(convocation);
        bytes32 agenda = _agendaHash(convocation.questions);
        Demand memory d = _demands[agenda];
        if (d.reachedAt != 0 && !d.satisfied) {
            // The council answers the members' demand: with a meeting that opens by the end of
            // its period plus the notice, or its convocation does not count as the answer.
            uint256 latest = uint256(d.reachedAt) + demandPeriod() + _noticePeriod;
            if (convocation.opensAt > latest) {
                revert GeneralMeetingDemandedMeetingTooLate(agenda, convocation.opensAt, latest);
            }
            _satisfy(agenda, meetingId);
        }
    }

    /*//////////////////////////////////////////////////////////////
                       EXTRAORDINARY MEETING ON DEMAND
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IGeneralMeeting
    function demandMeeting(bytes32 agendaHash_) external {
        bytes4 reason = _addDemander(agendaHash_, msg.sender);
        if (reason == GeneralMeetingDemandSatisfied.selector) {
            revert GeneralMeetingDemandSatisfied(agendaHash_);
        }
        if (reason == GeneralMeetingAlreadyDemanded.selector) {
            revert GeneralMeetingAlreadyDemanded(agendaHash_, msg.sender);
        }
        if (reason != bytes4(0)) revert GeneralMeetingNotVoter(0, msg.sender);
    }

    /// @inheritdoc IGeneralMeeting
    function demandMeetingBySig(
        bytes32 agendaHash_,
        address[] calldata members,
        bytes[] calldata signatures
    ) external returns (uint256 added) {
        uint256 count = members.length;
        if (count != signatures.length) {
            revert GeneralMeetingBatchLengthMismatch(count, signatures.length);
        }
        bytes32 separator = _domainSeparator();
        for (uint256 i; i < count; ++i) {
            address member = members[i];
            bytes32 digest = MessageHashUtils.toTypedDataHash(
                separator, keccak256(abi.encode(_DEMAND_TYPEHASH, agendaHash_, member))
            );
            bytes4 reason = _validSignature(member, digest, signatures[i])
                ? _addDemander(agendaHash_, member)
                : GeneralMeetingInvalidSignature.selector;
            if (reason == bytes4(0)) {
                // Cannot overflow: at most `count`.
                unchecked {
                    ++added;
                }
            } else {
                emit MeetingDemandRejected(agendaHash_, member, reason);
            }
        }
    }

    /// @inheritdoc IGeneralMeeting
    function conveneOnDemand(Convocation calldata convocation) external returns (uint256 meetingId) {
        bytes32 agenda = _agendaHash(convocation.questions);
        Demand memory d = _demands[agenda];
        if (d.reachedAt == 0 || d.satisfied) revert GeneralMeetingNoPendingDemand(agenda);
        uint256 due = uint256(d.reachedAt) + demandPeriod();
        if (block.timestamp < due) revert GeneralMeetingCouncilStillDue(agenda, due);
        uint256 index = _membership.voterIndexAt(msg.sender, d.recordBlock);
        if (index == 0 || !_isDemander(agenda, index)) {
            revert GeneralMeetingNotDemander(agenda, msg.sender);
        }
        meetingId = _convene(convocation);
        _satisfy(agenda, meetingId);
    }

    /// @inheritdoc IGeneralMeeting
    function setDemandRules(uint16 thresholdBps, uint32 period) external {
        _onlyOwnDecision();
        if (thresholdBps == 0 || thresholdBps > _MAX_DEMAND_BPS) {
            revert GeneralMeetingInvalidDemandRules(thresholdBps, period);
        }
        if (period < _MIN_DEMAND_PERIOD || period > _MAX_DEMAND_PERIOD) {
            revert GeneralMeetingInvalidDemandRules(thresholdBps, period);
        }
        _demandBps = thresholdBps;
        _demandPeriod = period;
        emit GeneralMeetingDemandRulesSet(thresholdBps, period);
    }

    /// @dev Checks and stores an agenda (the register fixed at this block); emits its questions.
    function _convene(Convocation calldata convocation) private returns (uint256 meetingId) {
        uint256 n = convocation.questions.length;
        if (n == 0 || n > _MAX_QUESTIONS) revert GeneralMeetingInvalidAgenda(n);
        // The register is the one of the convening block, whoever convenes: the convener does
        // not choose who votes.
        meetingId = _open(
            0,
            0,
            n,
            convocation.opensAt,
            convocation.closesAt,
            convocation.secretary,
            convocation.chair
        );
        uint256 majorities;
        for (uint256 i; i < n; ++i) {
            Question calldata q = convocation.questions[i];
            if (q.documentHash == bytes32(0)) revert GeneralMeetingZeroHash();
            if (q.targets.length != q.calldatas.length) {
                revert GeneralMeetingInvalidActions(q.targets.length, q.calldatas.length);
            }
            Majority least = _leastMajority(i, q.targets, q.calldatas);
            if (q.majority < least) revert GeneralMeetingMajorityTooLow(i, least);
            _questionDocs[meetingId][i] = q.documentHash;
            if (q.targets.length != 0) {
                _questionActions[meetingId][i] = _hashActions(q.targets, q.calldatas);
            }
            majorities |= uint256(q.majority) << (2 * i);
            emit QuestionAdded(
                meetingId, uint8(i), q.documentHash, q.majority, q.targets, q.calldatas
            );
        }
        _meetings[meetingId].agenda.majorities = uint64(majorities);
    }

    /// @dev Counts `member` (a member when the demand was first made) into the demand for
    /// `agenda`; returns the selector of the error that refuses it, or zero.
    function _addDemander(bytes32 agenda, address member) private returns (bytes4) {
        Demand memory d = _demands[agenda];
        if (d.satisfied) return GeneralMeetingDemandSatisfied.selector;
        if (d.recordBlock == 0) {
            // The first demander fixes the register the share is counted on.
            uint256 active = _membership.activeMemberCount();
            d.recordBlock = uint48(block.number);
            d.eligible = active > type(uint32).max ? type(uint32).max : uint32(active);
        }
        uint256 index = _membership.voterIndexAt(member, d.recordBlock);
        if (index == 0) return GeneralMeetingNotVoter.selector;
        uint256 word = index >> 8;
        uint256 bit = 1 << (index & 0xff);
        uint256 bits = _demanders[agenda][word];
        if (bits & bit != 0) return GeneralMeetingAlreadyDemanded.selector;
        _demanders[agenda][word] = bits | bit;
        // Cannot overflow: one per membership.
        unchecked {
            d.count += 1;
        }
        emit MeetingDemanded(agenda, member, d.count);
        if (d.reachedAt == 0 && uint256(d.count) * _BPS >= uint256(d.eligible) * demandThresholdBps())
        {
            d.reachedAt = uint40(block.timestamp);
            emit MeetingDemandReached(agenda, d.count, d.eligible, block.timestamp + demandPeriod());
        }
        _demands[agenda] = d;
        return bytes4(0);
    }

    function _isDemander(bytes32 agenda, uint256 index) private view returns (bool) {
        return _demanders[agenda][index >> 8] & (1 << (index & 0xff)) != 0;
    }

    function _satisfy(bytes32 agenda, uint256 meetingId) private {
        _demands[agenda].satisfied = true;
        emit MeetingDemandSatisfied(agenda, meetingId, msg.sender);
    }

    /// @inheritdoc IGeneralMeeting
    function reconvene(
        uint256 previousMeetingId,
        uint40 opensAt,
        uint40 closesAt,
        address secretary,
        address chair
    ) external returns (uint256 meetingId) {
        _onlyCouncil();
        Meeting storage prev = _meetings[previousMeetingId];
        MeetingCore memory pc = prev.core;
        if (pc.status == Status.None) revert GeneralMeetingUnknownMeeting(previousMeetingId);
        if (pc.status != Status.QuorumMissed) {
            revert GeneralMeetingUnexpectedState(previousMeetingId, _state(pc));
        }
        prev.core.status = Status.Reconvened;
        uint256 n = pc.questionCount;
        // Checked: a 256th convocation of one agenda reverts (the attempt is a uint8). The
        // register stays the first convocation's: reconvening cannot change who votes.
        meetingId = _open(
            previousMeetingId,
            pc.attempt + 1,
            n,
            opensAt,
            closesAt,
            secretary,
            chair
        );
        for (uint256 i; i < n; ++i) {
            _questionDocs[meetingId][i] = _questionDocs[previousMeetingId][i];
            bytes32 actions = _questionActions[previousMeetingId][i];
            if (actions != bytes32(0)) _questionActions[meetingId][i] = actions;
        }
        _meetings[meetingId].agenda.majorities = prev.agenda.majorities;
    }

    /*//////////////////////////////////////////////////////////////
                                 BALLOTS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IGeneralMeeting
    function castBallot(uint256 meetingId, uint8[] calldata choices) external {
        _castOne(meetingId, msg.sender, choices, false);
    }

    /// @inheritdoc IGeneralMeeting
    function castBallotBySig(
        uint256 meetingId,
        SignedBallot calldata ballot,
        bytes calldata signature
    ) external {
        bytes32 digest = _ballotDigest(_domainSeparator(), meetingId, ballot.voter, ballot.choices);
        if (!_validSignature(ballot.voter, digest, signature)) {
            revert GeneralMeetingInvalidSignature(ballot.voter);
        }
        _castOne(meetingId, ballot.voter, ballot.choices, true);
    }

    /// @inheritdoc IGeneralMeeting
    function castProxyBallot(uint256 meetingId, address principal, uint8[] calldata choices)
        external
    {
        if (msg.sender != _proxies) revert GeneralMeetingNotProxies(msg.sender);
        _castOne(meetingId, principal, choices, true);
    }

    /// @inheritdoc IGeneralMeeting
    function castBallotsBySig(
        uint256 meetingId,
        SignedBallot[] calldata ballots,
        bytes[] calldata signatures
    ) external returns (uint256 accepted) {
        uint256 count = ballots.length;
        if (count != signatures.length) {
            revert GeneralMeetingBatchLengthMismatch(count, signatures.length);
        }
        MeetingCore memory core = _openCore(meetingId);
        uint256[] memory words = _loadTallies(meetingId, core.questionCount);
        Batch memory batch = Batch({
            separator: _domainSeparator(),
            meetingId: meetingId,
            recordBlock: core.recordBlock,
            questionCount: core.questionCount,
            register: _membership
        });
        for (uint256 i; i < count; ++i) {
            bytes4 reason = _tryCast(batch, words, ballots[i], signatures[i]);
            if (reason == bytes4(0)) {
                // Cannot overflow: at most `count` ballots.
                unchecked {
                    ++accepted;
                }
            } else {
                emit BallotRejected(meetingId, ballots[i].voter, reason);
            }
        }

        if (accepted != 0) _storeTallies(meetingId, words);
    }

    /*//////////////////////////////////////////////////////////////
                          RESULTS AND EXECUTION
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IGeneralMeeting
    function close(uint256 meetingId) external {
        Meeting storage m = _meetings[meetingId];
        MeetingCore memory core = m.core;
        if (core.status == Status.None) revert GeneralMeetingUnknownMeeting(meetingId);
        if (core.status != Status.Convened || block.timestamp < core.closesAt) {
            revert GeneralMeetingUnexpectedState(meetingId, _state(core));
        }
        uint256 eligible = m.result.eligible;
        uint256 participants = _participants(meetingId);
        bool quorum = participants * _BPS > eligible * core.quorumBps;
        uint32 accepted;
        if (quorum) {
            uint256 majorities = m.agenda.majorities;
            for (uint256 i; i < core.questionCount; ++i) {
                (uint256 forVotes,) = _tallyOf(meetingId, i);
                if (_meetsMajority(forVotes, participants, (majorities >> (2 * i)) & 3)) {
                    accepted |= uint32(1 << i);
                }
            }
        }
        m.core.status = quorum ? Status.Held : Status.QuorumMissed;
        m.core.closedAt = uint40(block.timestamp);
        m.result.acceptedMask = accepted;
        emit MeetingClosed(meetingId, quorum, participants, eligible, accepted);
    }

    /// @inheritdoc IGeneralMeeting
    function signProtocol(uint256 meetingId, bytes32 protocolHash) external {
        if (protocolHash == bytes32(0)) revert GeneralMeetingZeroHash();
        Meeting storage m = _meetings[meetingId];
        MeetingCore memory core = m.core;
        if (core.status == Status.None) revert GeneralMeetingUnknownMeeting(meetingId);
        if (core.status == Status.Convened) {
            revert GeneralMeetingUnexpectedState(meetingId, _state(core));
        }
        uint8 role;
        if (msg.sender == m.result.secretary) role = _SECRETARY_SIGNED;
        else if (msg.sender == _chairOf(m.agenda.chair)) role = _CHAIR_SIGNED;
        if (role == 0 || core.flags & role != 0) {
            revert GeneralMeetingNotSigner(meetingId, msg.sender);
        }
        bytes32 signed = m.protocolHash;
        if (signed == bytes32(0)) {
            m.protocolHash = protocolHash;
        } else if (signed != protocolHash) {
            revert GeneralMeetingProtocolMismatch(signed, protocolHash);
        }
        m.core.flags = core.flags | role;
        emit MeetingProtocolSigned(meetingId, msg.sender, protocolHash);
    }

    /// @inheritdoc IGeneralMeeting
    function execute(
        uint256 meetingId,
        uint8 index,
        address[] calldata targets,
        bytes[] calldata calldatas
    ) external {
        Meeting storage m = _meetings[meetingId];
        MeetingCore memory core = m.core;
        if (core.status == Status.None) revert GeneralMeetingUnknownMeeting(meetingId);
        if (core.status != Status.Held) {
            revert GeneralMeetingUnexpectedState(meetingId, _state(core));
        }
        uint8 missing = (_SECRETARY_SIGNED | _CHAIR_SIGNED) & ~core.flags;
        if (missing != 0 && block.timestamp < uint256(core.closedAt) + signingPeriod()) {
            revert GeneralMeetingProtocolNotSigned(meetingId);
        }
        if (index >= core.questionCount) revert GeneralMeetingUnknownQuestion(meetingId, index);
        MeetingResult memory result = m.result;
        uint32 bit = uint32(1) << index;
        if (result.acceptedMask & bit == 0) {
            revert GeneralMeetingQuestionNotAccepted(meetingId, index);
        }
        if (result.executedMask & bit != 0) revert GeneralMeetingAlreadyExecuted(meetingId, index);
        if (targets.length != calldatas.length) {
            revert GeneralMeetingInvalidActions(targets.length, calldatas.length);
        }
        bytes32 expected = targets.length == 0 ? bytes32(0) : _hashActions(targets, calldatas);
        if (expected != _questionActions[meetingId][index]) {
            revert GeneralMeetingActionsNotOnAgenda(meetingId, index);
        }

        m.result.executedMask = result.executedMask | bit;
        if (missing != 0) emit MeetingProtocolSignatureMissing(meetingId, missing);
        ICouncil council_ = _council;
        uint8 majority = uint8((m.agenda.majorities >> (2 * index)) & 3);
        for (uint256 i; i < targets.length; ++i) {
            address target = targets[i];
            if (target == address(this) || target == address(council_)) {
                // This contract's parameters, or the council's composition and expiry: the
                // callee accepts the call because it comes from the meeting.
                Address.functionCall(target, calldatas[i]);
            } else {
                council_.executeMeetingDecision(target, calldatas[i], majority);
            }
        }
        emit QuestionExecuted(meetingId, index, msg.sender);
    }

    /// @inheritdoc IGeneralMeeting
    function setParameters(uint32 noticePeriod_, uint16[] calldata quorumSchedule_) external {
        _onlyOwnDecision();
        _setParameters(noticePeriod_, quorumSchedule_);
    }

    /// @inheritdoc IGeneralMeeting
    function setSigningPeriod(uint32 signingPeriod_) external {
        _onlyOwnDecision();
        if (signingPeriod_ < _MIN_SIGNING_PERIOD || signingPeriod_ > _MAX_SIGNING_PERIOD) {
            revert GeneralMeetingInvalidSigningPeriod(signingPeriod_);
        }
        _signingPeriod = signingPeriod_;
        emit GeneralMeetingSigningPeriodSet(signingPeriod_);
    }

    /// @inheritdoc IGeneralMeeting
    function setRegister(address register_, address proxies_) external {
        _onlyOwnDecision();
        if (register_ == address(0)) revert GeneralMeetingZeroAddress();
        _membership = IMembershipView(register_);
        _proxies = proxies_;
        emit GeneralMeetingRegisterSet(register_, proxies_);
    }

    /*//////////////////////////////////////////////////////////////
                                  VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IGeneralMeeting
    function signingPeriod() public view returns (uint32) {
        uint32 period = _signingPeriod;
        return period == 0 ? _DEFAULT_SIGNING_PERIOD : period;
    }

    /// @inheritdoc IGeneralMeeting
    function demandThresholdBps() public view returns (uint16) {
        uint16 bps = _demandBps;
        return bps == 0 ? _DEFAULT_DEMAND_BPS : bps;
    }

    /// @inheritdoc IGeneralMeeting
    function demandPeriod() public view returns (uint32) {
        uint32 period = _demandPeriod;
        return period == 0 ? _DEFAULT_DEMAND_PERIOD : period;
    }

    /// @inheritdoc IGeneralMeeting
    function demand(bytes32 agendaHash_) external view returns (DemandInfo memory info) {
        Demand memory d = _demands[agendaHash_];
        info = DemandInfo({
            recordBlock: d.recordBlock,
            eligible: d.eligible,
            count: d.count,
            reachedAt: d.reachedAt,
            satisfied: d.satisfied,
            councilDueBy: d.reachedAt == 0 ? 0 : uint256(d.reachedAt) + demandPeriod()
        });
    }

    /// @inheritdoc IGeneralMeeting
    function hasDemanded(bytes32 agendaHash_, address member) external view returns (bool) {
        uint256 index = _membership.voterIndexAt(member, _demands[agendaHash_].recordBlock);
        return index != 0 && _isDemander(agendaHash_, index);
    }

    /// @inheritdoc IGeneralMeeting
    function agendaHash(Question[] calldata questions) external pure returns (bytes32) {
        return _agendaHash(questions);
    }

    /// @inheritdoc IGeneralMeeting
    function demandDigest(bytes32 agendaHash_, address member) external view returns (bytes32) {
        return MessageHashUtils.toTypedDataHash(
            _domainSeparator(), keccak256(abi.encode(_DEMAND_TYPEHASH, agendaHash_, member))
        );
    }

    /// @inheritdoc IGeneralMeeting
    function closedAt(uint256 meetingId) external view returns (uint40) {
        return _meetings[meetingId].core.closedAt;
    }

    /// @inheritdoc IGeneralMeeting
    function meeting(uint256 meetingId) external view returns (MeetingInfo memory info) {
        Meeting storage m = _meetings[meetingId];
        MeetingCore memory core = m.core;
        MeetingResult memory result = m.result;
        info = MeetingInfo({
            state: _state(core),
            attempt: core.attempt,
            questionCount: core.questionCount,
            quorumBps: core.quorumBps,
            opensAt: core.opensAt,
            closesAt: core.closesAt,
            recordBlock: core.recordBlock,
            participants: uint32(_participants(meetingId)),
            eligible: result.eligible,
            acceptedMask: result.acceptedMask,
            executedMask: result.executedMask,
            secretary: result.secretary,
            chair: m.agenda.chair,
            secretarySigned: core.flags & _SECRETARY_SIGNED != 0,
            chairSigned: core.flags & _CHAIR_SIGNED != 0,
            protocolHash: m.protocolHash,
            previousMeetingId: m.previousMeetingId
        });
    }

    /// @inheritdoc IGeneralMeeting
    function state(uint256 meetingId) external view returns (MeetingState) {
        return _state(_meetings[meetingId].core);
    }

    /// @inheritdoc IGeneralMeeting
    function question(uint256 meetingId, uint256 index)
        external
        view
        returns (QuestionInfo memory info)
    {
        Meeting storage m = _meetings[meetingId];
        uint256 participants = _participants(meetingId);
        if (index >= m.core.questionCount) revert GeneralMeetingUnknownQuestion(meetingId, index);
        (uint256 forVotes, uint256 againstVotes) = _tallyOf(meetingId, index);
        info = QuestionInfo({
            documentHash: _questionDocs[meetingId][index],
            majority: Majority((m.agenda.majorities >> (2 * index)) & 3),
            actionsHash: _questionActions[meetingId][index],
            forVotes: forVotes,
            againstVotes: againstVotes,
            abstainVotes: participants - forVotes - againstVotes
        });
    }

    /// @inheritdoc IGeneralMeeting
    /// @dev By the index `voter` votes with at the record block, or else the index it holds
    /// now (a recovered membership's new address).
    function hasVoted(uint256 meetingId, address voter) external view returns (bool) {
        uint256 index = _membership.voterIndexAt(voter, _meetings[meetingId].core.recordBlock);
        if (index == 0) index = _membership.memberIndexOf(voter);
        return index != 0 && _indexVoted(meetingId, index);
    }

    /// @inheritdoc IGeneralMeeting
    function hasIndexVoted(uint256 meetingId, uint256 memberIndex) external view returns (bool) {
        return memberIndex != 0 && _indexVoted(meetingId, memberIndex);
    }

    /// @inheritdoc IGeneralMeeting
    function meetingCount() external view returns (uint256) {
        return _meetingCount;
    }

    /// @inheritdoc IGeneralMeeting
    function noticePeriod() external view returns (uint32) {
        return _noticePeriod;
    }

    /// @inheritdoc IGeneralMeeting
    function quorumSchedule() external view returns (uint16[] memory) {
        return _quorumSchedule;
    }

    /// @inheritdoc IGeneralMeeting
    function ballotDigest(uint256 meetingId, address voter, uint8[] calldata choices)
        external
        view
        returns (bytes32)
    {
        return _ballotDigest(_domainSeparator(), meetingId, voter, choices);
    }

    /// @inheritdoc IGeneralMeeting
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparator();
    }

    /// @inheritdoc IERC5267
    function eip712Domain()
        external
        view
        returns (
            bytes1 fields,
            string memory name,
            string memory version,
            uint256 chainId,
            address verifyingContract,
            bytes32 salt,
            uint256[] memory extensions
        )
    {
        return (
            hex"0f", // name, version, chainId, verifyingContract
            _DOMAIN_NAME,
            _DOMAIN_VERSION,
            block.chainid,
            address(this),
            bytes32(0),
            new uint256[](0)
        );
    }

    /// @inheritdoc IGeneralMeeting
    function charter() external view returns (address) {
        return address(_charter);
    }

    /// @inheritdoc IGeneralMeeting
    function membership() external view returns (address) {
        return address(_membership);
    }

    /// @inheritdoc IGeneralMeeting
    function council() external view returns (address) {
        return address(_council);
    }

    /// @inheritdoc IGeneralMeeting
    function proxies() external view returns (address) {
        return _proxies;
    }

    /// @inheritdoc IGeneralMeeting
    function hashActions(address[] calldata targets, bytes[] calldata calldatas)
        external
        pure
        returns (bytes32)
    {
        if (targets.length == 0 && calldatas.length == 0) return bytes32(0);
        return _hashActions(targets, calldatas);
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNALS
    //////////////////////////////////////////////////////////////*/

    /// @dev Only this meeting's accepted question; never in a branch meeting (its "council" is
    /// its register, `Branches`), whose parameters are the charter's, set by `Branches`.
    function _onlyOwnDecision() private view {
        if (msg.sender != address(this) || address(_council) == address(_membership)) {
            revert GeneralMeetingNotMeetingDecision(msg.sender);
        }
    }

    function _onlyCouncil() private view {
        if (msg.sender != address(_council)) revert GeneralMeetingNotCouncil(msg.sender);
    }

    function _setParameters(uint32 noticePeriod_, uint16[] calldata schedule) private {
        if (schedule.length == 0) revert GeneralMeetingInvalidQuorumSchedule();
        for (uint256 i; i < schedule.length; ++i) {
            // A threshold of 100% could never be exceeded.
            if (schedule[i] >= _BPS) revert GeneralMeetingInvalidQuorumSchedule();
        }
        _noticePeriod = noticePeriod_;
        _quorumSchedule = schedule;
        emit GeneralMeetingParametersSet(noticePeriod_, schedule);
    }

    /// @dev Validates the schedule and the signers, stores a new meeting's core, result and
    /// chair, and marks its tally words.
    function _open(
        uint256 previousMeetingId,
        uint256 attempt,
        uint256 questionCount,
        uint40 opensAt,
        uint40 closesAt,
        address secretary,
        address chair
    ) private returns (uint256 meetingId) {
        {
            uint256 earliest = block.timestamp + _noticePeriod;
            if (opensAt < earliest || closesAt <= opensAt) {
                revert GeneralMeetingInvalidSchedule(opensAt, closesAt, earliest);
            }
        }
        if (secretary == address(0)) revert GeneralMeetingZeroAddress();
        if (secretary == _chairOf(chair)) revert GeneralMeetingSecretaryIsChair(secretary);
        (uint48 recordBlock, uint32 eligible) = _register(previousMeetingId);

        // Cannot overflow: one id per transaction, 2**64 transactions are out of reach.
        unchecked {
            meetingId = ++_meetingCount;
        }
        Meeting storage m = _meetings[meetingId];
        m.core = MeetingCore({
            opensAt: opensAt,
            closesAt: closesAt,
            recordBlock: recordBlock,
            quorumBps: _quorumAt(attempt),
            attempt: uint8(attempt),
            questionCount: uint8(questionCount),
            status: Status.Convened,
            flags: 0,
            closedAt: 0
        });
        m.result.secretary = secretary;
        m.result.eligible = eligible;
        if (chair != address(0)) m.agenda.chair = chair;
        if (previousMeetingId != 0) m.previousMeetingId = previousMeetingId;
        uint256 words = (questionCount + _LANES - 1) / _LANES;
        for (uint256 w; w < words; ++w) {
            _tallies[meetingId][w] = _MARKER;
        }
        words = _membership.memberIndexCount() / _VOTERS_PER_WORD + 1;
        if (words > _MAX_MARKED_WORDS) words = _MAX_MARKED_WORDS;
        for (uint256 w; w < words; ++w) {
            _voted[meetingId][w] = _MARKER;
        }
        _announce(meetingId, previousMeetingId, chair);
    }

    /// @dev Who votes: the members of the convening block, or the first convocation's register
    /// when reconvening (the convener never chooses it).
    function _register(uint256 previousMeetingId)
        private
        view
        returns (uint48 recordBlock, uint32 eligible)
    {
        if (previousMeetingId == 0) {
            uint256 count = _membership.activeMemberCount();
            return (
                uint48(block.number),
                count > type(uint32).max ? type(uint32).max : uint32(count)
            );
        }
        Meeting storage prev = _meetings[previousMeetingId];
        return (prev.core.recordBlock, prev.result.eligible);
    }

    function _quorumAt(uint256 attempt) private view returns (uint16) {
        uint256 scheduleLength = _quorumSchedule.length;
        return _quorumSchedule[attempt < scheduleLength ? attempt : scheduleLength - 1];
    }

    /// @dev `MeetingConvened` from what `_open` stored (a function of its own: the stack).
    function _announce(uint256 meetingId, uint256 previousMeetingId, address chair) private {
        Meeting storage m = _meetings[meetingId];
        MeetingCore memory core = m.core;
        emit MeetingConvened(
            meetingId,
            previousMeetingId,
            core.attempt,
            core.opensAt,
            core.closesAt,
            core.recordBlock,
            m.result.eligible,
            core.quorumBps,
            m.result.secretary,
            chair
        );
    }

    /// @dev The least majority the question's actions need: the highest any target reserves
    /// for its call. This contract's and the council's own functions are the meeting's anyway
    /// (its parameters, the council's composition): a simple majority, except `setRegister`
    /// (a meeting of delegates instead of all members), a charter matter: 3/4.
    function _leastMajority(
        uint256 questionIndex,
        address[] calldata targets,
        bytes[] calldata calldatas
    ) private view returns (Majority least) {
        address council_ = address(_council);
        for (uint256 i; i < targets.length; ++i) {
            // A question calls the council directly only for its composition and expiry: a
            // hand-made `executeMeetingDecision` would name its own majority and skip this check.
            if (targets[i] == council_ && bytes4(calldatas[i]) == ICouncil.executeMeetingDecision.selector) {
                revert GeneralMeetingActionNotAllowed(questionIndex, i);
            }
            // Holding the general meeting as a meeting of delegates is a charter matter: 3/4.
            if (targets[i] == address(this) && bytes4(calldatas[i]) == this.setRegister.selector) {
                least = Majority.ThreeQuarters;
                continue;
            }
            (bool reserved, uint8 majority) = MeetingDecision.required(targets[i], calldatas[i]);
            if (reserved && majority > uint8(least)) least = Majority(majority);
        }
    }

    function _chairOf(address meetingChair) private view returns (address) {
        return meetingChair != address(0) ? meetingChair : _charter.chair();
    }

    /// @dev The core of a meeting that takes ballots now; reverts otherwise.
    function _openCore(uint256 meetingId) private view returns (MeetingCore memory core) {
        core = _meetings[meetingId].core;
        if (core.status == Status.None) revert GeneralMeetingUnknownMeeting(meetingId);
        if (
            core.status != Status.Convened || block.timestamp < core.opensAt
                || block.timestamp >= core.closesAt
        ) {
            revert GeneralMeetingNotOpen(meetingId, core.opensAt, core.closesAt);
        }
    }

    /// @dev Counts one ballot whose signature (if any) was checked; reverts on any problem.
    function _castOne(uint256 meetingId, address voter, uint8[] calldata choices, bool bySig)
        private
    {
        MeetingCore memory core = _openCore(meetingId);
        (uint256 packed, bool ok) = _pack(choices, core.questionCount);
        if (!ok) revert GeneralMeetingInvalidChoices(meetingId);
        uint256 index = _membership.voterIndexAt(voter, core.recordBlock);
        if (index == 0) revert GeneralMeetingNotVoter(meetingId, voter);
        if (!_markVoted(meetingId, index)) revert GeneralMeetingAlreadyVoted(meetingId, voter);
        uint256[] memory words = _loadTallies(meetingId, core.questionCount);
        _addToTally(words, packed, core.questionCount);
        _storeTallies(meetingId, words);
        emit BallotCast(meetingId, voter, packed, bySig);
    }

    /// @dev Counts one signed ballot of a batch into `words`; returns the selector of the error
    /// that rejects it, or zero when it was counted.
    function _tryCast(
        Batch memory batch,
        uint256[] memory words,
        SignedBallot calldata ballot,
        bytes calldata signature
    ) private returns (bytes4) {
        address voter = ballot.voter;
        (uint256 packed, bool ok) = _pack(ballot.choices, batch.questionCount);
        if (!ok) return GeneralMeetingInvalidChoices.selector;
        bytes32 digest = _ballotDigest(batch.separator, batch.meetingId, voter, ballot.choices);
        if (!_validSignature(voter, digest, signature)) {
            return GeneralMeetingInvalidSignature.selector;
        }
        uint256 index = batch.register.voterIndexAt(voter, batch.recordBlock);
        if (index == 0) return GeneralMeetingNotVoter.selector;
        if (!_markVoted(batch.meetingId, index)) return GeneralMeetingAlreadyVoted.selector;
        _addToTally(words, packed, batch.questionCount);
        emit BallotCast(batch.meetingId, voter, packed, true);
        return bytes4(0);
    }

    /// @dev Sets member `index`'s has-voted bit of the meeting; false if it was already set.
    function _markVoted(uint256 meetingId, uint256 index) private returns (bool) {
        uint256 word = index / _VOTERS_PER_WORD;
        uint256 bit = 1 << (index % _VOTERS_PER_WORD);
        uint256 bits = _voted[meetingId][word];
        if (bits & bit != 0) return false;
        _voted[meetingId][word] = bits | bit;
        return true;
    }

    function _indexVoted(uint256 meetingId, uint256 index) private view returns (bool) {
        return _voted[meetingId][index / _VOTERS_PER_WORD] & (1 << (index % _VOTERS_PER_WORD))
            != 0;
    }

    /// @dev Packs the choices two bits each; `ok` is false unless there is exactly one valid
    /// choice per question.
    function _pack(uint8[] calldata choices, uint256 questionCount)
        private
        pure
        returns (uint256 packed, bool ok)
    {
        if (choices.length != questionCount) return (0, false);
        for (uint256 i; i < questionCount; ++i) {
            uint256 c = choices[i];
            if (c > uint8(Choice.Abstain)) return (0, false);
            packed |= c << (2 * i);
        }
        return (packed, true);
    }

    function _loadTallies(uint256 meetingId, uint256 questionCount)
        private
        view
        returns (uint256[] memory words)
    {
        uint256 n = (questionCount + _LANES - 1) / _LANES;
        words = new uint256[](n);
        for (uint256 w; w < n; ++w) {
            words[w] = _tallies[meetingId][w];
        }
    }

    function _storeTallies(uint256 meetingId, uint256[] memory words) private {
        for (uint256 w; w < words.length; ++w) {
            _tallies[meetingId][w] = words[w];
        }
    }

    /// @dev Adds one ballot (a participant, its votes for and against) to the words in memory.
    function _addToTally(uint256[] memory words, uint256 packed, uint256 questionCount)
        private
        pure
    {
        // Cannot overflow: a 32-bit counter never exceeds the number of members of one register
        // (Membership counts them in far fewer than 2**32 admissions), and i < 32 keeps the
        // shifts below 256.
        unchecked {
            words[0] += 1;
        }
        for (uint256 i; i < questionCount; ++i) {
            uint256 c = (packed >> (2 * i)) & 3;
            if (c == uint256(Choice.Abstain)) continue;
            unchecked {
                uint256 shift = _LANE_BASE + (i % _LANES) * _LANE_BITS;
                if (c == uint256(Choice.Against)) shift += _COUNT_BITS;
                words[i / _LANES] += 1 << shift;
            }
        }
    }

    function _tallyOf(uint256 meetingId, uint256 index)
        private
        view
        returns (uint256 forVotes, uint256 againstVotes)
    {
        uint256 word = _tallies[meetingId][index / _LANES];
        uint256 shift = _LANE_BASE + (index % _LANES) * _LANE_BITS;
        forVotes = (word >> shift) & _COUNT_MASK;
        againstVotes = (word >> (shift + _COUNT_BITS)) & _COUNT_MASK;
    }

    function _participants(uint256 meetingId) private view returns (uint256) {
        return _tallies[meetingId][0] & _COUNT_MASK;
    }

    /// @dev Simple: more than half of those voting; qualified: at least 2/3 or 3/4 of them.
    function _meetsMajority(uint256 forVotes, uint256 participants, uint256 majority)
        private
        pure
        returns (bool)
    {
        if (participants == 0) return false;
        if (majority == uint256(Majority.Simple)) return forVotes * 2 > participants;
        if (majority == uint256(Majority.TwoThirds)) return forVotes * 3 >= participants * 2;
        return forVotes * 4 >= participants * 3;
    }

    function _state(MeetingCore memory core) private view returns (MeetingState) {
        Status s = core.status;
        if (s == Status.None) return MeetingState.None;
        if (s == Status.Convened) {
            if (block.timestamp < core.opensAt) return MeetingState.Scheduled;
            if (block.timestamp < core.closesAt) return MeetingState.Open;
            return MeetingState.Ended;
        }
        if (s == Status.QuorumMissed) return MeetingState.QuorumMissed;
        if (s == Status.Held) return MeetingState.Held;
        return MeetingState.Reconvened;
    }

    /// @dev An ECDSA signature by `voter`, or an ERC-1271 approval when `voter` is a contract
    /// (a member cooperative voting through its representative's wallet). The code-size check
    /// is paid only when ECDSA recovery does not yield the voter.
    function _validSignature(address voter, bytes32 digest, bytes calldata signature)
        private
        view
        returns (bool)
    {
        return BoundedSignatureChecker.isValidSignatureNow(voter, digest, signature, _ERC1271_GAS);
    }

    function _domainSeparator() private view returns (bytes32) {
        return keccak256(
            abi.encode(
                _DOMAIN_TYPEHASH,
                _DOMAIN_NAME_HASH,
                _DOMAIN_VERSION_HASH,
                block.chainid,
                address(this)
            )
        );
    }

    function _ballotDigest(
        bytes32 separator,
        uint256 meetingId,
        address voter,
        uint8[] calldata choices
    ) private pure returns (bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(_BALLOT_TYPEHASH, meetingId, voter, keccak256(abi.encodePacked(choices)))
        );
        return MessageHashUtils.toTypedDataHash(separator, structHash);
    }

    function _hashActions(address[] calldata targets, bytes[] calldata calldatas)
        private
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(targets, calldatas));
    }

    /// @dev What members demand: the agenda itself (questions, majorities, actions).
    function _agendaHash(Question[] calldata questions) private pure returns (bytes32) {
        return keccak256(abi.encode(questions));
    }
}
