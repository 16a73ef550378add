// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ICharterView} from "./interfaces/ICharterView.sol";
import {IMembershipView} from "./interfaces/IMembershipView.sol";
import {IObligationSource} from "./interfaces/IObligationSource.sol";
import {ISettlementUnits} from "./interfaces/ISettlementUnits.sol";
import {ISettlementUnitsInitializer} from "./interfaces/ISettlementUnitsInitializer.sol";
import {CloneEIP712} from "./libraries/CloneEIP712.sol";

/// @title SettlementUnits
/// @notice Internal settlement units (ВРЕ) of one cooperative: signed balances with credit
/// limits, obligations (invoices) between members, and multilateral set-off (взаимозачёт).
/// The rules for blocked and exiting members are documented on {ISettlementUnits}.
/// @dev Deployed once as an implementation and used through EIP-1167 clones, one per
/// cooperative: nothing here may be an immutable (a clone would read the implementation's
/// value), so the EIP-712 domain is computed from `address(this)` and `block.chainid` on use.
///
/// Members are known by a 32-bit key as well as by address. Obligations store keys, so a key
/// recovery (`rebindMember`) moves a member's whole position in O(1): one balance slot and the
/// key's address. Keys are handed out when a member first takes part; at that moment their
/// credit limit is fixed to the charter default, so a later change of the default can never put
/// an existing balance below its limit.
contract SettlementUnits is ISettlementUnits, Initializable {
    /*//////////////////////////////////////////////////////////////
                                CONSTANTS
    //////////////////////////////////////////////////////////////*/

    string private constant _NAME = unicode"Внутренние расчётные единицы";
    string private constant _SYMBOL = unicode"ВРЕ";
    string private constant _DOMAIN_NAME = unicode"Coopnode ВРЕ";
    string private constant _DOMAIN_VERSION = "1";

    bytes32 private constant _DOMAIN_NAME_HASH = keccak256(bytes(_DOMAIN_NAME));
    bytes32 private constant _DOMAIN_VERSION_HASH = keccak256(bytes(_DOMAIN_VERSION));

    /// @dev The struct a debtor signs to accept an obligation. It repeats the obligation's terms
    /// so that a wallet shows them and a signature made for other terms cannot accept this one.
    bytes32 private constant _ACCEPT_TYPEHASH = keccak256(
        "AcceptObligation(uint256 obligationId,address debtor,address creditor,uint256 amount,"
        "uint256 dueDate,bytes32 documentHash,uint256 deadline)"
    );

    /// @dev The largest amount the 128-bit accounting takes in one step.
    uint256 private constant _MAX_AMOUNT = type(uint128).max;

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev One slot per member: the signed balance, the credit limit and the member key.
    /// `key == 0` means the member has never taken part: balance 0, limit = the default.
    struct Member {
        int128 balance;
        uint96 creditLimit;
        uint32 key;
    }

    /// @dev The part of an obligation that payment and clearing touch: one slot.
    struct ObligationCore {
        uint128 outstanding;
        uint32 debtorKey;
        uint32 creditorKey;
        uint40 dueDate;
        ObligationStatus status;
    }

    /// @dev The terms as issued, read by views only.
    struct ObligationTerms {
        uint256 amount;
        bytes32 documentHash;
    }

    /// @dev Slot 0, read by every transfer: the register and the default limit together.
    IMembershipView private _membership;
    uint96 private _defaultCreditLimit;

    /// @dev Slot 1: the charter and the last member key handed out.
    ICharterView private _charter;
    uint32 private _lastKey;

    /// @dev Sum of the positive balances (= sum of the negative ones, negated): ERC-20 supply.
    uint256 private _totalSupply;

    uint256 private _obligationCount;

    mapping(address account => Member) private _members;
    mapping(uint32 key => address account) private _accountOf;
    mapping(uint32 key => uint256 count) private _openCount;
    mapping(uint256 obligationId => ObligationCore) private _obligations;
    mapping(uint256 obligationId => ObligationTerms) private _terms;
    mapping(address owner => mapping(address spender => uint256)) private _allowances;

    /*//////////////////////////////////////////////////////////////
                               INITIALISER
    //////////////////////////////////////////////////////////////*/

    constructor() {
        _disableInitializers();
    }

    /// @inheritdoc ISettlementUnitsInitializer
    function initialize(address charter_, address membership_, uint256 defaultCreditLimit_)
        external
        initializer
    {
        if (charter_ == address(0) || membership_ == address(0)) {
            revert SettlementUnitsZeroAddress();
        }
        if (defaultCreditLimit_ > type(uint96).max) {
            revert SettlementUnitsLimitTooLarge(defaultCreditLimit_);
        }
        _charter = ICharterView(charter_);
        _membership = IMembershipView(membership_);
        _defaultCreditLimit = uint96(defaultCreditLimit_);
        emit DefaultCreditLimitSet(0, defaultCreditLimit_);
    }

    /*//////////////////////////////////////////////////////////////
                              ERC-20 VIEW
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IERC20Metadata
    function name() external pure returns (string memory) {
        return _NAME;
    }

    /// @inheritdoc IERC20Metadata
    function symbol() external pure returns (string memory) {
        return _SYMBOL;
    }

    /// @inheritdoc IERC20Metadata
    function decimals() external pure returns (uint8) {
        return 18;
    }

    /// @inheritdoc IERC20
    /// @dev The sum of the positive balances, which equals the total debt of the negative ones.
    function totalSupply() external view returns (uint256) {
        return _totalSupply;
    }

    /// @inheritdoc IERC20
    /// @dev The positive part of the signed balance: a member in debt shows zero.
    function balanceOf(address account) external view returns (uint256) {
        int256 balance = _members[account].balance;
        return balance > 0 ? uint256(balance) : 0;
    }

    /// @inheritdoc IERC20
    function allowance(address owner, address spender) external view returns (uint256) {
        return _allowances[owner][spender];
    }

    /// @inheritdoc IERC20
    function approve(address spender, uint256 value) external returns (bool) {
        if (spender == address(0)) revert SettlementUnitsZeroAddress();
        _allowances[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    /// @inheritdoc IERC20
    function transfer(address to, uint256 value) external returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    /// @inheritdoc ISettlementUnits
    function transferWithDocument(address to, uint256 amount, bytes32 documentHash)
        external
        returns (bool)
    {
        _transfer(msg.sender, to, amount);
        emit TransferDocumented(msg.sender, to, amount, documentHash);
        return true;
    }

    /// @inheritdoc IERC20
    /// @dev An allowance of `type(uint256).max` is never decreased.
    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = _allowances[from][msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < value) {
                revert SettlementUnitsInsufficientAllowance(msg.sender, allowed, value);
            }
            // Cannot underflow: checked just above.
            unchecked {
                _allowances[from][msg.sender] = allowed - value;
            }
        }
        _transfer(from, to, value);
        return true;
    }

    /*//////////////////////////////////////////////////////////////
                         BALANCES AND LIMITS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ISettlementUnits
    function signedBalanceOf(address account) external view returns (int256) {
        return _members[account].balance;
    }

    /// @inheritdoc ISettlementUnits
    function availableOf(address account) external view returns (uint256) {
        (int256 balance, uint256 limit,) = _readMember(_members[account]);
        int256 available = balance + int256(limit);
        return available > 0 ? uint256(available) : 0;
    }

    /// @inheritdoc ISettlementUnits
    function creditLimitOf(address account) external view returns (uint256) {
        (, uint256 limit,) = _readMember(_members[account]);
        return limit;
    }

    /// @inheritdoc ISettlementUnits
    function defaultCreditLimit() external view returns (uint256) {
        return _defaultCreditLimit;
    }

    /// @inheritdoc ISettlementUnits
    function setCreditLimit(address member, uint256 limit) external {
        _onlyDecisionExecutor();
        if (member == address(0)) revert SettlementUnitsZeroAddress();
        if (limit > type(uint96).max) revert SettlementUnitsLimitTooLarge(limit);
        Member storage m = _members[member];
        (int256 balance, uint256 previous, uint256 key) = _readMember(m);
        if (balance < 0 && uint256(-balance) > limit) {
            revert SettlementUnitsLimitBelowDebt(member, limit, uint256(-balance));
        }
        if (key == 0) key = _assignKey(member);
        m.creditLimit = uint96(limit);
        m.key = uint32(key);
        emit CreditLimitSet(member, previous, limit);
    }

    /// @inheritdoc ISettlementUnits
    function setDefaultCreditLimit(uint256 limit) external {
        _onlyDecisionExecutor();
        if (limit > type(uint96).max) revert SettlementUnitsLimitTooLarge(limit);
        uint256 previous = _defaultCreditLimit;
        _defaultCreditLimit = uint96(limit);
        emit DefaultCreditLimitSet(previous, limit);
    }

    /*//////////////////////////////////////////////////////////////
                              OBLIGATIONS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ISettlementUnits
    function issueObligation(address debtor, uint256 amount, uint40 dueDate, bytes32 documentHash)
        external
        returns (uint256 obligationId)
    {
        if (amount == 0) revert SettlementUnitsZeroAmount();
        if (amount > _MAX_AMOUNT) revert SettlementUnitsAmountTooLarge(amount);
        if (debtor == msg.sender) revert SettlementUnitsSelfObligation(debtor);
        IMembershipView register = _membership;
        if (!register.isActiveMember(msg.sender)) revert SettlementUnitsNotActiveMember(msg.sender);
        if (!register.isActiveMember(debtor)) revert SettlementUnitsNotActiveMember(debtor);

        obligationId = ++_obligationCount;
        _obligations[obligationId] = ObligationCore({
            outstanding: uint128(amount),
            debtorKey: uint32(_keyOf(debtor)),
            creditorKey: uint32(_keyOf(msg.sender)),
            dueDate: dueDate,
            status: ObligationStatus.Issued
        });
        _terms[obligationId] = ObligationTerms({amount: amount, documentHash: documentHash});
        emit ObligationIssued(obligationId, msg.sender, debtor, amount, dueDate, documentHash);
    }

    /// @inheritdoc ISettlementUnits
    function acceptObligation(uint256 obligationId) external {
        ObligationCore storage o = _obligations[obligationId];
        if (_accountOf[o.debtorKey] != msg.sender || o.status == ObligationStatus.None) {
            revert SettlementUnitsNotDebtor(obligationId, msg.sender);
        }
        _accept(obligationId, o, msg.sender);
        emit ObligationAccepted(obligationId, msg.sender, false);
    }

    /// @inheritdoc ISettlementUnits
    function acceptObligationWithSignature(
        uint256 obligationId,
        uint256 deadline,
        bytes calldata signature
    ) external {
        if (block.timestamp > deadline) revert SettlementUnitsSignatureExpired(deadline);
        ObligationCore storage o = _obligations[obligationId];
        if (o.status != ObligationStatus.Issued) {
            revert SettlementUnitsUnexpectedStatus(obligationId, o.status);
        }
        address debtor = _accountOf[o.debtorKey];
        bytes32 digest = _acceptDigest(obligationId, o, deadline);
        if (!SignatureChecker.isValidSignatureNow(debtor, digest, signature)) {
            revert SettlementUnitsInvalidSignature(obligationId, debtor);
        }
        _accept(obligationId, o, debtor);
        emit ObligationAccepted(obligationId, debtor, true);
    }

    /// @inheritdoc ISettlementUnits
    function rejectObligation(uint256 obligationId) external {
        ObligationCore storage o = _obligations[obligationId];
        if (_accountOf[o.debtorKey] != msg.sender || o.status == ObligationStatus.None) {
            revert SettlementUnitsNotDebtor(obligationId, msg.sender);
        }
        if (o.status != ObligationStatus.Issued) {
            revert SettlementUnitsUnexpectedStatus(obligationId, o.status);
        }
        o.status = ObligationStatus.Rejected;
        emit ObligationRejected(obligationId, msg.sender);
    }

    /// @inheritdoc ISettlementUnits
    function cancelObligation(uint256 obligationId) external {
        ObligationCore storage o = _obligations[obligationId];
        uint32 creditorKey = o.creditorKey;
        ObligationStatus status = o.status;
        if (_accountOf[creditorKey] != msg.sender || status == ObligationStatus.None) {
            revert SettlementUnitsNotCreditor(obligationId, msg.sender);
        }
        if (status != ObligationStatus.Issued && status != ObligationStatus.Accepted) {
            revert SettlementUnitsUnexpectedStatus(obligationId, status);
        }
        uint256 waived = o.outstanding;
        o.outstanding = 0;
        o.status = ObligationStatus.Cancelled;
        if (status == ObligationStatus.Accepted) {
            --_openCount[o.debtorKey];
            --_openCount[creditorKey];
        }
        emit ObligationCancelled(obligationId, msg.sender, waived);
    }

    /// @inheritdoc ISettlementUnits
    function payObligation(uint256 obligationId, uint256 amount) external {
        if (amount == 0) revert SettlementUnitsZeroAmount();
        ObligationCore storage o = _obligations[obligationId];
        ObligationStatus status = o.status;
        if (_accountOf[o.debtorKey] != msg.sender || status == ObligationStatus.None) {
            revert SettlementUnitsNotDebtor(obligationId, msg.sender);
        }
        if (status != ObligationStatus.Accepted) {
            revert SettlementUnitsUnexpectedStatus(obligationId, status);
        }
        uint256 outstanding = o.outstanding;
        if (amount > outstanding) {
            revert SettlementUnitsExceedsOutstanding(obligationId, amount, outstanding);
        }
        // Cannot underflow: checked just above.
        unchecked {
            outstanding -= amount;
        }
        uint32 creditorKey = o.creditorKey;
        o.outstanding = uint128(outstanding);
        if (outstanding == 0) {
            o.status = ObligationStatus.Settled;
            --_openCount[o.debtorKey];
            --_openCount[creditorKey];
        }
        // Paying turns a debt into a balance and creates no credit: the debtor's limit applies,
        // membership status does not (see the rules on ISettlementUnits).
        _move(msg.sender, _accountOf[creditorKey], amount, true, true);
        emit ObligationPaid(obligationId, amount, outstanding);
    }

    /// @inheritdoc ISettlementUnits
    function obligation(uint256 obligationId) external view returns (ObligationInfo memory info) {
        ObligationCore storage o = _obligations[obligationId];
        ObligationTerms storage t = _terms[obligationId];
        info = ObligationInfo({
            debtor: _accountOf[o.debtorKey],
            creditor: _accountOf[o.creditorKey],
            status: o.status,
            dueDate: o.dueDate,
            amount: t.amount,
            outstanding: o.outstanding,
            documentHash: t.documentHash
        });
    }

    /// @inheritdoc ISettlementUnits
    function obligationCount() external view returns (uint256) {
        return _obligationCount;
    }

    /// @inheritdoc ISettlementUnits
    function openObligationCount(address account) external view returns (uint256) {
        uint32 key = _members[account].key;
        return key == 0 ? 0 : _openCount[key];
    }

    /*//////////////////////////////////////////////////////////////
                               CLEARING
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ISettlementUnits
    /// @dev Per-member nets are accumulated in an in-memory open-addressing hash table keyed by
    /// member key (at least four slots per entry, so at most half full), then every touched
    /// member is checked once. Open-obligation counters are updated once per member at the end.
    /// Membership status is not consulted: a balanced plan changes nobody's net position.
    function settleClearing(ClearingEntry[] calldata entries)
        external
        returns (uint256 totalCleared)
    {
        uint256 count = entries.length;
        if (count == 0) revert SettlementUnitsClearingEmpty();
        uint256 mask = _tableMask(count);
        // table[slot] = key | (obligations closed for that member << 32); 0 = free slot.
        uint256[] memory table = new uint256[](mask + 1);
        int256[] memory net = new int256[](mask + 1);

        for (uint256 i; i < count; ++i) {
            uint256 obligationId = entries[i].obligationId;
            uint256 amount = entries[i].amount;
            if (amount == 0) revert SettlementUnitsZeroAmount();
            ObligationCore storage o = _obligations[obligationId];
            // One SLOAD and one SSTORE per entry (the hot path). Layout of `ObligationCore`:
            // outstanding bits 0-127, debtorKey 128-159, creditorKey 160-191, dueDate 192-231,
            // status 232-239.
            uint256 word;
            assembly ("memory-safe") {
                word := sload(o.slot)
            }
            ObligationStatus status = ObligationStatus(uint8(word >> 232));
            uint256 outstanding = uint128(word);
            if (status != ObligationStatus.Accepted && status != ObligationStatus.Settled) {
                revert SettlementUnitsUnexpectedStatus(obligationId, status);
            }
            if (amount > outstanding) {
                revert SettlementUnitsExceedsOutstanding(obligationId, amount, outstanding);
            }
            uint256 closed;
            // Cannot overflow or underflow: amount <= outstanding < 2**128, and the total of at
            // most 2**64 such amounts fits 256 bits.
            unchecked {
                outstanding -= amount;
                totalCleared += amount;
                // Keep everything but the outstanding amount; mark settled when it reaches 0.
                word = (word >> 128 << 128) | outstanding;
                if (outstanding == 0) {
                    closed = 1 << 32;
                    word = (word & ~(uint256(0xff) << 232))
                        | (uint256(ObligationStatus.Settled) << 232);
                }
            }
            assembly ("memory-safe") {
                sstore(o.slot, word)
            }

            uint256 d = _tableSlot(table, mask, uint32(word >> 128));
            uint256 c = _tableSlot(table, mask, uint32(word >> 160));
            // Cannot overflow: |net| <= totalCleared < 2**255. `closed` adds at most `count`
            // to bits 32.. of a slot.
            unchecked {
                net[d] -= int256(amount);
                net[c] += int256(amount);
                table[d] += closed;
                table[c] += closed;
            }
            emit ObligationCleared(obligationId, amount, outstanding);
        }

        for (uint256 s; s <= mask; ++s) {
            uint256 slot = table[s];
            if (slot == 0) continue;
            uint32 key = uint32(slot);
            if (net[s] != 0) revert SettlementUnitsClearingUnbalanced(_accountOf[key], net[s]);
            uint256 closedCount = slot >> 32;
            if (closedCount != 0) _openCount[key] -= closedCount;
        }

        bytes32 planHash;
        assembly ("memory-safe") {
            // The entries are static (id, amount) pairs laid out back to back in calldata.
            let ptr := mload(0x40)
            let size := mul(count, 0x40)
            calldatacopy(ptr, entries.offset, size)
            planHash := keccak256(ptr, size)
        }
        emit ClearingSettled(msg.sender, planHash, count, totalCleared);
    }

    /*//////////////////////////////////////////////////////////////
                        MEMBERSHIP INTEGRATION
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IObligationSource
    function hasOpenObligations(address member) external view returns (bool) {
        Member storage m = _members[member];
        uint32 key = m.key;
        return m.balance != 0 || (key != 0 && _openCount[key] != 0);
    }

    /// @inheritdoc IObligationSource
    /// @dev Moves the balance slot (balance, limit, key) and points the key at `to`; obligations
    /// refer to the key, so they follow. Allowances stay with the old address (which, no longer
    /// a member and holding nothing, can move nothing).
    function rebindMember(address from, address to) external {
        if (msg.sender != address(_membership)) revert SettlementUnitsUnauthorized(msg.sender);
        if (to == address(0)) revert SettlementUnitsZeroAddress();
        Member memory m = _members[from];
        Member storage target = _members[to];
        if (target.key != 0 || target.balance != 0) revert SettlementUnitsRebindTargetInUse(to);
        if (m.key != 0) {
            _members[to] = m;
            delete _members[from];
            _accountOf[m.key] = to;
        }
        emit MemberRebound(from, to);
    }

    /*//////////////////////////////////////////////////////////////
                                EIP-712
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ISettlementUnits
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() public view returns (bytes32) {
        return CloneEIP712.domainSeparator(_DOMAIN_NAME_HASH, _DOMAIN_VERSION_HASH);
    }

    /// @inheritdoc IERC5267
    function eip712Domain()
        external
        view
        returns (
            bytes1 fields,
            string memory name_,
            string memory version,
            uint256 chainId,
            address verifyingContract,
            bytes32 salt,
            uint256[] memory extensions
        )
    {
        return (
            hex"0f", // name, version, chainId, verifyingContract
            _DOMAIN_NAME,
            _DOMAIN_VERSION,
            block.chainid,
            address(this),
            bytes32(0),
            new uint256[](0)
        );
    }

    /// @inheritdoc ISettlementUnits
    function acceptDigest(uint256 obligationId, uint256 deadline) external view returns (bytes32) {
        return _acceptDigest(obligationId, _obligations[obligationId], deadline);
    }

    /// @inheritdoc ISettlementUnits
    function charter() external view returns (address) {
        return address(_charter);
    }

    /// @inheritdoc ISettlementUnits
    function membership() external view returns (address) {
        return address(_membership);
    }

    /*//////////////////////////////////////////////////////////////
                           PRIVATE HELPERS
    //////////////////////////////////////////////////////////////*/

    /// @dev Moves units, enforcing the credit limit and the membership rules. `fromActive` and
    /// `toActive` say whether the parties count as active members for this movement.
    function _move(address from, address to, uint256 amount, bool fromActive, bool toActive)
        private
    {
        if (amount > _MAX_AMOUNT) revert SettlementUnitsAmountTooLarge(amount);
        if (to == address(0)) revert SettlementUnitsZeroAddress();
        // The recipient is read after the sender is written, so a transfer to oneself nets out
        // (and so does its supply change). Two statements: Solidity does not fix the order in
        // which the operands of `+` are evaluated (the legacy code generator does the right one
        // first), and a transfer to oneself must be checked against the limit before crediting.
        int256 supplyDelta = _debit(from, amount, fromActive);
        supplyDelta += _credit(to, amount, toActive);
        // The supply (sum of positive balances) changes only when a balance crosses or stays
        // below zero; between members in credit it does not, and costs nothing.
        if (supplyDelta != 0) {
            // Cannot underflow: the supply is the sum of the positive balances.
            unchecked {
                _totalSupply = uint256(int256(_totalSupply) + supplyDelta);
            }
        }
        emit Transfer(from, to, amount);
    }

    /// @dev Takes `amount` (< 2**128) from `from`; returns the change of its positive part.
    function _debit(address from, uint256 amount, bool active) private returns (int256) {
        Member storage f = _members[from];
        (int256 before, uint256 limit, uint256 key) = _readMember(f);
        int256 after_;
        // Cannot overflow: both operands are below 2**128 in absolute value.
        unchecked {
            after_ = before - int256(amount);
        }
        if (active) {
            if (after_ < -int256(limit)) {
                int256 available = before + int256(limit);
                revert SettlementUnitsInsufficientAvailable(
                    from, available > 0 ? uint256(available) : 0, amount
                );
            }
        } else if (before <= 0 || after_ < 0) {
            // Not active: may only spend a positive balance down to zero.
            revert SettlementUnitsNotActiveMember(from);
        }
        if (key == 0) key = _assignKey(from);
        _writeMember(f, after_, limit, key);
        return _positive(after_) - _positive(before);
    }

    /// @dev Gives `amount` (< 2**128) to `to`; returns the change of its positive part.
    function _credit(address to, uint256 amount, bool active) private returns (int256) {
        Member storage t = _members[to];
        (int256 before, uint256 limit, uint256 key) = _readMember(t);
        int256 after_;
        // Cannot overflow: both operands are below 2**128 in absolute value.
        unchecked {
            after_ = before + int256(amount);
        }
        if (!active && (before >= 0 || after_ > 0)) {
            // Not active: may only be paid back from a negative balance up to zero.
            revert SettlementUnitsNotActiveMember(to);
        }
        if (after_ > type(int128).max) revert SettlementUnitsAmountTooLarge(amount);
        if (key == 0) key = _assignKey(to);
        _writeMember(t, after_, limit, key);
        return _positive(after_) - _positive(before);
    }

    /// @dev A transfer proper: membership status decides what the parties may do.
    function _transfer(address from, address to, uint256 amount) private {
        IMembershipView register = _membership;
        _move(from, to, amount, register.isActiveMember(from), register.isActiveMember(to));
    }

    /// @dev One SLOAD: the signed balance, the limit (the default for a member who has not
    /// taken part yet, key 0) and the key.
    function _readMember(Member storage m)
        private
        view
        returns (int256 signedBalance, uint256 limit, uint256 key)
    {
        uint256 word;
        assembly ("memory-safe") {
            word := sload(m.slot)
            // Layout of `Member`: balance bits 0-127, creditLimit 128-223, key 224-255.
            signedBalance := signextend(15, word)
            limit := and(shr(128, word), 0xffffffffffffffffffffffff)
            key := shr(224, word)
        }
        if (key == 0) limit = _defaultCreditLimit;
    }

    /// @dev One SSTORE of the whole slot. The caller keeps `signedBalance` within int128 and `limit`
    /// within uint96; `key` within uint32 comes from `_assignKey`.
    function _writeMember(Member storage m, int256 signedBalance, uint256 limit, uint256 key) private {
        assembly ("memory-safe") {
            let word := or(shl(224, key), shl(128, limit))
            sstore(m.slot, or(word, and(signedBalance, 0xffffffffffffffffffffffffffffffff)))
        }
    }

    /// @dev The member key of `account`, handing one out (and fixing the limit) if needed.
    function _keyOf(address account) private returns (uint256 key) {
        Member storage m = _members[account];
        key = m.key;
        if (key == 0) {
            key = _assignKey(account);
            m.creditLimit = _defaultCreditLimit;
            m.key = uint32(key);
        }
    }

    /// @dev Hands out the next key; the caller stores it (and the pinned limit) in the slot.
    function _assignKey(address account) private returns (uint256 key) {
        key = ++_lastKey;
        _accountOf[uint32(key)] = account;
    }

    function _accept(uint256 obligationId, ObligationCore storage o, address debtor) private {
        ObligationStatus status = o.status;
        if (status != ObligationStatus.Issued) {
            revert SettlementUnitsUnexpectedStatus(obligationId, status);
        }
        uint32 creditorKey = o.creditorKey;
        address creditor = _accountOf[creditorKey];
        IMembershipView register = _membership;
        if (!register.isActiveMember(debtor)) revert SettlementUnitsNotActiveMember(debtor);
        if (!register.isActiveMember(creditor)) revert SettlementUnitsNotActiveMember(creditor);
        o.status = ObligationStatus.Accepted;
        ++_openCount[o.debtorKey];
        ++_openCount[creditorKey];
    }

    function _acceptDigest(uint256 obligationId, ObligationCore storage o, uint256 deadline)
        private
        view
        returns (bytes32)
    {
        ObligationTerms storage t = _terms[obligationId];
        bytes32 structHash = keccak256(
            abi.encode(
                _ACCEPT_TYPEHASH,
                obligationId,
                _accountOf[o.debtorKey],
                _accountOf[o.creditorKey],
                t.amount,
                uint256(o.dueDate),
                t.documentHash,
                deadline
            )
        );
        return CloneEIP712.hashTypedData(_DOMAIN_NAME_HASH, _DOMAIN_VERSION_HASH, structHash);
    }

    function _onlyDecisionExecutor() private view {
        if (msg.sender != _charter.decisionExecutor()) revert SettlementUnitsUnauthorized(msg.sender);
    }

    /// @dev Size - 1 of the clearing hash table: a power of two of at least 4 slots per entry.
    function _tableMask(uint256 count) private pure returns (uint256 mask) {
        mask = 3;
        // Cannot overflow: calldata bounds `count` far below 2**250.
        unchecked {
            while (mask + 1 < count << 2) mask = (mask << 1) | 1;
        }
    }

    /// @dev The table slot of member `key` (linear probing), claiming a free slot if needed.
    function _tableSlot(uint256[] memory table, uint256 mask, uint256 key)
        private
        pure
        returns (uint256 slot)
    {
        // Cannot overflow: products of 32-bit keys and a 32-bit constant; the table is at most
        // half full, so the probe ends.
        unchecked {
            slot = (key * 0x9E3779B1) & mask;
            while (true) {
                uint256 entry = table[slot];
                if (entry == 0) {
                    table[slot] = key;
                    return slot;
                }
                if (uint32(entry) == key) return slot;
                slot = (slot + 1) & mask;
            }
        }
    }

    function _positive(int256 value) private pure returns (int256) {
        return value > 0 ? value : int256(0);
    }
}
