// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ReservedHandler} from "./handlers/ReservedHandler.sol";
import {Test} from "./utils/Test.sol";

/// @title ReservedParametersInvariants
/// @notice (e) Nothing but an executed general-meeting decision (of at least the law's
/// majority) changes a meeting-reserved parameter: the charter document, the fees, the fund
/// split, the chair, the decision executor, the proxy cap (Charter), the council's composition
/// (Council), the obligation sources (Membership), the union (Treasury).
contract ReservedParametersInvariants is Test {
    ReservedHandler internal handler;

    /// @notice Deploys the cooperative through its handler; the handler is forge's only target.
    function setUp() external {
        handler = ReservedHandler(vm.deployCode("ReservedHandler.sol:ReservedHandler"));
        targetContract(address(handler));
    }

    /// @notice (e), after every call of every run.
    function invariant_reservedParameters() external view {
        assertEq(
            handler.unauthorisedChanges(), 0, "(e) a reserved parameter changed without a decision"
        );
    }

    /// @notice The handler's paths work (so the invariant is not vacuous): a meeting decision
    /// changes the fees; the council acting alone, a council member, and a meeting decision
    /// below the charter's majority change nothing.
    function test_handlerSeesAuthorisedChangesOnly() external {
        handler.attempt(1, 0, 42, true, 0, 0); // setFees by the council outside a meeting
        assertEq(handler.authorisedChanges(), 0, "the council alone changed the fees");
        handler.attempt(1, 0, 43, false, 0, 0); // setFees by council member 0xA1
        assertEq(handler.unauthorisedChanges(), 0, "a refused attempt counted as a change");
        uint256 meetingActor = handler.actorCount() - 1; // the general meeting contract
        handler.attempt(0, meetingActor, 44, false, 1, 1); // charter change by 2/3: refused
        assertEq(handler.authorisedChanges(), 0, "a charter change passed with 2/3");
        handler.attempt(1, meetingActor, 45, false, 1, 0); // fees by a meeting decision
        assertEq(handler.authorisedChanges(), 1, "a meeting decision could not change the fees");
        handler.attempt(0, meetingActor, 46, false, 1, 2); // charter change by 3/4
        assertEq(handler.authorisedChanges(), 2, "a 3/4 meeting decision could not amend");
        assertEq(handler.unauthorisedChanges(), 0, "an unauthorised change");
    }
}
