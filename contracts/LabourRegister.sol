// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ICharter} from "./interfaces/ICharter.sol";
import {ILabourRegister} from "./interfaces/ILabourRegister.sol";
import {IMeetingReserved} from "./interfaces/IMeetingReserved.sol";
import {IMembershipView} from "./interfaces/IMembershipView.sol";
import {MeetingDecision} from "./libraries/MeetingDecision.sol";

/// @title LabourRegister
/// @notice The labour and results register of one cooperative; the rules are documented on
/// {ILabourRegister}.
/// @dev Deployed once as an implementation and used through EIP-1167 clones (no immutables).
///
/// Bounds: a valuation and a member's points fit 128 bits (`LabourRegisterAmountTooLarge`), so
/// a period's total does too as long as it stays below 2**128 (checked on every addition);
/// `surplus * points` is computed with `Math.mulDiv` (512-bit intermediate).
///
/// A period's points on one basis are a tally (total, participant count, closed flag) plus the
/// participants in order of first points; approving its distribution closes the tally, so the
/// facts a distribution divides by never change after the meeting's decision is applied.
contract LabourRegister is ILabourRegister, Initializable {
    using SafeERC20 for IERC20;

    /*//////////////////////////////////////////////////////////////
                                CONSTANTS
    //////////////////////////////////////////////////////////////*/

    bytes32 private constant _DISTRIBUTE_TYPEHASH = keccak256(
        "LabourRegister.distribute(uint32 period,uint8 basis,uint8 form,uint128 surplus,"
        "bytes32 document)"
    );
    uint256 private constant _MAX = type(uint128).max;

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev One slot: the total points, the participant count, whether the tally is closed.
    struct Tally {
        uint128 total;
        uint32 count;
        bool closed;
    }

    ICharter private _charter;
    bool private _ratesByMeeting;
    uint32 private _rateCount;
    IMembershipView private _membership;
    IERC20 private _token;
    uint256 private _recordCount;
    uint256 private _distributionCount;
    /// @dev Tokens owed to payouts: funded and not yet claimed.
    uint256 private _reserved;

    mapping(uint32 rateId => Rate) private _rates;
    mapping(address account => bool) private _approvers;
    mapping(uint256 recordId => WorkRecord) private _records;
    /// @dev Keyed by `_tallyKey(period, basis)`.
    mapping(uint256 tally => Tally) private _tallies;
    mapping(uint256 tally => mapping(address member => uint128)) private _points;
    mapping(uint256 tally => mapping(uint256 index => address)) private _participants;
    mapping(uint256 distributionId => Distribution) private _distributions;
    mapping(uint256 distributionId => mapping(address member => uint128)) private _parts;
    mapping(address member => uint256) private _claimable;
    /// @dev General-meeting questions already used, by `keccak256(meeting contract, id, index)`.
    mapping(bytes32 question => bool) private _usedDecisions;

    /*//////////////////////////////////////////////////////////////
                               MODIFIERS
    //////////////////////////////////////////////////////////////*/

    modifier onlyDecisionExecutor() {
        _requireExecutor();
        _;
    }

    /*//////////////////////////////////////////////////////////////
                               INITIALISER
    //////////////////////////////////////////////////////////////*/

    constructor() {
        _disableInitializers();
    }

    /// @inheritdoc ILabourRegister
    function initialize(address charter_, bool ratesByMeeting_) external initializer {
        if (charter_ == address(0)) revert LabourRegisterZeroAddress();
        address membership_ = ICharter(charter_).membership();
        address token_ = ICharter(charter_).paymentToken();
        if (membership_ == address(0) || token_ == address(0)) revert LabourRegisterZeroAddress();
        _charter = ICharter(charter_);
        _membership = IMembershipView(membership_);
        _token = IERC20(token_);
        _ratesByMeeting = ratesByMeeting_;
    }

    /*//////////////////////////////////////////////////////////////
                            RATES AND APPROVERS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ILabourRegister
    function setRate(uint32 rateId, uint128 price, Unit unit, bool active, bytes32 document)
        external
        onlyDecisionExecutor
        returns (uint32 id)
    {
        if (_ratesByMeeting) MeetingDecision.check(msg.sender, this.setRate.selector, 0);
        if (document == bytes32(0)) revert LabourRegisterZeroHash();
        if (price == 0) revert LabourRegisterZeroAmount();
        id = rateId;
        if (id == 0) {
            id = ++_rateCount;
        } else if (id > _rateCount) {
            revert LabourRegisterInactiveRate(id);
        }
        _rates[id] = Rate({price: price, unit: unit, active: active, document: document});
        emit RateSet(id, price, unit, active, document);
    }

    /// @inheritdoc ILabourRegister
    function setApprover(address account, bool appointed) external onlyDecisionExecutor {
        if (account == address(0)) revert LabourRegisterZeroAddress();
        _approvers[account] = appointed;
        emit ApproverSet(account, appointed);
    }

    /// @inheritdoc IMeetingReserved
    function reservedMajority(bytes4 selector) external view returns (bool reserved_, uint8) {
        return (_ratesByMeeting && selector == this.setRate.selector, 0);
    }

    /*//////////////////////////////////////////////////////////////
                                  WORK
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ILabourRegister
    function record(uint32 rateId, uint32 period, uint64 quantity, bytes32 task, bytes32 act)
        external
        returns (uint256 recordId)
    {
        if (task == bytes32(0) || act == bytes32(0)) revert LabourRegisterZeroHash();
        if (quantity == 0) revert LabourRegisterZeroAmount();
        _requireActiveMember(msg.sender);
        Rate memory r = _rates[rateId];
        if (!r.active) revert LabourRegisterInactiveRate(rateId);
        if (_tallies[_tallyKey(period, Basis.Labour)].closed) {
            revert LabourRegisterPeriodClosed(period, Basis.Labour);
        }
        uint256 value = r.unit == Unit.Hour
            ? Math.mulDiv(r.price, quantity, 100)
            : uint256(r.price) * quantity;
        if (value == 0) revert LabourRegisterZeroAmount();
        if (value > _MAX) revert LabourRegisterAmountTooLarge(value);
        recordId = ++_recordCount;
        _records[recordId] = WorkRecord({
            member: msg.sender,
            rateId: rateId,
            period: period,
            quantity: quantity,
            status: Status.Recorded,
            value: uint128(value),
            task: task,
            act: act
        });
        emit WorkRecorded(recordId, msg.sender, period, rateId, quantity, uint128(value), task, act);
    }

    /// @inheritdoc ILabourRegister
    function approve(uint256 recordId, Use use) external {
        WorkRecord storage w = _pendingRecord(recordId);
        if (use == Use.Points) {
            w.status = Status.Points;
            _addPoints(w.period, Basis.Labour, w.member, w.value);
        } else {
            w.status = Status.ApprovedForShares;
        }
        emit WorkApproved(recordId, msg.sender, use);
    }

    /// @inheritdoc ILabourRegister
    function reject(uint256 recordId, bytes32 reason) external {
        if (reason == bytes32(0)) revert LabourRegisterZeroHash();
        _pendingRecord(recordId).status = Status.Rejected;
        emit WorkRejected(recordId, msg.sender, reason);
    }

    /// @inheritdoc ILabourRegister
    function markContributed(uint256 recordId) external onlyDecisionExecutor {
        WorkRecord storage w = _records[recordId];
        if (w.status != Status.ApprovedForShares) {
            if (w.status == Status.None) revert LabourRegisterUnknownRecord(recordId);
            revert LabourRegisterUnexpectedStatus(recordId, w.status);
        }
        w.status = Status.Contributed;
        emit WorkContributed(recordId, w.member, w.value);
    }

    /// @inheritdoc ILabourRegister
    function recordPurchases(
        uint32 period,
        address[] calldata members,
        uint128[] calldata amounts,
        bytes32 document
    ) external onlyDecisionExecutor {
        uint256 n = members.length;
        if (n == 0 || n != amounts.length) revert LabourRegisterInvalidLists();
        if (document == bytes32(0)) revert LabourRegisterZeroHash();
        for (uint256 i; i < n; ++i) {
            if (amounts[i] == 0) revert LabourRegisterZeroAmount();
            _addPoints(period, Basis.Purchases, members[i], amounts[i]);
        }
        emit PurchasesRecorded(period, n, document);
    }

    /*//////////////////////////////////////////////////////////////
                              DISTRIBUTION
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ILabourRegister
    function approveDistribution(
        Terms calldata terms,
        bytes32 document,
        uint256 meetingId,
        uint8 questionIndex
    ) external returns (uint256 distributionId) {
        if (document == bytes32(0)) revert LabourRegisterZeroHash();
        if (terms.surplus == 0) revert LabourRegisterZeroAmount();
        Tally storage t = _tallies[_tallyKey(terms.period, terms.basis)];
        if (t.closed) revert LabourRegisterPeriodClosed(terms.period, terms.basis);
        if (t.total == 0) revert LabourRegisterNothingToDistribute(terms.period, terms.basis);
        _useMeetingDecision(meetingId, questionIndex, _commitment(terms, document));
        t.closed = true;
        distributionId = ++_distributionCount;
        Distribution storage d = _distributions[distributionId];
        d.terms = terms;
        d.totalPoints = t.total;
        d.participants = t.count;
        d.document = document;
        emit DistributionApproved(
            distributionId,
            terms.period,
            terms.basis,
            terms.form,
            terms.surplus,
            t.total,
            t.count,
            meetingId,
            questionIndex,
            document
        );
    }

    /// @inheritdoc ILabourRegister
    function fundDistribution(uint256 distributionId) external {
        Distribution storage d = _distribution(distributionId);
        if (d.funded || d.terms.form != Form.Payout) {
            revert LabourRegisterFundingNotExpected(distributionId);
        }
        uint256 amount = d.terms.surplus;
        uint256 balance = _token.balanceOf(address(this));
        uint256 reserved_ = _reserved;
        uint256 available = balance > reserved_ ? balance - reserved_ : 0;
        if (available < amount) revert LabourRegisterInsufficientFunds(amount, available);
        d.funded = true;
        _reserved = reserved_ + amount;
        emit DistributionFunded(distributionId, uint128(amount));
    }

    /// @inheritdoc ILabourRegister
    /// @dev Each participant is credited once: the cursor only moves forward, and the call
    /// credits the participants between the old and the new cursor.
    function creditBatch(uint256 distributionId, uint256 count)
        external
        returns (uint256 credited)
    {
        Distribution storage d = _distribution(distributionId);
        bool payout = d.terms.form == Form.Payout;
        if (payout) {
            if (!d.funded) revert LabourRegisterNotFunded(distributionId);
        } else {
            _requireExecutor();
        }
        uint256 cursor = d.cursor;
        uint256 n = d.participants;
        if (cursor == n) revert LabourRegisterDistributionComplete(distributionId);
        if (count == 0) revert LabourRegisterZeroAmount();
        uint256 end = cursor + Math.min(count, n - cursor);
        uint256 sum = _creditRange(distributionId, d, cursor, end, payout);
        // Cannot truncate: `end <= n` (32 bits) and `sum <= surplus` (128 bits).
        d.cursor = uint32(end);
        d.credited = uint128(sum);
        credited = end - cursor;
        if (end == n) emit DistributionCompleted(distributionId, uint128(sum));
    }

    /// @inheritdoc ILabourRegister
    function claim() external {
        uint256 amount = _claimable[msg.sender];
        if (amount == 0) revert LabourRegisterNothingToClaim(msg.sender);
        _claimable[msg.sender] = 0;
        // Cannot underflow: every claimable amount is part of a funded, reserved payout.
        unchecked {
            _reserved -= amount;
        }
        emit Claimed(msg.sender, amount);
        _token.safeTransfer(msg.sender, amount);
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ILabourRegister
    function charter() external view returns (address) {
        return address(_charter);
    }

    /// @inheritdoc ILabourRegister
    function ratesByMeeting() external view returns (bool) {
        return _ratesByMeeting;
    }

    /// @inheritdoc ILabourRegister
    function rate(uint32 rateId) external view returns (Rate memory) {
        return _rates[rateId];
    }

    /// @inheritdoc ILabourRegister
    function rateCount() external view returns (uint32) {
        return _rateCount;
    }

    /// @inheritdoc ILabourRegister
    function isApprover(address account) external view returns (bool) {
        return _approvers[account];
    }

    /// @inheritdoc ILabourRegister
    function workRecord(uint256 recordId) external view returns (WorkRecord memory) {
        return _records[recordId];
    }

    /// @inheritdoc ILabourRegister
    function recordCount() external view returns (uint256) {
        return _recordCount;
    }

    /// @inheritdoc ILabourRegister
    function pointsOf(uint32 period, Basis basis, address member) external view returns (uint128) {
        return _points[_tallyKey(period, basis)][member];
    }

    /// @inheritdoc ILabourRegister
    function periodTotals(uint32 period, Basis basis)
        external
        view
        returns (uint128 total, uint32 participants, bool closed)
    {
        Tally memory t = _tallies[_tallyKey(period, basis)];
        return (t.total, t.count, t.closed);
    }

    /// @inheritdoc ILabourRegister
    function participantAt(uint32 period, Basis basis, uint256 index)
        external
        view
        returns (address)
    {
        return _participants[_tallyKey(period, basis)][index];
    }

    /// @inheritdoc ILabourRegister
    function distribution(uint256 distributionId) external view returns (Distribution memory) {
        return _distributions[distributionId];
    }

    /// @inheritdoc ILabourRegister
    function distributionCount() external view returns (uint256) {
        return _distributionCount;
    }

    /// @inheritdoc ILabourRegister
    function partOf(uint256 distributionId, address member) external view returns (uint128) {
        return _parts[distributionId][member];
    }

    /// @inheritdoc ILabourRegister
    function claimable(address member) external view returns (uint256) {
        return _claimable[member];
    }

    /// @inheritdoc ILabourRegister
    function reserved() external view returns (uint256) {
        return _reserved;
    }

    /// @inheritdoc ILabourRegister
    function shareValuation(uint256 recordId) external view returns (bytes32) {
        return keccak256(abi.encode(address(this), "work", recordId, _records[recordId].act));
    }

    /// @inheritdoc ILabourRegister
    function partValuation(uint256 distributionId, address member)
        external
        view
        returns (bytes32)
    {
        return keccak256(abi.encode(address(this), "part", distributionId, member));
    }

    /// @inheritdoc ILabourRegister
    function distributionCommitment(Terms calldata terms, bytes32 document)
        external
        view
        returns (bytes32)
    {
        return _commitment(terms, document);
    }

    /*//////////////////////////////////////////////////////////////
                               INTERNALS
    //////////////////////////////////////////////////////////////*/

    function _requireExecutor() private view {
        if (msg.sender != _charter.decisionExecutor()) {
            revert LabourRegisterNotDecisionExecutor(msg.sender);
        }
    }

    function _requireActiveMember(address account) private view {
        if (!_membership.isActiveMember(account)) revert LabourRegisterNotActiveMember(account);
    }

    /// @dev The record waiting for a decision, after checking that the sender may decide on it:
    /// an appointed approver or the decision executor, never the member who recorded it.
    function _pendingRecord(uint256 recordId) private view returns (WorkRecord storage w) {
        w = _records[recordId];
        Status status = w.status;
        if (status != Status.Recorded) {
            if (status == Status.None) revert LabourRegisterUnknownRecord(recordId);
            revert LabourRegisterUnexpectedStatus(recordId, status);
        }
        if (msg.sender == w.member) revert LabourRegisterSelfApproval(recordId, msg.sender);
        if (!_approvers[msg.sender] && msg.sender != _charter.decisionExecutor()) {
            revert LabourRegisterNotApprover(msg.sender);
        }
    }

    /// @dev Adds `points` to `member` in the open tally of `period` on `basis`.
    function _addPoints(uint32 period, Basis basis, address member, uint128 points) private {
        uint256 key = _tallyKey(period, basis);
        Tally storage t = _tallies[key];
        if (t.closed) revert LabourRegisterPeriodClosed(period, basis);
        uint256 total = uint256(t.total) + points;
        if (total > _MAX) revert LabourRegisterAmountTooLarge(total);
        uint128 before = _points[key][member];
        if (before == 0) {
            if (member == address(0)) revert LabourRegisterZeroAddress();
            uint32 count = t.count;
            _participants[key][count] = member;
            t.count = count + 1;
        }
        // Cannot truncate: the member's points are part of the total, checked just above.
        t.total = uint128(total);
        _points[key][member] = before + points;
        emit PointsAdded(period, basis, member, points);
    }

    /// @dev Credits participants `cursor` to `end - 1` of distribution `id`; returns the sum
    /// credited so far, these included.
    function _creditRange(
        uint256 id,
        Distribution storage d,
        uint256 cursor,
        uint256 end,
        bool payout
    ) private returns (uint256 sum) {
        uint256 key = _tallyKey(d.terms.period, d.terms.basis);
        uint256 surplus = d.terms.surplus;
        uint256 total = d.totalPoints;
        uint256 last = uint256(d.participants) - 1;
        sum = d.credited;
        for (uint256 i = cursor; i < end; ++i) {
            address member = _participants[key][i];
            // The last participant takes the remainder: the parts add up to the surplus.
            uint256 part =
                i == last ? surplus - sum : Math.mulDiv(surplus, _points[key][member], total);
            // Cannot overflow: every part is at most the surplus minus the parts before it.
            unchecked {
                sum += part;
            }
            _parts[id][member] = uint128(part);
            if (payout) _claimable[member] += part;
            emit PartCredited(id, member, uint128(part));
        }
    }

    function _distribution(uint256 distributionId) private view returns (Distribution storage d) {
        d = _distributions[distributionId];
        if (d.participants == 0) revert LabourRegisterUnknownDistribution(distributionId);
    }

    function _useMeetingDecision(uint256 meetingId, uint8 questionIndex, bytes32 commitment)
        private
    {
        (address meeting, bytes32 actual,) = MeetingDecision.accepted(
            _charter.decisionExecutor(),
            meetingId,
            questionIndex,
            LabourRegisterNoGeneralMeeting.selector,
            LabourRegisterNotMeetingDecision.selector
        );
        if (actual != commitment) revert LabourRegisterDecisionMismatch(commitment, actual);
        bytes32 used = keccak256(abi.encode(meeting, meetingId, questionIndex));
        if (_usedDecisions[used]) revert LabourRegisterDecisionUsed(meetingId, questionIndex);
        _usedDecisions[used] = true;
    }

    function _commitment(Terms calldata terms, bytes32 document) private view returns (bytes32) {
        return keccak256(
            abi.encode(
                _DISTRIBUTE_TYPEHASH,
                address(this),
                terms.period,
                uint8(terms.basis),
                uint8(terms.form),
                terms.surplus,
                document
            )
        );
    }

    function _tallyKey(uint32 period, Basis basis) private pure returns (uint256) {
        return (uint256(period) << 8) | uint8(basis);
    }
}
