// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IGeneralMeeting} from "./IGeneralMeeting.sol";

/// @title ITreasury
/// @notice Holds a cooperative's money in its ERC-20 payment token, accounted in named funds.
/// Entrance fees and other income are split into funds by the charter's percentages (lazily, in
/// one distribution before any payout or change of the percentages, so that a payment writes one
/// storage slot); share contributions go to the share fund, from which exits are refunded. Money leaves a fund only
/// by a decision: the decision executor calls, and the decision document must be anchored in
/// the cooperative's document registry and signed by the chair, so no single key moves money.
interface ITreasury {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice The cooperative's funds.
    enum Fund {
        Share,
        Reserve,
        MutualAid,
        Development
    }

    /// @notice Which decisions may spend a named fund: `Council`, any decision anchored as a
    /// council decision or meeting protocol and signed by the chair (as `payout`); `Meeting`,
    /// only a general-meeting decision taken by at least the fund's majority.
    enum SpendRule {
        Council,
        Meeting
    }

    /// @notice A fund the charter names beyond the four fixed ones (неделимый фонд, фонд
    /// накопления...), as `namedFund` answers it.
    struct NamedFund {
        /// The fund's name, as the meeting decided it.
        string name;
        /// Its balance, pending income counted as split by the current percentages.
        uint256 balance;
        /// Its share of every income, in basis points of the whole income.
        uint16 shareBasisPoints;
        /// Which decisions may spend it.
        SpendRule rule;
        /// The least majority (`IGeneralMeeting.Majority`: 0 simple, 1 two thirds, 2 three
        /// quarters) of a meeting decision that spends it (`Meeting`), sets or changes it.
        uint8 majority;
        /// Never refunded on exit, never divided among members; once set, never cleared.
        bool indivisible;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice Only the cooperative's membership or share register may do this.
    error TreasuryNotModule(address account);
    /// @notice Only the cooperative's decision executor may do this.
    error TreasuryNotDecisionExecutor(address account);
    /// @notice The fund holds less than asked.
    error TreasuryInsufficientFund(Fund fund, uint256 available, uint256 requested);
    /// @notice The decision is not anchored as a council decision or meeting protocol signed by
    /// the chair.
    error TreasuryDecisionNotSigned(bytes32 decision);
    /// @notice This decision has already moved money.
    error TreasuryDecisionAlreadyExecuted(bytes32 decision);
    /// @notice A required address is zero.
    error TreasuryZeroAddress();
    /// @notice The amount is zero.
    error TreasuryZeroAmount();
    /// @notice The union takes fees in another token than this cooperative holds.
    error TreasuryTokenMismatch(address expected, address actual);
    /// @notice The token delivered less than it was asked to move (a fee-on-transfer or
    /// rebasing token): nothing is credited.
    error TreasuryTransferShortfall(uint256 expected, uint256 received);
    /// @notice A payment into the treasury started while another was under way (a token hook
    /// calling back).
    error TreasuryReentrantTransfer();
    /// @notice The cooperative has not applied to any union.
    error TreasuryNoUnion();
    /// @notice The settlement units belong to the union with register `actual`, not to the
    /// union the cooperative applied to (`expected`).
    error TreasuryWrongUnion(address expected, address actual);
    /// @notice The union asks `due`, more than the decision approved (`approved`).
    error TreasuryUnionFeesAboveApproved(uint256 due, uint256 approved);
    /// @notice The union took `spent` instead of the `due` fees it asked.
    error TreasuryUnionFeesMismatch(uint256 due, uint256 spent);
    /// @notice There is no named fund `fundId`.
    error TreasuryUnknownNamedFund(uint256 fundId);
    /// @notice The named funds' shares would add up to `total` basis points, over 10,000.
    error TreasuryNamedSharesOver100(uint256 total);
    /// @notice A majority above three quarters (2), or a council rule with a majority.
    error TreasuryInvalidSpendRule(SpendRule rule, uint8 majority);
    /// @notice The name is empty or longer than 64 bytes.
    error TreasuryInvalidFundName();
    /// @notice The cooperative already has the most named funds (32).
    error TreasuryTooManyNamedFunds();
    /// @notice An indivisible fund stays indivisible: a change cannot clear the flag.
    error TreasuryFundIndivisible(uint256 fundId);
    /// @notice The named fund holds less than asked.
    error TreasuryInsufficientNamedFund(uint256 fundId, uint256 available, uint256 requested);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Joining fees arrived from `payer`: `shareAmount` into the share fund, `entranceFee`
    /// as income to be split by the charter.
    event FeesCollected(address indexed payer, uint256 entranceFee, uint256 shareAmount);
    /// @notice Income arrived from `from`; it is split into funds by the next distribution.
    event IncomeReceived(address indexed from, uint256 amount, bytes32 document);
    /// @notice Pending income `amount` was split into the funds (share, reserve, mutual aid,
    /// development) by the charter's percentages; with named funds, `parts` add up to what
    /// they left (`NamedIncomeDistributed`, emitted just before).
    event IncomeDistributed(uint256 amount, uint256[4] parts);
    /// @notice By a general-meeting decision, named fund `fundId` was created.
    event NamedFundCreated(
        uint256 indexed fundId,
        string name,
        uint16 shareBasisPoints,
        SpendRule rule,
        uint8 majority,
        bool indivisible,
        bytes32 regulation
    );
    /// @notice By a general-meeting decision, named fund `fundId`'s share, rule or flag changed.
    event NamedFundChanged(
        uint256 indexed fundId,
        uint16 shareBasisPoints,
        SpendRule rule,
        uint8 majority,
        bool indivisible,
        bytes32 regulation
    );
    /// @notice Of the pending income `amount` (the same distribution's `IncomeDistributed`),
    /// `parts[i]` went to named fund `i`; the four funds shared the rest.
    event NamedIncomeDistributed(uint256 amount, uint256[] parts);
    /// @notice Money left named fund `fundId` to `to` by `decision`.
    event NamedFundPaidOut(
        uint256 indexed fundId, address indexed to, uint256 amount, bytes32 decision
    );
    /// @notice A refund left the share fund to an exiting member.
    event ShareRefunded(address indexed account, uint256 amount);
    /// @notice Money left `fund` to `to` by `decision`.
    event PaidOut(Fund indexed fund, address indexed to, uint256 amount, bytes32 decision);
    /// @notice By decision, the cooperative cast its ballot in its union's meeting `meetingId`.
    event UnionBallotCast(address indexed unionMembership, uint256 indexed meetingId);
    /// @notice By decision, the cooperative joined the demand for an extraordinary union meeting.
    event UnionMeetingDemanded(address indexed unionMembership, bytes32 indexed agendaHash);
    /// @notice By a general-meeting decision, the cooperative asked to leave its union.
    event UnionExitRequested(address indexed unionMembership, bytes32 applicationHash);
    /// @notice The cooperative applied to join the union whose register is `unionMembership`.
    event UnionApplied(address indexed unionMembership, bytes32 applicationHash);
    /// @notice The cooperative paid its joining fees to a union from `fund` by `decision`.
    event UnionFeesPaid(
        address indexed unionMembership, Fund indexed fund, uint256 amount, bytes32 decision
    );
    /// @notice By decision, the cooperative invoiced `debtor` (another member cooperative's
    /// treasury) in the union's settlement units `unionUnits`.
    event UnionObligationIssued(
        address indexed unionUnits,
        uint256 indexed obligationId,
        address indexed debtor,
        uint256 amount,
        bytes32 documentHash
    );
    /// @notice By decision, the cooperative accepted an invoice in the union's units as a debt.
    event UnionObligationAccepted(address indexed unionUnits, uint256 indexed obligationId);
    /// @notice By decision, the cooperative paid `amount` units against its union obligation.
    event UnionObligationPaid(
        address indexed unionUnits, uint256 indexed obligationId, uint256 amount
    );
    /// @notice By decision, the cooperative cancelled an obligation it had issued in the union.
    event UnionObligationCancelled(address indexed unionUnits, uint256 indexed obligationId);
    /// @notice By decision, the cooperative rejected an invoice it had not accepted.
    event UnionObligationRejected(address indexed unionUnits, uint256 indexed obligationId);

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Pulls joining fees from `payer` (membership or shares only).
    function collect(address payer, uint256 entranceFee, uint256 shareAmount) external;

