"""`coop index` and `coop audit`: run the indexer, and check a mirror against the chain.

Both read the database URL and the RPC endpoint from the node's settings (DATABASE_URL,
COOP_RPC_URL) unless given on the command line, and the indexer's own settings from
COOP_INDEXER_* variables. `python -m indexer.cli` runs them without the `coop` entry point.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from indexer.config import IndexerSettings

log = logging.getLogger("coop.indexer")


def _settings(**overrides: Any) -> tuple[Any, IndexerSettings]:
    # Imported here, not at module level: indexer.config pulls in web3, which `coop --help`
    # and the other commands must not pay for (see node/cli.py).
    from pydantic import ValidationError

    from indexer.config import IndexerSettings
    from node.core.cli_settings import load_settings

    node = load_settings()
    try:
        idx = IndexerSettings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        raise click.ClickException(f"invalid setting:\n{exc}") from exc
    return node, idx


@click.command("index")
@click.option("--once", is_flag=True, help="Catch up with the head once, then exit.")
@click.option(
    "--database-url", help="SQLAlchemy URL of the mirror (default: DATABASE_URL or SQLite)."
)
@click.option("--rpc-url", help="JSON-RPC endpoint (default: COOP_RPC_URL or the local anvil).")
@click.option(
    "--finality-depth", type=click.IntRange(min=0), help="Blocks below the head that are final."
)
@click.option("--from-block", type=click.IntRange(min=0), help="First block to index.")
@click.option(
    "--poll-interval", type=click.FloatRange(min=0, min_open=True), help="Seconds between polls."
)
@click.option(
    "--root", "roots", multiple=True, help="Watched root address (repeatable). None: all."
)
@click.option(
    "--replay",
    is_flag=True,
    help="Rebuild the projections from the raw events already stored (no RPC), then exit. "
    "Stop the node first.",
)
@click.option(
    "--projection",
    "projection_names",
    multiple=True,
    help="With --replay: only this projection (repeatable; default: all).",
)
def index(
    once: bool,
    database_url: str | None,
    rpc_url: str | None,
    finality_depth: int | None,
    from_block: int | None,
    poll_interval: float | None,
    roots: tuple[str, ...],
    replay: bool,
    projection_names: tuple[str, ...],
) -> None:
    """Mirror every event of the watched contracts into SQL (SQLite by default)."""
    from indexer.run import Indexer
    from node.chain.artifacts import Artifacts, ArtifactsError

    if projection_names and not replay:
        raise click.UsageError("--projection goes with --replay")
    if replay:
        _replay(database_url, projection_names)
        return

    node, idx = _settings(
        finality_depth=finality_depth,
        start_block=from_block,
        poll_interval=poll_interval,
        roots=list(roots) or None,
    )
    try:
        artifacts = Artifacts(node.artifacts_path)
    except ArtifactsError as exc:
        raise click.ClickException(str(exc)) from exc
    indexer = Indexer(
        rpc_url=rpc_url or node.effective_rpc_url,
        database_url=database_url or node.effective_database_url,
        artifacts=artifacts,
        settings=idx,
    )
    stop = threading.Event()

    def _on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %d: finishing the current step, then stopping", signum)
        stop.set()

    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        if once:
            from indexer.leader import LeaderLock

            lock = LeaderLock(indexer.engine, indexer.chain_id)
            if not lock.try_acquire():
                raise click.ClickException(
                    f"another indexer leads chain {indexer.chain_id} on this mirror (leader "
                    "lock held): it is already indexing"
                )
            try:
                report = indexer.sync_once(stop_event=stop)
            finally:
                lock.release()
            click.echo(
                f"indexed to block {report.cursor} (head {report.head}): {report.events} events "
                f"in {report.seconds:.2f} s, {len(report.reorgs)} reorgs",
                err=True,
            )
        else:
            indexer.follow(stop)
    finally:
        indexer.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _replay(database_url: str | None, names: tuple[str, ...]) -> None:
    from indexer.replay import ReplayError, replay, select_projections

    node, idx = _settings()
    try:
        chosen = select_projections(names)
        report = replay(
            database_url or node.effective_database_url,
            chosen,
            batch_rows=idx.max_rows_per_step,
        )
    except ReplayError as exc:
        raise click.ClickException(str(exc)) from exc
    for chain_id, read in report.chains.items():
        click.echo(f"chain {chain_id}: {read} raw events replayed", err=True)
    click.echo(
        f"rebuilt {len(report.projections)} projections from {report.applied} events "
        f"in {report.seconds:.2f} s (no RPC)",
        err=True,
    )


EXTRA_AUDIT_CHECKS: list[str] = []
"""`module:function` checks `coop audit` runs after the mirror's (each called with the chain, the
live database URL and the report). The composition root (`node/cli.py`) adds the node's own
(the cooperative's books), so that the indexer imports no domain package."""


def _extra_checks() -> list[Callable[..., None]]:
    from importlib import import_module

    checks = []
    for spec in EXTRA_AUDIT_CHECKS:
        module, _, name = spec.partition(":")
        checks.append(getattr(import_module(module), name))
    return checks


@click.command("audit")
@click.option("--database-url", help="The live mirror (default: DATABASE_URL or SQLite).")
@click.option(
    "--scratch-url", help="An empty database to rebuild into (default: temporary SQLite)."
)
@click.option("--rpc-url", help="JSON-RPC endpoint (default: COOP_RPC_URL or the local anvil).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def audit(
    database_url: str | None, scratch_url: str | None, rpc_url: str | None, as_json: bool
) -> None:
    """Rebuild the mirror from the chain and compare it row by row; exit 1 on any difference."""
    from indexer.audit import audit_raw
    from node.chain.artifacts import Artifacts, ArtifactsError
    from node.chain.client import Chain

    node, idx = _settings()
    try:
        chain = Chain(rpc_url or node.effective_rpc_url, Artifacts(node.artifacts_path))
    except ArtifactsError as exc:
        raise click.ClickException(str(exc)) from exc
    live = database_url or node.effective_database_url
    with tempfile.TemporaryDirectory(prefix="coop-audit-") as tmp:
        scratch = scratch_url or f"sqlite:///{Path(tmp) / 'rebuild.db'}"
        report = audit_raw(chain, live, scratch, settings=idx, extra_checks=_extra_checks())
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, default=str))
    else:
        click.echo(
            f"chain {report.chain_id}: live cursor {report.live_cursor}, "
            f"rebuilt {report.rebuilt_cursor}"
        )
        for table, count in report.compared.items():
            click.echo(f"  {table}: {count} rows compared")
        for diff in report.differences:
            click.echo(f"DIFF {diff}")
        click.echo(
            "OK: the mirror equals a fresh rebuild"
            if report.ok
            else f"{len(report.differences)} differences"
        )
    sys.exit(0 if report.ok else 1)


@click.group()
def main() -> None:
    """The indexer's commands (registered in `coop` as `coop index` and `coop audit`)."""
    from node.core.logs import setup_logging

    setup_logging()


main.add_command(index)
main.add_command(audit)

if __name__ == "__main__":
    main()
