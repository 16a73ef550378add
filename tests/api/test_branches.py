"""Branches over real HTTP: the mirror's branches and my branch, joining a branch through a
transaction the member's wallet signs, and the trustee's identity check simulated before it is
offered (a non-trustee is refused with the contract's reason). The chain-level rules and attacks
are in tests/governance/test_branches.py."""

from __future__ import annotations

from node.governance.branches import deploy_branches
from node.governance.sandbox import h
from tests.api.conftest import Api


def test_branches_routes(api: Api) -> None:
    sb, gw = api.sandbox, api.gateway
    assert api.get(sb.members[0], "/branches").status_code == 404  # no branches deployed
    branches, _ = deploy_branches(
        api.chain,
        sb.deployer,
        sb.cooperative.addresses.charter,
        sb.record["implementations"]["GeneralMeeting"],
        members_per_delegate=2,
        notice_period=3600,
    )
    council = sb.governance.council
    council.decide(
        sb.council[0],
        sb.council[:2],
        sb.chair,
        h("api branches"),
        [branches.create_branch_action(h("branch 1")), branches.create_branch_action(h("b2"))],
    )
    trustee, plain, mover = sb.members[0], sb.members[1], sb.members[2]
    branches.join(trustee, 1)
    branches.join(plain, 1)
    council.decide(
        sb.council[0],
        sb.council[:2],
        sb.chair,
        h("api trustee"),
        [branches.set_trustee_action(1, trustee.address)],
    )
    gw.record["branches"] = branches.address
    try:
        # Joining: a transaction for the member's own wallet, relayed and mirrored.
        api.act(mover, "/branches/2/join")
        api.synced()
        listed = api.ok(api.get(mover, "/branches"))
        assert listed["count"] == 2
        one, two = listed["data"]
        assert (one["trustee"], one["members"], two["members"]) == (trustee.address, 2, 1)
        mine = api.ok(api.get(mover, "/branches/me"))
        assert (mine["branch_id"], mine["delegate"]) == (2, False)
        assert api.ok(api.get(sb.members[3], "/branches/me"))["branch_id"] is None

        # Verifying: only the branch's trustee, and only an applicant (a member is refused).
        body = {"applicant": plain.address, "check_record": "0x" + "11" * 32}
        refused = api.ok(api.post(plain, "/branches/verify", json=body), 422)
        assert refused["error"] == "BranchesNotTrustee" and "уполномоченный" in refused["detail"]
        not_applicant = api.ok(api.post(trustee, "/branches/verify", json=body), 422)
        assert not_applicant["error"].startswith("Membership")

        # An order delivered to the buyer's branch names its trustee as the receiver.
        offer = api.ok(
            api.post(
                sb.members[3],
                "/offers",
                json={"title": "Крупа", "category": "прочее", "price": "1", "quantity": 5},
            ),
            201,
        )
        order = {"offer_id": offer["id"], "quantity": 1, "receive_at_branch": True}
        placed = api.ok(api.post(plain, "/orders", json=order), 201)
        assert placed["receiver"] == trustee.address
        no_trustee = api.ok(api.post(mover, "/orders", json=order), 422)  # branch 2: none
        assert "уполномоченного" in no_trustee["detail"]
        api.ok(api.post(plain, f"/orders/{placed['id']}/cancel"))

        # Bad input and unknown branches: nothing is offered.
        assert api.post(mover, "/branches/0/join").status_code == 422
        assert api.ok(api.post(mover, "/branches/9/join"), 422)["error"] == (
            "BranchesUnknownBranch"
        )
        assert api.ok(api.post(mover, "/branches/2/join"), 422)["error"] == (
            "BranchesAlreadyInBranch"
        )
        bad = {"applicant": "0x12", "check_record": "0x00"}
        assert api.post(trustee, "/branches/verify", json=bad).status_code == 422
        assert api.post(api.auditor, "/branches/1/join").status_code == 403
        assert api.http.get("/branches").status_code == 401
    finally:
        gw.record.pop("branches", None)
