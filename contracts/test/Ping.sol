// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title Ping
/// @notice A smoke-test contract: proves the offline toolchain compiles, deploys and emits events.
contract Ping is Ownable {
    /// @notice Emitted after `ping` stored a new note.
    event Pinged(address indexed sender, uint256 indexed count, bytes32 note);

    uint256 private _count;

    constructor(address initialOwner) Ownable(initialOwner) {}

    /// @notice Counts a ping and records its note in an event.
    function ping(bytes32 note) external returns (uint256 newCount) {
        newCount = ++_count;
        emit Pinged(msg.sender, newCount, note);
    }

    /// @notice How many pings were made.
    function count() external view returns (uint256) {
        return _count;
    }
}
