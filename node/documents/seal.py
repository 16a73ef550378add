"""The cooperative's seal on its PDFs: a PAdES signature (pyHanko) by the node's document key.

Why a seal: any PDF reader (Acrobat, Okular, Foxit, browsers) shows a PAdES signature and says
whether the file is intact since it was sealed; the chain anchor alone needs a hash tool.
Trust in the seal's key does not come from a commercial CA: its self-issued certificate is
published by a council decision (the certificate's SHA-256 is anchored in DocumentRegistry as a
council decision document, `node.governance` / `coop documents seal-certificate`), so anyone can
compare the certificate in a sealed file with the one the council published.

A PAdES signature is an *incremental update*: the unsealed file's bytes are kept as they are and
the signature is appended. So the anchored SHA-256 (that of the unsealed PDF/A, the one rendered
deterministically from the document's data) stays checkable: `anchored_revision` cuts the sealed
file back to it, and `verify_sealed` checks both the seal and that the cut-back bytes hash to the
anchored digest.

The key (ECDSA P-256) and certificate live in `<data>/seal/` and are made once per node. They are
never regenerated silently: a key without its certificate (or the reverse) is an error the
operator must resolve, because a new key would not match the certificate the council published.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

SEAL_FIELD = "CooperativeSeal"
KEY_FILE = "seal.key.pem"
CERT_FILE = "seal.cert.pem"
#: Validity of the self-issued certificate: a replacement is a new council decision anyway.
CERT_VALIDITY = timedelta(days=10 * 365)


class SealError(RuntimeError):
    """The seal key is missing or inconsistent, or a file is not a PDF that can be sealed."""


@dataclass(frozen=True)
class SealKey:
    """The node's document key and its self-issued certificate."""

    key_pem: bytes
    cert_pem: bytes

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_pem)

    @property
    def cert_der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def cert_sha256(self) -> str:
        """SHA-256 of the DER certificate: what the council's decision publishes."""
        return hashlib.sha256(self.cert_der).hexdigest()

    def signer(self) -> signers.SimpleSigner:
        key = serialization.load_pem_private_key(self.key_pem, password=None)
        key_der = key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        cert = asn1_x509.Certificate.load(self.cert_der)
        return signers.SimpleSigner(
            signing_cert=cert,
            signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
            cert_registry=SimpleCertificateStore.from_certs([cert]),
        )


def _new_certificate(key: ec.EllipticCurvePrivateKey, organisation: str) -> x509.Certificate:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "RU"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
            x509.NameAttribute(NameOID.COMMON_NAME, "Печать документов / Document seal"),
        ]
    )
    now = datetime.now(UTC).replace(microsecond=0)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + CERT_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Create `path` with `data`; fails if it exists (two processes never both make a key)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def load_seal_key(directory: Path) -> SealKey:
    """The seal key of `directory`; SealError when it is absent or half there."""
    key_path, cert_path = directory / KEY_FILE, directory / CERT_FILE
    if not key_path.exists() and not cert_path.exists():
        raise SealError(f"no seal key in {directory}")
    if not key_path.exists() or not cert_path.exists():
        raise SealError(
            f"{directory}: the seal key and its certificate must both be there; restore the "
            "missing one from a backup (a new key would not match the certificate the council "
            "published)"
        )
    seal = SealKey(key_pem=key_path.read_bytes(), cert_pem=cert_path.read_bytes())
    key = serialization.load_pem_private_key(seal.key_pem, password=None)
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(*spki) != seal.certificate.public_key().public_bytes(*spki):
        raise SealError(f"{directory}: the seal certificate is not the seal key's")
    return seal


def ensure_seal_key(directory: Path, organisation: str) -> tuple[SealKey, bool]:
    """The node's seal key, made on first use: (key, True when it was just created).

    Never overwrites: if only one of the two files exists, `load_seal_key` refuses."""
    directory.mkdir(parents=True, exist_ok=True)
    key_path, cert_path = directory / KEY_FILE, directory / CERT_FILE
    if key_path.exists() or cert_path.exists():
        return load_seal_key(directory), False
    key = ec.generate_private_key(ec.SECP256R1())
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    cert_pem = _new_certificate(key, organisation).public_bytes(serialization.Encoding.PEM)
    try:
        _write_new(key_path, key_pem, 0o600)
    except FileExistsError:  # another process made it first
        return load_seal_key(directory), False
    _write_new(cert_path, cert_pem, 0o644)
    return SealKey(key_pem=key_pem, cert_pem=cert_pem), True


@dataclass(frozen=True)
class SealedPdf:
    sealed: bytes
    """The sealed file: the unsealed bytes followed by the signature's incremental update."""
    anchored_sha256: str
    """SHA-256 of the unsealed PDF (the digest anchored on chain)."""
    sealed_sha256: str