    /// @notice Pays `amount` from the share fund to `account` (shares only, on exit).
    function refund(address account, uint256 amount) external;

    /// @notice Pulls `amount` of income from the sender (split into funds by the next
    /// distribution).
    function receiveIncome(uint256 amount, bytes32 document) external;

    /// @notice Splits the pending income into funds by the charter's current percentages.
    /// Anyone may call; payouts and a change of the percentages call it first.
    function distributeIncome() external;

    /// @notice Pays `amount` from `fund` to `to` by `decision` (decision executor; the decision
    /// must be signed by the chair in the document registry).
    function payout(Fund fund, address to, uint256 amount, bytes32 decision) external;

    /// @notice Creates a named fund (only a general-meeting decision of at least `majority`):
    /// from the next distribution on it takes `shareBasisPoints` of every income before the
    /// four funds split the rest. `regulation` is the fund's regulation (положение о фонде).
    function createNamedFund(
        string calldata name,
        uint16 shareBasisPoints,
        SpendRule rule,
        uint8 majority,
        bool indivisible,
        bytes32 regulation
    ) external returns (uint256 fundId);

    /// @notice Changes a named fund's share, rule or flag (only a general-meeting decision of
    /// at least the fund's old and new majority; income so far is split by the old shares).
    function changeNamedFund(
        uint256 fundId,
        uint16 shareBasisPoints,
        SpendRule rule,
        uint8 majority,
        bool indivisible,
        bytes32 regulation
    ) external;

