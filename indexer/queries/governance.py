"""The council and the general meeting: items with votes and state, meetings with agenda,
ballots, tallies and state, both judged at the cursor block's time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from indexer.models import (
    ITEM_STATE,
    MEETING_STATE,
    BallotPublic,
    CouncilItemPublic,
    CouncilVotePublic,
    DecisionPublic,
    EventRef,
    MeetingPublic,
    ProxiesOfPublic,
    ProxyPublic,
    QuestionPublic,
)
from indexer.queries.common import (
    BALLOT,
    CONFIG,
    ITEM,
    MEETING,
    PROXY,
    QUESTION,
    Db,
    Page,
    _chain,
    _config,
    _coop_row,
    _exec,
    _latest,
    _now,
    _ref,
    _refs,
    current_block,
)


def councils_of(db: Db, coop: str | int, chain_id: int | None = None) -> list[str]:
    """Council contracts of a cooperative: the charter's decision executors that are councils
    (they emitted council events), latest first."""
    cid = _chain(db, chain_id)
    c = _coop_row(db, cid, coop)
    executors = [
        r.account
        for r in _exec(
            db,
            sa.select(CONFIG.c.account)
            .where(
                CONFIG.c.chain_id == cid,
                CONFIG.c.contract == c.charter,
                CONFIG.c.action == "executor",
            )
            .order_by(CONFIG.c.block_number.desc(), CONFIG.c.log_index.desc()),
        )
    ]
    councils = {
        r[0]
        for r in _exec(
            db,
            sa.select(CONFIG.c.contract).where(
                CONFIG.c.chain_id == cid,
                CONFIG.c.action == "council_seated",
                CONFIG.c.contract.in_(executors),
            ),
        )
    }
    seen: list[str] = []
    for e in executors:
        if e in councils and e not in seen:
            seen.append(e)
    return seen


def _council_epoch(db: Db, chain_id: int, council: str) -> int:
    row = _config(db, chain_id, council, "council_seated")
    return int(row.number) if row is not None else 0


def _item_state(status: int, epoch: int, expires_at: int, current_epoch: int, now: int) -> int:
    """Council._state at time `now`."""
    if status == 1:
        return 6 if epoch != current_epoch or now >= expires_at else 1
    if status == 2:
        return 6 if now >= expires_at else 2
    return status


def _contracts(
    db: Db,
    cid: int,
    explicit: str | None,
    coop: str | int | None,
    of_coop: Callable[[Db, str | int, int], list[str]],
    what: str,
) -> list[str]:
    """The contracts a list reads: the one given, else the cooperative's."""
    if explicit is not None:
        return [explicit]
    if coop is not None:
        return of_coop(db, coop, cid)
    raise ValueError(f"give a cooperative or a {what}")


def _latest_rows(
    db: Db, table: sa.Table, id_column: str, cid: int, contracts: list[str]
) -> list[Any]:
    """The latest row of each (contract, id) of `contracts`, by contract and id."""
    sub = _latest(
        table, ("contract", id_column), table.c.chain_id == cid, table.c.contract.in_(contracts)
    )
    return list(_exec(db, sa.select(sub).order_by(sub.c.contract, sub.c[id_column])))


