"""The facts each document states, built from the chain's mirror (`indexer.queries`).

A fact builder reads the mirror at its current block and returns plain JSON-able data: amounts
as strings of base units, times as unix seconds, addresses checksummed. What a document states
about the chain comes from here, never from what a caller typed: a caller's fields only fill in
what the chain does not know (a meeting question's wording, refund details, a name). The block
the facts were read at is the document's `as_of`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from indexer.models import (
    AssetPublic,
    CouncilItemPublic,
    LoanPublic,
    MeetingPublic,
    MemberPublic,
)
from indexer.queries import fund as fund_q
from indexer.queries import governance as governance_q
from indexer.queries import members as members_q
from indexer.queries import property as property_q
from indexer.queries import shares as shares_q
from indexer.queries.common import Db as _Db

Db = _Db
PAGE = 500
DISPOSAL = (
    "продажа / sale",
    "передача / transfer out",
    "залог / pledge",
    "списание / write-off",
)
"""`IPropertyRegistry.DisposalKind`."""


class FactsNotFound(LookupError):
    """The mirror has no such meeting, item, loan, asset or member."""


def cooperative(name: str, charter: str, chain_id: int) -> dict[str, Any]:
    return {"name": name, "charter": charter, "chain_id": chain_id}


def header(coop: Mapping[str, Any], date: str, as_of: int | None = None) -> dict[str, Any]:
    """What every document carries: the cooperative, the document's date, the mirror block."""
    out: dict[str, Any] = {"cooperative": dict(coop), "date": date}
    if as_of is not None:
        out["as_of"] = as_of
    return out


def _s(value: int) -> str:
    return str(int(value))


def member(m: MemberPublic, name: str | None = None) -> dict[str, Any]:
    return {
        "account": m.account,
        "name": name,
        "kind_name": m.kind_name,
        "status_name": m.status_name,
        "applied_at": m.applied_at,
        "admitted_at": m.admitted_at,
        "share_balance": _s(m.share_balance),
        "refundable": _s(m.shares.refundable),
        "shares": {
            "minimum_share": _s(m.shares.minimum_share),
            "voluntary_shares": _s(m.shares.voluntary_shares),
            "in_kind_shares": _s(m.shares.in_kind_shares),
            "entrance_fee": _s(m.shares.entrance_fee),
        },
    }


def get_member(db: Db, coop: str, account: str, chain_id: int) -> MemberPublic:
    found = members_q.get_member(db, coop, account, chain_id=chain_id)
    if found is None:
        raise FactsNotFound(f"{account} has no membership record")
    return found


def member_extract(
    db: Db, coop: str, account: str, chain_id: int, name: str | None = None
) -> dict[str, Any]:
    """Выписка из реестра пайщиков: the member's record and every share movement."""
    m = get_member(db, coop, account, chain_id)
    ledger = shares_q.share_ledger(db, coop, account, chain_id=chain_id)
    return {
        "as_of": m.as_of.number,
        "member": member(m, name),
        "ledger": [
            {"block": e.event.block_number, "entry": e.action, "amount": str(e.amount)}
            for e in ledger.data
        ],
    }


def member_register(
    db: Db, coop: str, chain_id: int, names: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Реестр пайщиков: every account with a membership record, paged from the mirror."""
    rows: list[dict[str, Any]] = []
    total = 0
    offset = 0
    as_of = None
    while True:
        page = members_q.list_members(db, coop, None, offset, PAGE, chain_id=chain_id)
        as_of = page.as_of.number if as_of is None else as_of
        for m in page.data:
            rows.append(member(m, (names or {}).get(m.account)))
            total += m.share_balance
        offset += len(page.data)
        if not page.data or offset >= page.count:
            break
    return {"as_of": as_of, "members": rows, "total_shares": str(total)}


def _meeting(db: Db, coop: str, meeting_id: int, chain_id: int) -> tuple[MeetingPublic, int]:
    """The meeting and the mirror block it was read at."""
    page = governance_q.meetings(db, coop, chain_id=chain_id)
    for m in page.data:
        if m.meeting_id == meeting_id:
            return m, page.as_of.number
    raise FactsNotFound(f"no meeting {meeting_id}")


def meeting(
    db: Db, coop: str, meeting_id: int, chain_id: int, texts: Sequence[str] = ()
) -> dict[str, Any]:
    """A general meeting as the chain has it: agenda, tallies, quorum, every ballot.

    `texts` are the questions' wording (the chain holds each question's document hash)."""
    m, as_of = _meeting(db, coop, meeting_id, chain_id)
    questions = []
    for q in m.questions:
        questions.append(
            {
                "index": q.index,
                "text": texts[q.index] if q.index < len(texts) else None,
                "document_hash": q.document_hash,
                "for_votes": q.for_votes,
                "against_votes": q.against_votes,
                "abstain_votes": q.abstain_votes,
                "accepted": q.accepted,
            }
        )
    needed = -(-m.eligible * m.quorum_bps // 10_000)
    return {
        "as_of": as_of,
        "meeting": {
            "meeting_id": m.meeting_id,
            "contract": m.contract,
            "state_name": m.state_name,
            "opens_at": m.opens_at,
            "closes_at": m.closes_at,
            "record_block": m.record_block,
            "quorum_bps": m.quorum_bps,
            "eligible": m.eligible,
            "participants": m.participants,
            "quorum_reached": m.participants >= needed and m.participants > 0,
            "chair": m.chair,
            "secretary": m.secretary,
            "questions": questions,
            "ballots": [
                {
                    "voter": b.voter,
                    "choices": b.choices,
                    "by_signature": b.by_signature,
                    "rejected_reason": b.rejected_reason,
                    "block": b.event.block_number,
                }
                for b in m.ballots
            ],
        },
    }


def ballot(
    db: Db,
    coop: str,
    meeting_id: int,
    voter: str,
    chain_id: int,
    texts: Sequence[str] = (),
    name: str | None = None,
) -> dict[str, Any]:
    """A member's ballot: blank before they vote, with their choices after."""
    facts = meeting(db, coop, meeting_id, chain_id, texts)
    cast = next((b for b in facts["meeting"]["ballots"] if b["voter"] == voter), None)
    facts["meeting"].pop("ballots")
    facts["voter"] = {
        "account": voter,
        "name": name,
        "choices": cast["choices"] if cast else None,
        "by_signature": bool(cast and cast["by_signature"]),
    }
    return facts


