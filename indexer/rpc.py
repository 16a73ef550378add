"""A thin JSON-RPC client for the indexer, with retries that say what they wait for.

Why not web3.py's provider: the indexer reads tens of thousands of logs per call, and web3's
result formatters (AttributeDict, HexBytes per field) cost more than the whole SQL insert. Here
logs stay the plain dicts of the JSON answer; the node's `Chain` client remains the tool for
transactions and contract calls.
"""

from __future__ import annotations

import errno
import itertools
import json
import logging
import re
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

_loads: Callable[[bytes], Any]
try:  # several times faster on eth_getLogs answers (tens of MB of JSON)
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - installed with the node's dependencies
    _loads = json.loads

log = logging.getLogger("coop.indexer.rpc")

T = TypeVar("T")


class RpcError(RuntimeError):
    """The node answered with a JSON-RPC error object."""

    def __init__(self, method: str, code: int | None, message: str, data: Any = None) -> None:
        self.method = method
        self.code = code
        self.message = message
        self.data = data
        super().__init__(f"{method}: error {code}: {message}")


class RpcTransportError(RuntimeError):
    """No usable answer: connection refused or reset, HTTP error status, garbage body."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class RpcTimeout(RpcTransportError):
    """The node did not answer within the timeout."""


class RpcUnavailable(RuntimeError):
    """An RPC kept failing for more than the configured number of retries."""


class Stopped(RuntimeError):
    """The stop event was set while waiting (for the RPC, or for the next poll)."""


def _reason(exc: BaseException) -> str:
    """A short human reason: "connection refused" rather than a nested httpx repr."""
    text = str(exc) or type(exc).__name__
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError) or (
            isinstance(cause, OSError) and cause.errno == errno.ECONNREFUSED
        ):
            return "connection refused"
        cause = cause.__cause__ or cause.__context__
    if "Connection refused" in text:
        return "connection refused"
    return text


class Rpc:
    """JSON-RPC over HTTP keep-alive; thread-safe enough for one indexer thread plus readers."""

    def __init__(self, url: str, *, timeout: float = 20.0) -> None:
        self.url = url
        self.timeout = timeout
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._client = httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)))

    def close(self) -> None:
        self._client.close()

    def _post(self, payload: Any) -> Any:
        try:
            with self._lock:
                resp = self._client.post(
                    self.url,
                    content=json.dumps(payload),
                    headers={"content-type": "application/json"},
                )
        except httpx.TimeoutException as exc:
            raise RpcTimeout(f"no answer within {self.timeout:g} s") from exc
        except httpx.HTTPError as exc:
            raise RpcTransportError(_reason(exc)) from exc
        if resp.status_code >= 400:
            # Providers send rate limits and overloads as 429/5xx, sometimes with a JSON error
            # body that says more than the status.
            body = resp.text[:200].strip()
            raise RpcTransportError(f"HTTP {resp.status_code} {body}".strip())
        try:
            return _loads(resp.content)
        except ValueError as exc:
            raise RpcTransportError(f"unparseable answer: {resp.text[:100]!r}") from exc

    def call(self, method: str, params: list[Any]) -> Any:
        answer = self._post(
            {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params}
        )
        return self._result(method, answer)

    def batch(self, calls: list[tuple[str, list[Any]]]) -> list[Any]:
        """Several calls in one HTTP request (JSON-RPC batch); results in the order of `calls`."""
        if not calls:
            return []
        first = next(self._ids)
        payload = [
            {"jsonrpc": "2.0", "id": first + i, "method": m, "params": p}
            for i, (m, p) in enumerate(calls)
        ]
        for _ in calls[1:]:
            next(self._ids)
        answer = self._post(payload)
        if not isinstance(answer, list):
            # Some nodes answer a batch with a single error object (e.g. batch too large).
            return [self._result(calls[0][0], answer)]
        by_id = {item.get("id"): item for item in answer if isinstance(item, dict)}
        out = []
        for i, (method, _) in enumerate(calls):
            item = by_id.get(first + i)
            if item is None:
                raise RpcTransportError(f"batch answer lacks the result of {method}")
            out.append(self._result(method, item))
        return out

    def batch_each(self, calls: list[tuple[str, list[Any]]]) -> list[tuple[Any, RpcError | None]]:
        """A JSON-RPC batch whose items may fail one by one (a reverted eth_call among many):
        (result, None) or (None, the item's error), in the order of `calls`."""
        if not calls:
            return []
        first = next(self._ids)
        payload = [
            {"jsonrpc": "2.0", "id": first + i, "method": m, "params": p}
            for i, (m, p) in enumerate(calls)
        ]
        for _ in calls[1:]:
            next(self._ids)
        answer = self._post(payload)
        if not isinstance(answer, list):
            self._result(calls[0][0], answer)  # a single error object for the whole batch
            raise RpcTransportError("a batch answered by a single result")
        by_id = {item.get("id"): item for item in answer if isinstance(item, dict)}
        out: list[tuple[Any, RpcError | None]] = []
        for i, (method, _) in enumerate(calls):
            item = by_id.get(first + i)
            if item is None:
                raise RpcTransportError(f"batch answer lacks the result of {method}")
            try:
                out.append((self._result(method, item), None))
            except RpcError as exc:
                out.append((None, exc))
        return out

    @staticmethod
    def _result(method: str, answer: Any) -> Any:
        if not isinstance(answer, dict):
            raise RpcTransportError(f"unexpected answer to {method}: {str(answer)[:100]}")
        if "error" in answer and answer["error"] is not None:
            err = answer["error"]
            if isinstance(err, dict):
                raise RpcError(method, err.get("code"), str(err.get("message")), err.get("data"))
            raise RpcError(method, None, str(err))
        if "result" not in answer:
            raise RpcTransportError(f"answer to {method} has neither result nor error")
        return answer["result"]


class Backoff:
    """Retries a call on transport and node errors with capped exponential backoff.

    Every wait is logged as what it is ("waiting for RPC http://...: connection refused, retry
    in 4 s"), so an operator reading the log knows the indexer is alive and what it lacks.
    """

    def __init__(
        self,
        url: str,
        *,
        initial: float,
        cap: float,
        max_retries: int | None,
        stop: threading.Event | None = None,
    ) -> None:
        self.url = url
        self.initial = initial
        self.cap = cap
        self.max_retries = max_retries
        self.stop = stop
        self.retries = 0
        """Total retries so far (a statistic for reports and tests)."""

    def sleep(self, seconds: float) -> None:
        if self.stop is None:
            time.sleep(seconds)
        elif self.stop.wait(seconds):
            raise Stopped()

    def run(self, what: str, fn: Callable[[], T]) -> T:
        delay = self.initial
        failures = 0
        while True:
            if self.stop is not None and self.stop.is_set():
                raise Stopped()
            try:
                result = fn()
            except (RpcTransportError, RpcError) as exc:
                failures += 1
                self.retries += 1
                reason = exc.reason if isinstance(exc, RpcTransportError) else exc.message
                if self.max_retries is not None and failures > self.max_retries:
                    raise RpcUnavailable(
                        f"RPC {self.url} failed {failures} times ({what}): {reason}"
                    ) from exc
                log.warning(
                    "waiting for RPC %s: %s, retry in %s s (%s)",
                    self.url,
                    reason,
                    _fmt_seconds(delay),
                    what,
                )
                self.sleep(delay)
                delay = min(delay * 2, self.cap)
                continue
            if failures:
                log.info("RPC %s answers again (%s) after %d failures", self.url, what, failures)
            return result


def _fmt_seconds(value: float) -> str:
    return f"{value:g}" if value < 10 else f"{value:.0f}"


#: Messages providers use when an eth_getLogs range holds too much (geth, erigon, anvil,
#: Alchemy, Infura, QuickNode, Ankr, BlastAPI...). Matching is on purpose loose: a false
#: positive only costs a smaller range.
_LIMIT_PATTERNS = re.compile(
    r"more than \d+ results|too many|limit|exceed|block range|range is too|response size|"
    r"query timeout|timed out|timeout|returned more|query returned|max results|too large",
    re.IGNORECASE,
)
_SUGGESTED_RANGE = re.compile(r"\[\s*(0x[0-9a-fA-F]+)\s*,\s*(0x[0-9a-fA-F]+)\s*\]")


def is_range_limit(exc: RpcError) -> bool:
    """Whether a JSON-RPC error of eth_getLogs means "ask for fewer blocks"."""
    if exc.code == -32005:  # EIP-1474 "limit exceeded"
        return True
    return bool(_LIMIT_PATTERNS.search(exc.message)) or bool(
        exc.data and _LIMIT_PATTERNS.search(str(exc.data))
    )


def suggested_range(exc: RpcError) -> int | None:
    """Blocks in the range a provider suggests ("try with this block range [0x1, 0x2]")."""
    match = _SUGGESTED_RANGE.search(f"{exc.message} {exc.data or ''}")
    if not match:
        return None
    lo, hi = int(match.group(1), 16), int(match.group(2), 16)
    return hi - lo + 1 if hi >= lo else None
