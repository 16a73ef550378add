// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title CreateAddress
/// @notice The address a `CREATE` by `deployer` at account nonce `nonce` produces:
/// `keccak256(rlp([deployer, nonce]))[12:]`.
/// @dev The cooperative factory creates a cooperative's contracts with `CREATE` and passes every
/// contract the addresses of its siblings as immutable clone arguments; with `CREATE` (unlike
/// `CREATE2`) an address does not depend on the code, so the set can refer to itself.
library CreateAddress {
    /// @notice The nonce does not fit the four-byte encoding this library supports.
    error CreateAddressNonceTooLarge(uint256 nonce);

    /// @notice Address of the contract `deployer` creates when its nonce is `nonce`.
    function compute(address deployer, uint256 nonce) internal pure returns (address) {
        bytes memory encoded;
        if (nonce == 0) {
            encoded = abi.encodePacked(bytes1(0xd6), bytes1(0x94), deployer, bytes1(0x80));
        } else if (nonce <= 0x7f) {
            encoded = abi.encodePacked(bytes1(0xd6), bytes1(0x94), deployer, uint8(nonce));
        } else if (nonce <= 0xff) {
            encoded =
                abi.encodePacked(bytes1(0xd7), bytes1(0x94), deployer, bytes1(0x81), uint8(nonce));
        } else if (nonce <= 0xffff) {
            encoded =
                abi.encodePacked(bytes1(0xd8), bytes1(0x94), deployer, bytes1(0x82), uint16(nonce));
        } else if (nonce <= 0xffffff) {
            encoded =
                abi.encodePacked(bytes1(0xd9), bytes1(0x94), deployer, bytes1(0x83), uint24(nonce));
        } else if (nonce <= 0xffffffff) {
            encoded =
                abi.encodePacked(bytes1(0xda), bytes1(0x94), deployer, bytes1(0x84), uint32(nonce));
        } else {
            revert CreateAddressNonceTooLarge(nonce);
        }
        return address(uint160(uint256(keccak256(encoded))));
    }
}
