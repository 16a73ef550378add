"""Obligations (invoices): issue, accept (directly or by EIP-712 signature), reject, cancel,
pay in part or whole; every revert path leaves everything as it was."""

from __future__ import annotations

import time

import pytest
from web3.exceptions import MismatchedABI

from node.units.client import ObligationStatus
from node.units.eip712 import accept_typed_data, sign_acceptance, typed_data_digest
from tests.units.conftest import DEFAULT_LIMIT, Coop, fresh_units

DOC = b"\x42" * 32
FAR = 2**40 - 1


def _deadline(coop: Coop, seconds: int = 3600) -> int:
    return int(coop.chain.w3.eth.get_block("latest")["timestamp"]) + seconds


def test_invoice_life_cycle(coop: Coop) -> None:
    creditor, debtor = coop.members[0], coop.members[1]
    units = coop.units
    oid, sent = units.issue(
        creditor, debtor.address, 500, due_date=1_900_000_000, document_hash=DOC
    )
    assert oid == 1
    issued = units.decode_events("ObligationIssued", sent)
    assert issued[0].args["creditor"] == creditor.address
    assert issued[0].args["debtor"] == debtor.address
    assert issued[0].args["documentHash"] == DOC
    info = units.obligation(oid)
    assert (info.debtor, info.creditor, info.status) == (
        debtor.address,
        creditor.address,
        ObligationStatus.ISSUED,
    )
    assert (info.amount, info.outstanding, info.due_date, info.document_hash) == (
        500,
        500,
        1_900_000_000,
        DOC,
    )
    # An invoice not yet accepted is not a debt and blocks nobody.
    assert units.open_obligation_count(debtor.address) == 0
    assert not units.has_open_obligations(creditor.address)

    units.accept(debtor, oid)
    assert units.obligation(oid).status == ObligationStatus.ACCEPTED
    assert units.open_obligation_count(debtor.address) == 1
    assert units.open_obligation_count(creditor.address) == 1
    assert units.has_open_obligations(debtor.address)
    assert units.has_open_obligations(creditor.address)

    units.pay(debtor, oid, 200)
    assert units.obligation(oid).outstanding == 300
    assert units.signed_balance(debtor.address) == -200
    assert units.signed_balance(creditor.address) == 200
    assert units.obligation(oid).status == ObligationStatus.ACCEPTED

    sent = units.pay(debtor, oid, 300)
    paid = units.decode_events("ObligationPaid", sent)
    assert (paid[0].args["amount"], paid[0].args["outstanding"]) == (300, 0)
    info = units.obligation(oid)
    assert (info.status, info.outstanding, info.amount) == (ObligationStatus.SETTLED, 0, 500)
    assert units.open_obligation_count(debtor.address) == 0
    assert units.open_obligation_count(creditor.address) == 0
    assert units.signed_balance(debtor.address) == -500
    assert units.total_supply() == 500
    err = coop.reverts("SettlementUnitsUnexpectedStatus", lambda: units.pay(debtor, oid, 1))
    assert err.error_args == (oid, ObligationStatus.SETTLED)


def test_issue_reverts(coop: Coop) -> None:
    a, b, outsider = coop.members[0], coop.members[1], coop.outsider
    units = coop.units
    coop.reverts("SettlementUnitsZeroAmount", lambda: units.issue(a, b.address, 0))
    coop.reverts("SettlementUnitsAmountTooLarge", lambda: units.issue(a, b.address, 2**128))
    err = coop.reverts("SettlementUnitsSelfObligation", lambda: units.issue(a, a.address, 1))
    assert err.error_args == (a.address,)
    err = coop.reverts(
        "SettlementUnitsNotActiveMember", lambda: units.issue(a, outsider.address, 1)
    )
    assert err.error_args == (outsider.address,)
    err = coop.reverts(
        "SettlementUnitsNotActiveMember", lambda: units.issue(outsider, a.address, 1)
    )
    assert err.error_args == (outsider.address,)


def test_accept_reject_cancel_reverts(coop: Coop) -> None:
    creditor, debtor, other = coop.members[:3]
    units = coop.units
    oid, _ = units.issue(creditor, debtor.address, 100)
    err = coop.reverts("SettlementUnitsNotDebtor", lambda: units.accept(other, oid))
    assert err.error_args == (oid, other.address)
    coop.reverts("SettlementUnitsNotDebtor", lambda: units.accept(creditor, oid))
    coop.reverts("SettlementUnitsNotDebtor", lambda: units.accept(debtor, 99))  # unknown id
    coop.reverts("SettlementUnitsNotDebtor", lambda: units.reject(other, oid))
    coop.reverts("SettlementUnitsNotCreditor", lambda: units.cancel(debtor, oid))
    coop.reverts("SettlementUnitsNotCreditor", lambda: units.cancel(creditor, 99))
    err = coop.reverts("SettlementUnitsUnexpectedStatus", lambda: units.pay(debtor, oid, 1))
    assert err.error_args == (oid, ObligationStatus.ISSUED)
    units.accept(debtor, oid)
    err = coop.reverts("SettlementUnitsUnexpectedStatus", lambda: units.accept(debtor, oid))
    assert err.error_args == (oid, ObligationStatus.ACCEPTED)
    coop.reverts("SettlementUnitsUnexpectedStatus", lambda: units.reject(debtor, oid))
    coop.reverts("SettlementUnitsZeroAmount", lambda: units.pay(debtor, oid, 0))
    coop.reverts("SettlementUnitsNotDebtor", lambda: units.pay(other, oid, 1))
    err = coop.reverts("SettlementUnitsExceedsOutstanding", lambda: units.pay(debtor, oid, 101))
    assert err.error_args == (oid, 101, 100)


