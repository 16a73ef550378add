"""`coop clearing ...`: plan the multilateral set-off (взаимозачёт) of members' obligations."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from node.clearing.limits import DEFAULT_MAX_PER_CHUNK

if TYPE_CHECKING:
    pass


@click.group()
def clearing() -> None:
    """Multilateral set-off (взаимозачёт) of obligations between members."""


def _summary(
    cleared: int, remaining: int, settlements: int, chunks: int, entries: int, seconds: float
) -> str:
    total = cleared + remaining
    share = f"{100 * cleared / total:.1f}%" if total else "—"
    return (
        f"Зачтено / cleared: {cleared} из / of {total} ВРЕ ({share}); "
        f"остаётся / remaining: {remaining}\n"
        f"Погашений / settlements: {settlements}; "
        f"частей (транзакций) / chunks (transactions): {chunks}, "
        f"записей всего / entries in total: {entries}; "
        f"время / time: {seconds:.2f} s"
    )


@clearing.command("plan")
@click.option(
    "--input",
    "-i",
    "input_path",
    required=True,
    metavar="CSV",
    help="Файл обязательств / obligations file: header id,debtor,creditor,amount ('-' = stdin).",
)
@click.option(
    "--output",
    "-o",
    "output_path",
    required=True,
    metavar="JSON",
    help="Куда записать план / where to write the plan ('-' = stdout).",
)
@click.option(
    "--max-per-chunk",
    type=click.IntRange(min=2),
    default=DEFAULT_MAX_PER_CHUNK,
    show_default=True,
    help="Наибольшее число записей в одной транзакции / most entries in one transaction.",
)
def plan_command(input_path: str, output_path: str, max_per_chunk: int) -> None:
    """Рассчитать максимальный взаимозачёт / plan the maximum multilateral set-off.

    Reads open obligations from CSV (columns id,debtor,creditor,amount; integers for id and
    amount; line 1 is the header) and writes the set-off that clears the most in total as
    JSON:

    \b
      {"cleared_total": N, "remaining_total": N,
       "settlements": [{"id": ID, "amount": N}, ...],
       "chunks": [[{"id": ID, "amount": N}, ...], ...]}

    Each chunk is one transaction and keeps every member's net position unchanged on its
    own. A chunk lists {"id", "amount"} pairs rather than bare ids because one obligation
    can be cleared partly in one chunk and partly in another; per id the chunk amounts add
    up to its settlement. A chunk has at most --max-per-chunk entries, except that a single
    cycle of obligations longer than that cannot be split and forms one larger chunk.

    Every bad row of the CSV is reported with its line number and nothing is written; the
    output file is replaced atomically, so it is never left half-written.
    """
    from node.clearing.engine import (
        ObligationArrays,
        plan_arrays,
        plan_clearing,
        verify_plan,
        verify_plan_arrays,
    )
    from node.clearing.io import (
        ObligationFileError,
        plan_arrays_to_json,
        plan_to_json,
        read_obligations_fast,
        write_text_atomic,
    )

    started = time.perf_counter()
    try:
        obligations = read_obligations_fast(input_path)
    except ObligationFileError as exc:
        raise click.ClickException(exc.render()) from exc
    text: str | bytes
    # The usual case stays in arrays end to end (no Python object per entry); other inputs
    # (amounts of 10**18 and more, unusual spelling) take the reference path. Both give the
    # same plan and are verified before anything is written.
    fast = None
    if isinstance(obligations, ObligationArrays):
        fast = plan_arrays(obligations, max_per_chunk)
    try:
        if fast is not None:
            assert isinstance(obligations, ObligationArrays)
            verify_plan_arrays(obligations, fast)
            text = plan_arrays_to_json(fast)
            counts = (len(fast.settlement_ids), fast.n_chunks, len(fast.entry_ids))
            totals = (fast.cleared_total, fast.remaining_total)
        else:
            listed = (
                obligations.to_obligations()
                if isinstance(obligations, ObligationArrays)
                else obligations
            )
            try:
                plan = plan_clearing(listed, max_per_chunk=max_per_chunk)
            except ValueError as exc:  # e.g. amounts too large for this many obligations
                raise click.ClickException(
                    f"не удаётся рассчитать зачёт / cannot plan the clearing: {exc}"
                ) from exc
            verify_plan(listed, plan)
            text = plan_to_json(plan)
            counts = (len(plan.settlements), len(plan.chunks), sum(map(len, plan.chunks)))
            totals = (plan.cleared_total, plan.remaining_total)
    except ValueError as exc:  # a bug, never a user error: refuse to hand out the plan
        raise click.ClickException(
            f"внутренняя ошибка: план не прошёл проверку / internal error: "
            f"the plan failed verification: {exc}"
        ) from exc
    if output_path == "-":
        raw = getattr(sys.stdout, "buffer", None)
        if raw is not None and isinstance(text, bytes):
            sys.stdout.flush()
            raw.write(text)
            raw.flush()
        else:
            sys.stdout.write(text.decode() if isinstance(text, bytes) else text)
            sys.stdout.flush()
        summary_to_stderr = True
    else:
        try:
            write_text_atomic(Path(output_path), text)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise click.ClickException(
                f"не удаётся записать {output_path}: {reason} / "
                f"cannot write {output_path}: {reason}"
            ) from exc
        summary_to_stderr = False
    seconds = time.perf_counter() - started
    click.echo(_summary(*totals, *counts, seconds), err=summary_to_stderr)


def _units_address(record: dict[str, Any], cooperative: str | None) -> str:
    """The ВРЕ contract of `cooperative` (a slug of the deployment record, or the address of
    its ВРЕ contract); unset: the record's first cooperative."""
    if cooperative and cooperative.startswith("0x"):
        if len(cooperative) != 42:
            raise click.BadParameter("адрес из 40 шестнадцатеричных цифр / a 20-byte hex address")
        return cooperative
    cooperatives: dict[str, Any] = record.get("cooperatives") or {}
    if not cooperatives:
        raise click.ClickException(
            "в записи о развёртывании нет кооперативов / the deployment record names no "
            "cooperative: pass --cooperative 0x<ВРЕ contract address>"
        )
    slug = cooperative or next(iter(cooperatives))
    if slug not in cooperatives or "settlement_units" not in cooperatives[slug]:
        known = ", ".join(cooperatives)
        raise click.BadParameter(f"нет такого кооператива / unknown cooperative {slug!r}: {known}")
    return str(cooperatives[slug]["settlement_units"])


