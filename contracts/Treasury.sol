// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ICharter} from "./interfaces/ICharter.sol";
import {ICouncil} from "./interfaces/ICouncil.sol";
import {IGeneralMeeting} from "./interfaces/IGeneralMeeting.sol";
import {IDocumentRegistry} from "./interfaces/IDocumentRegistry.sol";
import {IMeetingReserved} from "./interfaces/IMeetingReserved.sol";
import {IMembership} from "./interfaces/IMembership.sol";
import {ISettlementUnits} from "./interfaces/ISettlementUnits.sol";
import {ITreasury} from "./interfaces/ITreasury.sol";
import {CloneArgs} from "./libraries/CloneArgs.sol";
import {MeetingDecision} from "./libraries/MeetingDecision.sol";

/// @title Treasury
/// @notice A cooperative's money in named funds; see {ITreasury}.
/// @dev Runs as an EIP-1167 clone whose immutable arguments are
/// `charter, membership, shares, documents, paymentToken` (20 bytes each).
/// Tokens sent straight to the treasury (not through `collect` or `receiveIncome`, e.g. a union's
/// refund) are outside every fund: they cannot be paid out until the next version accounts them.
contract Treasury is ITreasury, IMeetingReserved {
    using SafeERC20 for IERC20;

    /*//////////////////////////////////////////////////////////////
                               CONSTANTS
    //////////////////////////////////////////////////////////////*/

    uint256 private constant _BASIS_POINTS = 10_000;
    uint256 private constant _FUND_COUNT = 4;

    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev Slot 0 is all a payment writes: the share fund and the income not yet split into
    /// the other funds (split lazily, by the charter's percentages at the time of the split).
    uint128 private _shareFund;
    uint128 private _pendingIncome;
    /// @dev Slot 1.
    uint128 private _reserveFund;
    uint128 private _mutualAidFund;
    /// @dev Slot 2.
    uint128 private _developmentFund;
    mapping(bytes32 decision => bool) private _executed;
    /// @dev The register of the union the cooperative applied to (set by `joinUnion`): the only
    /// union whose ВРЕ the treasury trades in.
    address private _unionMembership;
    /// @dev Set while a payment is being pulled in (transient: cleared at the end of the pull,
    /// and by the EVM at the end of the transaction).
    bool private transient _pulling;

    /*//////////////////////////////////////////////////////////////
                               MODIFIERS
    //////////////////////////////////////////////////////////////*/

    modifier onlyDecisionExecutor() {
        if (msg.sender != ICharter(_charter()).decisionExecutor()) {
            revert TreasuryNotDecisionExecutor(msg.sender);
        }
        _;
    }

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ITreasury
    function collect(address payer, uint256 entranceFee, uint256 shareAmount) external {
        if (msg.sender != CloneArgs.addressAt(20) && msg.sender != CloneArgs.addressAt(40)) {
            revert TreasuryNotModule(msg.sender);
        }
        _shareFund += SafeCast.toUint128(shareAmount);
        _pendingIncome += SafeCast.toUint128(entranceFee);
        emit FeesCollected(payer, entranceFee, shareAmount);
        uint256 total = entranceFee + shareAmount;
        // `payer` is always the module's own msg.sender (Membership.payFees, Shares.contribute):
        // only those two modules may call, so no one can pull another account's allowance.
        if (total != 0) _pull(payer, total);
    }

    /// @inheritdoc ITreasury
    function refund(address account, uint256 amount) external {
        if (msg.sender != CloneArgs.addressAt(40)) revert TreasuryNotModule(msg.sender);
        _debit(Fund.Share, amount);
        emit ShareRefunded(account, amount);
        _token().safeTransfer(account, amount);
    }

    /// @inheritdoc ITreasury
    function receiveIncome(uint256 amount, bytes32 document) external {
        if (amount == 0) revert TreasuryZeroAmount();
        _pendingIncome += SafeCast.toUint128(amount);
        emit IncomeReceived(msg.sender, amount, document);
        _pull(msg.sender, amount);
    }

    /// @inheritdoc ITreasury
    function distributeIncome() public {
        uint256 income = _pendingIncome;
        if (income == 0) return;
        uint256[4] memory parts = _split(income);
        _pendingIncome = 0;
        _shareFund += uint128(parts[0]);
        _reserveFund += uint128(parts[1]);
        _mutualAidFund += uint128(parts[2]);
        _developmentFund += uint128(parts[3]);
        emit IncomeDistributed(income, parts);
    }

    /// @inheritdoc ITreasury
    function payout(Fund fund, address to, uint256 amount, bytes32 decision)
        external
        onlyDecisionExecutor
    {
        if (to == address(0)) revert TreasuryZeroAddress();
        if (amount == 0) revert TreasuryZeroAmount();
        _useDecision(decision);
        distributeIncome();
        _debit(fund, amount);
        emit PaidOut(fund, to, amount, decision);
        _token().safeTransfer(to, amount);
    }

    /// @inheritdoc ITreasury
    /// @dev Only the general meeting decides to join a union (Закон 3085-1 art. 18).
    function joinUnion(address unionMembership, bytes32 identityHash, bytes32 applicationHash)
        external
        onlyDecisionExecutor
    {
        MeetingDecision.check(msg.sender, this.joinUnion.selector, 0);
        if (unionMembership == address(0)) revert TreasuryZeroAddress();
        _unionMembership = unionMembership;
        IMembership(unionMembership).applyToJoin(
            ICharter.MemberKind.Organisation, identityHash, applicationHash
        );
        emit UnionApplied(unionMembership, applicationHash);
    }

    /// @inheritdoc IMeetingReserved
    function reservedMajority(bytes4 selector) external pure returns (bool, uint8) {
        return (selector == this.joinUnion.selector || selector == this.leaveUnion.selector, 0);
    }

    /*//////////////////////////////////////////////////////////////
                  THE COOPERATIVE AS A MEMBER OF ITS UNION
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ITreasury
    function voteInUnion(uint256 meetingId, uint8[] calldata choices)
        external
        onlyDecisionExecutor
    {
        IGeneralMeeting(_unionMeeting()).castBallot(meetingId, choices);
        emit UnionBallotCast(_unionMembership, meetingId);
    }

    /// @inheritdoc ITreasury
    function demandUnionMeeting(bytes32 agendaHash) external onlyDecisionExecutor {
        IGeneralMeeting(_unionMeeting()).demandMeeting(agendaHash);
        emit UnionMeetingDemanded(_unionMembership, agendaHash);
    }

    /// @inheritdoc ITreasury
    function conveneUnionMeetingOnDemand(IGeneralMeeting.Convocation calldata convocation)
        external
        onlyDecisionExecutor
        returns (uint256 meetingId)
    {
        meetingId = IGeneralMeeting(_unionMeeting()).conveneOnDemand(convocation);
    }

    /// @inheritdoc ITreasury
    function signUnionProtocol(uint256 meetingId, bytes32 protocolHash)
        external
        onlyDecisionExecutor
    {
        IGeneralMeeting(_unionMeeting()).signProtocol(meetingId, protocolHash);
    }

    /// @inheritdoc ITreasury
    /// @dev Only the general meeting decides to leave a union (Закон 3085-1 art. 18).
    function leaveUnion(bytes32 applicationHash) external onlyDecisionExecutor {
        MeetingDecision.check(msg.sender, this.leaveUnion.selector, 0);
        address joined = _unionMembership;
        if (joined == address(0)) revert TreasuryNoUnion();
        IMembership(joined).requestExit(applicationHash);
        emit UnionExitRequested(joined, applicationHash);
    }

    /// @inheritdoc ITreasury
    /// @dev Pays at most what the decision approved, only to the union the cooperative applied
    /// to, and leaves no allowance behind: the union's fees are the union's to change, and a
    /// rise between the decision and its execution must not be paid unseen.
    function payUnionFees(
        address unionMembership,
        Fund fund,
        uint256 approvedAmount,
        bytes32 decision
    ) external onlyDecisionExecutor {
        if (unionMembership == address(0)) revert TreasuryZeroAddress();
        address joined = _unionMembership;
        if (unionMembership != joined) revert TreasuryWrongUnion(joined, unionMembership);
        ICharter union = ICharter(IMembership(unionMembership).charter());
        address token = CloneArgs.addressAt(80);
        if (union.paymentToken() != token) {
            revert TreasuryTokenMismatch(token, union.paymentToken());
        }
        _useDecision(decision);
        ICharter.Fees memory due = union.fees(ICharter.MemberKind.Organisation);
        uint256 total = uint256(due.entranceFee) + due.minimumShare;
        if (total > approvedAmount) revert TreasuryUnionFeesAboveApproved(total, approvedAmount);
        distributeIncome();
        _debit(fund, total);
        emit UnionFeesPaid(unionMembership, fund, total, decision);
        address unionTreasury = union.treasury();
        IERC20(token).forceApprove(unionTreasury, total);
        IMembership(unionMembership).payFees(address(this));
        // The union took exactly what it asked: the allowance is spent, none is left behind.
        uint256 left = IERC20(token).allowance(address(this), unionTreasury);
        if (left != 0) revert TreasuryUnionFeesMismatch(total, total - left);
    }

    /// @inheritdoc ITreasury
    function issueUnionObligation(
        address unionUnits,
        address debtor,
        uint256 amount,
        uint40 dueDate,
        bytes32 documentHash
    ) external onlyDecisionExecutor returns (uint256 obligationId) {
        obligationId =
            _unionUnits(unionUnits).issueObligation(debtor, amount, dueDate, documentHash);
        emit UnionObligationIssued(unionUnits, obligationId, debtor, amount, documentHash);
    }

    /// @inheritdoc ITreasury
    function acceptUnionObligation(address unionUnits, uint256 obligationId)
        external
        onlyDecisionExecutor
    {
        _unionUnits(unionUnits).acceptObligation(obligationId);
        emit UnionObligationAccepted(unionUnits, obligationId);
    }

    /// @inheritdoc ITreasury
    function payUnionObligation(address unionUnits, uint256 obligationId, uint256 amount)
        external
        onlyDecisionExecutor
    {
        _unionUnits(unionUnits).payObligation(obligationId, amount);
        emit UnionObligationPaid(unionUnits, obligationId, amount);
    }

    /// @inheritdoc ITreasury
    function cancelUnionObligation(address unionUnits, uint256 obligationId)
        external
        onlyDecisionExecutor
    {
        _unionUnits(unionUnits).cancelObligation(obligationId);
        emit UnionObligationCancelled(unionUnits, obligationId);
    }

    /// @inheritdoc ITreasury
    function rejectUnionObligation(address unionUnits, uint256 obligationId)
        external
        onlyDecisionExecutor
    {
        _unionUnits(unionUnits).rejectObligation(obligationId);
        emit UnionObligationRejected(unionUnits, obligationId);
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ITreasury
    function joinedUnion() external view returns (address) {
        return _unionMembership;
    }

    /// @inheritdoc ITreasury
    function fundBalance(Fund fund) external view returns (uint256) {
        return fundBalances()[uint256(fund)];
    }

    /// @inheritdoc ITreasury
    /// @dev Income not yet split is shown split by the charter's current percentages.
    function fundBalances() public view returns (uint256[4] memory balances) {
        uint256 income = _pendingIncome;
        if (income != 0) balances = _split(income);
        balances[0] += _shareFund;
        balances[1] += _reserveFund;
        balances[2] += _mutualAidFund;
        balances[3] += _developmentFund;
    }

    /// @inheritdoc ITreasury
    function pendingIncome() external view returns (uint256) {
        return _pendingIncome;
    }

    /// @inheritdoc ITreasury
    function paymentToken() external view returns (address) {
        return CloneArgs.addressAt(80);
    }

    /// @inheritdoc ITreasury
    function charter() external view returns (address) {
        return _charter();
    }

    /*//////////////////////////////////////////////////////////////
                               INTERNALS
    //////////////////////////////////////////////////////////////*/

    function _charter() private view returns (address) {
        return CloneArgs.addressAt(0);
    }

    /// @dev `unionUnits` checked to be the ВРЕ of the union the cooperative applied to.
    function _unionUnits(address unionUnits) private view returns (ISettlementUnits units) {
        address joined = _unionMembership;
        if (joined == address(0)) revert TreasuryNoUnion();
        if (unionUnits == address(0)) revert TreasuryZeroAddress();
        units = ISettlementUnits(unionUnits);
        address register = units.membership();
        if (register != joined) revert TreasuryWrongUnion(joined, register);
    }

    /// @dev The general meeting of the union the cooperative applied to: the union's decision
    /// executor is its council, which names the meeting.
    function _unionMeeting() private view returns (address) {
        address joined = _unionMembership;
        if (joined == address(0)) revert TreasuryNoUnion();
        address executor = ICharter(IMembership(joined).charter()).decisionExecutor();
        return ICouncil(executor).generalMeeting();
    }

    function _token() private view returns (IERC20) {
        return IERC20(CloneArgs.addressAt(80));
    }

    /// @dev `income` split by the charter's percentages; the rounding remainder goes to the
    /// reserve.
    function _split(uint256 income) private view returns (uint256[4] memory parts) {
        uint16[4] memory basisPoints = ICharter(_charter()).fundSplit();
        uint256 rest = income;
        for (uint256 i = 0; i < _FUND_COUNT; ++i) {
            uint256 part = income * basisPoints[i] / _BASIS_POINTS;
            parts[i] = part;
            rest -= part;
        }
        parts[uint256(Fund.Reserve)] += rest;
    }

    function _debit(Fund fund, uint256 amount) private {
        uint256 available;
        if (fund == Fund.Share) available = _shareFund;
        else if (fund == Fund.Reserve) available = _reserveFund;
        else if (fund == Fund.MutualAid) available = _mutualAidFund;
        else available = _developmentFund;
        if (available < amount) revert TreasuryInsufficientFund(fund, available, amount);
        // Cannot underflow: checked just above; fits uint128 because `available` does.
        uint128 left;
        unchecked {
            left = uint128(available - amount);
        }
        if (fund == Fund.Share) _shareFund = left;
        else if (fund == Fund.Reserve) _reserveFund = left;
        else if (fund == Fund.MutualAid) _mutualAidFund = left;
        else _developmentFund = left;
    }

    /// @dev Pulls `amount` from `payer` and refuses to count what did not arrive: the funds are
    /// credited `amount`, so the treasury's balance must grow by at least that much (a
    /// fee-on-transfer or rounding rebasing token falls short). A pull inside a pull (a token
    /// hook calling back) is refused: the outer measurement would count the inner payment too.
    function _pull(address payer, uint256 amount) private {
        if (_pulling) revert TreasuryReentrantTransfer();
        _pulling = true;
        IERC20 token = _token();
        uint256 before = token.balanceOf(address(this));
        // slither-disable-next-line arbitrary-send-erc20
        token.safeTransferFrom(payer, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received < amount) revert TreasuryTransferShortfall(amount, received);
        _pulling = false;
    }

    /// @dev A decision moves money once, and only when anchored as a council decision or meeting
    /// protocol and signed by the chair: the executor's call and the chair's signature are two keys.
    function _useDecision(bytes32 decision) private {
        if (_executed[decision]) revert TreasuryDecisionAlreadyExecuted(decision);
        IDocumentRegistry registry = IDocumentRegistry(CloneArgs.addressAt(60));
        IDocumentRegistry.DocumentType documentType = registry.documentOf(decision).documentType;
        if (
            decision == bytes32(0)
                || (
                    documentType != IDocumentRegistry.DocumentType.CouncilDecision
                        && documentType != IDocumentRegistry.DocumentType.MeetingProtocol
                ) || registry.signedAt(decision, ICharter(_charter()).chair()) == 0
        ) revert TreasuryDecisionNotSigned(decision);
        _executed[decision] = true;
    }
}