def council_items(
    db: Db,
    coop: str | int | None = None,
    council: str | None = None,
    offset: int = 0,
    limit: int = 100,
    chain_id: int | None = None,
) -> Page[CouncilItemPublic]:
    """Council items with their votes and state at the mirror's block (of the cooperative's
    councils, or of `council`)."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    councils = _contracts(db, cid, council, coop, councils_of, "council address")
    all_rows = _latest_rows(db, ITEM, "item_id", cid, councils)
    rows = all_rows[offset : offset + limit]
    ids = [int(r.item_id) for r in rows]
    history = list(
        _exec(
            db,
            sa.select(ITEM)
            .where(
                ITEM.c.chain_id == cid,
                ITEM.c.contract.in_(councils),
                ITEM.c.item_id.in_(ids),
                ITEM.c.action.in_(("proposed", "vote")),
            )
            .order_by(ITEM.c.block_number, ITEM.c.log_index),
        )
    )
    refs = _refs(db, cid, [*rows, *history])
    epochs = {c: _council_epoch(db, cid, c) for c in councils}
    now = _now(as_of)
    data = []
    for r in rows:
        mine = [h for h in history if h.contract == r.contract and h.item_id == r.item_id]
        proposed = next((h for h in mine if h.action == "proposed"), r)
        state = _item_state(int(r.status), int(r.epoch), int(r.expires_at), epochs[r.contract], now)
        data.append(
            CouncilItemPublic(
                contract=r.contract,
                item_id=int(r.item_id),
                state=state,
                state_name=ITEM_STATE[state],
                epoch=int(r.epoch),
                expires_at=int(r.expires_at),
                for_votes=int(r.for_votes),
                against_votes=int(r.against_votes),
                abstain_votes=int(r.abstain_votes),
                document_hash=r.document_hash,
                protocol_hash=r.protocol_hash,
                proposer=proposed.actor if proposed is not r else None,
                targets=proposed.targets or [],
                calldatas=proposed.calldatas or [],
                votes=[
                    CouncilVotePublic(member=h.actor, support=int(h.support), event=_ref(refs, h))
                    for h in mine
                    if h.action == "vote"
                ],
                proposed=_ref(refs, proposed),
                last_event=_ref(refs, r),
            )
        )
    return Page[CouncilItemPublic](data=data, count=len(all_rows), as_of=as_of)


def meeting_contracts_of(db: Db, coop: str | int, chain_id: int | None = None) -> list[str]:
    """GeneralMeeting contracts of a cooperative: targets of its councils' items that convened
    meetings (no event names a cooperative's meeting contract otherwise)."""
    cid = _chain(db, chain_id)
    councils = councils_of(db, coop, cid)
    targets: set[str] = set()
    for r in _exec(
        db,
        sa.select(ITEM.c.targets).where(
            ITEM.c.chain_id == cid, ITEM.c.contract.in_(councils), ITEM.c.action == "proposed"
        ),
    ):
        targets.update(r.targets or [])
    if not targets:
        return []
    return sorted(
        r[0]
        for r in _exec(
            db,
            sa.select(MEETING.c.contract)
            .where(MEETING.c.chain_id == cid, MEETING.c.contract.in_(sorted(targets)))
            .distinct(),
        )
    )


def _meeting_state(status: int, opens_at: int, closes_at: int, now: int) -> int:
    """GeneralMeeting._state at time `now`."""
    if status == 1:
        if now < opens_at:
            return 1
        return 2 if now < closes_at else 3
    return status


def unpack_choices(packed: int, count: int) -> list[int]:
    return [(packed >> (2 * i)) & 3 for i in range(count)]


def meetings(
    db: Db,
    coop: str | int | None = None,
    meeting_contract: str | None = None,
    chain_id: int | None = None,
) -> Page[MeetingPublic]:
    """General meetings with agenda, ballots, tallies and state at the mirror's block."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    contracts = _contracts(
        db, cid, meeting_contract, coop, meeting_contracts_of, "meeting contract"
    )
    rows = _latest_rows(db, MEETING, "meeting_id", cid, contracts)
    questions = list(
        _exec(
            db,
            sa.select(QUESTION)
            .where(QUESTION.c.chain_id == cid, QUESTION.c.contract.in_(contracts))
            .order_by(QUESTION.c.meeting_id, QUESTION.c.question_index),
        )
    )
    ballots = list(
        _exec(
            db,
            sa.select(BALLOT)
            .where(BALLOT.c.chain_id == cid, BALLOT.c.contract.in_(contracts))
            .order_by(BALLOT.c.block_number, BALLOT.c.log_index),
        )
    )
    convened = list(
        _exec(
            db,
            sa.select(MEETING).where(
                MEETING.c.chain_id == cid,
                MEETING.c.contract.in_(contracts),
                MEETING.c.action == "convened",
            ),
        )
    )
    proxy_rows = list(
        _exec(
            db,
            sa.select(PROXY)
            .where(
                PROXY.c.chain_id == cid,
                PROXY.c.meeting_contract.in_(contracts),
                PROXY.c.action != "installed",
            )
            .order_by(PROXY.c.block_number, PROXY.c.log_index),
        )
    )
    refs = _refs(db, cid, [*ballots, *convened, *proxy_rows])
    first = {(r.contract, int(r.meeting_id)): _ref(refs, r) for r in convened}
    previous = {(r.contract, int(r.meeting_id)): int(r.previous_meeting_id) for r in rows}
    agenda: dict[tuple[str, int], list[Any]] = {}
    for q in questions:
        agenda.setdefault((q.contract, int(q.meeting_id)), []).append(q)
    now = _now(as_of)
    by_meeting: dict[tuple[str, int], list[ProxyPublic]] = {}
    counts: dict[tuple[str, int], int] = {}
    for r in rows:
        root = (r.contract, int(r.meeting_id))
        while root not in agenda and previous.get(root):
            root = (root[0], previous[root])
        counts[(r.contract, int(r.meeting_id))] = len(agenda.get(root, []))
    for p in _fold_proxies(proxy_rows, refs, now, counts):
        by_meeting.setdefault((str(p.meeting_contract), p.meeting_id), []).append(p)
    data = []
    for r in rows:
        key = (r.contract, int(r.meeting_id))
        root = key
        while root not in agenda and previous.get(root):
            root = (root[0], previous[root])
        qs = agenda.get(root, [])
        cast = [b for b in ballots if (b.contract, int(b.meeting_id)) == key]
        counted = [b for b in cast if b.choices is not None]
        tallies = [[0, 0, 0] for _ in qs]
        for b in counted:
            for i, choice in enumerate(unpack_choices(int(b.choices), len(qs))):
                tallies[i][choice] += 1
        participants = r.participants if r.participants is not None else len(counted)
        state = _meeting_state(int(r.status), int(r.opens_at), int(r.closes_at), now)
        data.append(
            MeetingPublic(
                contract=r.contract,
                meeting_id=int(r.meeting_id),
                state=state,
                state_name=MEETING_STATE[state],
                previous_meeting_id=int(r.previous_meeting_id),
                attempt=int(r.attempt),
                opens_at=int(r.opens_at),
                closes_at=int(r.closes_at),
                record_block=int(r.record_block),
                quorum_bps=int(r.quorum_bps),
                secretary=r.secretary,
                chair=r.chair,
                participants=int(participants),
                eligible=int(r.eligible or 0),
                accepted_mask=int(r.accepted_mask),
                executed_mask=int(r.executed_mask),
                secretary_signed=bool(r.secretary_signed),
                chair_signed=bool(r.chair_signed),
                protocol_hash=r.protocol_hash,
                questions=[
                    QuestionPublic(
                        index=int(q.question_index),
                        document_hash=q.document_hash,
                        majority=int(q.majority),
                        targets=q.targets or [],
                        calldatas=q.calldatas or [],
                        against_votes=tallies[i][0],
                        for_votes=tallies[i][1],
                        abstain_votes=tallies[i][2],
                        accepted=bool(int(r.accepted_mask) >> i & 1),
                        executed=bool(int(r.executed_mask) >> i & 1),
                    )
                    for i, q in enumerate(qs)
                ],
                ballots=[
                    BallotPublic(
                        voter=b.voter,
                        choices=unpack_choices(int(b.choices), len(qs))
                        if b.choices is not None
                        else None,
                        by_signature=bool(b.by_signature),
                        rejected_reason=b.rejected_reason,
                        event=_ref(refs, b),
                    )
                    for b in cast
                ],
                proxies=by_meeting.get(key, []),
                convened=first[key],
            )
        )
    return Page[MeetingPublic](data=data, count=len(data), as_of=as_of)


def _fold_proxies(
    rows: list[Any],
    refs: dict[tuple[str, int], EventRef],
    now: int,
    question_counts: dict[tuple[str, int], int],
) -> list[ProxyPublic]:
    """The proxies the events (in chain order) leave: one per (contract, meeting, principal),
    the latest issue with what followed it. An active proxy past its expiry is `expired`.
    `question_counts` (by meeting contract and id) unpacks a used proxy's choices."""
    out: dict[tuple[str, int, str], ProxyPublic] = {}
    for r in rows:
        key = (r.contract, int(r.meeting_id), r.principal)
        if r.action == "issued":
            out[key] = ProxyPublic(
                contract=r.contract,
                meeting_contract=r.meeting_contract,
                meeting_id=int(r.meeting_id),
                principal=r.principal,
                holder=r.holder,
                status="active",
                expires_at=int(r.expires_at or 0),
                document_hash=r.document_hash,
                issued=_ref(refs, r),
                last=_ref(refs, r),
            )
            continue
        proxy = out.get(key)
        if proxy is None:
            continue
        proxy.last = _ref(refs, r)
        if r.action == "revoked":
            proxy.status = "revoked"
        elif r.action == "voted":
            proxy.status = "used"
            n = question_counts.get((str(r.meeting_contract), int(r.meeting_id)), 1)
            proxy.choices = [int(c) for c in unpack_choices(int(r.choices or 0), n)]
    for proxy in out.values():
        if proxy.status == "active" and proxy.expires_at <= now:
            proxy.status = "expired"
    return list(out.values())


def proxies_of(
    db: Db, account: str, coop: str | int | None = None, chain_id: int | None = None
) -> ProxiesOfPublic:
    """The proxies `account` gave (as principal) and received (as holder), with their status at
    the mirror's block."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    where = [PROXY.c.chain_id == cid, PROXY.c.action != "installed"]
    if coop is not None:
        where.append(PROXY.c.meeting_contract.in_(meeting_contracts_of(db, coop, cid)))
    keys = {
        (r.contract, int(r.meeting_id), r.principal)
        for r in _exec(
            db,
            sa.select(PROXY.c.contract, PROXY.c.meeting_id, PROXY.c.principal).where(
                *where, sa.or_(PROXY.c.principal == account, PROXY.c.holder == account)
            ),
        )
    }
    if not keys:
        return ProxiesOfPublic(given=[], received=[], as_of=as_of)
    rows = [
        r
        for r in _exec(
            db,
            sa.select(PROXY)
            .where(*where, PROXY.c.principal.in_(sorted({k[2] for k in keys})))
            .order_by(PROXY.c.block_number, PROXY.c.log_index),
        )
        if (r.contract, int(r.meeting_id), r.principal) in keys
    ]
    refs = _refs(db, cid, rows)
    meetings_of = sorted({str(r.meeting_contract) for r in rows if r.meeting_contract})
    counts = {
        (q.contract, int(q.meeting_id)): int(q.n)
        for q in _exec(
            db,
            sa.select(QUESTION.c.contract, QUESTION.c.meeting_id, sa.func.count().label("n"))
            .where(QUESTION.c.chain_id == cid, QUESTION.c.contract.in_(meetings_of))
            .group_by(QUESTION.c.contract, QUESTION.c.meeting_id),
        )
    }
    folded = _fold_proxies(rows, refs, _now(as_of), counts)
    return ProxiesOfPublic(
        given=[p for p in folded if p.principal == account],
        received=[p for p in folded if p.holder == account],
        as_of=as_of,
    )


def decisions_of(
    db: Db, account: str, coop: str | int, chain_id: int | None = None
) -> Page[DecisionPublic]:
    """The decisions that concern `account`: council items and meeting questions whose actions
    name it (an admission, an exclusion, a payout, a credit limit: the address is an argument of
    the call), and the meetings it voted in (its own ballot or one cast by its proxy holder),
    newest first. A scan of the cooperative's items and meetings: fine for the hundreds a
    cooperative decides in a year."""
    cid = _chain(db, chain_id)
    needle = account.lower().removeprefix("0x")

    def names_me(calldatas: list[str]) -> bool:
        return any(needle in str(c).lower() for c in calldatas)

    out: list[DecisionPublic] = []
    items = council_items(db, coop, limit=10_000, chain_id=cid)
    for it in items.data:
        if names_me(it.calldatas):
            out.append(
                DecisionPublic(
                    kind="council_item",
                    contract=it.contract,
                    number=it.item_id,
                    document_hash=it.document_hash,
                    state_name=it.state_name,
                    executed=it.state_name == "executed",
                    event=it.last_event,
                )
            )
    page = meetings(db, coop, chain_id=cid)
    for m in page.data:
        for q in m.questions:
            if names_me(q.calldatas):
                out.append(
                    DecisionPublic(
                        kind="meeting_question",
                        contract=m.contract,
                        number=m.meeting_id,
                        question_index=q.index,
                        document_hash=q.document_hash,
                        state_name=m.state_name,
                        accepted=q.accepted,
                        executed=q.executed,
                        event=m.convened,
                    )
                )
        mine = next(
            (b for b in m.ballots if b.voter.lower() == account.lower() and b.choices), None
        )
        if mine is not None:
            out.append(
                DecisionPublic(
                    kind="my_ballot",
                    contract=m.contract,
                    number=m.meeting_id,
                    document_hash=m.protocol_hash,
                    state_name=m.state_name,
                    my_choices=mine.choices,
                    event=mine.event,
                )
            )
    out.sort(key=lambda d: (d.event.block_number, d.event.log_index), reverse=True)
    return Page[DecisionPublic](data=out, count=len(out), as_of=page.as_of)
