// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ISettlementUnitsInitializer
/// @notice How the cooperative factory initialises a fresh EIP-1167 clone of the ВРЕ
/// (internal settlement units) contract.
interface ISettlementUnitsInitializer {
    /// @notice One-time set-up of a clone.
    /// @param charter The cooperative's charter (source of the decision executor).
    /// @param membership The cooperative's membership register (who may hold and move units).
    /// @param defaultCreditLimit How far below zero a member's balance may go unless a decision
    /// sets another limit for them.
    function initialize(address charter, address membership, uint256 defaultCreditLimit) external;
}
