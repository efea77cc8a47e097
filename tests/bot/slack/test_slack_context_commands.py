"""`/context …` over real signed HTTP: what gets stored, and what the user is told."""

from __future__ import annotations

import shutil
import threading

from bot import rendering
from bot.storage import DocumentSource, channel_passages, list_documents
from qa_engine import model_loading
from qa_engine.engine import QAEngine
from qa_engine.settings import EngineSettings
from tests.bot.slack.conftest import (
    MODEL,
    NAME_ANSWER,
    NAME_DOCUMENT,
    NAME_QUESTION,
    SlackApp,
    answer_shown,
)
from tests.bot.slack.fake_slack import TEAM_ID, FakeSlack, wait_for


def documents(app: SlackApp, channel: str = "C1", team: str = TEAM_ID):
    with app.services.session_factory() as session:
        return list_documents(session=session, team_id=team, channel_id=channel)


def reply(fake: FakeSlack, name: str):
    """The (first) message posted to a command's response_url."""
    return wait_for(lambda: fake.responses(name))[0]


def add(app: SlackApp, text: str, channel: str = "C1") -> int:
    response, name = app.command("/context", f"add {text}", channel=channel)
    assert response.status_code == 200
    assert "Added #" in reply(app.fake, name)["text"]
    return documents(app, channel)[-1].number


def test_add_with_text_stores_a_document_titled_by_its_first_line(slack_app: SlackApp):
    response, name = slack_app.command(
        "/context", "add Release process\nWe ship on Tuesdays &amp; Thursdays."
    )

    assert response.status_code == 200
    message = reply(slack_app.fake, name)
    assert message["response_type"] == "ephemeral"
    assert "Release process" in message["text"]
    [document] = documents(slack_app)
    assert document.title == "Release process"
    assert document.text == "Release process\nWe ship on Tuesdays & Thursdays."
    assert document.source == DocumentSource.SLASH_COMMAND
    assert document.added_by == "U1"


def test_nul_characters_are_dropped_and_offsets_still_match(slack_app: SlackApp):
    add(slack_app, "Deploys\x00 happen on Tuesday.")

    [document] = documents(slack_app)
    assert document.text == "Deploys happen on Tuesday."
    with slack_app.services.session_factory() as session:
        passages = channel_passages(session=session, team_id=TEAM_ID, channel_id="C1")
    assert [document.text[p.start : p.end] for p in passages] == [p.text for p in passages]


def test_add_shortens_a_long_first_line_for_the_title(slack_app: SlackApp):
    add(slack_app, "word " * 60)

    [document] = documents(slack_app)
    assert len(document.title) <= rendering.TITLE_LIMIT
    assert document.title.endswith("…")


def test_add_without_text_opens_the_form_with_the_channel(slack_app: SlackApp):
    response, name = slack_app.command("/context", "add", channel="C42")

    assert response.status_code == 200
    [call] = wait_for(lambda: slack_app.fake.calls("views.open"))
    assert call["trigger_id"] == f"trigger-{name}"
    view = call["view"]
    assert view["callback_id"] == rendering.ADD_CONTEXT_VIEW
    assert '"C42"' in view["private_metadata"]
    assert documents(slack_app, "C42") == []


def test_submitting_the_form_stores_a_modal_document(slack_app: SlackApp):
    view = rendering.add_context_modal("C7")
    view["state"] = {
        "values": {
            rendering.MODAL_TITLE_BLOCK: {rendering.MODAL_TITLE_INPUT: {"value": "On-call"}},
            rendering.MODAL_BODY_BLOCK: {
                rendering.MODAL_BODY_INPUT: {"value": "Pager rotates on Mondays <at noon>."}
            },
        }
    }
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "test"},
        "user": {"id": "U9", "team_id": TEAM_ID},
        "api_app_id": "A1",
        "token": "legacy",
        "trigger_id": "t",
        "view": {**view, "id": "V1", "team_id": TEAM_ID},
    }

    response = slack_app.interaction(payload)

    assert response.status_code == 200
    [confirmation] = wait_for(lambda: slack_app.fake.calls("chat.postEphemeral"))
    assert confirmation["channel"] == "C7"
    assert confirmation["user"] == "U9"
    [document] = documents(slack_app, "C7")
    assert (document.title, document.source, document.added_by) == (
        "On-call",
        DocumentSource.MODAL,
        "U9",
    )
    assert document.text == "Pager rotates on Mondays <at noon>."


def test_submitting_an_empty_form_shows_an_error_and_stores_nothing(slack_app: SlackApp):
    view = rendering.add_context_modal("C7")
    view["state"] = {"values": {rendering.MODAL_BODY_BLOCK: {rendering.MODAL_BODY_INPUT: {}}}}
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM_ID},
        "user": {"id": "U9"},
        "view": view,
    }

    response = slack_app.interaction(payload)

    assert response.status_code == 200
    assert response.json()["response_action"] == "errors"
    assert documents(slack_app, "C7") == []


def test_list_shows_id_title_author_and_preview(slack_app: SlackApp):
    first = add(slack_app, "Wiki\nThe wiki lives at wiki.example.com")
    second = add(slack_app, "Standup &lt;daily&gt;\nStandup is at 9:30.")  # as Slack sends it

    _, name = slack_app.command("/context", "list")

    message = reply(slack_app.fake, name)
    text = "\n".join(b["text"]["text"] for b in message["blocks"] if b["type"] == "section")
    meta = "\n".join(
        e["text"] for b in message["blocks"] if b["type"] == "context" for e in b["elements"]
    )
    assert f"#{first} Wiki" in text and f"#{second} Standup &lt;daily&gt;" in text
    assert "The wiki lives at wiki.example.com" in text
    assert "<@U1>" in meta and "<!date^" in meta


