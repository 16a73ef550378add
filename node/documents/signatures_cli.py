"""`coop signatures`: the node's document seal and qualified (GOST) signatures, offline.

- `coop signatures seal-certificate [--organisation NAME] [--out FILE]`: the seal's certificate
  (made on first use in `<data>/seal/`) and its SHA-256, the hash the council's decision
  publishes (`POST /documents/seal-certificate/council-item/tx`).
- `coop signatures seal IN.pdf OUT.pdf`: seal a PDF with the node's key.
- `coop signatures verify-seal FILE.pdf [--certificate PEM] [--sha256 HEX]`: check a seal and the
  anchored revision inside; exit 1 when not valid.
- `coop signatures verify-gost FILE SIGNATURE [--ca PEM]`: check a detached КЭП; exit 1 when not
  valid.
"""

from __future__ import annotations

from pathlib import Path

import click

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group()
def signatures() -> None:
    """Печать документов и КЭП / The document seal and qualified signatures."""


@signatures.command("seal-certificate")
@click.option(
    "--organisation",
    default=None,
    help="The cooperative's name for a new certificate (only when none exists yet).",
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None)
def seal_certificate(organisation: str | None, out: Path | None) -> None:
    """Print (or write) the seal's certificate and its SHA-256."""
    from node.core.cli_settings import load_settings
    from node.documents.seal import SealError, ensure_seal_key, load_seal_key

    directory = load_settings().seal_dir
    try:
        if organisation is None:
            key = load_seal_key(directory)
        else:
            key, created = ensure_seal_key(directory, organisation)
            if created:
                click.echo(f"новый ключ печати / new seal key: {directory}", err=True)
    except SealError as exc:
        raise click.ClickException(
            f"{exc} (первый раз: --organisation «Название» / the first time: --organisation)"
        ) from exc
    if out is not None:
        out.write_bytes(key.cert_pem)
    else:
        click.echo(key.cert_pem.decode(), nl=False)
    click.echo(f"sha256: {key.cert_sha256}", err=out is None)


@signatures.command("seal")
@click.argument("source", type=_FILE)
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def seal(source: Path, target: Path) -> None:
    """Seal a PDF with the node's key (the source stays a prefix of the result)."""
    from node.core.cli_settings import load_settings
    from node.documents.seal import SealError, load_seal_key, seal_pdf

    try:
        result = seal_pdf(source.read_bytes(), load_seal_key(load_settings().seal_dir))
    except SealError as exc:
        raise click.ClickException(str(exc)) from exc
    target.write_bytes(result.sealed)
    click.echo(f"anchored sha256: {result.anchored_sha256}\nsealed sha256: {result.sealed_sha256}")


@signatures.command("verify-seal")
@click.argument("sealed", type=_FILE)
@click.option("--certificate", type=_FILE, default=None, help="The published seal certificate.")
@click.option("--sha256", "expected", default=None, help="The anchored digest of the document.")
def verify_seal(sealed: Path, certificate: Path | None, expected: str | None) -> None:
    """Check a sealed PDF; exit 1 when the seal is not valid."""
    from node.core.cli_settings import load_settings
    from node.documents.seal import SealError, load_seal_key, verify_sealed

    try:
        cert = certificate.read_bytes() if certificate else None
        if cert is None:
            cert = load_seal_key(load_settings().seal_dir).cert_pem
        check = verify_sealed(sealed.read_bytes(), certificate_pem=cert, expected_sha256=expected)
    except SealError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"intact: {check.intact}\ntrusted: {check.trusted}\n"
        f"covers whole file: {check.covers_whole_file}\nsigner: {check.signer_subject}\n"
        f"certificate sha256: {check.cert_sha256}\nanchored sha256: {check.anchored_sha256}"
    )
    if not check.valid or (expected is not None and check.anchored_sha256 is None):
        raise SystemExit(1)


@signatures.command("verify-gost")
@click.argument("document", type=_FILE)
@click.argument("signature", type=_FILE)
@click.option("--ca", type=_FILE, default=None, help="Trusted roots (PEM) to check the chain.")
def verify_gost(document: Path, signature: Path, ca: Path | None) -> None:
    """Check a detached qualified signature (GOST CMS); exit 1 when not valid."""
    from node.documents.gost import GostUnavailable, verify_detached

    try:
        check = verify_detached(
            document.read_bytes(), signature.read_bytes(), ca_pem=ca.read_bytes() if ca else None
        )
    except GostUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"valid: {check.valid}\nchain checked: {check.chain_checked}\n"
        f"signer: {check.signer_subject}\nalgorithm: {check.algorithm}\n"
        f"certificate sha256: {check.cert_sha256}"
        + (f"\nerror: {check.error}" if check.error else "")
    )
    if not check.valid:
        raise SystemExit(1)
