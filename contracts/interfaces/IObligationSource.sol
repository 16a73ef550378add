// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IObligationSource
/// @notice A contract that can hold a member to open obligations (a ВРЕ debt, an unpaid loan).
/// Membership asks every registered source before it lets a member exit, tells every source
/// when a membership is rebound to a new address after a lost key, when an address stops being
/// an active member, and when the source itself is removed from the register.
/// @dev The deactivation push lets a source cache "active member" per account (the ВРЕ keeps
/// one bit in the member's balance slot instead of asking Membership on every transfer): the
/// cache is set lazily, after Membership said yes, and cleared by Membership on every
/// transition out of the active status (exit request, exit and block of an active member; key
/// recovery moves the status and calls `rebindMember`). A source that keeps no cache
/// answers false to `cachesMemberStatus` and implements the two hooks as no-ops.
interface IObligationSource {
    /// @notice Whether `member` still has obligations that block their exit.
    function hasOpenObligations(address member) external view returns (bool);

    /// @notice Moves everything this source holds for `from` to `to` (key recovery).
    /// @dev Only the cooperative's Membership contract may call this.
    function rebindMember(address from, address to) external;

    /// @notice Whether this source caches membership status and so must hear of every
    /// deactivation (`memberDeactivated`). Membership asks once, when it registers the source;
    /// it does not call `memberDeactivated` on a source that answered false.
    /// @dev Must not depend on state: Membership may ask before the source is initialised.
    function cachesMemberStatus() external view returns (bool);

    /// @notice `member` has just stopped being an active member (exit requested, blocked while
    /// active) or has just exited (from any status): any cached "active" status of it must be
    /// dropped, and on an exit the source may settle what the leaver still holds there.
    /// @dev Only the cooperative's Membership contract may call this. Emits nothing: the
    /// status change itself is Membership's event.
    function memberDeactivated(address member) external;

    /// @notice Membership has just removed this contract from its obligation sources: from now
    /// on it is not told about deactivations, so it must stop trusting any status it cached.
    /// @dev Only the cooperative's Membership contract may call this.
    function detached() external;
}
