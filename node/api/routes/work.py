"""`GET /work`: what waits for the signed-in officer, by role, computed from the mirror.

A council member sees the items that need their vote and the applications ready for a
decision; the chair the passed items whose protocol is unsigned (and since when); the secretary
and the presiding chair of a meeting its protocol; anyone who runs the cooperative the meetings
to close and the accepted questions to execute; the verifier the applicants whose identity is
unchecked; the cashier the bank lines to attest; the auditor the protocols still unsigned.
The mirror's reads are cached per block and shared by every caller (`mirror.read`); what is
per caller is a filter over them, so the list stays cheap under load (benchmarks/
officers_results.md).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from indexer.models import CouncilItemPublic, MeetingPublic, MemberPublic
from indexer.queries import governance, members
from node.api import mirror
from node.api.deps import Caller, CallerDep, GatewayDep
from node.api.gateway import Gateway
from node.api.problems import Problem, problem_responses
from node.chain.client import checksum

router = APIRouter(prefix="/work", tags=["work"])


class Task(BaseModel):
    role: str
    """council, chair, secretary, cashier, verifier, auditor, member."""
    kind: str
    """vote, sign_protocol, execute, propose_admission, verify_identity, attest_payment,
    close_meeting, sign_meeting_protocol, execute_question, ballot, attest_bank, watch_protocol."""
    title: str
    """Russian / English."""
    ref: str
    """What it is about: an item, a meeting (and question), an account."""
    since: int | None
    """Unix seconds: since when it waits (proposal, pass, closing, application)."""
    link: str
    """The portal page where it is done."""


class WorkPublic(BaseModel):
    address: str
    roles: list[str]
    tasks: list[Task]
    block: int | None
    """The mirror's block the list is computed at."""


def _closed(m: MeetingPublic) -> int:
    return int(m.closes_at)


def _council_tasks(
    caller: Caller, items: list[CouncilItemPublic], now: int, out: list[Task]
) -> None:
    me = caller.address.lower()
    for i in items:
        state = i.state_name
        if state == "pending" and caller.has("council") and i.expires_at > now:
            if not any(v.member.lower() == me for v in i.votes):
                out.append(
                    Task(
                        role="council",
                        kind="vote",
                        title=f"Голосовать по вопросу совета № {i.item_id} / Vote on council "
                        f"item {i.item_id}",
                        ref=f"item:{i.item_id}",
                        since=i.proposed.timestamp,
                        link="#/council",
                    )
                )
        elif state == "passed":
            if caller.has("chair"):
                out.append(
                    Task(
                        role="chair",
                        kind="sign_protocol",
                        title=f"Подписать протокол совета по вопросу № {i.item_id} / Sign the "
                        f"council protocol of item {i.item_id}",
                        ref=f"item:{i.item_id}",
                        since=i.last_event.timestamp,
                        link="#/council",
                    )
                )
            if caller.has("auditor"):
                out.append(
                    Task(
                        role="auditor",
                        kind="watch_protocol",
                        title=f"Протокол совета № {i.item_id} не подписан / Council protocol "
                        f"{i.item_id} unsigned",
                        ref=f"item:{i.item_id}",
                        since=i.last_event.timestamp,
                        link="#/registers?r=council",
                    )
                )
        elif state == "signed" and caller.has("council", "chair"):
            out.append(
                Task(
                    role="council",
                    kind="execute",
                    title=f"Исполнить решение совета № {i.item_id} / Execute council decision "
                    f"{i.item_id}",
                    ref=f"item:{i.item_id}",
                    since=i.last_event.timestamp,
                    link="#/council",
                )
            )


