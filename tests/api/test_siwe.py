"""Sign-In with Ethereum as third-party clients see it: the gateway's message is exactly EIP-4361
(the reference `siwe` library on npm parses, verifies and signs in with it), and the gateway's
own parser refuses whatever is not (each refusal a problem+json 401 saying why)."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount

from node.api.auth import SiweMessage, iso
from node.api.routes.auth import STATEMENT
from tests.api.conftest import SIWE_DOMAIN, Api

CLIENT = Path(__file__).with_name("siwe_client.mjs")
PROBLEM = "application/problem+json"


def test_statement_is_ascii() -> None:
    assert STATEMENT.isascii() and "\n" not in STATEMENT


def test_reference_siwe_library_parses_verifies_and_signs_in(api: Api) -> None:
    """A dapp on `siwe` 3 + ethers 6 (what wallets build on): `new SiweMessage(message)` parses
    the gateway's message (the Cyrillic statement failed here: "max line number was 6"),
    `verify` checks signature, domain and nonce, and the session opens an authenticated route."""
    node = shutil.which("node")
    assert node is not None, "Node.js is needed for the reference client"
    member = api.sandbox.members[0]
    result = subprocess.run(
        [node, str(CLIENT), api.base_url, SIWE_DOMAIN, "0x" + bytes(member.key).hex()],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=CLIENT.parents[2],
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    parsed = seen["parsed"]
    assert parsed["domain"] == SIWE_DOMAIN
    assert parsed["address"] == member.address
    assert parsed["statement"] == STATEMENT
    assert parsed["uri"] == f"http://{SIWE_DOMAIN}"
    assert parsed["version"] == "1"
    assert parsed["chainId"] == api.gateway.chain_id
    assert parsed["expirationTime"] > parsed["issuedAt"]
    assert seen["roundTrip"] is True, "the library re-serialised the message differently"
    assert seen["verified"] is True
    assert seen["session"]["address"] == member.address
    assert seen["me"]["address"] == member.address and "member" in seen["me"]["roles"]


# -- what the gateway's parser refuses ------------------------------------------------------------


def _message(api: Api, account: LocalAccount, **changes: object) -> str:
    """A message for a fresh nonce of the gateway, with `changes` to its fields."""
    r = api.http.post("/auth/nonce", json={"address": account.address})
    assert r.status_code == 200, r.text
    nonce = r.json()
    now = time.time()
    fields: dict[str, object] = {
        "domain": SIWE_DOMAIN,
        "address": account.address,
        "statement": STATEMENT,
        "uri": nonce["uri"],
        "version": "1",
        "chain_id": api.gateway.chain_id,
        "nonce": nonce["nonce"],
        "issued_at": iso(now),
        "expiration_time": iso(now + 300),
    }
    fields.update(changes)
    return SiweMessage(**fields).text()  # type: ignore[arg-type]


def _refused(api: Api, account: LocalAccount, message: str, reason: str) -> None:
    signature = account.sign_message(encode_defunct(text=message)).signature.to_0x_hex()
    r = api.http.post("/auth/verify", json={"message": message, "signature": signature})
    assert r.status_code == 401, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["status"] == 401 and body["title"].startswith("Вход не выполнен")
    assert reason in body["detail"], body["detail"]


def test_the_unchanged_message_is_accepted(api: Api) -> None:
    """The control for the refusals below: the same construction, unchanged, signs in."""
    account = Account.create()
    message = _message(api, account)
    signature = account.sign_message(encode_defunct(text=message)).signature.to_0x_hex()
    r = api.http.post("/auth/verify", json={"message": message, "signature": signature})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"statement": "Вход в шлюз кооператива"}, "ASCII characters only"),
        ({"domain": "evil.test"}, "another domain (evil.test)"),
        ({"chain_id": 1}, "another chain (1)"),
        ({"version": "2"}, "version must be 1"),
        ({"expiration_time": iso(time.time() - 60)}, "expired"),
        ({"not_before": iso(time.time() + 3600)}, "not valid yet"),
        ({"issued_at": iso(time.time() + 3600)}, "issued in the future"),
        ({"statement": "line one\nline two"}, "one line followed by an empty line"),
        ({"statement": "tab\there"}, "characters EIP-4361 does not allow"),
        ({"issued_at": "2026-12-05 05:00:00"}, "Issued At is not an RFC 3339 date-time"),
        ({"uri": "not a uri"}, "URI is not a URI"),
        ({"resources": ["ipfs://ok", "no scheme"]}, "Resources is not a URI"),
        ({"nonce": "abc"}, "at least 8 letters and digits"),
        ({"chain_id": "0x1"}, "Bad Chain ID"),
    ],
)
def test_malformed_messages_are_refused(api: Api, changes: dict[str, object], reason: str) -> None:
    _refused(api, Account.create(), _message(api, Account.create(), **changes), reason)


def test_lowercase_address_and_broken_layout_are_refused(api: Api) -> None:
    account = Account.create()
    good = _message(api, account)
    cases = {
        # the address must be EIP-55 checksummed
        good.replace(account.address, account.address.lower()): "EIP-55",
        # fields in another order than the grammar's
        good.replace("Version: 1\nChain ID:", "Chain ID:", 1).replace(
            "\nNonce:", "\nVersion: 1\nNonce:", 1
        ): "out of order",
        # a line the grammar has no place for, and a trailing newline
        good + "\nComment: hi": "Unexpected line",
        good + "\n": "Unexpected line",
        # no empty line after the address
        good.replace(account.address + "\n\n", account.address + "\n", 1): "empty line",
        # a first line that is not the EIP-4361 one
        good.replace("wants you to sign in", "asks you to sign in", 1): "first line",
    }
    for message, reason in cases.items():
        _refused(api, account, message, reason)


def test_signature_over_another_text_is_refused(api: Api) -> None:
    """The wallet signs exactly the text given: a message re-serialised differently (here the
    statement dropped after signing) no longer matches its signature."""
    account = Account.create()
    message = _message(api, account)
    signature = account.sign_message(encode_defunct(text=message)).signature.to_0x_hex()
    altered = message.replace(STATEMENT + "\n\n", "\n", 1)
    r = api.http.post("/auth/verify", json={"message": altered, "signature": signature})
    assert r.status_code == 401 and "not made by this address" in r.json()["detail"]
