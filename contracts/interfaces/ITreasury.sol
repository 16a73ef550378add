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

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Joining fees arrived from `payer`: `shareAmount` into the share fund, `entranceFee`
    /// as income to be split by the charter.
    event FeesCollected(address indexed payer, uint256 entranceFee, uint256 shareAmount);
    /// @notice Income arrived from `from`; it is split into funds by the next distribution.
    event IncomeReceived(address indexed from, uint256 amount, bytes32 document);
    /// @notice Pending income `amount` was split into the funds (share, reserve, mutual aid,
    /// development) by the charter's percentages.
    event IncomeDistributed(uint256 amount, uint256[4] parts);
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

    /// @notice Income received and not yet split into funds.
    function pendingIncome() external view returns (uint256);

    /// @notice The ERC-20 token the treasury holds.
    function paymentToken() external view returns (address);

    /// @notice The cooperative's charter.
    function charter() external view returns (address);
}
