// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {ICharter} from "./interfaces/ICharter.sol";
import {ICharterView} from "./interfaces/ICharterView.sol";
import {IMembership} from "./interfaces/IMembership.sol";
import {IMembershipView} from "./interfaces/IMembershipView.sol";
import {IObligationSource} from "./interfaces/IObligationSource.sol";
import {ISettlementUnits} from "./interfaces/ISettlementUnits.sol";
import {ISettlementUnitsInitializer} from "./interfaces/ISettlementUnitsInitializer.sol";
import {CloneEIP712Domain} from "./libraries/CloneEIP712Domain.sol";

/// @title SettlementUnits
/// @notice Internal settlement units (ВРЕ) of one cooperative: signed balances with credit
/// limits, obligations (invoices) between members, and multilateral set-off (взаимозачёт).
/// The rules for blocked and exiting members are documented on {ISettlementUnits}.
/// @dev Deployed once as an implementation and used through EIP-1167 clones, one per
/// cooperative: an immutable here is the implementation's value, the same for every clone (only
/// the EIP-712 name and version are, in {CloneEIP712Domain}); the domain's chain and verifying
/// contract are taken from `block.chainid` and `address(this)` on use.
///
/// Members are known by a 31-bit key as well as by address. Obligations store keys, so a key
/// recovery (`rebindMember`) moves a member's whole position in O(1): one balance slot and the
/// key's address. Keys are handed out when a member first takes part; at that moment their
/// credit limit is fixed to the charter default, so a later change of the default can never put
/// an existing balance below its limit.
///
/// Membership status is cached in one bit of the member's balance slot: set lazily, in the slot
/// write a movement does anyway, once Membership has said "active"; cleared by Membership's push
/// (`memberDeactivated`) whenever the address stops being an active member. So a set bit always
/// means "active member now", and a transfer between members whose bits are set makes no call
/// to Membership. The bits are trusted only while this contract is one of Membership's
/// obligation sources (it is told of every deactivation): from initialisation if Membership
/// listed it then (the factory does), never again once Membership has detached it.
contract SettlementUnits is ISettlementUnits, Initializable, CloneEIP712Domain {
    /*//////////////////////////////////////////////////////////////
                                CONSTANTS
    //////////////////////////////////////////////////////////////*/

    string private constant _NAME = unicode"Внутренние расчётные единицы";
    string private constant _SYMBOL = unicode"ВРЕ";

    /// @dev The struct a debtor signs to accept an obligation. It repeats the obligation's terms
    /// so that a wallet shows them and a signature made for other terms cannot accept this one.
    bytes32 private constant _ACCEPT_TYPEHASH = keccak256(
        "AcceptObligation(uint256 obligationId,address debtor,address creditor,uint256 amount,"
        "uint256 dueDate,bytes32 documentHash,uint256 deadline)"
    );

    /// @dev The largest amount the 128-bit accounting takes in one step.
    uint256 private constant _MAX_AMOUNT = type(uint128).max;

    /// @dev A member slot's 32-bit tag: bits 0-30 the member key, bit 31 the cached status.
    uint256 private constant _KEY_MASK = 0x7fffffff;
    uint256 private constant _ACTIVE_BIT = 0x80000000;

    /// @dev How a movement treats a party's membership status: given by the caller (not active,
    /// active), asked from Membership, or read from the cached bit when trusted (asking, and
    /// caching the answer, when the bit is not set).
    uint256 private constant _INACTIVE = 0;
    uint256 private constant _ACTIVE = 1;
    uint256 private constant _ASK = 2;
    uint256 private constant _CACHED = 3;

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev One slot per member: the signed balance, the credit limit and the tag (bits 0-30
    /// the member key, bit 31 set when the account is known to be an active member, see the
    /// contract's notes). Key 0 means the member has never taken part: balance 0, limit = the
    /// default. Movements read and write it as a whole word (`_readMember` / `_writeMember`).
    struct Member {
        int128 balance;
        uint96 creditLimit;
        uint32 tag;
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

    /// @dev Slot 0, read by every transfer: whether the cached status bits may be trusted, the
    /// supply (written when a transfer changes it) and the last member key handed out.
    /// The supply is the sum of the positive balances (= the sum of the negative ones, negated)
    /// and fits 128 bits: fewer than 2**31 keys, no balance below minus its limit (< 2**96).
    uint128 private _totalSupply;
    uint32 private _lastKey;
    bool private _statusCacheTrusted;

    /// @dev Slot 1: the register (asked when a status bit is not set or not trusted) and the
    /// default limit (read for a member's first movement).
    IMembershipView private _membership;
    uint96 private _defaultCreditLimit;

    /// @dev Slot 2: the charter (read by decisions).
    ICharterView private _charter;

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

    constructor() CloneEIP712Domain(unicode"Coopnode ВРЕ", "1") {
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
        // Cached status bits are sound only if Membership tells this contract of every
        // deactivation, that is, if it lists this contract as an obligation source already (the
        // factory registers it first). Otherwise every movement asks Membership.
        address[] memory sources = IMembership(membership_).obligationSources();
        for (uint256 i = 0; i < sources.length; ++i) {
            if (sources[i] == address(this)) {
                _statusCacheTrusted = true;
                break;
            }
        }
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
        if (!_transferInCredit(msg.sender, to, value)) _transfer(msg.sender, to, value);
        return true;
    }

    /// @inheritdoc ISettlementUnits
    function transferWithDocument(address to, uint256 amount, bytes32 documentHash)
        external
        returns (bool)
    {
        if (!_transferInCredit(msg.sender, to, amount)) _transfer(msg.sender, to, amount);
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
        if (!_transferInCredit(from, to, value)) _transfer(from, to, value);
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
        (int256 balance, uint256 previous, uint256 tag) = _readMember(m);
        if (balance < 0 && uint256(-balance) > limit) {
            revert SettlementUnitsLimitBelowDebt(member, limit, uint256(-balance));
        }
        if (tag & _KEY_MASK == 0) tag |= _assignKey(member);
        _writeMember(m, balance, limit, tag);
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
        bool trusted = _statusCacheTrusted;
        uint256 creditorKey = _activeKeyOf(msg.sender, trusted);
        uint256 debtorKey = _activeKeyOf(debtor, trusted);

        obligationId = ++_obligationCount;
        _obligations[obligationId] = ObligationCore({
            outstanding: uint128(amount),
            debtorKey: uint32(debtorKey),
            creditorKey: uint32(creditorKey),
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
        if (!_isValidSignature(debtor, digest, signature)) {
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
        _move(msg.sender, _accountOf[creditorKey], amount, _ACTIVE, _ACTIVE);
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
        uint256 key = _members[account].tag & _KEY_MASK;
        return key == 0 ? 0 : _openCount[uint32(key)];
    }

    /// @inheritdoc ISettlementUnits
    function memberStatusCached(address account) external view returns (bool) {
        return _statusCacheTrusted && _members[account].tag & _ACTIVE_BIT != 0;
    }

    /// @inheritdoc ISettlementUnits
    function memberStatusCacheTrusted() external view returns (bool) {
        return _statusCacheTrusted;
    }

    /*//////////////////////////////////////////////////////////////
                               CLEARING
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ISettlementUnits
    /// @dev Per-member nets are accumulated in an in-memory open-addressing hash table keyed by
    /// member key (at least four slots per entry, so at most half full), one word per member:
    /// bits 0-31 the key, 32-63 the obligations closed for that member, 64-255 the net (a
    /// two's-complement int192). The members are also listed in the order first met, so the
    /// check at the end visits only them, not the whole table. Open-obligation counters are
    /// updated once per member at the end. Membership status is not consulted: a balanced plan
    /// changes nobody's net position.
    function settleClearing(ClearingEntry[] calldata entries)
        external
        returns (uint256 totalCleared)
    {
        uint256 count = entries.length;
        if (count == 0) revert SettlementUnitsClearingEmpty();
        uint256 mask = _tableMask(count);
        // table[slot] = key | closed << 32 | net << 64; 0 = free slot (keys start at 1).
        uint256[] memory table = new uint256[](mask + 1);
        // The slots taken, in the order the members were first met (at most two per entry).
        uint256[] memory taken = new uint256[](count << 1);
        uint256 members;

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

            uint256 d;
            uint256 c;
            (d, members) = _tableSlot(table, mask, uint32(word >> 128), taken, members);
            (c, members) = _tableSlot(table, mask, uint32(word >> 160), taken, members);
            // Wrapping arithmetic on purpose: the net lives in bits 64-255 as a two's-complement
            // number (|net| <= totalCleared < 2**192), adding multiples of 2**64 leaves the key
            // and the count below untouched, and `closed` adds at most `count` (< 2**32) to
            // bits 32-63.
            unchecked {
                table[d] = table[d] - (amount << 64) + closed;
                table[c] = table[c] + (amount << 64) + closed;
            }
            emit ObligationCleared(obligationId, amount, outstanding);
        }

        for (uint256 m; m < members; ++m) {
            uint256 entry = table[taken[m]];
            uint32 key = uint32(entry);
            int256 net = int256(entry) >> 64;
            if (net != 0) revert SettlementUnitsClearingUnbalanced(_accountOf[key], net);
            uint256 closedCount = uint32(entry >> 32);
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
    /// @dev A debt (negative balance) or an accepted obligation blocks; units held do not (else
    /// anyone could block anyone's exit by sending them one unit): they are forfeited to the
    /// treasury's account at the exit (`memberDeactivated`).
    function hasOpenObligations(address member) external view returns (bool) {
        Member storage m = _members[member];
        uint256 key = m.tag & _KEY_MASK;
        return m.balance < 0 || (key != 0 && _openCount[uint32(key)] != 0);
    }

    /// @inheritdoc IObligationSource
    /// @dev Moves the balance slot (balance, limit, key, status bit) and points the key at `to`;
    /// obligations refer to the key, so they follow. The status bit moves only if `to` is an
    /// active member now (Membership has already moved the status when it calls). Allowances
    /// stay with the old address (which, no longer a member and holding nothing, can move
    /// nothing).
    function rebindMember(address from, address to) external {
        if (msg.sender != address(_membership)) revert SettlementUnitsUnauthorized(msg.sender);
        if (to == address(0)) revert SettlementUnitsZeroAddress();
        Member storage source = _members[from];
        Member storage target = _members[to];
        (int256 balance, uint256 limit, uint256 tag) = _readMember(source);
        (int256 targetBalance,, uint256 targetTag) = _readMember(target);
        if (targetTag != 0 || targetBalance != 0) revert SettlementUnitsRebindTargetInUse(to);
        uint256 key = tag & _KEY_MASK;
        if (key != 0) {
            if (tag & _ACTIVE_BIT != 0 && !IMembershipView(msg.sender).isActiveMember(to)) {
                tag &= _KEY_MASK;
            }
            _writeMember(target, balance, limit, tag);
            delete _members[from];
            _accountOf[uint32(key)] = to;
        }
        emit MemberRebound(from, to);
    }

    /// @inheritdoc IObligationSource
    /// @dev True: this contract keeps the status bit (a constant, so Membership may ask before
    /// the clone is initialised, as the factory does).
    function cachesMemberStatus() external pure returns (bool) {
        return true;
    }

    /// @inheritdoc IObligationSource
    /// @dev Clears the member's cached status bit (one slot write, none if it was not set). On
    /// an exit (Membership calls on every exit, the status already `Exited`), a positive balance
    /// left goes to the treasury's account: units are never destroyed, so the balances still
    /// sum to zero and the supply does not change. Membership is asked only when there is a
    /// positive balance.
    function memberDeactivated(address member) external {
        if (msg.sender != address(_membership)) revert SettlementUnitsUnauthorized(msg.sender);
        Member storage m = _members[member];
        uint32 tag = m.tag;
        if (tag & _ACTIVE_BIT != 0) m.tag = uint32(tag & _KEY_MASK);
        int256 balance = m.balance;
        if (
            balance > 0
                && IMembership(msg.sender).memberOf(member).status == IMembership.MemberStatus.Exited
        ) {
            address treasury = ICharter(address(_charter)).treasury();
            // The leaver may only spend down to zero (not active); the treasury's account takes
            // it whatever its status (it is not a member here).
            _move(member, treasury, uint256(balance), _INACTIVE, _ACTIVE);
            emit ExitBalanceForfeited(member, treasury, uint256(balance));
        }
    }

    /// @inheritdoc IObligationSource
    /// @dev From now on every movement asks Membership: bits cached so far may go stale, and
    /// re-registering this contract does not make them trusted again.
    function detached() external {
        if (msg.sender != address(_membership)) revert SettlementUnitsUnauthorized(msg.sender);
        _statusCacheTrusted = false;
    }

    /*//////////////////////////////////////////////////////////////
                                EIP-712
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ISettlementUnits
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() public view returns (bytes32) {
        return _domainSeparator();
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

    /// @dev Moves units, enforcing the credit limit and the membership rules. `fromStatus` and
    /// `toStatus` say how the parties' membership status is found (`_INACTIVE` ... `_CACHED`).
    function _move(address from, address to, uint256 amount, uint256 fromStatus, uint256 toStatus)
        private
    {
        if (amount > _MAX_AMOUNT) revert SettlementUnitsAmountTooLarge(amount);
        if (to == address(0)) revert SettlementUnitsZeroAddress();
        // The recipient is read after the sender is written, so a transfer to oneself nets out
        // (and so does its supply change). Two statements: Solidity does not fix the order in
        // which the operands of `+` are evaluated (the legacy code generator does the right one
        // first), and a transfer to oneself must be checked against the limit before crediting.
        int256 supplyDelta = _debit(from, amount, fromStatus);
        supplyDelta += _credit(to, amount, toStatus);
        // The supply (sum of positive balances) changes only when a balance crosses or stays
        // below zero; between members in credit it does not, and costs nothing.
        if (supplyDelta != 0) {
            // Cannot underflow: the supply is the sum of the positive balances; fits 128 bits
            // (see `_totalSupply`).
            unchecked {
                _totalSupply = uint128(uint256(int256(uint256(_totalSupply)) + supplyDelta));
            }
        }
        emit Transfer(from, to, amount);
    }

    /// @dev Takes `amount` (< 2**128) from `from`; returns the change of its positive part.
    function _debit(address from, uint256 amount, uint256 status) private returns (int256) {
        Member storage f = _members[from];
        (int256 before, uint256 limit, uint256 tag) = _readMember(f);
        bool active;
        (active, tag) = _statusOf(from, tag, status);
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
        if (tag & _KEY_MASK == 0) tag |= _assignKey(from);
        _writeMember(f, after_, limit, tag);
        return _positive(after_) - _positive(before);
    }

    /// @dev Gives `amount` (< 2**128) to `to`; returns the change of its positive part.
    function _credit(address to, uint256 amount, uint256 status) private returns (int256) {
        Member storage t = _members[to];
        (int256 before, uint256 limit, uint256 tag) = _readMember(t);
        bool active;
        (active, tag) = _statusOf(to, tag, status);
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
        if (tag & _KEY_MASK == 0) tag |= _assignKey(to);
        _writeMember(t, after_, limit, tag);
        return _positive(after_) - _positive(before);
    }

    /// @dev A transfer between two active members whose status is cached, done in place:
    /// `_transfer`'s rules for that case, written out on the words it reads. It commits only
    /// when every rule holds and nothing but the two balance words, the supply (when a balance
    /// crosses or stays below zero) and the `Transfer` event changes, exactly as `_transfer`
    /// would: the cached bits are trusted and set for both parties (both are active members
    /// now and have keys, hence limits of their own in their words), the parties differ, the
    /// amount fits 128 bits, the sender stays within its limit and the recipient within int128.
    /// Otherwise it returns false having changed nothing, and the caller runs `_transfer`
    /// (which finds these slots warm, and reverts with the precise error where one applies).
    function _transferInCredit(address from, address to, uint256 amount)
        private
        returns (bool done)
    {
        assembly ("memory-safe") {
            // Slot 0: `_totalSupply` bits 0-127, `_lastKey`, `_statusCacheTrusted`.
            let head := sload(_statusCacheTrusted.slot)
            if and(shr(mul(_statusCacheTrusted.offset, 8), head), 0xff) {
                mstore(0x00, from)
                mstore(0x20, _members.slot)
                let fromSlot := keccak256(0x00, 0x40)
                mstore(0x00, to)
                let toSlot := keccak256(0x00, 0x40)
                let fromWord := sload(fromSlot)
                let toWord := sload(toSlot)
                // Layout of `Member`: balance bits 0-127 (signed), limit 128-223, key 224-254,
                // status bit 255. No overflow below: every operand is under 2**128 in absolute
                // value (the amount is checked for that before anything is written).
                let fromAfter := sub(signextend(15, fromWord), amount)
                let toAfter := add(signextend(15, toWord), amount)
                let ok := and(shr(255, fromWord), shr(255, toWord))
                ok := and(ok, iszero(iszero(and(shr(224, fromWord), 0x7fffffff))))
                ok := and(ok, iszero(iszero(and(shr(224, toWord), 0x7fffffff))))
                ok := and(ok, iszero(eq(from, to)))
                ok := and(ok, lt(amount, shl(128, 1)))
                // fromAfter >= -limit (uint96) and toAfter <= type(int128).max.
                let limit := and(shr(128, fromWord), 0xffffffffffffffffffffffff)
                ok := and(ok, iszero(slt(add(fromAfter, limit), 0)))
                ok := and(ok, iszero(sgt(toAfter, 0x7fffffffffffffffffffffffffffffff)))
                if ok {
                    // The change of the sum of the positive balances (see `_move`).
                    let delta := mul(fromAfter, sgt(fromAfter, 0))
                    delta := add(delta, mul(toAfter, sgt(toAfter, 0)))
                    {
                        let before := signextend(15, fromWord)
                        delta := sub(delta, mul(before, sgt(before, 0)))
                        before := signextend(15, toWord)
                        delta := sub(delta, mul(before, sgt(before, 0)))
                    }
                    let low := sub(shl(128, 1), 1)
                    sstore(fromSlot, or(shl(128, shr(128, fromWord)), and(fromAfter, low)))
                    sstore(toSlot, or(shl(128, shr(128, toWord)), and(toAfter, low)))
                    if delta {
                        // `_totalSupply` is at offset 0 of slot 0 and stays within 128 bits.
                        sstore(
                            _statusCacheTrusted.slot,
                            or(shl(128, shr(128, head)), and(add(head, delta), low))
                        )
                    }
                    mstore(0x00, amount)
                    // keccak256("Transfer(address,address,uint256)"): IERC20's `Transfer`.
                    log3(
                        0x00,
                        0x20,
                        0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef,
                        from,
                        to
                    )
                    done := 1
                }
            }
        }
    }

    /// @dev A transfer proper: membership status decides what the parties may do. Status comes
    /// from the cached bits while they are trusted, else from Membership.
    function _transfer(address from, address to, uint256 amount) private {
        uint256 status = _statusCacheTrusted ? _CACHED : _ASK;
        _move(from, to, amount, status, status);
    }

    /// @dev Whether `account` (whose slot carries `tag`) counts as an active member under
    /// `status`, and the tag to write back (with the status bit set when the answer was asked
    /// and may be cached).
    function _statusOf(address account, uint256 tag, uint256 status)
        private
        view
        returns (bool active, uint256 newTag)
    {
        newTag = tag;
        if (status == _CACHED && tag & _ACTIVE_BIT != 0) return (true, newTag);
        if (status < _ASK) return (status == _ACTIVE, newTag);
        active = _membership.isActiveMember(account);
        if (active && status == _CACHED) newTag = tag | _ACTIVE_BIT;
    }

    /// @dev Reverts unless `account` is an active member (a trusted cached bit, else Membership).
    function _requireActive(address account, bool trusted) private view {
        if (trusted && _members[account].tag & _ACTIVE_BIT != 0) return;
        if (!_membership.isActiveMember(account)) revert SettlementUnitsNotActiveMember(account);
    }

    /// @dev The key of `account`, which must be an active member; hands out a key (fixing the
    /// limit, and caching the status when `trusted`) if it has none yet.
    function _activeKeyOf(address account, bool trusted) private returns (uint256 key) {
        Member storage m = _members[account];
        (int256 balance, uint256 limit, uint256 tag) = _readMember(m);
        if (!trusted || tag & _ACTIVE_BIT == 0) {
            if (!_membership.isActiveMember(account)) revert SettlementUnitsNotActiveMember(account);
        }
        key = tag & _KEY_MASK;
        if (key == 0) {
            key = _assignKey(account);
            _writeMember(m, balance, limit, trusted ? key | _ACTIVE_BIT : key);
        }
    }

    /// @dev One SLOAD: the signed balance, the limit (the default for a member who has not
    /// taken part yet, key 0) and the tag (key and status bit).
    function _readMember(Member storage m)
        private
        view
        returns (int256 signedBalance, uint256 limit, uint256 tag)
    {
        uint256 word;
        assembly ("memory-safe") {
            word := sload(m.slot)
            // Layout of `Member`: balance bits 0-127, creditLimit 128-223, tag 224-255.
            signedBalance := signextend(15, word)
            limit := and(shr(128, word), 0xffffffffffffffffffffffff)
            tag := shr(224, word)
        }
        if (tag & _KEY_MASK == 0) limit = _defaultCreditLimit;
    }

    /// @dev One SSTORE of the whole slot. The caller keeps `signedBalance` within int128 and `limit`
    /// within uint96; `tag` is a key from `_assignKey` (< 2**31) with or without `_ACTIVE_BIT`.
    function _writeMember(Member storage m, int256 signedBalance, uint256 limit, uint256 tag) private {
        assembly ("memory-safe") {
            let word := or(shl(224, tag), shl(128, limit))
            sstore(m.slot, or(word, and(signedBalance, 0xffffffffffffffffffffffffffffffff)))
        }
    }

    /// @dev Hands out the next key; the caller stores it (and the pinned limit) in the slot.
    function _assignKey(address account) private returns (uint256 key) {
        key = ++_lastKey;
        if (key > _KEY_MASK) revert SettlementUnitsKeysExhausted();
        _accountOf[uint32(key)] = account;
    }

    function _accept(uint256 obligationId, ObligationCore storage o, address debtor) private {
        ObligationStatus status = o.status;
        if (status != ObligationStatus.Issued) {
            revert SettlementUnitsUnexpectedStatus(obligationId, status);
        }
        uint32 creditorKey = o.creditorKey;
        address creditor = _accountOf[creditorKey];
        bool trusted = _statusCacheTrusted;
        _requireActive(debtor, trusted);
        _requireActive(creditor, trusted);
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
        return _hashTypedData(structHash);
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

    /// @dev The table slot of member `key` (linear probing), claiming a free slot, and listing
    /// it in `taken` (which holds `members` slots so far), if needed.
    function _tableSlot(
        uint256[] memory table,
        uint256 mask,
        uint256 key,
        uint256[] memory taken,
        uint256 members
    ) private pure returns (uint256 slot, uint256 newMembers) {
        // Cannot overflow: products of 32-bit keys and a 32-bit constant; the table is at most
        // half full, so the probe ends; at most two members per entry, so `taken` has room.
        unchecked {
            slot = (key * 0x9E3779B1) & mask;
            while (true) {
                uint256 entry = table[slot];
                if (entry == 0) {
                    table[slot] = key;
                    taken[members] = slot;
                    return (slot, members + 1);
                }
                if (uint32(entry) == key) return (slot, members);
                slot = (slot + 1) & mask;
            }
        }
    }

    function _positive(int256 value) private pure returns (int256) {
        return value > 0 ? value : int256(0);
    }
}
