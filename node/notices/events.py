"""What notifies whom, derived from the SQL mirror the indexer keeps.

Two sources:

- `follow`: the mirror's events of the cooperative's contracts in chain order, after a cursor
  `(block, log index)` that is written in the same transaction as the outbox rows they make, so
  a restarted notifier resumes exactly where it stopped (and a replayed event adds nothing: its
  event id is the same).
- `scan`: what becomes due with time (voting opens and ends, an invoice or a loan instalment
  falls due or is overdue), judged at the mirror's block time (the chain's clock, not the
  node's) and keyed so that each fires once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from indexer.models import RawEvent
from indexer.queries import fund as fund_queries
from indexer.queries import governance as gov_queries
from indexer.queries import members as member_queries
from indexer.queries import registry as registry_queries
from indexer.queries import units as units_queries
from indexer.queries.common import NotFound, current_block
from node.notices.store import Notice, enqueue, read_cursor, write_cursor

log = logging.getLogger(__name__)

RAW = RawEvent.__table__  # type: ignore[attr-defined]
ZERO = "0x0000000000000000000000000000000000000000"
#: How long before a due date the reminder goes out (invoices and loan instalments).
REMIND_BEFORE = 3 * 24 * 3600
#: `IGeneralMeeting.Majority` in words.
MAJORITY = (
    ("простое большинство", "simple majority"),
    ("две трети голосов", "two thirds"),
    ("три четверти голосов", "three quarters"),
)
#: Events older than this (chain time, against the mirror's head) notify nobody.
MAX_AGE = 7 * 24 * 3600
#: Raw events read per step (the cursor advances after each).
STEP = 2000


@dataclass(frozen=True)
class Contracts:
    """The served cooperative's contracts the notifier follows (None: not deployed)."""

    chain_id: int
    charter: str
    membership: str
    units: str
    documents: str
    council: str | None = None
    meeting: str | None = None
    fund: str | None = None
    public_url: str = "http://127.0.0.1:8000"
    name: str = ""

    def addresses(self) -> list[str]:
        return [
            a
            for a in (self.membership, self.units, self.council, self.meeting, self.fund)
            if a is not None
        ]

    @property
    def cursor_name(self) -> str:
        return f"events:{self.chain_id}:{self.charter}"


@dataclass
class Pass:
    """What one pass did (for logs, `coop notices status` and the tests)."""

    events: int = 0
    notices: int = 0
    rows: int = 0
    kinds: dict[str, int] = field(default_factory=dict)


# -- recipients ---------------------------------------------------------------------------------


def active_members(conn: Connection, c: Contracts) -> list[str]:
    """Every member with the `member` status in the mirror (the voters of a meeting)."""
    return member_queries.active_accounts(conn, c.charter, c.chain_id)


def council_members(conn: Connection, c: Contracts) -> list[str]:
    """The council's sitting members: its latest `CouncilSeated`."""
    if c.council is None:
        return []
    row = conn.execute(
        sa.select(RAW.c.args)
        .where(
            RAW.c.chain_id == c.chain_id,
            RAW.c.address == c.council,
            RAW.c.event_name == "CouncilSeated",
        )
        .order_by(RAW.c.block_number.desc(), RAW.c.log_index.desc())
        .limit(1)
    ).first()
    return list(row.args["members"]) if row is not None else []


def notice_period(conn: Connection, c: Contracts) -> int:
    """The charter's notice period of a general meeting (seconds), from the mirror."""
    if c.meeting is None:
        return 0
    row = conn.execute(
        sa.select(RAW.c.args)
        .where(
            RAW.c.chain_id == c.chain_id,
            RAW.c.address == c.meeting,
            RAW.c.event_name == "GeneralMeetingParametersSet",
        )
        .order_by(RAW.c.block_number.desc(), RAW.c.log_index.desc())
        .limit(1)
    ).first()
    return int(row.args["noticePeriod"]) if row is not None else 0


def _meeting(conn: Connection, c: Contracts, meeting_id: int) -> Any:
    for m in gov_queries.meetings(conn, meeting_contract=c.meeting, chain_id=c.chain_id).data:
        if m.meeting_id == meeting_id:
            return m
    return None


# -- following the mirror -----------------------------------------------------------------------


HANDLED = (
    "MeetingConvened",
    "MeetingClosed",
    "CouncilItemProposed",
    "CouncilItemPassed",
    "ApplicationSubmitted",
    "MemberAdmitted",
    "MemberBlocked",
    "MemberUnblocked",
    "MemberExited",
    "ObligationIssued",
    "GuaranteeCalled",
)