def _programs_address(record: dict[str, Any], cooperative: str | None, explicit: str | None) -> str:
    """The TargetPrograms of `cooperative`: `explicit`, else the deployment record's."""
    if explicit:
        return explicit
    cooperatives: dict[str, Any] = record.get("cooperatives") or {}
    slug = cooperative if cooperative and not cooperative.startswith("0x") else None
    for name, coop in cooperatives.items():
        if (slug is None or name == slug) and isinstance(coop, dict) and "target_programs" in coop:
            return str(coop["target_programs"])
    raise click.BadParameter(
        "нет контракта целевых программ / no target_programs in the deployment record: "
        "pass --programs-contract 0x..."
    )


@clearing.command("run")
@click.option(
    "--cooperative",
    "-c",
    default=None,
    help="Кооператив (имя в записи о развёртывании или адрес контракта ВРЕ) / cooperative "
    "(slug of the deployment record, or the ВРЕ contract's address).",
)
@click.option(
    "--max-per-chunk",
    type=click.IntRange(min=2),
    default=DEFAULT_MAX_PER_CHUNK,
    show_default=True,
    help="Наибольшее число записей в одной транзакции / most entries in one transaction.",
)
@click.option("--dry-run", is_flag=True, help="Только рассчитать / plan, do not submit.")
@click.option("--json", "as_json", is_flag=True, help="Отчёт в JSON / report as JSON.")
@click.option(
    "--source",
    type=click.Choice(["auto", "mirror", "chain"]),
    default="auto",
    show_default=True,
    help="Откуда читать обязательства: зеркало SQL, если оно актуально, иначе блокчейн / "
    "where to read the obligations: the SQL mirror if it is current, else the chain.",
)
@click.option(
    "--max-mirror-lag",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="На сколько блоков зеркало может отставать / how many blocks the mirror may lag.",
)
@click.option(
    "--program",
    type=click.IntRange(min=1),
    default=None,
    help="Свой круг зачёта целевой программы: только обязательства между её участниками / "
    "a target program's own clearing circle: only obligations among its members.",
)
@click.option(
    "--programs-contract",
    default=None,
    help="Адрес контракта целевых программ (по умолчанию из записи о развёртывании) / the "
    "TargetPrograms address (default: the deployment record's target_programs).",
)
def run_command(
    cooperative: str | None,
    max_per_chunk: int,
    dry_run: bool,
    as_json: bool,
    source: str,
    max_mirror_lag: int,
    program: int | None,
    programs_contract: str | None,
) -> None:
    """Провести взаимозачёт в блокчейне / settle the maximum set-off on chain.

    Reads the cooperative's open (accepted) obligations, plans the set-off that clears the
    most, verifies it, and submits it chunk by chunk with settleClearing (anyone may submit:
    the contract checks that every chunk keeps every net position). The obligations come
    from the SQL mirror (DATABASE_URL, or the node's SQLite file if it exists) when it is
    current: it follows this chain, its last block is the chain's head (or at most
    --max-mirror-lag blocks behind) with the same hash, and it holds this contract; otherwise
    from the chain, one call per obligation (--source chain forces that, --source mirror
    refuses to run without a current mirror). The chain is COOP_RPC_URL (or the local anvil
    of `coop run`); the submitting key is COOP_DEPLOYER_KEY. A chunk that fails (an
    obligation paid meanwhile) is reported and the run goes on with the next one.
    """
    import json

    from node.chain.artifacts import Artifacts, ArtifactsError
    from node.chain.client import Chain, ChainError, account_from_key
    from node.chain.deployment import DeploymentError, read_record
    from node.core.cli_settings import load_settings
    from node.units.clearing_run import MirrorUnavailable, run_clearing, sqlite_file_missing

    settings = load_settings()
    try:
        record = read_record(settings.deployment_file) or {}
        units_address = _units_address(record, cooperative)
        chain = Chain(settings.effective_rpc_url, Artifacts(settings.artifacts_path))
        chain.wait_ready(timeout=10)
        if not chain.has_code(units_address):
            raise click.ClickException(
                f"по адресу {units_address} нет контракта / no contract at {units_address}"
            )
        sender = account_from_key(settings.effective_deployer_key)
        database_url: str | None = settings.effective_database_url
        if settings.database_url is None and sqlite_file_missing(str(database_url)):
            database_url = None  # no DATABASE_URL and no node database: nothing configured
        circle = None
        if program is not None:
            from node.programs import program_circle

            circle = program_circle(
                chain, _programs_address(record, cooperative, programs_contract), program
            )
        report = run_clearing(
            chain,
            units_address,
            sender,
            max_per_chunk=max_per_chunk,
            dry_run=dry_run,
            database_url=database_url,
            source=source,  # type: ignore[arg-type]  # one of click.Choice above
            max_lag=max_mirror_lag,
            circle=circle,
        )
    except MirrorUnavailable as exc:
        raise click.ClickException(
            f"зеркало SQL недоступно или не актуально / the SQL mirror is not usable: {exc}"
        ) from exc
    except (ArtifactsError, ChainError, DeploymentError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(report, indent=2, default=str))
        return
    if report["source"] == "mirror":
        origin = f"зеркало SQL, блок / SQL mirror, block {report['mirror_block']}"
    else:
        origin = "блокчейн / chain"
        if report.get("mirror_not_used"):
            origin += f" (зеркало не использовано / mirror not used: {report['mirror_not_used']})"
    click.echo(f"Источник обязательств / obligations read from: {origin}")
    click.echo(
        f"Открытых обязательств / open obligations: {report['open_obligations']} "
        f"на сумму / totalling {report['debt_total']}; "
        f"зачтено / cleared on chain: {report['cleared_on_chain']} "
        f"(план / planned {report['planned_cleared']}); "
        f"осталось / remaining: {report['remaining_on_chain']}; "
        f"транзакций / chunks: {report['chunks_total']}, "
        f"с ошибкой / failed: {report['chunks_failed']}"
    )
    if report["chunks_failed"]:
        raise SystemExit(1)
