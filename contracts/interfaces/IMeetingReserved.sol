// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IMeetingReserved
/// @notice A contract some of whose functions only the general meeting may decide (Закон 3085-1
/// art. 18, 41-ФЗ art. 15: the charter, fees, funds, the council and the audit commission, a
/// union, the governance itself). Such a function is called, like every decision, by the
/// cooperative's decision executor (the Council contract), and it also checks that the executor
/// is carrying out an executed general-meeting decision taken by at least the majority the law
/// fixes for its kind of question (`ICouncil.meetingDecisionMajority`). A council item that
/// calls it is refused; so is a meeting question convened with a lower majority.
/// @dev Majorities use the numbering of `IGeneralMeeting.Majority`: 0 simple, 1 two thirds,
/// 2 three quarters.
interface IMeetingReserved {
    /// @notice The call needs an executed general-meeting decision taken by at least
    /// `majority` (`IGeneralMeeting.Majority`); `caller` is not carrying one out.
    error MeetingDecisionRequired(address caller, bytes4 selector, uint8 majority);

    /// @notice Whether the function `selector` of this contract is reserved to the general
    /// meeting, and the least majority its question must be convened with.
    function reservedMajority(bytes4 selector) external view returns (bool reserved, uint8 majority);
}
