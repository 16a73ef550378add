"""Notices: the signed-in member's inbox, channels and preferences (always the caller's own:
no route names another account), and the delivery list of a meeting's legal notice."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from node.api.amounts import amounts_as_strings
from node.api.deps import CallerDep, GatewayDep, WriterDep
from node.api.documents import cooperative_context, generate_pdf
from node.api.gateway import Gateway
from node.api.models import DocumentFile
from node.api.notifier import cooperative_name
from node.api.problems import Problem, problem_responses
from node.api.schemas import TransactionToSign
from node.api.txbuild import unsigned_tx
from node.chain.client import checksum
from node.cooperative.client import DocumentType
from node.documents import facts
from node.notices import delivery_list, messages, store
from node.notices.kinds import CHANNELS, EMAIL_CONFIRM, KINDS, LEGAL_KINDS

router = APIRouter(prefix="/notices", tags=["notices"])
meetings_router = APIRouter(prefix="/meetings", tags=["meetings"])

ChannelName = Literal["inbox", "email", "webhook"]
KindName = Literal[tuple(KINDS)]  # type: ignore[valid-type]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoticePublic(BaseModel):
    id: int
    event_id: str
    kind: str
    title: str
    """Russian / English."""
    text: str
    """The notice as the e-mail says it (Russian, then English)."""
    payload: dict[str, Any]
    created_at: int
    read_at: int | None


class InboxPublic(BaseModel):
    data: list[NoticePublic]
    count: int
    unread: int


class ChannelPreferenceBody(Strict):
    channel: ChannelName
    enabled: bool
    kinds: list[KindName] | None = Field(default=None, max_length=len(KINDS))  # type: ignore[valid-type]
    """None: every kind. The notice of a general meeting (the legal one) reaches the inbox and
    a confirmed e-mail whatever this says."""


class PreferencesUpdate(Strict):
    channels: list[ChannelPreferenceBody] = Field(min_length=1, max_length=len(CHANNELS))


class KindPublic(BaseModel):
    kind: str
    title_ru: str
    title_en: str
    legal: bool


class EmailPublic(BaseModel):
    address: str
    confirmed: bool


class WebhookPublic(BaseModel):
    url: str
    secret: str | None = None
    """Shown once, when the webhook is registered: the HMAC-SHA256 key of `X-Coop-Signature`."""


class PreferencesPublic(BaseModel):
    account: str
    channels: list[ChannelPreferenceBody]
    email: EmailPublic | None
    webhook: WebhookPublic | None
    kinds: list[KindPublic]


class EmailCreate(Strict):
    address: str = Field(min_length=3, max_length=254)


class EmailConfirm(Strict):
    code: str = Field(pattern=r"^\s*[0-9]{6}\s*$")


class WebhookCreate(Strict):
    url: str = Field(min_length=8, max_length=2000)


class OutboxStatusPublic(BaseModel):
    outbox: dict[str, dict[str, int]]
    notifier_running: bool
    last_error: str | None


def _notice_public(gw: Any, row: Any) -> NoticePublic:
    ru, en = messages.title(row.kind)
    name = cooperative_name(gw)
    return NoticePublic(
        id=int(row.id),
        event_id=row.event_id,
        kind=row.kind,
        title=f"{ru} / {en}",
        text=messages.render(row.kind, row.payload, name),
        payload=row.payload,
        created_at=int(row.created_at),
        read_at=row.read_at,
    )


def _preferences(gw: Any, account: str) -> PreferencesPublic:
    with gw.engine.connect() as conn:
        prefs = store.preferences(conn, account)
        email = store.email_of(conn, account)
        hook = store.webhook_of(conn, account)
    return PreferencesPublic(
        account=account,
        channels=[
            ChannelPreferenceBody(channel=p.channel, enabled=p.enabled, kinds=p.kinds)
            for p in prefs
        ],
        email=EmailPublic(address=email[0], confirmed=email[1]) if email else None,
        webhook=WebhookPublic(url=hook[0]) if hook else None,
        kinds=[
            KindPublic(kind=k, title_ru=ru, title_en=en, legal=k in LEGAL_KINDS)
            for k, (ru, en) in KINDS.items()
        ],
    )


@router.get("/inbox", response_model=InboxPublic, responses=problem_responses(401, 503))
def get_inbox(
    gw: GatewayDep,
    caller: CallerDep,
    unread: bool = False,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> InboxPublic:
    """Your notices, newest first (only ever your own: the account is the session's)."""
    with gw.engine.connect() as conn:
        rows, count = store.inbox(conn, caller.address, unread=unread, offset=offset, limit=limit)
        _, unread_count = store.inbox(conn, caller.address, unread=True, limit=1)
    return InboxPublic(data=[_notice_public(gw, r) for r in rows], count=count, unread=unread_count)


@router.post("/inbox/{notice_id}/read", status_code=204, responses=problem_responses(401, 404, 503))
def read_notice(
    gw: GatewayDep, caller: CallerDep, notice_id: Annotated[int, Path(ge=1, lt=2**63)]
) -> Response:
    """Mark one of your notices read (another member's is answered 404, as if absent)."""
    with gw.engine.begin() as conn:
        store.mark_read(conn, caller.address, notice_id)
    return Response(status_code=204)


@router.get("/preferences", response_model=PreferencesPublic, responses=problem_responses(401))
def get_preferences(gw: GatewayDep, caller: CallerDep) -> PreferencesPublic:
    """Your channels (inbox, e-mail, webhook), what you hear of on each, and every kind."""
    return _preferences(gw, caller.address)


@router.put("/preferences", response_model=PreferencesPublic, responses=problem_responses(401, 422))
def put_preferences(
    gw: GatewayDep, caller: CallerDep, body: PreferencesUpdate
) -> PreferencesPublic:
    """Choose per channel: on or off, and which kinds (`null`: all)."""
    seen = [c.channel for c in body.channels]
    if len(set(seen)) != len(seen):
        raise Problem(422, "Канал указан дважды / A channel is given twice")
    with gw.engine.begin() as conn:
        store.set_preferences(
            conn,
            caller.address,
            [store.ChannelPreference(c.channel, c.enabled, c.kinds) for c in body.channels],
        )
    return _preferences(gw, caller.address)


@router.post(
    "/email",
    response_model=EmailPublic,
    status_code=202,
    responses=problem_responses(401, 422, 429),
)
def add_email(gw: GatewayDep, caller: CallerDep, body: EmailCreate) -> EmailPublic:
    """Give an e-mail address: a 6-digit code is mailed to it, and nothing else is until you
    type the code (`POST /notices/email/confirm`); at most 5 codes an hour."""
    with gw.engine.begin() as conn:
        code = store.start_email_confirmation(conn, caller.address, body.address)
        address, _ = store.email_of(conn, caller.address) or (body.address, False)
        store.enqueue_direct(
            conn,
            f"{EMAIL_CONFIRM}:{caller.address}:{secrets.token_hex(8)}",
            EMAIL_CONFIRM,
            caller.address,
            "email",
            address,
            {"code": code, "link": f"{gw.settings.public_url.rstrip('/')}/#/notices"},
        )
    return EmailPublic(address=address, confirmed=False)


@router.post(
    "/email/confirm",
    response_model=EmailPublic,
    responses=problem_responses(401, 404, 410, 422, 429),
)
def confirm_email(gw: GatewayDep, caller: CallerDep, body: EmailConfirm) -> EmailPublic:
    """Confirm your address with the mailed code (5 wrong codes: give the address again)."""
    try:
        with gw.engine.begin() as conn:
            address = store.confirm_email(conn, caller.address, body.code)
    except store.NoticeError as exc:
        if exc.status == 422:  # the wrong guess is counted (its own transaction)
            with gw.engine.begin() as conn:
                store.count_wrong_code(conn, caller.address)
        raise
    return EmailPublic(address=address, confirmed=True)


@router.delete("/email", status_code=204, responses=problem_responses(401))
def delete_email(gw: GatewayDep, caller: CallerDep) -> Response:
    with gw.engine.begin() as conn:
        store.remove_email(conn, caller.address)
    return Response(status_code=204)


@router.put("/webhook", response_model=WebhookPublic, responses=problem_responses(401, 422))
def put_webhook(gw: GatewayDep, caller: CallerDep, body: WebhookCreate) -> WebhookPublic:
    """Register the URL another system receives your notices at; the answer holds its HMAC
    secret, once (see docs/notices.md for the signature)."""
    with gw.engine.begin() as conn:
        secret = store.set_webhook(
            conn, caller.address, body.url, allow_private=gw.settings.notices_webhook_private
        )
        url, _ = store.webhook_of(conn, caller.address) or (body.url, "")
    return WebhookPublic(url=url, secret=secret)


@router.delete("/webhook", status_code=204, responses=problem_responses(401))
def delete_webhook(gw: GatewayDep, caller: CallerDep) -> Response:
    with gw.engine.begin() as conn:
        store.remove_webhook(conn, caller.address)
    return Response(status_code=204)


@router.get("/status", response_model=OutboxStatusPublic, responses=problem_responses(401, 403))
def outbox_status(gw: GatewayDep, caller: CallerDep) -> OutboxStatusPublic:
    """The outbox by channel and status: for the council, the chair and auditors."""
    if not caller.has("council", "chair", "auditor"):
        raise Problem(
            403, "Только совет, председатель и ревизор / Council, chair and auditors only"
        )
    with gw.engine.connect() as conn:
        counts = store.status(conn)
    notifier = getattr(gw, "notifier", None)
    return OutboxStatusPublic(
        outbox=counts,
        notifier_running=notifier is not None,
        last_error=getattr(notifier, "last_error", None),
    )


# -- the delivery list of a meeting's notice ------------------------------------------------------


class AnchorPublic(BaseModel):
    anchored_by: str
    anchored_at: int


class NoticeDeliveryPublic(BaseModel):
    meeting_id: int
    meeting_contract: str
    sealed: bool
    """False while notices are still being delivered (before voting opens)."""
    sha256: str | None
    """SHA-256 of `document` as canonical JSON (sorted keys, no spaces, UTF-8), stated inside
    the PDF."""
    document: dict[str, Any] | None
    pdf_sha256: str | None
    """SHA-256 of the list's PDF (document kind `notice_delivery_list`, made once when first
    asked for after sealing): the hash an officer anchors."""
    pdf_url: str | None
    anchor: AnchorPublic | None
    """The PDF's anchor in the DocumentRegistry as the chain answers now."""
    may_anchor: bool
    """The caller is an officer who may anchor it (council, chair, the meeting's secretary)."""
    outbox: dict[str, int]
    """The meeting's notices by status, now."""


MeetingId = Annotated[int, Path(ge=0, lt=2**64)]


def _meeting_key(gw: Any, meeting_id: int) -> tuple[str, str]:
    meeting = gw.governance().meeting
    if meeting is None:
        raise Problem(
            409, "У кооператива нет общего собрания / The cooperative has no general meeting"
        )
    return meeting.address, f"{meeting.address}:{meeting_id}"


def delivery_list_document(gw: Gateway, meeting_id: int) -> DocumentFile | None:
    """The PDF of the meeting's sealed delivery list (None: not sealed yet). Made from the
    sealed JSON with the date of sealing (no mirror block, no clock): the same facts whoever
    asks and whenever; the first PDF's hash is recorded and kept, so a later template version
    never moves what was anchored."""
    _, key = _meeting_key(gw, meeting_id)
    with gw.engine.connect() as conn:
        found = delivery_list.get(conn, key)
    if found is None:
        return None
    if found.pdf_sha256 is not None:
        with Session(gw.engine) as session:
            row = session.get(DocumentFile, found.pdf_sha256)
        if row is not None and gw.store.exists(found.pdf_sha256):
            return row
    coop = cooperative_context(gw)
    date = datetime.fromtimestamp(found.created_at, UTC).date().isoformat()
    base = facts.header(
        facts.cooperative(str(coop["cooperative_name"]), gw.coop.addresses.charter, gw.chain_id),
        date,
    )
    made = generate_pdf(
        gw,
        "notice_delivery_list",
        {**base, **facts.notice_delivery_list(found.document, found.sha256)},
        stored_by=None,
        filename=f"notice_delivery_list_{meeting_id}.pdf",
    )
    with gw.engine.begin() as conn:
        recorded = delivery_list.record_pdf(conn, key, made.sha256)
    if recorded != made.sha256:  # another template version made it first: serve that one
        with Session(gw.engine) as session:
            first = session.get(DocumentFile, recorded)
        if first is not None:
            return first
    return made


def _is_officer_of(gw: Gateway, caller: Any, meeting_id: int) -> bool:
    """Council, the chair, or this meeting's secretary."""
    if caller.has("council", "chair"):
        return True
    meeting = gw.governance().meeting
    if meeting is None or meeting_id > int(meeting.contract.functions.meetingCount().call()):
        return False
    return bool(meeting.meeting(meeting_id).secretary == checksum(caller.address))


@meetings_router.get(
    "/{meeting_id}/notice-delivery",
    response_model=NoticeDeliveryPublic,
    responses=problem_responses(401, 404, 409),
)
def notice_delivery(
    gw: GatewayDep, caller: CallerDep, meeting_id: MeetingId
) -> NoticeDeliveryPublic:
    """To whom, by which channel and when the notice of the meeting was sent (e-mail addresses
    as SHA-256), sealed once delivered, its hash and its anchor: the legal record auditors
    check."""
    import sqlalchemy as sa

    contract, key = _meeting_key(gw, meeting_id)
    o = store.tables.outbox
    with gw.engine.connect() as conn:
        found = delivery_list.get(conn, key)
        counts = {
            r[0]: int(r[1])
            for r in conn.execute(
                sa.select(o.c.status, sa.func.count())
                .where(o.c.subject_key == key)
                .group_by(o.c.status)
            )
        }
    if found is None and not counts:
        raise Problem(404, "Уведомления этого собрания не рассылались / No notices of this meeting")
    anchor = None
    pdf = delivery_list_document(gw, meeting_id) if found is not None else None
    if pdf is not None:
        raw = gw.coop.documents.functions.documentOf(bytes.fromhex(pdf.sha256)).call()
        if int(raw[0], 16) != 0:
            anchor = AnchorPublic(anchored_by=checksum(raw[0]), anchored_at=int(raw[1]))
    return NoticeDeliveryPublic(
        meeting_id=meeting_id,
        meeting_contract=contract,
        sealed=found is not None,
        sha256=found.sha256 if found else None,
        document=json.loads(found.body) if found else None,
        pdf_sha256=pdf.sha256 if pdf else None,
        pdf_url=f"/documents/{pdf.sha256}" if pdf else None,
        anchor=anchor,
        may_anchor=not caller.is_auditor and _is_officer_of(gw, caller, meeting_id),
        outbox=counts,
    )


@meetings_router.post(
    "/{meeting_id}/notice-delivery/anchor/tx",
    response_model=amounts_as_strings(TransactionToSign),
    responses=problem_responses(401, 403, 404, 409),
)
def anchor_notice_delivery(
    gw: GatewayDep, caller: WriterDep, meeting_id: MeetingId
) -> TransactionToSign:
    """For an officer (the council, the chair, the meeting's secretary): anchor the sealed
    delivery list's PDF in the DocumentRegistry (`DocumentType.Other`), a transaction from the
    officer's wallet. A member who is none of them is refused: the list is the cooperative's
    legal act, not anyone's."""
    if not _is_officer_of(gw, caller, meeting_id):
        raise Problem(
            403,
            "Лист рассылки закрепляет должностное лицо: совет, председатель или секретарь "
            "собрания / Only an officer (council, chair, the meeting's secretary) anchors the "
            "delivery list",
        )
    found = delivery_list_document(gw, meeting_id)
    if found is None:
        raise Problem(
            409,
            "Лист рассылки ещё не закрыт: уведомления доставляются / The delivery list is not "
            "sealed yet: notices are being delivered",
        )
    fn = gw.coop.documents.functions.anchor(
        bytes.fromhex(found.sha256), int(DocumentType.OTHER), b"\0" * 32
    )
    return unsigned_tx(
        gw,
        fn,
        caller.address,
        "Закрепить лист рассылки уведомлений о собрании / Anchor the meeting notice delivery list",
    )
