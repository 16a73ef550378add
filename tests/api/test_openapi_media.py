"""Every answer's media type is in the OpenAPI schema: each route of the app is documented (or
is the portal), each documented answer names its media type, errors are problem+json, and a
stored document comes back as a media type its operation declares."""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Mount, Route

from tests.api.conftest import Api, SchemaObjects

#: FastAPI's own pages (the schema itself and its viewers), not operations of the API.
FASTAPI_PAGES = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


def _schema(api: Api) -> dict[str, Any]:
    schema: dict[str, Any] = api.ok(api.http.get("/openapi.json"))
    return schema


def _base(media: str) -> str:
    return media.split(";")[0].strip().lower()


def test_every_route_is_documented_or_is_the_portal(api: Api) -> None:
    documented = {
        (method.upper(), path) for path, item in _schema(api)["paths"].items() for method in item
    }
    served: set[tuple[str, str]] = set()
    for context in iter_route_contexts(api.app.routes):
        route = context.original_route
        if isinstance(route, Mount):
            assert context.path == "/portal", context.path
        elif isinstance(route, APIRoute) and route.include_in_schema:
            served |= {(method, context.path) for method in context.methods or ()}
        elif isinstance(route, APIRoute):
            assert context.path == "/", f"{context.path} is hidden from the schema"
        else:
            assert isinstance(route, Route) and context.path in FASTAPI_PAGES, context.path
    assert served == documented


def test_every_documented_answer_names_its_media_type(api: Api) -> None:
    problems: list[str] = []
    for path, item in _schema(api)["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                content = response.get("content") or {}
                where = f"{method.upper()} {path} {status}"
                if status == "204":
                    if content:
                        problems.append(f"{where}: a 204 has no body")
                elif not content:
                    problems.append(f"{where}: no media type")
                elif int(status) >= 400 and list(content) != ["application/problem+json"]:
                    problems.append(f"{where}: errors are application/problem+json")
    assert not problems, "\n".join(problems)


def test_the_portal_answers_html(api: Api) -> None:
    page = api.http.get("/")
    assert page.status_code == 200 and _base(page.headers["content-type"]) == "text/html"


def test_a_stored_document_comes_back_as_a_declared_media_type(
    api: Api, schema_objects: SchemaObjects
) -> None:
    """The issue: a text file came back as text/plain while the schema said only
    application/octet-stream."""
    declared = set(
        _schema(api)["paths"]["/documents/{sha256}"]["get"]["responses"]["200"]["content"]
    )
    owner = schema_objects.owner
    sha256 = schema_objects.parameters["path.sha256"]
    served = api.get(owner, f"/documents/{sha256}")
    assert served.status_code == 200
    assert served.headers["content-type"] == "text/plain; charset=utf-8"
    assert "text/plain" in declared and "text/html" in declared

    def upload(content: bytes, media: str) -> str:
        r = api.http.post(
            "/documents", content=content, headers={**api.headers(owner), "Content-Type": media}
        )
        sha: str = api.ok(r, 201)["sha256"]
        return sha

    # A type outside the list is stored and served as application/octet-stream.
    odd = upload(b"MZ\x90\x00 not a real program", "application/x-msdownload")
    answer = api.get(owner, f"/documents/{odd}")
    assert answer.headers["content-type"] == "application/octet-stream"
    info = api.ok(api.get(owner, f"/documents/{odd}/info"))
    assert info["file"]["media_type"] == "application/octet-stream"
    # Stored HTML is served as HTML, declared, and sandboxed: no script of it runs as the portal.
    html = upload(b"<p>protocol</p><script>alert(1)</script>", "text/html; charset=utf-8")
    answer = api.get(owner, f"/documents/{html}")
    assert _base(answer.headers["content-type"]) in declared
    assert answer.headers["content-security-policy"] == "sandbox"
    assert answer.headers["x-content-type-options"] == "nosniff"
