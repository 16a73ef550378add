// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMeetingReserved} from "./IMeetingReserved.sol";

/// @title ILabourRegister
/// @notice The labour and results register of one cooperative (41-ФЗ art. 1, 10, 12: members of
/// a production cooperative take part by their own labour; profit is distributed according to
/// each member's labour participation; labour and intellectual results may be contributed as a
/// share). One EIP-1167 clone per cooperative, installed by its decision executor through the
/// network's `LabourInstaller`.
///
/// Rates: a valuation rate (a price per hour or per result, in the payment token's smallest
/// units) is set by the council (`setRate`, the charter's decision executor). When the charter
/// reserves rates to the general meeting (`ratesByMeeting`, fixed at installation), `setRate`
/// needs an executed meeting decision (`IMeetingReserved`): a council item calling it is
/// refused.
///
/// Work: an active member records their own work (`record`): the task or project (a hash of its
/// reference), the period, the quantity (hours in hundredths for an hourly rate, a number of
/// results for a rate per result), the rate, and the hash of the results act («акт о
/// результатах») they sign. The valuation is computed on chain: `price * quantity / 100` for an
/// hourly rate, `price * quantity` per result. An approver (an account the council appointed,
/// `setApprover`, or the council itself) approves or rejects it, never the member who recorded
/// it. Approved work becomes either labour participation points of its period (`Use.Points`:
/// a claim on the period's surplus) or a share contribution (`Use.Shares`): the council then
/// carries out the contribution in one decision with two actions, `markContributed` here and
/// `Shares.creditInKind(member, value, shareValuation(recordId))` on the share register (which
/// only the decision executor may call).
///
/// Purchases (a consumer society's basis for cooperative payments) are recorded per period by
/// the council from the exchange's totals (`recordPurchases`, with the totals' document hash).
///
/// Distribution: a general-meeting decision approves a period's surplus, the basis (labour
/// participation or purchases) and the form (a payout in the payment token or shares): anyone
/// then calls `approveDistribution` naming the accepted question, whose document hash is the
/// commitment `keccak256(abi.encode(TYPEHASH, register, period, basis, form, surplus,
/// document))` with TYPEHASH = `keccak256("LabourRegister.distribute(uint32 period,uint8 basis,
/// uint8 form,uint128 surplus,bytes32 document)")`. It closes the period for that basis (no more
/// points count) and fixes the total and the participants. Parts are credited in batches
/// (`creditBatch`, a cursor over the participants in their order of first points): part =
/// floor(surplus * points / total) for each participant but the last, who gets the remainder
/// (`surplus` minus what the others received), so the parts add up to the surplus exactly and
/// everyone can recompute theirs from the recorded facts. A payout is funded first (the tokens
/// sent to the register, then `fundDistribution`) and its parts are claimed by the members
/// (`claim`); anyone may run its batches. A distribution in shares is run by the council only:
/// each decision carries `creditBatch` and the matching `Shares.creditInKind` calls
/// (`partValuation`).
interface ILabourRegister is IMeetingReserved {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice What a rate prices.
    enum Unit {
        /// @notice An hour of work (quantities in hundredths of an hour).
        Hour,
        /// @notice One result (quantities in whole results).
        Result
    }

    /// @notice Where a work record stands.
    enum Status {
        /// @notice No such record.
        None,
        /// @notice Recorded by the member, waiting for the approver.
        Recorded,
        /// @notice Approved as labour participation points of its period.
        Points,
        /// @notice Approved as a share contribution, waiting for the council to credit it.
        ApprovedForShares,
        /// @notice Credited as a share contribution.
        Contributed,
        /// @notice Rejected by the approver.
        Rejected
    }

    /// @notice What approved work becomes.
    enum Use {
        /// @notice Labour participation points of its period.
        Points,
        /// @notice A share contribution.
        Shares
    }

    /// @notice The facts a distribution divides by.
    enum Basis {
        /// @notice Labour participation (approved work of the period).
        Labour,
        /// @notice Purchases recorded for the period (a consumer society).
        Purchases
    }

