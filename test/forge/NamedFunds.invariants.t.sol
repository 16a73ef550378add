// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ITreasury} from "../../contracts/interfaces/ITreasury.sol";
import {NamedFundsHandler} from "./handlers/NamedFundsHandler.sol";
import {Test} from "./utils/Test.sol";

/// @title NamedFundsInvariants
/// @notice (f) Every token the treasury holds is in exactly one fund: the four funds and the
/// named funds (pending income counted as split) add up to the treasury's token balance, which
/// is what came in less what went out. No decision below a fund's majority creates, changes or
/// spends it; no payout exceeds a balance; an indivisible fund stays indivisible and an exit
/// refund never moves a named fund. The named shares never pass 100 %.
contract NamedFundsInvariants is Test {
    NamedFundsHandler internal handler;
    ITreasury internal treasury;

    /// @notice Deploys the cooperative through its handler; the handler is forge's only target.
    function setUp() external {
        handler = NamedFundsHandler(vm.deployCode("NamedFundsHandler.sol:NamedFundsHandler"));
        treasury = ITreasury(handler.treasuryAddress());
        targetContract(address(handler));
    }

    /// @notice (f), after every call of every run.
    /// forge-config: default.invariant.runs = 64
    /// forge-config: ci.invariant.runs = 500
    function invariant_namedFunds() external view {
        uint256[4] memory four = treasury.fundBalances();
        uint256 sum = four[0] + four[1] + four[2] + four[3];
        uint256[] memory named = treasury.namedFundBalances();
        uint256 shares;
        for (uint256 i; i < named.length; ++i) {
            sum += named[i];
            shares += treasury.namedFund(i).shareBasisPoints;
        }
        uint256 held = handler.tokenBalanceOfTreasury();
        assertEq(sum, held, "(f) the funds do not add up to the tokens held");
        assertEq(held, handler.tokensIn() - handler.tokensOut(), "(f) tokens in - out != held");
        assertEq(handler.weakDecisionsPassed(), 0, "(f) a decision below the rule passed");
        assertEq(handler.indivisibleBroken(), 0, "(f) an indivisible fund was divided");
        assertEq(shares, treasury.namedSharesTotal(), "(f) shares total out of step");
        assertTrue(shares <= 10_000, "(f) named shares over 100 %");
    }

    /// @notice The handler's paths work (so the invariant is not vacuous).
    function test_handlerReachesEveryPath() external {
        handler.create(2_000, true, 1, true, 0); // 2/3 fund by a simple decision: refused
        assertEq(handler.created(), 0, "a weak decision created a fund");
        handler.create(2_000, true, 1, true, 1);
        handler.create(3_000, false, 0, false, 0);
        assertEq(handler.created(), 2, "funds not created");
        handler.receiveIncome(1_000_003);
        handler.join();
        handler.payoutNamed(0, 10, true, 0); // simple decision, 2/3 fund: refused
        handler.payoutNamed(0, 10, false, 0); // council, meeting fund: refused
        assertEq(handler.spent(), 0, "a payout passed a rule");
        handler.payoutNamed(0, 10, true, 1);
        handler.payoutNamed(1, 10, false, 0);
        assertEq(handler.spent(), 2, "payouts not made");
        handler.change(0, 1_000, false, 0, false, 2); // clearing indivisible: refused
        handler.exit(1);
        assertEq(handler.refunds(), 1, "no exit");
        this.invariant_namedFunds();
    }
}
