"""`coop serve`: the gateway alone, against an existing chain, deployment and mirror.

Unlike `coop run` it starts no anvil and deploys nothing: it serves `COOP_RPC_URL` with the
deployment record under `COOP_DATA_DIR` (or `--deployment`) and the mirror at `DATABASE_URL`.
`--index` also follows the chain into the mirror in a background thread (otherwise run
`coop index` beside it); with several workers (`COOP_API_WORKERS`) each has one, and the
holder of the chain's leader lock indexes while the others stand by.
"""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path
from typing import Any

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
        serve_workers(settings.api_host, settings.api_port, settings.api_workers)
        return
    app = create_app(settings, chain, record, index=index)
    # log_config=None: uvicorn keeps the process's logging (node.core.logs.setup_logging).
    uvicorn.run(app, host=settings.api_host, port=settings.api_port, log_config=None)


def tcp_listener(config: Any) -> socket.socket:
    """The listening socket uvicorn binds for its worker processes, marked as TCP.

    `uvicorn.Config.bind_socket` leaves the socket's `proto` at 0; accepted connections inherit
    it, and asyncio turns Nagle's algorithm off (`TCP_NODELAY`) only on sockets that say
    `IPPROTO_TCP`. With Nagle on, a response written in two parts (headers, then body) waits
    for the client's delayed ACK: about 40 ms on Linux for every keep-alive request after the
    first (uvicorn issue #3149). A single worker is not affected (asyncio binds from
    `getaddrinfo`, which says TCP).
    """
    sock: socket.socket = config.bind_socket()
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto != socket.IPPROTO_TCP:
        sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
        sock.set_inheritable(True)
    return sock


def serve_workers(host: str, port: int, workers: int) -> None:
    """`uvicorn.run(..., workers=N)` with a listening socket that keeps `TCP_NODELAY` on the
    connections (see `tcp_listener`): each worker process builds its app (node.api.asgi)."""
    from uvicorn import Config
    from uvicorn.supervisors import Multiprocess

    # log_config=None: uvicorn keeps the process's logging (node.core.logs.setup_logging).
    config = Config(
        "node.api.asgi:create",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
    )
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: the supervisor stopped the workers
        Multiprocess(config, sockets=[tcp_listener(config)]).run()