    /// @notice How the parts are credited.
    enum Form {
        /// @notice The payment token, claimed by each member from the register.
        Payout,
        /// @notice Shares in kind, credited by the council.
        Shares
    }

    /// @notice A valuation rate.
    struct Rate {
        /// @notice The price per unit, in the payment token's smallest units.
        uint128 price;
        /// @notice What the price is for.
        Unit unit;
        /// @notice Whether work may still be recorded at this rate.
        bool active;
        /// @notice The hash of the decision that set it.
        bytes32 document;
    }

    /// @notice One member's record of work.
    struct WorkRecord {
        /// @notice Who did the work (and recorded it).
        address member;
        /// @notice The rate it is valued at.
        uint32 rateId;
        /// @notice The period it belongs to (a label such as 20264 for the fourth quarter of
        /// 2026).
        uint32 period;
        /// @notice Hundredths of an hour, or results.
        uint64 quantity;
        /// @notice Where it stands.
        Status status;
        /// @notice The valuation computed on chain.
        uint128 value;
        /// @notice The hash of the task or project reference.
        bytes32 task;
        /// @notice The hash of the results act the member signed.
        bytes32 act;
    }

    /// @notice What a general meeting decided to distribute.
    struct Terms {
        /// @notice The period whose surplus is distributed.
        uint32 period;
        /// @notice The facts the surplus is divided by.
        Basis basis;
        /// @notice How the parts are credited.
        Form form;
        /// @notice The amount distributed, in the payment token's smallest units.
        uint128 surplus;
    }