def _link(c: Contracts, page: str) -> str:
    return f"{c.public_url.rstrip('/')}/#/{page}"


def meeting_notice(conn: Connection, c: Contracts, meeting_id: int, event: Any) -> Notice | None:
    """The legal notice of a convened meeting: agenda, materials, dates, the notice period."""
    m = _meeting(conn, c, meeting_id)
    if m is None:
        return None
    period = notice_period(conn, c)
    payload = {
        "meeting_contract": c.meeting,
        "meeting_id": meeting_id,
        "attempt": m.attempt,
        "opens_at": m.opens_at,
        "closes_at": m.closes_at,
        "quorum_bps": m.quorum_bps,
        "secretary": m.secretary,
        "notice_period": period,
        "deadline": m.opens_at - period,
        "convened_block": int(event.block_number),
        "convened_tx": event.tx_hash,
        "agenda": [
            {
                "index": q.index + 1,
                "document_hash": q.document_hash,
                "majority": q.majority,
                "majority_ru": MAJORITY[q.majority][0] if q.majority < 3 else str(q.majority),
                "majority_en": MAJORITY[q.majority][1] if q.majority < 3 else str(q.majority),
                "materials": f"{c.public_url.rstrip('/')}/documents/{q.document_hash[2:]}",
            }
            for q in m.questions
        ],
        "link": _link(c, "meetings"),
    }
    return Notice(
        f"meeting_convened:{c.meeting}:{meeting_id}",
        "meeting_convened",
        active_members(conn, c),
        payload,
        subject_key=f"{c.meeting}:{meeting_id}",
    )


MEMBERSHIP_OUTCOMES = {
    "MemberBlocked": "blocked",
    "MemberUnblocked": "unblocked",
    "MemberExited": "exited",
}
"""The council's (or meeting's) decisions on a membership other than admission, as the
`membership_decided` notice's `outcome`: exclusion (the contract blocks the member), its
reversal, and exit."""


def _settlement(conn: Connection, c: Contracts, tx_hash: str, account: str) -> dict[str, Any]:
    """The share refund an exit settled in the same transaction (`Shares.SharesSettled`, emitted
    after `MemberExited` when the leaver's fees were paid): what was refunded on chain and what
    the cooperative owes off chain. Empty when nothing was settled."""
    rows = conn.execute(
        sa.select(RAW.c.args).where(
            RAW.c.chain_id == c.chain_id,
            RAW.c.tx_hash == tx_hash,
            RAW.c.event_name == "SharesSettled",
        )
    )
    for (args,) in rows:
        if args and str(args.get("account", "")).lower() == account.lower():
            return {
                "settled": True,
                "refunded_on_chain": str(args.get("refundedOnChain", 0)),
                "owed_off_chain": str(args.get("owedOffChain", 0)),
            }
    return {"settled": False}


