// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IObligationSource} from "./IObligationSource.sol";

/// @title IMutualAidFund
/// @notice The mutual-aid fund (касса взаимопомощи) of one cooperative: members pool
/// contributions in the cooperative's payment token and lend to each other from the pool.
///
/// Contributions are shares of the pool: a contribution buys pool units, so interest received
/// raises and a written-off loss lowers every contributor's balance in proportion to what they
/// put in (`balanceOf`). Units are bought at the entry value (cash + lent principal + interest
/// fixed on open loans and not yet received) and sold at the exit value (cash + lent principal
/// - the unpaid principal of overdue and defaulted loans): a contributor cannot take a share of
/// the interest of loans made before they came in, nor leave at the pre-loss value a loss the
/// others would then carry (`valuation`). An overdue loan is marked down from the moment its
/// instalment is missed: withdrawals wait for `review` once a due time of an open loan has
/// passed since the last review (`MutualAidFundReviewDue`); anyone may call it.
///
/// A loan's life:
/// 1. An active member requests it (`requestLoan`): amount, term, number of instalments (equal
///    by default, or a custom split of the principal), the hash of the purpose document and
///    optional guarantors (active members) with the amount each pledges from their own
///    contribution. Each guarantor accepts (`acceptGuarantee`): that part of their balance is
///    then locked.
/// 2. The council approves it by decision (`approveLoan`, the charter's decision executor only).
///    Approval checks the fund's rules: the borrower's outstanding principal stays within a
///    multiple of their own free contribution, within the per-member cap, and the fund's cash
///    after lending stays at or above the reserve share of the pool. The interest (zero by
///    default; a general-meeting decision may set the rate) is fixed at approval.
/// 3. The borrower (or the executor) disburses it (`disburse`): the principal goes to the
///    borrower and the schedule starts: instalment i of n falls due at `disbursedAt + term * i /
///    n`.
/// 4. The borrower or an accepted guarantor repays (`repay`), early if they like. A loan whose
///    due instalments are not covered is `Overdue`; the council may then call the guarantors'
///    pledges (`callGuarantees`), which turns pledged contributions into repayment.
/// 5. A general-meeting decision may write the rest off (`writeOff`): the unpaid principal
///    leaves the pool and every contributor bears the loss pro rata.
///
/// Contributions are withdrawn (`withdraw`) only from the fund's cash (money lent out cannot be
/// withdrawn), and only down to what is neither pledged nor backing the member's own loans.
///
/// General-meeting decisions (a write-off, new rules) are read from the cooperative's
/// GeneralMeeting: the caller names the meeting and the question, which must be accepted, with
/// the protocol signed by the secretary and the chair, and whose document hash is the
/// operation's commitment, `keccak256(abi.encode(TYPEHASH, fund, arguments..., document))` with
/// the typehashes `MutualAidFund.writeOff(uint256 loanId,bytes32 document)` and
/// `MutualAidFund.setRules(...)` (computed off chain: `node.fund.write_off_commitment`,
/// `rules_commitment`). Each question authorises one operation.
///
/// The fund is an obligation source of the cooperative's Membership: a borrower with an
/// approved, unclosed loan or a guarantor with an accepted, unreleased pledge cannot exit. Key
/// recovery moves a member's balance, pledges and loans to the new address in O(1).
interface IMutualAidFund is IObligationSource {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice The charter's rules of the fund.
    struct Rules {
        /// @notice A borrower's outstanding principal may be at most this many basis points of
        /// their own contribution not pledged for others (20,000: twice the contribution).
        uint32 loanToContributionBps;
        /// @notice After a loan is approved, the fund's cash must stay at or above this share of
        /// the pool's value (basis points).
        uint16 reserveBps;
        /// @notice Annual simple interest in basis points, fixed for a loan at its approval.
        uint16 interestBps;
        /// @notice The longest loan term (seconds).
        uint32 maxTerm;
        /// @notice The most principal one member may owe at a time.
        uint128 maxLoanPerMember;
    }

    /// @notice The stored part of a loan's state.
    /// @dev `Requested`: waiting for guarantors and the council. `Approved`: the money is
    /// earmarked, not yet paid out. `Active`: disbursed (derived as `Overdue` in `loanState` when
    /// a due instalment is not covered). `Defaulted`: the guarantees were called and something is
    /// still owed. `Repaid`, `WrittenOff`, `Cancelled` (by the borrower) and `Rejected` (by the
    /// council) are closed.
    enum LoanStatus {
        None,
        Requested,
        Approved,
        Active,
        Defaulted,
        Repaid,
        WrittenOff,
        Cancelled,
        Rejected
    }

