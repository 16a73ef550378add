"""The audit commission as a fact on chain: `Charter.setAuditor` is a decision's action, and
everyone else who tries it (a council member, the chair, a stranger, a former executor) is
refused with nothing changed."""

from __future__ import annotations

from collections.abc import Callable

from eth_account.signers.local import LocalAccount

from node.chain.client import Chain
from node.cooperative.client import Cooperative
from tests.contracts.conftest import ZERO_ADDRESS, Roles, expect_revert

NewAccount = Callable[[], LocalAccount]


def test_only_the_decision_executor_appoints_auditors(
    chain: Chain, coop: Cooperative, roles: Roles, new_account: NewAccount
) -> None:
    auditor, stranger = new_account(), new_account()
    council_member = roles.council[2]
    assert council_member.address not in {roles.executor.address, roles.chair.address}
    for intruder in (council_member, roles.chair, stranger, auditor):
        # The attack: appoint oneself (or anyone) auditor without a decision.
        expect_revert(
            lambda intruder=intruder: coop.set_auditor(intruder, intruder.address),
            "CharterNotAuditorAppointer",
            intruder.address,
        )
        assert not coop.is_auditor(intruder.address)

    sent = coop.set_auditor(roles.executor, auditor.address)
    assert coop.is_auditor(auditor.address)
    (event,) = coop.charter.events.AuditorChanged().process_receipt(sent.receipt)
    assert event["args"]["account"] == auditor.address and event["args"]["appointed"] is True
    # An appointed auditor cannot remove themself or appoint others either.
    expect_revert(
        lambda: coop.set_auditor(auditor, auditor.address, False),
        "CharterNotAuditorAppointer",
        auditor.address,
    )
    expect_revert(
        lambda: coop.set_auditor(roles.chair, auditor.address, False),
        "CharterNotAuditorAppointer",
        roles.chair.address,
    )
    assert coop.is_auditor(auditor.address)

    # Input checks: no zero address, no appointment that changes nothing.
    expect_revert(lambda: coop.set_auditor(roles.executor, ZERO_ADDRESS), "CharterZeroAddress")
    expect_revert(
        lambda: coop.set_auditor(roles.executor, auditor.address),
        "CharterAuditorUnchanged",
        auditor.address,
        True,
    )
    sent = coop.set_auditor(roles.executor, auditor.address, False)
    (event,) = coop.charter.events.AuditorChanged().process_receipt(sent.receipt)
    assert event["args"]["appointed"] is False
    assert not coop.is_auditor(auditor.address)
    expect_revert(
        lambda: coop.set_auditor(roles.executor, auditor.address, False),
        "CharterAuditorUnchanged",
        auditor.address,
        False,
    )


def test_a_former_executor_cannot_appoint_auditors(
    chain: Chain, coop: Cooperative, roles: Roles, new_account: NewAccount
) -> None:
    successor, auditor = new_account(), new_account()
    chain.transact(coop.charter.functions.setDecisionExecutor(successor.address), roles.executor)
    expect_revert(
        lambda: coop.set_auditor(roles.executor, auditor.address),
        "CharterNotAuditorAppointer",
        roles.executor.address,
    )
    assert not coop.is_auditor(auditor.address)
    coop.set_auditor(successor, auditor.address)
    assert coop.is_auditor(auditor.address)
