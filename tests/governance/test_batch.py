"""A batch of 100 signed ballots relayed in one transaction: every member's vote counted, no ETH
on the voters' side, and the per-ballot gas within the goal once members have voted before."""

from __future__ import annotations

from node.governance import Choice, MeetingState, Question
from node.governance.sandbox import Sandbox, h
from tests.governance.conftest import convene, end_voting, open_voting


def test_a_batch_of_100_signed_ballots(big_coop: Sandbox) -> None:
    sb = big_coop
    meeting = sb.governance.meeting
    questions = [Question(h("annual report")), Question(h("budget")), Question(h("plan"))]
    per_ballot = []
    for round_ in range(2):
        meeting_id = convene(sb, questions, label=f"annual {round_}")
        open_voting(sb, meeting_id)
        ballots = [
            meeting.sign_ballot(m, meeting_id, [Choice(i % 3), Choice.FOR, Choice.AGAINST])
            for i, m in enumerate(sb.members)
        ]
        result = meeting.cast_ballots_by_sig(sb.deployer, meeting_id, ballots)
        assert len(result.accepted) == 100 and result.rejected == []
        per_ballot.append((result.sent.gas_used - 21_000) / 100)
        end_voting(sb, meeting_id)
        meeting.close(sb.deployer, meeting_id)
        info = meeting.meeting(meeting_id)
        assert (info.state, info.participants, info.eligible) == (MeetingState.HELD, 100, 100)
        q0 = meeting.question(meeting_id, 0)
        assert (q0.against_votes, q0.for_votes, q0.abstain_votes) == (34, 33, 33)
        assert info.accepted_mask == 0b010
    first, later = per_ballot
    # A member's first ballot ever writes the slot of their "has voted" bits; later ones don't.
    assert later < 30_000, per_ballot
    assert first < later + 20_000, per_ballot
