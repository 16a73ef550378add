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
/// @notice A cooperative's money in named funds; see {ITreasury}. Beyond the four fixed funds,
/// the general meeting names funds of its own (`createNamedFund`): each takes its share of every
/// income first, and the four split the rest by the charter's percentages.
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
    /// @dev Bounds the loop of every distribution (gas: see benchmarks/named_funds_results.md).
    uint256 private constant _MAX_NAMED_FUNDS = 32;
    uint256 private constant _MAX_NAME_BYTES = 64;
    /// @dev `IGeneralMeeting.Majority.ThreeQuarters`.
    uint8 private constant _MAX_MAJORITY = 2;

    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @dev A named fund in one slot: 128 + 16 + 8 + 8 + 8 bits.
    struct NamedFundSlot {
        uint128 balance;
        uint16 shareBasisPoints;
        SpendRule rule;
        uint8 majority;
        bool indivisible;
    }

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
    /// @dev Slot 2: the development fund and the named funds' shares added up (basis points,
    /// at most 10,000), read by every distribution together with the fund.
    uint128 private _developmentFund;
    uint16 private _namedShares;
    mapping(bytes32 decision => bool) private _executed;
    /// @dev The register of the union the cooperative applied to (set by `joinUnion`): the only
    /// union whose ВРЕ the treasury trades in.
    address private _unionMembership;
    /// @dev The named funds by id (their index; never removed: a fund no longer wanted gets a
    /// zero share and is spent down), and their names.
    NamedFundSlot[] private _namedFunds;
    mapping(uint256 fundId => string) private _namedFundNames;
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
    /// @dev Named funds first: each gets floor(income * its basis points / 10,000); the four
    /// funds split the rest as before (floor each, the remainder to the reserve). The parts add
    /// up to the income exactly.
    function distributeIncome() public {
        uint256 income = _pendingIncome;
        if (income == 0) return;
        _pendingIncome = 0;
        uint256 rest = income;
        if (_namedShares != 0) {
            uint256 count = _namedFunds.length;
            uint256[] memory named = new uint256[](count);
            for (uint256 i; i < count; ++i) {
                NamedFundSlot storage f = _namedFunds[i];
                uint256 part = income * f.shareBasisPoints / _BASIS_POINTS;
                if (part == 0) continue;
                named[i] = part;
                // Cannot underflow: the shares add up to at most 10,000 basis points, so the
                // parts to at most the income.
                unchecked {
                    rest -= part;
                }
                f.balance += uint128(part);
            }
            emit NamedIncomeDistributed(income, named);
        }
        uint256[4] memory parts = _split(rest);
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
    /// @dev Only the general meeting decides which funds exist and how they are formed and used
    /// (Закон 3085-1 art. 18): the decision's majority must be at least the fund's own.
    function createNamedFund(
        string calldata name,
        uint16 shareBasisPoints,
        SpendRule rule,
        uint8 majority,
        bool indivisible,
        bytes32 regulation
    ) external onlyDecisionExecutor returns (uint256 fundId) {
        _checkRule(rule, majority);
        MeetingDecision.check(msg.sender, this.createNamedFund.selector, majority);
        uint256 length = bytes(name).length;
        if (length == 0 || length > _MAX_NAME_BYTES) revert TreasuryInvalidFundName();
        fundId = _namedFunds.length;
        if (fundId == _MAX_NAMED_FUNDS) revert TreasuryTooManyNamedFunds();
        distributeIncome();
        _setNamedShares(0, shareBasisPoints);
        _namedFunds.push(NamedFundSlot(0, shareBasisPoints, rule, majority, indivisible));
        _namedFundNames[fundId] = name;
        emit NamedFundCreated(
            fundId, name, shareBasisPoints, rule, majority, indivisible, regulation
        );
    }

    /// @inheritdoc ITreasury
    /// @dev A rule is loosened only by a decision as strong as the rule it loosens: the meeting
    /// decision needs the larger of the old and the new majority. Indivisible stays indivisible.
    function changeNamedFund(
        uint256 fundId,
        uint16 shareBasisPoints,
        SpendRule rule,
        uint8 majority,
        bool indivisible,
        bytes32 regulation
    ) external onlyDecisionExecutor {
        NamedFundSlot storage f = _namedFund(fundId);
        NamedFundSlot memory old = f;
        _checkRule(rule, majority);
        MeetingDecision.check(
            msg.sender,
            this.changeNamedFund.selector,
            majority > old.majority ? majority : old.majority
        );
        if (old.indivisible && !indivisible) revert TreasuryFundIndivisible(fundId);
        distributeIncome();
        _setNamedShares(old.shareBasisPoints, shareBasisPoints);
        f.shareBasisPoints = shareBasisPoints;
        f.rule = rule;
        f.majority = majority;
        f.indivisible = indivisible;
        emit NamedFundChanged(fundId, shareBasisPoints, rule, majority, indivisible, regulation);
    }

    /// @inheritdoc ITreasury
    /// @dev `Meeting`: the executor must be carrying out a meeting decision of at least the
    /// fund's majority (the meeting's protocol, signed by its secretary and chair, is the second
    /// key; `decision`, the question's document, is used once). While the executor is still the
    /// founders' key, and for `Council`, the decision is checked as for `payout`.
    function payoutNamed(uint256 fundId, address to, uint256 amount, bytes32 decision)
        external
        onlyDecisionExecutor
    {
        if (to == address(0)) revert TreasuryZeroAddress();
        if (amount == 0) revert TreasuryZeroAmount();
        NamedFundSlot storage f = _namedFund(fundId);
        if (f.rule == SpendRule.Meeting && msg.sender.code.length != 0) {
            MeetingDecision.check(msg.sender, this.payoutNamed.selector, f.majority);
            _useOnce(decision);
        } else {
            _useDecision(decision);
        }
        distributeIncome();
        uint256 available = f.balance;
        if (available < amount) revert TreasuryInsufficientNamedFund(fundId, available, amount);
        // Cannot underflow: checked just above; fits uint128 because `available` does.
        unchecked {
            f.balance = uint128(available - amount);
        }
        emit NamedFundPaidOut(fundId, to, amount, decision);
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
        return (
            selector == this.joinUnion.selector || selector == this.leaveUnion.selector
                || selector == this.createNamedFund.selector
                || selector == this.changeNamedFund.selector,
            0
        );
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
        if (income != 0) {
            (, uint256 named) = _namedParts(income);
            balances = _split(income - named);
        }
        balances[0] += _shareFund;
        balances[1] += _reserveFund;
        balances[2] += _mutualAidFund;
        balances[3] += _developmentFund;
    }

    /// @inheritdoc ITreasury
    function namedFundCount() external view returns (uint256) {
        return _namedFunds.length;
    }

    /// @inheritdoc ITreasury
    function namedFund(uint256 fundId) external view returns (NamedFund memory fund) {
        NamedFundSlot memory f = _namedFund(fundId);
        fund = NamedFund(
            _namedFundNames[fundId],
            f.balance + _pendingIncome * f.shareBasisPoints / _BASIS_POINTS,
            f.shareBasisPoints,
            f.rule,
            f.majority,
            f.indivisible
        );
    }

    /// @inheritdoc ITreasury
    function namedFundBalances() external view returns (uint256[] memory balances) {
        (balances,) = _namedParts(_pendingIncome);
        for (uint256 i; i < balances.length; ++i) {
            balances[i] += _namedFunds[i].balance;
        }
    }

    /// @inheritdoc ITreasury
    function namedSharesTotal() external view returns (uint256) {
        return _namedShares;
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

    /// @dev The named funds' parts of `income` (floor each) and their sum.
    function _namedParts(uint256 income)
        private
        view
        returns (uint256[] memory parts, uint256 total)
    {
        uint256 count = _namedFunds.length;
        parts = new uint256[](count);
        if (income == 0 || _namedShares == 0) return (parts, 0);
        for (uint256 i; i < count; ++i) {
            uint256 part = income * _namedFunds[i].shareBasisPoints / _BASIS_POINTS;
            parts[i] = part;
            total += part;
        }
    }

    function _namedFund(uint256 fundId) private view returns (NamedFundSlot storage) {
        if (fundId >= _namedFunds.length) revert TreasuryUnknownNamedFund(fundId);
        return _namedFunds[fundId];
    }

    function _checkRule(SpendRule rule, uint8 majority) private pure {
        if (majority > _MAX_MAJORITY || (rule == SpendRule.Council && majority != 0)) {
            revert TreasuryInvalidSpendRule(rule, majority);
        }
    }

    /// @dev The named funds' shares with one fund's `previous` share replaced by `next`: never
    /// over 100 % of income.
    function _setNamedShares(uint256 previous, uint256 next) private {
        uint256 total = _namedShares - previous + next;
        if (total > _BASIS_POINTS) revert TreasuryNamedSharesOver100(total);
        _namedShares = uint16(total);
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
        IDocumentRegistry registry = IDocumentRegistry(CloneArgs.addressAt(60));
        IDocumentRegistry.DocumentType documentType = registry.documentOf(decision).documentType;
        if (
            decision == bytes32(0)
                || (
                    documentType != IDocumentRegistry.DocumentType.CouncilDecision
                        && documentType != IDocumentRegistry.DocumentType.MeetingProtocol
                ) || registry.signedAt(decision, ICharter(_charter()).chair()) == 0
        ) revert TreasuryDecisionNotSigned(decision);
        _useOnce(decision);
    }

    /// @dev A decision moves money once.
    function _useOnce(bytes32 decision) private {
        if (decision == bytes32(0)) revert TreasuryDecisionNotSigned(decision);
        if (_executed[decision]) revert TreasuryDecisionAlreadyExecuted(decision);
        _executed[decision] = true;
    }
}
