// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title PackedHistory
/// @notice A history of `uint32` values by block number (like OpenZeppelin's
/// `Checkpoints.Trace208`), packed several entries to a storage slot.
/// @dev OpenZeppelin's trace keeps its length in a slot of its own and every checkpoint in a
/// fresh slot: a push in a new block costs a length write (2,900 warm) and a new slot (22,100).
/// Here an entry is 80 bits (block number in bits 0-47, value in bits 48-79). Word 0 holds the
/// length (bits 0-31) and entries 0 and 1 (at bits 32 and 112); word `k >= 1` holds entries
/// `2 + 3(k - 1)` to `4 + 3(k - 1)` (at bits 0, 80 and 160). So a member's typical history
/// (admitted, then leaving) is one slot, the second push a warm rewrite of it, and a long history
/// takes a fresh slot only every third push. Block numbers never decrease between pushes.
library PackedHistory {
    /// @notice A push with a block number below the latest entry's.
    error PackedHistoryUnorderedPush(uint256 blockNumber, uint256 latestBlock);

    struct History {
        mapping(uint256 word => uint256) _words;
    }

    uint256 private constant _ENTRY_MASK = (1 << 80) - 1;
    uint256 private constant _BLOCK_MASK = (1 << 48) - 1;
    uint256 private constant _LENGTH_MASK = (1 << 32) - 1;

    /// @notice Records `value` from block `blockNumber` on (replacing the latest entry if it is
    /// of the same block).
    function push(History storage self, uint48 blockNumber, uint32 value) internal {
        uint256 head = self._words[0];
        uint256 length = head & _LENGTH_MASK;
        uint256 entry = uint256(blockNumber) | (uint256(value) << 48);
        if (length != 0) {
            (uint256 word, uint256 shift) = _position(length - 1);
            uint256 packed = word == 0 ? head : self._words[word];
            uint256 latestBlock = (packed >> shift) & _BLOCK_MASK;
            if (latestBlock > blockNumber) {
                revert PackedHistoryUnorderedPush(blockNumber, latestBlock);
            }
            if (latestBlock == blockNumber) {
                packed = (packed & ~(_ENTRY_MASK << shift)) | (entry << shift);
                self._words[word] = packed;
                return;
            }
        }
        // Cannot overflow: 2**32 pushes would take 2**32 blocks of transactions.
        unchecked {
            (uint256 word, uint256 shift) = _position(length);
            head = (head & ~_LENGTH_MASK) | (length + 1);
            if (word == 0) {
                self._words[0] = head | (entry << shift);
            } else {
                self._words[word] |= entry << shift;
                self._words[0] = head;
            }
        }
    }

    /// @notice The value of the latest entry at or before `blockNumber`, zero if there is none.
    /// @dev Tries the latest entry first (the common question is about a recent block), then
    /// searches the older ones by bisection.
    function upperLookupRecent(History storage self, uint256 blockNumber)
        internal
        view
        returns (uint32)
    {
        uint256 head = self._words[0];
        uint256 length = head & _LENGTH_MASK;
        if (length == 0) return 0;
        uint256 entry = _entry(self, head, length - 1);
        if (entry & _BLOCK_MASK <= blockNumber) return uint32(entry >> 48);
        // The answer is the last entry at or before `blockNumber` among [0, length - 1).
        uint256 low = 0;
        uint256 high = length - 1;
        while (low < high) {
            // Cannot overflow: both below 2**32.
            unchecked {
                uint256 mid = (low + high) >> 1;
                if (_entry(self, head, mid) & _BLOCK_MASK > blockNumber) high = mid;
                else low = mid + 1;
            }
        }
        if (low == 0) return 0;
        // Cannot underflow: checked just above.
        unchecked {
            return uint32(_entry(self, head, low - 1) >> 48);
        }
    }

    /// @notice The latest value, zero for an empty history.
    function latest(History storage self) internal view returns (uint32) {
        uint256 head = self._words[0];
        uint256 length = head & _LENGTH_MASK;
        if (length == 0) return 0;
        // Cannot underflow: checked just above.
        unchecked {
            return uint32(_entry(self, head, length - 1) >> 48);
        }
    }

    /// @notice Copies the whole of `from` into `to`, which must be empty.
    function copyInto(History storage from, History storage to) internal {
        uint256 head = from._words[0];
        to._words[0] = head;
        uint256 length = head & _LENGTH_MASK;
        if (length <= 2) return;
        (uint256 last,) = _position(length - 1);
        for (uint256 w = 1; w <= last; ++w) {
            to._words[w] = from._words[w];
        }
    }

    /// @dev The 80-bit entry `index`; `head` is word 0, already read.
    function _entry(History storage self, uint256 head, uint256 index)
        private
        view
        returns (uint256)
    {
        (uint256 word, uint256 shift) = _position(index);
        uint256 packed = word == 0 ? head : self._words[word];
        return (packed >> shift) & _ENTRY_MASK;
    }

    /// @dev The word and bit offset of entry `index`.
    function _position(uint256 index) private pure returns (uint256 word, uint256 shift) {
        if (index < 2) return (0, 32 + 80 * index);
        // Cannot overflow: `index` is below 2**32.
        unchecked {
            uint256 rest = index - 2;
            return (1 + rest / 3, 80 * (rest % 3));
        }
    }
}
