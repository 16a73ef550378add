"""`coop bank ...`: statements in, matches confirmed, payment orders out, the books.

The cashier's key comes from the environment (COOP_CASHIER_KEY), never from the command line
(where other users of the machine could read it in the process list).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from sqlalchemy.engine import Engine

    from node.bank.settle import ChainBank

F = TypeVar("F", bound=Callable[..., object])


def _engine() -> Engine:
    from indexer.db import make_engine
    from node.bank.store import migrate
    from node.cli import load_settings

    engine = make_engine(load_settings().effective_database_url)
    migrate(engine)
    return engine


def _chain_bank(charter: str, settlements: str) -> ChainBank:
    from node.bank.settle import BankChainError, ChainBank
    from node.bank.store import remember_contracts
    from node.chain.artifacts import Artifacts
    from node.chain.client import Chain
    from node.cli import load_settings
    from node.core.config import PROJECT_ROOT

    settings = load_settings()
    chain = Chain(settings.effective_rpc_url, Artifacts(PROJECT_ROOT / ".build" / "__local__.json"))
    try:
        bank = ChainBank(chain, charter, settlements)
    except BankChainError as exc:
        raise click.ClickException(str(exc)) from exc
    remember_contracts(_engine(), bank.charter.address, bank.settlements.address)
    return bank


def _cashier() -> LocalAccount:
    from node.chain.client import account_from_key

    key = os.environ.get("COOP_CASHIER_KEY")
    if not key:
        raise click.ClickException("задайте COOP_CASHIER_KEY (ключ кассира) / set COOP_CASHIER_KEY")
    try:
        return account_from_key(key)
    except ValueError as exc:
        raise click.ClickException("COOP_CASHIER_KEY: неверный ключ / bad key") from exc


_chain_options = [
    click.option("--charter", envvar="COOP_BANK_CHARTER", required=True, help="Charter address"),
    click.option(
        "--settlements",
        envvar="COOP_BANK_SETTLEMENTS",
        required=True,
        help="BankSettlements address",
    ),
]


def chain_options(fn: F) -> F:
    for option in reversed(_chain_options):
        fn = option(fn)
    return fn


@click.group()
def bank() -> None:
    """Рубли: выписки банка, платёжные поручения, учёт / bank statements, orders, books."""


@bank.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def import_command(files: tuple[str, ...]) -> None:
    """Import statements (1C «Клиент-банк» or camt.053); a bad file imports nothing."""
    from node.bank.formats import StatementError
    from node.bank.store import import_file

    engine = _engine()
    for name in files:
        try:
            result = import_file(engine, Path(name).read_bytes())
        except StatementError as exc:
            raise click.ClickException(f"{name}: {exc}") from exc
        if result.already_imported:
            click.echo(f"{name}: уже импортирован, ничего не изменено / already imported")
        else:
            click.echo(f"{name}: строк {result.lines}, новых {result.new_lines}")


@bank.command("match")
@chain_options
def match_command(charter: str, settlements: str) -> None:
    """Propose what each new payment pays; list the proposals and the queue."""
    from node.bank.exchange import exchange_orders
    from node.bank.formats import format_amount
    from node.bank.matching import lines_by_status, match_pending
    from node.bank.settle import match_outgoing

    engine = _engine()
    chain_bank = _chain_bank(charter, settlements)
    orders = exchange_orders(engine, chain_bank.scale, chain_bank.charter.address)
    counts = match_pending(engine, chain_bank.directory(), orders)
    paid = match_outgoing(engine)
    click.echo(
        f"предложено {counts['proposed']}, в очереди {counts['queued'] + paid['queued']}, "
        f"оплачено поручений {paid['paid']}"
    )
    for row in lines_by_status(engine, "proposed"):
        click.echo(
            f"  #{row.id} {row.booked} {format_amount(row.amount)} {row.payer_name} -> "
            f"{row.match_purpose} {row.match_account}"
        )
    for row in lines_by_status(engine, "queued"):
        click.echo(f"  ? #{row.id} {row.booked} {format_amount(row.amount)}: {row.reason}")


@bank.command("confirm")
@click.option("--all", "confirm_all", is_flag=True, help="Confirm every proposed match")
@click.option("--id", "ids", type=int, multiple=True, help="A line id to confirm")
@chain_options
def confirm_command(
    confirm_all: bool, ids: tuple[int, ...], charter: str, settlements: str
) -> None:
    """Confirm proposed matches and record them on chain in batches (the cashier's key)."""
    from node.bank.matching import confirm

    if not confirm_all and not ids:
        raise click.UsageError("укажите --all или --id")
    engine = _engine()
    chain_bank = _chain_bank(charter, settlements)
    cashier = _cashier()
    count = confirm(engine, None if confirm_all else ids)
    sent = chain_bank.record_incoming(engine, cashier)
    click.echo(f"подтверждено {count}; транзакций {len(sent)}: {' '.join(sent)}")


@bank.command("orders")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False))
@click.option("--account", required=True, help="Расчётный счёт кооператива (20 цифр)")
@click.option("--bik", required=True)
@click.option("--inn", required=True)
@click.option("--name", required=True)
@chain_options
def orders_command(
    out_path: str, account: str, bik: str, inn: str, name: str, charter: str, settlements: str
) -> None:
    """Payment orders (1C file) for every refund owed in rubles that has none yet."""
    from node.bank.formats import Party, inn_valid
    from node.bank.settle import export_orders, issue_orders

    if not (account.isdigit() and len(account) == 20 and bik.isdigit() and len(bik) == 9):
        raise click.BadParameter("счёт 20 цифр, БИК 9 цифр")
    if not inn_valid(inn):
        raise click.BadParameter(f"ИНН {inn}: неверные контрольные цифры")
    engine = _engine()
    created, skipped = issue_orders(engine, _chain_bank(charter, settlements).owed_exits())
    for account_without in skipped:
        click.echo(f"  нет реквизитов для {account_without}: поручение не создано")
    data = export_orders(engine, Party(name=name, inn=inn, account=account, bik=bik))
    Path(out_path).write_bytes(data)
    click.echo(f"новых поручений {len(created)}; файл {out_path}")


