// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title BoundedSignatureChecker
/// @notice Whether a signature is a signer's: an ECDSA signature of an EOA, or the approval of an
/// ERC-1271 wallet (a member cooperative acting through its representative's wallet) answering
/// with bounded gas.
/// @dev OpenZeppelin's `SignatureChecker` gives the wallet all the gas left and copies its whole
/// answer. Signatures here are relayed by the node, which pays the gas, sometimes in a batch: a
/// hostile wallet must not burn the relayer's gas nor fail the batch. So the wallet gets
/// `walletGas` and at most 32 bytes of its answer are copied. The code-size check is paid only
/// when ECDSA recovery does not yield the signer.
library BoundedSignatureChecker {
    /// @notice True when `signature` is `signer`'s over `digest` (see the contract's notes).
    function isValidSignatureNow(
        address signer,
        bytes32 digest,
        bytes calldata signature,
        uint256 walletGas
    ) internal view returns (bool) {
        if (signature.length == 65) {
            bytes32 r;
            bytes32 s;
            uint8 v;
            assembly ("memory-safe") {
                r := calldataload(signature.offset)
                s := calldataload(add(signature.offset, 0x20))
                v := byte(0, calldataload(add(signature.offset, 0x40)))
            }
            (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, v, r, s);
            if (err == ECDSA.RecoverError.NoError && recovered == signer) return true;
        }
        if (signer.code.length == 0) return false;
        bytes memory query = abi.encodeCall(IERC1271.isValidSignature, (digest, signature));
        bool ok;
        bytes32 answer;
        assembly ("memory-safe") {
            ok := staticcall(walletGas, signer, add(query, 0x20), mload(query), 0, 0x20)
            if lt(returndatasize(), 0x20) { ok := 0 }
            answer := mload(0)
        }
        return ok && bytes4(answer) == IERC1271.isValidSignature.selector;
    }
}
