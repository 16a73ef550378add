// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {ICharter} from "./interfaces/ICharter.sol";
import {IMembershipView} from "./interfaces/IMembershipView.sol";
import {IShares} from "./interfaces/IShares.sol";
import {ITreasury} from "./interfaces/ITreasury.sol";
import {CloneArgs} from "./libraries/CloneArgs.sol";

/// @title Shares
/// @notice A cooperative's share capital; see {IShares}. Wallets read it as an ERC-20.
/// @dev Runs as an EIP-1167 clone whose immutable arguments are
/// `charter, membership, treasury, paymentToken` (20 bytes each).
contract Shares is IShares {
    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev Three slots, ordered so that joining writes only the first:
    /// [minimumShare | entranceFee], [voluntaryShares | inKindShares], [paidOffChain].
    struct StoredHolding {
        uint128 minimumShare;
        uint128 entranceFee;
        uint128 voluntaryShares;
        uint128 inKindShares;
        uint128 paidOffChain;
    }

    mapping(address account => StoredHolding) private _holdings;
    uint256 private _totalSupply;

    /*//////////////////////////////////////////////////////////////
                               MODIFIERS
    //////////////////////////////////////////////////////////////*/

    modifier onlyMembership() {
        if (msg.sender != CloneArgs.addressAt(20)) revert SharesNotMembership(msg.sender);
        _;
    }

    modifier onlyDecisionExecutor() {
        if (msg.sender != ICharter(_charter()).decisionExecutor()) {
            revert SharesNotDecisionExecutor(msg.sender);
        }
        _;
    }

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IShares
    function creditEntry(address account, uint128 entranceFee, uint128 minimumShare, bool offChain)
        external
        onlyMembership
    {
        StoredHolding storage holding = _holdings[account];
        holding.minimumShare += minimumShare;
        holding.entranceFee += entranceFee;
        if (offChain) holding.paidOffChain += minimumShare;
        _totalSupply += minimumShare;
        // The amounts and how they were paid are in Membership's FeesPaid / PaymentAttested.
        emit Transfer(address(0), account, minimumShare);
    }

    /// @inheritdoc IShares
    function contribute(uint128 amount) external {
        _requireActiveMember(msg.sender);
        _creditVoluntary(msg.sender, amount, false);
        ITreasury(CloneArgs.addressAt(40)).collect(msg.sender, 0, amount);
        emit VoluntaryContributed(msg.sender, amount, bytes32(0));
    }

    /// @inheritdoc IShares
    function attestContribution(address account, uint128 amount, bytes32 paymentDocument) external {
        if (!ICharter(_charter()).isCashier(msg.sender)) revert SharesNotCashier(msg.sender);
        if (paymentDocument == bytes32(0)) revert SharesZeroHash();
        _requireActiveMember(account);
        _creditVoluntary(account, amount, true);
        emit VoluntaryContributed(account, amount, paymentDocument);
    }

    /// @inheritdoc IShares
    function creditInKind(address account, uint128 amount, bytes32 valuation)
        external
        onlyDecisionExecutor
    {
        if (valuation == bytes32(0)) revert SharesZeroHash();
        if (amount == 0) revert SharesZeroAmount();
        _requireActiveMember(account);
        _holdings[account].inKindShares += amount;
        _totalSupply += amount;
        emit Transfer(address(0), account, amount);
        emit InKindCredited(account, amount, valuation);
    }

    /// @inheritdoc IShares
    /// @dev The bank-paid part of the sender's shares moves first, so that the sum of token-paid
    /// refundable shares over all members stays what the share fund received.
    function moveByDecision(address from, address to, uint128 amount, bytes32 decision)
        external
        onlyDecisionExecutor
    {
        if (decision == bytes32(0)) revert SharesZeroHash();
        if (amount == 0) revert SharesZeroAmount();
        if (from == to) revert SharesSameAccount(from);
        _requireActiveMember(from);
        _requireActiveMember(to);
        StoredHolding storage source = _holdings[from];
        uint128 available = source.voluntaryShares;
        if (available < amount) revert SharesInsufficientVoluntary(from, available, amount);
        StoredHolding storage target = _holdings[to];
        uint128 offChain = source.paidOffChain < amount ? source.paidOffChain : amount;
        // Cannot underflow: checked against `available` and `paidOffChain` just above.
        unchecked {
            source.voluntaryShares = available - amount;
            source.paidOffChain -= offChain;
        }
        target.voluntaryShares += amount;
        target.paidOffChain += offChain;
        emit Transfer(from, to, amount);
        emit SharesMovedByDecision(from, to, amount, decision);
    }

    /// @inheritdoc IShares
    function settle(address account)
        external
        onlyMembership
        returns (uint256 refundedOnChain, uint256 owedOffChain)
    {
        StoredHolding memory holding = _holdings[account];
        uint256 refundable =
            uint256(holding.minimumShare) + holding.voluntaryShares + holding.inKindShares;
        owedOffChain = uint256(holding.paidOffChain) + holding.inKindShares;
        // Cannot underflow: paidOffChain never exceeds minimumShare + voluntaryShares.
        unchecked {
            refundedOnChain = refundable - owedOffChain;
        }
        delete _holdings[account];
        _totalSupply -= refundable;
        if (refundable != 0) emit Transfer(account, address(0), refundable);
        emit SharesSettled(account, refundedOnChain, owedOffChain);
        if (refundedOnChain != 0) {
            ITreasury(CloneArgs.addressAt(40)).refund(account, refundedOnChain);
        }
    }

    /// @inheritdoc IShares
    function rebind(address from, address to) external onlyMembership {
        StoredHolding memory holding = _holdings[from];
        delete _holdings[from];
        _holdings[to] = holding;
        uint256 balance =
            uint256(holding.minimumShare) + holding.voluntaryShares + holding.inKindShares;
        if (balance != 0) emit Transfer(from, to, balance);
        emit HoldingRebound(from, to);
    }

    /*//////////////////////////////////////////////////////////////
                       ERC-20 (READ-ONLY SHARES)
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IERC20Metadata
    function name() external view returns (string memory) {
        return ICharter(_charter()).name();
    }

    /// @inheritdoc IERC20Metadata
    function symbol() external view returns (string memory) {
        return ICharter(_charter()).symbol();
    }

    /// @inheritdoc IERC20Metadata
    /// @dev Shares are counted in the payment token's units.
    function decimals() external view returns (uint8) {
        return IERC20Metadata(CloneArgs.addressAt(60)).decimals();
    }

    /// @inheritdoc IERC20
    function totalSupply() external view returns (uint256) {
        return _totalSupply;
    }

    /// @inheritdoc IERC20
    /// @dev The refundable share capital: minimum, voluntary and in-kind shares.
    function balanceOf(address account) external view returns (uint256) {
        StoredHolding storage holding = _holdings[account];
        return uint256(holding.minimumShare) + holding.voluntaryShares + holding.inKindShares;
    }

    /// @inheritdoc IERC20
    function allowance(address, address) external pure returns (uint256) {
        return 0;
    }

    /// @inheritdoc IERC20
    /// @dev Always reverts: shares move only by decision.
    function transfer(address, uint256) external pure returns (bool) {
        revert SharesNonTransferable();
    }

    /// @inheritdoc IERC20
    /// @dev Always reverts: shares move only by decision.
    function transferFrom(address, address, uint256) external pure returns (bool) {
        revert SharesNonTransferable();
    }

    /// @inheritdoc IERC20
    /// @dev Always reverts: shares move only by decision.
    function approve(address, uint256) external pure returns (bool) {
        revert SharesNonTransferable();
    }

    /// @inheritdoc IShares
    function holdingOf(address account) external view returns (Holding memory) {
        StoredHolding storage holding = _holdings[account];
        return Holding({
            minimumShare: holding.minimumShare,
            voluntaryShares: holding.voluntaryShares,
            inKindShares: holding.inKindShares,
            entranceFee: holding.entranceFee,
            paidOffChain: holding.paidOffChain
        });
    }

    /// @inheritdoc IShares
    function charter() external view returns (address) {
        return _charter();
    }

    /*//////////////////////////////////////////////////////////////
                               INTERNALS
    //////////////////////////////////////////////////////////////*/

    function _charter() private view returns (address) {
        return CloneArgs.addressAt(0);
    }

    function _requireActiveMember(address account) private view {
        if (!IMembershipView(CloneArgs.addressAt(20)).isActiveMember(account)) {
            revert SharesNotActiveMember(account);
        }
    }

    function _creditVoluntary(address account, uint128 amount, bool offChain) private {
        if (amount == 0) revert SharesZeroAmount();
        StoredHolding storage holding = _holdings[account];
        holding.voluntaryShares += amount;
        if (offChain) holding.paidOffChain += amount;
        _totalSupply += amount;
        emit Transfer(address(0), account, amount);
    }
}