def _meeting_tasks(
    caller: Caller, chair: str, meetings: list[MeetingPublic], now: int, out: list[Task]
) -> None:
    me = caller.address.lower()
    officer = caller.has("council", "chair")
    for m in meetings:
        presiding = (m.chair if int(m.chair, 16) else chair).lower()
        is_secretary = m.secretary.lower() == me
        is_presiding = presiding == me
        state = m.state_name
        ref = f"meeting:{m.meeting_id}"
        if state == "ended" and (officer or is_secretary or is_presiding):
            out.append(
                Task(
                    role="secretary" if is_secretary else ("chair" if is_presiding else "council"),
                    kind="close_meeting",
                    title=f"Закрыть собрание № {m.meeting_id} (голосование окончено) / Close "
                    f"meeting {m.meeting_id} (voting ended)",
                    ref=ref,
                    since=m.closes_at,
                    link="#/meetings",
                )
            )
        elif state == "open" and caller.has("member"):
            if not any(b.voter.lower() == me and not b.rejected_reason for b in m.ballots):
                out.append(
                    Task(
                        role="member",
                        kind="ballot",
                        title=f"Проголосовать на собрании № {m.meeting_id} / Vote in meeting "
                        f"{m.meeting_id}",
                        ref=ref,
                        since=m.opens_at,
                        link="#/meetings",
                    )
                )
        elif state == "held":
            if is_secretary and not m.secretary_signed:
                out.append(_sign(m, "secretary", "секретарь / secretary"))
            if is_presiding and m.secretary_signed and not m.chair_signed:
                out.append(_sign(m, "chair", "председатель / chair"))
            if caller.has("auditor") and not (m.secretary_signed and m.chair_signed):
                out.append(
                    Task(
                        role="auditor",
                        kind="watch_protocol",
                        title=f"Протокол собрания № {m.meeting_id} не подписан / Meeting "
                        f"{m.meeting_id} protocol unsigned",
                        ref=ref,
                        since=_closed(m),
                        link="#/meetings",
                    )
                )
            if m.secretary_signed and m.chair_signed and officer:
                for q in m.questions:
                    if q.accepted and not q.executed and q.targets:
                        out.append(
                            Task(
                                role="council",
                                kind="execute_question",
                                title=f"Исполнить решение собрания № {m.meeting_id}, вопрос "
                                f"{q.index + 1} / Execute meeting {m.meeting_id}, question "
                                f"{q.index + 1}",
                                ref=f"{ref}:{q.index}",
                                since=_closed(m),
                                link="#/meetings",
                            )
                        )


def _sign(m: MeetingPublic, role: str, who: str) -> Task:
    return Task(
        role=role,
        kind="sign_meeting_protocol",
        title=f"Подписать протокол собрания № {m.meeting_id} ({who}) / Sign the protocol of "
        f"meeting {m.meeting_id}",
        ref=f"meeting:{m.meeting_id}",
        since=_closed(m),
        link="#/meetings",
    )


def _applicant_tasks(
    caller: Caller,
    items: list[CouncilItemPublic],
    applicants: list[MemberPublic],
    out: list[Task],
) -> None:
    if not caller.has("council", "verifier", "cashier", "chair"):
        return
    proposed = {
        d[-104:-64].lower()
        for i in items
        if i.state_name in ("pending", "passed", "signed")
        for d in i.calldatas
    }
    for a in applicants:
        ref = f"account:{a.account}"
        if not a.identity_verified and caller.has("verifier", "chair"):
            out.append(
                Task(
                    role="verifier",
                    kind="verify_identity",
                    title=f"Проверить личность заявителя {a.account} / Check the applicant's "
                    "identity",
                    ref=ref,
                    since=a.applied_at,
                    link="#/work",
                )
            )
        elif a.identity_verified and not a.fees_paid and caller.has("cashier"):
            out.append(
                Task(
                    role="cashier",
                    kind="attest_payment",
                    title=f"Подтвердить оплату взносов {a.account} / Attest the fees of the "
                    "applicant",
                    ref=ref,
                    since=a.applied_at,
                    link="#/bank",
                )
            )
        elif (
            a.identity_verified
            and a.fees_paid
            and caller.has("council")
            and a.account[2:].lower() not in proposed
        ):
            out.append(
                Task(
                    role="council",
                    kind="propose_admission",
                    title=f"Внести решение о приёме {a.account} / Propose the admission",
                    ref=ref,
                    since=a.applied_at,
                    link="#/council",
                )
            )


def _bank_tasks(gw: Gateway, caller: Caller, out: list[Task]) -> None:
    if not caller.has("cashier"):
        return
    from node.api.routes.bank import _engine
    from node.bank import matching

    rows = matching.lines_by_status(_engine(gw), "proposed")
    if rows:
        out.append(
            Task(
                role="cashier",
                kind="attest_bank",
                title=f"Подтвердить банковские платежи: {len(rows)} / Attest bank payments: "
                f"{len(rows)}",
                ref=f"bank:{len(rows)}",
                since=None,
                link="#/bank",
            )
        )


