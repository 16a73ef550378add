// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ISettlementUnits} from "../../contracts/interfaces/ISettlementUnits.sol";
import {UnitsHandler} from "./handlers/UnitsHandler.sol";
import {Test} from "./utils/Test.sol";

/// @title SettlementUnitsInvariants
/// @notice ВРЕ: (a) balances sum to zero and none is below minus its credit limit; (b) clearing
/// never changes a member's net position.
/// @dev The properties are checked together, after every call of every run: forge runs one
/// campaign per invariant function, so one function keeps the run count per property at the
/// configured number for a fraction of the time.
contract SettlementUnitsInvariants is Test {
    UnitsHandler internal handler;
    ISettlementUnits internal units;

    /// @notice Deploys the cooperative through its handler; the handler is forge's only target.
    function setUp() external {
        handler = UnitsHandler(vm.deployCode("UnitsHandler.sol:UnitsHandler"));
        units = ISettlementUnits(handler.unitsAddress());
        targetContract(address(handler));
    }

    /// @notice (a) and (b), after every call of every run.
    function invariant_settlementUnits() external view {
        _balancesSumToZero();
        _balancesAboveCreditLimits();
        _clearingKeepsNetPositions();
    }

    /// @dev (a) Units are only moved, never created: the signed balances sum to zero, and the
    /// supply is the sum of the positive ones.
    function _balancesSumToZero() internal view {
        address[] memory accounts = handler.accounts();
        int256 sum;
        uint256 positive;
        for (uint256 i; i < accounts.length; ++i) {
            int256 balance = units.signedBalanceOf(accounts[i]);
            sum += balance;
            if (balance > 0) positive += uint256(balance);
        }
        assertEq(sum, int256(0), "(a) balances do not sum to zero");
        assertEq(units.totalSupply(), positive, "(a) supply is not the sum of positive balances");
    }

    /// @dev (a) No balance is below minus its member's credit limit.
    function _balancesAboveCreditLimits() internal view {
        address[] memory accounts = handler.accounts();
        for (uint256 i; i < accounts.length; ++i) {
            int256 balance = units.signedBalanceOf(accounts[i]);
            assertTrue(
                balance >= -int256(units.creditLimitOf(accounts[i])),
                "(a) balance below credit limit"
            );
        }
    }

    /// @dev (b) No clearing changed any member's net position (balance plus what accepted
    /// obligations owe them minus what they owe), compared before and after each clearing.
    function _clearingKeepsNetPositions() internal view {
        assertTrue(!handler.clearingChangedNet(), "(b) a clearing changed a net position");
    }

    /// @notice The handler's paths work (so the invariants are not vacuous): a triangle of
    /// accepted invoices is found and cleared, and nobody's net position moves.
    function test_handlerClearsATriangle() external {
        address[] memory accounts = handler.accounts();
        handler.issue(0, 1, 299, true); // member 0 is owed 300 by member 1
        handler.issue(1, 2, 399, true); // member 1 is owed 400 by member 2
        handler.issue(2, 0, 499, true); // member 2 is owed 500 by member 0
        int256 before = handler.netPosition(accounts[0]);
        handler.clearCycle(0);
        assertEq(handler.clearings(), 1, "the triangle was not cleared");
        assertEq(units.obligation(1).outstanding, 0, "the smallest leg is not settled");
        assertEq(units.obligation(2).outstanding, 100, "400 - 300 left");
        assertEq(handler.netPosition(accounts[0]), before, "net position moved");
        _clearingKeepsNetPositions();
    }
}
