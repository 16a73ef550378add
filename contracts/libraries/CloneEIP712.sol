// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";

/// @title CloneEIP712
/// @notice EIP-712 hashing for contracts that run as EIP-1167 clones.
/// @dev OpenZeppelin's `EIP712` caches the domain separator in immutables, which live in the
/// implementation's code: every clone would sign for the implementation's address. Here the
/// separator is computed on each use from `address(this)` (the clone) and `block.chainid`, so a
/// signature made for one cooperative's contract never verifies on another's, nor on another
/// chain. Name and version are constants of the contract type, identical in every clone.
library CloneEIP712 {
    /// @dev keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
    bytes32 internal constant TYPE_HASH = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    );

    /// @notice The domain separator of the calling contract.
    function domainSeparator(bytes32 hashedName, bytes32 hashedVersion)
        internal
        view
        returns (bytes32)
    {
        return keccak256(
            abi.encode(TYPE_HASH, hashedName, hashedVersion, block.chainid, address(this))
        );
    }

    /// @notice The EIP-712 digest of `structHash` in the calling contract's domain.
    function hashTypedData(bytes32 hashedName, bytes32 hashedVersion, bytes32 structHash)
        internal
        view
        returns (bytes32)
    {
        return MessageHashUtils.toTypedDataHash(
            domainSeparator(hashedName, hashedVersion), structHash
        );
    }
}
