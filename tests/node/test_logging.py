"""Quiet logs: an idle node prints nothing at INFO, `coop audit` prints its report and nothing
else, `COOP_LOG_FORMAT=json` writes parseable JSON lines, slow requests are logged.

The node runs as a user runs it (`coop run`, a real process with its own anvil); `PYTHONPATH`
points the `coop` entry point at this checkout's code."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from node.api.timing import SlowRequestLog
from node.core.config import PROJECT_ROOT, Settings
from node.core.logs import setup_logging
from tests.node.test_cli_run import COOP, Node


class JsonNode(Node):
    def env(self) -> dict[str, str]:
        env = super().env()
        # Slow-request warnings are tested on their own below: on a loaded machine a /health
        # answer may take a second, which is not idle noise.
        env.update(
            COOP_LOG_FORMAT="json",
            COOP_LOG_SLOW_REQUEST_MS="600000",
            PYTHONPATH=str(PROJECT_ROOT),
        )
        env["COOP_ARTIFACTS"] = str(PROJECT_ROOT / ".build" / "__local__.json")
        return env

    def lines(self) -> list[str]:
        return [line for line in self.log.read_text().splitlines() if line.strip()]

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.log.read_text():
            if time.monotonic() > deadline:
                pytest.fail(f"no {text!r} in the log:\n{self.log.read_text()}")
            time.sleep(0.1)


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JsonNode]:
    data = tmp_path_factory.mktemp("quiet") / "data"
    data.mkdir()
    n = JsonNode(data)
    n.start()
    try:
        n.health()
        n.wait_for("Application startup complete")
        yield n
    finally:
        if n.proc is not None and n.proc.poll() is None:
            n.stop()


def test_every_line_is_json_with_level_logger_message(node: JsonNode) -> None:
    records = [json.loads(line) for line in node.lines()]  # fails on any non-JSON line
    for record in records:
        assert {"time", "level", "logger", "message"} <= set(record), record
        assert record["level"] in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
    said = [(r["logger"], r["message"]) for r in records]
    assert any(lg == "coop.run" and "is running" in m for lg, m in said)
    assert any(lg == "coop.run" and "demo" in m for lg, m in said)  # the deployment
    assert any(lg == "coop.indexer" and m.startswith("following") for lg, m in said)


def test_idle_node_logs_nothing(node: JsonNode) -> None:
    """Over 6 idle seconds the indexer polls the chain ~12 times, the relay tracker and the
    mirror clock tick, and requests are served: none of it is an operator's business at INFO
    (before: two httpx lines a second)."""
    before = len(node.lines())
    deadline = time.monotonic() + 6
    while time.monotonic() < deadline:
        assert httpx.get(f"http://127.0.0.1:{node.api_port}/health", timeout=5).status_code == 200
        time.sleep(0.5)
    new = node.lines()[before:]
    assert new == [], new


def _env(node: JsonNode, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COOP_")}
    env.pop("DATABASE_URL", None)
    env.update(
        PYTHONPATH=str(PROJECT_ROOT),
        COOP_DATA_DIR=str(node.data_dir),
        COOP_RPC_URL=f"http://127.0.0.1:{node.anvil_port}",
        COOP_ARTIFACTS=str(PROJECT_ROOT / ".build" / "__local__.json"),
        **extra,
    )
    return env


REPORT_LINE = re.compile(
    r"^(chain \d+: live cursor .*, rebuilt .*|  [\w:]+: \d+ rows compared|OK: the mirror equals "
    r"a fresh rebuild)$"
)


def test_audit_prints_only_its_report(node: JsonNode) -> None:
    """`coop audit` runs migrations and hundreds of RPC calls: stdout is the report alone and
    stderr is empty at INFO (before: alembic and httpx lines ahead of the report)."""
    result = subprocess.run(
        [COOP, "audit"], env=_env(node), capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].startswith("chain ") and lines[-1].startswith("OK:")
    assert [line for line in lines if not REPORT_LINE.match(line)] == []
    # --json: stdout is one JSON document
    as_json = subprocess.run(
        [COOP, "audit", "--json"], env=_env(node), capture_output=True, text=True, timeout=300
    )
    assert as_json.returncode == 0 and as_json.stderr == ""
    assert json.loads(as_json.stdout)["ok"] is True


def test_debug_level_shows_the_library_lines(node: JsonNode) -> None:
    """The control for the test above: the same command at DEBUG does log the HTTP calls."""
    result = subprocess.run(
        [COOP, "index", "--once"],
        env=_env(node, COOP_LOG_LEVEL="debug", DATABASE_URL=f"sqlite:///{node.data_dir}/x.db"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "httpx" in result.stderr and "alembic" in result.stderr


# -- the setup itself ------------------------------------------------------------------------------


def _capture(level: str, fmt: str) -> io.StringIO:
    stream = io.StringIO()
    setup_logging(level, fmt, stream=stream)
    return stream


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in ("httpx", "alembic", "web3")}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, lvl in levels.items():
        logging.getLogger(name).setLevel(lvl)


def test_json_format_and_levels(restore_logging: None) -> None:
    stream = _capture("INFO", "json")
    logging.getLogger("httpx").info('HTTP Request: POST http://x "HTTP/1.1 200 OK"')
    logging.getLogger("alembic.runtime.migration").info("Running upgrade")
    logging.getLogger("coop.indexer").debug("block 5: +1 events")
    logging.getLogger("coop.run").info("Кооператив работает", extra={"port": 8000})
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("coop.api").exception("unhandled")
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(r["level"], r["logger"], r["message"]) for r in records] == [
        ("INFO", "coop.run", "Кооператив работает"),
        ("ERROR", "coop.api", "unhandled"),
    ]
    assert records[0]["port"] == 8000
    assert "ValueError: boom" in records[1]["exception"]

    debug = _capture("DEBUG", "text")
    logging.getLogger("httpx").info("HTTP Request: POST")
    logging.getLogger("coop.indexer").debug("block 5: +1 events")
    text = debug.getvalue()
    assert "INFO httpx: HTTP Request: POST" in text and "DEBUG coop.indexer: block 5" in text


def test_log_settings_are_validated() -> None:
    assert Settings(_env_file=None, COOP_LOG_LEVEL="debug").log_level == "DEBUG"  # type: ignore[call-arg]
    assert Settings(_env_file=None, COOP_LOG_FORMAT="JSON").log_format == "json"  # type: ignore[call-arg]
    with pytest.raises(ValueError):
        Settings(_env_file=None, COOP_LOG_LEVEL="loud")  # type: ignore[call-arg]


def test_slow_requests_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    app = FastAPI()

    @app.get("/slow")
    def slow() -> dict[str, Any]:
        time.sleep(0.4)
        return {}

    @app.get("/fast")
    def fast() -> dict[str, Any]:
        return {}

    app.add_middleware(SlowRequestLog, threshold_ms=250)
    with caplog.at_level(logging.INFO, logger="coop.api.slow"), TestClient(app) as client:
        assert client.get("/fast").status_code == 200
        assert client.get("/slow").status_code == 200
    slow_records = [r for r in caplog.records if r.name == "coop.api.slow"]
    # Only what took longer than the threshold is logged (on a loaded machine even /fast may).
    assert all(r.__dict__["duration_ms"] >= 250 for r in slow_records), slow_records
    (record,) = [r for r in slow_records if "GET /slow" in r.getMessage()]
    assert record.levelname == "WARNING" and "GET /slow -> 200" in record.getMessage()
    assert record.__dict__["duration_ms"] >= 400


_SETUP_AND_REPORT = (
    "import logging, sys; from node.core.logs import setup_logging; setup_logging(); "
    "print(logging.getLevelName(logging.getLogger().level), 'node.core.config' in sys.modules)"
)


@pytest.mark.parametrize(
    ("env_file", "variable", "expected"),
    [
        (None, None, "INFO False"),  # nothing could change the defaults: settings not loaded
        ("COOP_LOG_LEVEL=DEBUG\n", None, "DEBUG True"),  # a .env file is read
        (None, ("COOP_LOG_LEVEL", "warning"), "WARNING True"),  # so is the variable
        (None, ("log_level", "ERROR"), "ERROR True"),  # under its other name too
        (None, ("COOP_LOG_LEVEL", "loud"), "INFO True"),  # a bad value still falls back
    ],
)
def test_logging_reads_the_settings_only_when_they_could_change_it(
    tmp_path: Any, env_file: str | None, variable: tuple[str, str] | None, expected: str
) -> None:
    """`coop clearing plan` on 100k rows spends a sixth of its time loading the settings for
    the log level alone: skipped when no variable or `.env` file could give another one."""
    if env_file is not None:
        (tmp_path / ".env").write_text(env_file)
    env = {
        k: v
        for k, v in os.environ.items()
        if k.lower() not in {"coop_log_level", "log_level", "coop_log_format", "log_format"}
    }
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    if variable is not None:
        env[variable[0]] = variable[1]
    result = subprocess.run(
        [sys.executable, "-c", _SETUP_AND_REPORT],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == expected
