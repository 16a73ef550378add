// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {P256} from "@openzeppelin/contracts/utils/cryptography/P256.sol";
import {IPasskeyAccount} from "../interfaces/IPasskeyAccount.sol";
import {IPasskeyAccountFactory} from "../interfaces/IPasskeyAccountFactory.sol";
import {PasskeyAccount} from "./PasskeyAccount.sol";

/// @title PasskeyAccountFactory
/// @notice See {IPasskeyAccountFactory}. Deploys its own {PasskeyAccount} implementation, so the
/// implementation's initialiser answers to this factory only.
contract PasskeyAccountFactory is IPasskeyAccountFactory {
    address private immutable _implementation;

    constructor() {
        _implementation = address(new PasskeyAccount());
    }

    /// @inheritdoc IPasskeyAccountFactory
    function createAccount(bytes32 qx, bytes32 qy) external returns (address account) {
        if (!P256.isValidPublicKey(qx, qy)) revert PasskeyAccountFactoryInvalidPublicKey(qx, qy);
        bytes32 salt = _salt(qx, qy);
        account = Clones.predictDeterministicAddress(_implementation, salt);
        if (account.code.length != 0) return account;
        Clones.cloneDeterministic(_implementation, salt);
        IPasskeyAccount(account).initialize(qx, qy);
        emit PasskeyAccountCreated(account, qx, qy);
    }

    /// @inheritdoc IPasskeyAccountFactory
    function accountAddress(bytes32 qx, bytes32 qy) external view returns (address) {
        return Clones.predictDeterministicAddress(_implementation, _salt(qx, qy));
    }

    /// @inheritdoc IPasskeyAccountFactory
    function implementation() external view returns (address) {
        return _implementation;
    }

    function _salt(bytes32 qx, bytes32 qy) private pure returns (bytes32) {
        return keccak256(abi.encode(qx, qy));
    }
}
