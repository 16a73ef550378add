// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ISettlementUnits} from "../../contracts/interfaces/ISettlementUnits.sol";
import {TransferPathsHandler} from "./handlers/TransferPathsHandler.sol";
import {Test} from "./utils/Test.sol";

/// @title SettlementUnitsTransferPathsInvariants
/// @notice The ВРЕ's in-place transfer between active members with cached status (issue #21)
/// obeys exactly the rules of the general path: every call answers the same on the
/// cooperative's ВРЕ and on a ВРЕ that trusts no cached bit, and leaves the same balances,
/// limits and supply.
contract SettlementUnitsTransferPathsInvariants is Test {
    TransferPathsHandler internal handler;
    ISettlementUnits internal units;
    ISettlementUnits internal shadow;

    /// @notice Deploys the cooperative and the reference ВРЕ through the handler.
    function setUp() external {
        handler =
            TransferPathsHandler(vm.deployCode("TransferPathsHandler.sol:TransferPathsHandler"));
        units = ISettlementUnits(handler.unitsAddress());
        shadow = handler.shadow();
        targetContract(address(handler));
    }

    /// @notice Same answers, same state, after every call of every run.
    function invariant_inPlaceTransferEqualsGeneralPath() external view {
        assertTrue(!handler.outcomesDiffer(), "the two paths answered a call differently");
        _sameState();
    }

    /// @notice The comparison is not vacuous: the cooperative's ВРЕ does take the in-place
    /// path (both parties' bits set and trusted) while the reference never does, and a
    /// transfer into debt, one past the limit and one to a blocked member answer alike.
    function test_bothPathsAreExercised() external {
        address[] memory accounts = handler.accounts();
        handler.transfer(0, 1, 10, 0); // sets both bits on the cooperative's ВРЕ
        assertTrue(
            units.memberStatusCached(accounts[0]) && units.memberStatusCached(accounts[1]),
            "the bits were not set"
        );
        assertTrue(!shadow.memberStatusCacheTrusted(), "the reference trusts its bits");
        handler.transfer(0, 1, 5, 0); // in place
        handler.transfer(1, 0, 900, 1); // into debt (supply changes), in place
        handler.transfer(1, 0, 2_000, 2); // past the limit: refused by both
        handler.blockMember(1);
        handler.transfer(1, 0, 1, 0); // by a blocked member in debt: refused by both
        assertEq(handler.transfers(), 3, "three transfers go through");
        assertTrue(!handler.outcomesDiffer(), "the two paths answered a call differently");
        _sameState();
    }

    function _sameState() internal view {
        address[] memory accounts = handler.accounts();
        for (uint256 i; i < accounts.length; ++i) {
            assertEq(
                units.signedBalanceOf(accounts[i]),
                shadow.signedBalanceOf(accounts[i]),
                "balances differ"
            );
            assertEq(
                units.creditLimitOf(accounts[i]), shadow.creditLimitOf(accounts[i]), "limits differ"
            );
        }
        assertEq(units.totalSupply(), shadow.totalSupply(), "supplies differ");
    }
}
