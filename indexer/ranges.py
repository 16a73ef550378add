"""The adaptive eth_getLogs block range.

Providers refuse ranges that hold too many logs ("query returned more than 10000 results"),
or time out on them; sparse history, on the other hand, is read fastest in huge ranges. The
range halves on every limit error (or jumps to the range a provider suggests) and doubles after
each success, but not past a size that failed recently: that ceiling keeps a dense region from
costing one refused call out of every two.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: Successes after which a ceiling set by a failure is forgotten (the density may have changed).
CEILING_MEMORY = 8


@dataclass
class RangeStats:
    """Counters of the adaptive range, for reports, logs and tests."""

    current: int
    smallest: int
    largest: int
    requests: int = 0
    shrinks: int = 0
    grows: int = 0
    limit_errors: int = 0
    timeouts: int = 0
    history: list[int] = field(default_factory=list)
    """The last sizes used (bounded), to see the adaptation at a glance."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class AdaptiveRange:
    def __init__(self, initial: int, minimum: int, maximum: int) -> None:
        self.minimum = minimum
        self.maximum = maximum
        self.size = initial
        self._ceiling: int | None = None
        self._since_failure = 0
        self.stats = RangeStats(current=initial, smallest=initial, largest=initial)

    def used(self, size: int) -> None:
        s = self.stats
        s.requests += 1
        s.smallest = min(s.smallest, size)
        s.largest = max(s.largest, size)
        s.history.append(size)
        del s.history[:-64]

    def success(self, size: int) -> None:
        """A call over `size` blocks succeeded: grow for the next one."""
        self._since_failure += 1
        if self._ceiling is not None and self._since_failure >= CEILING_MEMORY:
            self._ceiling = None
        if size < self.size:
            return  # a short range at the head says nothing about capacity
        grown = min(self.maximum, self.size * 2)
        if self._ceiling is not None:
            grown = min(grown, max(self.minimum, self._ceiling - 1))
        if grown > self.size:
            self.size = grown
            self.stats.grows += 1
        self.stats.current = self.size

    def shrink(
        self, failed_size: int, *, suggested: int | None = None, timeout: bool = False
    ) -> bool:
        """A call over `failed_size` blocks was refused. False when already at the minimum."""
        if timeout:
            self.stats.timeouts += 1
        else:
            self.stats.limit_errors += 1
        if not timeout:
            # A refusal is about the range's content; a timeout may just be a slow moment, so
            # it shrinks the range without capping its regrowth.
            self._since_failure = 0
            self._ceiling = (
                failed_size if self._ceiling is None else min(self._ceiling, failed_size)
            )
        if failed_size <= self.minimum:
            return False
        target = failed_size // 2
        if suggested is not None and suggested < failed_size:
            target = suggested
        self.size = max(self.minimum, target)
        self.stats.shrinks += 1
        self.stats.current = self.size
        return True