def seal_pdf(pdf: bytes, key: SealKey, *, reason: str | None = None) -> SealedPdf:
    """Append the cooperative's PAdES (B-B) seal to `pdf`; the input stays a byte prefix."""
    if not pdf.startswith(b"%PDF-"):
        raise SealError("not a PDF file")
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    except Exception as exc:
        raise SealError(f"not a PDF that can be sealed: {exc}") from exc
    meta = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or "Документ кооператива / Cooperative document",
    )
    out = signers.sign_pdf(writer, meta, signer=key.signer())
    sealed = out.getvalue()
    if not sealed.startswith(pdf):  # pyHanko appends; anything else would break the anchor
        raise SealError("the seal did not keep the file as a prefix")
    return SealedPdf(
        sealed=sealed,
        anchored_sha256=hashlib.sha256(pdf).hexdigest(),
        sealed_sha256=hashlib.sha256(sealed).hexdigest(),
    )


@dataclass(frozen=True)
class SealCheck:
    intact: bool
    """The sealed bytes are those the signature covers (nothing changed after sealing)."""
    trusted: bool
    """The signer's certificate is the published seal certificate (when one was given)."""
    covers_whole_file: bool
    """Nothing was appended after the seal."""
    signer_subject: str
    cert_sha256: str
    anchored_sha256: str | None
    """SHA-256 of the unsealed revision when it matches the expected digest (or, none given,
    of the revision just before the seal)."""

    @property
    def valid(self) -> bool:
        return self.intact and self.trusted and self.covers_whole_file


def _seal_signature(reader: PdfFileReader):  # type: ignore[no-untyped-def]
    sigs = [s for s in reader.embedded_signatures if s.field_name == SEAL_FIELD]
    if not sigs:
        raise SealError("the file carries no cooperative seal")
    return sigs[-1]


def _candidates(sealed: bytes, end: int) -> list[bytes]:
    """Byte prefixes of `sealed` ending at an `%%EOF` (with its line end) before offset `end`."""
    at = sealed.rfind(b"%%EOF", 0, end)
    if at < 0:
        return []
    stop = at + len(b"%%EOF")
    found = [sealed[:stop]]
    for eol in (b"\r\n", b"\n", b"\r"):
        if sealed.startswith(eol, stop):
            found.append(sealed[: stop + len(eol)])
    return found


def anchored_revision(sealed: bytes, expected_sha256: str | None = None) -> bytes:
    """The unsealed file inside a sealed one: the bytes before the seal's incremental update.

    With `expected_sha256` (the anchored digest), the prefix that hashes to it, or SealError."""
    try:
        sig = _seal_signature(PdfFileReader(BytesIO(sealed), strict=False))
    except SealError:
        raise
    except Exception as exc:
        raise SealError(f"not a readable PDF: {exc}") from exc
    _, first_len, _, _ = (int(x) for x in sig.byte_range)
    found = _candidates(sealed, first_len)
    if not found:
        raise SealError("no revision before the seal")
    if expected_sha256 is None:
        return found[-1]
    for prefix in found:
        if hashlib.sha256(prefix).hexdigest() == expected_sha256.lower().removeprefix("0x"):
            return prefix
    raise SealError("the revision before the seal is not the anchored document")


def verify_sealed(
    sealed: bytes, *, certificate_pem: bytes | None = None, expected_sha256: str | None = None
) -> SealCheck:
    """Check the seal with pyHanko; trust only `certificate_pem` (the published certificate).

    `expected_sha256`: the anchored digest that the revision before the seal must hash to."""
    try:
        reader = PdfFileReader(BytesIO(sealed), strict=False)
        sig = _seal_signature(reader)
    except SealError:
        raise
    except Exception as exc:
        raise SealError(f"not a readable PDF: {exc}") from exc
    signer_cert = sig.signer_cert
    roots = []
    if certificate_pem is not None:
        published = x509.load_pem_x509_certificate(certificate_pem)
        roots = [asn1_x509.Certificate.load(published.public_bytes(serialization.Encoding.DER))]
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    status = validate_pdf_signature(sig, context)
    try:
        revision = anchored_revision(sealed, expected_sha256)
        anchored: str | None = hashlib.sha256(revision).hexdigest()
    except SealError:
        anchored = None
    cert_sha = hashlib.sha256(signer_cert.dump()).hexdigest()
    return SealCheck(
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted) and certificate_pem is not None,
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        signer_subject=signer_cert.subject.human_friendly,
        cert_sha256=cert_sha,
        anchored_sha256=anchored,
    )
