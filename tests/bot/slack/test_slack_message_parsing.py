"""Which message events the follow-up / autoanswer listener takes, without an app."""

from __future__ import annotations

from typing import Any

import pytest
from slack_bolt import BoltContext

from bot.listeners.events.messages import channel_message, in_a_channel


def _context() -> BoltContext:
    return BoltContext({"bot_user_id": "UBOT", "team_id": "T1"})


def _event(**fields: Any) -> dict[str, Any]:
    return {"type": "message", "channel": "C1", "channel_type": "channel", "user": "U2",
            "text": "When do deploys happen?", "ts": "2.2", **fields}


@pytest.mark.parametrize(("channel_type", "taken"),
                         [("channel", True), ("group", True), ("im", False), ("mpim", False)])
def test_only_channel_and_group_messages_are_this_listener_s(channel_type: str, taken: bool):
    assert in_a_channel(_event(channel_type=channel_type)) is taken


def test_a_person_s_thread_reply_is_read_as_plain_text() -> None:
    message = channel_message(
        {"event_id": "Ev1"},
        _event(text="and on &lt;Fridays&gt;?", thread_ts="1.1", subtype="thread_broadcast"),
        _context(),
    )

    assert message is not None
    assert (message.team_id, message.channel_id, message.event_id) == ("T1", "C1", "Ev1")
    assert message.text == "and on <Fridays>?"
    assert message.in_thread and message.thread_ts == "1.1"


def test_a_top_level_message_is_not_in_a_thread() -> None:
    message = channel_message({}, _event(thread_ts="2.2"), _context())  # a thread's parent

    assert message is not None and not message.in_thread


@pytest.mark.parametrize(
    "fields",
    [
        {"bot_id": "B1"},
        {"subtype": "bot_message", "user": None},
        {"user": "UBOT"},
        {"subtype": "message_changed"},
        {"subtype": "message_deleted"},
        {"subtype": "channel_join"},
        {"text": "<@UBOT> when do deploys happen?"},
        {"text": "<@U5> when do deploys happen?"},
        {"text": "<!here> when do deploys happen?"},
        {"user": None},
        {"channel": {"id": "C1"}},  # not how Slack sends it: left alone, not a crash
        {"user": {"id": "U2"}},
        {"channel": ""},
    ],
)
def test_messages_nobody_could_mean_for_qabot_are_not_taken(fields: dict[str, Any]) -> None:
    assert channel_message({}, _event(**fields), _context()) is None
