"""Answers without a mention: follow-ups in threads qabot answered in (`message.channels`,
`message.groups`), and help channels (`/context autoanswer on`).

Every case goes through the real app with signed requests. Messages qabot must leave
alone are checked deterministically: the job is written before the HTTP response, so
once the event is acknowledged, "no job under its event id" means no reply will come.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from bot.storage import JobState, create_db_engine, job_status, make_session_factory
from qa_engine.engine import QAEngine
from qa_engine.types import Document
from tests.bot.slack.conftest import (
    NAME_DOCUMENT,
    NAME_QUESTION,
    SlackApp,
    make_settings,
    needs_trained_model,
)
from tests.bot.slack.fake_slack import BOT_ID, BOT_USER_ID, Call, FakeSlack, wait_for

_ts = itertools.count(1)
_events = itertools.count(1)


def new_ts() -> str:
    return f"1810000000.{next(_ts):06d}"


def message_event(
    text: str,
    *,
    ts: str | None = None,
    thread_ts: str | None = None,
    channel: str = "C1",
    user: str | None = "U2",
    channel_type: str = "channel",
    **extra: Any,
) -> dict[str, Any]:
    """A `message` event as `message.channels` (or `.groups`) delivers it."""
    event: dict[str, Any] = {
        "type": "message",
        "channel": channel,
        "channel_type": channel_type,
        "text": text,
        "ts": ts or new_ts(),
        "event_ts": ts or new_ts(),
    }
    if user is not None:
        event["user"] = user
    if thread_ts:
        event["thread_ts"] = thread_ts
    event.update(extra)
    return event


def post(app: SlackApp, event: dict[str, Any]) -> str:
    """Send the event; returns its event id (the key of its job, if qabot took it)."""
    event_id = f"EvMSG{next(_events):06d}"
    assert app.event(event, event_id=event_id).status_code == 200
    return event_id


def job_state(app: SlackApp, event_id: str) -> JobState | None:
    with app.services.session_factory() as session:
        status = job_status(session=session, key=event_id)
    return None if status is None else status.state


def finished(app: SlackApp, event_id: str) -> None:
    wait_for(lambda: job_state(app, event_id) is JobState.DONE)


def add_name_document(app: SlackApp, channel: str = "C1") -> None:
    response, name = app.command("/context", f"add {NAME_DOCUMENT}", channel=channel)
    assert response.status_code == 200
    wait_for(lambda: app.fake.responses(name))


def command_reply(app: SlackApp, text: str, channel: str = "C1") -> str:
    response, name = app.command("/context", text, channel=channel)
    assert response.status_code == 200
    return wait_for(lambda: app.fake.responses(name))[0]["text"]


def answered_thread(app: SlackApp, question: str = NAME_QUESTION) -> str:
    """Mention qabot at the top level; returns the thread its answer started."""
    _, ts = app.mention(question)
    wait_for(lambda: app.fake.replies(ts))
    return ts


def replies(fake: FakeSlack, thread_ts: str, count: int) -> list[Call]:
    return wait_for(lambda: len(fake.replies(thread_ts)) >= count and fake.replies(thread_ts))


def reactions_added(fake: FakeSlack, ts: str) -> list[str]:
    return [c["name"] for c in fake.calls("reactions.add") if c["timestamp"] == ts]


def context_text(message: Call) -> str:
    return " ".join(
        element["text"]
        for block in message.get("blocks", [])
        if block["type"] == "context"
        for element in block["elements"]
    )


# -- follow-ups ---------------------------------------------------------------------------


def test_a_question_in_a_thread_qabot_answered_gets_an_answer_without_a_mention(
    slack_app: SlackApp,
):
    add_name_document(slack_app)
    thread = answered_thread(slack_app)

    followup = message_event("Where do I live?", thread_ts=thread, user="U7")
    event_id = post(slack_app, followup)

    first, second = replies(slack_app.fake, thread, 2)
    finished(slack_app, event_id)
    assert second["channel"] == "C1"
    assert "/context followups off" in context_text(second)
    assert "/context followups off" not in context_text(first)  # the mention's own reply
    # No 👀 on a message nobody addressed to qabot.
    assert reactions_added(slack_app.fake, followup["ts"]) == []


def test_private_channels_get_follow_ups_too(slack_app: SlackApp):
    add_name_document(slack_app, channel="G1")
    _, thread = slack_app.mention(NAME_QUESTION, channel="G1")
    replies(slack_app.fake, thread, 1)

    post(slack_app, message_event("Where do I live?", thread_ts=thread, channel="G1",
                                  channel_type="group"))

    assert replies(slack_app.fake, thread, 2)[1]["channel"] == "G1"


@pytest.mark.parametrize(
    "case",
    [
        "bot",
        "bot_message",
        "own",
        "edit",
        "delete",
        "mention",
        "teammate",
        "not_a_question",
        "other_thread",
        "other_channel",
        "join",
    ],
)
def test_messages_qabot_must_leave_alone_write_nothing(slack_app: SlackApp, case: str):
    add_name_document(slack_app)
    thread = answered_thread(slack_app)
    question = "Where do I live?"
    events = {
        "bot": message_event(question, thread_ts=thread, bot_id="B9"),
        "bot_message": message_event(
            question, thread_ts=thread, user=None, subtype="bot_message", bot_id="B9"
        ),
        "own": message_event(question, thread_ts=thread, user=BOT_USER_ID, bot_id=BOT_ID),
        "edit": message_event(
            "",
            thread_ts=thread,
            user=None,
            subtype="message_changed",
            message={"type": "message", "user": "U2", "text": question, "ts": "1.1",
                     "thread_ts": thread},
        ),
        "delete": message_event(
            "", thread_ts=thread, user=None, subtype="message_deleted", deleted_ts="1.1"
        ),
        # Slack sends an app_mention for it too; that one is answered.
        "mention": message_event(f"<@{BOT_USER_ID}> {question}", thread_ts=thread),
        "teammate": message_event(f"<@U5> {question}", thread_ts=thread),
        "not_a_question": message_event("Thanks, that helped.", thread_ts=thread),
        "other_thread": message_event(question, thread_ts="1799999999.000001"),
        "other_channel": message_event(question, thread_ts=thread, channel="C9"),
        "join": message_event(
            "<@U2> has joined the channel", thread_ts=thread, subtype="channel_join"
        ),
    }

    event_id = post(slack_app, events[case])

    assert job_state(slack_app, event_id) is None
    # The same thread still takes a real follow-up: the check above isn't vacuous.
    control = post(slack_app, message_event(question, thread_ts=thread))
    finished(slack_app, control)
    assert len(slack_app.fake.replies(thread)) == 2


def test_a_retried_follow_up_is_answered_once(slack_app: SlackApp):
    add_name_document(slack_app)
    thread = answered_thread(slack_app)
    event = message_event("Where do I live?", thread_ts=thread)

    for retry in range(3):
        headers = {"X-Slack-Retry-Num": str(retry)} if retry else None
        response = slack_app.event(event, event_id="EvFOLLOWUP", headers=headers)
        assert response.status_code == 200

    finished(slack_app, "EvFOLLOWUP")
    # A later, different event in the thread is answered: everything before it has landed.
    control = post(slack_app, message_event("What's my name?", thread_ts=thread))
    finished(slack_app, control)
    assert len(slack_app.fake.replies(thread)) == 3


def test_follow_ups_switched_off_stay_silent_until_switched_on(slack_app: SlackApp):
    add_name_document(slack_app)
    thread = answered_thread(slack_app)

    assert "Follow-ups are on" in command_reply(slack_app, "followups")
    assert "Follow-ups are off" in command_reply(slack_app, "followups off")
    silent = post(slack_app, message_event("Where do I live?", thread_ts=thread))
    assert job_state(slack_app, silent) is None
    # A mention still works in a channel without follow-ups.
    slack_app.mention("Where do I live?", thread_ts=thread)
    replies(slack_app.fake, thread, 2)

    assert "Follow-ups are on" in command_reply(slack_app, "followups on")
    answered = post(slack_app, message_event("Where do I live?", thread_ts=thread))
    finished(slack_app, answered)
    assert len(slack_app.fake.replies(thread)) == 3


def test_a_follow_up_without_an_answer_stays_silent(slack_app: SlackApp):
    add_name_document(slack_app)
    thread = answered_thread(slack_app)

    # Shares no word with the document and is too long to lean on the first question.
    event_id = post(
        slack_app,
        message_event("Which parking garage do visitors use on weekends?", thread_ts=thread),
    )

    finished(slack_app, event_id)
    assert len(slack_app.fake.replies(thread)) == 1
    assert slack_app.fake.calls("chat.postEphemeral") == []


@needs_trained_model
def test_a_short_follow_up_borrows_the_thread_s_first_question(slack_app: SlackApp):
    add_name_document(slack_app)
    # On its own, the follow-up shares no word with the documents: no answer.
    _, alone = slack_app.mention("and on Fridays?")
    assert "couldn't find an answer" in replies(slack_app.fake, alone, 1)[0]["text"]
    thread = answered_thread(slack_app, NAME_QUESTION)

    post(slack_app, message_event("and on Fridays?", thread_ts=thread))

    followup = replies(slack_app.fake, thread, 2)[1]
    assert "John" in followup["text"]


@needs_trained_model
def test_a_mention_in_an_answered_thread_borrows_too(slack_app: SlackApp):
    add_name_document(slack_app)
    thread = answered_thread(slack_app, NAME_QUESTION)

    slack_app.mention("and on Fridays?", thread_ts=thread)

    assert "John" in replies(slack_app.fake, thread, 2)[1]["text"]


# -- help channels ------------------------------------------------------------------------


def test_autoanswer_is_off_by_default_and_answers_questions_once_on(slack_app: SlackApp):
    add_name_document(slack_app)
    before = post(slack_app, message_event(NAME_QUESTION))
    assert job_state(slack_app, before) is None
    assert "Autoanswer is off" in command_reply(slack_app, "autoanswer")

    text = command_reply(slack_app, "autoanswer on")
    assert "Autoanswer is on" in text and "50%" in text  # the default threshold

    question = message_event(NAME_QUESTION)
    statement = message_event("My name is not a question.")
    asked, stated = post(slack_app, question), post(slack_app, statement)

    answer = replies(slack_app.fake, question["ts"], 1)[0]
    finished(slack_app, asked)
    assert job_state(slack_app, stated) is None
    assert "/context autoanswer off" in context_text(answer)
    assert reactions_added(slack_app.fake, question["ts"]) == []
    # The answer's thread now takes follow-ups.
    post(slack_app, message_event("Where do I live?", thread_ts=question["ts"]))
    replies(slack_app.fake, question["ts"], 2)

    assert "Autoanswer is off" in command_reply(slack_app, "autoanswer off")
    after = post(slack_app, message_event(NAME_QUESTION))
    assert job_state(slack_app, after) is None


def test_autoanswer_in_one_channel_leaves_others_alone(slack_app: SlackApp):
    add_name_document(slack_app, channel="C1")
    add_name_document(slack_app, channel="C2")
    command_reply(slack_app, "autoanswer on", channel="C1")

    elsewhere = post(slack_app, message_event(NAME_QUESTION, channel="C2"))

    assert job_state(slack_app, elsewhere) is None


def test_autoanswer_stays_silent_below_its_threshold(
    engine: QAEngine, fake_slack: FakeSlack, new_database
):
    document = Document("name", NAME_DOCUMENT, "About me")
    best = engine.answer(NAME_QUESTION, documents=[document]).best
    assert best is not None and best.confidence < 1.0  # so a threshold of 1.0 is above it
    settings = make_settings(new_database(), fake_slack, qa_autoanswer_threshold=1.0)
    app = SlackApp(settings, engine, fake_slack)
    try:
        add_name_document(app)
        assert "100%" in command_reply(app, "autoanswer on")
        question = message_event(NAME_QUESTION)

        event_id = post(app, question)

        finished(app, event_id)  # read, and deliberately not posted
        assert fake_slack.replies(question["ts"]) == []
        assert fake_slack.calls("reactions.add") == []
        assert fake_slack.calls("chat.postEphemeral") == []
    finally:
        app.stop()


def test_autoanswer_says_nothing_when_nothing_answers(slack_app: SlackApp):
    add_name_document(slack_app)
    command_reply(slack_app, "autoanswer on")
    question = message_event("Which parking garage do visitors use on weekends?")

    event_id = post(slack_app, question)

    finished(slack_app, event_id)
    assert slack_app.fake.replies(question["ts"]) == []


def test_autoanswer_in_a_channel_without_documents_says_nothing(slack_app: SlackApp):
    command_reply(slack_app, "autoanswer on")
    question = message_event(NAME_QUESTION)

    event_id = post(slack_app, question)

    finished(slack_app, event_id)
    assert slack_app.fake.replies() == []


# -- the commands -------------------------------------------------------------------------


@pytest.mark.parametrize("switch", ["followups", "autoanswer"])
def test_a_switch_with_a_bad_argument_explains_and_changes_nothing(
    slack_app: SlackApp, switch: str
):
    before = command_reply(slack_app, switch)

    text = command_reply(slack_app, f"{switch} maybe")

    assert "`on` or `off`" in text and "maybe" in text and "Nothing changed" in text
    assert command_reply(slack_app, switch) == before


def test_help_says_what_followups_and_autoanswer_do(slack_app: SlackApp):
    text = command_reply(slack_app, "help")

    assert "/context followups on|off" in text
    assert "/context autoanswer on|off" in text
    assert "off by default" in text


def test_a_question_the_database_cannot_check_is_not_acknowledged_but_chatter_is(
    settings, engine: QAEngine, fake_slack: FakeSlack, new_database
):
    # A database nobody migrated: every query fails. Acknowledging a question qabot might
    # owe an answer would lose it; a 500 makes Slack deliver it again. Chatter never
    # touches the database, so it is acknowledged even then.
    broken = make_session_factory(create_db_engine(new_database("unmigrated", migrated=False)))
    app = SlackApp(settings, engine, fake_slack, session_factory=broken)
    try:
        question = app.event(message_event("Where do I live?", thread_ts="1799999999.000001"))
        chatter = app.event(message_event("Deploy is done, thanks all."))
    finally:
        app.stop()
    assert question.status_code == 500
    assert chatter.status_code == 200
