"""A teammate's answer becomes a document: *Save as answer* on a thread reply, and the
*Add the answer* button under "I couldn't find an answer". Both are announced in the
thread, and the next person who asks gets the saved answer."""

from __future__ import annotations

from typing import Any

from bot import rendering
from bot.storage import DocumentSource, list_documents
from tests.bot.slack.conftest import SlackApp, message_action_payload
from tests.bot.slack.fake_slack import TEAM_ID, wait_for

QUESTION_TS = "1700000300.000100"
REPLY_TS = "1700000300.000200"


def documents(app: SlackApp, channel: str = "C1"):
    with app.services.session_factory() as session:
        return list_documents(session=session, team_id=TEAM_ID, channel_id=channel)


def save_as_answer(app: SlackApp, message: dict[str, Any], *, name: str) -> Any:
    return app.interaction(
        message_action_payload(
            rendering.SAVE_ANSWER_SHORTCUT, message, response_url=app.fake.response_url(name)
        )
    )


def reply_text(app: SlackApp, thread_ts: str, containing: str) -> str:
    replies = wait_for(
        lambda: [r for r in app.fake.replies(thread_ts) if containing in r["text"]]
    )
    return replies[0]["text"]


def test_a_reply_saved_as_answer_is_announced_and_answers_the_next_asker(slack_app: SlackApp):
    slack_app.fake.add_message(QUESTION_TS, "<@UBOT> Where do I request a new laptop?")
    reply = {
        "ts": REPLY_TS,
        "thread_ts": QUESTION_TS,
        "text": "Open a ticket in the &lt;IT&gt; portal, category Hardware.",
    }

    assert save_as_answer(slack_app, reply, name="save1").status_code == 200

    announcement = reply_text(slack_app, QUESTION_TS, "saved an answer")
    assert "<@U4>" in announcement and "Where do I request a new laptop?" in announcement
    [document] = documents(slack_app)
    assert document.source is DocumentSource.SAVED_ANSWER
    assert document.added_by == "U4"
    assert document.title == "Where do I request a new laptop?"
    assert document.text == (
        "Q: Where do I request a new laptop?\n"
        "A: Open a ticket in the <IT> portal, category Hardware."
    )
    assert document.permalink == "https://qabot-test.slack.com/archives/C1/p1700000300000200"
    [read] = slack_app.fake.calls("conversations.replies")
    assert read["ts"] == QUESTION_TS
    assert slack_app.fake.responses("save1") == []  # no private echo of the announcement

    _, asked = slack_app.mention("where do I request a new laptop")

    answer = reply_text(slack_app, asked, "portal")
    assert answer.startswith("Open a ticket in the &lt;IT&gt; portal, category Hardware.")


def test_save_as_answer_on_a_top_level_message_says_how_to_use_it(slack_app: SlackApp):
    message = {"ts": QUESTION_TS, "text": "Deploys are on Tuesdays."}

    assert save_as_answer(slack_app, message, name="top").status_code == 200

    [response] = wait_for(lambda: slack_app.fake.responses("top"))
    assert response["response_type"] == "ephemeral"
    assert "reply in a thread" in response["text"]
    assert documents(slack_app) == [] and slack_app.fake.calls("conversations.replies") == []


def test_a_thread_whose_first_message_has_no_text_is_refused_privately(slack_app: SlackApp):
    slack_app.fake.add_message(QUESTION_TS, "")
    reply = {"ts": REPLY_TS, "thread_ts": QUESTION_TS, "text": "Tuesdays."}

    save_as_answer(slack_app, reply, name="blank")

    [response] = wait_for(lambda: slack_app.fake.responses("blank"))
    assert "first message has no text" in response["text"]
    assert documents(slack_app) == [] and slack_app.fake.replies(QUESTION_TS) == []


def _click_add_the_answer(app: SlackApp, thread_ts: str) -> dict[str, Any]:
    [no_answer] = wait_for(lambda: app.fake.replies(thread_ts))
    [actions] = [b for b in no_answer["blocks"] if b["type"] == "actions"]
    [button] = actions["elements"]
    assert button["action_id"] == rendering.ADD_ANSWER_ACTION
    message = {"ts": "1700000400.000001", "thread_ts": thread_ts, "type": "message",
               "text": no_answer["text"]}
    response, _ = app.click(button["action_id"], button["value"], user="U5", message=message)
    assert response.status_code == 200
    [opened] = wait_for(lambda: app.fake.calls("views.open"))
    return opened["view"]


def _submit(app: SlackApp, view: dict[str, Any], question: str, answer: str) -> Any:
    view = {
        **view,
        "id": "V1",
        "state": {
            "values": {
                rendering.ANSWER_QUESTION_BLOCK: {
                    rendering.ANSWER_QUESTION_INPUT: {"type": "plain_text_input",
                                                      "value": question}
                },
                rendering.ANSWER_BODY_BLOCK: {
                    rendering.ANSWER_BODY_INPUT: {"type": "plain_text_input", "value": answer}
                },
            }
        },
    }
    return app.interaction(
        {"type": "view_submission", "team": {"id": TEAM_ID}, "user": {"id": "U5"},
         "trigger_id": "t", "view": view}
    )


def test_add_the_answer_opens_a_form_with_the_question_and_saves_what_is_written(
    slack_app: SlackApp,
):
    _, asked = slack_app.mention("Who approves travel expenses?")
    view = _click_add_the_answer(slack_app, asked)

    assert view["callback_id"] == rendering.SAVE_ANSWER_VIEW
    question_input = view["blocks"][0]["element"]
    assert question_input["initial_value"] == "Who approves travel expenses?"

    response = _submit(slack_app, view, "Who approves travel expenses?", "Your manager, in Pleo.")

    assert response.status_code == 200 and response.content in (b"", b"{}")
    announcement = reply_text(slack_app, asked, "saved an answer")
    assert "<@U5>" in announcement
    [document] = documents(slack_app)
    assert document.source is DocumentSource.SAVED_ANSWER and document.added_by == "U5"
    assert document.text == "Q: Who approves travel expenses?\nA: Your manager, in Pleo."

    _, again = slack_app.mention("who approves travel expenses")

    assert reply_text(slack_app, again, "Pleo").startswith("Your manager, in Pleo.")


def test_an_empty_answer_keeps_the_form_open_and_stores_nothing(slack_app: SlackApp):
    view = rendering.save_answer_modal("C1", QUESTION_TS, "Who approves travel expenses?")

    response = _submit(slack_app, view, "Who approves travel expenses?", "  ")

    assert response.json() == {
        "response_action": "errors",
        "errors": {rendering.ANSWER_BODY_BLOCK: "Write the answer."},
    }
    assert documents(slack_app) == []
