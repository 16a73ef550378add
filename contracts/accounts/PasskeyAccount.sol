// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {P256} from "@openzeppelin/contracts/utils/cryptography/P256.sol";
import {IPasskeyAccount} from "../interfaces/IPasskeyAccount.sol";
import {WebAuthnAssertion} from "../libraries/WebAuthnAssertion.sol";

/// @title PasskeyAccount
/// @notice A member's contract account controlled by passkeys; see {IPasskeyAccount}. Deployed
/// once as an implementation by the {PasskeyAccountFactory}, which clones it per member.
contract PasskeyAccount is IPasskeyAccount, EIP712 {
    /// @notice EIP-712 type of an authorised call.
    bytes32 public constant EXECUTE_TYPEHASH = keccak256(
        "Execute(address target,uint256 value,bytes data,uint256 nonce,uint256 deadline)"
    );
    /// @notice EIP-712 type wrapping a hash an ERC-1271 caller asks about.
    bytes32 public constant PASSKEY_SIGNATURE_TYPEHASH = keccak256("PasskeySignature(bytes32 hash)");

    /// @dev The factory, the only initialiser (an immutable: the same in every clone).
    address private immutable _factory;

    mapping(bytes32 keyId => bool) private _passkeys;
    uint128 private _passkeyCount;
    uint128 private _nonce;

    constructor() EIP712("Coopnode PasskeyAccount", "1") {
        _factory = msg.sender;
    }

    /// @notice Receives ether (a refund of a member's share, for example).
    receive() external payable {}

    modifier onlySelf() {
        if (msg.sender != address(this)) revert PasskeyAccountOnlySelf(msg.sender);
        _;
    }

    /// @inheritdoc IPasskeyAccount
    function initialize(bytes32 qx, bytes32 qy) external {
        if (msg.sender != _factory || _passkeyCount != 0) revert PasskeyAccountAlreadyInitialized();
        _add(qx, qy);
    }

    /// @inheritdoc IPasskeyAccount
    function execute(
        address target,
        uint256 value,
        bytes calldata data,
        uint256 nonce_,
        uint256 deadline,
        bytes calldata signature
    ) external payable returns (bytes memory result) {
        if (block.timestamp > deadline) revert PasskeyAccountExpired(deadline);
        uint256 expected = _nonce;
        if (nonce_ != expected) revert PasskeyAccountInvalidNonce(expected, nonce_);
        if (!_isValid(_executeDigest(target, value, data, nonce_, deadline), signature)) {
            revert PasskeyAccountInvalidSignature();
        }
        // The nonce is a uint128: 2^128 signed calls cannot happen.
        unchecked {
            _nonce = uint128(expected + 1);
        }
        emit Executed(nonce_, target, value, keccak256(data));
        bool ok;
        // The account's own call, authorised above by one of its passkeys' signature over
        // (target, value, data, nonce, deadline): sending where its owner says is a wallet's job.
        // slither-disable-next-line arbitrary-send-eth
        (ok, result) = target.call{value: value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
    }

    /// @inheritdoc IPasskeyAccount
    function addPasskey(bytes32 qx, bytes32 qy) external onlySelf {
        _add(qx, qy);
    }

    /// @inheritdoc IPasskeyAccount
    function removePasskey(bytes32 qx, bytes32 qy) external onlySelf {
        bytes32 id = _keyId(qx, qy);
        if (!_passkeys[id]) revert PasskeyAccountUnknownPasskey(qx, qy);
        if (_passkeyCount == 1) revert PasskeyAccountLastPasskey();
        delete _passkeys[id];
        // At least two passkeys were counted.
        unchecked {
            --_passkeyCount;
        }
        emit PasskeyRemoved(id, qx, qy);
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        return _isValid(_replaySafeHash(hash), signature) ? IERC1271.isValidSignature.selector : bytes4(0xffffffff);
    }

    /// @inheritdoc IPasskeyAccount
    function isPasskey(bytes32 qx, bytes32 qy) external view returns (bool) {
        return _passkeys[_keyId(qx, qy)];
    }

    /// @inheritdoc IPasskeyAccount
    function passkeyCount() external view returns (uint256) {
        return _passkeyCount;
    }

    /// @inheritdoc IPasskeyAccount
    function nonce() external view returns (uint256) {
        return _nonce;
    }

    /// @inheritdoc IPasskeyAccount
    function executeDigest(address target, uint256 value, bytes calldata data, uint256 nonce_, uint256 deadline)
        external
        view
        returns (bytes32)
    {
        return _executeDigest(target, value, data, nonce_, deadline);
    }

    /// @inheritdoc IPasskeyAccount
    function replaySafeHash(bytes32 hash) external view returns (bytes32) {
        return _replaySafeHash(hash);
    }

    function _add(bytes32 qx, bytes32 qy) private {
        if (!P256.isValidPublicKey(qx, qy)) revert PasskeyAccountInvalidPublicKey(qx, qy);
        bytes32 id = _keyId(qx, qy);
        if (_passkeys[id]) revert PasskeyAccountPasskeyExists(qx, qy);
        _passkeys[id] = true;
        // Each passkey costs a self-call paid by someone: the count cannot reach 2^128.
        unchecked {
            ++_passkeyCount;
        }
        emit PasskeyAdded(id, qx, qy);
    }

    /// @dev Whether `signature` is an assertion over `challenge` by one of the account's passkeys.
    function _isValid(bytes32 challenge, bytes calldata signature) private view returns (bool) {
        WebAuthnAssertion.Assertion memory a = WebAuthnAssertion.decode(signature);
        return _passkeys[_keyId(a.qx, a.qy)] && WebAuthnAssertion.verify(challenge, a);
    }

    function _executeDigest(address target, uint256 value, bytes calldata data, uint256 nonce_, uint256 deadline)
        private
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(keccak256(abi.encode(EXECUTE_TYPEHASH, target, value, keccak256(data), nonce_, deadline)));
    }

    function _replaySafeHash(bytes32 hash) private view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(PASSKEY_SIGNATURE_TYPEHASH, hash)));
    }

    function _keyId(bytes32 qx, bytes32 qy) private pure returns (bytes32) {
        return keccak256(abi.encode(qx, qy));
    }
}
