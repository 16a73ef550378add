// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ITargetProgramsInstaller
/// @notice Installs a cooperative's TargetPrograms (an EIP-1167 clone of a fixed
/// implementation) in one transaction, created and initialised together (no front-running
/// window). Only the charter's current decision executor may install. One installer per network,
/// no owner, no setting. `TargetProgramsInstalled` links the clone to the charter on chain (the
/// indexer discovers the clone from it). Addresses are deterministic (`CREATE2`, salt =
/// `keccak256(abi.encode(charter, n))` for the cooperative's n-th installation, from 0).
interface ITargetProgramsInstaller {
    /// @notice The target programs `programs` were installed, initialised, for the cooperative
    /// of `charter` (its `installation`-th, from 0).
    event TargetProgramsInstalled(
        address indexed charter, address indexed programs, uint256 installation
    );

    /// @notice The implementation or the charter is the zero address.
    error TargetProgramsInstallerZeroAddress();

    /// @notice Only the charter's current decision executor may install; `account` tried.
    error TargetProgramsInstallerNotDecisionExecutor(address charter, address account);

    /// @notice Creates and initialises the TargetPrograms clone of the cooperative of `charter`.
    /// Only the charter's current decision executor.
    /// @return programs The new clone.
    function install(address charter) external returns (address programs);

    /// @notice The address the next `install` for `charter` creates.
    function predictAddress(address charter) external view returns (address);

    /// @notice How many times target programs were installed for `charter`.
    function installations(address charter) external view returns (uint256);

    /// @notice The TargetPrograms implementation the clones delegate to.
    function implementation() external view returns (address);
}
