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

    /// @notice The dense, stable index of the membership `account` holds (1, 2, 3...): assigned
    /// at the account's first application, kept through exit and re-application, moved with
    /// the membership by key recovery. Zero when the account holds no membership record (it
    /// never applied, or key recovery moved its membership to another address).
    /// @dev Other contracts key per-member data by it (the general meeting's has-voted
    /// bitmaps, 255 members a storage slot). Indices of applications that were never admitted
    /// stay unused, so the sequence may have gaps.
    function memberIndexOf(address account) external view returns (uint32);

    /// @notice The membership index with which `account` takes part in a vote whose record
    /// block is `blockNumber`: zero unless the membership `account` holds now was active at the
    /// end of that block, otherwise that membership's index. After a key recovery the new address
    /// answers for the membership's whole past and the former address for nothing: the new key
    /// votes in a meeting whose record block came before the recovery, the old key cannot.
    /// @dev An address's index never changes once assigned (a former address can neither apply
    /// again nor receive another membership), so one index is one membership: counting one
    /// ballot per index counts each membership active at the record block at most once.
    function voterIndexAt(address account, uint256 blockNumber) external view returns (uint32);

    /// @notice The highest member index assigned so far (zero before the first application).
    function memberIndexCount() external view returns (uint256);
}