def notices_of(conn: Connection, c: Contracts, e: Any) -> Iterator[Notice]:
    """The notices one mirrored event makes (none for most events)."""
    a: dict[str, Any] = e.args or {}
    name = e.event_name
    base = {"block": int(e.block_number), "tx": e.tx_hash}
    if name == "MeetingConvened" and e.address == c.meeting:
        notice = meeting_notice(conn, c, int(a["meetingId"]), e)
        if notice is not None:
            yield notice
    elif name == "MeetingClosed" and e.address == c.meeting:
        meeting_id = int(a["meetingId"])
        m = _meeting(conn, c, meeting_id)
        if m is None:
            return
        accepted = [q.index + 1 for q in m.questions if m.accepted_mask >> q.index & 1]
        payload = {
            **base,
            "meeting_id": meeting_id,
            "held": m.state_name != "quorum_missed",
            "participants": m.participants,
            "eligible": m.eligible,
            "accepted": accepted,
            "questions": len(m.questions),
            "link": _link(c, "meetings"),
        }
        yield Notice(
            f"meeting_result:{c.meeting}:{meeting_id}",
            "meeting_result",
            active_members(conn, c),
            payload,
        )
        chair = m.chair if m.chair != ZERO else None
        signers = [m.secretary, *([chair] if chair else [])]
        yield Notice(
            f"signature_needed:meeting_protocol:{c.meeting}:{meeting_id}",
            "signature_needed",
            signers,
            {
                **base,
                "document": "meeting_protocol",
                "meeting_id": meeting_id,
                "link": _link(c, "meetings"),
            },
        )
    elif name == "CouncilItemProposed" and e.address == c.council:
        item = int(a["itemId"])
        voters = [m for m in council_members(conn, c) if m != a.get("proposer")]
        yield Notice(
            f"council_vote_needed:{c.council}:{item}",
            "council_vote_needed",
            voters,
            {
                **base,
                "item_id": item,
                "document_hash": a.get("documentHash"),
                "expires_at": int(a.get("expiresAt", 0)),
                "link": _link(c, "council"),
            },
        )
    elif name == "CouncilItemPassed" and e.address == c.council:
        item = int(a["itemId"])
        chair_address = registry_queries.get_cooperative(conn, c.charter, c.chain_id).chair
        if chair_address:
            yield Notice(
                f"signature_needed:council_protocol:{c.council}:{item}",
                "signature_needed",
                [chair_address],
                {
                    **base,
                    "document": "council_protocol",
                    "item_id": item,
                    "link": _link(c, "council"),
                },
            )
    elif name == "ApplicationSubmitted" and e.address == c.membership:
        account = a["account"]
        yield Notice(
            f"application_received:{c.membership}:{account}:{a.get('nonce', 0)}",
            "application_received",
            [account, *council_members(conn, c)],
            {**base, "account": account, "link": _link(c, "applications")},
        )
    elif name == "MemberAdmitted" and e.address == c.membership:
        account = a["account"]
        yield Notice(
            f"application_decided:{c.membership}:{account}:{e.tx_hash}",
            "application_decided",
            [account],
            {**base, "account": account, "admitted": True, "decision": a.get("decision")},
        )
    elif name in MEMBERSHIP_OUTCOMES and e.address == c.membership:
        account = a["account"]
        payload = {
            **base,
            "account": account,
            "outcome": MEMBERSHIP_OUTCOMES[name],
            "decision": a.get("decision"),
            "link": _link(c, "membership"),
        }
        if name == "MemberExited":
            payload.update(_settlement(conn, c, e.tx_hash, account))
        yield Notice(
            f"membership_decided:{c.membership}:{account}:{e.tx_hash}:{e.log_index}",
            "membership_decided",
            [account],
            payload,
        )
    elif name == "ObligationIssued" and e.address == c.units:
        yield Notice(
            f"invoice_issued:{c.units}:{a['obligationId']}",
            "invoice_issued",
            [a["debtor"]],
            {
                **base,
                "obligation_id": int(a["obligationId"]),
                "creditor": a["creditor"],
                "amount": str(a["amount"]),
                "due_date": int(a.get("dueDate", 0)),
                "document_hash": a.get("documentHash"),
                "link": _link(c, "units"),
            },
        )
    elif name == "GuaranteeCalled" and e.address == c.fund:
        loan = int(a["loanId"])
        yield Notice(
            f"guarantee_called:{c.fund}:{loan}:{a['guarantor']}",
            "guarantee_called",
            [a["guarantor"]],
            {**base, "loan_id": loan, "amount": str(a["amount"]), "link": _link(c, "fund")},
        )


def follow(conn: Connection, c: Contracts, *, limit: int = STEP) -> Pass:
    """Read the mirror's events after the cursor (up to `limit`), queue their notices and move
    the cursor, all in the caller's transaction."""
    done = Pass()
    try:
        as_of = current_block(conn, c.chain_id)
    except NotFound:
        return done
    head = as_of.number
    # A mirror rebuilt or catching up after a long stop replays old events: news older than
    # `MAX_AGE` by the chain's clock is no longer news (the legal notice of a meeting still is).
    too_old = (as_of.timestamp or 0) - MAX_AGE
    cursor = read_cursor(conn, c.cursor_name)
    if cursor is None:
        # A node that turns notices on for an existing cooperative starts at the mirror's head:
        # it does not mail members about years of history.
        write_cursor(conn, c.cursor_name, head, 1 << 30)
        return done
    block, log_index = cursor
    rows = list(
        conn.execute(
            sa.select(RAW)
            .where(
                RAW.c.chain_id == c.chain_id,
                RAW.c.address.in_(c.addresses()),
                RAW.c.event_name.in_(HANDLED),
                RAW.c.block_number <= head,
                sa.or_(
                    RAW.c.block_number > block,
                    sa.and_(RAW.c.block_number == block, RAW.c.log_index > log_index),
                ),
            )
            .order_by(RAW.c.block_number, RAW.c.log_index)
            .limit(limit)
        )
    )
    for e in rows:
        stale = e.block_timestamp is not None and e.block_timestamp < too_old
        if stale and e.event_name != "MeetingConvened":
            done.events += 1
            continue
        for notice in notices_of(conn, c, e):
            done.notices += 1
            done.kinds[notice.kind] = done.kinds.get(notice.kind, 0) + 1
            done.rows += enqueue(conn, [notice])
        done.events += 1
    if len(rows) == limit:
        write_cursor(conn, c.cursor_name, int(rows[-1].block_number), int(rows[-1].log_index))
    else:
        write_cursor(conn, c.cursor_name, head, 1 << 30)
    return done


