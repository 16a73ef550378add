// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {P256} from "@openzeppelin/contracts/utils/cryptography/P256.sol";

/// @title WebAuthnAssertion
/// @notice Checks a WebAuthn authentication assertion (W3C WebAuthn Level 2, "Verifying an
/// Authentication Assertion") over a 32-byte challenge with a P-256 public key. OpenZeppelin 5.4
/// has the P-256 arithmetic (`P256`, RIP-7212 precompile first, Solidity otherwise) but no
/// WebAuthn layer, so this library adds the steps that can be checked on chain:
/// - step 11: `clientDataJSON.type` is `"webauthn.get"` (at `typeIndex`);
/// - step 12: `clientDataJSON.challenge` is the base64url (no padding) of the challenge (at
///   `challengeIndex`);
/// - step 16: the authenticator data's User Present flag is set;
/// - step 17: the User Verified flag is set (the portal asks for `userVerification: required`);
/// - steps 19-20: the P-256 signature over `authenticatorData || sha256(clientDataJSON)`, with
///   a low `s` (P256 refuses malleable signatures).
/// Origin and rpIdHash are not checked on chain (the authenticator scopes a credential to its
/// relying party; the gateway checks both with the `webauthn` package before relaying), nor is
/// the signature counter (per-credential mutable state; the account's own nonce prevents
/// replay).
library WebAuthnAssertion {
    /// @dev User Present flag (bit 0 of the authenticator data's flags byte).
    bytes1 internal constant FLAG_UP = 0x01;
    /// @dev User Verified flag (bit 2).
    bytes1 internal constant FLAG_UV = 0x04;
    /// @dev rpIdHash (32) + flags (1) + signCount (4).
    uint256 private constant _MIN_AUTH_DATA = 37;

    /// @notice A WebAuthn assertion and the key that made it, as an account receives it.
    struct Assertion {
        bytes32 qx;
        bytes32 qy;
        bytes32 r;
        bytes32 s;
        uint256 challengeIndex;
        uint256 typeIndex;
        bytes authenticatorData;
        string clientDataJSON;
    }

    /// @notice Decodes `abi.encode(qx, qy, r, s, challengeIndex, typeIndex, authenticatorData,
    /// clientDataJSON)` (reverts on bytes that are not such an encoding).
    /// @param signature The encoded assertion.
    /// @return a The assertion.
    function decode(bytes calldata signature) internal pure returns (Assertion memory a) {
        (a.qx, a.qy, a.r, a.s, a.challengeIndex, a.typeIndex, a.authenticatorData, a.clientDataJSON) =
            abi.decode(signature, (bytes32, bytes32, bytes32, bytes32, uint256, uint256, bytes, string));
    }

    /// @notice Whether `a` is a valid assertion over `challenge` by its key `(a.qx, a.qy)`.
    /// @param challenge The 32 bytes the assertion must carry as its challenge.
    /// @param a The assertion.
    /// @return True when every step holds.
    function verify(bytes32 challenge, Assertion memory a) internal view returns (bool) {
        bytes memory authData = a.authenticatorData;
        if (authData.length < _MIN_AUTH_DATA) return false;
        bytes1 flags = authData[32];
        if (flags & FLAG_UP != FLAG_UP || flags & FLAG_UV != FLAG_UV) return false;
        bytes memory json = bytes(a.clientDataJSON);
        if (!_contains(json, a.typeIndex, bytes('"type":"webauthn.get"'))) return false;
        bytes memory expected = bytes.concat(
            '"challenge":"', bytes(Base64.encodeURL(abi.encodePacked(challenge))), '"'
        );
        if (!_contains(json, a.challengeIndex, expected)) return false;
        bytes32 message = sha256(bytes.concat(authData, sha256(json)));
        return P256.verify(message, a.r, a.s, a.qx, a.qy);
    }

    /// @dev Whether `data[index:index + part.length]` equals `part` (false when out of range).
    function _contains(bytes memory data, uint256 index, bytes memory part) private pure returns (bool) {
        if (index > data.length || data.length - index < part.length) return false;
        bytes32 got;
        assembly ("memory-safe") {
            got := keccak256(add(add(data, 0x20), index), mload(part))
        }
        return got == keccak256(part);
    }
}
