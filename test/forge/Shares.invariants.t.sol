// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IShares} from "../../contracts/interfaces/IShares.sol";
import {SharesHandler} from "./handlers/SharesHandler.sol";
import {Test} from "./utils/Test.sol";

/// @title SharesInvariants
/// @notice (d) The share capital is what was paid in (minimum, voluntary and in-kind shares)
/// minus what was settled at exits; the holdings add up to it; the treasury's share fund holds
/// the part paid in tokens.
contract SharesInvariants is Test {
    SharesHandler internal handler;
    IShares internal shares;

    /// @notice Deploys the cooperative through its handler; the handler is forge's only target.
    function setUp() external {
        handler = SharesHandler(vm.deployCode("SharesHandler.sol:SharesHandler"));
        shares = IShares(handler.sharesAddress());
        targetContract(address(handler));
    }

    /// @notice (d), after every call of every run.
    function invariant_shares() external view {
        uint256 supply = shares.totalSupply();
        assertEq(supply, handler.paid() - handler.refunded(), "(d) shares != paid - refunded");
        address[] memory accounts = handler.accounts();
        uint256 sum;
        for (uint256 i; i < accounts.length; ++i) {
            sum += shares.balanceOf(accounts[i]);
        }
        assertEq(sum, supply, "(d) holdings do not add up to the total");
        assertEq(
            handler.shareFund(), handler.tokenPaidShares(), "(d) share fund != token-paid shares"
        );
    }

    /// @notice The handler's paths work (so the invariant is not vacuous): members join both
    /// ways, contribute, and one leaves with a refund.
    function test_handlerReachesJoinContributeAndExit() external {
        handler.join(false);
        handler.join(true);
        handler.contribute(3, 499);
        handler.attestContribution(4, 299);
        handler.creditInKind(0, 99);
        handler.exit(3, true);
        assertEq(handler.exits(), 1, "no exit");
        assertEq(handler.refunded(), 100 + 500, "refund");
        this.invariant_shares();
    }
}
