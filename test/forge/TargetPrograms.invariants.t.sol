// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ITargetPrograms} from "../../contracts/interfaces/ITargetPrograms.sol";
import {ProgramsHandler} from "./handlers/ProgramsHandler.sol";
import {Test} from "./utils/Test.sol";

interface IBalance {
    function balanceOf(address account) external view returns (uint256);
}

/// @title TargetProgramsInvariants
/// @notice The target programs' money: the tokens held are the programs' balances (plus what
/// was sent directly, counted for no program); each balance is what went in less what went out;
/// the members' parts add up to the balance within the rounding rule (less than one token unit
/// per unit holder short, never over); the members' units add up to the total.
contract TargetProgramsInvariants is Test {
    ProgramsHandler internal handler;
    ITargetPrograms internal programs;

    /// @notice Deploys the cooperative through its handler; the handler is forge's only target.
    function setUp() external {
        handler = ProgramsHandler(vm.deployCode("ProgramsHandler.sol:ProgramsHandler"));
        programs = handler.programs();
        targetContract(address(handler));
    }

    /// @notice Every identity, after every call of every run.
    /// forge-config: ci.invariant.runs = 1000
    function invariant_targetPrograms() external view {
        uint256 sum;
        uint256 count = handler.PROGRAMS();
        address[] memory accounts = handler.accounts();
        for (uint256 id = 1; id <= count; ++id) {
            ITargetPrograms.ProgramInfo memory p = programs.program(id);
            sum += p.balance;
            assertEq(
                p.balance,
                handler.contributed(id) - handler.spent(id) - handler.paidOut(id),
                "balance = in - out"
            );
            uint256 parts;
            uint256 units;
            uint256 holders;
            uint256 joined;
            for (uint256 i; i < accounts.length; ++i) {
                ITargetPrograms.Position memory pos = programs.positionOf(id, accounts[i]);
                parts += pos.part;
                units += pos.units;
                if (pos.units != 0) ++holders;
                if (pos.joined) ++joined;
            }
            assertEq(units, p.totalUnits, "units add up");
            assertEq(joined, p.members, "members counted");
            assertTrue(parts <= p.balance, "parts never exceed the balance");
            if (holders == 0) assertEq(p.balance, 0, "no holders, no balance");
            else assertTrue(p.balance - parts < holders, "rounding < one per holder");
        }
        assertEq(
            IBalance(handler.tokenAddress()).balanceOf(address(programs)),
            sum + handler.donated(),
            "tokens held = programs' balances (+ direct transfers)"
        );
    }
}