    /// @notice A loan's state now: the stored status, with `Overdue` for an active loan that
    /// missed an instalment.
    enum LoanState {
        None,
        Requested,
        Approved,
        Active,
        Overdue,
        Defaulted,
        Repaid,
        WrittenOff,
        Cancelled,
        Rejected
    }

    /// @notice What a member asks for.
    struct LoanRequest {
        /// @notice The principal, in the payment token's smallest units.
        uint256 amount;
        /// @notice Seconds from disbursement to the last instalment.
        uint32 term;
        /// @notice Number of instalments (1 to 255), equally spaced over the term.
        uint8 instalments;
        /// @notice Hash of the document that states the loan's purpose.
        bytes32 purpose;
        /// @notice Principal of each instalment; empty for equal instalments. When given, one
        /// amount per instalment, summing to `amount`.
        uint256[] schedule;
        /// @notice Members who guarantee the loan (at most 8, distinct, not the borrower).
        address[] guarantors;
        /// @notice The amount each guarantor pledges from their own contribution.
        uint256[] pledges;
    }

    /// @notice Everything stored about one loan, with its state now.
    struct LoanInfo {
        LoanState state;
        address borrower;
        uint256 principal;
        /// @notice Interest fixed at approval (zero before).
        uint256 interest;
        /// @notice Paid so far (by the borrower, guarantors and called pledges).
        uint256 repaid;
        uint32 term;
        uint8 instalments;
        bool customSchedule;
        uint40 disbursedAt;
        bytes32 purpose;
        /// @notice Number of guarantors named.
        uint8 guarantorCount;
        /// @notice Bit i set: guarantor i accepted.
        uint8 acceptedMask;
    }

    /// @notice One guarantee of a loan.
    struct GuaranteeInfo {
        address guarantor;
        uint256 amount;
        bool accepted;
    }

    /// @notice One member's position in the fund.
    struct MemberPosition {
        /// @notice Pool units held.
        uint256 units;
        /// @notice What the units are worth now.
        uint256 balance;
        /// @notice Pledged for other members' loans.
        uint256 pledged;
        /// @notice Outstanding principal of the member's own loans (approved or disbursed).
        uint256 borrowed;
        /// @notice The part of the balance that backs the member's own loans.
        uint256 lockedForLoans;
        /// @notice What the member could withdraw now (also limited by the fund's cash).
        uint256 withdrawable;
        /// @notice Approved loans not yet closed.
        uint256 openLoans;
        /// @notice Accepted pledges not yet released or called.
        uint256 openPledges;
    }

    /// @notice How the pool is valued: a contribution buys units at the entry value (`cash +
    /// lent + pendingInterest`, see `pool`), a withdrawal sells them at the exit value (`cash +
    /// lent - impaired`).
    struct Valuation {
        /// @notice Interest fixed on approved and open loans and not yet received.
        uint256 pendingInterest;
        /// @notice Unpaid principal of the loans marked down (overdue at the last review or at a
        /// call of guarantees, or defaulted).
        uint256 impaired;
        /// @notice Withdrawals need a `review` after this time (a due time of an open loan not
        /// marked down); the 40-bit maximum when no loan is open.
        uint256 reviewBy;
        /// @notice Disbursed loans not yet repaid or written off.
        uint256 openLoans;
    }

    /// @notice The pool as a whole.
    struct PoolInfo {
        /// @notice Tokens held and not earmarked for a loan.
        uint256 cash;
        /// @notice Principal approved or disbursed and not yet repaid or written off.
        uint256 lent;
        /// @notice Pool units outstanding.
        uint256 totalUnits;
        /// @notice Loans requested so far (ids are 1..loanCount).
        uint256 loanCount;
    }

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice `member` contributed `amount` and received `units` pool units.
    event Contributed(address indexed member, uint256 amount, uint256 units);

    /// @notice `member` withdrew `amount` by giving up `units` pool units.
    event Withdrawn(address indexed member, uint256 amount, uint256 units);

    /// @notice `borrower` requested loan `loanId` on the terms of `request`.
    event LoanRequested(uint256 indexed loanId, address indexed borrower, LoanRequest request);

