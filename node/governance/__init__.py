"""A cooperative's governance: the council (items, votes, the chair's protocol, execution) and
the general meeting (agendas, one-member-one-vote ballots signed gaslessly, quorum, results)."""

from node.governance.ballots import (
    Choice,
    SignedBallot,
    ballot_digest,
    ballot_domain,
    ballot_typed_data,
    sign_ballot,
)
from node.governance.client import (
    Action,
    BatchResult,
    Convocation,
    Council,
    CouncilItem,
    GeneralMeeting,
    Governance,
    ItemState,
    Majority,
    MeetingInfo,
    MeetingState,
    Question,
    QuestionResult,
    VoteType,
)
from node.governance.deploy import GovernanceParams, deploy_governance, deploy_implementations

__all__ = [
    "Action",
    "BatchResult",
    "Choice",
    "Convocation",
    "Council",
    "CouncilItem",
    "GeneralMeeting",
    "Governance",
    "GovernanceParams",
    "ItemState",
    "Majority",
    "MeetingInfo",
    "MeetingState",
    "Question",
    "QuestionResult",
    "SignedBallot",
    "VoteType",
    "ballot_digest",
    "ballot_domain",
    "ballot_typed_data",
    "deploy_governance",
    "deploy_implementations",
    "sign_ballot",
]
