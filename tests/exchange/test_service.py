"""The exchange's rules on real databases (SQLite and PostgreSQL) migrated by the gateway's
Alembic history: the state machine, reservations, refusals that change nothing, search,
reputation."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from indexer.db import make_engine
from node.api.db import migrate
from node.exchange import service
from node.exchange.models import Offer, Order
from node.exchange.service import ExchangeError, Facts

COOP = "0x" + "cc" * 20
ALICE = "0x" + "a1" * 20
BOB = "0x" + "b0" * 20
CAROL = "0x" + "c0" * 20
E18 = 10**18


@pytest.fixture()
def session(db_factory: Callable[[], str]) -> Iterator[Session]:
    engine = make_engine(db_factory())
    migrate(engine)
    with Session(engine) as s:
        yield s
    engine.dispose()


def _offer(session: Session, **kw: object) -> Offer:
    args: dict[str, object] = {
        "cooperative": COOP,
        "supplier": ALICE,
        "title": "Мёд липовый",
        "description": "Свежий мёд с пасеки",
        "category": "Еда",
        "unit": "кг",
        "price": 10 * E18,
        "quantity": 5,
        "region": "Алтай",
    }
    args.update(kw)
    return service.create_offer(session, **args)  # type: ignore[arg-type]


def test_migration_creates_tables(session: Session) -> None:
    names = set(sa.inspect(session.get_bind()).get_table_names())
    assert {"api_exchange_offer", "api_exchange_order"} <= names


def test_every_state_is_reachable_and_terminal_states_are_final() -> None:
    reachable = {"requested"}
    frontier = ["requested"]
    while frontier:
        for nxt in service.TRANSITIONS[frontier.pop()]:
            if nxt not in reachable:
                reachable.add(nxt)
                frontier.append(nxt)
    assert reachable == set(service.TRANSITIONS)
    for final in ("completed", "declined", "cancelled"):
        assert service.TRANSITIONS[final] == frozenset()
    # A dispute waits for the council's decision: for the buyer or for the supplier.
    assert service.TRANSITIONS["disputed"] == {"cancelled", "delivered", "completed"}


def test_order_reserves_and_refusals_change_nothing(session: Session) -> None:
    offer = _offer(session)
    with pytest.raises(ExchangeError) as too_many:
        service.place_order(session, offer_id=offer.id or 0, buyer=BOB, quantity=6)
    assert too_many.value.status == 409
    with pytest.raises(ExchangeError) as own:
        service.place_order(session, offer_id=offer.id or 0, buyer=ALICE, quantity=1)
    assert own.value.status == 422
    session.refresh(offer)
    assert offer.quantity == 5
    order = service.place_order(session, offer_id=offer.id or 0, buyer=BOB, quantity=3)
    session.refresh(offer)
    assert (order.status, order.total, offer.quantity) == ("requested", str(30 * E18), 2)
    with pytest.raises(ExchangeError) as not_supplier:
        service.confirm_order(session, order.id or 0, BOB, "00" * 32)
    assert not_supplier.value.status == 403
    assert service.get_order(session, order.id or 0).status == "requested"
    service.decline_order(session, order.id or 0, ALICE)
    session.refresh(offer)
    assert offer.quantity == 5
    with pytest.raises(ExchangeError) as twice:
        service.decline_order(session, order.id or 0, ALICE)
    assert twice.value.status == 409


def test_withdrawn_offer_refuses_orders_and_edits(session: Session) -> None:
    offer = _offer(session)
    with pytest.raises(ExchangeError) as other:
        service.withdraw_offer(session, offer.id or 0, BOB)
    assert other.value.status == 403
    service.withdraw_offer(session, offer.id or 0, ALICE)
    for act in (
        lambda: service.place_order(session, offer_id=offer.id or 0, buyer=BOB, quantity=1),
        lambda: service.update_offer(session, offer.id or 0, ALICE, {"title": "x"}),
        lambda: service.withdraw_offer(session, offer.id or 0, ALICE),
    ):
        with pytest.raises(ExchangeError) as refused:
            act()
        assert refused.value.status == 409


def test_attachment_checks() -> None:
    assert service.check_attachment("image/png", 10) == "image/png"
    assert service.check_attachment("text/plain; charset=utf-8", 10) == "text/plain"
    for media, size, status in (
        ("image/png", service.MAX_ATTACHMENT_BYTES + 1, 413),
        ("application/x-msdownload", 10, 415),
        ("image/png", 0, 422),
    ):
        with pytest.raises(ExchangeError) as refused:
            service.check_attachment(media, size)
        assert refused.value.status == status


def test_chain_facts_drive_the_state_machine(session: Session) -> None:
    offer = _offer(session)
    order = service.place_order(session, offer_id=offer.id or 0, buyer=BOB, quantity=1)
    service.confirm_order(session, order.id or 0, ALICE, "ab" * 32)
    assert not service.apply_facts(session, order, Facts())
    assert service.apply_facts(session, order, Facts(7, "issued"))
    assert (order.status, order.obligation_id) == ("invoiced", 7)
    service.apply_facts(session, order, Facts(7, "accepted", frozenset({ALICE})))
    assert order.status == "invoiced" and not order.act_signed
    assert order.invoice_status == "accepted"
    service.apply_facts(session, order, Facts(7, "accepted", frozenset({ALICE, BOB})))
    assert order.status == "delivered" and order.act_signed
    service.apply_facts(session, order, Facts(7, "settled", frozenset({ALICE, BOB})))
    assert (order.status, order.settlement) == ("completed", "settled")
    # Settled before the act is signed: stays invoiced until both sign, then completes.
    second = service.place_order(session, offer_id=offer.id or 0, buyer=CAROL, quantity=1)
    service.confirm_order(session, second.id or 0, ALICE, "cd" * 32)
    service.apply_facts(session, second, Facts(8, "settled"))
    assert second.status == "invoiced"
    service.apply_facts(session, second, Facts(8, "settled", frozenset({ALICE, CAROL})))
    assert second.status == "completed"
    # A cancelled invoice cancels the order and returns its quantity.
    third = service.place_order(session, offer_id=offer.id or 0, buyer=BOB, quantity=2)
    service.confirm_order(session, third.id or 0, ALICE, "ef" * 32)
    before = session.get(Offer, offer.id)
    assert before is not None and before.quantity == 1
    service.apply_facts(session, third, Facts(9, "cancelled"))
    session.refresh(before)
    assert third.status == "cancelled" and before.quantity == 3


def test_dispute_outcome_union_delivery_and_token_payment(session: Session) -> None:
    offer = _offer(session, quantity=10, token_price=3 * E18)
    # A dispute waits for the council; its outcome (only) moves the order on.
    order = service.place_order(session, offer_id=offer.id or 0, buyer=BOB, quantity=2)
    service.confirm_order(session, order.id or 0, ALICE, "01" * 32)
    service.apply_facts(session, order, Facts(1, "issued"))
    service.dispute_order(session, order.id or 0, BOB, "02" * 32)
    assert not service.apply_facts(session, order, Facts(1, "issued"))
    assert order.status == "disputed"
    assert service.apply_facts(session, order, Facts(1, "issued", dispute_outcome="supplier"))
    assert (order.status, order.dispute_outcome) == ("delivered", "supplier")
    service.apply_facts(session, order, Facts(1, "settled", dispute_outcome="supplier"))
    assert order.status == "completed"
    # The resolution document's hash tells the outcome; any other protocol does not.
    import hashlib

    for outcome in ("buyer", "supplier"):
        digest = hashlib.sha256(service.resolution_document(order, outcome)).hexdigest()
        assert service.outcome_of(order, "0x" + digest) == outcome
    assert service.outcome_of(order, "0x" + "00" * 32) is None
    with pytest.raises(ExchangeError):
        service.resolution_document(order, "draw")

    # Between cooperatives the buyer cooperative's acceptance stands for the act.
    cross = service.place_order(
        session,
        offer_id=offer.id or 0,
        buyer=CAROL,
        quantity=1,
        buyer_cooperative="0x" + "dd" * 20,
        union_charter="0x" + "ee" * 20,
    )
    service.confirm_order(session, cross.id or 0, ALICE, "03" * 32)
    service.apply_facts(session, cross, Facts(2, "accepted"))
    assert cross.status == "delivered" and not cross.act_signed
    with pytest.raises(ExchangeError) as token_union:
        service.place_order(
            session,
            offer_id=offer.id or 0,
            buyer=CAROL,
            quantity=1,
            currency="token",
            buyer_cooperative="0x" + "dd" * 20,
        )
    assert token_union.value.status == 422

    # A token order: paid once, by one transaction, only by the buyer, after confirmation.
    paid = service.place_order(
        session, offer_id=offer.id or 0, buyer=BOB, quantity=1, currency="token"
    )
    assert paid.token_total == str(3 * E18)
    tx = "0x" + "ab" * 32
    with pytest.raises(ExchangeError):
        service.record_token_payment(session, paid.id or 0, BOB, tx)  # not confirmed yet
    service.confirm_order(session, paid.id or 0, ALICE, "04" * 32)
    with pytest.raises(ExchangeError):
        service.record_token_payment(session, paid.id or 0, ALICE, tx)
    service.record_token_payment(session, paid.id or 0, BOB, tx)
    assert (paid.status, paid.settlement) == ("invoiced", "token")
    again = service.place_order(
        session, offer_id=offer.id or 0, buyer=BOB, quantity=1, currency="token"
    )
    service.confirm_order(session, again.id or 0, ALICE, "05" * 32)
    with pytest.raises(ExchangeError) as reused:
        service.record_token_payment(session, again.id or 0, BOB, tx)
    assert reused.value.status == 409 and again.token_payment_tx is None
    service.apply_facts(session, paid, Facts(act_signers=frozenset({ALICE, BOB})))
    assert paid.status == "completed"


def test_concurrent_followers_return_the_quantity_once(
    session: Session, db_factory: Callable[[], str]
) -> None:
    offer = _offer(session, quantity=4)
    order = service.place_order(session, offer_id=offer.id or 0, buyer=BOB, quantity=3)
    service.confirm_order(session, order.id or 0, ALICE, "06" * 32)
    service.dispute_order(session, order.id or 0, BOB, "07" * 32)
    engine = session.get_bind()
    with Session(engine) as first, Session(engine) as second:
        a = service.get_order(first, order.id or 0)
        b = service.get_order(second, order.id or 0)  # both read `disputed`
        service.apply_facts(first, a, Facts(dispute_outcome="buyer"))
        service.apply_facts(second, b, Facts(dispute_outcome="buyer"))
        assert a.status == b.status == "cancelled"
    fresh = session.get(Offer, offer.id)
    assert fresh is not None
    session.refresh(fresh)
    assert fresh.quantity == 4


def test_search_filters_and_pages(session: Session) -> None:
    _offer(session)
    _offer(session, title="Мёд гречишный", region="Башкирия", price=20 * E18)
    _offer(
        session,
        title="Починка обуви",
        description="",
        category="Услуги",
        supplier=BOB,
        price=5 * E18,
    )
    withdrawn = _offer(session, title="Мёд старый")
    service.withdraw_offer(session, withdrawn.id or 0, ALICE)

    def titles(**kw: object) -> list[str]:
        rows, _ = service.search_offers(session, service.OfferQuery(**kw))  # type: ignore[arg-type]
        return sorted(r.title for r in rows)

    assert titles(text="МЁД") == ["Мёд гречишный", "Мёд липовый"]
    assert titles(text="мед пасеки") == ["Мёд гречишный", "Мёд липовый"]
    assert titles(category="услуги") == ["Починка обуви"]
    assert titles(region="Башкирия") == ["Мёд гречишный"]
    assert titles(price_min=6 * E18, price_max=15 * E18) == ["Мёд липовый"]
    assert titles(supplier=BOB) == ["Починка обуви"]
    assert titles(text="100%_") == []
    assert titles(cooperatives=["0x" + "00" * 20]) == []
    rows, count = service.search_offers(session, service.OfferQuery(), offset=0, limit=2)
    assert (len(rows), count) == (2, 3)
    # The text index follows edits.
    lime = titles(text="липовый")
    assert lime == ["Мёд липовый"]
    first = service.search_offers(session, service.OfferQuery(text="липовый"))[0][0]
    service.update_offer(session, first.id or 0, ALICE, {"title": "Мёд акациевый"})
    assert titles(text="липовый") == []
    assert titles(text="акациев") == ["Мёд акациевый"]


def test_reputation_counts(session: Session) -> None:
    offer = _offer(session, quantity=10)
    done = service.place_order(session, offer_id=offer.id or 0, buyer=BOB, quantity=1)
    service.confirm_order(session, done.id or 0, ALICE, "01" * 32)
    service.set_act(session, done, "02" * 32)
    service.apply_facts(session, done, Facts(1, "settled", frozenset({ALICE, BOB})))
    declined = service.place_order(session, offer_id=offer.id or 0, buyer=BOB, quantity=1)
    service.decline_order(session, declined.id or 0, ALICE)
    disputed = service.place_order(session, offer_id=offer.id or 0, buyer=CAROL, quantity=1)
    service.confirm_order(session, disputed.id or 0, ALICE, "03" * 32)
    service.dispute_order(session, disputed.id or 0, CAROL, "04" * 32)
    rep = service.reputation(session, ALICE)
    assert (rep.completed, rep.disputed, rep.cancelled, rep.as_supplier) == (1, 1, 1, 3)
    assert rep.acts == ["02" * 32]
    assert session.get(Order, disputed.id).status == "disputed"  # type: ignore[union-attr]


def test_migration_downgrades_and_upgrades(db_factory: Callable[[], str]) -> None:
    from alembic import command
    from alembic.config import Config

    from node.api.db import MIGRATIONS_DIR, VERSION_TABLE

    engine = make_engine(db_factory())
    migrate(engine)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("version_table", VERSION_TABLE)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001_gateway_core")
    names = set(sa.inspect(engine).get_table_names())
    assert not names & {"api_exchange_offer", "api_exchange_order", "api_exchange_offer_fts"}
    migrate(engine)
    with Session(engine) as s:
        _offer(s)
        _, count = service.search_offers(s, service.OfferQuery(text="липовый"))
        assert count == 1
    engine.dispose()


def test_branch_trustee_receives_for_the_buyer(session: Session) -> None:
    """An order delivered to the buyer's branch: its trustee (the receiver) signs the act for
    the buyer; anyone else's signature does not make it delivered."""
    trustee = "0x" + "7e" * 20
    offer = _offer(session)
    order = service.place_order(
        session, offer_id=offer.id or 0, buyer=BOB, quantity=1, receiver=trustee
    )
    assert order.receiver == trustee
    service.confirm_order(session, order.id or 0, ALICE, "ab" * 32)
    service.apply_facts(session, order, Facts(7, "accepted", frozenset({ALICE, CAROL})))
    assert order.status == "invoiced"
    service.apply_facts(session, order, Facts(7, "accepted", frozenset({ALICE, trustee})))
    assert order.status == "delivered" and order.act_signed