    /// @notice `guarantor` accepted to pledge `amount` of their contribution for `loanId`.
    event GuaranteeAccepted(uint256 indexed loanId, address indexed guarantor, uint256 amount);

    /// @notice The council approved `loanId`; `interest` is fixed.
    event LoanApproved(uint256 indexed loanId, uint256 interest, bytes32 indexed decision);

    /// @notice The council rejected `loanId`.
    event LoanRejected(uint256 indexed loanId, bytes32 indexed decision);

    /// @notice The borrower cancelled `loanId` before disbursement.
    event LoanCancelled(uint256 indexed loanId);

    /// @notice The principal of `loanId` was paid to `borrower`; the schedule runs from now.
    event LoanDisbursed(uint256 indexed loanId, address indexed borrower, uint256 amount);

    /// @notice `payer` repaid `amount` of `loanId`; `repaid` is the total paid so far.
    event LoanRepaid(uint256 indexed loanId, address indexed payer, uint256 amount, uint256 repaid);

    /// @notice `loanId` is paid in full.
    event LoanClosed(uint256 indexed loanId);

    /// @notice `amount` of the pledge of `guarantor` was applied to `loanId` (the rest of the
    /// pledge, if any, is released).
    event GuaranteeCalled(uint256 indexed loanId, address indexed guarantor, uint256 amount);

    /// @notice The pledge of `guarantor` for `loanId` was released.
    event GuaranteeReleased(uint256 indexed loanId, address indexed guarantor, uint256 amount);

    /// @notice The council called the guarantees of overdue `loanId`; `outstanding` is still owed.
    event LoanDefaulted(uint256 indexed loanId, uint256 outstanding, bytes32 indexed decision);

    /// @notice A general-meeting decision wrote `loanId` off; the pool lost `loss` of principal.
    event LoanWrittenOff(
        uint256 indexed loanId,
        uint256 loss,
        uint256 meetingId,
        uint8 questionIndex,
        bytes32 indexed document
    );

    /// @notice Overdue or defaulted `loanId` is marked down: its `unpaidPrincipal` no longer
    /// counts in the exit value.
    event LoanMarkedDown(uint256 indexed loanId, uint256 unpaidPrincipal);

    /// @notice `loanId` caught up: its `unpaidPrincipal` counts in the exit value again.
    event LoanMarkDownLifted(uint256 indexed loanId, uint256 unpaidPrincipal);

    /// @notice The `openLoans` open loans were reviewed: `impaired` principal is marked down,
    /// withdrawals need no review until `reviewBy`.
    event FundReviewed(uint256 openLoans, uint256 impaired, uint256 reviewBy);

    /// @notice The fund's rules changed (at initialisation or by a general-meeting decision).
    event RulesChanged(Rules rules, bytes32 indexed document);

    /// @notice The fund position of `from` moved to `to` (key recovery).
    event FundMemberRebound(address indexed from, address indexed to);

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice A required address is zero.
    error MutualAidFundZeroAddress();

    /// @notice A required hash is zero.
    error MutualAidFundZeroHash();

    /// @notice A zero amount.
    error MutualAidFundZeroAmount();

    /// @notice Only the charter's decision executor may do this; `account` tried.
    error MutualAidFundNotDecisionExecutor(address account);

    /// @notice Only the cooperative's Membership may do this; `account` tried.
    error MutualAidFundNotMembership(address account);

    /// @notice `account` is not an active member.
    error MutualAidFundNotActiveMember(address account);

    /// @notice `account` may not repay `loanId` (only the borrower and accepted guarantors).
    error MutualAidFundNotAllowedPayer(uint256 loanId, address account);

    /// @notice `account` is not the borrower of `loanId`.
    error MutualAidFundNotBorrower(uint256 loanId, address account);

    /// @notice `account` is not a guarantor of `loanId`, or already accepted.
    error MutualAidFundNotGuarantor(uint256 loanId, address account);

    /// @notice No loan has this id.
    error MutualAidFundUnknownLoan(uint256 loanId);

    /// @notice The loan is not in a state that allows this (`state` is where it stands).
    error MutualAidFundUnexpectedLoanState(uint256 loanId, LoanState state);

    /// @notice The request's terms are malformed (term, instalments, schedule or guarantors).
    error MutualAidFundInvalidRequest();

    /// @notice The term is longer than the rules allow.
    error MutualAidFundTermTooLong(uint256 term, uint256 maxTerm);

