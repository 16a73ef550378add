"""Real scenarios on anvil: a join paid by bank, an exit refunded by bank, and the attacks
(a non-cashier, a replayed line, a second close, wrong fees)."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from eth_account.signers.local import LocalAccount

from node.bank import refunds, tables
from node.bank.formats import Party, parse_1c
from node.bank.matching import Purpose, confirm, lines_by_status, match_pending, reference
from node.bank.settle import (
    ChainBank,
    exit_obligation,
    export_orders,
    issue_orders,
    match_outgoing,
)
from node.bank.store import import_file
from node.cooperative.client import Cooperative, MemberStatus, events
from node.identity.crypto import DecryptionError, KeyRing
from tests.bank.statements import COOP_ACCOUNT, COOP_BIK, COOP_INN, Payment, camt053, one_c
from tests.contracts.conftest import ENTRANCE, MINIMUM, TOKEN, Roles, expect_revert, h

FEES_KOPECKS = (ENTRANCE + MINIMUM) // TOKEN * 100
OURS = Party("ПК «Ромашка»", COOP_INN, "", COOP_ACCOUNT, COOP_BIK)


def applicant(coop: Cooperative, roles: Roles, account: LocalAccount) -> int:
    """Applied and identity-checked; returns the member index the reference carries."""
    coop.apply(account, 0, h(f"id {account.address}"), h(f"application {account.address}"))
    coop.attest_identity(roles.verifier, account.address, h(f"check {account.address}"))
    return int(coop.membership.functions.memberIndexOf(account.address).call())


def join_by_bank(
    coop: Cooperative, roles: Roles, bank: ChainBank, db: sa.Engine, account: LocalAccount, n: str
) -> None:
    index = applicant(coop, roles, account)
    purpose = f"Взносы {reference(index, Purpose.ENTRY)}"
    import_file(
        db, one_c([Payment(n, FEES_KOPECKS, purpose, payer_account=f"408178100000000{n:0>5}")])
    )
    assert match_pending(db, bank.directory()) == {"proposed": 1, "queued": 0}
    assert confirm(db, None) == 1
    assert len(bank.record_incoming(db, roles.cashier)) == 1
    coop.admit(roles.executor, account.address, h(f"admission {account.address}"))


def test_join_paid_by_bank(
    coop: Cooperative,
    roles: Roles,
    chain_bank: ChainBank,
    bank_db: sa.Engine,
    new_account: Callable[[], LocalAccount],
) -> None:
    alice, bob, carol = new_account(), new_account(), new_account()
    indices = [applicant(coop, roles, a) for a in (alice, bob, carol)]
    payments = [
        Payment("101", FEES_KOPECKS, f"Взнос {reference(indices[0], Purpose.ENTRY)}"),
        Payment(
            "102",
            FEES_KOPECKS,
            f"Взнос {reference(indices[1], Purpose.ENTRY)}",
            payer_account="40817810000000000002",
        ),
        # Carol pays only part: it waits in the queue with the reason.
        Payment(
            "103",
            FEES_KOPECKS - 100_00,
            f"{reference(indices[2], Purpose.ENTRY)}",
            payer_account="40817810000000000003",
        ),
        Payment("104", 50_00, "Оплата без ссылки", payer_account="40817810000000000004"),
    ]
    import_file(bank_db, camt053(payments))
    assert match_pending(bank_db, chain_bank.directory()) == {"proposed": 2, "queued": 2}
    queued = {r.number: r.reason for r in lines_by_status(bank_db, "queued")}
    assert "частичная оплата" in queued["103"]
    assert "нет ссылки" in queued["104"]
    # The cashier confirms both proposals; one transaction records both.
    assert confirm(bank_db, None) == 2
    sent = chain_bank.record_incoming(bank_db, roles.cashier)
    assert len(sent) == 1
    receipt = coop.chain.w3.eth.get_transaction_receipt(sent[0])
    recorded = events(chain_bank.settlements, "PaymentRecorded", receipt)
    assert {e.args.payer for e in recorded} == {alice.address, bob.address}
    for account in (alice, bob):
        assert coop.member(account.address).fees_paid
        coop.admit(roles.executor, account.address, h(f"admission {account.address}"))
        assert coop.status(account.address) is MemberStatus.MEMBER
        assert coop.holding(account.address).paid_off_chain == MINIMUM
    assert not coop.member(carol.address).fees_paid
    # Re-running the send changes nothing: nothing left confirmed.
    assert chain_bank.record_incoming(bank_db, roles.cashier) == []
    # The payer is now known: a later payment from Alice's account without a reference is
    # no longer anonymous.
    import_file(
        bank_db, one_c([Payment("105", 10_00, "пай", payer_account="40817810000000000001")])
    )
    match_pending(bank_db, chain_bank.directory())
    (row,) = [r for r in lines_by_status(bank_db, "queued") if r.number == "105"]
    assert alice.address in (row.reason or "")


def test_attacks_refused(
    coop: Cooperative,
    roles: Roles,
    chain_bank: ChainBank,
    new_account: Callable[[], LocalAccount],
) -> None:
    alice, mallory = new_account(), new_account()
    applicant(coop, roles, alice)
    record = chain_bank.settlements.functions.recordIncoming
    item = (h("line 1"), alice.address, ENTRANCE + MINIMUM, 0, b"\0" * 32)
    # Not a cashier: refused, nothing attested.
    expect_revert(
        lambda: coop.chain.transact(record([item]), mallory),
        "BankSettlementsNotCashier",
        mallory.address,
    )
    # The contract's own address is a cashier, but only for calls it makes itself; and a
    # cashier's amount must equal the fees due.
    expect_revert(
        lambda: coop.chain.transact(
            record([(h("line 0"), alice.address, MINIMUM, 0, b"\0" * 32)]), roles.cashier
        ),
        "BankSettlementsWrongFees",
    )
    assert not coop.member(alice.address).fees_paid
    coop.chain.transact(record([item]), roles.cashier)
    assert coop.member(alice.address).fees_paid
    # The same line again (replay): refused, even under another purpose.
    expect_revert(
        lambda: coop.chain.transact(
            record([(h("line 1"), alice.address, 5 * TOKEN, 2, b"\0" * 32)]), roles.cashier
        ),
        "BankSettlementsLineRecorded",
    )
    # Double close of one owed amount, even with a different line.
    close = chain_bank.settlements.functions.recordOutgoing
    obligation = exit_obligation(alice.address, h("exit decision"))
    coop.chain.transact(
        close([(h("out 1"), alice.address, MINIMUM, obligation, h("exit decision"))]),
        roles.cashier,
    )
    expect_revert(
        lambda: coop.chain.transact(
            close([(h("out 2"), alice.address, MINIMUM, obligation, h("exit decision"))]),
            roles.cashier,
        ),
        "BankSettlementsAlreadyClosed",
    )
    # An outgoing line cannot reuse an incoming one either.
    expect_revert(
        lambda: coop.chain.transact(
            close([(h("line 1"), alice.address, MINIMUM, h("other"), h("d"))]), roles.cashier
        ),
        "BankSettlementsLineRecorded",
    )
    # A cashier removed by decision can no longer record.
    coop.chain.transact(coop.charter.functions.setRoles(roles.cashier.address, 0), roles.executor)
    expect_revert(
        lambda: coop.chain.transact(
            close([(h("out 3"), alice.address, 1, h("o3"), h("d"))]), roles.cashier
        ),
        "BankSettlementsNotCashier",
    )


def test_exit_refunded_by_bank(
    coop: Cooperative,
    roles: Roles,
    chain_bank: ChainBank,
    bank_db: sa.Engine,
    new_account: Callable[[], LocalAccount],
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    alice = new_account()
    join_by_bank(coop, roles, chain_bank, bank_db, alice, "201")
    decision = h(f"exit {alice.address}")
    # The exit application carries the bank details for the refund: validated, stored sealed.
    ring = KeyRing([os.urandom(32)])
    with pytest.raises(refunds.RefundDetailsError, match="контрольному ключу"):
        refunds.validate("Алиса", "40702810138000017240", "044525225")
    details = refunds.validate("Алиса Петровна", "40702810038000017240", "044525225")
    refunds.save(bank_db, ring, alice.address, details, "0x" + h("exit application").hex())
    with pytest.raises(DecryptionError):  # sealed to Alice: not readable as anyone else's
        refunds.load_sealed_as(bank_db, ring, alice.address, roles.cashier.address)
    coop.request_exit(alice, h("exit application"))
    coop.exit(roles.executor, alice.address, decision)
    (owed,) = chain_bank.owed_exits()
    assert owed.account == alice.address and owed.amount == MINIMUM // TOKEN * 100
    # Payment order: one per owed amount, to the account the exit application named.
    payees = refunds.payees(bank_db, ring, [alice.address])
    created, skipped = issue_orders(bank_db, chain_bank.owed_exits(), payee_override=payees)
    assert len(created) == 1 and skipped == []
    assert issue_orders(bank_db, chain_bank.owed_exits()) == ([], [])
    orders_file = export_orders(bank_db, OURS)
    (order_line,) = parse_1c(orders_file).lines
    assert order_line.amount == owed.amount and order_line.payee.account == details.account
    assert order_line.payee.name == "Алиса Петровна"
    # The bank pays it; its statement shows the line: the order is paid and closed on chain.
    paid = Payment(
        "9001",
        owed.amount,
        order_line.purpose,
        incoming=False,
        payee_account=order_line.payee.account,
    )
    import_file(bank_db, one_c([paid]))
    assert match_outgoing(bank_db) == {"paid": 1, "queued": 0}
    (_tx,) = chain_bank.close_paid(bank_db, roles.cashier)
    assert chain_bank.settlements.functions.closedBy(owed.obligation).call() != b"\0" * 32
    with bank_db.connect() as conn:
        status = conn.execute(sa.select(tables.order.c.status)).scalar_one()
    assert status == "closed"
    # The bank pays the same order twice: the second line is queued, never closes again.
    again = Payment(
        "9002",
        owed.amount,
        order_line.purpose,
        incoming=False,
        payee_account=order_line.payee.account,
    )
    import_file(bank_db, one_c([again]))
    assert match_outgoing(bank_db) == {"paid": 0, "queued": 1}
    (row,) = lines_by_status(bank_db, "queued")
    assert "уже оплачено" in (row.reason or "")
    assert chain_bank.close_paid(bank_db, roles.cashier) == []


def test_a_refused_line_does_not_sink_the_batch(
    coop: Cooperative,
    roles: Roles,
    chain_bank: ChainBank,
    bank_db: sa.Engine,
    new_account: Callable[[], LocalAccount],
) -> None:
    alice, bob = new_account(), new_account()
    a, b = applicant(coop, roles, alice), applicant(coop, roles, bob)
    import_file(
        bank_db,
        one_c(
            [
                Payment("601", FEES_KOPECKS, reference(a, Purpose.ENTRY)),
                Payment("602", FEES_KOPECKS, reference(b, Purpose.ENTRY),
                        payer_account="40817810000000000602"),
            ]
        ),
    )  # fmt: skip
    assert match_pending(bank_db, chain_bank.directory())["proposed"] == 2
    confirm(bank_db, None)
    # Meanwhile Bob pays his fees in tokens: his bank payment would be refused on chain.
    coop.chain.transact(coop.token.functions.mint(bob.address, ENTRANCE + MINIMUM), roles.deployer)
    coop.approve_treasury(bob)
    coop.pay_fees(bob, bob.address)
    assert len(chain_bank.record_incoming(bank_db, roles.cashier)) == 1
    assert coop.member(alice.address).fees_paid
    (row,) = lines_by_status(bank_db, "queued")
    assert row.number == "602" and "отклонено контрактом" in (row.reason or "")
