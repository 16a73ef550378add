// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title EventBurst
/// @notice A test and benchmark contract for the indexer: one transaction emits many events, so
/// that a benchmark can put 100,000 events on a dev chain in a few seconds.
/// @dev `Pinged` has the same signature and indexed layout as Ping's, so both decode through the
/// same ABI item and feed the same example projection.
contract EventBurst {
    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice One event of a burst; `count` runs from the burst's `firstCount` upward.
    event Pinged(address indexed sender, uint256 indexed count, bytes32 note);

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    uint256 private _emitted;

    /*//////////////////////////////////////////////////////////////
                                FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Emits `n` Pinged events with counts firstCount, firstCount + 1, ...
    /// @dev firstCount may be close to 2**256 so that tests see uint256 values beyond 2**64;
    /// the caller keeps firstCount + n within range (checked arithmetic reverts otherwise).
    function burst(uint256 n, uint256 firstCount, bytes32 note) external {
        for (uint256 i = 0; i < n; ++i) {
            emit Pinged(msg.sender, firstCount + i, note);
        }
        _emitted += n;
    }

    /// @notice How many events all bursts emitted so far.
    function emitted() external view returns (uint256) {
        return _emitted;
    }
}
