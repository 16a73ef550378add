"""Passkeys through the gateway: a person with only a passkey registers, signs in, joins
without ETH, votes, accepts an invoice, signs a document, transfers ВРЕ, adds a second passkey;
and every ceremony the gateway must refuse is refused (replayed challenge, wrong origin, no
user verification, a passkey of another account, a removed passkey, a stranger's target)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from webauthn.helpers import base64url_to_bytes

from node.api.relay import deployed_accounts, ensure_account_deployed
from tests.accounts.admission import admit_and_convene
from tests.accounts.authenticator import UP, SoftPasskey
from tests.api.conftest import SIWE_DOMAIN, Api

TOKEN = 10**18
ORIGIN = f"http://{SIWE_DOMAIN}"


def new_passkey() -> SoftPasskey:
    return SoftPasskey(rp_id=SIWE_DOMAIN, origin=ORIGIN)


@dataclass
class Person:
    """What the portal does for a person with passkeys and no wallet."""

    api: Api
    passkeys: list[SoftPasskey] = field(default_factory=list)
    token: str = ""
    address: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return self.api.http.post(path, json=body or {}, headers=self.headers)

    def register(self) -> dict[str, Any]:
        passkey = new_passkey()
        options = self.api.ok(
            self.api.http.post("/passkeys/registration/options", json={"name": "Мария"})
        )
        assert options["authenticatorSelection"]["userVerification"] == "required"
        challenge = base64url_to_bytes(options["challenge"])
        body = {"credential": passkey.create(challenge), "label": "телефон"}
        answer = self.api.ok(self.api.http.post("/passkeys/registration", json=body))
        self.passkeys.append(passkey)
        self.token, self.address = answer["session"]["token"], answer["account"]
        return answer

    def sign_typed(self, typed: dict[str, Any], passkey: SoftPasskey | None = None) -> str:
        passkey = passkey or self.passkeys[0]
        options = self.api.ok(self.post("/passkeys/signature/options", {"typed_data": typed}))
        challenge = base64url_to_bytes(options["options"]["challenge"])
        body = {"typed_data": typed, "credential": passkey.get(challenge)}
        signature: str = self.api.ok(self.post("/passkeys/signature", body))["signature"]
        return signature

    def wait(self, relay_id: str) -> dict[str, Any]:
        deadline = time.monotonic() + 30
        while True:
            body: dict[str, Any] = self.api.ok(
                self.api.http.get(f"/relay/{relay_id}", headers=self.headers)
            )
            if body["status"] in ("indexed", "failed"):
                return body
            assert time.monotonic() < deadline, body
            time.sleep(0.05)

    def execute(self, to: str, data: str, passkey: SoftPasskey | None = None) -> dict[str, Any]:
        typed = self.api.ok(self.post("/passkeys/execute/typed-data", {"to": to, "data": data}))[
            "typed_data"
        ]
        signature = self.sign_typed(typed, passkey)
        m = typed["message"]
        body = {
            "to": to,
            "data": data,
            "nonce": str(m["nonce"]),
            "deadline": str(m["deadline"]),
            "signature": signature,
        }
        return self.wait(self.api.ok(self.post("/passkeys/execute", body), 202)["id"])


def test_a_person_with_only_a_passkey_joins_votes_trades_and_signs(api: Api) -> None:
    sb, w3 = api.sandbox, api.chain.w3
    person = Person(api)
    registered = person.register()
    address = person.address
    assert registered["deployed"] is False
    assert (
        api.gateway.passkeys().address_of(  # type: ignore[union-attr]
            bytes.fromhex(registered["passkey"]["qx"][2:]),
            bytes.fromhex(registered["passkey"]["qy"][2:]),
        )
        == address
    )
    me = api.ok(api.http.get("/auth/me", headers=person.headers))
    assert me["address"] == address and me["roles"] == []

    # Applies without ETH: the relayer deploys the account with this first act.
    identity = {
        "name": "Иванова Мария Петровна",
        "birth_date": "1990-04-12",
        "document_number": "4510 123456",
        "address": "Москва, ул. Садовая, 1",
    }
    api.ok(api.http.put(f"/members/{address}/identity", json=identity, headers=person.headers))
    draft = api.ok(person.post("/applications/draft", {"kind": "individual"}))
    m = draft["typed_data"]["message"]
    relay = api.ok(
        person.post(
            "/applications",
            {
                "applicant": address,
                "kind": "individual",
                "identity_hash": m["identityHash"],
                "application_hash": m["applicationHash"],
                "nonce": m["nonce"],
                "deadline": m["deadline"],
                "signature": person.sign_typed(draft["typed_data"]),
            },
        ),
        202,
    )
    assert person.wait(relay["id"])["status"] == "indexed"
    assert w3.eth.get_code(address) != b""
    assert w3.eth.get_balance(address) == 0
    # Known deployed from now on: its later acts ask neither the store nor the chain again.
    assert address.lower() in deployed_accounts(api.gateway)
    chain = api.gateway.chain
    asked: list[str] = []
    real_has_code = chain.has_code
    chain.has_code = lambda a: asked.append(a) or real_has_code(a)  # type: ignore[method-assign]
    try:
        ensure_account_deployed(api.gateway, address)
    finally:
        del chain.has_code
    assert address not in asked
    assert (
        api.ok(api.http.get(f"/members/{address}", headers=person.headers))["status_name"]
        == "applicant"
    )

    # Identity checked, fees paid by the cashier, admitted with a credit limit by the council.
    admit_and_convene(api, address, b"\x11\x22\x33\x44\x55")
    units = api.gateway.units.contract
    assert "member" in api.ok(api.http.get("/auth/me", headers=person.headers))["roles"]

    # Votes.
    meeting_id = api.ok(api.http.get("/meetings", headers=person.headers))["data"][-1]["meeting_id"]
    payload = api.ok(person.post(f"/meetings/{meeting_id}/ballots/typed-data", {"choices": [1]}))
    ballot = api.ok(
        person.post(
            f"/meetings/{meeting_id}/ballots",
            {
                "voter": address,
                "choices": [1],
                "signature": person.sign_typed(payload["typed_data"]),
            },
        ),
        202,
    )
    assert person.wait(ballot["id"])["status"] == "indexed"
    assert sb.governance.meeting.contract.functions.hasVoted(meeting_id, address).call()

    # Accepts an invoice.
    other = sb.members[0]
    api.act(other, "/units/invoices/tx", {"debtor": address, "amount": str(10 * TOKEN)})
    invoices = api.ok(
        api.http.get(
            "/units/obligations",
            params={"debtor": address, "status": "issued"},
            headers=person.headers,
        )
    )["data"]
    oid = invoices[0]["obligation_id"]
    typed = api.ok(person.post(f"/units/invoices/{oid}/acceptance/typed-data"))["typed_data"]
    accepted = api.ok(
        person.post(
            f"/units/invoices/{oid}/acceptance",
            {"deadline": typed["message"]["deadline"], "signature": person.sign_typed(typed)},
        ),
        202,
    )
    assert person.wait(accepted["id"])["status"] == "indexed"

    # Transfers ВРЕ (the account's own call, relayed).
    data = units.encode_abi("transfer", args=[other.address, 5 * TOKEN])
    assert person.execute(units.address, data)["status"] == "indexed"
    assert units.functions.signedBalanceOf(address).call() == -5 * TOKEN
    assert w3.eth.get_balance(address) == 0

    # Signs a document.
    digest = api.ok(
        api.http.post(
            "/documents",
            content=b"contract for a passkey member",
            headers={**api.headers(other), "Content-Type": "text/plain"},
        ),
        201,
    )["sha256"]
    api.act(other, f"/documents/{digest}/anchor/tx", {"document_type": "contract"})
    typed = api.ok(person.post(f"/documents/{digest}/signatures/typed-data"))["typed_data"]
    signed = api.ok(
        person.post(
            f"/documents/{digest}/signatures",
            {"signer": address, "signature": person.sign_typed(typed)},
        ),
        202,
    )
    assert person.wait(signed["id"])["status"] == "indexed"
    assert api.ok(api.http.post("/documents/verify", content=b"contract for a passkey member"))[
        "chain"
    ]["signers"] == [address]

    # A second passkey: registered, then added on chain by the first; it signs in.
    laptop = new_passkey()
    options = api.ok(person.post("/passkeys/mine/registration/options"))
    assert [c["id"] for c in options["excludeCredentials"]] == [
        registered["passkey"]["credential_id"]
    ]
    added = api.ok(
        person.post(
            "/passkeys/mine/registration",
            {
                "credential": laptop.create(base64url_to_bytes(options["challenge"])),
                "label": "ноутбук",
            },
        )
    )
    assert added["passkey"]["active"] is False  # not before the account adds it
    assert person.execute(added["call"]["to"], added["call"]["data"])["status"] == "indexed"
    mine = api.ok(api.http.get("/passkeys/mine", headers=person.headers))
    assert [p["active"] for p in mine] == [True, True]
    sign_in = api.ok(api.http.post("/passkeys/sign-in/options"))
    session = api.ok(
        api.http.post(
            "/passkeys/sign-in",
            json={"credential": laptop.get(base64url_to_bytes(sign_in["challenge"]))},
        )
    )
    assert session["address"] == address and "member" in session["roles"]


def test_refused_ceremonies(api: Api) -> None:
    person = Person(api)
    person.register()
    phone = person.passkeys[0]
    # A sign-in challenge is good once.
    options = api.ok(api.http.post("/passkeys/sign-in/options"))
    answer = phone.get(base64url_to_bytes(options["challenge"]))
    api.ok(api.http.post("/passkeys/sign-in", json={"credential": answer}))
    replay = api.http.post("/passkeys/sign-in", json={"credential": answer})
    assert replay.status_code == 401, replay.text
    # A challenge the gateway never issued.
    forged = api.http.post("/passkeys/sign-in", json={"credential": phone.get(b"\x07" * 32)})
    assert forged.status_code == 401
    # Another origin (a phishing site), no user verification, no user presence: refused.
    for kwargs in ({"origin": "http://evil.test"}, {"flags": UP}, {"flags": 0x04}):
        options = api.ok(api.http.post("/passkeys/sign-in/options"))
        r = api.http.post(
            "/passkeys/sign-in",
            json={"credential": phone.get(base64url_to_bytes(options["challenge"]), **kwargs)},
        )
        assert r.status_code == 422, (kwargs, r.text)
    # A registration for another relying party.
    options = api.ok(api.http.post("/passkeys/registration/options"))
    stranger = SoftPasskey(rp_id="evil.test", origin=ORIGIN)
    r = api.http.post(
        "/passkeys/registration",
        json={"credential": stranger.create(base64url_to_bytes(options["challenge"]))},
    )
    assert r.status_code == 422, r.text
    # The same credential registered twice.
    options = api.ok(api.http.post("/passkeys/registration/options"))
    r = api.http.post(
        "/passkeys/registration",
        json={"credential": phone.create(base64url_to_bytes(options["challenge"]))},
    )
    assert r.status_code == 422 and "already" in r.text
    # Malformed input: refused by validation, nothing stored.
    r = api.http.post(
        "/passkeys/sign-in",
        json={"credential": {"id": "!!", "rawId": "x", "type": "public-key", "response": {}}},
    )
    assert r.status_code == 422
    # Someone else's passkey signing for this account.
    other = Person(api)
    other.register()
    typed = {
        "types": {
            "EIP712Domain": [{"name": "name", "type": "string"}],
            "M": [{"name": "x", "type": "uint256"}],
        },
        "primaryType": "M",
        "domain": {"name": "t"},
        "message": {"x": 1},
    }
    options = api.ok(person.post("/passkeys/signature/options", {"typed_data": typed}))
    r = person.post(
        "/passkeys/signature",
        {
            "typed_data": typed,
            "credential": other.passkeys[0].get(
                base64url_to_bytes(options["options"]["challenge"])
            ),
        },
    )
    assert r.status_code == 422 and "another account" in r.text
    # An assertion over another payload's challenge.
    r = person.post(
        "/passkeys/signature", {"typed_data": typed, "credential": phone.get(b"\x01" * 32)}
    )
    assert r.status_code == 422
    # A call to a contract outside the cooperative.
    r = person.post("/passkeys/execute/typed-data", {"to": "0x" + "12" * 20, "data": "0x"})
    assert r.status_code == 403
    # A wallet (EOA) session is not a passkey account.
    member = api.sandbox.members[1]
    r = api.post(member, "/passkeys/signature/options", json={"typed_data": typed})
    assert r.status_code == 403


def test_a_lost_passkey_is_removed_never_the_last(api: Api) -> None:
    """A passkey is removed by the account itself (signed by another of its passkeys), then
    forgotten; the last one is refused before anything is signed, as the account refuses it;
    nobody reaches another account's passkeys."""
    person, stranger = Person(api), Person(api)
    phone = person.register()["passkey"]
    stranger.register()
    path = f"/passkeys/mine/{phone['credential_id']}"
    # The only passkey (the account not even deployed yet): refused, 409.
    only = person.post(path + "/removal")
    assert only.status_code == 409 and "последний" in only.json()["detail"], only.text

    laptop = new_passkey()
    options = api.ok(person.post("/passkeys/mine/registration/options"))
    added = api.ok(
        person.post(
            "/passkeys/mine/registration",
            {"credential": laptop.create(base64url_to_bytes(options["challenge"]))},
        )
    )
    laptop_id = added["passkey"]["credential_id"]
    assert person.execute(added["call"]["to"], added["call"]["data"])["status"] == "indexed"

    # Another account's passkey is unknown to the stranger, and it changes nothing.
    assert stranger.post(path + "/removal").status_code == 404
    assert api.http.delete(path, headers=stranger.headers).status_code == 404
    assert api.http.post(path + "/removal").status_code == 401
    # A passkey that still signs is not forgotten.
    assert api.http.delete(path, headers=person.headers).status_code == 409

    removal = api.ok(person.post(path + "/removal"))
    assert removal["remaining"] == 1 and removal["call"]["to"] == person.address
    account = api.gateway.passkeys().account(person.address)  # type: ignore[union-attr]
    fn, args = account.decode_function_input(removal["call"]["data"])
    assert fn.fn_name == "removePasskey"
    assert "0x" + args["qx"].hex() == phone["qx"]
    # Signed by the laptop (the phone is the lost one).
    done = person.execute(removal["call"]["to"], removal["call"]["data"], laptop)
    assert done["status"] == "indexed", done
    mine = api.ok(api.http.get("/passkeys/mine", headers=person.headers))
    assert {p["credential_id"]: p["active"] for p in mine} == {
        phone["credential_id"]: False,
        laptop_id: True,
    }
    # Now the laptop is the last: refused; the removed phone is forgotten.
    last = person.post(f"/passkeys/mine/{laptop_id}/removal")
    assert last.status_code == 409, last.text
    assert person.post(path + "/removal").status_code == 409  # no longer controls: forget it
    assert api.http.delete(path, headers=person.headers).status_code == 204
    mine = api.ok(api.http.get("/passkeys/mine", headers=person.headers))
    assert [p["credential_id"] for p in mine] == [laptop_id]
    assert api.http.delete(path, headers=person.headers).status_code == 404
