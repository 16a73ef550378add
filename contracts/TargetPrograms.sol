// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ICharter} from "./interfaces/ICharter.sol";
import {IMembershipView} from "./interfaces/IMembershipView.sol";
import {IObligationSource} from "./interfaces/IObligationSource.sol";
import {ITargetPrograms} from "./interfaces/ITargetPrograms.sol";
import {CloneEIP712Domain} from "./libraries/CloneEIP712Domain.sol";

/// @title TargetPrograms
/// @notice The target programs (целевые программы) of one cooperative; the rules are documented
/// on {ITargetPrograms}.
/// @dev Deployed once as an implementation and used through EIP-1167 clones (installed by the
/// `TargetProgramsInstaller`).
///
/// Accounting, per program: `balance` (the program's tokens) and `totalUnits`. A contribution of
/// `a` buys `a` units when no units exist, else `floor(a * totalUnits / balance)`; a member's
/// part is `floor(units * balance / totalUnits)`; a spend lowers `balance` only. Both roundings
/// favour the program (its remaining members). The balances are stored, never read from the
/// token: tokens sent to the contract directly are not counted, so nobody can move the price of
/// a unit but a decision. A spend that empties a program moves it to a new epoch: the units of
/// earlier epochs are worth nothing (their holders' parts were zero) and a member's slot of an
/// older epoch reads as zero units.
///
/// Members are addressed through keys (as in the fund) so that key recovery moves every
/// position at once by rewriting two slots.
///
/// Every function that moves tokens changes its state first and calls the token last, and is
/// `nonReentrant` (transient storage).
contract TargetPrograms is
    ITargetPrograms,
    IObligationSource,
    Initializable,
    CloneEIP712Domain
{
    using SafeERC20 for IERC20;

    /*//////////////////////////////////////////////////////////////
                                CONSTANTS
    //////////////////////////////////////////////////////////////*/

    uint256 private constant _MAX = type(uint128).max;

    bytes32 private constant _JOIN_TYPEHASH = keccak256(
        "JoinProgram(uint256 programId,address member,bytes32 terms,uint256 nonce,uint256 deadline)"
    );

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev Slot 0: balance and units (what a contribution, a spend and a departure write);
    /// slot 1: the counters and status; slot 2: the terms.
    struct Program {
        uint128 balance;
        uint128 totalUnits;
        uint32 members;
        uint32 epoch;
        ProgramStatus status;
        bytes32 terms;
    }

    /// @dev One slot per (program, member key).
    struct Slot {
        uint128 units;
        uint32 epoch;
        bool joined;
    }

    ICharter private _charter;
    uint32 private _keyCount;
    IMembershipView private _membership;
    IERC20 private _token;
    uint256 private _programCount;

    mapping(uint256 programId => Program) private _programs;
    mapping(uint256 programId => mapping(uint32 key => Slot)) private _slots;
    mapping(address account => uint32 key) private _keys;
    mapping(address account => uint256 nonce) private _nonces;

    /// @dev Set while a token-moving function runs (transient: cleared on return, and by the EVM
    /// at the end of the transaction).
    bool private transient _entered;

    /*//////////////////////////////////////////////////////////////
                                MODIFIERS
    //////////////////////////////////////////////////////////////*/

    modifier onlyDecisionExecutor() {
        if (msg.sender != _charter.decisionExecutor()) {
            revert TargetProgramsNotDecisionExecutor(msg.sender);
        }
        _;
    }

    /// @dev Refuses a call back into any token-moving function (a hostile token's hook).
    modifier nonReentrant() {
        if (_entered) revert TargetProgramsReentrantCall();
        _entered = true;
        _;
        _entered = false;
    }

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    constructor() CloneEIP712Domain("TargetPrograms", "1") {
        _disableInitializers();
    }

    /// @inheritdoc ITargetPrograms
    function initialize(address charter_) external initializer {
        if (charter_ == address(0)) revert TargetProgramsZeroAddress();
        address membership_ = ICharter(charter_).membership();
        address token_ = ICharter(charter_).paymentToken();
        if (membership_ == address(0) || token_ == address(0)) revert TargetProgramsZeroAddress();
        _charter = ICharter(charter_);
        _membership = IMembershipView(membership_);
        _token = IERC20(token_);
        emit TargetProgramsInitialized(charter_, membership_, token_);
    }

    /// @inheritdoc ITargetPrograms
    function createProgram(string calldata purpose, bytes32 terms, bytes32 decision)
        external
        onlyDecisionExecutor
        returns (uint256 programId)
    {
        if (terms == bytes32(0) || decision == bytes32(0) || bytes(purpose).length == 0) {
            revert TargetProgramsZeroHash();
        }
        programId = ++_programCount;
        Program storage p = _programs[programId];
        p.status = ProgramStatus.Open;
        p.terms = terms;
        emit ProgramCreated(programId, terms, decision, purpose);
    }

    /// @inheritdoc ITargetPrograms
    function closeProgram(uint256 programId, bytes32 decision) external onlyDecisionExecutor {
        if (decision == bytes32(0)) revert TargetProgramsZeroHash();
        Program storage p = _open(programId);
        p.status = ProgramStatus.Closed;
        emit ProgramClosed(programId, decision);
    }

    /// @inheritdoc ITargetPrograms
    function join(uint256 programId, bytes32 terms) external {
        _join(programId, msg.sender, terms);
    }

    /// @inheritdoc ITargetPrograms
    function joinBySig(
        uint256 programId,
        address member,
        bytes32 terms,
        uint256 deadline,
        bytes calldata signature
    ) external {
        if (block.timestamp > deadline) revert TargetProgramsSignatureExpired(deadline);
        uint256 nonce = _nonces[member]++;
        bytes32 digest = _joinDigest(programId, member, terms, nonce, deadline);
        if (!_isValidSignature(member, digest, signature)) revert TargetProgramsInvalidSignature();
        _join(programId, member, terms);
    }

    /// @inheritdoc ITargetPrograms
    function contribute(uint256 programId, uint256 amount) external nonReentrant {
        if (amount == 0) revert TargetProgramsZeroAmount();
        Program storage p = _open(programId);
        if (!_membership.isActiveMember(msg.sender)) {
            revert TargetProgramsNotActiveMember(msg.sender);
        }
        uint32 key = _keys[msg.sender];
        Slot memory s = _slots[programId][key];
        if (key == 0 || !s.joined) revert TargetProgramsNotJoined(programId, msg.sender);
        uint256 balance = p.balance;
        uint256 totalUnits = p.totalUnits;
        if (amount > _MAX - balance) revert TargetProgramsAmountTooLarge(amount, _MAX - balance);
        uint256 units = totalUnits == 0 ? amount : Math.mulDiv(amount, totalUnits, balance);
        if (units == 0) revert TargetProgramsZeroAmount();
        if (units > _MAX - totalUnits) {
            revert TargetProgramsAmountTooLarge(units, _MAX - totalUnits);
        }
        uint32 epoch = p.epoch;
        uint256 held = s.epoch == epoch ? s.units : 0;
        // Cannot overflow: checked above; a member's units are at most the total.
        unchecked {
            p.balance = uint128(balance + amount);
            p.totalUnits = uint128(totalUnits + units);
            _slots[programId][key] = Slot({units: uint128(held + units), epoch: epoch, joined: true});
        }
        emit ProgramContributed(programId, msg.sender, amount, units);
        _pull(amount);
    }

    /// @inheritdoc ITargetPrograms
    function spend(uint256 programId, address recipient, uint256 amount, bytes32 decision)
        external
        onlyDecisionExecutor
        nonReentrant
    {
        if (recipient == address(0)) revert TargetProgramsZeroAddress();
        if (decision == bytes32(0)) revert TargetProgramsZeroHash();
        if (amount == 0) revert TargetProgramsZeroAmount();
        Program storage p = _existing(programId);
        uint256 balance = p.balance;
        if (amount > balance) revert TargetProgramsInsufficientBalance(programId, amount, balance);
        uint32 epoch = p.epoch;
        // Cannot underflow: checked just above.
        unchecked {
            balance -= amount;
        }
        p.balance = uint128(balance);
        if (balance == 0 && p.totalUnits != 0) {
            // Every part is zero: a new epoch, so that new contributions buy units 1:1.
            p.totalUnits = 0;
            epoch += 1;
            p.epoch = epoch;
        }
        emit ProgramSpent(programId, recipient, amount, decision, epoch);
        _token.safeTransfer(recipient, amount);
    }

    /// @inheritdoc ITargetPrograms
    function leave(uint256 programId) external nonReentrant returns (uint256 amount) {
        amount = _leave(programId, msg.sender);
    }

    /// @inheritdoc ITargetPrograms
    function release(uint256 programId, address account)
        external
        nonReentrant
        returns (uint256 amount)
    {
        if (_membership.isActiveMember(account)) revert TargetProgramsStillMember(account);
        amount = _leave(programId, account);
    }

    /*//////////////////////////////////////////////////////////////
                            OBLIGATION SOURCE
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IObligationSource
    /// @dev Always false: a part is the member's asset; an exiting member is paid by `release`.
    function hasOpenObligations(address) external pure returns (bool) {
        return false;
    }

    /// @inheritdoc IObligationSource
    /// @dev Points `from`'s key at `to`: every position (and the acceptances) follows.
    function rebindMember(address from, address to) external {
        if (msg.sender != address(_membership)) revert TargetProgramsNotMembership(msg.sender);
        if (to == address(0)) revert TargetProgramsZeroAddress();
        if (_keys[to] != 0) revert TargetProgramsRebindTargetInUse(to);
        uint32 key = _keys[from];
        if (key != 0) {
            _keys[to] = key;
            delete _keys[from];
        }
        emit ProgramMemberRebound(from, to);
    }

    /// @inheritdoc IObligationSource
    function cachesMemberStatus() external pure returns (bool) {
        return false;
    }

    /// @inheritdoc IObligationSource
    /// @dev A no-op, whoever calls: no status is cached.
    function memberDeactivated(address) external pure {}

    /// @inheritdoc IObligationSource
    /// @dev A no-op, whoever calls: no status is cached.
    function detached() external pure {}

    /*//////////////////////////////////////////////////////////////
                                  VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ITargetPrograms
    function program(uint256 programId) external view returns (ProgramInfo memory) {
        Program storage p = _programs[programId];
        return ProgramInfo({
            balance: p.balance,
            totalUnits: p.totalUnits,
            members: p.members,
            epoch: p.epoch,
            status: p.status,
            terms: p.terms
        });
    }

    /// @inheritdoc ITargetPrograms
    function programCount() external view returns (uint256) {
        return _programCount;
    }

    /// @inheritdoc ITargetPrograms
    function positionOf(uint256 programId, address account)
        external
        view
        returns (Position memory position)
    {
        uint32 key = _keys[account];
        if (key == 0) return position;
        Program storage p = _programs[programId];
        Slot memory s = _slots[programId][key];
        position.joined = s.joined;
        position.units = s.epoch == p.epoch ? s.units : 0;
        position.part = _partOf(position.units, p.balance, p.totalUnits);
    }

    /// @inheritdoc ITargetPrograms
    function partOf(uint256 programId, address account) external view returns (uint256) {
        uint32 key = _keys[account];
        if (key == 0) return 0;
        Program storage p = _programs[programId];
        Slot memory s = _slots[programId][key];
        return _partOf(s.epoch == p.epoch ? s.units : 0, p.balance, p.totalUnits);
    }

    /// @inheritdoc ITargetPrograms
    function nonces(address member) external view returns (uint256) {
        return _nonces[member];
    }

    /// @inheritdoc ITargetPrograms
    function joinDigest(
        uint256 programId,
        address member,
        bytes32 terms,
        uint256 nonce,
        uint256 deadline
    ) external view returns (bytes32) {
        return _joinDigest(programId, member, terms, nonce, deadline);
    }

    /// @inheritdoc ITargetPrograms
    function charter() external view returns (address) {
        return address(_charter);
    }

    /// @inheritdoc ITargetPrograms
    function membership() external view returns (address) {
        return address(_membership);
    }

    /// @inheritdoc ITargetPrograms
    function token() external view returns (address) {
        return address(_token);
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNALS
    //////////////////////////////////////////////////////////////*/

    function _existing(uint256 programId) private view returns (Program storage p) {
        p = _programs[programId];
        if (p.status == ProgramStatus.None) revert TargetProgramsUnknownProgram(programId);
    }

    function _open(uint256 programId) private view returns (Program storage p) {
        p = _existing(programId);
        if (p.status != ProgramStatus.Open) revert TargetProgramsProgramClosed(programId);
    }

    function _join(uint256 programId, address member, bytes32 terms) private {
        Program storage p = _open(programId);
        if (terms != p.terms) revert TargetProgramsTermsMismatch(programId, terms);
        if (!_membership.isActiveMember(member)) revert TargetProgramsNotActiveMember(member);
        uint32 key = _keyFor(member);
        Slot storage s = _slots[programId][key];
        if (s.joined) revert TargetProgramsAlreadyJoined(programId, member);
        s.joined = true;
        // Cannot overflow: one count per key, keys are 32 bits.
        unchecked {
            p.members += 1;
        }
        emit ProgramJoined(programId, member, terms);
    }

    /// @dev Pays `account` their part of `programId`, burns their units, takes them out.
    function _leave(uint256 programId, address account) private returns (uint256 amount) {
        Program storage p = _existing(programId);
        uint32 key = _keys[account];
        Slot memory s = _slots[programId][key];
        if (key == 0 || !s.joined) revert TargetProgramsNotJoined(programId, account);
        uint256 balance = p.balance;
        uint256 totalUnits = p.totalUnits;
        uint256 units = s.epoch == p.epoch ? s.units : 0;
        amount = _partOf(units, balance, totalUnits);
        // Cannot underflow: a member's units are at most the total, their part at most the
        // balance; a member count is at least one for a member who joined.
        unchecked {
            p.balance = uint128(balance - amount);
            p.totalUnits = uint128(totalUnits - units);
            p.members -= 1;
        }
        delete _slots[programId][key];
        emit ProgramLeft(programId, account, amount, units);
        if (amount != 0) _token.safeTransfer(account, amount);
    }

    /// @dev The key of `account`, handed out on first use.
    function _keyFor(address account) private returns (uint32 key) {
        key = _keys[account];
        if (key == 0) {
            // Checked: reverts once 2**32 - 1 keys were handed out.
            key = ++_keyCount;
            _keys[account] = key;
        }
    }

    function _partOf(uint256 units, uint256 balance, uint256 totalUnits)
        private
        pure
        returns (uint256)
    {
        if (units == 0) return 0;
        return Math.mulDiv(units, balance, totalUnits);
    }

    function _joinDigest(
        uint256 programId,
        address member,
        bytes32 terms,
        uint256 nonce,
        uint256 deadline
    ) private view returns (bytes32) {
        return _hashTypedData(
            keccak256(abi.encode(_JOIN_TYPEHASH, programId, member, terms, nonce, deadline))
        );
    }

    /// @dev Pulls `amount` from the sender and refuses to count what did not arrive.
    function _pull(uint256 amount) private {
        uint256 before = _token.balanceOf(address(this));
        _token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = _token.balanceOf(address(this)) - before;
        if (received < amount) revert TargetProgramsTransferShortfall(amount, received);
    }
}
