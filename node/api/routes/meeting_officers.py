"""The officers' side of a general meeting, as forms: convene (agenda, majority per question
prefilled from the law, materials generated, the notice period checked), close, the protocol
generated from the chain's tally and signed by the secretary and the presiding chair, and the
execution of each accepted question. Nobody types call data."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from node.api.amounts import amounts_as_strings
from node.api.decisions import SummaryLine, require_council
from node.api.deps import CallerDep, GatewayDep, WriterDep
from node.api.named_funds import (
    FUND_QUESTION_KINDS,
    NamedFundFields,
    describe,
    least_majority,
    question_action,
)
from node.api.problems import Problem, problem_responses
from node.api.routes.council import _council
from node.api.routes.documents import GenerateCreate, generate_document
from node.api.routes.meetings import _meeting
from node.api.schemas import Address, Hash32, UnsignedTransaction
from node.api.txbuild import unsigned_tx
from node.chain.client import checksum
from node.governance.client import Action, Convocation, Majority, MeetingState, Question

router = APIRouter(prefix="/meetings", tags=["meetings"])

MeetingId = Annotated[int, Path(ge=1, lt=2**64)]
QuestionIndex = Annotated[int, Path(ge=0, lt=32)]
MajorityName = Literal["simple", "two_thirds", "three_quarters"]
MAJORITY_OF: dict[str, MajorityName] = {
    "simple": "simple",
    "two_thirds": "two_thirds",
    "three_quarters": "three_quarters",
}
MAJORITIES: dict[str, Majority] = {
    "simple": Majority.SIMPLE,
    "two_thirds": Majority.TWO_THIRDS,
    "three_quarters": Majority.THREE_QUARTERS,
}
ZERO = "0x0000000000000000000000000000000000000000"

#: What each kind of question is, the least majority the law (Закон 3085-1 art. 18, 41-ФЗ
#: art. 15; docs/governance.md) gives it, and whether it names a member.
QUESTION_KINDS: dict[str, tuple[str, str, MajorityName, bool]] = {
    "resolution": ("Иной вопрос", "Other question", "simple", False),
    "annual_report": ("Годовой отчёт", "Annual report", "simple", False),
    "income_distribution": ("Распределение дохода", "Distribution of income", "simple", False),
    "elect_chair": ("Избрание председателя", "Electing the chair", "simple", True),
    "exclusion": ("Исключение пайщика", "Excluding a member", "two_thirds", True),
    "property_disposal": (
        "Отчуждение имущества",
        "Disposal of property",
        "two_thirds",
        False,
    ),
    "charter_change": ("Изменение устава", "Charter change", "three_quarters", False),
    "reorganisation": ("Реорганизация", "Reorganisation", "three_quarters", False),
    "liquidation": ("Ликвидация", "Liquidation", "three_quarters", False),
    # The funds a charter names: the fund's own majority raises these (see named_funds.py).
    "named_fund_create": ("Создание фонда", "Creating a fund", "simple", False),
    "named_fund_change": ("Изменение фонда", "Changing a fund", "simple", False),
    "named_fund_payout": ("Расходование фонда", "Spending a fund", "simple", False),
}
QuestionKind = Literal[
    "resolution",
    "annual_report",
    "income_distribution",
    "elect_chair",
    "exclusion",
    "property_disposal",
    "charter_change",
    "reorganisation",
    "liquidation",
    "named_fund_create",
    "named_fund_change",
    "named_fund_payout",
]


class QuestionCreate(BaseModel):
    kind: QuestionKind = "resolution"
    text: Annotated[str, Field(min_length=1, max_length=2000)]
    """The question's wording and draft resolution (its generated document)."""
    majority: MajorityName | None = None
    """At least the law's for the kind (the default); a convener may raise it, never lower."""
    account: Address | None = None
    """The member concerned (elect_chair, exclusion)."""
    fund: NamedFundFields | None = None
    """The fund (named_fund_create, named_fund_change, named_fund_payout)."""


