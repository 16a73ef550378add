// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IPasskeyAccount} from "../../contracts/interfaces/IPasskeyAccount.sol";
import {PasskeyAccountHandler} from "./handlers/PasskeyAccountHandler.sol";
import {Test} from "./utils/Test.sol";

/// @title PasskeyAccountInvariants
/// @notice (p) Only the account's passkeys authorise it, each signature once: the passkeys that
/// control the account are exactly those its own calls added and did not remove, never none; its
/// nonce counts the calls that went through; no replayed, foreign or direct call is ever accepted.
contract PasskeyAccountInvariants is Test {
    PasskeyAccountHandler internal handler;
    IPasskeyAccount internal account;

    /// @notice Deploys the factory and one account through the handler, forge's only target.
    function setUp() external {
        handler = new PasskeyAccountHandler();
        account = handler.account();
        targetContract(address(handler));
    }

    /// @notice (p), after every call of every run. Every call verifies P-256 signatures in
    /// Solidity (forge's EVM has no P256VERIFY precompile under cancun): fewer runs than the
    /// other suites keep CI's run under ten minutes.
    /// forge-config: default.invariant.runs = 64
    /// forge-config: ci.invariant.runs = 1000
    function invariant_onlyRegisteredPasskeysOnce() external view {
        assertTrue(!handler.forgeryAccepted(), "(p) a replayed, foreign or direct call was accepted");
        assertEq(account.nonce(), handler.executed(), "(p) nonce != accepted calls");
        uint256 count;
        for (uint256 k; k < handler.KEYS(); ++k) {
            (bytes32 qx, bytes32 qy) = handler.key(k);
            assertTrue(account.isPasskey(qx, qy) == handler.registered(k), "(p) passkey set differs");
            if (handler.registered(k)) ++count;
        }
        assertEq(account.passkeyCount(), count, "(p) passkey count");
        assertTrue(count >= 1, "(p) no passkey left");
    }

    /// @notice The handler's paths work (so the invariant is not vacuous).
    function test_handlerReachesEveryPath() external {
        handler.addPasskey(0, 1);
        handler.replay();
        handler.addPasskey(1, 2);
        handler.removePasskey(2, 0);
        handler.foreignSigns(0);
        handler.strangerAdds(3);
        handler.removePasskey(0, 4);
        assertEq(handler.executed(), 3, "accepted calls");
        assertEq(handler.refused(), 4, "refusals");
        this.invariant_onlyRegisteredPasskeysOnce();
    }
}
