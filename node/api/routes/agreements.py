"""Membership agreements: the simple electronic signature agreement and the personal data
consent. The council publishes a version (rendered from its template), an officer anchors it
as an official document, and from then on every member (and applicant) accepts it by signing
its hash before the gateway relays anything else of theirs. See `node.api.agreements`."""

from __future__ import annotations

import time
from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from node.api.agreements import current_versions, has_accepted, in_force
from node.api.amounts import amounts_as_strings
from node.api.deps import CallerDep, GatewayDep, WriterDep
from node.api.documents import cooperative_context, generate_pdf
from node.api.gateway import Gateway
from node.api.models import AgreementVersion
from node.api.problems import Problem, problem_responses
from node.api.schemas import TransactionToSign
from node.api.txbuild import unsigned_tx
from node.cooperative.client import DocumentType
from node.documents.agreements import AGREEMENTS, AgreementKind, agreement_facts

router = APIRouter(prefix="/agreements", tags=["agreements"])


class AgreementPublic(BaseModel):
    kind: str
    version: int
    sha256: str
    effective_date: str
    title: str
    """Russian / English."""
    url: str
    """The text: `GET /documents/{sha256}`."""
    in_force: bool
    """An officer has anchored it as an official document."""
    published_by: str
    created_at: int


class AgreementStatus(AgreementPublic):
    accepted: bool
    """The signed-in account's signature of this version is on chain."""
    sign: str
    """Where to get the EIP-712 payload to sign (then `POST /documents/{sha256}/signatures`)."""


class AgreementsPublic(BaseModel):
    current: list[AgreementStatus]
    """The versions in force, newest per kind, with the caller's acceptance."""
    all_accepted: bool
    """False: the gateway relays none of the caller's acts but these acceptances."""


class AgreementCreate(BaseModel):
    kind: AgreementKind
    effective_date: date
    """The date the version takes effect (printed in it)."""


class AgreementDraftPublic(BaseModel):
    agreement: AgreementPublic
    anchor: TransactionToSign
    """For the officer: anchor the version as an official document; it is in force once mined."""


def _public(gw: Gateway, row: AgreementVersion, force: bool | None = None) -> AgreementPublic:
    a = AGREEMENTS[row.kind]
    return AgreementPublic(
        kind=row.kind,
        version=row.version,
        sha256=row.sha256,
        effective_date=row.effective_date,
        title=f"{a.title_ru} / {a.title_en}",
        url=f"/documents/{row.sha256}",
        in_force=in_force(gw, row.sha256) if force is None else force,
        published_by=row.published_by,
        created_at=row.created_at,
    )


@router.get(
    "", response_model=amounts_as_strings(AgreementsPublic), responses=problem_responses(401)
)
def agreements(gw: GatewayDep, caller: CallerDep) -> AgreementsPublic:
    """The agreements in force and whether you have accepted each (sign the ones you have not:
    until then the gateway relays nothing else of yours)."""
    current = [
        AgreementStatus(
            **_public(gw, row, True).model_dump(),
            accepted=has_accepted(gw, row.sha256, caller.address),
            sign=f"/documents/{row.sha256}/signatures/typed-data",
        )
        for row in current_versions(gw).values()
    ]
    return AgreementsPublic(current=current, all_accepted=all(a.accepted for a in current))


@router.get(
    "/versions",
    response_model=list[AgreementPublic],
    responses=problem_responses(401),
)
def agreement_versions(gw: GatewayDep, caller: CallerDep) -> list[AgreementPublic]:
    """Every published version, oldest first, and whether it is in force."""
    with Session(gw.engine) as session:
        rows = session.exec(
            select(AgreementVersion).order_by(
                col(AgreementVersion.kind), col(AgreementVersion.version)
            )
        ).all()
    return [_public(gw, r) for r in rows]


@router.post(
    "/versions",
    response_model=amounts_as_strings(AgreementDraftPublic),
    status_code=201,
    responses=problem_responses(401, 403, 409, 422),
)
def publish_version(
    gw: GatewayDep, caller: WriterDep, body: AgreementCreate
) -> AgreementDraftPublic:
    """For the chair or a council member: render the next version of an agreement, store it,
    and get the transaction that anchors it as an official document (it is in force, and every
    member must accept it, from when that is mined)."""
    if not caller.has("council", "chair"):
        raise Problem(
            403,
            "Публикует редакцию соглашения председатель или член совета / Only the chair or "
            "a council member publishes an agreement version",
        )
    with Session(gw.engine) as session:
        last = session.exec(
            select(func.max(AgreementVersion.version)).where(AgreementVersion.kind == body.kind)
        ).one()
    version = int(last or 0) + 1
    ctx = {
        **cooperative_context(gw),
        "registry": gw.coop.addresses.documents,
        "version": version,
        "effective_date": body.effective_date.isoformat(),
    }
    agreement = AGREEMENTS[body.kind]
    doc = generate_pdf(
        gw,
        agreement.document_kind,
        agreement_facts(ctx),
        stored_by=caller.address,
        filename=f"agreement_{body.kind}_v{version}.pdf",
    )
    previous = current_versions(gw).get(body.kind)
    replaces = bytes.fromhex(previous.sha256) if previous is not None else b"\0" * 32
    fn = gw.coop.documents.functions.anchor(
        bytes.fromhex(doc.sha256), int(DocumentType.COUNCIL_DECISION), replaces
    )
    tx = unsigned_tx(
        gw,
        fn,
        caller.address,
        f"Ввести в действие редакцию {version} соглашения / Put version {version} of the "
        "agreement in force",
    )
    now = int(time.time())
    row = AgreementVersion(
        sha256=doc.sha256,
        kind=body.kind,
        version=version,
        effective_date=body.effective_date.isoformat(),
        published_by=caller.address,
        created_at=now,
    )
    with Session(gw.engine) as session:
        if session.get(AgreementVersion, doc.sha256) is not None:
            raise Problem(
                409,
                "Такая редакция уже опубликована (тот же текст) / This version is already "
                "published (the same text)",
            )
        session.add(row)
        try:
            session.commit()
        except IntegrityError as exc:  # another publication took this number meanwhile
            raise Problem(409, "Редакция уже создана / Version already created") from exc
        session.refresh(row)
    return AgreementDraftPublic(agreement=_public(gw, row, False), anchor=tx)
