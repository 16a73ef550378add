// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IPasskeyAccountFactory
/// @notice Creates members' passkey accounts as EIP-1167 clones at counterfactual CREATE2
/// addresses: the address follows from the first passkey alone, so a person has an address
/// (to sign in with, to apply with) before anything is on chain, and the relayer deploys the
/// account with the member's first act. One factory per chain serves every cooperative.
interface IPasskeyAccountFactory {
    /// @notice Not a point of the P-256 curve.
    error PasskeyAccountFactoryInvalidPublicKey(bytes32 qx, bytes32 qy);

    /// @notice An account was cloned for the passkey.
    event PasskeyAccountCreated(address indexed account, bytes32 qx, bytes32 qy);

    /// @notice Deploys the account of the first passkey `(qx, qy)`, or returns it when it exists
    /// (anyone may call: the account answers to the passkey only).
    /// @param qx The first passkey's public key, x coordinate.
    /// @param qy The first passkey's public key, y coordinate.
    /// @return account The account's address.
    function createAccount(bytes32 qx, bytes32 qy) external returns (address account);

    /// @notice The address `createAccount(qx, qy)` deploys to.
    /// @param qx The first passkey's public key, x coordinate.
    /// @param qy The first passkey's public key, y coordinate.
    /// @return The counterfactual address.
    function accountAddress(bytes32 qx, bytes32 qy) external view returns (address);

    /// @notice The account implementation every clone delegates to.
    /// @return The implementation's address.
    function implementation() external view returns (address);
}
