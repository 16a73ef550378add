"""`coop identity rotate-key`: a new key is added, every identity record and sealed document is
re-sealed under it (the plaintext and the on-chain hash unchanged), the old key is retired; a
rotation stopped half-way resumes; bad input changes nothing. Real SQLite, real files, the real
CLI."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from node.api.db import gateway_engine, migrate
from node.cli import main
from node.documents.store import DocumentStore
from node.identity.crypto import (
    DecryptionError,
    FileKeyRing,
    IdentityData,
    KeyRing,
    Sealed,
    identity_hash,
    key_id,
    load_keyring,
    open_identity,
    read_key_file,
    seal_identity,
)
from node.identity.models import IdentityRecord

PEOPLE = {
    "0x" + "11" * 20: "Иванова Мария Петровна",
    "0x" + "22" * 20: "Петров Иван Сергеевич",
    "0x" + "33" * 20: "Сидоров Олег Ильич",
}


class Node:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.env = {"COOP_DATA_DIR": str(root), "DATABASE_URL": f"sqlite:///{root / 'c.db'}"}
        self.engine: Engine = gateway_engine(self.env["DATABASE_URL"])
        migrate(self.engine)
        self.key_file = root / "gateway" / "pii.key"
        self.documents = root / "documents"

    def rotate(self, *args: str) -> tuple[int, str]:
        result = CliRunner().invoke(main, ["identity", "rotate-key", *args], env=self.env)
        return result.exit_code, result.output

    def rows(self) -> list[IdentityRecord]:
        with Session(self.engine) as session:
            return list(session.exec(select(IdentityRecord)).all())


@pytest.fixture
def node(tmp_path: Path) -> Node:
    node = Node(tmp_path)
    ring = load_keyring([], node.key_file)  # the development key file
    with Session(node.engine) as session:
        for i, (address, name) in enumerate(PEOPLE.items()):
            data = IdentityData(
                name=name,
                birth_date=date(1980 + i, 1, 2),
                document_number=f"45 0{i} 123456",
                address="г. Казань",
            )
            digest, sealed = seal_identity(ring, address, data)
            session.add(
                IdentityRecord(
                    address=address,
                    identity_hash=digest.hex(),
                    key_id=sealed.key_id,
                    nonce=sealed.nonce,
                    ciphertext=sealed.ciphertext,
                    created_at=1,
                    updated_at=1,
                )
            )
        session.commit()
    DocumentStore(node.documents, ring).put("заявление".encode(), personal=True)
    return node


def _check_everything_opens_with(node: Node, keys: list[bytes]) -> None:
    ring = KeyRing(keys)
    for row in node.rows():
        assert row.key_id == key_id(keys[0])
        sealed = Sealed(row.key_id or "", row.nonce or b"", row.ciphertext or b"")
        data, salt = open_identity(ring, row.address, sealed)
        assert data.name == PEOPLE[row.address]
        assert identity_hash(data, salt).hex() == row.identity_hash  # the chain still agrees
    assert (
        DocumentStore(node.documents, ring).get(hashlib.sha256("заявление".encode()).hexdigest())
        == "заявление".encode()
    )


def test_rotation_reseals_and_retires(node: Node) -> None:
    old = read_key_file(node.key_file)
    running = FileKeyRing(node.key_file)  # what a running gateway holds
    new = bytes(range(32))
    code, out = node.rotate("--new-key", new.hex())
    assert code == 0, out
    assert read_key_file(node.key_file) == [new]
    assert key_id(old[0]) in out
    _check_everything_opens_with(node, [new])
    for row in node.rows():  # the old key alone opens nothing any more
        with pytest.raises(DecryptionError):
            open_identity(
                KeyRing(old),
                row.address,
                Sealed(row.key_id or "", row.nonce or b"", row.ciphertext or b""),
            )
    # The running gateway followed the key file: it seals with the new key and opens all.
    assert running.current_id == key_id(new)
    row = node.rows()[0]
    running.open(
        Sealed(row.key_id or "", row.nonce or b"", row.ciphertext or b""),
        row.address.lower().encode(),
    )


def test_interrupted_rotation_resumes(node: Node) -> None:
    old = read_key_file(node.key_file)
    code, out = node.rotate("--limit", "2")
    assert code == 3, out  # stopped half-way: 2 of 4 items re-sealed
    keys = read_key_file(node.key_file)
    assert len(keys) == 2 and keys[1] == old[0]
    new_id = key_id(keys[0])
    assert sum(r.key_id == new_id for r in node.rows()) == 2
    ring = KeyRing(keys)  # meanwhile, everything still opens
    for row in node.rows():
        open_identity(
            ring,
            row.address,
            Sealed(row.key_id or "", row.nonce or b"", row.ciphertext or b""),
        )
    # A different new key is refused while this rotation is in progress; nothing changes.
    code, out = node.rotate("--new-key", "ab" * 32)
    assert code == 1 and "in progress" in out, out
    assert read_key_file(node.key_file) == keys
    # Running again finishes it.
    code, out = node.rotate()
    assert code == 0, out
    assert read_key_file(node.key_file) == keys[:1]
    _check_everything_opens_with(node, keys[:1])


def test_bad_input_changes_nothing(node: Node) -> None:
    before = node.key_file.read_bytes()
    rows_before = [(r.address, r.key_id, r.ciphertext) for r in node.rows()]
    for bad in ("zz", "ab" * 31, "g" * 64):
        code, out = node.rotate("--new-key", bad)
        assert code == 2 and "64 hex digits" in out, out
    code, out = node.rotate("--new-key", read_key_file(node.key_file)[0].hex())
    assert code == 1 and "key in use" in out, out
    # A record no key of the ring opens: the rotation refuses to start.
    with Session(node.engine) as session:
        stray = KeyRing([b"\x07" * 32]).seal(b"{}", b"0x" + b"44" * 20)
        session.add(
            IdentityRecord(
                address="0x" + "44" * 20,
                identity_hash="0x",
                key_id=stray.key_id,
                nonce=stray.nonce,
                ciphertext=stray.ciphertext,
                created_at=1,
                updated_at=1,
            )
        )
        session.commit()
    code, out = node.rotate()
    assert code == 1 and "0x" + "44" * 20 in out, out
    assert node.key_file.read_bytes() == before
    assert [(r.address, r.key_id, r.ciphertext) for r in node.rows()][:3] == rows_before
