// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ShortString, ShortStrings} from "@openzeppelin/contracts/utils/ShortStrings.sol";
import {CloneEIP712} from "./CloneEIP712.sol";

/// @title CloneEIP712Domain
/// @notice The EIP-712 domain (ERC-5267 `eip712Domain`) and the signature check of a contract
/// that runs as EIP-1167 clones: the base of every such contract that accepts signed messages.
/// @dev Name and version are the same in every clone of a contract type, so the implementation
/// keeps them (and their hashes) as immutables, which the clones read from its code. The chain
/// and the verifying contract are taken on use ({CloneEIP712}): a signature for one clone never
/// verifies on another, nor on another chain. Name and version must fit 31 bytes.
abstract contract CloneEIP712Domain is IERC5267 {
    using ShortStrings for ShortString;

    ShortString private immutable _EIP712_NAME;
    ShortString private immutable _EIP712_VERSION;
    bytes32 private immutable _EIP712_NAME_HASH;
    bytes32 private immutable _EIP712_VERSION_HASH;

    constructor(string memory name, string memory version) {
        _EIP712_NAME = ShortStrings.toShortString(name);
        _EIP712_VERSION = ShortStrings.toShortString(version);
        _EIP712_NAME_HASH = keccak256(bytes(name));
        _EIP712_VERSION_HASH = keccak256(bytes(version));
    }

    /// @inheritdoc IERC5267
    function eip712Domain()
        external
        view
        returns (
            bytes1 fields,
            string memory name,
            string memory version,
            uint256 chainId,
            address verifyingContract,
            bytes32 salt,
            uint256[] memory extensions
        )
    {
        return (
            hex"0f", // name, version, chainId, verifyingContract
            _EIP712_NAME.toString(),
            _EIP712_VERSION.toString(),
            block.chainid,
            address(this),
            bytes32(0),
            extensions
        );
    }

    /// @dev The domain separator of this clone on this chain.
    function _domainSeparator() internal view returns (bytes32) {
        return CloneEIP712.domainSeparator(_EIP712_NAME_HASH, _EIP712_VERSION_HASH);
    }

    /// @dev The EIP-712 digest of `structHash` in this clone's domain.
    function _hashTypedData(bytes32 structHash) internal view returns (bytes32) {
        return CloneEIP712.hashTypedData(_EIP712_NAME_HASH, _EIP712_VERSION_HASH, structHash);
    }

    /// @dev Whether `signature` is `signer`'s over `digest`: an ECDSA signature of an EOA, or an
    /// ERC-1271 contract wallet's approval.
    function _isValidSignature(address signer, bytes32 digest, bytes calldata signature)
        internal
        view
        returns (bool)
    {
        return SignatureChecker.isValidSignatureNow(signer, digest, signature);
    }
}
