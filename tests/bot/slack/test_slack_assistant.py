"""The AI side panel, end to end: Bolt's `Assistant` middleware over signed requests, the
answer job posting in the panel's thread, the fake Slack recording the panel's calls."""

from __future__ import annotations

import logging
from typing import Any

from tests.bot.slack.conftest import SlackApp
from tests.bot.slack.fake_slack import TEAM_ID, FakeSlack, wait_for

DM = "D0PANEL"
THREAD = "1800000500.000100"
DEPLOYS_FAQ = (
    "Q: When do deploys happen?\nA: Every Tuesday at 14:00.\nQ: Who is on call?\nA: Priya."
)
LUNCH_FAQ = "Q: Where is lunch served?\nA: In the atrium."


def add_document(app: SlackApp, text: str, channel: str) -> None:
    response, name = app.command("/context", f"add {text}", channel=channel)
    assert response.status_code == 200
    wait_for(lambda: app.fake.responses(name))


def thread_event(kind: str, viewed: str | None) -> dict[str, Any]:
    context = {"channel_id": viewed, "team_id": TEAM_ID} if viewed else {}
    return {
        "type": f"assistant_thread_{kind}",
        "assistant_thread": {
            "user_id": "U1", "channel_id": DM, "thread_ts": THREAD, "context": context,
        },
        "event_ts": "1800000500.000200",
    }


def panel_message(app: SlackApp, text: str, *, event_id: str | None = None,
                  ts: str = "1800000500.000300") -> None:
    event = {
        "type": "message", "channel": DM, "channel_type": "im", "user": "U1", "text": text,
        "ts": ts, "thread_ts": THREAD, "event_ts": ts,
    }
    assert app.event(event, event_id=event_id).status_code == 200


def panel_replies(fake: FakeSlack) -> list[Any]:
    return [c for c in fake.replies(THREAD) if c["channel"] == DM]


def test_a_new_panel_thread_is_greeted_with_the_viewed_channel_faq_as_prompts(
    slack_app: SlackApp,
) -> None:
    fake = slack_app.fake
    add_document(slack_app, DEPLOYS_FAQ, "C1")

    assert slack_app.event(thread_event("started", "C1")).status_code == 200

    [greeting] = wait_for(lambda: panel_replies(fake))
    assert "<#C1>" in greeting["text"]
    [prompts] = wait_for(lambda: fake.calls("assistant.threads.setSuggestedPrompts"))
    assert (prompts["channel_id"], prompts["thread_ts"]) == (DM, THREAD)
    assert [p["message"] for p in prompts["prompts"]] == [
        "When do deploys happen?", "Who is on call?",
    ]


def test_a_question_in_the_panel_is_answered_from_the_viewed_channel_and_says_which(
    slack_app: SlackApp,
) -> None:
    fake = slack_app.fake
    fake.channel_names["C1"] = "deploys"
    add_document(slack_app, DEPLOYS_FAQ, "C1")
    add_document(slack_app, LUNCH_FAQ, "C2")
    slack_app.event(thread_event("started", "C1"))
    wait_for(lambda: panel_replies(fake))

    panel_message(slack_app, "When do deploys happen?")

    answer = wait_for(lambda: panel_replies(fake)[1:])[0]
    assert "From the documents of <#C1>" in answer["text"]
    assert "Tuesday" in str(answer["blocks"])
    [status] = fake.calls("assistant.threads.setStatus")
    assert status["status"] == "Reading #deploys' documents…"
    assert (status["channel_id"], status["thread_ts"]) == (DM, THREAD)
    methods = [c.method for c in fake.calls()]
    last_post = max(i for i, method in enumerate(methods) if method == "chat.postMessage")
    assert methods.index("assistant.threads.setStatus") < last_post  # status, then answer

    # The user opens another channel: the next question reads that one.
    assert slack_app.event(thread_event("context_changed", "C2")).status_code == 200
    prompts = wait_for(lambda: fake.calls("assistant.threads.setSuggestedPrompts")[1:])[0]
    assert [p["message"] for p in prompts["prompts"]] == ["Where is lunch served?"]
    panel_message(slack_app, "Where is lunch served?", ts="1800000500.000400")
    answer = wait_for(lambda: panel_replies(fake)[2:])[0]
    assert "<#C2>" in answer["text"] and "atrium" in str(answer["blocks"])
    assert fake.calls("assistant.threads.setStatus")[1]["status"] == "Reading #c2's documents…"


def test_a_redelivered_thread_start_greets_once(slack_app: SlackApp, caplog) -> None:
    caplog.set_level(logging.INFO)
    add_document(slack_app, DEPLOYS_FAQ, "C1")
    for _ in range(2):
        response = slack_app.event(thread_event("started", "C1"), event_id="EvSTART",
                                   headers={"X-Slack-Retry-Num": "1"})
        assert response.status_code == 200

    wait_for(lambda: slack_app.fake.calls("assistant.threads.setSuggestedPrompts"))
    wait_for(lambda: "EvSTART was already handled" in caplog.text)
    assert len(panel_replies(slack_app.fake)) == 1
    assert len(slack_app.fake.calls("assistant.threads.setSuggestedPrompts")) == 1


def test_a_redelivered_panel_question_is_answered_once(slack_app: SlackApp) -> None:
    add_document(slack_app, DEPLOYS_FAQ, "C1")
    slack_app.event(thread_event("started", "C1"))
    wait_for(lambda: panel_replies(slack_app.fake))

    panel_message(slack_app, "Who is on call?", event_id="EvPANEL")
    panel_message(slack_app, "Who is on call?", event_id="EvPANEL")

    wait_for(lambda: panel_replies(slack_app.fake)[1:])
    wait_for(lambda: len(slack_app.fake.calls("assistant.threads.setStatus")) == 1)
    assert len(panel_replies(slack_app.fake)) == 2  # the greeting and one answer


def test_without_a_channel_in_view_the_panel_says_what_to_do(slack_app: SlackApp) -> None:
    fake = slack_app.fake
    slack_app.event(thread_event("started", None))
    [greeting] = wait_for(lambda: panel_replies(fake))
    assert "Open a channel" in greeting["text"]
    assert fake.calls("assistant.threads.setSuggestedPrompts") == []

    panel_message(slack_app, "When do deploys happen?")

    reply = wait_for(lambda: panel_replies(fake)[1:])[0]
    assert "Which channel is this about?" in reply["text"]
    assert fake.calls("assistant.threads.setStatus") == []


def test_the_panel_does_not_answer_from_a_channel_qabot_left(slack_app: SlackApp) -> None:
    add_document(slack_app, DEPLOYS_FAQ, "C1")
    slack_app.event({"type": "channel_left", "channel": "C1"})
    slack_app.event(thread_event("started", "C1"))
    wait_for(lambda: panel_replies(slack_app.fake))

    panel_message(slack_app, "When do deploys happen?")

    reply = wait_for(lambda: panel_replies(slack_app.fake)[1:])[0]
    assert "no longer in <#C1>" in reply["text"]
    assert "Tuesday" not in str(reply)


def test_a_direct_message_outside_a_panel_thread_is_acknowledged_and_left_alone(
    slack_app: SlackApp,
) -> None:
    event = {"type": "message", "channel": DM, "channel_type": "im", "user": "U1",
             "text": "hello?", "ts": "1800000600.000001", "event_ts": "1800000600.000001"}

    assert slack_app.event(event).status_code == 200
    assert slack_app.fake.replies() == []
