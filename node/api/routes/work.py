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


#: Every task a list can hold: name -> (role, kind, title "ru / en" with {placeholders}, page).
#: A role of None is given where the task is made (the same close differs by who closes).
_TASKS: dict[str, tuple[str | None, str, str, str]] = {
    "vote": (
        "council",
        "vote",
        "Голосовать по вопросу совета № {item} / Vote on council item {item}",
        "#/council",
    ),
    "sign_protocol": (
        "chair",
        "sign_protocol",
        "Подписать протокол совета по вопросу № {item} / Sign the council protocol of item {item}",
        "#/council",
    ),
    "watch_council_protocol": (
        "auditor",
        "watch_protocol",
        "Протокол совета № {item} не подписан / Council protocol {item} unsigned",
        "#/registers?r=council",
    ),
    "execute": (
        "council",
        "execute",
        "Исполнить решение совета № {item} / Execute council decision {item}",
        "#/council",
    ),
    "close_meeting": (
        None,
        "close_meeting",
        "Закрыть собрание № {meeting} (голосование окончено) / Close meeting {meeting} (voting "
        "ended)",
        "#/meetings",
    ),
    "ballot": (
        "member",
        "ballot",
        "Проголосовать на собрании № {meeting} / Vote in meeting {meeting}",
        "#/meetings",
    ),
    "sign_meeting_protocol": (
        None,
        "sign_meeting_protocol",
        "Подписать протокол собрания № {meeting} ({who}) / Sign the protocol of meeting {meeting}",
        "#/meetings",
    ),
    "watch_meeting_protocol": (
        "auditor",
        "watch_protocol",
        "Протокол собрания № {meeting} не подписан / Meeting {meeting} protocol unsigned",
        "#/meetings",
    ),
    "execute_question": (
        "council",
        "execute_question",
        "Исполнить решение собрания № {meeting}, вопрос {question} / Execute meeting "
        "{meeting}, question {question}",
        "#/meetings",
    ),
    "verify_identity": (
        "verifier",
        "verify_identity",
        "Проверить личность заявителя {account} / Check the applicant's identity",
        "#/work",
    ),
    "attest_payment": (
        "cashier",
        "attest_payment",
        "Подтвердить оплату взносов {account} / Attest the fees of the applicant",
        "#/bank",
    ),
    "propose_admission": (
        "council",
        "propose_admission",
        "Внести решение о приёме {account} / Propose the admission",
        "#/council",
    ),
    "attest_bank": (
        "cashier",
        "attest_bank",
        "Подтвердить банковские платежи: {count} / Attest bank payments: {count}",
        "#/bank",
    ),
}


def _task(name: str, ref: str, since: int | None, role: str | None = None, **title: Any) -> Task:
    default_role, kind, template, link = _TASKS[name]
    return Task(
        role=role or default_role or "",
        kind=kind,
        title=template.format(**title),
        ref=ref,
        since=since,
        link=link,
    )


def _council_tasks(
    caller: Caller, items: list[CouncilItemPublic], now: int, out: list[Task]
) -> None:
    me = caller.address.lower()
    for i in items:
        state, ref, n = i.state_name, f"item:{i.item_id}", i.item_id
        if state == "pending" and caller.has("council") and i.expires_at > now:
            if not any(v.member.lower() == me for v in i.votes):
                out.append(_task("vote", ref, i.proposed.timestamp, item=n))
        elif state == "passed":
            if caller.has("chair"):
                out.append(_task("sign_protocol", ref, i.last_event.timestamp, item=n))
            if caller.has("auditor"):
                out.append(_task("watch_council_protocol", ref, i.last_event.timestamp, item=n))
        elif state == "signed" and caller.has("council", "chair"):
            out.append(_task("execute", ref, i.last_event.timestamp, item=n))


def _meeting_tasks(
    caller: Caller, chair: str, meetings: list[MeetingPublic], now: int, out: list[Task]
) -> None:
    me = caller.address.lower()
    officer = caller.has("council", "chair")
    for m in meetings:
        presiding = (m.chair if int(m.chair, 16) else chair).lower()
        is_secretary = m.secretary.lower() == me
        is_presiding = presiding == me
        state, n = m.state_name, m.meeting_id
        ref = f"meeting:{n}"
        if state == "ended" and (officer or is_secretary or is_presiding):
            closer = "secretary" if is_secretary else ("chair" if is_presiding else "council")
            out.append(_task("close_meeting", ref, m.closes_at, closer, meeting=n))
        elif state == "open" and caller.has("member"):
            if not any(b.voter.lower() == me and not b.rejected_reason for b in m.ballots):
                out.append(_task("ballot", ref, m.opens_at, meeting=n))
        elif state == "held":
            if is_secretary and not m.secretary_signed:
                out.append(_sign(m, "secretary", "секретарь / secretary"))
            if is_presiding and m.secretary_signed and not m.chair_signed:
                out.append(_sign(m, "chair", "председатель / chair"))
            if caller.has("auditor") and not (m.secretary_signed and m.chair_signed):
                out.append(_task("watch_meeting_protocol", ref, _closed(m), meeting=n))
            if m.secretary_signed and m.chair_signed and officer:
                for q in m.questions:
                    if q.accepted and not q.executed and q.targets:
                        out.append(
                            _task(
                                "execute_question",
                                f"{ref}:{q.index}",
                                _closed(m),
                                meeting=n,
                                question=q.index + 1,
                            )
                        )


def _sign(m: MeetingPublic, role: str, who: str) -> Task:
    ref = f"meeting:{m.meeting_id}"
    return _task("sign_meeting_protocol", ref, _closed(m), role, meeting=m.meeting_id, who=who)


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
        ref, since = f"account:{a.account}", a.applied_at
        if not a.identity_verified and caller.has("verifier", "chair"):
            out.append(_task("verify_identity", ref, since, account=a.account))
        elif a.identity_verified and not a.fees_paid and caller.has("cashier"):
            out.append(_task("attest_payment", ref, since, account=a.account))
        elif (
            a.identity_verified
            and a.fees_paid
            and caller.has("council")
            and a.account[2:].lower() not in proposed
        ):
            out.append(_task("propose_admission", ref, since, account=a.account))


def _bank_tasks(gw: Gateway, caller: Caller, out: list[Task]) -> None:
    if not caller.has("cashier"):
        return
    from node.api.routes.bank import _engine
    from node.bank import matching

    rows = matching.lines_by_status(_engine(gw), "proposed")
    if rows:
        out.append(_task("attest_bank", f"bank:{len(rows)}", None, count=len(rows)))


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
