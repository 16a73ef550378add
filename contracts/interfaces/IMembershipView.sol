// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IMembershipView
/// @notice The read side of a cooperative's membership register that other contracts of the
/// same cooperative (ВРЕ, governance, the fund) depend on. Kept minimal and stable so that those
/// contracts compile against it without depending on Membership's implementation.
interface IMembershipView {
    /// @notice Whether `account` is an active member now (admitted, not exiting, exited or blocked).
    function isActiveMember(address account) external view returns (bool);

    /// @notice Whether `account` was an active member at the end of block `blockNumber`.
    function wasActiveMemberAt(address account, uint256 blockNumber) external view returns (bool);

    /// @notice Number of active members at the end of block `blockNumber`.
    function activeMemberCountAt(uint256 blockNumber) external view returns (uint256);

    /// @notice Number of active members now.
    function activeMemberCount() external view returns (uint256);
}
