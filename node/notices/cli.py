"""`coop notices ...`: the outbox at a glance, and one delivery pass by hand.

`status` reads the database only. `send-pending` follows the mirror, scans due dates, hands
every due notice to SMTP and webhooks and seals the ready delivery lists, once, for the
cooperative the gateway serves (the same settings as `coop serve`): what the gateway's thread
does every `COOP_NOTICES_INTERVAL` seconds, for a node that runs with the thread off.
"""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.group()
def notices() -> None:
    """Notices: e-mail, inbox, webhooks (docs/notices.md)."""


@notices.command()
def status() -> None:
    """Outbox rows per channel and status, the notifier's cursors, sealed delivery lists."""
    import sqlalchemy as sa

    from indexer.db import make_engine
    from node.core.cli_settings import load_settings
    from node.notices import store, tables

    engine = make_engine(load_settings().effective_database_url)
    store.migrate(engine)
    with engine.connect() as conn:
        out = {
            "outbox": store.status(conn),
            "cursors": {
                r.name: [int(r.block_number), int(r.log_index)]
                for r in conn.execute(sa.select(tables.cursor))
            },
            "delivery_lists": {
                r.subject_key: r.sha256
                for r in conn.execute(
                    sa.select(tables.delivery_list.c.subject_key, tables.delivery_list.c.sha256)
                )
            },
        }
    click.echo(json.dumps(out, indent=2, ensure_ascii=False))


@notices.command("send-pending")
@click.option(
    "--deployment",
    "deployment_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Deployment record (default <COOP_DATA_DIR>/deployment.json).",
)
def send_pending(deployment_path: Path | None) -> None:
    """One pass: follow the mirror, scan, deliver what is due, seal the ready lists."""
    from node.api.db import gateway_engine
    from node.api.gateway import Gateway, GatewayConfigError
    from node.api.notifier import notifier_of
    from node.chain.artifacts import Artifacts, ArtifactsError
    from node.chain.client import Chain, ChainError
    from node.chain.deployment import DeploymentError, read_record
    from node.core.cli_settings import load_settings
    from node.notices import store

    settings = load_settings()
    try:
        chain = Chain(settings.effective_rpc_url, Artifacts(settings.artifacts_path))
        chain.wait_ready()
        record = read_record(deployment_path or settings.deployment_file)
        engine = gateway_engine(settings.effective_database_url)
        store.migrate(engine)
        gw = Gateway(settings, chain, record, engine)
    except (ArtifactsError, ChainError, DeploymentError, GatewayConfigError) as exc:
        raise click.ClickException(str(exc)) from exc
    notifier = notifier_of(gw)
    collected, delivered = notifier.tick()
    click.echo(
        json.dumps(
            {
                "events": collected.events,
                "queued": collected.rows,
                "kinds": collected.kinds,
                "sent": delivered.sent,
                "failed": delivered.failed,
                "deferred": delivered.deferred,
                "last_error": notifier.last_error,
            },
            ensure_ascii=False,
        )
    )
