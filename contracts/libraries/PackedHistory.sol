// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title PackedHistory
/// @notice A history of `uint32` values by block number (like OpenZeppelin's
/// `Checkpoints.Trace208`), packed several entries to a storage slot, whose fresh slots are paid
/// for by the pushes that say so.
/// @dev OpenZeppelin's trace keeps its length in a slot of its own and every checkpoint in a
/// fresh slot: a push in a new block costs a length write (2,900 warm) and a new slot (22,100).
/// Here an entry is 80 bits (block number in bits 0-47, value in bits 48-79). Word 0 holds the
/// length (bits 0-31), entries 0 and 1 (at bits 32 and 112) and the number of further words
/// opened so far (bits 192-223); word `k >= 1` holds entries `2 + 3(k - 1)` to `4 + 3(k - 1)`
/// (at bits 0, 80 and 160) and, once opened, bit 255 (so that it is never zero again).
///
/// Writing a zero slot costs 22,100 gas against 5,000 for a slot already written, so a push may
/// be asked to open words ahead: after `push(..., reserve)` the opened words hold at least
/// `length + reserve` entries. Membership reserves one entry when an account turns active and
/// `count` entries for the active-member count: a push that ends an activity (exit, block) then
/// always finds its word open, and the fresh slots fall to admissions and unblocking.
library PackedHistory {
    /// @notice A push with a block number below the latest entry's.
    error PackedHistoryUnorderedPush(uint256 blockNumber, uint256 latestBlock);

    struct History {
        mapping(uint256 word => uint256) _words;
    }

    uint256 private constant _ENTRY_MASK = (1 << 80) - 1;
    uint256 private constant _BLOCK_MASK = (1 << 48) - 1;
    uint256 private constant _LENGTH_MASK = (1 << 32) - 1;
    uint256 private constant _OPENED_SHIFT = 192;
    uint256 private constant _OPENED_MARK = 1 << 255;

    /// @notice Records `value` from block `blockNumber` on (replacing the latest entry if it is
    /// of the same block), then opens words until they hold `length + reserve` entries.
    function push(History storage self, uint48 blockNumber, uint32 value, uint256 reserve)
        internal
    {
        uint256 head = self._words[0];
        uint256 length = head & _LENGTH_MASK;
        uint256 entry = uint256(blockNumber) | (uint256(value) << 48);
        bool replaced;
        if (length != 0) {
            (uint256 word, uint256 shift) = _position(length - 1);
            uint256 packed = word == 0 ? head : self._words[word];
            uint256 latestBlock = (packed >> shift) & _BLOCK_MASK;
            if (latestBlock > blockNumber) {
                revert PackedHistoryUnorderedPush(blockNumber, latestBlock);
            }
            if (latestBlock == blockNumber) {
                packed = (packed & ~(_ENTRY_MASK << shift)) | (entry << shift);
                if (word == 0) head = packed;
                else self._words[word] = packed;
                replaced = true;
            }
        }
        // Cannot overflow: 2**32 pushes would take 2**32 blocks of transactions; `reserve` is a
        // count of members (below 2**32).
        unchecked {
            if (!replaced) {
                (uint256 word, uint256 shift) = _position(length);
                ++length;
                head = (head & ~_LENGTH_MASK) | length;
                if (word == 0) head |= entry << shift;
                else self._words[word] |= _OPENED_MARK | (entry << shift);
            }
            uint256 opened = (head >> _OPENED_SHIFT) & _LENGTH_MASK;
            // The words that hold entries are open, whatever the reserve.
            (uint256 lastWord,) = _position(length - 1);
            uint256 needed = length + reserve;
            uint256 target = needed <= 2 ? 0 : 1 + (needed - 3) / 3;
            if (target < lastWord) target = lastWord;
            if (target > opened) {
                for (uint256 w = opened + 1; w <= target; ++w) {
                    if (w > lastWord) self._words[w] = _OPENED_MARK;
                }
                head = (head & ~(_LENGTH_MASK << _OPENED_SHIFT)) | (target << _OPENED_SHIFT);
            }
        }
        self._words[0] = head;
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

    /// @notice Copies the whole of `from` (entries and opened words) into `to`, which must be
    /// empty.
    function copyInto(History storage from, History storage to) internal {
        uint256 head = from._words[0];
        to._words[0] = head;
        uint256 opened = (head >> _OPENED_SHIFT) & _LENGTH_MASK;
        for (uint256 w = 1; w <= opened; ++w) {
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
