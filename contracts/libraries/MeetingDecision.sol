// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICouncil} from "../interfaces/ICouncil.sol";
import {IGeneralMeeting} from "../interfaces/IGeneralMeeting.sol";
import {IMeetingReserved} from "../interfaces/IMeetingReserved.sol";

/// @title MeetingDecision
/// @notice The check behind every function reserved to the general meeting, and the reading of
/// a held meeting's accepted question by the contracts that act on one (the mutual-aid fund's
/// write-off and rules, the property register's disposal).
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

    /// @notice The meeting, document hash and majority (`IGeneralMeeting.Majority`) of question
    /// `questionIndex` of meeting `meetingId` of the general meeting that `executor` (the
    /// cooperative's decision executor, a council) names; reverts unless the question was
    /// accepted, with the meeting held and its protocol signed by the secretary and the chair.
    /// @dev The caller's own errors are given by selector: `noMeeting()` when the executor names
    /// no general meeting (a key, or a council without one), `notAccepted(uint256 meetingId,
    /// uint8 questionIndex)` otherwise. The caller checks the document hash against what it is
    /// about to do and marks the decision used. `MeetingInfo` (17 static words) and the head of
    /// `QuestionInfo` are read as words: a typed decoding of the 17 fields costs the fund more
    /// code than it can spare. Words of `MeetingInfo`: 0 state, 2 questionCount, 9 acceptedMask,
    /// 13 secretarySigned, 14 chairSigned; of `QuestionInfo`: 0 documentHash, 1 majority.
    function accepted(
        address executor,
        uint256 meetingId,
        uint8 questionIndex,
        bytes4 noMeeting,
        bytes4 notAccepted
    ) internal view returns (address meeting, bytes32 documentHash, uint256 majority) {
        if (executor.code.length != 0) {
            try ICouncil(executor).generalMeeting() returns (address gm) {
                meeting = gm;
            } catch {}
        }
        if (meeting.code.length == 0) {
            assembly ("memory-safe") {
                mstore(0, and(noMeeting, shl(224, 0xffffffff)))
                revert(0, 4)
            }
        }
        (bool ok, bytes memory data) =
            meeting.staticcall(abi.encodeCall(IGeneralMeeting.meeting, (meetingId)));
        if (ok) {
            uint256[17] memory info = abi.decode(data, (uint256[17]));
            ok = info[0] == uint256(IGeneralMeeting.MeetingState.Held) && info[13] == 1
                && info[14] == 1 && questionIndex < info[2] && (info[9] >> questionIndex) & 1 == 1;
        }
        if (ok) {
            (ok, data) = meeting.staticcall(
                abi.encodeCall(IGeneralMeeting.question, (meetingId, questionIndex))
            );
        }
        if (!ok) {
            uint256 index = questionIndex;
            assembly ("memory-safe") {
                // Scratch space and the free memory pointer: nothing runs after the revert.
                mstore(0, and(notAccepted, shl(224, 0xffffffff)))
                mstore(4, meetingId)
                mstore(36, index)
                revert(0, 68)
            }
        }
        (documentHash, majority) = abi.decode(data, (bytes32, uint256));
    }
}
