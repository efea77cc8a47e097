"""Questions: `@qabot …` in a thread, `/ask`, buttons, dedupe, failures, concurrency."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from sqlalchemy import select

from bot import rendering
from bot.storage import (
    DocumentSource,
    Feedback,
    add_document,
    create_db_engine,
    make_session_factory,
)
from qa_engine.engine import QAEngine
from qa_engine.settings import EngineSettings
from qa_engine.types import Document
from tests.bot.slack.conftest import (
    NAME_ANSWER,
    NAME_DOCUMENT,
    NAME_QUESTION,
    NAME_TITLE,
    SlackApp,
    answer_shown,
    make_settings,
    needs_trained_model,
)
from tests.bot.slack.fake_slack import TEAM_ID, Call, FakeSlack, wait_for
from tests.bot.slack.messages import buttons


def add_name_document(app: SlackApp, channel: str = "C1") -> None:
    response, name = app.command("/context", f"add {NAME_DOCUMENT}", channel=channel)
    assert response.status_code == 200
    wait_for(lambda: app.fake.responses(name))


def one_reply(fake: FakeSlack, thread_ts: str) -> Call:
    return wait_for(lambda: fake.replies(thread_ts))[0]


def section_text(message: Call) -> str:
    return "\n".join(b["text"]["text"] for b in message.get("blocks", []) if b["type"] == "section")


def test_mention_gets_eyes_then_an_answer_in_its_thread(slack_app: SlackApp):
    add_name_document(slack_app)

    response, ts = slack_app.mention(NAME_QUESTION)

    assert response.status_code == 200
    reply = one_reply(slack_app.fake, ts)
    assert reply["channel"] == "C1"
    assert reply["text"]  # the plain fallback
    assert f"From #1 “{NAME_TITLE}”" in str(reply["blocks"])
    wait_for(lambda: slack_app.fake.calls("reactions.remove"))
    methods = [c.method for c in slack_app.fake.calls()]
    added = slack_app.fake.calls("reactions.add")[0]
    removed = slack_app.fake.calls("reactions.remove")[0]
    assert (added["name"], added["timestamp"], added["channel"]) == ("eyes", ts, "C1")
    assert (removed["name"], removed["timestamp"]) == ("eyes", ts)
    assert (
        methods.index("reactions.add")
        < methods.index("chat.postMessage")
        < methods.index("reactions.remove")
    )
    assert "%" in str(reply["blocks"])  # the confidence
    assert {rendering.FEEDBACK_UP_ACTION, rendering.FEEDBACK_DOWN_ACTION} <= set(buttons(reply))


@needs_trained_model
def test_the_trained_model_answers_john_and_highlights_it(slack_app: SlackApp):
    add_name_document(slack_app)

    _, ts = slack_app.mention(NAME_QUESTION)

    reply = one_reply(slack_app.fake, ts)
    assert answer_shown(reply["text"]) == NAME_ANSWER
    assert reply["text"].startswith(f"John (from “{NAME_TITLE}”, ")
    quote = reply["blocks"][0]["elements"][1]["elements"]
    assert {"type": "text", "text": "John", "style": {"bold": True}} in quote


def test_mention_inside_a_thread_answers_in_that_thread(slack_app: SlackApp):
    add_name_document(slack_app)

    _, ts = slack_app.mention(NAME_QUESTION, thread_ts="1799999999.000100")

    reply = one_reply(slack_app.fake, "1799999999.000100")
    assert reply["thread_ts"] != ts
    assert slack_app.fake.calls("reactions.add")[0]["timestamp"] == ts


def test_a_retried_event_is_answered_once(slack_app: SlackApp, caplog):
    caplog.set_level(logging.INFO)
    add_name_document(slack_app)

    _, ts = slack_app.mention(NAME_QUESTION, event_id="EvRETRY")
    retry, _ = slack_app.mention(
        NAME_QUESTION,
        ts=ts,
        event_id="EvRETRY",
        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )

    assert retry.status_code == 200
    one_reply(slack_app.fake, ts)
    # Whichever delivery's listener gets to the job first runs it; the other stands down.
    wait_for(
        lambda: "EvRETRY was already handled" in caplog.text
        or "EvRETRY was delivered again before it was finished" in caplog.text
    )
    wait_for(lambda: slack_app.fake.calls("reactions.remove"))
    assert len(slack_app.fake.replies(ts)) == 1
    assert len(slack_app.fake.calls("reactions.add")) == 1


def test_one_event_delivered_to_two_processes_is_answered_once(
    settings, engine, fake_slack, caplog
):
    caplog.set_level(logging.INFO)
    first, second = SlackApp(settings, engine, fake_slack), SlackApp(settings, engine, fake_slack)
    try:
        add_name_document(first)
        results = []
        senders = [
            threading.Thread(
                target=lambda app=app: results.append(
                    app.mention(NAME_QUESTION, ts="1800000001.000001", event_id="EvTWICE")
                )
            )
            for app in (first, second)
        ]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()

        assert [r.status_code for r, _ in results] == [200, 200]
        one_reply(fake_slack, "1800000001.000001")
        wait_for(
            lambda: "EvTWICE was already handled" in caplog.text
            or "EvTWICE was delivered again before it was finished" in caplog.text
        )
        wait_for(lambda: fake_slack.calls("reactions.remove"))
        assert len(fake_slack.replies("1800000001.000001")) == 1
    finally:
        first.stop()
        second.stop()


def test_a_channel_answers_only_from_its_own_documents(slack_app: SlackApp):
    add_name_document(slack_app, channel="C1")

    _, ts = slack_app.mention(NAME_QUESTION, channel="C2")

    reply = one_reply(slack_app.fake, ts)
    assert reply["channel"] == "C2"
    assert "no context documents yet" in reply["text"]
    assert "John" not in reply["text"]


def test_the_same_channel_id_in_another_workspace_is_another_channel(slack_app: SlackApp):
    add_name_document(slack_app, channel="C1")

    _, ts = slack_app.mention(NAME_QUESTION, channel="C1", team="T2")

    assert "no context documents yet" in one_reply(slack_app.fake, ts)["text"]


def test_an_empty_channel_says_how_to_add_context(slack_app: SlackApp):
    _, ts = slack_app.mention("Where is the wiki?")

    reply = one_reply(slack_app.fake, ts)
    assert "/context add" in reply["text"]
    assert "pin" in reply["text"]
    # No feedback on an answer that isn't there; only the way to add one.
    assert list(buttons(reply)) == [rendering.ADD_ANSWER_ACTION]


def test_no_answer_above_the_threshold_says_so(settings, strict_engine, fake_slack):
    app = SlackApp(settings, strict_engine, fake_slack)
    try:
        add_name_document(app)
        _, ts = app.mention(NAME_QUESTION)
        reply = one_reply(fake_slack, ts)
    finally:
        app.stop()
    assert "couldn't find an answer" in reply["text"]
    assert "/context add" in reply["text"]
    assert "John" not in reply["text"]


def test_a_bare_mention_explains_how_to_ask(slack_app: SlackApp):
    _, ts = slack_app.mention("")

    assert "Ask me a question" in one_reply(slack_app.fake, ts)["text"]


@pytest.mark.parametrize(("status", "error"), [(200, "fatal_error"), (500, "internal_error")])
def test_a_reply_slack_refused_once_is_posted_when_it_accepts(
    slack_app: SlackApp, status: int, error: str
):
    add_name_document(slack_app)
    slack_app.fake.fail("chat.postMessage", status=status, error=error)

    _, ts = slack_app.mention(NAME_QUESTION)

    reply = one_reply(slack_app.fake, ts)
    assert answer_shown(reply["text"]) == NAME_ANSWER
    assert len(slack_app.fake.failed_calls("chat.postMessage")) == 1
    wait_for(lambda: slack_app.fake.calls("reactions.remove"))
    assert len(slack_app.fake.replies(ts)) == 1


def test_a_model_that_cannot_load_gets_the_honest_message_not_a_trace(
    tmp_path, database_url, engine, fake_slack, caplog
):
    settings = make_settings(database_url, fake_slack)
    broken = QAEngine(EngineSettings(qa_model=str(tmp_path / "no-such-model")))
    app = SlackApp(settings, broken, fake_slack)
    try:
        passages = engine.split(Document(id="new", text=NAME_DOCUMENT, title="Me"))
        with app.services.session_factory.begin() as session:
            add_document(
                session=session,
                team_id=TEAM_ID,
                channel_id="C1",
                text=NAME_DOCUMENT,
                title="Me",
                source=DocumentSource.SLASH_COMMAND,
                added_by="U1",
                passages=passages,
            )
        _, ts = app.mention(NAME_QUESTION)
        reply = one_reply(fake_slack, ts)
        wait_for(lambda: fake_slack.calls("reactions.remove"))
    finally:
        app.stop()
    # Not "try again in a minute": that can't help; an admin must look at the log.
    assert reply["text"] == rendering.MODEL_UNAVAILABLE
    assert "the QA model is unavailable" in caplog.text
    assert "Traceback" not in caplog.text


def test_five_concurrent_mentions_each_get_exactly_one_reply(slack_app: SlackApp):
    add_name_document(slack_app)
    stamps = [f"1800000100.{i:06d}" for i in range(5)]

    senders = [
        threading.Thread(target=slack_app.mention, args=(NAME_QUESTION,), kwargs={"ts": ts})
        for ts in stamps
    ]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()

    wait_for(lambda: all(slack_app.fake.replies(ts) for ts in stamps))
    wait_for(lambda: len(slack_app.fake.calls("reactions.remove")) == 5)
    assert sorted(c["thread_ts"] for c in slack_app.fake.replies()) == stamps


def test_thumbs_up_stores_feedback_and_thanks_the_voter(slack_app: SlackApp):
    add_name_document(slack_app)
    _, ts = slack_app.mention(NAME_QUESTION)
    reply = one_reply(slack_app.fake, ts)
    up = buttons(reply)[rendering.FEEDBACK_UP_ACTION]

    response, _ = slack_app.click(
        up["action_id"],
        up["value"],
        user="U5",
        message={"ts": "1700000000.000777", "thread_ts": ts, "type": "message", "text": ""},
    )

    assert response.status_code == 200
    thanks = wait_for(lambda: slack_app.fake.calls("chat.postEphemeral"))[0]
    assert (thanks["user"], thanks["thread_ts"]) == ("U5", ts)
    with slack_app.services.session_factory() as session:
        [vote] = session.scalars(select(Feedback)).all()
    assert vote.helpful is True
    assert (vote.user_id, vote.message_ts) == ("U5", "1700000000.000777")
    assert vote.question == NAME_QUESTION
    assert vote.answer and vote.document_id is not None


def test_more_answers_posts_the_next_ones_in_the_thread(slack_app: SlackApp):
    add_name_document(slack_app)
    _, ts = slack_app.mention(NAME_QUESTION)
    more = buttons(one_reply(slack_app.fake, ts))[rendering.MORE_ANSWERS_ACTION]

    slack_app.click(
        more["action_id"],
        more["value"],
        message={"ts": "1700000000.000888", "thread_ts": ts, "type": "message", "text": ""},
    )

    wait_for(lambda: len(slack_app.fake.replies(ts)) == 2)
    assert "Other possible answers" in slack_app.fake.replies(ts)[1]["text"]


def test_ask_answers_privately(slack_app: SlackApp):
    add_name_document(slack_app)

    response, name = slack_app.command("/ask", NAME_QUESTION)

    assert response.status_code == 200
    [answer] = wait_for(lambda: slack_app.fake.responses(name))
    assert answer["response_type"] == "ephemeral"
    assert "confident" in answer["text"]
    assert slack_app.fake.replies() == []
    assert slack_app.fake.calls("reactions.add") == []


def test_more_answers_on_a_private_answer_stays_private(slack_app: SlackApp):
    add_name_document(slack_app)
    _, name = slack_app.command("/ask", NAME_QUESTION)
    answer = wait_for(lambda: slack_app.fake.responses(name))[0]
    more = buttons(answer)[rendering.MORE_ANSWERS_ACTION]

    _, clicked = slack_app.click(more["action_id"], more["value"], ephemeral=True)

    [others] = wait_for(lambda: slack_app.fake.responses(clicked))
    assert others["response_type"] == "ephemeral"
    assert others["replace_original"] is False
    assert slack_app.fake.replies() == []


def test_a_mention_the_database_cannot_record_is_not_acknowledged(
    settings, engine, fake_slack, new_database, caplog
):
    # A database nobody migrated: every query fails ("no such table"). Acknowledging the
    # event would lose the question; a 500 makes Slack deliver it again later.
    broken = make_session_factory(create_db_engine(new_database("unmigrated", migrated=False)))
    app = SlackApp(settings, engine, fake_slack, session_factory=broken)
    try:
        response, ts = app.mention(NAME_QUESTION)
        time.sleep(0.5)
    finally:
        app.stop()
    assert response.status_code == 500
    assert fake_slack.replies(ts) == []
    assert "could not record event" in caplog.text