@bank.command("close")
@chain_options
def close_command(charter: str, settlements: str) -> None:
    """Close on chain every owed amount a statement shows paid (the cashier's key)."""
    engine = _engine()
    sent = _chain_bank(charter, settlements).close_paid(engine, _cashier())
    click.echo(f"транзакций {len(sent)}: {' '.join(sent)}")


@bank.command("report")
@click.argument("kind", type=click.Choice(["osv", "register", "funds", "member", "1c"]))
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="Period start")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Period end")
@click.option("--member", default=None, help="Member address (kind=member)")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False))
def report_command(
    kind: str, start: dt.datetime | None, end: dt.datetime | None, member: str | None, out_path: str
) -> None:
    """Reports from the books: ОСВ, реестр пайщиков, фонды, движения пайщика; CSV or XLSX."""
    from node.bank import reports

    engine = _engine()
    first = start.date() if start else dt.date(1970, 1, 1)
    last = end.date() if end else dt.date(9999, 12, 31)
    try:
        reports.write(engine, kind, first, last, member, Path(out_path))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"отчёт {kind}: {out_path}")


@bank.command("payout")
@click.option("--kind", type=click.Choice(["loan", "payout"]), required=True)
@click.option("--to", "to_address", required=True, help="Member address")
@click.option("--amount", required=True, help="Rubles, e.g. 15000.00")
@click.option("--decision", required=True, help="Council decision hash (0x…, anchored, signed)")
@click.option("--payee-name", required=True)
@click.option("--payee-inn", required=True)
@click.option("--payee-account", required=True)
@click.option("--payee-bik", required=True)
@click.option(
    "--due",
    type=click.DateTime(formats=["%Y-%m-%d", "%d.%m.%Y"]),
    default=None,
    help="A loan's repayment date (from the decision): after it the loan shows overdue",
)
@chain_options
def payout_command(
    kind: str,
    to_address: str,
    amount: str,
    decision: str,
    payee_name: str,
    payee_inn: str,
    payee_account: str,
    payee_bik: str,
    due: dt.datetime | None,
    charter: str,
    settlements: str,
) -> None:
    """A payment order for a ruble payout by an executed council decision (e.g. a fund loan)."""
    from eth_utils import is_address, to_checksum_address
    from hexbytes import HexBytes

    from node.bank.formats import Party, inn_valid, parse_amount
    from node.bank.settle import BankChainError, issue_orders

    if not is_address(to_address):
        raise click.BadParameter("адрес пайщика")
    try:
        kopecks = parse_amount(amount, 0)
        decision_bytes = bytes(HexBytes(decision))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    if len(decision_bytes) != 32:
        raise click.BadParameter("--decision: 32 байта (0x + 64 hex)")
    if not (payee_account.isdigit() and len(payee_account) == 20):
        raise click.BadParameter("счёт получателя: 20 цифр")
    if not (payee_bik.isdigit() and len(payee_bik) == 9):
        raise click.BadParameter("БИК: 9 цифр")
    if not inn_valid(payee_inn):
        raise click.BadParameter("ИНН получателя: неверные контрольные цифры")
    account = to_checksum_address(to_address)
    try:
        owed = _chain_bank(charter, settlements).decided_payout(
            kind, account, kopecks, decision_bytes, due.date() if due is not None else None
        )
    except BankChainError as exc:
        raise click.ClickException(str(exc)) from exc
    party = Party(name=payee_name, inn=payee_inn, account=payee_account, bik=payee_bik)
    created, _ = issue_orders(_engine(), [owed], payee_override={account: party})
    click.echo(f"поручение создано: {created}" if created else "поручение уже есть")