def start_at(conn: Connection, c: Contracts, block: int) -> None:
    """Put the cursor just before `block` (a new cooperative: from its first block)."""
    write_cursor(conn, c.cursor_name, block - 1, 1 << 30)


# -- the periodic scan --------------------------------------------------------------------------


def scan(conn: Connection, c: Contracts) -> Pass:
    """Queue what has come due at the mirror's block time (each once: keyed event ids)."""
    done = Pass()
    try:
        as_of = current_block(conn, c.chain_id)
    except NotFound:
        return done
    t = as_of.timestamp or 0
    notices: list[Notice] = []
    members: list[str] | None = None
    if c.meeting is not None:
        for m in gov_queries.meetings(conn, meeting_contract=c.meeting, chain_id=c.chain_id).data:
            for kind, at, state in (
                ("voting_opened", m.opens_at, "open"),
                ("voting_ended", m.closes_at, "ended"),
            ):
                # Only while the meeting is in that state: a node started after a meeting was
                # closed does not announce its opening.
                if at <= t and m.state_name == state:
                    if members is None:
                        members = active_members(conn, c)
                    recipients = members if kind == "voting_opened" else [m.secretary, *members]
                    notices.append(
                        Notice(
                            f"{kind}:{c.meeting}:{m.meeting_id}",
                            kind,
                            recipients,
                            {
                                "meeting_id": m.meeting_id,
                                "opens_at": m.opens_at,
                                "closes_at": m.closes_at,
                                "link": _link(c, "meetings"),
                            },
                        )
                    )
    for o in units_queries.open_obligations(conn, c.units, chain_id=c.chain_id).data:
        if o.due_date and o.due_date - REMIND_BEFORE <= t:
            notices.append(
                Notice(
                    f"payment_due:{c.units}:{o.obligation_id}",
                    "payment_due",
                    [o.debtor],
                    {
                        "obligation_id": o.obligation_id,
                        "creditor": o.creditor,
                        "outstanding": str(o.outstanding),
                        "due_date": o.due_date,
                        "link": _link(c, "units"),
                    },
                )
            )
    if c.fund is not None:
        notices += _instalments(conn, c, t)
    for notice in notices:
        added = enqueue(conn, [notice])
        if added:
            done.notices += 1
            done.rows += added
            done.kinds[notice.kind] = done.kinds.get(notice.kind, 0) + 1
    return done


def _instalments(conn: Connection, c: Contracts, t: int) -> list[Notice]:
    """Equal instalments of disbursed loans (as the contract computes them): the next unpaid
    one due within `REMIND_BEFORE`, or past due."""
    assert c.fund is not None
    out = []
    for loan in fund_queries.list_loans(conn, c.fund, chain_id=c.chain_id, limit=10_000).data:
        if (
            loan.state_name not in ("active", "overdue")
            or not loan.disbursed_at
            or loan.custom_schedule
        ):
            continue
        n = max(loan.instalments, 1)
        for i in range(1, n + 1):
            principal_due = loan.principal * i // n
            interest_due = loan.interest * principal_due // loan.principal if loan.principal else 0
            cumulative = principal_due + interest_due
            at = loan.disbursed_at + loan.term * i // n
            if loan.repaid >= cumulative:
                continue
            kind = "loan_instalment_overdue" if at < t else "loan_instalment_due"
            if at - REMIND_BEFORE <= t:
                out.append(
                    Notice(
                        f"{kind}:{c.fund}:{loan.loan_id}:{i}",
                        kind,
                        [loan.borrower],
                        {
                            "loan_id": loan.loan_id,
                            "instalment": i,
                            "due_at": at,
                            "cumulative_due": str(cumulative),
                            "repaid": str(loan.repaid),
                            "link": _link(c, "fund"),
                        },
                    )
                )
            break  # only the first unpaid instalment
    return out
