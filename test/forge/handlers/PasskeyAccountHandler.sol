// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {PasskeyAccountFactory} from "../../../contracts/accounts/PasskeyAccountFactory.sol";
import {IPasskeyAccount} from "../../../contracts/interfaces/IPasskeyAccount.sol";

/// @notice forge's P-256 cheatcodes (as in forge-std's `Vm.sol`).
interface VmP256 {
    function signP256(uint256 privateKey, bytes32 digest) external pure returns (bytes32 r, bytes32 s);
    function publicKeyP256(uint256 privateKey) external pure returns (uint256 x, uint256 y);
}

/// @title PasskeyAccountHandler
/// @notice Drives one passkey account with bounded random actions: a registered passkey adds or
/// removes a passkey through `execute`; a spent signature is replayed; a passkey that is not (or
/// no longer) the account's signs; a stranger calls `addPasskey` directly. Ghost variables keep
/// which passkeys should control the account and every refusal that did not happen.
contract PasskeyAccountHandler {
    VmP256 internal constant vm = VmP256(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);
    uint256 internal constant N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551;
    /// @notice How many passkeys the handler knows (some registered, some not).
    uint256 public constant KEYS = 5;

    IPasskeyAccount public account;
    /// @notice Whether passkey i should control the account.
    bool[KEYS] public registered;
    /// @notice `execute` calls that went through (the account's nonce must equal it).
    uint256 public executed;
    /// @notice A replayed, foreign or direct call that was accepted (must stay false).
    bool public forgeryAccepted;
    /// @notice Refusals seen (the paths are reached).
    uint256 public refused;

    bytes private _lastData;
    uint256 private _lastNonce;
    bytes private _lastSignature;
    uint32 private _counter;

    constructor() {
        PasskeyAccountFactory factory = new PasskeyAccountFactory();
        (bytes32 qx, bytes32 qy) = _key(0);
        account = IPasskeyAccount(factory.createAccount(qx, qy));
        registered[0] = true;
    }

    /// @notice A registered passkey adds passkey `keySeed` (refused when it is already there).
    function addPasskey(uint256 signerSeed, uint256 keySeed) external {
        uint256 k = keySeed % KEYS;
        (bytes32 qx, bytes32 qy) = _key(k);
        bool ok = _execute(_registeredKey(signerSeed), abi.encodeCall(IPasskeyAccount.addPasskey, (qx, qy)));
        if (ok != !registered[k]) forgeryAccepted = forgeryAccepted || ok;
        if (ok) registered[k] = true;
        else ++refused;
    }

    /// @notice A registered passkey removes passkey `keySeed` (refused when unknown or last).
    function removePasskey(uint256 signerSeed, uint256 keySeed) external {
        uint256 k = keySeed % KEYS;
        (bytes32 qx, bytes32 qy) = _key(k);
        bool ok = _execute(_registeredKey(signerSeed), abi.encodeCall(IPasskeyAccount.removePasskey, (qx, qy)));
        bool allowed = registered[k] && _count() > 1;
        if (ok && !allowed) forgeryAccepted = true;
        if (ok) registered[k] = false;
        else ++refused;
    }

    /// @notice The last accepted signature, submitted again.
    function replay() external {
        if (_lastSignature.length == 0) return;
        try account.execute(address(account), 0, _lastData, _lastNonce, block.timestamp + 1, _lastSignature) {
            forgeryAccepted = true;
        } catch {
            ++refused;
        }
    }

    /// @notice A passkey the account does not hold (never had, or removed) signs a call.
    function foreignSigns(uint256 keySeed) external {
        uint256 k = keySeed % KEYS;
        if (registered[k]) return;
        (bytes32 qx, bytes32 qy) = _key(k);
        if (_execute(k, abi.encodeCall(IPasskeyAccount.addPasskey, (qx, qy)))) forgeryAccepted = true;
        else ++refused;
    }

    /// @notice Someone calls `addPasskey` directly.
    function strangerAdds(uint256 keySeed) external {
        (bytes32 qx, bytes32 qy) = _key(keySeed % KEYS);
        try account.addPasskey(qx, qy) {
            forgeryAccepted = true;
        } catch {
            ++refused;
        }
    }

    /// @notice Passkey `k`'s public key.
    function key(uint256 k) public pure returns (bytes32 qx, bytes32 qy) {
        return _key(k);
    }

    function _key(uint256 k) private pure returns (bytes32 qx, bytes32 qy) {
        (uint256 x, uint256 y) = vm.publicKeyP256(_privateKey(k));
        return (bytes32(x), bytes32(y));
    }

    function _privateKey(uint256 k) private pure returns (uint256) {
        return uint256(keccak256(abi.encode("passkey", k))) % (N - 1) + 1;
    }

    function _count() private view returns (uint256 c) {
        for (uint256 i; i < KEYS; ++i) {
            if (registered[i]) ++c;
        }
    }

    function _registeredKey(uint256 seed) private view returns (uint256) {
        for (uint256 i; i < KEYS; ++i) {
            uint256 k = (seed % KEYS + i) % KEYS;
            if (registered[k]) return k;
        }
        return 0;
    }

    /// @dev `execute(account, 0, data)` signed by passkey `k` with a standard WebAuthn assertion.
    function _execute(uint256 k, bytes memory data) private returns (bool ok) {
        uint256 nonce = account.nonce();
        uint256 deadline = block.timestamp + 1;
        bytes memory signature = _sign(k, account.executeDigest(address(account), 0, data, nonce, deadline));
        try account.execute(address(account), 0, data, nonce, deadline, signature) {
            ok = true;
            ++executed;
            _lastData = data;
            _lastNonce = nonce;
            _lastSignature = signature;
        } catch {
            ok = false;
        }
    }

    function _sign(uint256 k, bytes32 challenge) private returns (bytes memory) {
        bytes memory authData = abi.encodePacked(sha256("localhost"), bytes1(0x05), ++_counter);
        string memory json = string.concat(
            '{"type":"webauthn.get","challenge":"',
            Base64.encodeURL(abi.encodePacked(challenge)),
            '","origin":"http://localhost","crossOrigin":false}'
        );
        bytes32 message = sha256(bytes.concat(authData, sha256(bytes(json))));
        (bytes32 r, bytes32 s) = vm.signP256(_privateKey(k), message);
        if (uint256(s) > N / 2) s = bytes32(N - uint256(s));
        (bytes32 qx, bytes32 qy) = _key(k);
        return abi.encode(qx, qy, r, s, uint256(23), uint256(1), authData, json);
    }
}
