// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";

/// @title IPasskeyAccount
/// @notice A member's account controlled by passkeys (WebAuthn, P-256), for people without a
/// crypto wallet. It signs acts (applications, ballots, invoice acceptances, document
/// signatures) by ERC-1271 and makes its own calls through `execute`, each authorised by a
/// WebAuthn assertion of one of its passkeys; any relayer may submit them and pays the gas.
/// Passkeys are added and removed by the account itself (a self-call through `execute`), never
/// by anyone else; the last passkey cannot be removed (a person who lost every passkey is
/// recovered by the cooperative council's key recovery, which moves the membership to a new
/// account).
///
/// A signature (for `isValidSignature` and `execute`) is
/// `abi.encode(qx, qy, r, s, challengeIndex, typeIndex, authenticatorData, clientDataJSON)`:
/// the passkey's public key, the P-256 signature and the WebAuthn assertion whose challenge is
/// the base64url of the signed digest.
interface IPasskeyAccount is IERC1271, IERC5267 {
    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice Only the account itself (a self-call through `execute`) may do this.
    error PasskeyAccountOnlySelf(address caller);
    /// @notice Only the factory initialises an account, and only once.
    error PasskeyAccountAlreadyInitialized();
    /// @notice Not a point of the P-256 curve.
    error PasskeyAccountInvalidPublicKey(bytes32 qx, bytes32 qy);
    /// @notice The passkey is already one of this account's.
    error PasskeyAccountPasskeyExists(bytes32 qx, bytes32 qy);
    /// @notice The passkey is not one of this account's.
    error PasskeyAccountUnknownPasskey(bytes32 qx, bytes32 qy);
    /// @notice The last passkey stays: without one, only the council's key recovery could act.
    error PasskeyAccountLastPasskey();
    /// @notice The signature is not a valid WebAuthn assertion of one of the account's passkeys.
    error PasskeyAccountInvalidSignature();
    /// @notice The nonce is not the account's next one (used already, or out of order).
    error PasskeyAccountInvalidNonce(uint256 expected, uint256 given);
    /// @notice The signed call's deadline has passed.
    error PasskeyAccountExpired(uint256 deadline);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice A passkey now controls the account.
    event PasskeyAdded(bytes32 indexed keyId, bytes32 qx, bytes32 qy);
    /// @notice A passkey no longer controls the account.
    event PasskeyRemoved(bytes32 indexed keyId, bytes32 qx, bytes32 qy);
    /// @notice The account made a call authorised by one of its passkeys.
    event Executed(uint256 indexed nonce, address indexed target, uint256 value, bytes32 dataHash);

    /*//////////////////////////////////////////////////////////////
                                FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Sets the first passkey; called by the factory in the transaction that clones the
    /// account.
    /// @param qx The passkey's public key, x coordinate.
    /// @param qy The passkey's public key, y coordinate.
    function initialize(bytes32 qx, bytes32 qy) external;

    /// @notice Calls `target` with `value` and `data` as the account, authorised by a passkey's
    /// WebAuthn assertion over the EIP-712 `Execute` digest (`executeDigest`); anyone may submit.
    /// @param target The contract (or address) to call; the account itself for passkey changes.
    /// @param value Wei sent with the call, from the account's balance.
    /// @param data The call data.
    /// @param nonce The account's next nonce (`nonce()`): each signature is good once.
    /// @param deadline Unix time after which the signature is refused.
    /// @param signature The encoded WebAuthn assertion (see the interface's description).
    /// @return result What the call returned.
    function execute(
        address target,
        uint256 value,
        bytes calldata data,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external payable returns (bytes memory result);

    /// @notice Adds a passkey; only by the account itself (through `execute`).
    /// @param qx The new passkey's public key, x coordinate.
    /// @param qy The new passkey's public key, y coordinate.
    function addPasskey(bytes32 qx, bytes32 qy) external;

    /// @notice Removes a passkey; only by the account itself (through `execute`), never the last.
    /// @param qx The passkey's public key, x coordinate.
    /// @param qy The passkey's public key, y coordinate.
    function removePasskey(bytes32 qx, bytes32 qy) external;

    /// @notice Whether the passkey controls the account.
    /// @param qx The public key, x coordinate.
    /// @param qy The public key, y coordinate.
    /// @return True when it is one of the account's passkeys.
    function isPasskey(bytes32 qx, bytes32 qy) external view returns (bool);

    /// @notice How many passkeys control the account.
    /// @return The number of passkeys.
    function passkeyCount() external view returns (uint256);

    /// @notice The nonce the next `execute` must carry.
    /// @return The next nonce.
    function nonce() external view returns (uint256);

    /// @notice The digest a passkey signs to authorise an `execute` call.
    /// @param target The call's target.
    /// @param value The call's value.
    /// @param data The call data.
    /// @param nonce_ The nonce.
    /// @param deadline The deadline.
    /// @return The EIP-712 digest (the WebAuthn challenge).
    function executeDigest(
        address target,
        uint256 value,
        bytes calldata data,
        uint256 nonce_,
        uint256 deadline
    ) external view returns (bytes32);

    /// @notice The digest a passkey signs for `isValidSignature(hash, ...)`: `hash` wrapped in this
    /// account's EIP-712 domain, so a signature is good for one account on one chain only.
    /// @param hash The hash a contract asks the account to have signed.
    /// @return The WebAuthn challenge.
    function replaySafeHash(bytes32 hash) external view returns (bytes32);
}