class ConvocationCreate(BaseModel):
    opens_at: Annotated[int, Field(ge=0, lt=2**40)]
    closes_at: Annotated[int, Field(ge=0, lt=2**40)]
    secretary: Address
    chair: Address | None = None
    """The presiding chair; none for the cooperative's chair."""
    questions: Annotated[list[QuestionCreate], Field(min_length=1, max_length=32)]


class QuestionKindPublic(BaseModel):
    kind: str
    title: str
    majority: MajorityName
    needs_account: bool


class RulesPublic(BaseModel):
    notice_period: int
    """Seconds between convening and the opening of voting (the charter's)."""
    signing_period: int
    quorum_schedule: list[int]
    earliest_opening: int
    """Now (the chain's clock) plus the notice period."""
    question_kinds: list[QuestionKindPublic]


class MaterialPublic(BaseModel):
    index: int
    kind: str
    majority: MajorityName
    document: str
    document_url: str


class ConvocationDraftPublic(BaseModel):
    title: str
    lines: list[SummaryLine]
    notice: str
    notice_url: str
    questions: list[MaterialPublic]
    transaction: UnsignedTransaction
    description: str


class StepPublic(BaseModel):
    lines: list[SummaryLine]
    document: str | None = None
    document_url: str | None = None
    transaction: UnsignedTransaction
    description: str


def _now(gw: GatewayDep) -> int:
    return int(gw.chain.w3.eth.get_block("latest")["timestamp"])


@router.get("/rules", response_model=RulesPublic, responses=problem_responses(401, 409))
def meeting_rules(gw: GatewayDep, caller: CallerDep) -> RulesPublic:
    """The charter's notice period and quorum schedule, and the kinds of question with the
    majority the law gives each: what the convening form is prefilled with."""
    meeting = _meeting(gw)
    notice = meeting.notice_period()
    return RulesPublic(
        notice_period=notice,
        signing_period=meeting.signing_period(),
        quorum_schedule=meeting.quorum_schedule(),
        earliest_opening=_now(gw) + notice,
        question_kinds=[
            QuestionKindPublic(kind=k, title=f"{ru} / {en}", majority=m, needs_account=acc)
            for k, (ru, en, m, acc) in QUESTION_KINDS.items()
        ],
    )


def _bad(field: str, ru: str, en: str) -> Problem:
    return Problem(
        422,
        f"{ru} / {en}",
        errors=[{"loc": ["body", *field.split(".")], "msg": en, "type": "value_error"}],
    )


