// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ReservedHandler} from "./handlers/ReservedHandler.sol";
import {Test} from "./utils/Test.sol";

/// @title ReservedParametersInvariants
/// @notice (e) No one but the authorised caller changes a meeting-reserved parameter: the
/// charter document, the fees, the fund split, the decision executor (Charter), the council's
/// composition (Council), the obligation sources (Membership).
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

    /// @notice The handler's paths work (so the invariant is not vacuous): the decision
    /// executor changes the fees; a council member's attempt changes nothing.
    function test_handlerSeesAuthorisedChangesOnly() external {
        handler.attempt(1, 0, 42, true); // setFees by the decision executor (the council)
        assertEq(handler.authorisedChanges(), 1, "the executor could not change the fees");
        handler.attempt(1, 0, 43, false); // setFees by council member 0xA1
        assertEq(handler.unauthorisedChanges(), 0, "a council member changed the fees");
        assertEq(handler.authorisedChanges(), 1, "the refused attempt counted as a change");
    }
}
