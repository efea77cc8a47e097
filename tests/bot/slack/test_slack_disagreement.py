"""Documents that disagree, end to end: two documents give different answers to one
question, and the reply says so and shows both with their sources."""

from __future__ import annotations

from bot import rendering
from bot.storage import list_documents
from tests.bot.slack.conftest import (
    SlackApp,
    answer_shown,
    form_submission_payload,
    needs_trained_model,
)
from tests.bot.slack.fake_slack import TEAM_ID, wait_for

PIN_TS = "1700000555.000100"
PERMALINK = "https://qabot-test.slack.com/archives/C1/p1700000555000100"


def pin_added(text: str) -> dict:
    message = {"type": "message", "user": "U8", "text": text, "ts": PIN_TS}
    item = {"type": "message", "channel": "C1", "created": 1, "created_by": "U3"}
    return {
        "type": "pin_added",
        "user": "U3",
        "channel_id": "C1",
        "item": {**item, "message": message},
        "event_ts": PIN_TS,
    }


def document_numbers(app: SlackApp) -> dict[str, int]:
    with app.services.session_factory() as session:
        documents = list_documents(session=session, team_id=TEAM_ID, channel_id="C1")
    return {d.title: d.number for d in documents}


def rich_answer(block: dict) -> str:
    """The bold answer line of an answer's rich-text block."""
    line, _quote = block["elements"]
    return "".join(e["text"] for e in line["elements"])


@needs_trained_model
def test_two_documents_that_disagree_are_both_shown_with_their_sources(slack_app: SlackApp):
    # One document from the form, one from a pin (which has a link to its message).
    form = form_submission_payload("C1", "Release process", "Deploys happen on Tuesday.")
    assert slack_app.interaction(form).status_code == 200
    assert slack_app.event(pin_added("Wiki\nDeploys happen on Thursday.")).status_code == 200
    wait_for(lambda: len(document_numbers(slack_app)) == 2)
    numbers = document_numbers(slack_app)

    _, ts = slack_app.mention("When do deploys happen?")

    [reply] = wait_for(lambda: slack_app.fake.replies(ts))
    text = reply["text"]
    assert answer_shown(text) == "Tuesday"
    assert text.startswith("Tuesday (from “Release process”, ")
    assert "— but “Wiki” says Thursday (" in text and text.endswith("the documents disagree.")
    blocks = reply["blocks"]
    assert [b["type"] for b in blocks] == [
        "section",
        "rich_text",
        "context",
        "rich_text",
        "context",
        "context",
        "actions",
    ]
    assert "documents disagree" in blocks[0]["text"]["text"]
    assert rich_answer(blocks[1]) == "Tuesday"
    release = numbers["Release process"]
    assert blocks[2]["elements"][0]["text"].startswith(f"From #{release} “Release process” · ")
    assert rich_answer(blocks[3]) == "Thursday"
    wiki = numbers["Wiki"]
    assert blocks[4]["elements"][0]["text"].startswith(f"From #{wiki} <{PERMALINK}|Wiki> · ")
    hint = blocks[5]["elements"][0]["text"]
    assert f"`/context show {release}`" in hint and f"`/context show {wiki}`" in hint
    buttons = {e["action_id"]: e["value"] for e in blocks[6]["elements"]}
    assert rendering.voted_answer(buttons[rendering.FEEDBACK_UP_ACTION]).answer == "Tuesday"


@needs_trained_model
def test_documents_that_agree_get_a_plain_answer(slack_app: SlackApp):
    for title in ("Release process", "Team handbook"):
        form = form_submission_payload("C1", title, "Deploys happen on Tuesday.")
        assert slack_app.interaction(form).status_code == 200
    wait_for(lambda: len(document_numbers(slack_app)) == 2)

    _, ts = slack_app.mention("When do deploys happen?")

    [reply] = wait_for(lambda: slack_app.fake.replies(ts))
    assert answer_shown(reply["text"]) == "Tuesday"
    assert "disagree" not in reply["text"] and "disagree" not in str(reply["blocks"])
    assert [b["type"] for b in reply["blocks"]][:2] == ["rich_text", "context"]
