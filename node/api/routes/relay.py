"""`POST /relay/transactions` (a member-signed transaction) and `GET /relay/{id}` (status)."""

from __future__ import annotations

from fastapi import APIRouter, Path
from hexbytes import HexBytes
from pydantic import BaseModel

from node.api import mirror
from node.api.amounts import amounts_as_strings
from node.api.deps import CallerDep, GatewayDep, RelayRateLimit, WriterDep
from node.api.models import Relay
from node.api.problems import Problem, problem_responses
from node.api.relay import refresh, relay_raw
from node.api.schemas import HexBytesStr, RelayPublic

router = APIRouter(prefix="/relay", tags=["relay"])


class RawTransactionCreate(BaseModel):
    raw_transaction: HexBytesStr
    """The signed transaction (EIP-2718 bytes, 0x-hex), signed by the session's address."""


def public(row: Relay) -> RelayPublic:
    return RelayPublic.model_validate(row, from_attributes=True)


@router.post(
    "/transactions",
    response_model=amounts_as_strings(RelayPublic),
    status_code=202,
    dependencies=[RelayRateLimit],
    responses=problem_responses(401, 403, 422, 429),
)
def relay_transaction(gw: GatewayDep, caller: WriterDep, body: RawTransactionCreate) -> RelayPublic:
    """Broadcast a transaction the member signed (from `.../tx` routes); track it."""
    raw = bytes(HexBytes(body.raw_transaction))
    return public(relay_raw(gw, raw, account=caller.address))


@router.get(
    "/{relay_id}",
    response_model=amounts_as_strings(RelayPublic),
    responses=problem_responses(401, 404),
)
def relay_status(
    gw: GatewayDep,
    caller: CallerDep,
    relay_id: str = Path(max_length=36, pattern=r"^[0-9a-f\-]{1,36}$"),
) -> RelayPublic:
    """Where a relayed action is: pending, mined, indexed, or failed with the reason."""
    row = refresh(gw, relay_id, lambda: mirror.current_block(gw))
    if row is None:
        raise Problem(404, f"Нет действия {relay_id} / No relayed action {relay_id}")
    return public(row)
