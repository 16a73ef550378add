// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

/// @title IShares
/// @notice A cooperative's share capital per member: entrance fee (never refunded), minimum share,
/// voluntary shares and shares in kind. It exposes the ERC-20 read interface so that an ordinary
/// wallet shows a member's shares (`balanceOf` is the refundable share capital), but shares never
/// move by `transfer`: only member to member by a decision, and back to the member on exit.
interface IShares is IERC20Metadata {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice One member's contributions, in the payment token's smallest units.
    struct Holding {
        /// @notice The minimum share paid on joining (refundable).
        uint128 minimumShare;
        /// @notice Further voluntary shares (refundable).
        uint128 voluntaryShares;
        /// @notice Property contributed, at the value a decision gave it (refunded off chain).
        uint128 inKindShares;
        /// @notice The entrance fee paid on joining (never refunded).
        uint128 entranceFee;
        /// @notice The part of minimum and voluntary shares paid by bank, refunded off chain.
        uint128 paidOffChain;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice Shares are not freely transferable: they move only member to member by decision.
    error SharesNonTransferable();
    /// @notice Only the cooperative's membership register may do this.
    error SharesNotMembership(address account);
    /// @notice Only the cooperative's decision executor may do this.
    error SharesNotDecisionExecutor(address account);
    /// @notice Only a cashier may attest bank payments.
    error SharesNotCashier(address account);
    /// @notice The account is not an active member.
    error SharesNotActiveMember(address account);
    /// @notice The amount is zero.
    error SharesZeroAmount();
    /// @notice A required hash is zero.
    error SharesZeroHash();
    /// @notice A transfer's sender and recipient are the same account.
    error SharesSameAccount(address account);
    /// @notice The member holds fewer voluntary shares than asked to move.
    error SharesInsufficientVoluntary(address account, uint256 available, uint256 requested);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice `account` added voluntary shares; `paymentDocument` is zero when paid in tokens.
    event VoluntaryContributed(address indexed account, uint256 amount, bytes32 paymentDocument);
    /// @notice Property of `account` was valued by `valuation` and credited as shares.
    event InKindCredited(address indexed account, uint256 amount, bytes32 valuation);
    /// @notice Voluntary shares moved from `from` to `to` by `decision`.
    event SharesMovedByDecision(
        address indexed from, address indexed to, uint256 amount, bytes32 decision
    );
    /// @notice The shares of a leaving `account` were cancelled: `refundedOnChain` paid from the
    /// share fund, `owedOffChain` (bank-paid and in-kind parts) to be paid outside the chain.
    event SharesSettled(address indexed account, uint256 refundedOnChain, uint256 owedOffChain);
    /// @notice The holding of lost address `from` now belongs to `to`.
    event HoldingRebound(address indexed from, address indexed to);

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Records the entrance fee and minimum share of a joining account (membership only).
    function creditEntry(address account, uint128 entranceFee, uint128 minimumShare, bool offChain)
        external;

    /// @notice The sender, an active member, adds voluntary shares paid in the payment token
    /// (approve the treasury first).
    function contribute(uint128 amount) external;

    /// @notice A cashier attests voluntary shares of `account` paid by bank.
    function attestContribution(address account, uint128 amount, bytes32 paymentDocument) external;

    /// @notice Credits property valued by a decision as shares of `account` (decision).
    function creditInKind(address account, uint128 amount, bytes32 valuation) external;

    /// @notice Moves voluntary shares between two active members (decision).
    function moveByDecision(address from, address to, uint128 amount, bytes32 decision) external;

    /// @notice Cancels the shares of a leaving account and refunds the token-paid refundable part
    /// from the share fund (membership only).
    function settle(address account) external returns (uint256 refundedOnChain, uint256 owedOffChain);

    /// @notice Moves the holding of `from` to `to` in a key recovery (membership only).
    function rebind(address from, address to) external;

    /// @notice The contributions of `account`.
    function holdingOf(address account) external view returns (Holding memory);

    /// @notice The cooperative's charter.
    function charter() external view returns (address);
}
