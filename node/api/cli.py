"""`coop serve`: the gateway alone, against an existing chain, deployment and mirror.

Unlike `coop run` it starts no anvil and deploys nothing: it serves `COOP_RPC_URL` with the
deployment record under `COOP_DATA_DIR` (or `--deployment`) and the mirror at `DATABASE_URL`.
`--index` also follows the chain into the mirror in a background thread (otherwise run
`coop index` beside it); with several workers (`COOP_API_WORKERS`) each has one, and the
holder of the chain's leader lock indexes while the others stand by.
"""

from __future__ import annotations

import os
from pathlib import Path

import click


@click.command()
@click.option("--host", default=None, help="Interface (default COOP_API_HOST, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default COOP_API_PORT, 8000).")
@click.option(
    "--deployment",
    "deployment_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Deployment record (default <COOP_DATA_DIR>/deployment.json).",
)
@click.option("--index/--no-index", default=False, help="Also run the indexer in this process.")
def serve(host: str | None, port: int | None, deployment_path: Path | None, index: bool) -> None:
    """Serve the HTTP gateway (OpenAPI docs at /docs)."""
    import uvicorn

    from node.api.main import create_app
    from node.chain.artifacts import Artifacts, ArtifactsError
    from node.chain.client import Chain, ChainError
    from node.chain.deployment import DeploymentError, read_record
    from node.core.cli_settings import load_settings

    settings = load_settings()
    if settings.rpc_url is None:
        raise click.ClickException(
            "coop serve needs COOP_RPC_URL (coop run starts a local chain instead)"
        )
    try:
        settings.check_workers()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if host:
        settings.api_host = host
    if port:
        settings.api_port = port
    try:
        chain = Chain(settings.effective_rpc_url, Artifacts(settings.artifacts_path))
        chain.wait_ready()
        record = read_record(deployment_path or settings.deployment_file)
    except (ArtifactsError, ChainError, DeploymentError) as exc:
        raise click.ClickException(str(exc)) from exc
    if record is None:
        raise click.ClickException(
            f"no deployment record at {deployment_path or settings.deployment_file}"
        )
    click.echo(
        f"Шлюз / gateway: http://{settings.api_host}:{settings.api_port}/docs "
        f"(chain {settings.effective_rpc_url}, {settings.api_workers} worker(s))",
        err=True,
    )
    if settings.api_workers > 1:
        # Each worker process builds its own app (node.api.asgi) from the environment.
        os.environ["COOP_API_WORKERS"] = str(settings.api_workers)
        os.environ["COOP_API_HOST"] = settings.api_host
        os.environ["COOP_API_PORT"] = str(settings.api_port)
        if deployment_path is not None:
            os.environ["COOP_SERVE_DEPLOYMENT"] = str(deployment_path)
        os.environ["COOP_SERVE_INDEX"] = "1" if index else "0"
        uvicorn.run(
            "node.api.asgi:create",
            factory=True,
            host=settings.api_host,
            port=settings.api_port,
            workers=settings.api_workers,
            log_config=None,
        )
        return
    app = create_app(settings, chain, record, index=index)
    # log_config=None: uvicorn keeps the process's logging (node.core.logs.setup_logging).
    uvicorn.run(app, host=settings.api_host, port=settings.api_port, log_config=None)