def proxy(
    db: Db,
    coop: str,
    meeting_id: int,
    principal: Mapping[str, Any],
    holder: Mapping[str, Any],
    expires_at: int,
    chain_id: int,
    texts: Sequence[str] = (),
) -> dict[str, Any]:
    """A proxy (доверенность) for one meeting: the meeting's agenda, who gives it to whom, until
    when. The chain's facts of the meeting; `principal` and `holder` carry an account and, for
    those allowed to see it, a name."""
    facts = meeting(db, coop, meeting_id, chain_id, texts)
    facts["meeting"].pop("ballots")
    facts["proxy"] = {
        "principal": dict(principal),
        "holder": dict(holder),
        "expires_at": int(expires_at),
    }
    return facts


def notice_delivery_list(document: Mapping[str, Any], sha256: str) -> dict[str, Any]:
    """The sealed delivery list of a meeting's notice (`node/notices/delivery_list.py`) as the
    facts of its PDF: the canonical JSON's content as is, and that JSON's SHA-256, so that the
    PDF (whose hash is the one anchored) still proves the JSON it was made from. The notices'
    record, not the mirror, is the source: it is what the node sent, which the chain never
    sees."""
    return {"delivery_list": dict(document), "delivery_list_sha256": sha256}


def _items(db: Db, coop: str, chain_id: int) -> Iterable[CouncilItemPublic]:
    offset = 0
    while True:
        page = governance_q.council_items(db, coop, None, offset, PAGE, chain_id=chain_id)
        yield from page.data
        offset += len(page.data)
        if not page.data or offset >= page.count:
            return


def _item(i: CouncilItemPublic, title: str | None = None) -> dict[str, Any]:
    return {
        "item_id": i.item_id,
        "title": title,
        "state_name": i.state_name,
        "for_votes": i.for_votes,
        "against_votes": i.against_votes,
        "abstain_votes": i.abstain_votes,
        "document_hash": i.document_hash,
        "protocol_hash": i.protocol_hash,
        "proposer": i.proposer,
        "votes": [
            {"member": v.member, "support": v.support, "block": v.event.block_number}
            for v in i.votes
        ],
    }


def council_item(db: Db, coop: str, item_id: int, chain_id: int) -> dict[str, Any]:
    for i in _items(db, coop, chain_id):
        if i.item_id == item_id:
            return _item(i)
    raise FactsNotFound(f"no council item {item_id}")


def council_protocol(
    db: Db,
    coop: str,
    item_ids: Sequence[int],
    chain_id: int,
    council: Sequence[str],
    titles: Mapping[int, str] | None = None,
) -> dict[str, Any]:
    """Протокол заседания совета: the items considered, each with its tally and votes."""
    wanted = set(item_ids)
    items = [_item(i, (titles or {}).get(i.item_id)) for i in _items(db, coop, chain_id)]
    chosen = [i for i in items if i["item_id"] in wanted]
    missing = wanted - {i["item_id"] for i in chosen}
    if missing:
        raise FactsNotFound(f"no council items {sorted(missing)}")
    present = sorted({v["member"] for i in chosen for v in i["votes"]})
    return {"council": list(council), "present": present, "items": chosen}


