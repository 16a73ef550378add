"""The local development chain: an anvil process whose state persists under the data dir.

anvil comes from npm (@foundry-rs/anvil). With `--state` it loads the chain at start and
dumps it on SIGTERM/SIGINT; `--state-interval` also dumps periodically so that a hard kill
loses at most that many seconds of a dev chain. A production cooperative points COOP_RPC_URL
at a real node instead.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from node.core.config import PROJECT_ROOT


class AnvilError(RuntimeError):
    """anvil could not be found or did not start."""


def find_anvil() -> str:
    local = PROJECT_ROOT / "node_modules" / ".bin" / "anvil"
    if local.exists():
        return str(local)
    found = shutil.which("anvil")
    if found:
        return found
    raise AnvilError("anvil not found: run `npm ci` (it comes from @foundry-rs/anvil)")


class Anvil:
    """A managed anvil process. Use as a context manager; stopping it dumps its state."""

    def __init__(
        self,
        port: int,
        state_file: Path | None = None,
        *,
        state_interval: int = 1,
        log_file: Path | None = None,
        chain_id: int = 31337,
        preexec: Callable[[], None] | None = None,
    ) -> None:
        self.port = port
        self.state_file = state_file
        self.state_interval = state_interval
        self.log_file = log_file
        self.chain_id = chain_id
        self.preexec = preexec
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        cmd = [
            find_anvil(),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--chain-id",
            str(self.chain_id),
            "--silent",
        ]
        if self.state_file is not None:
            self.state_file.parent.mkdir(parents=True, exist_ok=True)
            # --state loads the file if present and dumps to it on exit (and every interval).
            cmd += ["--state", str(self.state_file), "--state-interval", str(self.state_interval)]
            cmd += ["--preserve-historical-states"]
        out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            cmd,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the node, which stops anvil in order
            preexec_fn=self.preexec,
        )
        if self.log_file and not isinstance(out, int):
            out.close()
        self._wait_listening()

    def _wait_listening(self, timeout: float = 30.0) -> None:
        import socket

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise AnvilError(f"anvil exited with status {self.process.returncode} at start")
            with socket.socket() as sock:
                sock.settimeout(0.2)
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise AnvilError(f"anvil did not listen on port {self.port} within {timeout:.0f}s")

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM, so that anvil dumps its state, then wait; SIGKILL only if it hangs."""
        proc = self.process
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)

    def __enter__(self) -> Anvil:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
