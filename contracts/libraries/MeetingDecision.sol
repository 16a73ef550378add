// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMeetingReserved} from "../interfaces/IMeetingReserved.sol";

/// @title MeetingDecision
/// @notice The check behind every function reserved to the general meeting.
library MeetingDecision {
    /// @dev `ICouncil.meetingDecisionMajority()`: zero outside a meeting decision, otherwise the
    /// decision's majority plus one.
    bytes4 private constant _MAJORITY_SELECTOR = bytes4(keccak256("meetingDecisionMajority()"));

    /// @notice Reverts unless `executor` (the sender, already checked to be the cooperative's
    /// decision executor) is carrying out a general-meeting decision of at least `majority`.
    /// @dev An executor without code is the founders' key before governance is installed (the
    /// factory's set-up hands it to the council in the same flow); it decides alone, as it does
    /// everything else then. A contract executor that cannot say (a multisig) never passes.
    function check(address executor, bytes4 selector, uint8 majority) internal view {
        if (executor.code.length == 0) return;
        (bool ok, bytes memory answer) =
            executor.staticcall(abi.encodeWithSelector(_MAJORITY_SELECTOR));
        if (ok && answer.length == 32) {
            uint256 held = abi.decode(answer, (uint256));
            if (held > majority) return; // held = the decision's majority + 1
        }
        revert IMeetingReserved.MeetingDecisionRequired(executor, selector, majority);
    }

    /// @notice The majority `target` requires for the call `data`, asked of the target itself
    /// (`IMeetingReserved.reservedMajority`); `reserved` is false for any other target or call.
    /// @dev Bounded gas and a 64-byte answer: a hostile target cannot burn the caller's gas.
    function required(address target, bytes calldata data)
        internal
        view
        returns (bool reserved, uint8 majority)
    {
        if (data.length < 4 || target.code.length == 0) return (false, 0);
        bytes4 selector = bytes4(data[:4]);
        bytes memory query = abi.encodeCall(IMeetingReserved.reservedMajority, (selector));
        bool ok;
        uint256 r;
        uint256 m;
        assembly ("memory-safe") {
            ok := staticcall(30000, target, add(query, 0x20), mload(query), 0, 0x40)
            if lt(returndatasize(), 0x40) { ok := 0 }
            r := mload(0)
            m := mload(0x20)
        }
        if (!ok || r == 0 || m > 2) return (false, 0);
        return (true, uint8(m));
    }
}
