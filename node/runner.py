"""`coop run`: the whole node on one machine.

Starts (or reuses) the chain, makes sure the demo cooperative is deployed, and serves the
gateway until Ctrl-C or SIGTERM. Stopping is orderly: the gateway stops first, then anvil gets
SIGTERM and dumps its state, so the next start continues the same chain.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import threading
from pathlib import Path

import uvicorn

from node.api.main import create_app
from node.chain.anvil import Anvil
from node.chain.artifacts import Artifacts
from node.chain.client import Chain, account_from_key
from node.chain.deployment import (
    DeploymentError,
    ensure_deployment,
    read_record,
    record_matches_chain,
)
from node.core.config import Settings

log = logging.getLogger("coop.run")


def _say(line: str) -> None:
    """What the operator reads at start (INFO, in the log's format)."""
    log.info(line)


def _die_with_parent() -> None:
    """Ask Linux to SIGTERM anvil when the node dies, even by SIGKILL: anvil then dumps its
    state instead of lingering as an orphan that holds the port."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _stop_stale_anvil(pid_file: Path) -> None:
    """A previous node that died hard may have left its anvil running: stop it cleanly."""
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return
    if b"anvil" not in cmdline:
        return
    os.kill(pid, signal.SIGTERM)
    for _ in range(100):
        if not Path(f"/proc/{pid}").exists():
            break
        import time

        time.sleep(0.1)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


def run(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    anvil: Anvil | None = None
    stop = threading.Event()
    indexer_thread: threading.Thread | None = None
    pid_file = settings.data_dir / "chain" / "anvil.pid"
    try:
        if settings.uses_local_chain:
            _stop_stale_anvil(pid_file)
            anvil = Anvil(
                settings.anvil_port,
                settings.anvil_state_file,
                state_interval=settings.anvil_state_interval,
                log_file=settings.data_dir / "chain" / "anvil.log",
                preexec=_die_with_parent,
            )
            anvil.start()
            assert anvil.process is not None
            pid_file.write_text(str(anvil.process.pid))
            _say(f"anvil: {anvil.url} (state: {settings.anvil_state_file})")

        chain = Chain(settings.effective_rpc_url, Artifacts(settings.artifacts_path))
        chain.wait_ready()
        deployer = account_from_key(settings.effective_deployer_key)

        from node.cooperative.demo import deploy_demo

        if not settings.uses_local_chain:
            # On a chain of the cooperative's own (a consortium chain, an L2) the node never
            # deploys the demo: a record that is missing or does not describe this chain (chain
            # id, genesis hash, code at every address) is refused before anything is sent.
            existing = read_record(settings.deployment_file)
            if existing is None:
                raise DeploymentError(
                    f"нет записи о развёртывании / no deployment record at "
                    f"{settings.deployment_file}: on a chain of your own, deploy with "
                    "`coop deploy` and save its output there (the demo is deployed only on the "
                    "local chain)"
                )
            if not record_matches_chain(existing, chain):
                raise DeploymentError(
                    f"запись {settings.deployment_file} не соответствует сети {chain.chain_id} / "
                    "the deployment record does not describe this chain (chain_id, genesis_hash "
                    "and code at every recorded address must match); the demo is deployed only "
                    "on the local chain"
                )
        record, fresh = ensure_deployment(chain, deployer, settings.deployment_file, deploy_demo)
        _say(
            (
                "Развёрнут демо-кооператив / deployed the demo cooperative"
                if fresh
                else "Демо-кооператив уже развёрнут / reusing the demo cooperative"
            )
            + f" (chain {record['chain_id']}, record {settings.deployment_file})"
        )

        # The indexer follows the chain into the SQL mirror in a thread of its own; the gateway
        # reads the mirror. Both stop when the server stops.
        from indexer.run import indexer_from_settings

        indexer = indexer_from_settings(settings, record)
        indexer_thread = threading.Thread(
            target=indexer.follow, args=(stop,), name="indexer", daemon=True
        )
        indexer_thread.start()
        _say(f"indexer: {settings.effective_database_url}")
        _say(
            "notices: "
            + (
                f"smtp {settings.smtp_url.split('@')[-1]}"
                if settings.smtp_url
                else "no COOP_SMTP_URL"
            )
            + f", every {settings.notices_interval}s (started with the gateway)"
        )

        if settings.api_workers > 1:
            log.warning(
                "coop run serves one gateway process; for COOP_API_WORKERS=%d use coop serve "
                "(docs/deploy.md)",
                settings.api_workers,
            )
        app = create_app(settings, chain, record)
        # log_config=None: uvicorn keeps the process's logging (node.core.logs.setup_logging).
        config = uvicorn.Config(
            app, host=settings.api_host, port=settings.api_port, log_config=None
        )
        _say(
            f"Coopnode работает / is running: http://{settings.api_host}:{settings.api_port}/health"
            f"  (chain {settings.effective_rpc_url}, data {settings.data_dir})"
        )
        if settings.effective_passkey_rp_id == "localhost":
            # WebAuthn refuses an IP address as the relying party: passkeys need the host name.
            _say(
                "Портал с ключами доступа / portal with passkeys: "
                f"http://localhost:{settings.api_port}/"
            )
        # uvicorn re-raises the signal that stopped it once it has shut down; turn SIGTERM
        # into SystemExit so that the `finally` below still stops anvil in order.
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        uvicorn.Server(config).run()
    finally:
        stop.set()
        if indexer_thread is not None:
            indexer_thread.join(timeout=10)
        if anvil is not None:
            anvil.stop()
            pid_file.unlink(missing_ok=True)
