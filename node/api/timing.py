"""Slow requests in the log: an ASGI middleware that times each HTTP request and logs the ones
over `COOP_LOG_SLOW_REQUEST_MS` as a warning (method, path, status, milliseconds). Fast requests
log nothing: an access log line per request is uvicorn's, at DEBUG only."""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("coop.api.slow")


class SlowRequestLog:
    def __init__(self, app: ASGIApp, threshold_ms: float) -> None:
        self.app = app
        self.threshold_ms = threshold_ms

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def timed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        finally:
            ms = (time.perf_counter() - started) * 1000
            if ms > self.threshold_ms:
                log.warning(
                    "slow request: %s %s -> %s in %.0f ms",
                    scope.get("method"),
                    scope.get("path"),
                    status or "no response",
                    ms,
                    extra={
                        "method": scope.get("method"),
                        "path": scope.get("path"),
                        "status": status,
                        "duration_ms": round(ms, 1),
                    },
                )