    /// @notice Not every guarantor of `loanId` accepted yet.
    error MutualAidFundGuaranteesPending(uint256 loanId);

    /// @notice The borrower's outstanding principal would exceed the multiple of their own
    /// contribution: `requested` on top of what they owe, `available` still allowed.
    error MutualAidFundAboveContributionCap(address borrower, uint256 requested, uint256 available);

    /// @notice The borrower's outstanding principal would exceed the per-member cap.
    error MutualAidFundAboveMemberCap(address borrower, uint256 requested, uint256 available);

    /// @notice Lending `requested` would take the fund's cash below its reserve; `available` is
    /// what can be lent.
    error MutualAidFundBelowReserve(uint256 requested, uint256 available);

    /// @notice `account` asked for `requested` of their balance, but only `available` is free
    /// (the rest is pledged or backs their loans).
    error MutualAidFundBalanceLocked(address account, uint256 requested, uint256 available);

    /// @notice The fund's cash (`available`) does not cover `requested`: the rest is lent out.
    error MutualAidFundInsufficientCash(uint256 requested, uint256 available);

    /// @notice The repayment is more than what is still owed on `loanId` (`outstanding`).
    error MutualAidFundOverpayment(uint256 loanId, uint256 amount, uint256 outstanding);

    /// @notice The member takes part in too many loans at once (255 of each kind).
    error MutualAidFundTooManyLoans(address account);

    /// @notice The executor is not a council with a general meeting: no meeting decision can be
    /// read.
    error MutualAidFundNoGeneralMeeting();

    /// @notice Question `questionIndex` of meeting `meetingId` is not an accepted question of a
    /// held meeting with a signed protocol.
    error MutualAidFundNotMeetingDecision(uint256 meetingId, uint8 questionIndex);

    /// @notice The question's document hash is not the commitment of this operation.
    error MutualAidFundDecisionMismatch(bytes32 expected, bytes32 actual);

    /// @notice The meeting decision was already used.
    error MutualAidFundDecisionUsed(uint256 meetingId, uint8 questionIndex);

    /// @notice The rules are out of range (a reserve of 100% or more).
    error MutualAidFundInvalidRules();

    /// @notice `amount` would take a bounded amount past its bound: a loan's total due (112
    /// bits), a pledge or a member's pledges (96 bits), the pool's entry value or its units (128
    /// bits; for the units, `amount` is the units the contribution would buy). `max` is the most
    /// that would still fit.
    error MutualAidFundAmountTooLarge(uint256 amount, uint256 max);

    /// @notice All 2**32 - 1 party keys are taken.
    error MutualAidFundTooManyParties();

    /// @notice A due time of an open loan passed at `reviewBy`: call `review` before withdrawing.
    error MutualAidFundReviewDue(uint256 reviewBy);

    /// @notice A review must list every open loan: `listed` given, `open` open. (A listed loan
    /// that is not open: `MutualAidFundUnexpectedLoanState`; ids not increasing:
    /// `MutualAidFundInvalidRequest`.)
    error MutualAidFundReviewIncomplete(uint256 listed, uint256 open);

    /// @notice Key recovery to an address that already holds a fund position.
    error MutualAidFundRebindTargetInUse(address account);

    /// @notice The token delivered less than it was asked to move (a fee-on-transfer or
    /// rebasing token): nothing is credited.
    error MutualAidFundTransferShortfall(uint256 expected, uint256 received);

    /// @notice A payment into the fund started while another was under way (a token hook
    /// calling back).
    error MutualAidFundReentrantTransfer();

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice One-time set-up of a fresh clone.
    /// @param charter The cooperative's charter (decision executor, payment token).
    /// @param membership The cooperative's membership register.
    /// @param rules The fund's first rules.
    function initialize(address charter, address membership, Rules calldata rules) external;

    /// @notice The sender, an active member, contributes `amount` of the payment token (approve
    /// the fund first) and receives pool units at the entry value (see `Valuation`).
    function contribute(uint256 amount) external;

    /// @notice The sender withdraws `amount` of their balance (valued at the exit value): at
    /// most their free balance and at most the fund's cash. Reverts `MutualAidFundReviewDue`
    /// when a due time of an open loan passed since the last `review`.
    function withdraw(uint256 amount) external;

