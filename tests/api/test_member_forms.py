"""The member's own forms over real HTTP: what blocks my exit (the contracts' answer), rejecting,
paying and cancelling ВРЕ invoices outside the exchange, and the decisions that concern me."""

from __future__ import annotations

from tests.api.conftest import Api

UNIT = 10**18


def test_exit_check_invoices_and_decisions(api: Api) -> None:
    sb = api.sandbox
    units = api.gateway.units
    creditor, debtor, stranger = sb.members[0], sb.members[1], sb.members[2]

    rejected_id, _ = units.issue(creditor, debtor.address, 3 * UNIT)
    open_id, _ = units.issue(creditor, debtor.address, 5 * UNIT)
    units.accept(debtor, open_id)
    api.synced()

    # Only the debtor rejects; an accepted invoice cannot be rejected.
    assert api.post(stranger, f"/units/invoices/{rejected_id}/rejection/tx").status_code == 422
    done = api.act(debtor, f"/units/invoices/{rejected_id}/rejection/tx")
    assert done["status"] == "indexed", done
    refused = api.post(debtor, f"/units/invoices/{open_id}/rejection/tx")
    assert refused.status_code == 422
    assert refused.json()["error"] == "SettlementUnitsUnexpectedStatus"

    # The accepted invoice blocks the exit of both sides; the contract says which source.
    check = api.ok(api.get(debtor, f"/members/{debtor.address}/exit-check"))
    assert check["can_request"] is False
    assert check["error"] == "MembershipOpenObligations"
    assert "ВРЕ" in check["reason_ru"]
    assert open_id in check["open_invoices"] and rejected_id not in check["open_invoices"]
    assert any(s["kind"] == "settlement_units" and s["blocks"] for s in check["sources"])
    assert api.get(stranger, f"/members/{debtor.address}/exit-check").status_code == 403

    # Paying more than is outstanding, or zero, is refused before anything is signed.
    too_much = api.post(
        debtor, f"/units/invoices/{open_id}/payment/tx", json={"amount": str(6 * UNIT)}
    )
    assert too_much.status_code == 422
    assert too_much.json()["error"] == "SettlementUnitsExceedsOutstanding"
    zero = api.post(debtor, f"/units/invoices/{open_id}/payment/tx", json={"amount": "0"})
    assert zero.status_code == 422

    # Only the creditor cancels; then nothing of this invoice blocks the exit any more.
    assert api.post(debtor, f"/units/invoices/{open_id}/cancellation/tx").status_code == 422
    done = api.act(creditor, f"/units/invoices/{open_id}/cancellation/tx")
    assert done["status"] == "indexed", done
    check = api.ok(api.get(debtor, f"/members/{debtor.address}/exit-check"))
    assert open_id not in check["open_invoices"]

    # Decisions that concern me: at least the meetings I voted in (own ballot or by proxy).
    decisions = api.ok(api.get(debtor, f"/members/{debtor.address}/decisions"))
    assert all(
        d["kind"] in ("council_item", "meeting_question", "my_ballot") for d in decisions["data"]
    )
    assert api.get(stranger, f"/members/{debtor.address}/decisions").status_code == 403
