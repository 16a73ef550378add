// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {PackedHistory} from "../../contracts/libraries/PackedHistory.sol";
import {Test} from "./utils/Test.sol";

/// @title PackedHistoryTest
/// @notice Membership's packed record-date history against a plain array of checkpoints: every
/// block's answer, the latest value, a whole copy, and the reserve (the words a push opens
/// ahead are written, so a later push into them never takes a fresh slot).
contract PackedHistoryTest is Test {
    using PackedHistory for PackedHistory.History;

    PackedHistory.History private _history;
    PackedHistory.History private _copy;
    uint48[] private _blocks;
    uint32[] private _values;

    /// @dev Word `w` of `h` as stored (its mapping is the struct's only slot).
    function _word(PackedHistory.History storage h, uint256 w) private view returns (uint256 v) {
        bytes32 base;
        assembly ("memory-safe") {
            base := h.slot
        }
        bytes32 slot = keccak256(abi.encode(w, base));
        assembly ("memory-safe") {
            v := sload(slot)
        }
    }

    function _modelAt(uint256 blockNumber) private view returns (uint32 value) {
        for (uint256 i; i < _blocks.length; ++i) {
            if (_blocks[i] <= blockNumber) value = _values[i];
        }
    }

    /// @notice Up to 40 pushes: block steps of 0 (same block: replaces), 1 or 2; any values and
    /// reserves up to 8.
    function testFuzz_matchesPlainCheckpoints(uint256 seed) external {
        uint256 pushes = 1 + seed % 40;
        uint48 blockNumber = 10;
        for (uint256 i; i < pushes; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            blockNumber += uint48(r % 3);
            uint32 value = uint32(r >> 8);
            uint256 reserve = (r >> 40) % 9;
            _history.push(blockNumber, value, reserve);
            if (_blocks.length != 0 && _blocks[_blocks.length - 1] == blockNumber) {
                _values[_values.length - 1] = value;
            } else {
                _blocks.push(blockNumber);
                _values.push(value);
            }
            // Every word up to the one holding entry `length + reserve - 1` is written.
            uint256 needed = _blocks.length + reserve;
            uint256 lastWord = needed <= 2 ? 0 : 1 + (needed - 3) / 3;
            for (uint256 w = 1; w <= lastWord; ++w) {
                assertTrue(_word(_history, w) != 0, "reserved word not opened");
            }
        }
        assertEq(_history.latest(), _values[_values.length - 1], "latest");
        _history.copyInto(_copy);
        for (uint256 b = 0; b <= uint256(blockNumber) + 1; ++b) {
            uint32 expected = _modelAt(b);
            assertEq(_history.upperLookupRecent(b), expected, "lookup");
            assertEq(_copy.upperLookupRecent(b), expected, "copy lookup");
        }
    }

    /// @notice A push below the latest block is refused.
    function test_unorderedPushRefused() external {
        this.pushAt(20);
        try this.pushAt(19) {
            revert("pushed below the latest block");
        } catch (bytes memory reason) {
            bytes memory expected =
                abi.encodeWithSelector(PackedHistory.PackedHistoryUnorderedPush.selector, 19, 20);
            assertTrue(keccak256(reason) == keccak256(expected), "wrong error");
        }
        assertEq(_history.latest(), 1, "latest after the refusal");
    }

    /// @dev External, so that the expected revert is this call's.
    function pushAt(uint48 blockNumber) external {
        _history.push(blockNumber, 1, 0);
    }
}
