// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ILabourInstaller
/// @notice Installs a cooperative's labour register (a LabourRegister, an EIP-1167 clone of a
/// fixed implementation) in one transaction: the clone is created and initialised before the
/// transaction ends, so nobody can initialise it first. Only the charter's current decision
/// executor may install for its cooperative (a direct call while the executor is a key, a
/// council decision once the council holds the role). One installer per network; no owner, no
/// setting. `LabourRegisterInstalled` links the register to the charter on chain, so an indexer
/// finds it from the charter alone. Addresses are deterministic (`CREATE2`, salt =
/// `keccak256(abi.encode(charter, n))` for the cooperative's n-th installation).
interface ILabourInstaller {
    /// @notice The labour register `register` was installed for the cooperative of `charter`
    /// (its `installation`-th, from 0); only a general meeting sets its rates when
    /// `ratesByMeeting`.
    event LabourRegisterInstalled(
        address indexed charter, address indexed register, uint256 installation, bool ratesByMeeting
    );

    /// @notice The implementation or the charter is the zero address.
    error LabourInstallerZeroAddress();

    /// @notice Only the charter's current decision executor may install; `account` tried.
    error LabourInstallerNotDecisionExecutor(address charter, address account);

    /// @notice Creates and initialises the LabourRegister of the cooperative of `charter`.
    /// Only the charter's current decision executor.
    /// @return register The new clone.
    function install(address charter, bool ratesByMeeting) external returns (address register);

    /// @notice The address the next `install` for `charter` creates.
    function predictAddress(address charter) external view returns (address);

    /// @notice How many times a register was installed for `charter`.
    function installations(address charter) external view returns (uint256);

    /// @notice The LabourRegister implementation the clones delegate to.
    function implementation() external view returns (address);
}
