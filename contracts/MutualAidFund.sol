// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ICharter} from "./interfaces/ICharter.sol";
import {IMembershipView} from "./interfaces/IMembershipView.sol";
import {IMutualAidFund} from "./interfaces/IMutualAidFund.sol";
import {IObligationSource} from "./interfaces/IObligationSource.sol";
import {MeetingDecision} from "./libraries/MeetingDecision.sol";

/// @title MutualAidFund
/// @notice The mutual-aid fund (касса взаимопомощи) of one cooperative; the rules are documented
/// on {IMutualAidFund}.
/// @dev Deployed once as an implementation and used through EIP-1167 clones (no immutables).
///
/// Accounting: contributions are pool units (OpenZeppelin ERC-4626's virtual share and asset,
/// rounded in the pool's favour). A contribution buys them at the entry value
/// `cash + lent + pendingInterest`, a withdrawal sells them at the exit value
/// `cash + lent - impaired`: income counts for a seller only once received, and the unpaid
/// principal of an overdue or defaulted loan counts for nobody who leaves. Tokens sent to the
/// fund other than through its functions are not counted.
///
/// Overdue loans are found without a keeper: `_reviewBy` is a time before which no unmarked
/// loan can fall overdue (the earliest due time not covered, over the open loans, as of the last
/// look). A withdrawal after it reverts until somebody calls `review` with the full list of open
/// loans, which marks the overdue ones down and moves `_reviewBy` on.
///
/// Bounds: the entry value `cash + lent + pendingInterest` never exceeds 2**128 - 1 (checked on
/// every contribution and approval; no other operation raises it), so every pool amount,
/// a member's outstanding principal and the marked-down principal fit their 128 bits. A loan's
/// total due fits 112 bits, a pledge and a member's pledges 96 bits (checked with
/// `MutualAidFundAmountTooLarge`), the per-party counters 8 bits (`MutualAidFundTooManyLoans`),
/// the keys 32 bits (`MutualAidFundTooManyParties`).
///
/// Parties: a member who borrows or guarantees gets a key (as in SettlementUnits); loans and
/// guarantees refer to keys, so key recovery moves everything by rewriting two slots.
///
/// Storage per operation: a contribution writes the member's slot and the pool slot
/// (cash, units); a repayment writes the loan's first slot (status, schedule, repaid), the pool's
/// lent principal and the borrower's outstanding principal.
///
/// Every function that moves tokens changes its state first and calls the token last.
contract MutualAidFund is IMutualAidFund, Initializable {
    using SafeERC20 for IERC20;

    /*//////////////////////////////////////////////////////////////
                                CONSTANTS
    //////////////////////////////////////////////////////////////*/

    uint256 private constant _BPS = 10_000;
    uint256 private constant _YEAR = 365 days;
    uint256 private constant _MAX_GUARANTORS = 8;
    uint8 private constant _MAX_OPEN = type(uint8).max;
    /// @dev `Loan.flags`: the principal is split by a custom schedule.
    uint8 private constant _CUSTOM = 1;
    /// @dev `Loan.flags`: the loan's unpaid principal is counted in `_impaired`.
    uint8 private constant _MARKED = 2;
    uint256 private constant _MAX_POOL = type(uint128).max;
    uint256 private constant _MAX_DUE = type(uint112).max;
    uint256 private constant _MAX_PLEDGE = type(uint96).max;

    bytes32 private constant _WRITE_OFF_TYPEHASH =
        keccak256("MutualAidFund.writeOff(uint256 loanId,bytes32 document)");
    bytes32 private constant _RULES_TYPEHASH = keccak256(
        "MutualAidFund.setRules(uint32 loanToContributionBps,uint16 reserveBps,uint16 interestBps,"
        "uint32 maxTerm,uint128 maxLoanPerMember,bytes32 document)"
    );

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev One slot per address: pool units, the amount pledged for others, the party key.
    struct Member {
        uint128 units;
        uint96 pledged;
        uint32 key;
    }

    /// @dev Per key: the current address and counters (slot 0), outstanding principal (slot 1).
    struct Party {
        address account;
        uint8 openLoans;
        uint8 openPledges;
        uint128 borrowed;
    }

    /// @dev Slot 0 is what a repayment reads and writes; slot 1 the amounts; slot 2 the purpose.
    struct Loan {
        uint32 borrower;
        LoanStatus status;
        uint8 instalments;
        uint8 guarantorCount;
        uint8 acceptedMask;
        uint8 flags;
        uint32 term;
        uint40 disbursedAt;
        uint112 repaid;
        uint112 principal;
        uint112 interest;
        bytes32 purpose;
    }

    /// @dev One slot: the guarantor's key and the amount pledged.
    struct Guarantee {
        uint32 key;
        uint96 amount;
    }

    /// @dev Slot 0: the charter, the loan counter, the key counter.
    ICharter private _charter;
    uint64 private _loanCount;
    uint32 private _keyCount;

    IMembershipView private _membership;
    IERC20 private _token;

    /// @dev The pool slot a contribution and a withdrawal write.
    uint128 private _cash;
    uint128 private _totalUnits;

    /// @dev The loan book slot: principal approved and not repaid or written off; interest fixed
    /// on those loans and not yet received.
    uint128 private _lent;
    uint128 private _pendingInterest;

    Rules private _rules;

    /// @dev The valuation slot: unpaid principal of the marked (overdue or defaulted) loans;
    /// the time until which no other open loan can be overdue; disbursed loans not closed.
    uint128 private _impaired;
    uint40 private _reviewBy;
    uint64 private _openLoans;

    mapping(address account => Member) private _members;
    mapping(uint32 key => Party) private _parties;
    mapping(uint256 loanId => Loan) private _loans;
    mapping(uint256 loanId => mapping(uint256 index => Guarantee)) private _guarantees;
    /// @dev Custom schedules: the principal due by the end of instalment i (1-based), cumulative.
    mapping(uint256 loanId => mapping(uint256 index => uint256)) private _schedules;
    /// @dev General-meeting questions already used, by `keccak256(meeting contract, id, index)`.
    mapping(bytes32 question => bool) private _usedDecisions;

    /*//////////////////////////////////////////////////////////////
                               MODIFIERS
    //////////////////////////////////////////////////////////////*/

    modifier onlyDecisionExecutor() {
        if (msg.sender != _charter.decisionExecutor()) {
            revert MutualAidFundNotDecisionExecutor(msg.sender);
        }
        _;
    }

    /*//////////////////////////////////////////////////////////////
                               INITIALISER
    //////////////////////////////////////////////////////////////*/

    constructor() {
        _disableInitializers();
    }

    /// @inheritdoc IMutualAidFund
    function initialize(address charter_, address membership_, Rules calldata rules_)
        external
        initializer
    {
        if (charter_ == address(0) || membership_ == address(0)) revert MutualAidFundZeroAddress();
        _charter = ICharter(charter_);
        _membership = IMembershipView(membership_);
        address token_ = ICharter(charter_).paymentToken();
        if (token_ == address(0)) revert MutualAidFundZeroAddress();
        _token = IERC20(token_);
        _reviewBy = type(uint40).max;
        _setRules(rules_, bytes32(0));
    }

    /*//////////////////////////////////////////////////////////////
                              CONTRIBUTIONS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IMutualAidFund
    function contribute(uint256 amount) external {
        if (amount == 0) revert MutualAidFundZeroAmount();
        _requireActiveMember(msg.sender);
        uint256 cash = _cash;
        uint256 totalUnits = _totalUnits;
        uint256 entry = cash + _lent + _pendingInterest;
        _bound(amount, _MAX_POOL - entry);
        uint256 units = Math.mulDiv(amount, totalUnits + 1, entry + 1);
        if (units == 0) revert MutualAidFundZeroAmount();
        // Units are cheap after a large loss: then their total bounds the contribution.
        _bound(units, _MAX_POOL - totalUnits);
        // Cannot overflow: checked above (the entry value and the units stay within 128 bits);
        // a member's units are at most the total.
        unchecked {
            _cash = uint128(cash + amount);
            _totalUnits = uint128(totalUnits + units);
            _members[msg.sender].units += uint128(units);
        }
        emit Contributed(msg.sender, amount, units);
        _pull(amount);
    }

    /// @inheritdoc IMutualAidFund
    function withdraw(uint256 amount) external {
        if (amount == 0) revert MutualAidFundZeroAmount();
        uint256 reviewBy = _reviewBy;
        if (block.timestamp > reviewBy) revert MutualAidFundReviewDue(reviewBy);
        Member memory m = _members[msg.sender];
        uint256 cash = _cash;
        uint256 totalUnits = _totalUnits;
        uint256 assets = _exitValue(cash);
        uint256 balance = _valueOf(m.units, assets, totalUnits);
        uint256 free = _free(m, balance);
        if (amount > free) revert MutualAidFundBalanceLocked(msg.sender, amount, free);
        if (amount > cash) revert MutualAidFundInsufficientCash(amount, cash);
        uint256 units = Math.mulDiv(amount, totalUnits + 1, assets + 1, Math.Rounding.Ceil);
        if (units > m.units) units = m.units;
        // Cannot underflow: `units <= m.units <= totalUnits` and `amount <= cash`.
        unchecked {
            _members[msg.sender].units = m.units - uint128(units);
            _cash = uint128(cash - amount);
            _totalUnits = uint128(totalUnits - units);
        }
        emit Withdrawn(msg.sender, amount, units);
        _token.safeTransfer(msg.sender, amount);
    }

    /*//////////////////////////////////////////////////////////////
                                  LOANS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IMutualAidFund
    function requestLoan(LoanRequest calldata request) external returns (uint256 loanId) {
        if (request.amount == 0) revert MutualAidFundZeroAmount();
        if (request.purpose == bytes32(0)) revert MutualAidFundZeroHash();
        uint256 n = request.instalments;
        uint256 guarantors = request.guarantors.length;
        if (
            n == 0 || request.term < n || guarantors > _MAX_GUARANTORS
                || guarantors != request.pledges.length
                || (request.schedule.length != 0 && request.schedule.length != n)
        ) revert MutualAidFundInvalidRequest();
        uint256 maxTerm = _rules.maxTerm;
        if (request.term > maxTerm) revert MutualAidFundTermTooLong(request.term, maxTerm);
        _requireActiveMember(msg.sender);
        _bound(request.amount, _MAX_DUE);

        // Cannot overflow: one id per transaction, 2**64 transactions are out of reach.
        unchecked {
            loanId = ++_loanCount;
        }
        uint32 borrower = _keyFor(msg.sender);
        bool custom = request.schedule.length != 0;
        if (custom) _storeSchedule(loanId, request.schedule, request.amount);
        for (uint256 i; i < guarantors; ++i) {
            address g = request.guarantors[i];
            uint256 pledge = request.pledges[i];
            if (g == msg.sender || pledge == 0) revert MutualAidFundInvalidRequest();
            _bound(pledge, _MAX_PLEDGE);
            for (uint256 j; j < i; ++j) {
                if (request.guarantors[j] == g) revert MutualAidFundInvalidRequest();
            }
            _requireActiveMember(g);
            // Cannot truncate: checked just above.
            _guarantees[loanId][i] = Guarantee({key: _keyFor(g), amount: uint96(pledge)});
        }
        Loan storage l = _loans[loanId];
        l.borrower = borrower;
        l.status = LoanStatus.Requested;
        l.instalments = uint8(n);
        l.guarantorCount = uint8(guarantors);
        if (custom) l.flags = _CUSTOM;
        l.term = request.term;
        // Cannot truncate: checked above.
        l.principal = uint112(request.amount);
        l.purpose = request.purpose;
        emit LoanRequested(loanId, msg.sender, request);
    }

    /// @inheritdoc IMutualAidFund
    function acceptGuarantee(uint256 loanId) external {
        Loan storage l = _loans[loanId];
        LoanStatus status = l.status;
        if (status != LoanStatus.Requested) {
            if (status == LoanStatus.None) revert MutualAidFundUnknownLoan(loanId);
            revert MutualAidFundUnexpectedLoanState(loanId, _state(loanId));
        }
        uint32 key = _members[msg.sender].key;
        uint256 count = l.guarantorCount;
        uint8 mask = l.acceptedMask;
        uint256 index = type(uint256).max;
        for (uint256 i; i < count; ++i) {
            if (key != 0 && _guarantees[loanId][i].key == key && mask & (1 << i) == 0) {
                index = i;
                break;
            }
        }
        if (index == type(uint256).max) revert MutualAidFundNotGuarantor(loanId, msg.sender);
        _requireActiveMember(msg.sender);
        uint96 amount = _guarantees[loanId][index].amount;
        Member storage m = _members[msg.sender];
        uint256 cash = _cash;
        uint256 free = _free(m, _valueOf(m.units, _exitValue(cash), _totalUnits));
        if (amount > free) revert MutualAidFundBalanceLocked(msg.sender, amount, free);
        Party storage p = _parties[key];
        if (p.openPledges == _MAX_OPEN) revert MutualAidFundTooManyLoans(msg.sender);
        _bound(amount, _MAX_PLEDGE - m.pledged);
        // Cannot overflow: both checked just above.
        unchecked {
            m.pledged += amount;
            ++p.openPledges;
        }
        l.acceptedMask = mask | uint8(1 << index);
        emit GuaranteeAccepted(loanId, msg.sender, amount);
    }

    /// @inheritdoc IMutualAidFund
    function cancelLoan(uint256 loanId) external {
        Loan storage l = _loans[loanId];
        if (l.status == LoanStatus.None) revert MutualAidFundUnknownLoan(loanId);
        if (_parties[l.borrower].account != msg.sender) {
            revert MutualAidFundNotBorrower(loanId, msg.sender);
        }
        _withdrawLoan(loanId, l, LoanStatus.Cancelled);
        emit LoanCancelled(loanId);
    }

    /// @inheritdoc IMutualAidFund
    function approveLoan(uint256 loanId, bytes32 decision) external onlyDecisionExecutor {
        if (decision == bytes32(0)) revert MutualAidFundZeroHash();
        Loan storage l = _loans[loanId];
        LoanStatus status = l.status;
        if (status != LoanStatus.Requested) {
            if (status == LoanStatus.None) revert MutualAidFundUnknownLoan(loanId);
            revert MutualAidFundUnexpectedLoanState(loanId, _state(loanId));
        }
        uint256 count = l.guarantorCount;
        if (uint256(l.acceptedMask) != (1 << count) - 1) {
            revert MutualAidFundGuaranteesPending(loanId);
        }
        Party storage p = _parties[l.borrower];
        address account = p.account;
        _requireActiveMember(account);
        if (p.openLoans == _MAX_OPEN) revert MutualAidFundTooManyLoans(account);

        uint256 principal = l.principal;
        Rules memory r = _rules;
        uint256 cash = _cash;
        uint256 lent = _lent;
        (uint256 byContribution, uint256 byMemberCap) =
            _borrowerRoom(_members[account], p.borrowed, _exitValue(cash), r);
        if (principal > byContribution) {
            revert MutualAidFundAboveContributionCap(account, principal, byContribution);
        }
        if (principal > byMemberCap) {
            revert MutualAidFundAboveMemberCap(account, principal, byMemberCap);
        }
        uint256 lendable = _lendable(cash, lent, r.reserveBps);
        if (principal > lendable) revert MutualAidFundBelowReserve(principal, lendable);

        uint256 interest = _book(l, principal, cash, lent, r.interestBps);
        // Cannot overflow: a member's outstanding principal is part of the lent principal, which
        // fits 128 bits; the counter was checked above.
        unchecked {
            p.borrowed += uint128(principal);
            ++p.openLoans;
        }
        emit LoanApproved(loanId, interest, decision);
    }

    /// @inheritdoc IMutualAidFund
    function rejectLoan(uint256 loanId, bytes32 decision) external onlyDecisionExecutor {
        if (decision == bytes32(0)) revert MutualAidFundZeroHash();
        Loan storage l = _loans[loanId];
        if (l.status == LoanStatus.None) revert MutualAidFundUnknownLoan(loanId);
        _withdrawLoan(loanId, l, LoanStatus.Rejected);
        emit LoanRejected(loanId, decision);
    }

    /// @inheritdoc IMutualAidFund
    function disburse(uint256 loanId) external {
        Loan storage l = _loans[loanId];
        LoanStatus status = l.status;
        if (status != LoanStatus.Approved) {
            if (status == LoanStatus.None) revert MutualAidFundUnknownLoan(loanId);
            revert MutualAidFundUnexpectedLoanState(loanId, _state(loanId));
        }
        address borrower = _parties[l.borrower].account;
        if (msg.sender != borrower && msg.sender != _charter.decisionExecutor()) {
            revert MutualAidFundNotBorrower(loanId, msg.sender);
        }
        l.status = LoanStatus.Active;
        // Cannot truncate before the year 36,812.
        l.disbursedAt = uint40(block.timestamp);
        uint256 principal = l.principal;
        // The first instalment's due time: the loan cannot be overdue before it.
        uint256 firstDue = block.timestamp + uint256(l.term) / l.instalments;
        if (firstDue < _reviewBy) _reviewBy = uint40(firstDue);
        // Cannot overflow: at most one per loan id, which fits 64 bits.
        unchecked {
            ++_openLoans;
        }
        emit LoanDisbursed(loanId, borrower, principal);
        _token.safeTransfer(borrower, principal);
    }

    /// @inheritdoc IMutualAidFund
    function repay(uint256 loanId, uint256 amount) external {
        if (amount == 0) revert MutualAidFundZeroAmount();
        Loan memory l = _loans[loanId];
        if (l.status != LoanStatus.Active && l.status != LoanStatus.Defaulted) {
            if (l.status == LoanStatus.None) revert MutualAidFundUnknownLoan(loanId);
            revert MutualAidFundUnexpectedLoanState(loanId, _state(loanId));
        }
        if (!_isAllowedPayer(loanId, l, msg.sender)) {
            revert MutualAidFundNotAllowedPayer(loanId, msg.sender);
        }
        uint256 total = uint256(l.principal) + l.interest;
        uint256 owed = total - l.repaid;
        if (amount > owed) revert MutualAidFundOverpayment(loanId, amount, owed);
        _applyRepayment(loanId, l, amount);
        // Cannot overflow: the entry value `cash + lent + pendingInterest` stays the same (the
        // principal part leaves the lent principal, the rest the pending interest) and fits 128
        // bits.
        unchecked {
            _cash += uint128(amount);
        }
        uint256 repaid = uint256(l.repaid) + amount;
        emit LoanRepaid(loanId, msg.sender, amount, repaid);
        if (amount == owed) _close(loanId, l);
        _pull(amount);
    }

    /// @inheritdoc IMutualAidFund
    function callGuarantees(uint256 loanId, bytes32 decision) external onlyDecisionExecutor {
        if (decision == bytes32(0)) revert MutualAidFundZeroHash();
        Loan storage stored = _loans[loanId];
        LoanState state = _state(loanId);
        if (state != LoanState.Overdue) {
            if (state == LoanState.None) revert MutualAidFundUnknownLoan(loanId);
            revert MutualAidFundUnexpectedLoanState(loanId, state);
        }
        Loan memory l = stored;
        uint256 total = uint256(l.principal) + l.interest;
        if (l.flags & _MARKED == 0) {
            _markDown(loanId);
            l.flags |= _MARKED;
        }
        // The pledges are taken at the book value (`cash + lent`): a pledge is an amount of
        // money, and the part it repays is no longer marked down.
        for (uint256 i; i < l.guarantorCount; ++i) {
            Guarantee memory g = _guarantees[loanId][i];
            Party storage p = _parties[g.key];
            Member storage m = _members[p.account];
            uint256 units = m.units;
            uint256 totalUnits = _totalUnits;
            uint256 assets = _cash + _lent;
            uint256 take = Math.min(
                Math.min(g.amount, total - l.repaid), _valueOf(units, assets, totalUnits)
            );
            uint256 burn = Math.mulDiv(take, totalUnits + 1, assets + 1, Math.Rounding.Ceil);
            if (burn > units) burn = units;
            // Cannot underflow: the pledge was added when accepted; `burn <= units <= total`;
            // the counter counts this pledge.
            unchecked {
                m.pledged -= g.amount;
                m.units = uint128(units - burn);
                _totalUnits = uint128(totalUnits - burn);
                --p.openPledges;
            }
            if (take != 0) {
                _applyRepayment(loanId, l, take);
                l.repaid += uint112(take);
            }
            emit GuaranteeCalled(loanId, p.account, take);
        }
        uint256 left = total - l.repaid;
        stored.status = LoanStatus.Defaulted;
        emit LoanDefaulted(loanId, left, decision);
        if (left == 0) _close(loanId, _loans[loanId]);
    }

    /// @inheritdoc IMutualAidFund
    function writeOff(uint256 loanId, bytes32 document, uint256 meetingId, uint8 questionIndex)
        external
    {
        if (document == bytes32(0)) revert MutualAidFundZeroHash();
        Loan storage stored = _loans[loanId];
        LoanStatus status = stored.status;
        if (status != LoanStatus.Active && status != LoanStatus.Defaulted) {
            if (status == LoanStatus.None) revert MutualAidFundUnknownLoan(loanId);
            revert MutualAidFundUnexpectedLoanState(loanId, _state(loanId));
        }
        _useMeetingDecision(meetingId, questionIndex, _writeOffCommitment(loanId, document));
        Loan memory l = stored;
        uint256 principalPaid = _principalPaid(l.repaid, l.principal, l.interest);
        uint256 loss = l.principal - principalPaid;
        Party storage p = _parties[l.borrower];
        // Cannot underflow: the unpaid principal is part of the pool's and the borrower's
        // outstanding principal (and of the marked-down principal if the loan is marked); the
        // unpaid interest is part of the pending interest.
        unchecked {
            _lent -= uint128(loss);
            _pendingInterest -= uint128(l.interest - (l.repaid - principalPaid));
            if (l.flags & _MARKED != 0) _impaired -= uint128(loss);
            p.borrowed -= uint128(loss);
            --p.openLoans;
        }
        _loanClosed();
        stored.status = LoanStatus.WrittenOff;
        if (status == LoanStatus.Active) _releasePledges(loanId, l);
        emit LoanWrittenOff(loanId, loss, meetingId, questionIndex, document);
    }

    /// @inheritdoc IMutualAidFund
    function review(uint256[] calldata loanIds) external {
        uint256 count = loanIds.length;
        uint256 open = _openLoans;
        if (count != open) revert MutualAidFundReviewIncomplete(count, open);
        uint256 reviewBy = type(uint40).max;
        uint256 previous;
        for (uint256 i; i < count; ++i) {
            uint256 loanId = loanIds[i];
            // Increasing ids, each open, as many as are open: exactly the open loans.
            if (loanId <= previous) revert MutualAidFundInvalidRequest();
            previous = loanId;
            LoanState state = _state(loanId);
            if (state < LoanState.Active || state > LoanState.Defaulted) {
                revert MutualAidFundUnexpectedLoanState(loanId, state);
            }
            Loan storage l = _loans[loanId];
            bool marked = l.flags & _MARKED != 0;
            if (state != LoanState.Active) {
                if (!marked) _markDown(loanId);
                continue;
            }
            if (marked) {
                // Caught up since it was marked: counted in the exit value again.
                uint256 unpaid = l.principal - _principalPaid(l.repaid, l.principal, l.interest);
                l.flags &= ~_MARKED;
                // Cannot underflow: the loan's unpaid principal is counted there.
                unchecked {
                    _impaired -= uint128(unpaid);
                }
                emit LoanMarkDownLifted(loanId, unpaid);
            }
            // The due time of the first instalment not yet due (instalment k is missed once
            // `disbursedAt + floor(term * k / n)` has passed): not overdue before it.
            uint256 n = l.instalments;
            uint256 elapsed = block.timestamp - l.disbursedAt;
            uint256 next = elapsed == 0 ? 1 : Math.mulDiv(elapsed, n, l.term, Math.Rounding.Ceil);
            next = l.disbursedAt + uint256(l.term) * next / n;
            if (next < reviewBy) reviewBy = next;
        }
        // Cannot truncate: a due time (40 bits) or the 40-bit maximum.
        _reviewBy = uint40(reviewBy);
        emit FundReviewed(count, _impaired, reviewBy);
    }

    /// @inheritdoc IMutualAidFund
    function setRules(
        Rules calldata rules_,
        bytes32 document,
        uint256 meetingId,
        uint8 questionIndex
    ) external {
        if (document == bytes32(0)) revert MutualAidFundZeroHash();
        _useMeetingDecision(meetingId, questionIndex, _rulesCommitment(rules_, document));
        _setRules(rules_, document);
    }

    /*//////////////////////////////////////////////////////////////
                              KEY RECOVERY
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IObligationSource
    function hasOpenObligations(address member) external view returns (bool) {
        uint32 key = _members[member].key;
        if (key == 0) return false;
        Party storage p = _parties[key];
        return p.openLoans != 0 || p.openPledges != 0;
    }

    /// @inheritdoc IObligationSource
    /// @dev Moves the member's slot (units, pledges, key) and points the key at `to`: loans and
    /// guarantees refer to the key, so they follow.
    function rebindMember(address from, address to) external {
        if (msg.sender != address(_membership)) revert MutualAidFundNotMembership(msg.sender);
        if (to == address(0)) revert MutualAidFundZeroAddress();
        Member memory m = _members[from];
        Member memory target = _members[to];
        if (target.units != 0 || target.pledged != 0 || target.key != 0) {
            revert MutualAidFundRebindTargetInUse(to);
        }
        if (m.units != 0 || m.pledged != 0 || m.key != 0) {
            _members[to] = m;
            delete _members[from];
            if (m.key != 0) _parties[m.key].account = to;
        }
        emit FundMemberRebound(from, to);
    }

    /// @inheritdoc IObligationSource
    /// @dev False: the fund asks Membership where status matters (off the hot paths), so
    /// Membership spares it the deactivation calls.
    function cachesMemberStatus() external pure returns (bool) {
        return false;
    }

    /// @inheritdoc IObligationSource
    /// @dev A no-op, whoever calls: the fund caches no membership status.
    function memberDeactivated(address) external pure {}

    /// @inheritdoc IObligationSource
    /// @dev A no-op, whoever calls: the fund caches no membership status.
    function detached() external pure {}

    /*//////////////////////////////////////////////////////////////
                                  VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IMutualAidFund
    function balanceOf(address member) external view returns (uint256) {
        return _valueOf(_members[member].units, _exitValue(_cash), _totalUnits);
    }

    /// @inheritdoc IMutualAidFund
    function positionOf(address member) external view returns (MemberPosition memory position) {
        Member memory m = _members[member];
        Party storage p = _parties[m.key];
        uint256 balance = _valueOf(m.units, _exitValue(_cash), _totalUnits);
        bool keyed = m.key != 0;
        uint256 borrowed = keyed ? p.borrowed : 0;
        position = MemberPosition({
            units: m.units,
            balance: balance,
            pledged: m.pledged,
            borrowed: borrowed,
            lockedForLoans: _loanLock(borrowed, _rules.loanToContributionBps),
            withdrawable: _free(m, balance),
            openLoans: keyed ? p.openLoans : 0,
            openPledges: keyed ? p.openPledges : 0
        });
    }

    /// @inheritdoc IMutualAidFund
    function pool() external view returns (PoolInfo memory) {
        return PoolInfo({cash: _cash, lent: _lent, totalUnits: _totalUnits, loanCount: _loanCount});
    }

    /// @inheritdoc IMutualAidFund
    function valuation() external view returns (Valuation memory) {
        return Valuation({
            pendingInterest: _pendingInterest,
            impaired: _impaired,
            reviewBy: _reviewBy,
            openLoans: _openLoans
        });
    }

    /// @inheritdoc IMutualAidFund
    function rules() external view returns (Rules memory) {
        return _rules;
    }

    /// @inheritdoc IMutualAidFund
    function loan(uint256 loanId) external view returns (LoanInfo memory info) {
        Loan storage l = _loans[loanId];
        info = LoanInfo({
            state: _state(loanId),
            borrower: l.status == LoanStatus.None ? address(0) : _parties[l.borrower].account,
            principal: l.principal,
            interest: l.interest,
            repaid: l.repaid,
            term: l.term,
            instalments: l.instalments,
            customSchedule: l.flags & _CUSTOM != 0,
            disbursedAt: l.disbursedAt,
            purpose: l.purpose,
            guarantorCount: l.guarantorCount,
            acceptedMask: l.acceptedMask
        });
    }

    /// @inheritdoc IMutualAidFund
    function loanState(uint256 loanId) external view returns (LoanState) {
        return _state(loanId);
    }

    /// @inheritdoc IMutualAidFund
    function guaranteesOf(uint256 loanId) external view returns (GuaranteeInfo[] memory out) {
        Loan storage l = _loans[loanId];
        uint256 count = l.guarantorCount;
        out = new GuaranteeInfo[](count);
        for (uint256 i; i < count; ++i) {
            Guarantee memory g = _guarantees[loanId][i];
            out[i] = GuaranteeInfo({
                guarantor: _parties[g.key].account,
                amount: g.amount,
                accepted: l.acceptedMask & (1 << i) != 0
            });
        }
    }

    /// @inheritdoc IMutualAidFund
    function instalmentDue(uint256 loanId, uint256 index)
        external
        view
        returns (uint256 cumulativeDue, uint40 dueAt)
    {
        Loan memory l = _loans[loanId];
        if (l.status == LoanStatus.None) revert MutualAidFundUnknownLoan(loanId);
        if (index == 0 || index > l.instalments) revert MutualAidFundInvalidRequest();
        cumulativeDue = _cumulativeDue(loanId, l, index);
        if (l.disbursedAt != 0) {
            dueAt = uint40(l.disbursedAt + uint256(l.term) * index / l.instalments);
        }
    }

    /// @inheritdoc IMutualAidFund
    function amountOverdue(uint256 loanId) external view returns (uint256) {
        Loan memory l = _loans[loanId];
        if (l.status != LoanStatus.Active) return 0;
        uint256 due = _dueNow(loanId, l);
        return due > l.repaid ? due - l.repaid : 0;
    }

    /// @inheritdoc IMutualAidFund
    function outstanding(uint256 loanId) external view returns (uint256) {
        Loan memory l = _loans[loanId];
        if (l.status != LoanStatus.Active && l.status != LoanStatus.Defaulted) {
            return l.status == LoanStatus.Approved ? l.principal + l.interest : 0;
        }
        return uint256(l.principal) + l.interest - l.repaid;
    }

    /// @inheritdoc IMutualAidFund
    function maxLoanFor(address borrower) external view returns (uint256) {
        Member memory m = _members[borrower];
        uint256 borrowed = m.key == 0 ? 0 : _parties[m.key].borrowed;
        Rules memory r = _rules;
        uint256 cash = _cash;
        uint256 lent = _lent;
        (uint256 a, uint256 b) = _borrowerRoom(m, borrowed, _exitValue(cash), r);
        return Math.min(Math.min(a, b), _lendable(cash, lent, r.reserveBps));
    }

    /// @inheritdoc IMutualAidFund
    function charter() external view returns (address) {
        return address(_charter);
    }

    /// @inheritdoc IMutualAidFund
    function membership() external view returns (address) {
        return address(_membership);
    }

    /// @inheritdoc IMutualAidFund
    function token() external view returns (address) {
        return address(_token);
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNALS
    //////////////////////////////////////////////////////////////*/

    function _requireActiveMember(address account) private view {
        if (!_membership.isActiveMember(account)) revert MutualAidFundNotActiveMember(account);
    }

    /// @dev The key of `account`, handed out on first use.
    function _keyFor(address account) private returns (uint32 key) {
        key = _members[account].key;
        if (key == 0) {
            uint32 count = _keyCount;
            if (count == type(uint32).max) revert MutualAidFundTooManyParties();
            // Cannot overflow: checked just above.
            unchecked {
                key = count + 1;
            }
            _keyCount = key;
            _members[account].key = key;
            _parties[key].account = account;
        }
    }

    function _setRules(Rules calldata rules_, bytes32 document) private {
        if (rules_.reserveBps >= _BPS) revert MutualAidFundInvalidRules();
        _rules = rules_;
        emit RulesChanged(rules_, document);
    }

    function _storeSchedule(uint256 loanId, uint256[] calldata schedule, uint256 amount) private {
        uint256 cumulative;
        for (uint256 i; i < schedule.length; ++i) {
            // Each part at most the amount: the sum of at most 255 parts cannot overflow.
            if (schedule[i] > amount) revert MutualAidFundInvalidRequest();
            cumulative += schedule[i];
            _schedules[loanId][i + 1] = cumulative;
        }
        if (cumulative != amount) revert MutualAidFundInvalidRequest();
    }

    /// @dev Ends a loan that was not disbursed: its earmarked money returns to the cash.
    function _withdrawLoan(uint256 loanId, Loan storage l, LoanStatus to) private {
        LoanStatus status = l.status;
        if (status != LoanStatus.Requested && status != LoanStatus.Approved) {
            revert MutualAidFundUnexpectedLoanState(loanId, _state(loanId));
        }
        Loan memory copy = l;
        l.status = to;
        if (status == LoanStatus.Approved) {
            Party storage p = _parties[copy.borrower];
            // Cannot overflow or underflow: approval moved exactly this principal from the cash
            // to the lent principal and the borrower's outstanding principal.
            unchecked {
                _cash += copy.principal;
                _lent -= copy.principal;
                _pendingInterest -= copy.interest;
                p.borrowed -= copy.principal;
                --p.openLoans;
            }
        }
        _releasePledges(loanId, copy);
    }

    /// @dev Applies `amount` to what `l` owes: the principal part leaves the lent principal.
    function _applyRepayment(uint256 loanId, Loan memory l, uint256 amount) private {
        uint256 before = _principalPaid(l.repaid, l.principal, l.interest);
        uint256 repaid = l.repaid + amount;
        uint256 principalPart = _principalPaid(repaid, l.principal, l.interest) - before;
        // Cannot underflow: the principal part of what was paid never exceeds the principal,
        // which is counted in the totals until paid (in the marked-down principal if the loan is
        // marked); the rest is interest, never more than the loan's, counted as pending until
        // paid. `repaid <= total` fits 112 bits.
        unchecked {
            _lent -= uint128(principalPart);
            _pendingInterest -= uint128(amount - principalPart);
            if (l.flags & _MARKED != 0) _impaired -= uint128(principalPart);
            _parties[l.borrower].borrowed -= uint128(principalPart);
        }
        _loans[loanId].repaid = uint112(repaid);
    }

    /// @dev A loan paid in full: the borrower's counter drops and the pledges are released.
    function _close(uint256 loanId, Loan memory l) private {
        _loans[loanId].status = LoanStatus.Repaid;
        // Cannot underflow: approval counted this loan.
        unchecked {
            --_parties[l.borrower].openLoans;
        }
        _loanClosed();
        if (l.status == LoanStatus.Active) _releasePledges(loanId, l);
        emit LoanClosed(loanId);
    }

    /// @dev Approval's bookkeeping: fixes the interest and moves the principal from the cash to
    /// the lent principal, the interest to the pending interest.
    function _book(
        Loan storage l,
        uint256 principal,
        uint256 cash,
        uint256 lent,
        uint256 interestBps
    ) private returns (uint256 interest) {
        // Cannot overflow: at most 2**112 * 2**16 * 2**32.
        interest = principal * interestBps * l.term / (_BPS * _YEAR);
        // The total due must fit the loan's `repaid` counter, the interest the pool's bound.
        _bound(interest, _MAX_DUE - principal);
        uint256 pending = _pendingInterest;
        _bound(interest, _MAX_POOL - (cash + lent + pending));
        l.interest = uint112(interest);
        l.status = LoanStatus.Approved;
        // Cannot overflow or underflow: `principal <= cash` (the caller checked the reserve);
        // the entry value `cash + lent + pending` fits 128 bits (checked above with the
        // interest) and bounds the lent principal and the pending interest.
        unchecked {
            _cash = uint128(cash - principal);
            _lent = uint128(lent + principal);
            _pendingInterest = uint128(pending + interest);
        }
    }

    /// @dev A disbursed loan closed (repaid or written off). With no open loan left, nothing can
    /// fall overdue: no review is due.
    function _loanClosed() private {
        // Cannot underflow: disbursement counted this loan.
        unchecked {
            uint64 open = _openLoans - 1;
            _openLoans = open;
            if (open == 0) _reviewBy = type(uint40).max;
        }
    }

    /// @dev Counts the unpaid principal of an overdue loan in the marked-down principal.
    function _markDown(uint256 loanId) private {
        Loan storage l = _loans[loanId];
        uint256 unpaid = l.principal - _principalPaid(l.repaid, l.principal, l.interest);
        l.flags |= _MARKED;
        // Cannot overflow: the marked-down principal is part of the lent principal.
        unchecked {
            _impaired += uint128(unpaid);
        }
        emit LoanMarkedDown(loanId, unpaid);
    }

    function _releasePledges(uint256 loanId, Loan memory l) private {
        for (uint256 i; i < l.guarantorCount; ++i) {
            if (l.acceptedMask & (1 << i) == 0) continue;
            Guarantee memory g = _guarantees[loanId][i];
            Party storage p = _parties[g.key];
            address account = p.account;
            // Cannot underflow: acceptance added both.
            unchecked {
                _members[account].pledged -= g.amount;
                --p.openPledges;
            }
            emit GuaranteeReleased(loanId, account, g.amount);
        }
    }

    function _isAllowedPayer(uint256 loanId, Loan memory l, address account)
        private
        view
        returns (bool)
    {
        if (_parties[l.borrower].account == account) return true;
        uint32 key = _members[account].key;
        if (key == 0) return false;
        for (uint256 i; i < l.guarantorCount; ++i) {
            if (l.acceptedMask & (1 << i) != 0 && _guarantees[loanId][i].key == key) return true;
        }
        return false;
    }

    /// @dev The principal part of `repaid`: payments cover principal and interest pro rata.
    function _principalPaid(uint256 repaid, uint256 principal, uint256 interest)
        private
        pure
        returns (uint256)
    {
        if (interest == 0) return repaid;
        return Math.mulDiv(repaid, principal, principal + interest);
    }

    /// @dev What the pool is worth to a member who leaves: the cash and the lent principal not
    /// marked down (pending interest is not counted until received).
    function _exitValue(uint256 cash) private view returns (uint256) {
        // Cannot underflow: the marked-down principal is part of the lent principal.
        unchecked {
            return cash + _lent - _impaired;
        }
    }

    function _valueOf(uint256 units, uint256 assets, uint256 totalUnits)
        private
        pure
        returns (uint256)
    {
        return Math.mulDiv(units, assets + 1, totalUnits + 1);
    }

    /// @dev The part of a member's contribution that backs `borrowed` of their own loans.
    function _loanLock(uint256 borrowed, uint256 loanToContributionBps)
        private
        pure
        returns (uint256)
    {
        if (borrowed == 0) return 0;
        if (loanToContributionBps == 0) return type(uint256).max;
        return Math.mulDiv(borrowed, _BPS, loanToContributionBps, Math.Rounding.Ceil);
    }

    /// @dev What the member may withdraw or pledge: the balance less pledges and the loan lock.
    function _free(Member memory m, uint256 balance) private view returns (uint256) {
        uint256 locked = m.pledged;
        if (m.key != 0) {
            uint256 lock = _loanLock(_parties[m.key].borrowed, _rules.loanToContributionBps);
            locked = lock > type(uint256).max - locked ? type(uint256).max : locked + lock;
        }
        return balance > locked ? balance - locked : 0;
    }

    /// @dev How much more principal the borrower may owe: by their contribution, by the cap.
    function _borrowerRoom(Member memory m, uint256 borrowed, uint256 assets, Rules memory r)
        private
        view
        returns (uint256 byContribution, uint256 byMemberCap)
    {
        uint256 balance = _valueOf(m.units, assets, _totalUnits);
        uint256 base = balance > m.pledged ? balance - m.pledged : 0;
        uint256 cap = Math.mulDiv(base, r.loanToContributionBps, _BPS);
        byContribution = cap > borrowed ? cap - borrowed : 0;
        byMemberCap = r.maxLoanPerMember > borrowed ? r.maxLoanPerMember - borrowed : 0;
    }

    /// @dev What can be lent while the cash stays at or above the reserve share of the pool.
    function _lendable(uint256 cash, uint256 lent, uint256 reserveBps)
        private
        pure
        returns (uint256)
    {
        uint256 reserve = Math.mulDiv(cash + lent, reserveBps, _BPS, Math.Rounding.Ceil);
        return cash > reserve ? cash - reserve : 0;
    }

    /// @dev What must have been paid by the end of instalment `index` (1-based).
    function _cumulativeDue(uint256 loanId, Loan memory l, uint256 index)
        private
        view
        returns (uint256)
    {
        uint256 principalDue = l.flags & _CUSTOM != 0
            ? _schedules[loanId][index]
            : uint256(l.principal) * index / l.instalments;
        if (l.interest == 0) return principalDue;
        return principalDue + Math.mulDiv(l.interest, principalDue, l.principal);
    }

    /// @dev What must have been paid by now: the instalments whose due time has passed.
    function _dueNow(uint256 loanId, Loan memory l) private view returns (uint256) {
        uint256 elapsed = block.timestamp - l.disbursedAt;
        if (elapsed == 0) return 0;
        // Instalment k is due at disbursedAt + floor(term * k / n) and missed once that time
        // has passed: the missed ones are k < elapsed * n / term.
        uint256 missed = Math.mulDiv(elapsed, l.instalments, l.term, Math.Rounding.Ceil) - 1;
        if (missed == 0) return 0;
        if (missed > l.instalments) missed = l.instalments;
        return _cumulativeDue(loanId, l, missed);
    }

    function _state(uint256 loanId) private view returns (LoanState) {
        Loan storage stored = _loans[loanId];
        LoanStatus s = stored.status;
        if (s == LoanStatus.Active) {
            Loan memory l = stored;
            return _dueNow(loanId, l) > l.repaid ? LoanState.Overdue : LoanState.Active;
        }
        // The states after `Active` are shifted by one: `Overdue` has no stored status.
        return s < LoanStatus.Active ? LoanState(uint8(s)) : LoanState(uint8(s) + 1);
    }

    /// @dev Checks that question `questionIndex` of meeting `meetingId` of the cooperative's
    /// general meeting (the one its council, the decision executor, names) was accepted, with the
    /// protocol signed by the secretary and the chair, and carries `commitment` as its document
    /// hash; marks it used.
    function _useMeetingDecision(uint256 meetingId, uint8 questionIndex, bytes32 commitment)
        private
    {
        (address meeting, bytes32 actual,) = MeetingDecision.accepted(
            _charter.decisionExecutor(),
            meetingId,
            questionIndex,
            MutualAidFundNoGeneralMeeting.selector,
            MutualAidFundNotMeetingDecision.selector
        );
        if (actual != commitment) revert MutualAidFundDecisionMismatch(commitment, actual);
        bytes32 used = keccak256(abi.encode(meeting, meetingId, questionIndex));
        if (_usedDecisions[used]) revert MutualAidFundDecisionUsed(meetingId, questionIndex);
        _usedDecisions[used] = true;
    }

    function _writeOffCommitment(uint256 loanId, bytes32 document) private view returns (bytes32) {
        return keccak256(abi.encode(_WRITE_OFF_TYPEHASH, address(this), loanId, document));
    }

    function _rulesCommitment(Rules calldata r, bytes32 document) private view returns (bytes32) {
        return keccak256(
            abi.encode(
                _RULES_TYPEHASH,
                address(this),
                r.loanToContributionBps,
                r.reserveBps,
                r.interestBps,
                r.maxTerm,
                r.maxLoanPerMember,
                document
            )
        );
    }

    /// @dev Refuses `amount` over the room `max` a packed counter has left (one revert site for
    /// every bound: this contract is close to the code size limit).
    function _bound(uint256 amount, uint256 max) private pure {
        if (amount > max) revert MutualAidFundAmountTooLarge(amount, max);
    }

    /// @dev Set while a payment is being pulled in (transient: cleared at the end of the pull,
    /// and by the EVM at the end of the transaction).
    bool private transient _pulling;

    /// @dev Pulls `amount` from the sender and refuses to count what did not arrive (a
    /// fee-on-transfer or rounding rebasing token), nor a pull inside a pull (a token hook
    /// calling back, whose payment the outer measurement would count too).
    function _pull(uint256 amount) private {
        if (_pulling) revert MutualAidFundReentrantTransfer();
        _pulling = true;
        uint256 before = _token.balanceOf(address(this));
        _token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = _token.balanceOf(address(this)) - before;
        if (received < amount) revert MutualAidFundTransferShortfall(amount, received);
        _pulling = false;
    }
}
