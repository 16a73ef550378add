"""Qualified signatures (GOST R 34.10-2012) as detached CMS: made here with OpenSSL and Debian's
GOST engine exactly as a КЭП tool makes them, checked by the node; a tampered file, a foreign
root and a non-GOST signature are refused."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from node.documents.gost import verify_detached

DOCUMENT = "Протокол заседания совета № 7\n".encode() * 50


def _openssl(*args: str | Path, cwd: Path) -> None:
    subprocess.run(["openssl", *map(str, args)], cwd=cwd, check=True, capture_output=True)


@dataclass(frozen=True)
class Signer:
    key: Path
    cert: Path


def _gost_ca(work: Path) -> Signer:
    _openssl("genpkey", "-engine", "gost", "-algorithm", "gost2012_256", "-pkeyopt",
             "paramset:A", "-out", "ca.key", cwd=work)  # fmt: skip
    _openssl("req", "-engine", "gost", "-new", "-x509", "-md_gost12_256", "-key", "ca.key",
             "-subj", "/C=RU/O=Тестовый УЦ/CN=Тестовый УЦ", "-utf8", "-days", "30",
             "-addext", "basicConstraints=critical,CA:TRUE", "-out", "ca.pem",
             cwd=work)  # fmt: skip
    return Signer(work / "ca.key", work / "ca.pem")


def _gost_signer(work: Path, ca: Signer, name: str) -> Signer:
    _openssl("genpkey", "-engine", "gost", "-algorithm", "gost2012_256", "-pkeyopt",
             "paramset:A", "-out", f"{name}.key", cwd=work)  # fmt: skip
    _openssl("req", "-engine", "gost", "-new", "-md_gost12_256", "-key", f"{name}.key",
             "-subj", f"/C=RU/O=ООО Ромашка/CN={name}", "-utf8", "-out", f"{name}.csr",
             cwd=work)  # fmt: skip
    _openssl("x509", "-engine", "gost", "-req", "-in", f"{name}.csr", "-CA", ca.cert,
             "-CAkey", ca.key, "-CAcreateserial", "-md_gost12_256", "-days", "30",
             "-out", f"{name}.pem", cwd=work)  # fmt: skip
    return Signer(work / f"{name}.key", work / f"{name}.pem")


def _sign(
    work: Path, signer: Signer, content: bytes, *, pem: bool = False, md: str = "md_gost12_256"
) -> bytes:
    (work / "doc.bin").write_bytes(content)
    _openssl("cms", "-engine", "gost", "-sign", "-binary", "-in", "doc.bin", "-signer",
             signer.cert, "-inkey", signer.key, "-md", md, "-outform",
             "PEM" if pem else "DER", "-out", "doc.sig", cwd=work)  # fmt: skip
    return (work / "doc.sig").read_bytes()


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Signer, Signer]:
    work = tmp_path_factory.mktemp("gost")
    ca = _gost_ca(work)
    return work, ca, _gost_signer(work, ca, "Иванов Иван Иванович")


def test_gost_detached_signature_validates(pki: tuple[Path, Signer, Signer]) -> None:
    work, ca, signer = pki
    signature = _sign(work, signer, DOCUMENT)
    check = verify_detached(DOCUMENT, signature)
    assert check.valid and check.error is None
    assert not check.chain_checked  # no trusted root given: the signature only
    assert check.algorithm == "GOST R 34.10-2012 (256)"
    assert check.signer_subject is not None and "Иванов Иван Иванович" in check.signer_subject
    assert check.cert_sha256 is not None and len(check.cert_sha256) == 64
    # Against the root: the chain is checked too.
    rooted = verify_detached(DOCUMENT, signature, ca_pem=ca.cert.read_bytes())
    assert rooted.valid and rooted.chain_checked
    # PEM-armoured signatures are read as well.
    assert verify_detached(DOCUMENT, _sign(work, signer, DOCUMENT, pem=True)).valid


def test_tampered_file_does_not_validate(pki: tuple[Path, Signer, Signer]) -> None:
    work, _, signer = pki
    signature = _sign(work, signer, DOCUMENT)
    tampered = DOCUMENT.replace("№ 7".encode(), "№ 8".encode(), 1)
    check = verify_detached(tampered, signature)
    assert not check.valid
    assert check.error  # OpenSSL's reason is kept
    # The signer is still named, so the record shows whose signature failed.
    assert check.signer_subject is not None and "Иванов" in check.signer_subject
    # A corrupted signature value (the end of the CMS) is refused too.
    broken = bytearray(signature)
    broken[-8] ^= 0xFF
    assert not verify_detached(DOCUMENT, bytes(broken)).valid
    assert not verify_detached(DOCUMENT, b"not a signature").valid


def test_foreign_root_and_non_gost_signatures_refused(pki: tuple[Path, Signer, Signer]) -> None:
    work, _, signer = pki
    signature = _sign(work, signer, DOCUMENT)
    other_dir = work / "other"
    other_dir.mkdir()
    other_ca = _gost_ca(other_dir)
    check = verify_detached(DOCUMENT, signature, ca_pem=other_ca.cert.read_bytes())
    assert not check.valid  # the chain does not lead to the trusted root
    # An ECDSA CMS signature verifies cryptographically but is not a КЭП.
    ec_dir = work / "ec"
    ec_dir.mkdir()
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", "ec.key", "-subj", "/CN=ECDSA", "-days", "1", "-out", "ec.pem",
             cwd=ec_dir)  # fmt: skip
    ec_sig = _sign(ec_dir, Signer(ec_dir / "ec.key", ec_dir / "ec.pem"), DOCUMENT, md="sha256")
    ec_check = verify_detached(DOCUMENT, ec_sig)
    assert not ec_check.valid
    assert ec_check.algorithm is None
    assert ec_check.error is not None and "GOST" in ec_check.error


def test_cli_verify_gost(pki: tuple[Path, Signer, Signer]) -> None:
    from click.testing import CliRunner

    from node.cli import main

    work, ca, signer = pki
    signature = _sign(work, signer, DOCUMENT)
    (work / "doc.txt").write_bytes(DOCUMENT)
    (work / "bad.txt").write_bytes(DOCUMENT + b"x")
    (work / "cli.sig").write_bytes(signature)
    runner = CliRunner()
    ok = runner.invoke(main, ["signatures", "verify-gost", str(work / "doc.txt"),
                              str(work / "cli.sig"), "--ca", str(ca.cert)])  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert "valid: True" in ok.output and "chain checked: True" in ok.output
    bad = runner.invoke(main, ["signatures", "verify-gost", str(work / "bad.txt"),
                               str(work / "cli.sig")])  # fmt: skip
    assert bad.exit_code == 1 and "valid: False" in bad.output