    /// @notice A distribution's state.
    struct Distribution {
        /// @notice The terms the meeting approved.
        Terms terms;
        /// @notice The period's total points when it was approved.
        uint128 totalPoints;
        /// @notice How many participants share it.
        uint32 participants;
        /// @notice How many participants were credited so far.
        uint32 cursor;
        /// @notice Whether the payout's tokens are in the register.
        bool funded;
        /// @notice The sum of the parts credited so far.
        uint128 credited;
        /// @notice The meeting's document hash.
        bytes32 document;
    }

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Rate `rateId` was set (or changed) to `price` per `unit` by decision `document`.
    event RateSet(uint32 indexed rateId, uint128 price, Unit unit, bool active, bytes32 document);
    /// @notice `account` was appointed (or removed as) an approver of work.
    event ApproverSet(address indexed account, bool appointed);
    /// @notice `member` recorded work `recordId`, valued `value`.
    event WorkRecorded(
        uint256 indexed recordId,
        address indexed member,
        uint32 indexed period,
        uint32 rateId,
        uint64 quantity,
        uint128 value,
        bytes32 task,
        bytes32 act
    );
    /// @notice `approver` approved work `recordId` for `use`.
    event WorkApproved(uint256 indexed recordId, address indexed approver, Use use);
    /// @notice `approver` rejected work `recordId` (the reason's hash).
    event WorkRejected(uint256 indexed recordId, address indexed approver, bytes32 reason);
    /// @notice Work `recordId` of `member` was credited as shares worth `value`.
    event WorkContributed(uint256 indexed recordId, address indexed member, uint128 value);
    /// @notice `member` gained `points` on `basis` in `period`.
    event PointsAdded(
        uint32 indexed period, Basis indexed basis, address indexed member, uint128 points
    );
    /// @notice Purchases of `period` were recorded from the totals document `document`.
    event PurchasesRecorded(uint32 indexed period, uint256 count, bytes32 document);
    /// @notice Distribution `distributionId` was approved by question `questionIndex` of meeting
    /// `meetingId`.
    event DistributionApproved(
        uint256 indexed distributionId,
        uint32 indexed period,
        Basis basis,
        Form form,
        uint128 surplus,
        uint128 totalPoints,
        uint32 participants,
        uint256 meetingId,
        uint8 questionIndex,
        bytes32 document
    );
    /// @notice The payout of `distributionId` is in the register.
    event DistributionFunded(uint256 indexed distributionId, uint128 amount);
    /// @notice `member` was credited `amount` from `distributionId`.
    event PartCredited(uint256 indexed distributionId, address indexed member, uint128 amount);
    /// @notice Every participant of `distributionId` was credited.
    event DistributionCompleted(uint256 indexed distributionId, uint128 credited);
    /// @notice `member` claimed `amount` of the payment token.
    event Claimed(address indexed member, uint256 amount);

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice An address given is zero.
    error LabourRegisterZeroAddress();
    /// @notice Only the cooperative's decision executor may do this; `account` tried.
    error LabourRegisterNotDecisionExecutor(address account);
    /// @notice `account` is not an active member.
    error LabourRegisterNotActiveMember(address account);
    /// @notice `account` may not approve work.
    error LabourRegisterNotApprover(address account);
    /// @notice A member may not approve their own work (`recordId`).
    error LabourRegisterSelfApproval(uint256 recordId, address account);
    /// @notice No rate `rateId`, or it no longer accepts work.
    error LabourRegisterInactiveRate(uint32 rateId);
    /// @notice An amount or quantity is zero.
    error LabourRegisterZeroAmount();
    /// @notice A required hash is zero.
    error LabourRegisterZeroHash();
    /// @notice An amount exceeds what the register can hold.
    error LabourRegisterAmountTooLarge(uint256 amount);
    /// @notice No record `recordId`.
    error LabourRegisterUnknownRecord(uint256 recordId);
    /// @notice Record `recordId` is `status`, not in the state the call needs.
    error LabourRegisterUnexpectedStatus(uint256 recordId, Status status);
    /// @notice `period` is closed for `basis`: its distribution was approved.
    error LabourRegisterPeriodClosed(uint32 period, Basis basis);
    /// @notice The lists given differ in length or are empty.
    error LabourRegisterInvalidLists();
    /// @notice The cooperative has no general meeting whose decisions could be read.
    error LabourRegisterNoGeneralMeeting();
    /// @notice Question `questionIndex` of meeting `meetingId` is not an accepted question of a
    /// held meeting with a signed protocol.
    error LabourRegisterNotMeetingDecision(uint256 meetingId, uint8 questionIndex);
    /// @notice The question's document hash `actual` is not the commitment `expected`.
    error LabourRegisterDecisionMismatch(bytes32 expected, bytes32 actual);
    /// @notice Question `questionIndex` of meeting `meetingId` was already used.
    error LabourRegisterDecisionUsed(uint256 meetingId, uint8 questionIndex);
    /// @notice Nobody has points on `basis` in `period`.
    error LabourRegisterNothingToDistribute(uint32 period, Basis basis);
    /// @notice No distribution `distributionId`.
    error LabourRegisterUnknownDistribution(uint256 distributionId);
    /// @notice Distribution `distributionId` is fully credited.
    error LabourRegisterDistributionComplete(uint256 distributionId);
    /// @notice Distribution `distributionId` is a payout not funded yet.
    error LabourRegisterNotFunded(uint256 distributionId);
    /// @notice Distribution `distributionId` is funded already or is not a payout.
    error LabourRegisterFundingNotExpected(uint256 distributionId);
    /// @notice The register holds `available` unreserved tokens; `needed` are required.
    error LabourRegisterInsufficientFunds(uint256 needed, uint256 available);
    /// @notice `account` has nothing to claim.
    error LabourRegisterNothingToClaim(address account);

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Wires a fresh clone to its cooperative (the installer, in the creating call).
    /// @param charter The cooperative's charter.
    /// @param ratesByMeeting Whether only a general-meeting decision may set rates.
    function initialize(address charter, bool ratesByMeeting) external;

    /// @notice Sets rate `rateId` (0: a new rate), by decision `document` (the decision executor;
    /// with a general-meeting decision when `ratesByMeeting`).
    /// @return id The rate's id (sequential from 1).
    function setRate(uint32 rateId, uint128 price, Unit unit, bool active, bytes32 document)
        external
        returns (uint32 id);

    /// @notice Appoints or removes an approver of work (the decision executor).
    function setApprover(address account, bool appointed) external;