    /// @notice The sender, an active member, requests a loan.
    /// @return loanId The new loan's id (sequential from 1).
    function requestLoan(LoanRequest calldata request) external returns (uint256 loanId);

    /// @notice A named guarantor, an active member, accepts their pledge for `loanId` (a
    /// requested loan); that part of their free balance is locked until the loan closes.
    function acceptGuarantee(uint256 loanId) external;

    /// @notice The borrower withdraws a requested or approved (not yet disbursed) loan.
    function cancelLoan(uint256 loanId) external;

    /// @notice The council approves a requested loan whose guarantors all accepted, checking the
    /// fund's rules, and fixes its interest. Decision executor only.
    /// @param decision Hash of the council decision.
    function approveLoan(uint256 loanId, bytes32 decision) external;

    /// @notice The council rejects a requested or approved (not yet disbursed) loan. Decision
    /// executor only.
    function rejectLoan(uint256 loanId, bytes32 decision) external;

    /// @notice Pays an approved loan's principal to the borrower and starts its schedule. The
    /// borrower or the decision executor.
    function disburse(uint256 loanId) external;

    /// @notice The borrower or an accepted guarantor repays `amount` (approve the fund first),
    /// at any time before the loan closes; early repayment is allowed.
    function repay(uint256 loanId, uint256 amount) external;

    /// @notice The council calls the accepted guarantees of an overdue loan: each guarantor's
    /// pledge (at most their balance) is applied to what is owed. Decision executor only.
    function callGuarantees(uint256 loanId, bytes32 decision) external;

    /// @notice Writes off what is still owed on a disbursed loan, as an accepted question of a
    /// general meeting decided (its document hash: the write-off commitment of `loanId`, `document`).
    /// Anyone may submit it once the meeting's protocol is signed.
    function writeOff(uint256 loanId, bytes32 document, uint256 meetingId, uint8 questionIndex)
        external;

    /// @notice Brings the fund's view of its loans up to date, for anyone: marks down every
    /// overdue or defaulted loan and lifts the mark of a loan that caught up; withdrawals need no
    /// other review until the earliest due time of the loans not marked down.
    /// @param loanIds Every open (disbursed, not closed) loan, in increasing order (the loans
    /// whose `loanState` is Active, Overdue or Defaulted).
    function review(uint256[] calldata loanIds) external;

    /// @notice Sets the fund's rules, as an accepted question of a general meeting decided (its
    /// document hash: the rules commitment of `rules`, `document`). Applies to loans approved later.
    function setRules(
        Rules calldata rules,
        bytes32 document,
        uint256 meetingId,
        uint8 questionIndex
    ) external;

    /// @notice What the units of `member` are worth now, at the exit value.
    function balanceOf(address member) external view returns (uint256);

    /// @notice The fund position of `member`.
    function positionOf(address member) external view returns (MemberPosition memory);

    /// @notice The pool's cash, lent principal, units and loan count.
    function pool() external view returns (PoolInfo memory);

    /// @notice Pending interest, marked-down principal, when a review is next due, the number of
    /// open loans.
    function valuation() external view returns (Valuation memory);

    /// @notice The fund's rules.
    function rules() external view returns (Rules memory);

    /// @notice Everything stored about `loanId`.
    function loan(uint256 loanId) external view returns (LoanInfo memory);

    /// @notice The state of `loanId` now.
    function loanState(uint256 loanId) external view returns (LoanState);

    /// @notice The guarantees of `loanId`.
    function guaranteesOf(uint256 loanId) external view returns (GuaranteeInfo[] memory);

    /// @notice What must have been paid on `loanId` by the end of instalment `index` (1-based),
    /// and when that instalment falls due (zero before disbursement).
    function instalmentDue(uint256 loanId, uint256 index)
        external
        view
        returns (uint256 cumulativeDue, uint40 dueAt);

    /// @notice What is overdue on `loanId` now (zero unless it missed an instalment).
    function amountOverdue(uint256 loanId) external view returns (uint256);

    /// @notice What is still owed on `loanId` (principal plus interest minus repaid).
    function outstanding(uint256 loanId) external view returns (uint256);

    /// @notice The largest principal `borrower` could be approved for now, by the rules.
    function maxLoanFor(address borrower) external view returns (uint256);



    /// @notice The cooperative's charter.
    function charter() external view returns (address);

    /// @notice The cooperative's membership register.
    function membership() external view returns (address);

    /// @notice The payment token.
    function token() external view returns (address);
}