def test_show_displays_the_whole_document(slack_app: SlackApp):
    document_id = add(slack_app, "Deploys\nDeploy with `make ship` & wait.")

    _, name = slack_app.command("/context", f"show #{document_id}")

    blocks = reply(slack_app.fake, name)["blocks"]
    assert any("make ship` &amp; wait" in b.get("text", {}).get("text", "") for b in blocks)


def test_remove_takes_the_document_out(slack_app: SlackApp):
    keep = add(slack_app, "Keep me")
    gone = add(slack_app, "Remove me")

    _, name = slack_app.command("/context", f"remove {gone}")

    assert "Removed" in reply(slack_app.fake, name)["text"]
    assert [d.number for d in documents(slack_app)] == [keep]


def test_clear_asks_first_and_the_button_clears(slack_app: SlackApp):
    add(slack_app, "One")
    add(slack_app, "Two")
    add(slack_app, "Elsewhere", channel="C2")

    _, name = slack_app.command("/context", "clear")

    question = reply(slack_app.fake, name)
    assert "2" in question["text"]
    [actions] = [b for b in question["blocks"] if b["type"] == "actions"]
    confirm = next(
        e for e in actions["elements"] if e["action_id"] == rendering.CLEAR_CONFIRM_ACTION
    )
    assert len(documents(slack_app)) == 2  # nothing happens before the click

    _, clicked = slack_app.click(confirm["action_id"], confirm["value"], ephemeral=True)

    done = reply(slack_app.fake, clicked)
    assert done["replace_original"] is True
    assert "Removed 2" in done["text"]
    assert documents(slack_app) == []
    assert len(documents(slack_app, "C2")) == 1


def test_cancelling_clear_keeps_everything(slack_app: SlackApp):
    add(slack_app, "One")

    _, clicked = slack_app.click(rendering.CLEAR_CANCEL_ACTION, "cancel", ephemeral=True)

    assert reply(slack_app.fake, clicked)["delete_original"] is True
    assert len(documents(slack_app)) == 1


def test_help_and_bare_command_explain_the_commands(slack_app: SlackApp):
    for text in ("help", ""):
        _, name = slack_app.command("/context", text)
        message = reply(slack_app.fake, name)
        assert "/context add" in message["text"] and "/ask" in message["text"]


def test_malformed_commands_get_a_friendly_message_and_change_nothing(slack_app: SlackApp):
    document_id = add(slack_app, "Stays")
    add(slack_app, "Other channel", channel="C2")
    other_channel_number = add(slack_app, "Other channel's second", channel="C2")
    cases = {
        "frobnicate": "I don't know `/context frobnicate`",
        "show": "Which document?",
        "remove abc": "`abc` isn't one",
        "show 1 2": "isn't one",
        "remove -1": "isn't one",
        "remove 99999": "There is no document #99999",
        f"remove {other_channel_number}": f"There is no document #{other_channel_number}",
        f"show {other_channel_number}": f"There is no document #{other_channel_number}",
        "list abc": "Which page?",
        "list 0": "Which page?",
        "list 2": "There is no page 2",
    }
    for text, expected in cases.items():
        response, name = slack_app.command("/context", text)
        assert response.status_code == 200
        message = reply(slack_app.fake, name)
        assert expected in message["text"], (text, message["text"])
        assert message["response_type"] == "ephemeral"

    assert other_channel_number == 2
    assert [d.number for d in documents(slack_app)] == [document_id]
    assert len(documents(slack_app, "C2")) == 2


def test_documents_survive_a_restart(settings, engine, fake_slack):
    first = SlackApp(settings, engine, fake_slack)
    try:
        document_id = add(first, "Persistent\nThe office wifi is called Falcon.")
    finally:
        first.stop()

    second = SlackApp(settings, engine, fake_slack)
    try:
        _, name = second.command("/context", f"show {document_id}")
        assert "Falcon" in "".join(
            b.get("text", {}).get("text", "") for b in reply(fake_slack, name)["blocks"]
        )
    finally:
        second.stop()


def test_add_is_confirmed_and_a_mention_acknowledged_while_the_model_loads(
    tmp_path, settings, fake_slack, monkeypatch
):
    # A model folder no other test has loaded, whose weights take until `release` to load:
    # like the first start of a fresh install, downloading the real model.
    folder = tmp_path / "slow-model"
    shutil.copytree(MODEL, folder)
    release = threading.Event()
    real_load = model_loading._load

    def slow_load(name: str, dtype: str = "float32") -> model_loading.LoadedModel:
        release.wait(timeout=60)
        return real_load(name, dtype)

    monkeypatch.setattr(model_loading, "_load", slow_load)
    engine = QAEngine(EngineSettings(qa_model=str(folder), qa_no_answer_threshold=0.0))
    app = SlackApp(settings, engine, fake_slack)
    try:
        add(app, NAME_DOCUMENT)  # splitting needs only the tokenizer
        _, ts = app.mention(NAME_QUESTION)
        [eyes] = wait_for(lambda: fake_slack.calls("reactions.add"))
        assert eyes["timestamp"] == ts
        assert not engine.is_ready and not fake_slack.calls("chat.postMessage")

        release.set()
        [answer] = wait_for(lambda: fake_slack.replies(ts))
        assert answer_shown(answer["text"]) == NAME_ANSWER
    finally:
        release.set()
        app.stop()
