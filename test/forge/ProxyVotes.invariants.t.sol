// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ProxyHandler} from "./handlers/ProxyHandler.sol";
import {Test} from "./utils/Test.sol";

/// @title ProxyVotesInvariants
/// @notice With proxies (доверенности) given, revoked, used and refused at random: (p1) each
/// member is counted at most once, whether they voted themselves or through a proxy; (p2) the
/// meeting's participants are exactly the ballots counted and never more than the register;
/// (p3) no holder represents more members than the charter's cap; (p4) a used proxy always
/// stands for a counted ballot of its principal.
contract ProxyVotesInvariants is Test {
    ProxyHandler internal handler;

    /// @notice Deploys the cooperative and the meeting through the handler (forge's only target).
    function setUp() external {
        handler = ProxyHandler(vm.deployCode("ProxyHandler.sol:ProxyHandler"));
        targetContract(address(handler));
    }

    /// @notice (p1) and (p4).
    function invariant_eachMemberCountedOnce() external view {
        uint256 n = handler.memberCount();
        for (uint256 i; i < n; ++i) {
            assertTrue(handler.countedFor(handler.memberAt(i)) <= 1, "(p1) a member counted twice");
            assertTrue(!handler.usedWithoutBallot(i), "(p4) a used proxy without a ballot");
        }
    }

    /// @notice (p2).
    function invariant_participantsAreTheBallotsCounted() external view {
        (uint256 count, uint256 eligible) = handler.participants();
        assertEq(count, handler.counted(), "(p2) participants differ from the ballots counted");
        assertTrue(count <= eligible, "(p2) more votes than members");
    }

    /// @notice (p3).
    function invariant_capHeld() external view {
        uint256 n = handler.memberCount();
        uint256 cap = handler.cap();
        for (uint256 i; i < n; ++i) {
            assertTrue(
                handler.represented(handler.memberAt(i)) <= cap, "(p3) over the charter cap"
            );
        }
    }

    /// @notice The paths are reachable (so the invariants are not vacuous): a proxy is given and
    /// used, the principal's own vote and a second proxy vote are then refused.
    function test_handlerPaths() external {
        handler.give(0, 1, 10 days);
        handler.wait(2 days); // voting opens after the one-day notice
        handler.voteAsProxy(1, 0, 1);
        assertEq(handler.proxyBallots(), 1, "the proxy ballot was not counted");
        handler.vote(0, 0);
        handler.voteAsProxy(1, 0, 0);
        assertEq(handler.doubleVotesRefused(), 2, "a double vote was not refused");
        handler.vote(1, 2); // the holder's own vote is separate
        (uint256 count,) = handler.participants();
        assertEq(count, 2, "holder and principal counted once each");
    }
}
