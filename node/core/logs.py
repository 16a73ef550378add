"""One logging setup for every `coop` command (and `python -m indexer.cli`).

What an operator reads at INFO: the node starting, deployments, the indexer starting to follow,
warnings (a reorg, an RPC that refuses, a slow request) and errors. Each indexed batch is at
DEBUG. Libraries that log once per HTTP request or per migration step (httpx, httpcore, web3,
urllib3, alembic, uvicorn's access log) stay at WARNING unless the level is DEBUG: an idle node
prints nothing. `COOP_LOG_FORMAT=json` writes one JSON object per line (`time`, `level`,
`logger`, `message`, and `exception` when there is one) for a log collector.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
LogFormat = Literal["text", "json"]

#: Loggers that speak once per request or per step: quiet unless the level is DEBUG.
CHATTY = ("httpx", "httpcore", "web3", "urllib3", "alembic", "uvicorn.access", "asyncio")

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

#: `LogRecord` attributes that are not extra fields given with `extra=`.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, extras."""

    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                body[key] = value
        if record.exc_info:
            body["exception"] = self.formatException(record.exc_info)
        return json.dumps(body, ensure_ascii=False, default=str)


#: The environment variables the settings read the log level and format from (pydantic-settings
#: matches names case-insensitively; see `Settings.log_level` / `log_format`).
_LOG_VARIABLES = frozenset({"coop_log_level", "log_level", "coop_log_format", "log_format"})


def _settings_may_set_logging() -> bool:
    """Whether `Settings()` could give a log level or format other than the defaults: only
    through one of the variables above or a `.env` file (the settings' only other source)."""
    if os.path.exists(".env"):
        return True
    return any(name.lower() in _LOG_VARIABLES for name in os.environ)


def setup_logging(
    level: str | None = None, fmt: str | None = None, stream: TextIO | None = None
) -> None:
    """Configure the root logger once for the process (calling again reconfigures it).

    `level` / `fmt` default to the node's settings (`COOP_LOG_LEVEL`, `COOP_LOG_FORMAT`); a bad
    value there falls back to INFO / text here and is reported by the command that reads the
    settings. Logs go to stderr: stdout stays for a command's own output (a report, JSON).
    """
    if (level is None or fmt is None) and not _settings_may_set_logging():
        # Nothing could change the defaults: skip loading the settings (pydantic and every
        # setting's validation take ~0.15 s, a sixth of `coop clearing plan` on 100k rows).
        level = level or "INFO"
        fmt = fmt or "text"
    if level is None or fmt is None:
        from pydantic import ValidationError

        from node.core.config import Settings

        try:
            settings = Settings()
            level = level or settings.log_level
            fmt = fmt or settings.log_format
        except ValidationError:
            level = level or os.environ.get("COOP_LOG_LEVEL", "INFO").upper()
            fmt = fmt or "text"
    level = level.upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        level = "INFO"
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    quiet = logging.DEBUG if level == "DEBUG" else logging.WARNING
    for name in CHATTY:
        logging.getLogger(name).setLevel(quiet)
    # uvicorn's own loggers propagate to the root handler (run it with `log_config=None`).
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
