"""Sign-In with Ethereum (EIP-4361) and the gateway's session tokens.

Flow: `POST /auth/nonce` stores a random nonce (single use, expiring); the wallet signs an
EIP-4361 message naming it (EIP-191 `personal_sign`); `POST /auth/verify` parses the message,
checks domain, chain id, times and the nonce (consumed atomically, so a replay fails), then the
signature: the recovered address must be the message's, or, for a contract wallet, the
address's ERC-1271 `isValidSignature(hash, signature)` must return its magic value. The answer
is a session token: `v1.<payload>.<HMAC-SHA256>` (base64url), payload `{sub, iat, exp, jti}`.
Roles are not in the token: they are read from the chain when used (see `roles.py`), so an
admission or a council change is seen without signing in again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from eth_abi import encode as abi_encode
from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_defunct
from web3 import Web3

from node.api.problems import Problem
from node.chain.client import Chain

ERC1271_MAGIC = bytes.fromhex("1626ba7e")
CLOCK_SKEW = 300

# The EIP-4361 grammar (ABNF), field by field. Everything is ASCII: a wallet's parser (the
# reference one is `siwe` on npm) refuses anything else and falls back to a plain signature
# request without its domain check, so the gateway neither writes nor accepts anything else.
_UNRESERVED = r"A-Za-z0-9\-._~"
_SUB_DELIMS = r"!$&'()*+,;="
_HEADER = re.compile(
    r"^(?:(?P<scheme>[A-Za-z][A-Za-z0-9+\-.]*)://)?"
    rf"(?P<domain>[{_UNRESERVED}{_SUB_DELIMS}%:@\[\]]+)"
    r" wants you to sign in with your Ethereum account:$"
)
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
#: statement = *( reserved / unreserved / " " ): one line, no control characters.
_STATEMENT = re.compile(rf"^[{_UNRESERVED}{_SUB_DELIMS}:/?#\[\]@ ]*$")
#: An RFC 3986 URI: a scheme, a colon, then URI characters (percent-encoded where needed).
_URI = re.compile(rf"^[A-Za-z][A-Za-z0-9+\-.]*:[{_UNRESERVED}{_SUB_DELIMS}:/?#\[\]@%]*$")
_NONCE = re.compile(r"^[A-Za-z0-9]{8,}$")
_CHAIN_ID = re.compile(r"^[0-9]+$")
#: RFC 3339 date-time.
_DATE_TIME = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?"
    r"(?:[Zz]|[+\-][0-9]{2}:[0-9]{2})$"
)
_REQUEST_ID = re.compile(rf"^[{_UNRESERVED}{_SUB_DELIMS}%:@]*$")
#: The fields after the statement, in the order the grammar fixes (the first five required).
_FIELDS = (
    ("URI", True),
    ("Version", True),
    ("Chain ID", True),
    ("Nonce", True),
    ("Issued At", True),
    ("Expiration Time", False),
    ("Not Before", False),
    ("Request ID", False),
)


@dataclass
class SiweMessage:
    domain: str
    address: str
    uri: str
    version: str
    chain_id: int
    nonce: str
    issued_at: str
    statement: str | None = None
    scheme: str | None = None
    expiration_time: str | None = None
    not_before: str | None = None
    request_id: str | None = None
    resources: list[str] = field(default_factory=list)

    def text(self) -> str:
        """The EIP-4361 text (what the wallet shows and signs)."""
        prefix = f"{self.scheme}://" if self.scheme else ""
        lines = [
            f"{prefix}{self.domain} wants you to sign in with your Ethereum account:",
            self.address,
            "",
        ]
        if self.statement:
            lines += [self.statement, ""]
        else:
            lines += [""]
        lines += [
            f"URI: {self.uri}",
            f"Version: {self.version}",
            f"Chain ID: {self.chain_id}",
            f"Nonce: {self.nonce}",
            f"Issued At: {self.issued_at}",
        ]
        if self.expiration_time:
            lines.append(f"Expiration Time: {self.expiration_time}")
        if self.not_before:
            lines.append(f"Not Before: {self.not_before}")
        if self.request_id is not None:
            lines.append(f"Request ID: {self.request_id}")
        if self.resources:
            lines.append("Resources:")
            lines += [f"- {r}" for r in self.resources]
        return "\n".join(lines)


def sign_in_failed(detail_ru: str, detail_en: str) -> Problem:
    """The 401 problem of a refused sign-in (title "Sign-in failed", the reason in detail)."""
    return Problem(401, f"{detail_ru} / {detail_en}", title="Вход не выполнен / Sign-in failed")


_bad = sign_in_failed


def parse_siwe(text: str) -> SiweMessage:
    """Parse an EIP-4361 message exactly as its grammar says; raise Problem(401) otherwise."""
    if not text.isascii():
        raise _bad(
            "Сообщение EIP-4361 может содержать только символы ASCII",
            "An EIP-4361 message may contain ASCII characters only",
        )
    lines = text.split("\n")
    if len(lines) < 9:
        raise _bad("Сообщение не в формате EIP-4361", "Not an EIP-4361 message")
    header = _HEADER.match(lines[0])
    if header is None:
        raise _bad("Неверная первая строка сообщения", "Bad first line of the message")
    address = lines[1]
    if not _ADDRESS.match(address) or Web3.to_checksum_address(address) != address:
        raise _bad(
            "Адрес в сообщении должен быть в форме EIP-55", "The address must be EIP-55 checksummed"
        )
    if lines[2] != "":
        raise _bad("После адреса нужна пустая строка", "An empty line must follow the address")
    statement: str | None = None
    at = 3
    if not lines[3].startswith("URI: "):  # [ statement LF ] LF
        if lines[3] and lines[4] != "":
            raise _bad(
                "Заявление (statement) должно быть одной строкой, за ней пустая строка",
                "The statement must be one line followed by an empty line",
            )
        if not _STATEMENT.match(lines[3]):
            raise _bad(
                "Недопустимые символы в заявлении (statement)",
                "The statement has characters EIP-4361 does not allow",
            )
        statement = lines[3] or None
        at = 5 if lines[3] else 4
    fields: dict[str, str] = {}
    for key, required in _FIELDS:
        line = lines[at] if at < len(lines) else None
        if line is not None and line.startswith(f"{key}: "):
            fields[key] = line[len(key) + 2 :]
            at += 1
        elif required:
            raise _bad("Нет обязательного поля", f"Missing field {key} (or fields out of order)")
    resources: list[str] = []
    if at < len(lines) and lines[at] == "Resources:":
        at += 1
        while at < len(lines) and lines[at].startswith("- "):
            resources.append(lines[at][2:])
            at += 1
    if at != len(lines):
        raise _bad("Лишняя строка в сообщении", f"Unexpected line {lines[at][:40]!r}")
    for key, value in (("URI", fields["URI"]), *(("Resources", r) for r in resources)):
        if not _URI.match(value):
            raise _bad("Неверный URI", f"{key} is not a URI: {value[:60]!r}")
    if not _CHAIN_ID.match(fields["Chain ID"]):
        raise _bad("Неверный Chain ID", "Bad Chain ID")
    if not _NONCE.match(fields["Nonce"]):
        raise _bad(
            "Nonce: не менее 8 латинских букв и цифр", "Nonce: at least 8 letters and digits"
        )
    for key in ("Issued At", "Expiration Time", "Not Before"):
        if key in fields and not _DATE_TIME.match(fields[key]):
            raise _bad("Неверная дата в сообщении", f"{key} is not an RFC 3339 date-time")
    if "Request ID" in fields and not _REQUEST_ID.match(fields["Request ID"]):
        raise _bad("Неверный Request ID", "Bad Request ID")
    return SiweMessage(
        domain=header.group("domain"),
        scheme=header.group("scheme"),
        address=address,
        statement=statement,
        uri=fields["URI"],
        version=fields["Version"],
        chain_id=int(fields["Chain ID"]),
        nonce=fields["Nonce"],
        issued_at=fields["Issued At"],
        expiration_time=fields.get("Expiration Time"),
        not_before=fields.get("Not Before"),
        request_id=fields.get("Request ID"),
        resources=resources,
    )


def parse_time(value: str) -> float:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise _bad("Неверная дата в сообщении", f"Bad timestamp {value!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def check_message_times(msg: SiweMessage, now: float) -> None:
    if parse_time(msg.issued_at) > now + CLOCK_SKEW:
        raise _bad("Сообщение выписано в будущем", "The message is issued in the future")
    if msg.expiration_time and parse_time(msg.expiration_time) <= now:
        raise _bad("Срок действия сообщения истёк", "The message has expired")
    if msg.not_before and parse_time(msg.not_before) > now:
        raise _bad("Сообщение ещё не действует", "The message is not valid yet")


def verify_signature(chain: Chain, message: str, address: str, signature: bytes) -> None:
    """EOA (ecrecover) or, for a contract wallet, ERC-1271; raise Problem(401) otherwise."""
    signable = encode_defunct(text=message)
    try:
        recovered = Account.recover_message(signable, signature=signature)
    except Exception:  # malformed signature bytes: may still be a contract wallet's format
        recovered = None
    if recovered is not None and recovered == address:
        return
    if chain.has_code(address):
        digest = bytes(_hash_eip191_message(signable))
        data = ERC1271_MAGIC + abi_encode(["bytes32", "bytes"], [digest, signature])
        try:
            result = bytes(
                chain.w3.eth.call({"to": Web3.to_checksum_address(address), "data": data})
            )
        except Exception:
            result = b""
        if result[:4] == ERC1271_MAGIC:
            return
    raise _bad(
        "Подпись сделана не ключом этого адреса",
        "The signature was not made by this address (nor accepted by its ERC-1271 wallet)",
    )


# -- session tokens ------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Session:
    address: str
    issued_at: int
    expires_at: int
    id: str


class SessionSigner:
    def __init__(self, secret: bytes, ttl: int) -> None:
        self.secret = secret
        self.ttl = ttl

    def issue(self, address: str, now: float | None = None) -> tuple[str, Session]:
        iat = int(now if now is not None else time.time())
        session = Session(address, iat, iat + self.ttl, secrets.token_hex(8))
        payload = json.dumps(
            {"sub": address, "iat": iat, "exp": session.expires_at, "jti": session.id},
            separators=(",", ":"),
        ).encode()
        body = "v1." + _b64(payload)
        mac = hmac.new(self.secret, body.encode(), hashlib.sha256).digest()
        return body + "." + _b64(mac), session

    def check(self, token: str, now: float | None = None) -> Session:
        expired = Problem(
            401,
            "Сессия недействительна или истекла, войдите снова / "
            "The session is invalid or has expired: sign in again",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != "v1":
            raise expired
        body = parts[0] + "." + parts[1]
        mac = hmac.new(self.secret, body.encode(), hashlib.sha256).digest()
        try:
            given = _unb64(parts[2])
            payload = json.loads(_unb64(parts[1]))
        except (ValueError, TypeError) as exc:
            raise expired from exc
        if not hmac.compare_digest(mac, given):
            raise expired
        if not isinstance(payload, dict) or int(payload.get("exp", 0)) <= (
            now if now is not None else time.time()
        ):
            raise expired
        return Session(
            str(payload["sub"]), int(payload["iat"]), int(payload["exp"]), payload["jti"]
        )


def load_session_secret(configured: str | None, key_file: Path) -> bytes:
    if configured:
        return configured.encode()
    if key_file.exists():
        return bytes.fromhex(key_file.read_text().strip())
    import os

    key_file.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_bytes(32)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return bytes.fromhex(key_file.read_text().strip())
    with os.fdopen(fd, "w") as fh:
        fh.write(secret.hex())
    return secret
