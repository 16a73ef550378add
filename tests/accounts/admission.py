"""What the cooperative does for a new member with only a passkey, shared by the gateway's and
the portal's passkey suites: identity checked, fees paid, then one council decision admits the
member with a ВРЕ credit limit of 100 and convenes a one-question meeting; the chain is moved
to the meeting's opening and the mirror has caught up."""

from __future__ import annotations

from node.governance import Action, Convocation, Question
from node.governance.sandbox import now, warp
from tests.api.conftest import Api

TOKEN = 10**18


def admit_and_convene(api: Api, address: str, marks: bytes) -> None:
    """`marks`: five bytes, each repeated into one of the hashes (identity attestation,
    payment attestation, the question, the decision, the admission document), so that each
    suite's documents are its own."""
    identity, payment, question, decision, admission = (bytes([b]) * 32 for b in marks)
    sb = api.sandbox
    coop, units = sb.cooperative, api.gateway.units.contract
    coop.attest_identity(sb.chair, address, identity)
    coop.attest_payment(sb.deployer, address, payment)
    opens = now(api.chain) + sb.governance.meeting.notice_period() + 60
    convocation = Convocation(
        opens_at=opens,
        closes_at=opens + 7 * 86_400,
        secretary=sb.secretary.address,
        questions=(Question(document_hash=question),),
    )
    sb.governance.council.decide(
        sb.council[0],
        sb.council[:2],
        sb.chair,
        decision,
        [
            Action.call(coop.membership, "admit", address, admission),
            Action.call(units, "setCreditLimit", address, 100 * TOKEN),
            sb.governance.meeting.convene_action(convocation),
        ],
    )
    warp(api.chain, opens + 1)
    api.synced()
