// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title CloneArgs
/// @notice Reads the immutable arguments appended to the calling EIP-1167 clone's own code.
/// @dev A clone made by OpenZeppelin's `Clones.cloneWithImmutableArgs` has the 45-byte EIP-1167
/// runtime code followed by the packed arguments. Code costs 200 gas a byte to deposit against
/// 22,100 gas a storage slot, so a cooperative's fixed wiring (its sibling contracts, payment token,
/// name) lives here instead of in storage. Reading is an `EXTCODECOPY` of `address(this)`, which
/// in a delegate call is the clone. Called on an implementation contract (not a clone) these
/// functions return meaningless bytes: implementations are never used directly.
library CloneArgs {
    /// @dev Length of the EIP-1167 runtime code that precedes the arguments.
    uint256 private constant _PROXY_CODE_LENGTH = 45;

    /// @notice The address stored at byte `offset` of the clone's arguments.
    function addressAt(uint256 offset) internal view returns (address value) {
        assembly ("memory-safe") {
            // Scratch space (0x00-0x3f) is free for temporary use.
            extcodecopy(address(), 0x00, add(_PROXY_CODE_LENGTH, offset), 0x20)
            value := shr(96, mload(0x00))
        }
    }

    /// @notice The byte stored at `offset` of the clone's arguments.
    function uint8At(uint256 offset) internal view returns (uint8 value) {
        assembly ("memory-safe") {
            extcodecopy(address(), 0x00, add(_PROXY_CODE_LENGTH, offset), 0x20)
            value := shr(248, mload(0x00))
        }
    }

    /// @notice `length` bytes of the clone's arguments starting at `offset`.
    function bytesAt(uint256 offset, uint256 length) internal view returns (bytes memory value) {
        value = new bytes(length);
        assembly ("memory-safe") {
            extcodecopy(address(), add(value, 0x20), add(_PROXY_CODE_LENGTH, offset), length)
        }
    }
}
