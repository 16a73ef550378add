// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IObligationSource
/// @notice A contract that can hold a member to open obligations (a ВРЕ debt, an unpaid loan).
/// Membership asks every registered source before it lets a member exit, and tells every
/// source when a membership is rebound to a new address after a lost key.
interface IObligationSource {
    /// @notice Whether `member` still has obligations that block their exit.
    function hasOpenObligations(address member) external view returns (bool);

    /// @notice Moves everything this source holds for `from` to `to` (key recovery).
    /// @dev Only the cooperative's Membership contract may call this.
    function rebindMember(address from, address to) external;
}