@bank.command("ledger")
@chain_options
def ledger_command(charter: str, settlements: str) -> None:
    """Rebuild the books from the statement lines and the chain's facts (read from the mirror
    in the same database when it watches BankSettlements, else from the chain)."""
    from node.bank.ledger import chain_facts, rebuild

    engine = _engine()
    count = rebuild(engine, chain_facts(_chain_bank(charter, settlements), engine))
    click.echo(f"проводок: {count}")


@bank.command("deploy")
@click.option("--charter", envvar="COOP_BANK_CHARTER", required=True, help="Charter address")
def deploy_command(charter: str) -> None:
    """Deploy BankSettlements for the cooperative (the node's deployer key) and print the
    decision that grants it the cashier role (`Charter.setRoles(address, 1)`)."""
    from eth_utils import is_address, to_checksum_address

    from node.bank.install import (
        ROLE_CASHIER,
        install_bank_settlements,
        record_in_deployment,
    )
    from node.bank.store import remember_contracts
    from node.chain.artifacts import Artifacts
    from node.chain.client import Chain, account_from_key
    from node.cli import load_settings
    from node.core.config import PROJECT_ROOT

    if not is_address(charter):
        raise click.BadParameter("--charter: адрес")
    settings = load_settings()
    chain = Chain(settings.effective_rpc_url, Artifacts(PROJECT_ROOT / ".build" / "__local__.json"))
    charter = to_checksum_address(charter)
    if not chain.has_code(charter):
        raise click.ClickException(f"по адресу {charter} нет контракта / no contract there")
    deployer = account_from_key(settings.effective_deployer_key)
    address, gas = install_bank_settlements(chain, deployer, charter)
    remember_contracts(_engine(), charter, address)
    slug = record_in_deployment(settings.deployment_file, charter, address)
    if slug is not None:
        click.echo(
            f"записано в {settings.deployment_file} ({slug}); перезапустите узел, чтобы "
            "индексатор следил за контрактом / recorded; restart the node so the indexer watches it"
        )
    data = chain.contract("Charter", charter).encode_abi("setRoles", args=[address, ROLE_CASHIER])
    click.echo(f"BankSettlements: {address} (gas {gas})")
    click.echo("Решение совета / council decision action:")
    click.echo(f"  target {charter}")
    click.echo(f"  data   {data}")
