"""Qualified electronic signatures (КЭП, GOST R 34.10-2012) as detached CMS files.

A member or an organisation may sign an anchored document with their qualified certificate
(CryptoPro, a token, the «Госключ» app) and attach the detached signature (`.sig`, `.p7s`). The
node checks it with OpenSSL and Debian's GOST engine (`libengine-gost-openssl`) and records the
result; nothing about the document or the member changes otherwise.

Why OpenSSL in a subprocess: no Python library verifies GOST CMS (pyHanko and `cryptography`
know no GOST algorithms), and the engine is the maintained Debian package. The command:

    openssl cms -verify -binary -inform DER|PEM -in SIG -content FILE -engine gost
                -noverify | -CAfile CA.pem -purpose any -signer OUT.pem -out /dev/null

`-noverify` checks the signature itself but not the certificate chain (no trusted root given);
with `ca_pem` (the accredited CA's root, e.g. the Минцифры head CA) the chain is checked too, and
the record says which was done. Revocation (CRL/OCSP) is not checked here: the record keeps the
certificate so that it can be checked against the CA's list at the signing time.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

#: OIDs of GOST R 34.10-2012 public keys (256 and 512 bits).
GOST_2012_KEYS = {
    "1.2.643.7.1.1.1.1": "GOST R 34.10-2012 (256)",
    "1.2.643.7.1.1.1.2": "GOST R 34.10-2012 (512)",
}
#: A detached signature is a few kilobytes; a certificate chain inside rarely exceeds 64 KiB.
MAX_SIGNATURE_BYTES = 256 * 1024
OPENSSL_TIMEOUT = 30


class GostUnavailable(RuntimeError):
    """OpenSSL or its GOST engine is not installed (`apt-get install libengine-gost-openssl`)."""


@dataclass(frozen=True)
class GostCheck:
    valid: bool
    """The signature verifies over the content (and the chain, when `chain_checked`)."""
    chain_checked: bool
    """True when a trusted root was given and the signer's chain was checked against it."""
    signer_subject: str | None
    cert_sha256: str | None
    """SHA-256 of the signer's DER certificate."""
    algorithm: str | None
    """The signer key's algorithm (GOST R 34.10-2012 (256/512)); None when unknown."""
    error: str | None
    """OpenSSL's reason when not valid."""


def _engine_available(openssl: str) -> bool:
    probe = subprocess.run(
        [openssl, "engine", "-t", "gost"],
        capture_output=True,
        timeout=OPENSSL_TIMEOUT,
        check=False,
    )
    return probe.returncode == 0 and b"available" in probe.stdout


def openssl_binary() -> str:
    openssl = shutil.which("openssl")
    if openssl is None or not _engine_available(openssl):
        raise GostUnavailable(
            "OpenSSL с движком ГОСТ не установлен (apt-get install libengine-gost-openssl) / "
            "OpenSSL with the GOST engine is not installed (apt-get install "
            "libengine-gost-openssl)"
        )
    return openssl


def _reason(stderr: bytes) -> str:
    lines = [
        line.strip()
        for line in stderr.decode("utf-8", "replace").splitlines()
        if line.strip() and not line.startswith("Engine ")
    ]
    for line in lines:  # "...:error:1700009E:CMS routines:...:verification failure:..."
        parts = line.split(":")
        if len(parts) >= 6 and "error" in parts[1]:
            return parts[5][:200]
    return (lines[0] if lines else "verification failed")[:200]


def verify_detached(content: bytes, signature: bytes, *, ca_pem: bytes | None = None) -> GostCheck:
    """Verify a detached CMS `signature` (DER or PEM) of `content` with OpenSSL's GOST engine.

    Only GOST R 34.10-2012 signer keys count as valid: a CMS signed with RSA or ECDSA is
    reported (subject, certificate) but `valid` is False, since it is not a КЭП."""
    if not signature or len(signature) > MAX_SIGNATURE_BYTES:
        return GostCheck(False, False, None, None, None, "empty or oversized signature file")
    openssl = openssl_binary()
    form = "PEM" if signature.lstrip().startswith(b"-----BEGIN") else "DER"
    with tempfile.TemporaryDirectory(prefix="coop-gost-") as tmp:
        work = Path(tmp)
        (work / "content").write_bytes(content)
        (work / "signature").write_bytes(signature)
        cmd = [
            openssl,
            "cms",
            "-verify",
            "-engine",
            "gost",
            "-binary",
            "-inform",
            form,
            "-in",
            str(work / "signature"),
            "-content",
            str(work / "content"),
            "-signer",
            str(work / "signer.pem"),
            "-out",
            os.devnull,
        ]
        if ca_pem is not None:
            (work / "ca.pem").write_bytes(ca_pem)
            cmd += ["-CAfile", str(work / "ca.pem"), "-purpose", "any"]
        else:
            cmd += ["-noverify"]
        result = subprocess.run(
            cmd, capture_output=True, timeout=OPENSSL_TIMEOUT, check=False, cwd=tmp
        )
        signer_pem = (work / "signer.pem").read_bytes() if (work / "signer.pem").exists() else b""
        if not signer_pem:  # a failed check writes no signer: read the certificates as they are
            signer_pem = _certificates(openssl, work / "signature", form)
    subject = cert_sha = algorithm = None
    if signer_pem:
        try:
            cert = x509.load_pem_x509_certificate(signer_pem)
            subject = cert.subject.rfc4514_string()
            cert_sha = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()
            algorithm = GOST_2012_KEYS.get(cert.public_key_algorithm_oid.dotted_string)
        except ValueError:
            pass
    ok = result.returncode == 0
    error = None if ok else _reason(result.stderr)
    if ok and algorithm is None:
        ok, error = False, "the signer's key is not GOST R 34.10-2012 (not a qualified signature)"
    return GostCheck(ok, ok and ca_pem is not None, subject, cert_sha, algorithm, error)


def _certificates(openssl: str, signature: Path, form: str) -> bytes:
    """The first certificate carried in the CMS (PEM), or b''."""
    cmd = [openssl, "pkcs7", "-engine", "gost", "-inform", form, "-in", str(signature)]
    out = subprocess.run(
        [*cmd, "-print_certs"],
        capture_output=True,
        timeout=OPENSSL_TIMEOUT,
        check=False,
    )
    text = out.stdout
    start = text.find(b"-----BEGIN CERTIFICATE-----")
    end = text.find(b"-----END CERTIFICATE-----")
    if out.returncode != 0 or start < 0 or end < 0:
        return b""
    return text[start : end + len(b"-----END CERTIFICATE-----")] + b"\n"
