"""`coop serve` with several workers: the listening socket it hands uvicorn's worker processes
says TCP, so every accepted connection has Nagle's algorithm off (`TCP_NODELAY`). Without it a
keep-alive response (headers, then body) waited for the client's delayed ACK: about 40 ms a
request on Linux (benchmarks/workers_results.md, uvicorn issue #3149)."""

from __future__ import annotations

import asyncio
import socket

from uvicorn import Config

from node.api.cli import tcp_listener


def test_worker_listener_gives_connections_tcp_nodelay() -> None:
    config = Config("node.api.asgi:create", factory=True, host="127.0.0.1", port=0, workers=2)
    sock = tcp_listener(config)
    assert sock.proto == socket.IPPROTO_TCP
    assert sock.get_inheritable()

    async def accepted_nodelay() -> int:
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                accepted = transport.get_extra_info("socket")
                seen.set_result(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        # What each worker does with the socket (uvicorn's Server.startup with `sockets`).
        server = await asyncio.get_running_loop().create_server(Probe, sock=sock)
        host, port = sock.getsockname()[:2]
        _reader, writer = await asyncio.open_connection(host, port)
        try:
            return await asyncio.wait_for(seen, 10)
        finally:
            writer.close()
            server.close()
            await server.wait_closed()

    assert asyncio.run(accepted_nodelay()) == 1
