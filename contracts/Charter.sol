// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {ICharter} from "./interfaces/ICharter.sol";
import {ICharterView} from "./interfaces/ICharterView.sol";
import {IMeetingReserved} from "./interfaces/IMeetingReserved.sol";
import {ITreasury} from "./interfaces/ITreasury.sol";
import {CloneArgs} from "./libraries/CloneArgs.sol";
import {MeetingDecision} from "./libraries/MeetingDecision.sol";

/// @title Charter
/// @notice A cooperative's rules and roles; see {ICharter}.
/// @dev Runs as an EIP-1167 clone whose immutable arguments are, packed:
/// `membership, shares, treasury, documents, settlementUnits, paymentToken` (20 bytes each),
/// `kind` (1), `councilSize` (1), the council (20 bytes each), `nameLength` (1), the name,
/// `symbolLength` (1), the symbol.
/// Only the general meeting (Закон 3085-1 art. 18) changes the charter document, the decision
/// executor and the proxy cap (by three quarters of those voting: a charter change), the chair,
/// the fees and the fund split (simple majority): see `reservedMajority`.
contract Charter is ICharter, IMeetingReserved, Initializable {
    /*//////////////////////////////////////////////////////////////
                               CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Role bit: attests bank payments.
    uint8 public constant ROLE_CASHIER = 1;
    /// @notice Role bit: attests identity checks (a branch trustee).
    uint8 public constant ROLE_VERIFIER = 2;

    uint256 private constant _BASIS_POINTS = 10_000;
    uint256 private constant _KIND_OFFSET = 120;
    uint256 private constant _COUNCIL_SIZE_OFFSET = 121;
    uint256 private constant _COUNCIL_OFFSET = 122;

    /// @dev `IGeneralMeeting.Majority`.
    uint8 private constant _SIMPLE = 0;
    uint8 private constant _THREE_QUARTERS = 2;

    /// @dev The proxy cap until a meeting sets one, and its bounds.
    uint8 private constant _DEFAULT_PROXY_CAP = 3;
    uint256 private constant _MAX_PROXY_CAP = 100;

    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev Slot 0: the executor and the fund split (four uint16 basis points, fund 0 lowest).
    address private _decisionExecutor;
    uint64 private _fundSplit;
    /// @dev Slot 1: the chair and the proxy cap (zero: `_DEFAULT_PROXY_CAP`).
    address private _chair;
    uint8 private _proxyCap;
    /// @dev Slot 2.
    bytes32 private _charterDocument;
    mapping(MemberKind kind => Fees) private _fees;
    mapping(address account => uint8 roles) private _roles;
    mapping(address account => bool appointed) private _auditors;

    /*//////////////////////////////////////////////////////////////
                               MODIFIERS
    //////////////////////////////////////////////////////////////*/

    modifier onlyDecisionExecutor() {
        if (msg.sender != _decisionExecutor) revert CharterNotDecisionExecutor(msg.sender);
        _;
    }

    /// @dev The executor, carrying out a general-meeting decision of at least `majority`.
    modifier onlyMeetingDecision(bytes4 selector) {
        if (msg.sender != _decisionExecutor) revert CharterNotDecisionExecutor(msg.sender);
        (, uint8 majority) = _reserved(selector);
        MeetingDecision.check(msg.sender, selector, majority);
        _;
    }

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    constructor() {
        _disableInitializers();
    }

    /// @inheritdoc ICharter
    function initialize(Config calldata config) external initializer {
        if (config.chair == address(0) || config.decisionExecutor == address(0)) {
            revert CharterZeroAddress();
        }
        if (config.charterDocument == bytes32(0)) revert CharterZeroHash();
        _chair = config.chair;
        _decisionExecutor = config.decisionExecutor;
        _charterDocument = config.charterDocument;
        _fees[MemberKind.Individual] = config.individualFees;
        _fees[MemberKind.Organisation] = config.organisationFees;
        _fundSplit = _packSplit(config.fundSplit);
        for (uint256 i = 0; i < config.cashiers.length; ++i) {
            _grant(config.cashiers[i], ROLE_CASHIER);
        }
        for (uint256 i = 0; i < config.verifiers.length; ++i) {
            _grant(config.verifiers[i], ROLE_VERIFIER);
        }
        emit ChairChanged(address(0), config.chair);
        emit DecisionExecutorChanged(address(0), config.decisionExecutor);
        emit CharterDocumentChanged(bytes32(0), config.charterDocument);
        emit FeesChanged(
            MemberKind.Individual,
            config.individualFees.entranceFee,
            config.individualFees.minimumShare
        );
        emit FeesChanged(
            MemberKind.Organisation,
            config.organisationFees.entranceFee,
            config.organisationFees.minimumShare
        );
        emit FundSplitChanged(config.fundSplit);
    }

    /// @inheritdoc ICharter
    function setDecisionExecutor(address newExecutor)
        external
        onlyMeetingDecision(this.setDecisionExecutor.selector)
    {
        if (newExecutor == address(0)) revert CharterZeroAddress();
        address previous = _decisionExecutor;
        _decisionExecutor = newExecutor;
        emit DecisionExecutorChanged(previous, newExecutor);
    }

    /// @inheritdoc ICharter
    function setChair(address newChair) external onlyMeetingDecision(this.setChair.selector) {
        if (newChair == address(0)) revert CharterZeroAddress();
        address previous = _chair;
        _chair = newChair;
        emit ChairChanged(previous, newChair);
    }

    /// @inheritdoc ICharter
    function setRoles(address account, uint8 roles) external onlyDecisionExecutor {
        if (account == address(0)) revert CharterZeroAddress();
        if (roles & ~(ROLE_CASHIER | ROLE_VERIFIER) != 0) revert CharterUnknownRoles(roles);
        _roles[account] = roles;
        emit RolesChanged(account, roles);
    }

    /// @inheritdoc ICharter
    function setFees(MemberKind kind_, Fees calldata newFees)
        external
        onlyMeetingDecision(this.setFees.selector)
    {
        _fees[kind_] = newFees;
        emit FeesChanged(kind_, newFees.entranceFee, newFees.minimumShare);
    }

    /// @inheritdoc ICharter
    /// @dev Income received so far is split by the old percentages first.
    function setFundSplit(uint16[4] calldata basisPoints)
        external
        onlyMeetingDecision(this.setFundSplit.selector)
    {
        uint64 packed = _packSplit(basisPoints);
        ITreasury(CloneArgs.addressAt(40)).distributeIncome();
        _fundSplit = packed;
        emit FundSplitChanged(basisPoints);
    }

    /// @inheritdoc ICharter
    function setCharterDocument(bytes32 newDocument)
        external
        onlyMeetingDecision(this.setCharterDocument.selector)
    {
        if (newDocument == bytes32(0)) revert CharterZeroHash();
        bytes32 previous = _charterDocument;
        _charterDocument = newDocument;
        emit CharterDocumentChanged(previous, newDocument);
    }

    /// @inheritdoc ICharter
    function setAuditor(address account, bool appointed) external {
        _onlyAuditorAppointer();
        if (account == address(0)) revert CharterZeroAddress();
        if (_auditors[account] == appointed) revert CharterAuditorUnchanged(account, appointed);
        _auditors[account] = appointed;
        emit AuditorChanged(account, appointed);
    }

    /// @inheritdoc ICharter
    function setProxyCap(uint8 cap) external onlyMeetingDecision(this.setProxyCap.selector) {
        if (cap == 0 || cap > _MAX_PROXY_CAP) revert CharterInvalidProxyCap(cap);
        uint8 previous = proxyCap();
        _proxyCap = cap;
        emit ProxyCapChanged(previous, cap);
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ICharter
    function proxyCap() public view returns (uint8) {
        uint8 cap = _proxyCap;
        return cap == 0 ? _DEFAULT_PROXY_CAP : cap;
    }

    /// @inheritdoc IMeetingReserved
    function reservedMajority(bytes4 selector) external pure returns (bool, uint8) {
        return _reserved(selector);
    }

    /// @inheritdoc ICharterView
    function decisionExecutor() external view returns (address) {
        return _decisionExecutor;
    }

    /// @inheritdoc ICharter
    function chair() external view returns (address) {
        return _chair;
    }

    /// @inheritdoc ICharter
    function charterDocument() external view returns (bytes32) {
        return _charterDocument;
    }

    /// @inheritdoc ICharter
    function fees(MemberKind kind_) external view returns (Fees memory) {
        return _fees[kind_];
    }

    /// @inheritdoc ICharter
    function fundSplit() external view returns (uint16[4] memory basisPoints) {
        uint64 packed = _fundSplit;
        for (uint256 i = 0; i < 4; ++i) {
            basisPoints[i] = uint16(packed >> uint64(16 * i));
        }
    }

    /// @inheritdoc ICharter
    function rolesOf(address account) external view returns (uint8) {
        return _roles[account];
    }

    /// @inheritdoc ICharter
    function isCashier(address account) external view returns (bool) {
        return _roles[account] & ROLE_CASHIER != 0;
    }

    /// @inheritdoc ICharter
    function isVerifier(address account) external view returns (bool) {
        return account == _chair || _roles[account] & ROLE_VERIFIER != 0;
    }

    /// @inheritdoc ICharter
    function isAuditor(address account) external view returns (bool) {
        return _auditors[account];
    }

    /// @inheritdoc ICharter
    function isOfficer(address account) external view returns (bool) {
        return account == _chair || account == _decisionExecutor || _roles[account] != 0;
    }

    /// @inheritdoc ICharter
    function name() external view returns (string memory) {
        uint256 offset = _COUNCIL_OFFSET + 20 * _councilSize();
        return string(CloneArgs.bytesAt(offset + 1, CloneArgs.uint8At(offset)));
    }

    /// @inheritdoc ICharter
    function symbol() external view returns (string memory) {
        uint256 offset = _COUNCIL_OFFSET + 20 * _councilSize();
        offset += 1 + CloneArgs.uint8At(offset);
        return string(CloneArgs.bytesAt(offset + 1, CloneArgs.uint8At(offset)));
    }

    /// @inheritdoc ICharter
    function kind() external view returns (CooperativeKind) {
        return CooperativeKind(CloneArgs.uint8At(_KIND_OFFSET));
    }

    /// @inheritdoc ICharter
    function initialCouncil() external view returns (address[] memory council) {
        uint256 size = _councilSize();
        council = new address[](size);
        for (uint256 i = 0; i < size; ++i) {
            council[i] = CloneArgs.addressAt(_COUNCIL_OFFSET + 20 * i);
        }
    }

    /// @inheritdoc ICharter
    function membership() external view returns (address) {
        return CloneArgs.addressAt(0);
    }

    /// @inheritdoc ICharter
    function shares() external view returns (address) {
        return CloneArgs.addressAt(20);
    }

    /// @inheritdoc ICharter
    function treasury() external view returns (address) {
        return CloneArgs.addressAt(40);
    }

    /// @inheritdoc ICharter
    function documents() external view returns (address) {
        return CloneArgs.addressAt(60);
    }

    /// @inheritdoc ICharter
    function settlementUnits() external view returns (address) {
        return CloneArgs.addressAt(80);
    }

    /// @inheritdoc ICharter
    function paymentToken() external view returns (address) {
        return CloneArgs.addressAt(100);
    }

    /*//////////////////////////////////////////////////////////////
                               INTERNALS
    //////////////////////////////////////////////////////////////*/

    function _reserved(bytes4 selector) private pure returns (bool, uint8) {
        if (
            selector == this.setCharterDocument.selector
                || selector == this.setDecisionExecutor.selector
                || selector == this.setProxyCap.selector
        ) return (true, _THREE_QUARTERS);
        if (
            selector == this.setChair.selector || selector == this.setFees.selector
                || selector == this.setFundSplit.selector || selector == this.setAuditor.selector
        ) return (true, _SIMPLE);
        return (false, _SIMPLE);
    }

    /// @dev Who may appoint and remove auditors: the general meeting (it elects the audit
    /// commission, Закон 3085-1 art. 18), through the decision executor.
    function _onlyAuditorAppointer() private view {
        if (msg.sender != _decisionExecutor) revert CharterNotAuditorAppointer(msg.sender);
        MeetingDecision.check(msg.sender, this.setAuditor.selector, _SIMPLE);
    }

    function _grant(address account, uint8 role) private {
        if (account == address(0)) revert CharterZeroAddress();
        uint8 roles = _roles[account] | role;
        _roles[account] = roles;
        emit RolesChanged(account, roles);
    }

    function _councilSize() private view returns (uint256) {
        return CloneArgs.uint8At(_COUNCIL_SIZE_OFFSET);
    }

    function _packSplit(uint16[4] calldata basisPoints) private pure returns (uint64 packed) {
        uint256 total;
        for (uint256 i = 0; i < 4; ++i) {
            total += basisPoints[i];
            packed |= uint64(basisPoints[i]) << uint64(16 * i);
        }
        if (total != _BASIS_POINTS) revert CharterInvalidFundSplit(total);
    }
}
