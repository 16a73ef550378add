"""`POST /units/transfers/tx`: a ВРЕ transfer as a transaction for the member's own wallet.

Kept beside `units.py` (same prefix) so that the portal can offer a transfer; the contract
decides who may send and how far below zero a balance may go (the credit limit).
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from node.api.deps import GatewayDep, WriterDep
from node.api.problems import Problem, problem_responses
from node.api.schemas import Address, Hash32, TransactionToSign, Uint
from node.api.txbuild import bytes32, unsigned_tx
from node.chain.client import checksum

router = APIRouter(prefix="/units", tags=["units"])

ZERO_HASH = "0x" + "00" * 32


class TransferCreate(BaseModel):
    to: Address
    amount: Uint
    document_hash: Hash32 = ZERO_HASH
    """The document behind the transfer (a contract, an act); zero for none."""


@router.post(
    "/transfers/tx", response_model=TransactionToSign, responses=problem_responses(401, 403, 422)
)
def transfer_tx(gw: GatewayDep, caller: WriterDep, body: TransferCreate) -> TransactionToSign:
    """For a member: transfer ВРЕ to another member (a transaction from your wallet)."""
    amount = int(body.amount)
    if amount <= 0:
        raise Problem(422, "Сумма должна быть больше нуля / The amount must be positive")
    if checksum(body.to) == checksum(caller.address):
        raise Problem(422, "Нельзя перевести самому себе / You cannot transfer to yourself")
    fns = gw.units.contract.functions
    fn = (
        fns.transfer(checksum(body.to), amount)
        if body.document_hash == ZERO_HASH
        else fns.transferWithDocument(checksum(body.to), amount, bytes32(body.document_hash))
    )
    return unsigned_tx(gw, fn, caller.address, "Перевести ВРЕ / Transfer ВРЕ")
