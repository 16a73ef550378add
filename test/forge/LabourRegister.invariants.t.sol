// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ILabourRegister} from "../../contracts/interfaces/ILabourRegister.sol";
import {LabourHandler} from "./handlers/LabourHandler.sol";
import {Test} from "./utils/Test.sol";

interface IBalance {
    function balanceOf(address account) external view returns (uint256);
}

/// @title LabourRegisterInvariants
/// @notice (d) A distribution's parts add up to what it credited, and to its surplus once
/// complete; each part is the floor rule's (the last participant's the remainder); nobody is
/// credited twice (what every member can claim or claimed equals what was credited); the
/// register's tokens cover what it owes.
contract LabourRegisterInvariants is Test {
    LabourHandler internal handler;
    ILabourRegister internal register;

    /// @notice Deploys the cooperative through its handler; the handler is forge's only target.
    function setUp() external {
        handler = LabourHandler(vm.deployCode("LabourHandler.sol:LabourHandler"));
        register = ILabourRegister(handler.registerAddress());
        targetContract(address(handler));
    }

    /// forge-config: default.invariant.runs = 64
    /// forge-config: ci.invariant.runs = 200
    /// @notice Every identity after every call.
    function invariant_labourRegister() external view {
        address[] memory accounts = handler.accounts();
        uint256 n = register.distributionCount();
        uint256 creditedSum;
        uint256 surplusSum;
        for (uint256 id = 1; id <= n; ++id) {
            ILabourRegister.Distribution memory d = register.distribution(id);
            surplusSum += d.terms.surplus;
            creditedSum += d.credited;
            uint256 parts;
            for (uint256 i; i < d.cursor; ++i) {
                address m = register.participantAt(d.terms.period, d.terms.basis, i);
                uint256 part = register.partOf(id, m);
                parts += part;
                if (i + 1 < d.participants) {
                    uint256 points = register.pointsOf(d.terms.period, d.terms.basis, m);
                    assertEq(part, uint256(d.terms.surplus) * points / d.totalPoints, "floor");
                }
            }
            assertEq(parts, d.credited, "(d) parts = credited");
            if (d.cursor == d.participants) assertEq(parts, d.terms.surplus, "(d) parts = surplus");
            assertTrue(d.credited <= d.terms.surplus, "(d) credited <= surplus");
        }
        assertEq(surplusSum, handler.approvedSurplus(), "(d) surpluses");
        uint256 owed;
        for (uint256 i; i < accounts.length; ++i) {
            owed += register.claimable(accounts[i]);
        }
        assertEq(owed + handler.claimed(), creditedSum, "(d) nobody credited twice");
        assertEq(register.reserved(), surplusSum - handler.claimed(), "(d) reserved");
        assertEq(
            IBalance(handler.tokenAddress()).balanceOf(address(register)),
            handler.sentIn() - handler.claimed(),
            "(d) tokens"
        );
    }

    /// @notice The key path goes through: work recorded and approved, a distribution approved
    /// by a meeting, funded, credited in two batches, a part claimed.
    function test_handlerKeyPath() external {
        handler.record(0, 800, false);
        handler.record(1, 3, true);
        handler.record(2, 150, false);
        handler.distribute(1); // two participants pending approval: nothing yet
        handler.approve(0);
        handler.approve(1);
        handler.approve(2);
        (uint128 total, uint32 participants,) =
            register.periodTotals(1, ILabourRegister.Basis.Labour);
        assertEq(participants, 3, "three participants");
        assertTrue(total > 0, "points");
        handler.distribute(1e21 + 1);
        assertEq(register.distributionCount(), 1, "distribution approved");
        handler.creditBatch(0, 1);
        handler.creditBatch(0, 5);
        ILabourRegister.Distribution memory d = register.distribution(1);
        assertEq(d.cursor, 3, "all credited");
        assertEq(d.credited, d.terms.surplus, "parts add up");
        handler.claim(0);
        assertTrue(handler.claimed() > 0, "claimed");
        this.invariant_labourRegister();
    }
}
