// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ITestTokenHook} from "./TestHookToken.sol";

/// @title TestReentrantCaller
/// @notice A hostile token hook for tests: registered on a holder of {TestHookToken}, it makes
/// one arbitrary call (set beforehand) when the holder's tokens are about to move, and bubbles
/// up its revert, so a test sees whether the callee refused the reentry.
contract TestReentrantCaller is ITestTokenHook {
    address private _target;
    bytes private _data;

    /// @notice The call to make on the next transfer out of the hooked holder (once).
    function setCall(address target, bytes calldata data) external {
        _target = target;
        _data = data;
    }

    /// @inheritdoc ITestTokenHook
    function tokensToSend(address, address, uint256) external {
        bytes memory data = _data;
        if (data.length == 0) return;
        delete _data;
        (bool ok, bytes memory result) = _target.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
    }
}
