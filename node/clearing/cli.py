"""`coop clearing ...`: plan the multilateral set-off (взаимозачёт) of members' obligations."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from node.clearing.engine import DEFAULT_MAX_PER_CHUNK, ClearingPlan, plan_clearing, verify_plan
from node.clearing.io import (
    ObligationFileError,
    plan_to_json,
    read_obligations_csv,
    write_text_atomic,
)


@click.group()
def clearing() -> None:
    """Multilateral set-off (взаимозачёт) of obligations between members."""


def _summary(plan: ClearingPlan, seconds: float) -> str:
    total = plan.cleared_total + plan.remaining_total
    share = f"{100 * plan.cleared_total / total:.1f}%" if total else "—"
    entries = sum(len(chunk) for chunk in plan.chunks)
    return (
        f"Зачтено / cleared: {plan.cleared_total} из / of {total} ВРЕ ({share}); "
        f"остаётся / remaining: {plan.remaining_total}\n"
        f"Погашений / settlements: {len(plan.settlements)}; "
        f"частей (транзакций) / chunks (transactions): {len(plan.chunks)}, "
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
    started = time.perf_counter()
    try:
        obligations = read_obligations_csv(input_path)
    except ObligationFileError as exc:
        raise click.ClickException(exc.render()) from exc
    try:
        plan = plan_clearing(obligations, max_per_chunk=max_per_chunk)
    except ValueError as exc:  # e.g. amounts too large for this many obligations
        raise click.ClickException(
            f"не удаётся рассчитать зачёт / cannot plan the clearing: {exc}"
        ) from exc
    try:
        verify_plan(obligations, plan)
    except ValueError as exc:  # a bug, never a user error: refuse to hand out the plan
        raise click.ClickException(
            f"внутренняя ошибка: план не прошёл проверку / internal error: "
            f"the plan failed verification: {exc}"
        ) from exc
    text = plan_to_json(plan)
    if output_path == "-":
        sys.stdout.write(text)
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
    click.echo(_summary(plan, time.perf_counter() - started), err=summary_to_stderr)