    /// @notice Pays `amount` from named fund `fundId` to `to` by `decision`, if the fund's rule
    /// allows that decision (decision executor).
    function payoutNamed(uint256 fundId, address to, uint256 amount, bytes32 decision) external;

    /// @notice Applies, as an organisation, to join a union of cooperatives (decision).
    function joinUnion(address unionMembership, bytes32 identityHash, bytes32 applicationHash)
        external;

    /// @notice Casts the cooperative's ballot (one member, one vote: the cooperative is one
    /// member of its union) in the union's general meeting, as its council or meeting decided.
    function voteInUnion(uint256 meetingId, uint8[] calldata choices) external;

    /// @notice Joins, by decision, the members' demand for an extraordinary union meeting.
    function demandUnionMeeting(bytes32 agendaHash) external;

    /// @notice Convenes, by decision, the union meeting the cooperative demanded with others
    /// when the union's council did not within its period.
    function conveneUnionMeetingOnDemand(IGeneralMeeting.Convocation calldata convocation)
        external
        returns (uint256 meetingId);

    /// @notice Signs, by decision, the protocol of a union meeting the cooperative keeps as
    /// secretary or presides.
    function signUnionProtocol(uint256 meetingId, bytes32 protocolHash) external;

    /// @notice Asks to leave the union (its exit then follows the union's own decision). Only a
    /// general-meeting decision of this cooperative.
    function leaveUnion(bytes32 applicationHash) external;

    /// @notice Pays the joining fees the union asks from `fund` (decision, signed by the chair),
    /// to the union the cooperative applied to, at most `approvedAmount` (what the decision
    /// approved); no allowance is left behind.
    function payUnionFees(
        address unionMembership,
        Fund fund,
        uint256 approvedAmount,
        bytes32 decision
    ) external;

    /// @notice Issues an obligation of `debtor` to this cooperative in the union's settlement
    /// units (decision executor; `unionUnits` must belong to the union the cooperative applied
    /// to, and both cooperatives must be active members there).
    function issueUnionObligation(
        address unionUnits,
        address debtor,
        uint256 amount,
        uint40 dueDate,
        bytes32 documentHash
    ) external returns (uint256 obligationId);

    /// @notice Accepts an invoice issued to this cooperative in the union's units (decision
    /// executor): it becomes an open debt, settled by payment or the union's clearing.
    function acceptUnionObligation(address unionUnits, uint256 obligationId) external;

    /// @notice Pays `amount` of the union units it owes against an accepted obligation
    /// (decision executor; within the cooperative's available units in the union).
    function payUnionObligation(address unionUnits, uint256 obligationId, uint256 amount)
        external;

    /// @notice Cancels an obligation this cooperative issued in the union (decision executor).
    function cancelUnionObligation(address unionUnits, uint256 obligationId) external;

    /// @notice Rejects an invoice issued to this cooperative in the union and not yet accepted
    /// (decision executor).
    function rejectUnionObligation(address unionUnits, uint256 obligationId) external;

    /// @notice The register of the union the cooperative applied to (zero: none).
    function joinedUnion() external view returns (address);

    /// @notice The balance of `fund`.
    function fundBalance(Fund fund) external view returns (uint256);

    /// @notice The balances of all funds (share, reserve, mutual aid, development), pending
    /// income counted as split by the current percentages.
    function fundBalances() external view returns (uint256[4] memory);

    /// @notice How many named funds the cooperative has (ids 0 .. count - 1).
    function namedFundCount() external view returns (uint256);

    /// @notice Named fund `fundId`, its balance counting pending income as split.
    function namedFund(uint256 fundId) external view returns (NamedFund memory);

    /// @notice The balances of all named funds, pending income counted as split.
    function namedFundBalances() external view returns (uint256[] memory);

    /// @notice The named funds' shares of income added up, in basis points.
    function namedSharesTotal() external view returns (uint256);

    /// @notice Income received and not yet split into funds.
    function pendingIncome() external view returns (uint256);

    /// @notice The ERC-20 token the treasury holds.
    function paymentToken() external view returns (address);

    /// @notice The cooperative's charter.
    function charter() external view returns (address);
}
