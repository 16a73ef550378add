"""The cooperative's PAdES seal: made by the node's key, validated by pyHanko, the unsealed
(anchored) revision recoverable byte for byte; tampering, a foreign key and appended changes
are all seen; the key is made once and never silently replaced."""

from __future__ import annotations

import hashlib
from io import BytesIO
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from node.documents.seal import (
    CERT_FILE,
    KEY_FILE,
    SealError,
    anchored_revision,
    ensure_seal_key,
    load_seal_key,
    seal_pdf,
    verify_sealed,
)
from tests.documents.conftest import blank_pdf

COOP = "Потребительский кооператив «Тест»"


def test_seal_validates_and_keeps_the_anchored_revision(pdf: bytes, tmp_path: Path) -> None:
    key, created = ensure_seal_key(tmp_path / "seal", COOP)
    assert created
    result = seal_pdf(pdf, key)
    assert result.sealed.startswith(pdf)
    assert result.anchored_sha256 == hashlib.sha256(pdf).hexdigest()
    assert result.sealed_sha256 == hashlib.sha256(result.sealed).hexdigest()

    check = verify_sealed(
        result.sealed, certificate_pem=key.cert_pem, expected_sha256=result.anchored_sha256
    )
    assert check.valid
    assert check.intact and check.trusted and check.covers_whole_file
    assert check.cert_sha256 == key.cert_sha256
    assert COOP in check.signer_subject
    assert check.anchored_sha256 == result.anchored_sha256
    assert anchored_revision(result.sealed) == pdf
    assert anchored_revision(result.sealed, result.anchored_sha256) == pdf


def test_tampered_sealed_file_is_not_intact(pdf: bytes, tmp_path: Path) -> None:
    key, _ = ensure_seal_key(tmp_path / "seal", COOP)
    sealed = seal_pdf(pdf, key).sealed
    at = sealed.index(b"Protocol No. 1")
    tampered = sealed[:at] + b"Protocol No. 7" + sealed[at + 14 :]
    check = verify_sealed(tampered, certificate_pem=key.cert_pem)
    assert not check.intact and not check.valid
    with pytest.raises(SealError, match="not the anchored"):
        anchored_revision(tampered, hashlib.sha256(pdf).hexdigest())


def test_foreign_seal_is_not_trusted(pdf: bytes, tmp_path: Path) -> None:
    ours, _ = ensure_seal_key(tmp_path / "ours", COOP)
    forger, _ = ensure_seal_key(tmp_path / "forger", COOP)  # same name, another key
    sealed = seal_pdf(pdf, forger).sealed
    check = verify_sealed(sealed, certificate_pem=ours.cert_pem)
    assert check.intact  # a well-formed signature...
    assert not check.trusted and not check.valid  # ...by a key the council did not publish
    assert check.cert_sha256 != ours.cert_sha256


def test_changes_appended_after_the_seal_are_seen(pdf: bytes, tmp_path: Path) -> None:
    key, _ = ensure_seal_key(tmp_path / "seal", COOP)
    sealed = seal_pdf(pdf, key).sealed
    writer = IncrementalPdfFileWriter(BytesIO(sealed))
    # Text drawn over the page in an incremental update after the seal.
    overlay = generic.StreamObject(stream_data=b"BT /F1 14 Tf 72 740 Td (Amount: 1000000) Tj ET")
    writer.add_stream_to_page(0, writer.add_object(overlay))
    out = BytesIO()
    writer.write(out)
    check = verify_sealed(out.getvalue(), certificate_pem=key.cert_pem)
    assert not check.covers_whole_file and not check.valid


def test_wrong_anchored_digest_and_unsealed_files(pdf: bytes, tmp_path: Path) -> None:
    key, _ = ensure_seal_key(tmp_path / "seal", COOP)
    sealed = seal_pdf(pdf, key).sealed
    other = hashlib.sha256(blank_pdf("Another")).hexdigest()
    assert (
        verify_sealed(sealed, certificate_pem=key.cert_pem, expected_sha256=other).anchored_sha256
        is None
    )
    with pytest.raises(SealError, match="no cooperative seal"):
        verify_sealed(pdf, certificate_pem=key.cert_pem)
    with pytest.raises(SealError, match="not a PDF"):
        seal_pdf(b"<html>not a pdf</html>", key)


def test_key_made_once_and_never_replaced(tmp_path: Path) -> None:
    directory = tmp_path / "seal"
    first, created = ensure_seal_key(directory, COOP)
    again, created_again = ensure_seal_key(directory, "Другое имя")
    assert created and not created_again
    assert again.cert_sha256 == first.cert_sha256
    assert oct((directory / KEY_FILE).stat().st_mode & 0o777) == "0o600"
    # A lost certificate is not silently re-issued: the council published the old one.
    (directory / CERT_FILE).unlink()
    with pytest.raises(SealError, match="must both be there"):
        ensure_seal_key(directory, COOP)
    # A certificate that is not the key's is refused.
    other, _ = ensure_seal_key(tmp_path / "other", COOP)
    (directory / CERT_FILE).write_bytes(other.cert_pem)
    with pytest.raises(SealError, match="not the seal key's"):
        load_seal_key(directory)


def test_cli_seal_and_verify(pdf: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from node.cli import main

    monkeypatch.setenv("COOP_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    missing = runner.invoke(main, ["signatures", "seal-certificate"])
    assert missing.exit_code != 0 and "--organisation" in missing.output
    made = runner.invoke(main, ["signatures", "seal-certificate", "--organisation", COOP])
    assert made.exit_code == 0 and "BEGIN CERTIFICATE" in made.output
    (tmp_path / "in.pdf").write_bytes(pdf)
    sealed = runner.invoke(main, ["signatures", "seal", str(tmp_path / "in.pdf"),
                                  str(tmp_path / "out.pdf")])  # fmt: skip
    assert sealed.exit_code == 0, sealed.output
    digest = hashlib.sha256(pdf).hexdigest()
    ok = runner.invoke(main, ["signatures", "verify-seal", str(tmp_path / "out.pdf"),
                              "--sha256", digest])  # fmt: skip
    assert ok.exit_code == 0 and f"anchored sha256: {digest}" in ok.output
    other = hashlib.sha256(b"other").hexdigest()
    wrong = runner.invoke(main, ["signatures", "verify-seal", str(tmp_path / "out.pdf"),
                                 "--sha256", other])  # fmt: skip
    assert wrong.exit_code == 1