def test_pay_respects_the_debtors_limit(coop: Coop) -> None:
    creditor, debtor = coop.members[0], coop.members[1]
    units = coop.units
    oid, _ = units.issue(creditor, debtor.address, DEFAULT_LIMIT + 10)
    units.accept(debtor, oid)
    err = coop.reverts(
        "SettlementUnitsInsufficientAvailable",
        lambda: units.pay(debtor, oid, DEFAULT_LIMIT + 1),
    )
    assert err.error_args == (debtor.address, DEFAULT_LIMIT, DEFAULT_LIMIT + 1)
    units.pay(debtor, oid, DEFAULT_LIMIT)
    assert units.obligation(oid).outstanding == 10


def test_reject_and_cancel(coop: Coop) -> None:
    creditor, debtor = coop.members[0], coop.members[1]
    units = coop.units
    rejected, _ = units.issue(creditor, debtor.address, 10)
    units.reject(debtor, rejected)
    assert units.obligation(rejected).status == ObligationStatus.REJECTED
    coop.reverts("SettlementUnitsUnexpectedStatus", lambda: units.accept(debtor, rejected))
    coop.reverts("SettlementUnitsUnexpectedStatus", lambda: units.cancel(creditor, rejected))

    issued, _ = units.issue(creditor, debtor.address, 20)
    units.cancel(creditor, issued)
    assert units.obligation(issued).status == ObligationStatus.CANCELLED
    coop.reverts("SettlementUnitsUnexpectedStatus", lambda: units.accept(debtor, issued))

    accepted, _ = units.issue(creditor, debtor.address, 30)
    units.accept(debtor, accepted)
    units.pay(debtor, accepted, 12)
    sent = units.cancel(creditor, accepted)
    ev = units.decode_events("ObligationCancelled", sent)
    assert ev[0].args["waivedAmount"] == 18
    info = units.obligation(accepted)
    assert (info.status, info.outstanding) == (ObligationStatus.CANCELLED, 0)
    assert units.open_obligation_count(debtor.address) == 0
    assert units.open_obligation_count(creditor.address) == 0
    assert units.signed_balance(creditor.address) == 12  # what was paid stays paid
    coop.reverts("SettlementUnitsUnexpectedStatus", lambda: units.cancel(creditor, accepted))
    coop.reverts("SettlementUnitsUnexpectedStatus", lambda: units.pay(debtor, accepted, 1))


def test_accept_by_signature(coop: Coop) -> None:
    creditor, debtor, relayer = coop.members[0], coop.members[1], coop.outsider
    units = coop.units
    oid, _ = units.issue(creditor, debtor.address, 250, due_date=1_800_000_000, document_hash=DOC)
    deadline = _deadline(coop)
    typed = units.accept_typed_data(oid, deadline)
    assert typed["domain"]["name"] == "Coopnode ВРЕ"
    assert typed["domain"]["verifyingContract"] == units.address
    assert typed_data_digest(typed) == units.accept_digest(oid, deadline)
    signature = sign_acceptance(debtor, typed)

    sent = units.accept_with_signature(relayer, oid, deadline, signature)  # anyone submits
    ev = units.decode_events("ObligationAccepted", sent)
    assert (ev[0].args["debtor"], ev[0].args["bySignature"]) == (debtor.address, True)
    assert units.obligation(oid).status == ObligationStatus.ACCEPTED
    # Replay: the obligation is no longer waiting for acceptance.
    err = coop.reverts(
        "SettlementUnitsUnexpectedStatus",
        lambda: units.accept_with_signature(relayer, oid, deadline, signature),
    )
    assert err.error_args == (oid, ObligationStatus.ACCEPTED)


def test_eip712_domain_is_the_clones_own(coop: Coop) -> None:
    fields, name, version, chain_id, contract, salt, extensions = (
        coop.units.contract.functions.eip712Domain().call()
    )
    assert fields == b"\x0f"
    assert (name, version, chain_id, contract) == (
        "Coopnode ВРЕ",
        "1",
        coop.chain.chain_id,
        coop.units.address,
    )
    assert salt == b"\x00" * 32
    assert extensions == []


