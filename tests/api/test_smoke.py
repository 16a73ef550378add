"""The gateway answers: health, OpenAPI, cooperative, sign-in."""

from __future__ import annotations

from eth_account import Account

from tests.api.conftest import Api


def test_health_and_openapi(api: Api) -> None:
    assert api.http.get("/health").json()["status"] == "ok"
    spec = api.http.get("/openapi.json").json()
    assert "/members" in spec["paths"]
    assert api.http.get("/docs").status_code == 200


def test_sign_in_and_roles(api: Api) -> None:
    chair = api.sandbox.chair
    me = api.ok(api.get(chair, "/auth/me"))
    assert me["address"] == chair.address
    assert {"chair", "council"} <= set(me["roles"])
    stranger = Account.create()
    assert api.ok(api.get(stranger, "/auth/me"))["roles"] == []
    assert api.ok(api.get(api.auditor, "/auth/me"))["roles"] == ["auditor"]