@router.post(
    "/convocation",
    response_model=amounts_as_strings(ConvocationDraftPublic),
    responses=problem_responses(401, 403, 409, 422),
)
def draft_convocation(
    gw: GatewayDep, caller: WriterDep, body: ConvocationCreate
) -> ConvocationDraftPublic:
    """For a council member: the council item that convenes a meeting. Each question's draft
    resolution and the notice are generated (documents anyone can verify); each question's
    majority is the law's for its kind unless raised; the schedule is checked against the
    charter's notice period. Answers the `Council.propose` transaction with the `convene`
    action and what it does."""
    require_council(caller)
    council = _council(gw)
    meeting = _meeting(gw)
    notice = meeting.notice_period()
    earliest = _now(gw) + notice
    if body.opens_at < earliest:
        raise _bad(
            "opens_at",
            f"Голосование может открыться не раньше чем через {notice // 3600} ч "
            f"{notice % 3600 // 60} мин после созыва (срок уведомления устава): не раньше "
            f"{earliest} (unix)",
            f"Voting may open no sooner than the charter's notice period ({notice} s) after "
            f"convening: not before {earliest} (unix)",
        )
    if body.closes_at <= body.opens_at:
        raise _bad(
            "closes_at",
            "Голосование должно закрыться после открытия",
            "Voting must close after it opens",
        )
    chair = checksum(body.chair) if body.chair else ZERO
    if checksum(body.secretary) == (
        chair if body.chair else checksum(gw.coop.charter.functions.chair().call())
    ):
        raise _bad(
            "secretary",
            "Секретарь и председательствующий — разные люди",
            "The secretary and the presiding chair must be different people",
        )
    texts: list[str] = []
    questions: list[Question] = []
    materials: list[MaterialPublic] = []
    order = list(MAJORITIES)
    # Every question checked before any document is generated: a refusal leaves nothing behind.
    laws: list[MajorityName] = []
    for i, q in enumerate(body.questions):
        ru, en, law, needs_account = QUESTION_KINDS[q.kind]
        if q.kind in FUND_QUESTION_KINDS:
            least = least_majority(gw.coop.treasury, q.kind, q.fund, f"questions.{i}.fund")
            if order.index(least) > order.index(law):
                law = MAJORITY_OF[least]
        laws.append(law)
        chosen = q.majority or law
        if order.index(chosen) < order.index(law):
            raise _bad(
                f"questions.{i}.majority",
                f"Вопрос {i + 1} «{ru}» требует по закону не меньше: {law}",
                f"Question {i + 1} ({en}) needs at least the law's majority: {law}",
            )
        if needs_account and q.account is None:
            raise _bad(
                f"questions.{i}.account",
                f"Вопрос {i + 1} «{ru}»: укажите пайщика",
                f"Question {i + 1} ({en}): give the member",
            )
    for i, q in enumerate(body.questions):
        ru, en, _, _ = QUESTION_KINDS[q.kind]
        law = laws[i]
        chosen = q.majority or law
        doc = generate_document(
            gw,
            caller,
            GenerateCreate(
                template="meeting_question",
                fields={
                    "number": i + 1,
                    "kind_ru": ru,
                    "kind_en": en,
                    "majority": chosen,
                    "text": q.text + describe(q.kind, q.fund),
                    "accounts": [q.account] if q.account else [],
                },
            ),
        )
        decision = bytes.fromhex(doc.sha256)
        actions: tuple[Action, ...] = ()
        if q.kind == "elect_chair" and q.account:
            actions = (Action.call(gw.coop.charter, "setChair", checksum(q.account)),)
        elif q.kind == "exclusion" and q.account:
            actions = (Action.call(gw.coop.membership, "exit", checksum(q.account), decision),)
        elif q.kind == "charter_change":
            actions = (Action.call(gw.coop.charter, "setCharterDocument", decision),)
        elif q.kind in FUND_QUESTION_KINDS and q.fund is not None:
            actions = (question_action(gw.coop.treasury, q.kind, q.fund, decision),)
        questions.append(Question(decision, MAJORITIES[chosen], actions))
        texts.append(f"{ru} / {en}: {q.text}")
        materials.append(
            MaterialPublic(
                index=i, kind=q.kind, majority=chosen, document=doc.sha256, document_url=doc.url
            )
        )
    notice_doc = generate_document(
        gw,
        caller,
        GenerateCreate(
            template="meeting_notice",
            fields={
                "opens_at": body.opens_at,
                "closes_at": body.closes_at,
                "questions": texts,
                "documents": ["0x" + m.document for m in materials],
                "secretary_address": checksum(body.secretary),
            },
        ),
    )
    conv = Convocation(
        body.opens_at, body.closes_at, checksum(body.secretary), tuple(questions), chair
    )
    action = meeting.convene_action(conv)
    fn = council.contract.functions.propose(
        bytes.fromhex(notice_doc.sha256), [action.target], [action.data]
    )
    tx = unsigned_tx(gw, fn, caller.address, "Созвать общее собрание / Convene a general meeting")
    return ConvocationDraftPublic(
        title="Созыв общего собрания / Convening a general meeting",
        lines=[
            SummaryLine(label="Кто вносит / Proposed by", value=caller.address),
            SummaryLine(label="Открытие голосования / Voting opens", value=str(body.opens_at)),
            SummaryLine(label="Закрытие / Closes", value=str(body.closes_at)),
            SummaryLine(label="Срок уведомления, с / Notice period, s", value=str(notice)),
            SummaryLine(label="Секретарь / Secretary", value=checksum(body.secretary)),
            SummaryLine(label="Вопросов / Questions", value=str(len(questions))),
            SummaryLine(label="Уведомление / Notice", value=notice_doc.sha256),
        ],
        notice=notice_doc.sha256,
        notice_url=notice_doc.url,
        questions=materials,
        transaction=tx.transaction,
        description=tx.description,
    )


