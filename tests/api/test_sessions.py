"""Sessions: logout revokes the token it is called with; "log out everywhere" revokes every
session of the address issued until then; a revoked token gets 401 problem+json; a new sign-in
works at once."""

from __future__ import annotations

import httpx

from tests.api.conftest import Api


def _me(api: Api, token: str) -> httpx.Response:
    return api.http.get("/auth/me", headers={"Authorization": f"Bearer {token}"})


def _assert_revoked(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "invalid_token" in response.headers["www-authenticate"]
    assert response.json()["status"] == 401


def test_logout_revokes_only_this_session(api: Api) -> None:
    member = api.sandbox.members[0]
    first, second = api.sign_in(member), api.sign_in(member)
    assert _me(api, first).status_code == 200
    r = api.http.post("/auth/logout", headers={"Authorization": f"Bearer {first}"})
    assert r.status_code == 200, r.text
    assert r.json() == {"address": member.address, "revoked": "session", "not_before": None}
    _assert_revoked(_me(api, first))
    _assert_revoked(
        api.http.get(f"/members/{member.address}", headers={"Authorization": f"Bearer {first}"})
    )
    # Logging out twice is refused like any revoked token.
    _assert_revoked(api.http.post("/auth/logout", headers={"Authorization": f"Bearer {first}"}))
    # The member's other session is untouched.
    assert _me(api, second).status_code == 200
    # The revocation is in the table, so other gateway processes see it too.
    gw = api.gateway
    fresh = type(gw.revocations)(gw.engine, gw.settings.session_ttl)
    fresh.load()
    assert fresh.is_revoked(gw.sessions.check(first))
    assert not fresh.is_revoked(gw.sessions.check(second))


def test_logout_everywhere(api: Api) -> None:
    member, other = api.sandbox.members[1], api.sandbox.members[2]
    tokens = [api.sign_in(member) for _ in range(3)]
    bystander = api.sign_in(other)
    r = api.http.post("/auth/logout/all", headers={"Authorization": f"Bearer {tokens[0]}"})
    assert r.status_code == 200, r.text
    assert r.json()["revoked"] == "all"
    for token in tokens:
        _assert_revoked(_me(api, token))
    assert _me(api, bystander).status_code == 200
    # Signing in again right away gives a valid session (issued after the cut-off).
    again = api.sign_in(member)
    me = _me(api, again)
    assert me.status_code == 200, me.text
    assert me.json()["address"] == member.address
    api.tokens.pop(member.address, None)  # the suite's cached token was revoked too


def test_logout_needs_a_session(api: Api) -> None:
    r = api.http.post("/auth/logout")
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    r = api.http.post("/auth/logout/all", headers={"Authorization": "Bearer v1.bogus.token"})
    assert r.status_code == 401
