"""The member and auditor portal: hand-written ES modules, HTML and CSS served by the gateway.

`install(app)` serves `static/index.html` at `/` and the rest of `static/` under `/portal/`.
The page talks only to the gateway (same origin) and to the member's EIP-1193 wallet; routes
are hash routes (`/#/units`), so nothing collides with the API's paths.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent / "static"

#: The page may load scripts, styles and images from the gateway only, and connect to it only.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def install(app: FastAPI) -> None:
    async def index() -> FileResponse:
        return FileResponse(
            STATIC / "index.html",
            headers={"Content-Security-Policy": CSP, "Cache-Control": "no-cache"},
        )

    app.add_api_route("/", index, methods=["GET"], include_in_schema=False)
    app.mount("/portal", StaticFiles(directory=STATIC), name="portal")
