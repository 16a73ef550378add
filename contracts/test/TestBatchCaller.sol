// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title TestBatchCaller
/// @notice Benchmark set-ups only: holds a cooperative's officer roles (decision executor,
/// cashier, verifier) and makes many calls in one transaction on its owner's order, so that a
/// network of thousands of members is admitted in a few hundred transactions. A real
/// cooperative's roles are held by its council contract and its officers' own keys.
contract TestBatchCaller {
    /// @notice Only the owner may make the batch caller call out.
    error TestBatchCallerNotOwner(address account);

    /// @notice The lists of targets and call data differ in length.
    error TestBatchCallerLengthMismatch(uint256 targets, uint256 calls);

    address private immutable _owner;

    constructor(address owner_) {
        _owner = owner_;
    }

    /// @notice Calls `targets[i]` with `calls[i]` in order, on the owner's order; the first
    /// failure reverts the whole batch with its own revert data.
    /// @param targets The contracts called.
    /// @param calls The ABI-encoded call data, one per target.
    function execute(address[] calldata targets, bytes[] calldata calls) external {
        if (msg.sender != _owner) revert TestBatchCallerNotOwner(msg.sender);
        if (targets.length != calls.length) {
            revert TestBatchCallerLengthMismatch(targets.length, calls.length);
        }
        for (uint256 i = 0; i < targets.length; ++i) {
            (bool ok, bytes memory result) = targets[i].call(calls[i]);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(result, 0x20), mload(result))
                }
            }
        }
    }
}
