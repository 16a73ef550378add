// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ICharter} from "./interfaces/ICharter.sol";
import {IMembership} from "./interfaces/IMembership.sol";
import {IMembershipView} from "./interfaces/IMembershipView.sol";
import {IMeetingReserved} from "./interfaces/IMeetingReserved.sol";
import {IObligationSource} from "./interfaces/IObligationSource.sol";
import {IShares} from "./interfaces/IShares.sol";
import {ITreasury} from "./interfaces/ITreasury.sol";
import {CloneArgs} from "./libraries/CloneArgs.sol";
import {CloneEIP712Domain} from "./libraries/CloneEIP712Domain.sol";
import {MeetingDecision} from "./libraries/MeetingDecision.sol";
import {PackedHistory} from "./libraries/PackedHistory.sol";

/// @title Membership
/// @notice A cooperative's membership register; see {IMembership}.
/// @dev Runs as an EIP-1167 clone whose immutable arguments are `charter, shares, treasury`
/// (20 bytes each). Whether an account is an active member, and how many are, is checkpointed
/// by block number ({PackedHistory}: several entries to a slot, so that a member's whole history
/// of admission and exit is typically one slot) for record-date votes.
///
/// Each account's record is one storage slot (`Record`: the public {MemberRecord} fields, 20
/// bytes, and the 4-byte member index), so the dense index that governance keys its has-voted
/// bitmaps by costs no slot of its own. The index counter is set at initialisation, so that the
/// first application pays no fresh slot for it.
contract Membership is IMembership, IMeetingReserved, Initializable, CloneEIP712Domain {
    using PackedHistory for PackedHistory.History;

    /*//////////////////////////////////////////////////////////////
                               CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @notice EIP-712 type of a signed application.
    bytes32 public constant APPLICATION_TYPEHASH = keccak256(
        "Application(address applicant,uint8 kind,bytes32 identityHash,bytes32 applicationHash,"
        "uint256 nonce,uint256 deadline)"
    );


    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev {MemberRecord} plus the member index, packed in one slot (24 of 32 bytes).
    struct Record {
        MemberStatus status;
        ICharter.MemberKind kind;
        MemberStatus blockedFrom;
        bool identityVerified;
        bool feesPaid;
        uint32 nonce;
        uint48 appliedAt;
        uint48 admittedAt;
        /// @dev Assigned at the account's first application, never changed for this address;
        /// moved along by key recovery (the former address keeps a copy, with status `None`,
        /// so that it can neither apply again nor receive another membership).
        uint32 index;
    }

    /// @dev A registered obligation source and whether it caches membership status (asked once,
    /// at registration): only those are told of deactivations. One slot.
    struct Source {
        address account;
        bool cachesStatus;
    }

    mapping(address account => Record) private _members;
    mapping(address account => Dossier) private _dossiers;
    /// @dev Per account: its member index (never zero) from the block it became active, 0 from
    /// the block it stopped; so one lookup answers both "was it active" and "with which index".
    mapping(address account => PackedHistory.History) private _activeHistory;
    PackedHistory.History private _activeCount;
    Source[] private _obligationSources;
    /// @dev The member index the next first-time application gets (indices start at 1).
    uint32 private _nextIndex;

    /*//////////////////////////////////////////////////////////////
                               MODIFIERS
    //////////////////////////////////////////////////////////////*/

    modifier onlyDecisionExecutor() {
        if (msg.sender != ICharter(_charter()).decisionExecutor()) {
            revert MembershipNotDecisionExecutor(msg.sender);
        }
        _;
    }

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    constructor() CloneEIP712Domain("Coopnode Membership", "1") {
        _disableInitializers();
    }

    /// @inheritdoc IMembership
    function initialize(address[] calldata sources) external initializer {
        _nextIndex = 1;
        for (uint256 i = 0; i < sources.length; ++i) {
            _addObligationSource(sources[i]);
        }
    }

    /// @inheritdoc IMembership
    function applyToJoin(ICharter.MemberKind kind, bytes32 identityHash, bytes32 applicationHash)
        external
    {
        _apply(msg.sender, kind, identityHash, applicationHash);
    }

    /// @inheritdoc IMembership
    function applyToJoinWithSig(
        address applicant,
        ICharter.MemberKind kind,
        bytes32 identityHash,
        bytes32 applicationHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        if (block.timestamp > deadline) revert MembershipSignatureExpired(deadline);
        uint256 expected = _members[applicant].nonce;
        if (nonce != expected) revert MembershipInvalidNonce(applicant, expected);
        bytes32 digest = _hashTypedData(
            keccak256(
                abi.encode(
                    APPLICATION_TYPEHASH,
                    applicant,
                    uint8(kind),
                    identityHash,
                    applicationHash,
                    nonce,
                    deadline
                )
            )
        );
        if (!_isValidSignature(applicant, digest, signature)) {
            revert MembershipInvalidSignature(applicant);
        }
        _apply(applicant, kind, identityHash, applicationHash);
    }

    /// @inheritdoc IMembership
    function attestIdentity(address account, bytes32 checkRecord) external {
        if (!ICharter(_charter()).isVerifier(msg.sender)) revert MembershipNotVerifier(msg.sender);
        if (checkRecord == bytes32(0)) revert MembershipZeroHash();
        Record storage record = _members[account];
        _requireStatus(account, record.status, MemberStatus.Applicant);
        if (record.identityVerified) revert MembershipIdentityAlreadyVerified(account);
        record.identityVerified = true;
        _dossiers[account].identityCheck = checkRecord;
        emit IdentityAttested(account, msg.sender, checkRecord);
    }

    /// @inheritdoc IMembership
    function payFees(address account) external {
        ICharter.Fees memory due = _markFeesPaid(account);
        ITreasury(CloneArgs.addressAt(40)).collect(msg.sender, due.entranceFee, due.minimumShare);
        IShares(CloneArgs.addressAt(20)).creditEntry(
            account, due.entranceFee, due.minimumShare, false
        );
        emit FeesPaid(account, msg.sender, due.entranceFee, due.minimumShare);
    }

    /// @inheritdoc IMembership
    function attestPayment(address account, bytes32 paymentDocument) external {
        if (!ICharter(_charter()).isCashier(msg.sender)) revert MembershipNotCashier(msg.sender);
        if (paymentDocument == bytes32(0)) revert MembershipZeroHash();
        ICharter.Fees memory due = _markFeesPaid(account);
        IShares(CloneArgs.addressAt(20)).creditEntry(
            account, due.entranceFee, due.minimumShare, true
        );
        emit PaymentAttested(
            account, msg.sender, paymentDocument, due.entranceFee, due.minimumShare
        );
    }

    /// @inheritdoc IMembership
    function admit(address account, bytes32 decision) external onlyDecisionExecutor {
        if (decision == bytes32(0)) revert MembershipZeroHash();
        Record storage record = _members[account];
        _requireStatus(account, record.status, MemberStatus.Applicant);
        if (!record.identityVerified) revert MembershipIdentityNotVerified(account);
        if (!record.feesPaid) revert MembershipFeesUnpaid(account);
        record.status = MemberStatus.Member;
        record.admittedAt = uint48(block.timestamp);
        _setActive(account, record.index);
        emit MemberAdmitted(account, decision);
    }

    /// @inheritdoc IMembership
    function requestExit(bytes32 applicationHash) external {
        if (applicationHash == bytes32(0)) revert MembershipZeroHash();
        Record storage record = _members[msg.sender];
        _requireStatus(msg.sender, record.status, MemberStatus.Member);
        _requireNoObligations(msg.sender);
        record.status = MemberStatus.Exiting;
        _setActive(msg.sender, 0);
        emit ExitRequested(msg.sender, applicationHash);
        _notifyDeactivated(msg.sender);
    }

    /// @inheritdoc IMembership
    function exit(address account, bytes32 decision) external onlyDecisionExecutor {
        if (decision == bytes32(0)) revert MembershipZeroHash();
        Record storage record = _members[account];
        MemberStatus status = record.status;
        if (status == MemberStatus.None || status == MemberStatus.Exited) {
            revert MembershipWrongStatus(account, status);
        }
        _requireNoObligations(account);
        bool paid = record.feesPaid;
        record.status = MemberStatus.Exited;
        record.blockedFrom = MemberStatus.None;
        record.identityVerified = false;
        record.feesPaid = false;
        if (status == MemberStatus.Member) _setActive(account, 0);
        emit MemberExited(account, decision);
        // Every exit is pushed, not only an active member's: a source settles what the leaver
        // still holds there (the ВРЕ forfeits a positive balance to the treasury's account).
        _notifyDeactivated(account);
        if (paid) IShares(CloneArgs.addressAt(20)).settle(account);
    }

    /// @inheritdoc IMembership
    function blockMember(address account, bytes32 decision) external onlyDecisionExecutor {
        if (decision == bytes32(0)) revert MembershipZeroHash();
        Record storage record = _members[account];
        MemberStatus status = record.status;
        if (
            status != MemberStatus.Applicant && status != MemberStatus.Member
                && status != MemberStatus.Exiting
        ) revert MembershipWrongStatus(account, status);
        record.blockedFrom = status;
        record.status = MemberStatus.Blocked;
        if (status == MemberStatus.Member) _setActive(account, 0);
        emit MemberBlocked(account, decision);
        if (status == MemberStatus.Member) _notifyDeactivated(account);
    }

    /// @inheritdoc IMembership
    function unblockMember(address account, bytes32 decision) external onlyDecisionExecutor {
        if (decision == bytes32(0)) revert MembershipZeroHash();
        Record storage record = _members[account];
        _requireStatus(account, record.status, MemberStatus.Blocked);
        MemberStatus restored = record.blockedFrom;
        record.status = restored;
        record.blockedFrom = MemberStatus.None;
        if (restored == MemberStatus.Member) _setActive(account, record.index);
        emit MemberUnblocked(account, decision);
    }

    /// @inheritdoc IMembership
    function recoverMembership(address from, address to, bytes32 decision)
        external
        onlyDecisionExecutor
    {
        if (decision == bytes32(0)) revert MembershipZeroHash();
        if (to == address(0)) revert MembershipZeroAddress();
        Record memory moved = _members[from];
        if (moved.status == MemberStatus.None || moved.status == MemberStatus.Exited) {
            revert MembershipWrongStatus(from, moved.status);
        }
        Record storage target = _members[to];
        // An address that has or had a membership (an index) never receives another one: an
        // address's member index never changes, which keeps "one ballot per index" sound.
        if (target.status != MemberStatus.None || target.index != 0) {
            revert MembershipAccountInUse(to);
        }

        // The nonces stay with their addresses: they protect each address's own signatures.
        // The index moves with the membership; the former address keeps a copy (status None) by
        // which it is refused as an applicant or a recovery target from now on.
        uint32 fromNonce = moved.nonce;
        moved.nonce = target.nonce;
        _members[to] = moved;
        _members[from] = Record({
            status: MemberStatus.None,
            kind: ICharter.MemberKind.Individual,
            blockedFrom: MemberStatus.None,
            identityVerified: false,
            feesPaid: false,
            nonce: fromNonce,
            appliedAt: 0,
            admittedAt: 0,
            index: moved.index
        });
        _dossiers[to] = _dossiers[from];
        delete _dossiers[from];
        // The new address inherits the membership's past (its history is empty: it never held
        // an index), so that it votes in meetings whose register was fixed before the recovery.
        _activeHistory[from].copyInto(_activeHistory[to]);
        if (moved.status == MemberStatus.Member) {
            // The count stays: one member, new address.
            _activeHistory[from].push(SafeCast.toUint48(block.number), 0, 0);
        }
        emit MemberRecovered(from, to, decision);

        IShares(CloneArgs.addressAt(20)).rebind(from, to);
        uint256 count = _obligationSources.length;
        for (uint256 i = 0; i < count; ++i) {
            IObligationSource(_obligationSources[i].account).rebindMember(from, to);
        }
    }

    /// @inheritdoc IMeetingReserved
    function reservedMajority(bytes4 selector) external pure returns (bool, uint8) {
        if (selector == this.removeObligationSource.selector) return (true, 0);
        return (false, 0);
    }

    /// @inheritdoc IMembership
    function addObligationSource(address source) external onlyDecisionExecutor {
        _addObligationSource(source);
    }

    /// @inheritdoc IMembership
    /// @dev Only the general meeting: unhooking a source (the mutual-aid fund) would let a
    /// borrower leave with an open loan, and which funds exist is the meeting's to decide.
    function removeObligationSource(address source) external onlyDecisionExecutor {
        MeetingDecision.check(msg.sender, this.removeObligationSource.selector, 0);
        uint256 count = _obligationSources.length;
        for (uint256 i = 0; i < count; ++i) {
            if (_obligationSources[i].account == source) {
                _obligationSources[i] = _obligationSources[count - 1];
                _obligationSources.pop();
                emit ObligationSourceRemoved(source);
                // It hears of no deactivation from now on: it must stop trusting what it cached.
                IObligationSource(source).detached();
                return;
            }
        }
        revert MembershipUnknownObligationSource(source);
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IMembershipView
    function isActiveMember(address account) external view returns (bool) {
        return _members[account].status == MemberStatus.Member;
    }

    /// @inheritdoc IMembershipView
    /// @dev For a block that has not ended yet the answer is the state so far.
    function wasActiveMemberAt(address account, uint256 blockNumber) external view returns (bool) {
        return _activeHistory[account].upperLookupRecent(SafeCast.toUint48(blockNumber)) != 0;
    }

    /// @inheritdoc IMembershipView
    /// @dev For a block that has not ended yet the answer is the count so far.
    function activeMemberCountAt(uint256 blockNumber) external view returns (uint256) {
        return _activeCount.upperLookupRecent(SafeCast.toUint48(blockNumber));
    }

    /// @inheritdoc IMembershipView
    function activeMemberCount() external view returns (uint256) {
        return _activeCount.latest();
    }

    /// @inheritdoc IMembershipView
    function memberIndexOf(address account) external view returns (uint32) {
        Record storage record = _members[account];
        return record.status == MemberStatus.None ? 0 : record.index;
    }

    /// @inheritdoc IMembershipView
    function voterIndexAt(address account, uint256 blockNumber) external view returns (uint32) {
        // The checkpoint's value is the index itself (see `_activeHistory`).
        uint32 index =
            _activeHistory[account].upperLookupRecent(SafeCast.toUint48(blockNumber));
        // A former address (its membership recovered to another key) keeps its history but
        // holds nothing now: status None with an index.
        if (index != 0 && _members[account].status == MemberStatus.None) return 0;
        return index;
    }

    /// @inheritdoc IMembershipView
    function memberIndexCount() external view returns (uint256) {
        // Cannot underflow: set to 1 at initialisation, only ever increased.
        unchecked {
            return _nextIndex - 1;
        }
    }

    /// @inheritdoc IMembership
    function obligationSources() external view returns (address[] memory sources) {
        uint256 count = _obligationSources.length;
        sources = new address[](count);
        for (uint256 i = 0; i < count; ++i) {
            sources[i] = _obligationSources[i].account;
        }
    }

    /// @inheritdoc IMembership
    function memberOf(address account) external view returns (MemberRecord memory) {
        Record storage r = _members[account];
        return MemberRecord({
            status: r.status,
            kind: r.kind,
            blockedFrom: r.blockedFrom,
            identityVerified: r.identityVerified,
            feesPaid: r.feesPaid,
            nonce: r.nonce,
            appliedAt: r.appliedAt,
            admittedAt: r.admittedAt
        });
    }

    /// @inheritdoc IMembership
    function dossierOf(address account) external view returns (Dossier memory) {
        return _dossiers[account];
    }

    /// @inheritdoc IMembership
    function statusOf(address account) external view returns (MemberStatus) {
        return _members[account].status;
    }

    /// @inheritdoc IMembership
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparator();
    }

    /// @inheritdoc IMembership
    function charter() external view returns (address) {
        return _charter();
    }

    /*//////////////////////////////////////////////////////////////
                               INTERNALS
    //////////////////////////////////////////////////////////////*/

    function _charter() private view returns (address) {
        return CloneArgs.addressAt(0);
    }

    function _apply(
        address account,
        ICharter.MemberKind kind,
        bytes32 identityHash,
        bytes32 applicationHash
    ) private {
        if (identityHash == bytes32(0) || applicationHash == bytes32(0)) {
            revert MembershipZeroHash();
        }
        if (
            kind == ICharter.MemberKind.Individual
                && ICharter(_charter()).kind() == ICharter.CooperativeKind.Union
        ) revert MembershipKindNotAllowed(kind);
        Record storage record = _members[account];
        MemberStatus status = record.status;
        if (status != MemberStatus.None && status != MemberStatus.Exited) {
            revert MembershipDuplicateApplication(account, status);
        }
        uint32 index = record.index;
        if (index == 0) {
            // A first application: the next index. Checked: the 2**32-th one reverts.
            index = _nextIndex;
            _nextIndex = index + 1;
        } else if (status == MemberStatus.None) {
            // Status None with an index: key recovery moved this address's membership away.
            revert MembershipAddressRecovered(account);
        }
        uint32 nonce = record.nonce;
        // One storage write: every field of the record is set.
        _members[account] = Record({
            status: MemberStatus.Applicant,
            kind: kind,
            blockedFrom: MemberStatus.None,
            identityVerified: false,
            feesPaid: false,
            nonce: nonce + 1,
            appliedAt: uint48(block.timestamp),
            admittedAt: 0,
            index: index
        });
        Dossier storage dossier = _dossiers[account];
        dossier.identityHash = identityHash;
        dossier.applicationHash = applicationHash;
        if (status == MemberStatus.Exited) {
            // A fresh application after an exit: the old identity check does not carry over.
            delete dossier.identityCheck;
        }
        emit ApplicationSubmitted(account, kind, identityHash, applicationHash, nonce, msg.sender);
    }

    function _markFeesPaid(address account) private returns (ICharter.Fees memory due) {
        Record storage record = _members[account];
        _requireStatus(account, record.status, MemberStatus.Applicant);
        if (record.feesPaid) revert MembershipFeesAlreadyPaid(account);
        record.feesPaid = true;
        due = ICharter(_charter()).fees(record.kind);
    }

    /// @dev `index` is the account's member index to turn it active, zero to turn it inactive.
    function _setActive(address account, uint32 index) private {
        bool active = index != 0;
        uint48 blockNumber = SafeCast.toUint48(block.number);
        // The reserves make the pushes that end an activity find their words already written
        // (see {PackedHistory}): one entry ahead in the account's history when it turns active,
        // as many as there are active members in the count's.
        _activeHistory[account].push(blockNumber, index, active ? 1 : 0);
        uint32 count = _activeCount.latest();
        // Cannot overflow (fewer than 2**32 member indices) nor underflow (an account only turns
        // inactive after it was counted as active).
        unchecked {
            count = active ? count + 1 : count - 1;
        }
        _activeCount.push(blockNumber, count, count);
    }

    function _requireStatus(address account, MemberStatus actual, MemberStatus expected)
        private
        pure
    {
        if (actual != expected) revert MembershipWrongStatus(account, actual);
    }

    /// @dev Tells every obligation source that `account` has just stopped being an active
    /// member, so that none keeps trusting a cached "active" status (see {IObligationSource}).
    /// Only sources that cache status are called. Reactivation (admission, unblocking) is not
    /// pushed: sources ask lazily.
    function _notifyDeactivated(address account) private {
        uint256 count = _obligationSources.length;
        for (uint256 i = 0; i < count; ++i) {
            Source memory source = _obligationSources[i];
            if (source.cachesStatus) IObligationSource(source.account).memberDeactivated(account);
        }
    }

    function _requireNoObligations(address account) private view {
        uint256 count = _obligationSources.length;
        for (uint256 i = 0; i < count; ++i) {
            address source = _obligationSources[i].account;
            if (IObligationSource(source).hasOpenObligations(account)) {
                revert MembershipOpenObligations(account, source);
            }
        }
    }

    function _addObligationSource(address source) private {
        if (source == address(0)) revert MembershipZeroAddress();
        uint256 count = _obligationSources.length;
        for (uint256 i = 0; i < count; ++i) {
            if (_obligationSources[i].account == source) {
                revert MembershipObligationSourceExists(source);
            }
        }
        // Asked once: a source that caches no status is spared the deactivation calls.
        bool cachesStatus = IObligationSource(source).cachesMemberStatus();
        _obligationSources.push(Source({account: source, cachesStatus: cachesStatus}));
        emit ObligationSourceAdded(source);
    }
}
