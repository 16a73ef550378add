"""`coop identity`: operations on members' personal data at rest.

`coop identity rotate-key [--new-key HEX] [--limit N]`: see `node.identity.rotation`.
"""

from __future__ import annotations

import click


def _parse_key(value: str | None) -> bytes | None:
    if value is None:
        return None
    body = value[2:] if value.startswith("0x") else value
    if len(body) != 64:
        raise click.BadParameter("64 hex digits (a 256-bit AES key)", param_hint="--new-key")
    try:
        return bytes.fromhex(body)
    except ValueError as exc:
        raise click.BadParameter("64 hex digits", param_hint="--new-key") from exc


@click.group()
def identity() -> None:
    """Персональные данные пайщиков / Members' personal data (encrypted at rest)."""


@identity.command("rotate-key")
@click.option(
    "--new-key",
    default=None,
    help="The new AES-256 key (64 hex digits); default: a random one. Keep it backed up.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    help="Re-seal at most N items, then stop (run again to go on).",
)
def rotate_key(new_key: str | None, limit: int | None) -> None:
    """Add a new key, re-seal every identity record and sealed document under it, retire the
    old key. Interrupted or stopped by --limit, it resumes when run again."""
    from node.api.db import gateway_engine, migrate
    from node.core.cli_settings import load_settings
    from node.identity.crypto import KeyRing
    from node.identity.rotation import RotationError, reseal_configured, rotate_key_file

    key = _parse_key(new_key)
    settings = load_settings()
    engine = gateway_engine(settings.effective_database_url)
    try:
        migrate(engine)
        if settings.pii_keys:
            if key is not None:
                raise click.ClickException(
                    "ключи заданы в COOP_PII_KEYS: поставьте новый ключ первым в переменной и "
                    "запустите без --new-key / the keys come from COOP_PII_KEYS: put the new "
                    "key first there and run without --new-key"
                )
            report = reseal_configured(
                KeyRing.from_hex(settings.pii_keys), engine, settings.documents_dir
            )
        else:
            report = rotate_key_file(
                settings.gateway_dir / "pii.key",
                engine,
                settings.documents_dir,
                new_key=key,
                limit=limit,
            )
    except RotationError as exc:
        raise click.ClickException(f"ключ не сменён / key not rotated: {exc}") from exc
    finally:
        engine.dispose()
    click.echo(
        f"{'продолжено / resumed' if report.resumed else 'новый ключ / new key'} "
        f"{report.new_key_id}: перешифровано анкет / identity records re-sealed "
        f"{report.identities_resealed}, документов / documents {report.documents_resealed}"
    )
    if not report.finished:
        click.echo(
            "смена ключа не завершена: запустите команду ещё раз / the rotation is not "
            "finished: run the command again"
        )
        raise SystemExit(3)
    if settings.pii_keys:
        click.echo(
            "всё зашифровано первым ключом: удалите старые ключи из COOP_PII_KEYS / everything "
            "is sealed with the first key: drop the old keys from COOP_PII_KEYS"
        )
    else:
        click.echo(f"старые ключи удалены / retired keys: {', '.join(report.retired_key_ids)}")
