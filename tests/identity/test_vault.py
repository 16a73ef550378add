"""Organisation records in the encrypted vault: sealed, opened back as organisations, bound to
the member's address; and records made before the optional fields existed hash as before."""

from __future__ import annotations

import hashlib
import json
import secrets

import pytest

from node.identity.crypto import (
    DecryptionError,
    IdentityData,
    KeyRing,
    OrganisationData,
    identity_hash,
    open_identity,
    seal_identity,
)

ADDRESS = "0x" + "ab" * 20
OTHER = "0x" + "cd" * 20


def _org() -> OrganisationData:
    return OrganisationData.model_validate(
        {
            "name": "ООО «Ромашка»",
            "inn": "7707083893",
            "kpp": "773601001",
            "ogrn": "1027700132195",
            "address": "Москва, ул. Вавилова, 19",
            "representative": {"name": "Иванов Иван", "position": "представитель"},
            "power_of_attorney": {
                "document_sha256": "ab" * 32,
                "number": "77 АБ 1234567",
                "valid_until": "2027-12-31",
            },
        }
    )


def test_organisation_record_round_trip_and_hash() -> None:
    ring = KeyRing([secrets.token_bytes(32)])
    org = _org()
    digest, sealed = seal_identity(ring, ADDRESS, org)
    assert org.inn.encode() not in sealed.ciphertext  # encrypted at rest
    opened, salt = open_identity(ring, ADDRESS, sealed)
    assert isinstance(opened, OrganisationData)
    assert opened == org
    assert identity_hash(opened, salt) == digest  # only this hash goes on chain
    with pytest.raises(DecryptionError):
        open_identity(ring, OTHER, sealed)  # a row copied to another member does not open


def test_optional_fields_leave_old_hashes_unchanged() -> None:
    person = IdentityData.model_validate(
        {"name": "Петров", "birth_date": "1990-01-01", "document_number": "1", "address": "М"}
    )
    salt = b"\x01" * 32
    body = {
        "salt": salt.hex(),
        "name": "Петров",
        "birth_date": "1990-01-01",
        "document_number": "1",
        "address": "М",
    }
    old = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    assert identity_hash(person, salt) == hashlib.sha256(old).digest()