def share_refund(m: MemberPublic, deductions: int = 0, name: str | None = None) -> dict[str, Any]:
    """Расчёт паевого взноса к возврату: the refundable share less what the member owes."""
    refundable = m.shares.refundable
    return {
        "as_of": m.as_of.number,
        "member": member(m, name),
        "deductions": str(min(deductions, refundable)),
        "to_refund": str(max(refundable - deductions, 0)),
    }


def loan(
    db: Db,
    fund: str,
    loan_id: int,
    chain_id: int,
    schedule: Sequence[tuple[int, int]],
    name: str | None = None,
) -> dict[str, Any]:
    """Договор займа: the loan, its schedule (cumulative due, due time) and guarantees."""
    found: LoanPublic | None = fund_q.get_loan(db, fund, loan_id, chain_id=chain_id)
    if found is None:
        raise FactsNotFound(f"no loan {loan_id}")
    total = found.principal + found.interest
    rows, before = [], 0
    for i, (due, at) in enumerate(schedule, 1):
        rows.append(
            {
                "index": i,
                "due": at,
                "after_days": found.term * i // max(len(schedule), 1) // 86_400,
                "amount": str(due - before),
                "remaining": str(total - due),
            }
        )
        before = due
    return {
        "as_of": found.last_event.block_number,
        "loan": {
            "loan_id": found.loan_id,
            "contract": found.contract,
            "borrower": found.borrower,
            "principal": str(found.principal),
            "interest": str(found.interest),
            "term": found.term,
            "instalments": found.instalments,
            "disbursed_at": found.disbursed_at,
            "purpose": found.purpose,
            "state_name": found.state_name,
            "guarantees": [
                {"guarantor": g.guarantor, "amount": str(g.amount), "accepted": g.accepted}
                for g in found.guarantees
            ],
        },
        "borrower": {"name": name},
        "schedule": rows,
    }


def asset(
    db: Db, registry: str, token_id: int, chain_id: int, party_name: str | None = None
) -> dict[str, Any]:
    """Акт приёма-передачи имущества: a contribution in kind (the custodian hands it over) or,
    once disposed, the disposal to the counterparty."""
    found: AssetPublic | None = property_q.get_asset(db, registry, token_id, chain_id=chain_id)
    if found is None:
        raise FactsNotFound(f"no asset {token_id}")
    disposed = found.disposal_kind is not None and 0 <= found.disposal_kind < len(DISPOSAL)
    party = found.counterparty if disposed and found.counterparty else found.custodian
    return {
        "as_of": found.last_event.block_number,
        "direction": "disposal" if disposed else "contribution",
        "party": {"account": party, "name": party_name},
        "asset": {
            "token_id": found.token_id,
            "contract": found.contract,
            "title": found.title,
            "category_name": found.category_name,
            "valuation": str(found.valuation),
            "custodian": found.custodian,
            "metadata_hash": found.metadata_hash,
            "encumbered": found.encumbered,
            "pledgee": found.pledgee,
            "pledge_amount": str(found.pledge_amount),
            "disposal_name": DISPOSAL[found.disposal_kind or 0] if disposed else None,
            "disposal_amount": str(found.disposal_amount or 0),
        },
    }


def delivery_order(order: Any, offer: Any) -> dict[str, Any]:
    """Акт сдачи-приёмки of an exchange order (`node.exchange.models.Order` and its offer)."""
    return {
        "order": {
            "id": order.id,
            "supplier": order.supplier,
            "buyer": order.buyer,
            "receiver": getattr(order, "receiver", None),
            "title": offer.title,
            "quantity": order.quantity,
            "unit": offer.unit,
            "unit_price": str(order.unit_price),
            "total": str(order.total),
            "document_sha256": order.document_sha256,
            "obligation_id": order.obligation_id,
        }
    }


UNITS = ("hour", "result")


def labour_act(
    member_account: str,
    member_name: str | None,
    register: str,
    rate: Mapping[str, Any],
    period: int,
    quantity: int,
    task: str,
    result: str,
    value: int,
) -> dict[str, Any]:
    """Акт о результатах труда: what a member did in `period` (a task, hours in hundredths or
    a number of results at the decided `rate`: `{rate_id, price, unit, document}` as the
    register states it) and its valuation as the register computes it. The member signs it and
    records its hash with the work; the approver named by the charter signs it on approval."""
    unit = int(rate["unit"])
    quantity_text = (
        f"{quantity // 100}.{quantity % 100:02d} ч / h" if unit == 0 else f"{quantity} шт. / pcs"
    )
    return {
        "act": {
            "member": {"account": member_account, "name": member_name},
            "register": register,
            "period": int(period),
            "task": task,
            "result": result,
            "rate_id": int(rate["rate_id"]),
            "rate_price": _s(rate["price"]),
            "rate_unit": UNITS[unit],
            "rate_document": rate["document"],
            "quantity": int(quantity),
            "quantity_text": quantity_text,
            "value": _s(value),
        }
    }
