"""Answered threads and channel switches on a migrated SQLite file."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.storage import (
    ChannelOptions,
    ChannelSwitch,
    channel_options,
    remember_thread,
    set_channel_switch,
    thread_first_question,
)


def _remember(factory: sessionmaker[Session], thread_ts: str, question: str, **scope: str) -> None:
    with factory.begin() as session:
        remember_thread(
            session=session,
            team_id=scope.get("team_id", "T1"),
            channel_id=scope.get("channel_id", "C1"),
            thread_ts=thread_ts,
            question=question,
        )


def _first(factory: sessionmaker[Session], thread_ts: str, **scope: str) -> str | None:
    with factory() as session:
        return thread_first_question(
            session=session,
            team_id=scope.get("team_id", "T1"),
            channel_id=scope.get("channel_id", "C1"),
            thread_ts=thread_ts,
        )


def test_a_thread_keeps_its_first_question(session_factory) -> None:
    _remember(session_factory, "1.1", "When do deploys happen?")
    _remember(session_factory, "1.1", "and on Fridays?")

    assert _first(session_factory, "1.1") == "When do deploys happen?"


def test_a_thread_first_answered_without_a_question_takes_the_first_real_one(
    session_factory,
) -> None:
    _remember(session_factory, "1.1", "")
    assert _first(session_factory, "1.1") == ""  # answered, but nothing asked yet

    _remember(session_factory, "1.1", "Who is on call?")
    _remember(session_factory, "1.1", "and tomorrow?")

    assert _first(session_factory, "1.1") == "Who is on call?"


def test_unknown_threads_and_other_channels_or_teams_read_as_never_answered(
    session_factory,
) -> None:
    _remember(session_factory, "1.1", "Who is on call?")

    assert _first(session_factory, "2.2") is None
    assert _first(session_factory, "1.1", channel_id="C2") is None
    assert _first(session_factory, "1.1", team_id="T2") is None


def test_switches_default_then_change_one_at_a_time(session_factory) -> None:
    scope = {"team_id": "T1", "channel_id": "C1"}
    with session_factory() as session:
        assert channel_options(session=session, **scope) == ChannelOptions(
            followups=True, autoanswer=False
        )

    with session_factory.begin() as session:
        after = set_channel_switch(
            session=session, **scope, switch=ChannelSwitch.AUTOANSWER, on=True, user_id="U1"
        )
    assert after == ChannelOptions(followups=True, autoanswer=True)

    with session_factory.begin() as session:
        set_channel_switch(
            session=session, **scope, switch=ChannelSwitch.FOLLOWUPS, on=False, user_id="U2"
        )
    with session_factory() as session:
        assert channel_options(session=session, **scope) == ChannelOptions(
            followups=False, autoanswer=True
        )
        # Another channel keeps the defaults.
        assert channel_options(session=session, team_id="T1", channel_id="C2") == ChannelOptions()