@router.post(
    "/{meeting_id}/close/tx",
    response_model=amounts_as_strings(StepPublic),
    responses=problem_responses(401, 403, 409, 422),
)
def close_tx(gw: GatewayDep, caller: WriterDep, meeting_id: MeetingId) -> StepPublic:
    """For anyone signed in: close a meeting whose voting window ended (quorum and tallies are
    counted on chain)."""
    meeting = _meeting(gw)
    fn = meeting.contract.functions.close(meeting_id)
    tx = unsigned_tx(gw, fn, caller.address, "Закрыть собрание / Close the meeting")
    return StepPublic(
        lines=[SummaryLine(label="Собрание № / Meeting no.", value=str(meeting_id))],
        transaction=tx.transaction,
        description=tx.description,
    )


@router.post(
    "/{meeting_id}/protocol/draft",
    response_model=amounts_as_strings(StepPublic),
    responses=problem_responses(401, 403, 404, 409, 422),
)
def protocol_draft(gw: GatewayDep, caller: WriterDep, meeting_id: MeetingId) -> StepPublic:
    """For the meeting's secretary, then its presiding chair: the protocol generated from the
    chain's tally (`meeting_protocol`) and the `signProtocol` transaction. The chair signs the
    hash the secretary signed (the contract refuses another)."""
    meeting = _meeting(gw)
    if meeting_id > int(meeting.contract.functions.meetingCount().call()):
        raise Problem(404, f"Нет собрания {meeting_id} / No meeting {meeting_id}")
    info = meeting.meeting(meeting_id)
    presiding = (
        info.chair if int(info.chair, 16) else checksum(gw.coop.charter.functions.chair().call())
    )
    me = checksum(caller.address)
    if me not in (info.secretary, presiding):
        raise Problem(
            403,
            "Протокол подписывают секретарь и председательствующий собрания / Only the "
            "meeting's secretary and presiding chair sign its protocol",
        )
    if info.secretary_signed:
        digest = info.protocol_hash.hex()
        url = f"/documents/{digest}"
    else:
        doc = generate_document(
            gw, caller, GenerateCreate(template="meeting_protocol", meeting_id=meeting_id)
        )
        digest, url = doc.sha256, doc.url
    fn = meeting.contract.functions.signProtocol(meeting_id, bytes.fromhex(digest))
    role = "Секретарь / Secretary" if me == info.secretary else "Председатель / Chair"
    tx = unsigned_tx(
        gw, fn, caller.address, "Подписать протокол собрания / Sign the meeting's protocol"
    )
    return StepPublic(
        lines=[
            SummaryLine(label="Собрание № / Meeting no.", value=str(meeting_id)),
            SummaryLine(label=role, value=me),
            SummaryLine(
                label="Участников / кворум / Participants / quorum",
                value=f"{info.participants} / {info.eligible} ({info.quorum_bps / 100:.0f}%)",
            ),
            SummaryLine(label="Протокол / Protocol", value=digest),
        ],
        document=digest,
        document_url=url,
        transaction=tx.transaction,
        description=tx.description,
    )