@dataclass(frozen=True)
class _Shared:
    """What every caller's list is filtered from, read once per mirror block."""

    items: list[CouncilItemPublic]
    meetings: list[MeetingPublic]
    applicants: list[MemberPublic]
    chair: str
    block: int | None


_flights_lock = threading.Lock()
_flights: dict[tuple[Any, ...], threading.Lock] = {}


def _once(gw: Gateway, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
    """`make()` cached under `key` in the gateway's per-block cache, computed by one thread
    while concurrent callers of the same key wait for it (no herd on a new block)."""
    cache = mirror.shared_cache(gw)
    hit = cache.get(key)
    if hit is not None:
        return hit
    with _flights_lock:
        lock = _flights.setdefault(key, threading.Lock())
    try:
        with lock:
            hit = cache.get(key)
            if hit is None:
                hit = make()
                cache.put(key, hit)
            return hit
    finally:
        with _flights_lock:
            _flights.pop(key, None)


def _shared(gw: Gateway, head: tuple[int, str | None]) -> _Shared:
    def make() -> _Shared:
        charter = gw.coop.addresses.charter
        items = mirror.read(gw, "work_items", governance.council_items, charter, None, 0, 500)
        meetings = mirror.read(gw, "work_meetings", governance.meetings, charter)
        applicants = mirror.read(
            gw, "work_applicants", members.list_members, charter, "applicant", 0, 500
        )
        return _Shared(
            items=list(items.data),
            meetings=list(meetings.data),
            applicants=list(applicants.data),
            chair=checksum(gw.coop.charter.functions.chair().call()),
            block=items.as_of.number if items.as_of else None,
        )

    shared: _Shared = _once(gw, ("work_shared", head), make)
    return shared


def compute_work(gw: Gateway, caller: Caller, head: tuple[int, str | None]) -> WorkPublic:
    shared = _shared(gw, head)
    now = int(time.time())
    tasks: list[Task] = []
    _council_tasks(caller, shared.items, now, tasks)
    _meeting_tasks(caller, shared.chair, shared.meetings, now, tasks)
    _applicant_tasks(caller, shared.items, shared.applicants, tasks)
    tasks.sort(key=lambda t: (t.since is None, t.since or 0))
    roles = set(caller.roles)
    me = caller.address.lower()
    if any(m.secretary.lower() == me for m in shared.meetings):
        roles.add("secretary")
    return WorkPublic(address=caller.address, roles=sorted(roles), tasks=tasks, block=shared.block)


RoleName = Literal["council", "chair", "secretary", "cashier", "verifier", "auditor", "member"]


@router.get("", response_model=WorkPublic, responses=problem_responses(401, 403, 503))
async def my_work(
    gw: GatewayDep, caller: CallerDep, role: Annotated[RoleName | None, Query()] = None
) -> Response:
    """What waits for the signed-in officer, oldest first (a member sees only their ballots).
    `role` narrows the list to one role, which the caller must hold (403 otherwise: nobody
    reads another role's work)."""
    head = await mirror.head_block(gw)
    key = ("work", caller.address, tuple(sorted(caller.roles)), head)
    if role is None and not caller.has("cashier"):
        # The whole list is cached as JSON per caller and block: a repeated read is a lookup.
        hit = mirror.shared_cache(gw).get((*key, "json"))
        if hit is not None:
            return Response(content=hit, media_type="application/json")
        body: bytes = await run_in_threadpool(
            _once,
            gw,
            (*key, "json"),
            lambda: compute_work(gw, caller, head).model_dump_json().encode(),
        )
        return Response(content=body, media_type="application/json")
    work: WorkPublic = await run_in_threadpool(
        _once, gw, key, lambda: compute_work(gw, caller, head)
    )
    work = work.model_copy(deep=True)
    # Bank lines are not chain facts (a statement import moves no block): read every time.
    await run_in_threadpool(_bank_tasks, gw, caller, work.tasks)
    if role is not None:
        if role not in work.roles:
            raise Problem(
                403,
                f"У вас нет роли {role} / You do not hold the role {role}",
            )
        work.tasks = [t for t in work.tasks if t.role == role]
    return Response(content=work.model_dump_json().encode(), media_type="application/json")
