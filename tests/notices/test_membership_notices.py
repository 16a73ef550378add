"""A member hears of every decision on their membership, not only admission: exclusion (the
contract blocks the member) and exit with the share refund the exit settled, each in the
member's own inbox only."""

from __future__ import annotations

from node.governance.client import Action
from node.governance.sandbox import fund, generated_accounts, h
from tests.api.conftest import Api
from tests.notices.test_email import _wait_json


def _decided(api: Api, account: object) -> list[dict]:
    inbox = _wait_json(
        api,
        account,
        "/notices/inbox",
        lambda b: any(n["kind"] == "membership_decided" for n in b["data"]),
    )
    return [n for n in inbox["data"] if n["kind"] == "membership_decided"]


def test_exclusion_and_exit_with_refund_are_told_to_the_member(napi: Api) -> None:
    sb = napi.sandbox
    gov = sb.governance
    assert gov.council is not None
    excluded, leaving = generated_accounts(2, "membership-notices")
    fund(sb.chain, [excluded.address, leaving.address])
    sb.applicant(excluded, "excluded")
    sb.applicant(leaving, "leaving")
    membership = sb.cooperative.membership
    block = Action.call(membership, "blockMember", excluded.address, h("exclude"))
    gov.council.decide(sb.council[0], sb.council[:2], sb.chair, h("exclude"), [block])
    admit = Action.call(membership, "admit", leaving.address, h("admit"))
    gov.council.decide(sb.council[0], sb.council[:2], sb.chair, h("admit"), [admit])
    leave = Action.call(membership, "exit", leaving.address, h("exit"))
    gov.council.decide(sb.council[0], sb.council[:2], sb.chair, h("exit"), [leave])
    napi.synced()

    (blocked,) = _decided(napi, excluded)
    assert blocked["payload"]["outcome"] == "blocked"
    assert blocked["payload"]["account"] == excluded.address
    assert blocked["payload"]["decision"].removeprefix("0x") == h("exclude").hex()
    assert blocked["title"].startswith("Решение о вашем членстве в кооперативе")
    assert "Принято решение об исключении" in blocked["text"]
    assert blocked["text"].index("исключении") < blocked["text"].index("was excluded")

    (left,) = _decided(napi, leaving)
    p = left["payload"]
    assert p["outcome"] == "exited" and p["settled"] is True
    refunded, owed = int(p["refunded_on_chain"]), int(p["owed_off_chain"])
    (settled,) = [
        log
        for log in sb.cooperative.shares.events.SharesSettled.get_logs(from_block=0)
        if log.args.account == leaving.address
    ]
    # What the chain settled in the exit (this sandbox charges no minimum share: 0 and 0).
    assert (refunded, owed) == (settled.args.refundedOnChain, settled.args.owedOffChain)
    assert "паевой взнос к возврату" in left["text"]

    # Each hears only of their own membership.
    theirs = napi.ok(napi.get(leaving, "/notices/inbox"))["data"]
    assert not any(n["payload"].get("account") == excluded.address for n in theirs)
    bystander = napi.ok(napi.get(sb.members[2], "/notices/inbox"))["data"]
    assert not any(n["kind"] == "membership_decided" for n in bystander)
