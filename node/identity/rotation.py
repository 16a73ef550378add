"""Rotating the personal-data key: add a new key, re-seal every record under it, retire the old.

The state of a rotation is the key ring itself, so an interrupted rotation resumes by running
the command again:

1. **check**: every identity record and every sealed personal document opens with the ring
   now in force; otherwise nothing changes (a record no key opens would be lost for good).
2. **add**: the new key goes first in the key file (`<data>/gateway/pii.key`, one key per line,
   written atomically); the old keys stay, so everything still opens. A running gateway
   re-reads the file and encrypts new records with the new key from then on.
3. **re-seal**: each identity record (one committed row at a time) and each sealed document
   (an atomic file replace) not yet under the new key is decrypted and encrypted again. The
   plaintext, its salt and so the hash on chain do not change.
4. **retire**: when a last pass finds nothing left under an old key, the key file keeps only the
   new key.

A key file with more than one key is a rotation in progress: running the command again skips
step 2 and goes on with the key already first. With keys from `COOP_PII_KEYS` the command
cannot edit the environment: put the new key first there, run it to re-seal, then drop the old
keys from the variable (the command says so).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from node.documents.store import is_sha256_hex
from node.identity.crypto import (
    DecryptionError,
    KeyRing,
    Sealed,
    key_id,
    read_key_file,
    reseal,
    write_key_file,
)
from node.identity.models import IdentityRecord


class RotationError(RuntimeError):
    """The rotation cannot start or go on; nothing was changed by the failing step."""


@dataclass
class RotationReport:
    new_key_id: str
    resumed: bool
    identities_resealed: int = 0
    documents_resealed: int = 0
    retired_key_ids: list[str] = field(default_factory=list)
    finished: bool = False
    """False when stopped early (`limit`): run again to go on."""


def _sealed_files(documents_dir: Path) -> Iterator[tuple[str, Path]]:
    if not documents_dir.exists():
        return
    for path in sorted(documents_dir.glob("*.sealed")):
        digest = path.name.removesuffix(".sealed")
        if is_sha256_hex(digest):
            yield digest, path


def _read_sealed_file(path: Path) -> Sealed:
    blob = path.read_bytes()
    kid, rest = blob.split(b":", 1)
    return Sealed(kid.decode(), rest[:12], rest[12:])


def _write_sealed_file(path: Path, sealed: Sealed) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(sealed.key_id.encode() + b":" + sealed.nonce + sealed.ciphertext)
    tmp.replace(path)


def check_all_open(ring: KeyRing, engine: Engine, documents_dir: Path) -> tuple[int, int]:
    """(identity records, sealed documents) that open; raise RotationError naming the first
    that does not."""
    identities = documents = 0
    with Session(engine) as session:
        rows = session.exec(
            select(IdentityRecord).where(col(IdentityRecord.ciphertext).is_not(None))
        ).all()
        for row in rows:
            try:
                ring.open(
                    Sealed(row.key_id or "", row.nonce or b"", row.ciphertext or b""),
                    row.address.lower().encode(),
                )
            except DecryptionError as exc:
                raise RotationError(
                    f"no key of the ring opens the identity record of {row.address} "
                    f"(key {row.key_id}): add the key that sealed it before rotating"
                ) from exc
            identities += 1
    for digest, path in _sealed_files(documents_dir):
        try:
            ring.open(_read_sealed_file(path), bytes.fromhex(digest))
        except (DecryptionError, ValueError) as exc:
            raise RotationError(
                f"no key of the ring opens the sealed document {digest}: add the key that "
                "sealed it before rotating"
            ) from exc
        documents += 1
    return identities, documents


def _reseal_pass(
    ring: KeyRing,
    engine: Engine,
    documents_dir: Path,
    report: RotationReport,
    budget: Callable[[], bool],
) -> int:
    """Re-seal what is not under the ring's current key; returns how many were left over
    (0 when everything is under it)."""
    current = ring.current_id
    left = 0
    with Session(engine) as session:
        addresses = session.exec(
            select(IdentityRecord.address).where(
                col(IdentityRecord.ciphertext).is_not(None),
                col(IdentityRecord.key_id) != current,
            )
        ).all()
    for address in addresses:
        if not budget():
            left += 1
            continue
        with Session(engine) as session:  # one committed row at a time
            row = session.get(IdentityRecord, address)
            if row is None or row.ciphertext is None or row.key_id == current:
                continue
            sealed = reseal(
                ring, row.address, Sealed(row.key_id or "", row.nonce or b"", row.ciphertext)
            )
            row.key_id, row.nonce, row.ciphertext = sealed.key_id, sealed.nonce, sealed.ciphertext
            session.add(row)
            session.commit()
        report.identities_resealed += 1
    for digest, path in _sealed_files(documents_dir):
        sealed = _read_sealed_file(path)
        if sealed.key_id == current:
            continue
        if not budget():
            left += 1
            continue
        associated = bytes.fromhex(digest)
        _write_sealed_file(path, ring.seal(ring.open(sealed, associated), associated))
        report.documents_resealed += 1
    return left


def rotate_key_file(
    key_file: Path,
    engine: Engine,
    documents_dir: Path,
    *,
    new_key: bytes | None = None,
    limit: int | None = None,
) -> RotationReport:
    """Rotate the key ring kept in `key_file` (see the module's docstring). `limit` re-seals at
    most that many items, then stops with the rotation in progress (run again to go on)."""
    if not key_file.exists():
        raise RotationError(f"no key file at {key_file}: nothing is sealed with a file key")
    try:
        keys = read_key_file(key_file)
    except ValueError as exc:
        raise RotationError(str(exc)) from exc
    if new_key is not None and len(new_key) != 32:
        raise RotationError("the new key must be 32 bytes (64 hex digits)")
    resumed = len(keys) > 1
    if resumed:
        if new_key is not None and new_key != keys[0]:
            raise RotationError(
                f"a rotation to key {key_id(keys[0])} is in progress (the key file holds "
                f"{len(keys)} keys): run the command again without --new-key to finish it"
            )
        ring = KeyRing(keys)
    else:
        if new_key is not None and new_key in keys:
            raise RotationError("the new key is the key in use: give a different one")
        ring = KeyRing(keys)
    check_all_open(ring, engine, documents_dir)  # step 1: before anything changes
    if not resumed:  # step 2
        keys = [new_key or secrets.token_bytes(32), *keys]
        write_key_file(key_file, keys)
        ring = KeyRing(keys)
    report = RotationReport(new_key_id=ring.current_id, resumed=resumed)
    remaining = [limit]

    def budget() -> bool:
        if remaining[0] is None:
            return True
        if remaining[0] <= 0:
            return False
        remaining[0] -= 1
        return True

    while True:  # step 3, until a pass finds nothing left under an old key
        if _reseal_pass(ring, engine, documents_dir, report, budget):
            return report  # stopped by `limit`: the rotation stays in progress
        # A gateway may have sealed with the old key just before it saw the new key file.
        if not _old_left(ring, engine, documents_dir):
            break
    check_all_open(KeyRing(keys[:1]), engine, documents_dir)  # the new key alone opens all
    write_key_file(key_file, keys[:1])  # step 4
    report.retired_key_ids = [key_id(k) for k in keys[1:]]
    report.finished = True
    return report


def _old_left(ring: KeyRing, engine: Engine, documents_dir: Path) -> bool:
    current = ring.current_id
    with Session(engine) as session:
        row = session.exec(
            select(IdentityRecord.address).where(
                col(IdentityRecord.ciphertext).is_not(None),
                col(IdentityRecord.key_id) != current,
            )
        ).first()
    if row is not None:
        return True
    return any(
        _read_sealed_file(path).key_id != current for _, path in _sealed_files(documents_dir)
    )


def reseal_configured(ring: KeyRing, engine: Engine, documents_dir: Path) -> RotationReport:
    """With `COOP_PII_KEYS`: re-seal everything under the first configured key (the operator
    then drops the old keys from the variable)."""
    check_all_open(ring, engine, documents_dir)
    report = RotationReport(new_key_id=ring.current_id, resumed=False)
    _reseal_pass(ring, engine, documents_dir, report, lambda: True)
    report.finished = not _old_left(ring, engine, documents_dir)
    return report