def test_accept_by_signature_rejects_wrong_signer_terms_domain_and_deadline(coop: Coop) -> None:
    creditor, debtor, relayer = coop.members[0], coop.members[1], coop.outsider
    units = coop.units
    oid, _ = units.issue(creditor, debtor.address, 250, document_hash=DOC)
    deadline = _deadline(coop)
    typed = units.accept_typed_data(oid, deadline)

    def submit(signature: bytes, at_deadline: int = deadline) -> object:
        return units.accept_with_signature(relayer, oid, at_deadline, signature)

    # Signed by someone else (the creditor accepting on the debtor's behalf).
    err = coop.reverts(
        "SettlementUnitsInvalidSignature", lambda: submit(sign_acceptance(creditor, typed))
    )
    assert err.error_args == (oid, debtor.address)
    # Signed for other terms (a larger amount than invoiced).
    other_terms = accept_typed_data(
        chain_id=coop.chain.chain_id,
        contract=units.address,
        obligation_id=oid,
        debtor=debtor.address,
        creditor=creditor.address,
        amount=251,
        due_date=0,
        document_hash=DOC,
        deadline=deadline,
    )
    coop.reverts(
        "SettlementUnitsInvalidSignature", lambda: submit(sign_acceptance(debtor, other_terms))
    )
    # Signed for another chain.
    other_chain = {**typed, "domain": {**typed["domain"], "chainId": coop.chain.chain_id + 1}}
    coop.reverts(
        "SettlementUnitsInvalidSignature", lambda: submit(sign_acceptance(debtor, other_chain))
    )
    # Signed for this contract but submitted with another deadline.
    good = sign_acceptance(debtor, typed)
    coop.reverts("SettlementUnitsInvalidSignature", lambda: submit(good, deadline + 1))
    # Garbage.
    coop.reverts("SettlementUnitsInvalidSignature", lambda: submit(b"\x01" * 65))
    # Expired.
    past = int(time.time()) - 10_000
    expired = sign_acceptance(debtor, units.accept_typed_data(oid, past))
    err = coop.reverts("SettlementUnitsSignatureExpired", lambda: submit(expired, past))
    assert err.error_args == (past,)
    # Not waiting for acceptance any more.
    units.cancel(creditor, oid)
    coop.reverts("SettlementUnitsUnexpectedStatus", lambda: submit(good))


def test_signature_for_another_contract_does_not_accept_here(coop: Coop) -> None:
    """Two ВРЕ contracts with an identical invoice #1: a signature for one fails on the other."""
    creditor, debtor, relayer = coop.members[0], coop.members[1], coop.outsider
    here, there = coop.units, fresh_units(coop)
    assert here.address != there.address
    id_here, _ = here.issue(creditor, debtor.address, 70, document_hash=DOC)
    id_there, _ = there.issue(creditor, debtor.address, 70, document_hash=DOC)
    assert id_here == id_there == 1
    deadline = _deadline(coop)
    for_there = there.sign_acceptance(debtor, id_there, deadline)
    coop.reverts(
        "SettlementUnitsInvalidSignature",
        lambda: here.accept_with_signature(relayer, id_here, deadline, for_there),
    )
    there.accept_with_signature(relayer, id_there, deadline, for_there)
    assert there.obligation(id_there).status == ObligationStatus.ACCEPTED
    assert here.obligation(id_here).status == ObligationStatus.ISSUED


def test_accept_needs_both_parties_active(coop: Coop) -> None:
    creditor, debtor = coop.members[0], coop.members[1]
    units = coop.units
    oid, _ = units.issue(creditor, debtor.address, 10)
    deadline = _deadline(coop)
    signature = units.sign_acceptance(debtor, oid, deadline)
    coop.block(creditor)
    err = coop.reverts("SettlementUnitsNotActiveMember", lambda: units.accept(debtor, oid))
    assert err.error_args == (creditor.address,)
    coop.unblock(creditor)
    coop.block(debtor)
    coop.reverts(
        "SettlementUnitsNotActiveMember",
        lambda: units.accept_with_signature(creditor, oid, deadline, signature),
    )
    # The debtor may still reject and the creditor cancel: neither creates credit.
    units.reject(debtor, oid)


def test_due_date_out_of_range_is_refused_by_the_encoder(coop: Coop) -> None:
    creditor, debtor = coop.members[0], coop.members[1]
    with pytest.raises(MismatchedABI):  # the ABI type is uint40
        coop.units.issue(creditor, debtor.address, 1, due_date=FAR + 1)
    coop.units.issue(creditor, debtor.address, 1, due_date=FAR)
    assert coop.units.obligation(1).due_date == FAR
    coop.units.cancel(creditor, 1)
    assert coop.units.obligation_count() == 1
