// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ICharterView
/// @notice The read side of a cooperative's charter that its modules consult for authority.
/// The decision executor is the only account that may run decision-gated actions (admit,
/// exit, block, key recovery, payouts, credit limits). Until the governance contracts land it
/// is a configured address; afterwards it is the council's decision contract.
interface ICharterView {
    /// @notice The account whose calls carry a decision of the cooperative.
    function decisionExecutor() external view returns (address);
}