    /// @notice The sender, an active member, records their work at rate `rateId`.
    /// @return recordId The record's id (sequential from 1).
    function record(uint32 rateId, uint32 period, uint64 quantity, bytes32 task, bytes32 act)
        external
        returns (uint256 recordId);

    /// @notice An approver (or the decision executor) approves work `recordId` for `use`.
    function approve(uint256 recordId, Use use) external;

    /// @notice An approver (or the decision executor) rejects work `recordId`.
    function reject(uint256 recordId, bytes32 reason) external;

    /// @notice Marks work `recordId`, approved for shares, as credited (the decision executor,
    /// in the decision that calls `Shares.creditInKind`).
    function markContributed(uint256 recordId) external;

    /// @notice Records purchases of `period` from the exchange totals `document` (the decision
    /// executor).
    function recordPurchases(
        uint32 period,
        address[] calldata members,
        uint128[] calldata amounts,
        bytes32 document
    ) external;

    /// @notice Approves a distribution by accepted question `questionIndex` of meeting
    /// `meetingId` (anyone; the question's document hash must be the commitment).
    /// @return distributionId The distribution's id (sequential from 1).
    function approveDistribution(
        Terms calldata terms,
        bytes32 document,
        uint256 meetingId,
        uint8 questionIndex
    ) external returns (uint256 distributionId);

    /// @notice Reserves the payout of `distributionId` from tokens already sent to the register
    /// (anyone).
    function fundDistribution(uint256 distributionId) external;

    /// @notice Credits the next `count` participants of `distributionId` (anyone for a funded
    /// payout; the decision executor for shares).
    /// @return credited How many participants this call credited.
    function creditBatch(uint256 distributionId, uint256 count) external returns (uint256 credited);

    /// @notice The sender takes out every payout credited to them.
    function claim() external;

    /// @notice The cooperative's charter.
    function charter() external view returns (address);

    /// @notice Whether only a general-meeting decision may set rates.
    function ratesByMeeting() external view returns (bool);

    /// @notice Rate `rateId`.
    function rate(uint32 rateId) external view returns (Rate memory);

    /// @notice How many rates exist.
    function rateCount() external view returns (uint32);

    /// @notice Whether `account` is an appointed approver.
    function isApprover(address account) external view returns (bool);

    /// @notice Work record `recordId`.
    function workRecord(uint256 recordId) external view returns (WorkRecord memory);

    /// @notice How many work records exist.
    function recordCount() external view returns (uint256);

    /// @notice `member`'s points on `basis` in `period`.
    function pointsOf(uint32 period, Basis basis, address member) external view returns (uint128);

    /// @notice The total points, participants and whether it is closed, of `period` on `basis`.
    function periodTotals(uint32 period, Basis basis)
        external
        view
        returns (uint128 total, uint32 participants, bool closed);

    /// @notice The `index`-th participant (from 0, in order of first points) of `period` on
    /// `basis`.
    function participantAt(uint32 period, Basis basis, uint256 index)
        external
        view
        returns (address);

    /// @notice Distribution `distributionId`.
    function distribution(uint256 distributionId) external view returns (Distribution memory);

    /// @notice How many distributions exist.
    function distributionCount() external view returns (uint256);

    /// @notice What `member` was credited from `distributionId`.
    function partOf(uint256 distributionId, address member) external view returns (uint128);

    /// @notice The payout `member` may claim.
    function claimable(address member) external view returns (uint256);

    /// @notice Tokens reserved for credited or uncredited payouts not yet claimed.
    function reserved() external view returns (uint256);

    /// @notice The document hash of the share contribution of work `recordId`
    /// (`keccak256(abi.encode(register, "work", recordId, act))`).
    function shareValuation(uint256 recordId) external view returns (bytes32);

    /// @notice The document hash of `member`'s share part of `distributionId`
    /// (`keccak256(abi.encode(register, "part", distributionId, member))`).
    function partValuation(uint256 distributionId, address member)
        external
        view
        returns (bytes32);

    /// @notice What the meeting's question must carry for `terms` and `document`.
    function distributionCommitment(Terms calldata terms, bytes32 document)
        external
        view
        returns (bytes32);
}