@router.post(
    "/{meeting_id}/questions/{index}/execution/tx",
    response_model=amounts_as_strings(StepPublic),
    responses=problem_responses(401, 404, 409, 422),
)
def execute_tx(
    gw: GatewayDep, caller: WriterDep, meeting_id: MeetingId, index: QuestionIndex
) -> StepPublic:
    """For anyone signed in: run an accepted question's actions (read from the agenda on
    chain, never typed)."""
    meeting = _meeting(gw)
    if meeting_id > int(meeting.contract.functions.meetingCount().call()):
        raise Problem(404, f"Нет собрания {meeting_id} / No meeting {meeting_id}")
    info = meeting.meeting(meeting_id)
    if info.state != MeetingState.HELD:
        raise Problem(
            409,
            "Исполнять можно только решения состоявшегося собрания / Only a held meeting's "
            "decisions are executed",
        )
    agenda = meeting.questions_of(meeting_id)
    if index >= len(agenda):
        raise Problem(404, f"Нет вопроса {index + 1} / No question {index + 1}")
    actions = agenda[index].actions
    fn = meeting.contract.functions.execute(
        meeting_id, index, [a.target for a in actions], [a.data for a in actions]
    )
    tx = unsigned_tx(
        gw, fn, caller.address, "Исполнить решение собрания / Execute the meeting's decision"
    )
    return StepPublic(
        lines=[
            SummaryLine(label="Собрание № / Meeting no.", value=str(meeting_id)),
            SummaryLine(label="Вопрос / Question", value=str(index + 1)),
            SummaryLine(label="Действий / Actions", value=str(len(actions))),
        ],
        transaction=tx.transaction,
        description=tx.description,
    )


# -- an extraordinary meeting on the members' demand ---------------------------------------------


class DemandQuestion(BaseModel):
    document_hash: Hash32
    """The question's document (its draft resolution), uploaded or generated first."""
    majority: MajorityName = "simple"


class DemandCreate(BaseModel):
    questions: list[DemandQuestion] = Field(min_length=1, max_length=32)
    """The agenda the members demand: the same questions (document and majority, no actions: a
    demand carries none) give the same agenda hash, so every member who types them joins the
    same demand."""


@router.post(
    "/demands",
    response_model=amounts_as_strings(StepPublic),
    responses=problem_responses(401, 403, 409, 422),
)
def demand_draft(gw: GatewayDep, caller: WriterDep, body: DemandCreate) -> StepPublic:
    """For a member: join the demand for an extraordinary general meeting with this agenda
    (`GeneralMeeting.demandMeeting(agendaHash)`, a transaction from the member's wallet). The
    answer states the agenda's hash, how many members demand it of how many (the register fixed
    by the first demand), the charter's threshold and the council's deadline once reached. The
    contract refuses a non-member, a second demand by the same member and a satisfied demand;
    the simulation answers those in Russian before anything is signed."""
    if caller.is_auditor or not caller.has("member"):
        raise Problem(
            403, "Созыва собрания требуют пайщики / Only members demand a general meeting"
        )
    meeting = _meeting(gw)
    questions = [
        Question(bytes.fromhex(q.document_hash[2:]), MAJORITIES[q.majority]) for q in body.questions
    ]
    agenda = meeting.agenda_hash(questions)
    info = meeting.demand_info(agenda)
    threshold = int(meeting.contract.functions.demandThresholdBps().call())
    fn = meeting.contract.functions.demandMeeting(agenda)
    tx = unsigned_tx(
        gw,
        fn,
        caller.address,
        "Потребовать созыва внеочередного общего собрания / Demand an extraordinary meeting",
    )
    lines = [
        SummaryLine(label="Пайщик / Member", value=caller.address),
        SummaryLine(label="Повестка (хеш) / Agenda (hash)", value="0x" + agenda.hex()),
        *(
            SummaryLine(label=f"Вопрос {n} / Question {n}", value=q.document_hash)
            for n, q in enumerate(body.questions, 1)
        ),
        SummaryLine(
            label="Уже требуют / Demanding already",
            value=f"{info['count']} / {info['eligible'] or '—'}",
        ),
        SummaryLine(label="Порог по уставу / Charter threshold", value=f"{threshold / 100:g} %"),
    ]
    if info["reached_at"]:
        lines.append(
            SummaryLine(
                label="Совет должен созвать до (unix) / The council convenes by (unix)",
                value=str(info["council_due_by"]),
            )
        )
    return StepPublic(lines=lines, transaction=tx.transaction, description=tx.description)
