from __future__ import annotations

from sqlalchemy import select

from bot.calibration import Vote
from bot.storage import Feedback, channel_votes, feedback_counts, record_feedback


def vote(session_factory, *, user_id: str = "U1", helpful: bool = True, **overrides) -> None:
    fields = {
        "team_id": "T1",
        "channel_id": "C1",
        "message_ts": "1700.01",
        "question": "When is lunch?",
        "answer": "noon",
        "document_id": 7,
    } | overrides
    with session_factory.begin() as session:
        record_feedback(session=session, user_id=user_id, helpful=helpful, **fields)


def counts(session_factory, team_id: str = "T1", channel_id: str = "C1") -> tuple[int, int]:
    with session_factory.begin() as session:
        return feedback_counts(session=session, team_id=team_id, channel_id=channel_id)


def test_votes_are_counted(session_factory) -> None:
    vote(session_factory, user_id="U1", helpful=True)
    vote(session_factory, user_id="U2", helpful=True)
    vote(session_factory, user_id="U3", helpful=False)
    vote(session_factory, user_id="U1", helpful=False, message_ts="1700.02")

    assert counts(session_factory) == (2, 2)


def test_a_second_vote_by_the_same_user_replaces_the_first(session_factory) -> None:
    vote(session_factory, helpful=True)
    vote(session_factory, helpful=False, answer="at noon", document_id=None)

    assert counts(session_factory) == (0, 1)
    with session_factory.begin() as session:
        rows = session.scalars(select(Feedback)).all()
    assert len(rows) == 1
    assert (rows[0].helpful, rows[0].answer, rows[0].document_id) == (False, "at noon", None)
    assert rows[0].updated_at >= rows[0].created_at


def test_counts_are_per_channel(session_factory) -> None:
    vote(session_factory, channel_id="C1", helpful=True)
    vote(session_factory, channel_id="C2", helpful=False)
    vote(session_factory, team_id="T2", helpful=False)

    assert counts(session_factory) == (1, 0)
    assert counts(session_factory, channel_id="C2") == (0, 1)
    assert counts(session_factory, team_id="T2") == (0, 1)
    assert counts(session_factory, channel_id="C-none") == (0, 0)


def votes(session_factory, team_id: str = "T1", channel_id: str = "C1") -> list[Vote]:
    with session_factory() as session:
        found = channel_votes(session=session, team_id=team_id, channel_id=channel_id)
    return sorted(found, key=lambda v: (v.user_id, v.confidence or 0))


def test_a_vote_keeps_the_confidence_of_the_answer_voted_on(session_factory) -> None:
    vote(session_factory, user_id="U1", helpful=True, confidence=0.625)
    vote(session_factory, user_id="U2", helpful=False, confidence=0.25, message_ts="1700.02")
    vote(session_factory, user_id="U3", helpful=False)  # a button without a confidence

    assert votes(session_factory) == [
        Vote("U1", 0.625, True),
        Vote("U2", 0.25, False),
        Vote("U3", None, False),
    ]


def test_voting_again_replaces_the_confidence_too(session_factory) -> None:
    vote(session_factory, helpful=True, confidence=0.9)
    vote(session_factory, helpful=False, confidence=0.4)

    assert votes(session_factory) == [Vote("U1", 0.4, False)]


def test_votes_are_per_channel(session_factory) -> None:
    vote(session_factory, channel_id="C1", confidence=0.5)
    vote(session_factory, channel_id="C2", confidence=0.6)
    vote(session_factory, team_id="T2", confidence=0.7)

    assert votes(session_factory) == [Vote("U1", 0.5, True)]
    assert votes(session_factory, channel_id="C2") == [Vote("U1", 0.6, True)]
    assert votes(session_factory, channel_id="C-none") == []
