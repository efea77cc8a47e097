"""Per-channel document numbers and `/context list` pages, over real signed HTTP."""

from __future__ import annotations

from sqlalchemy import select

from bot import rendering
from bot.storage import DocumentSource, Feedback, add_document, documents_by_id, list_documents
from tests.bot.slack.conftest import NAME_DOCUMENT, NAME_QUESTION, SlackApp
from tests.bot.slack.fake_slack import TEAM_ID, wait_for
from tests.bot.slack.messages import buttons


def run(app: SlackApp, text: str, channel: str = "C1") -> dict:
    """Run `/context <text>` and return its (first) reply."""
    response, name = app.command("/context", text, channel=channel)
    assert response.status_code == 200
    return wait_for(lambda: app.fake.responses(name))[0]


def test_numbers_start_at_one_per_channel_and_are_never_reused(slack_app: SlackApp):
    added = [run(slack_app, f"add Note {n}\nSomething about {n}.")["text"] for n in range(3)]
    elsewhere = run(slack_app, "add Elsewhere\nIn another channel.", channel="C2")["text"]

    removed = run(slack_app, "remove 3")["text"]
    after_remove = run(slack_app, "add After the remove")["text"]
    listed = run(slack_app, "list")["text"]
    gone = run(slack_app, "show 3")["text"]
    confirm = run(slack_app, "clear")
    clear_button = buttons(confirm)[rendering.CLEAR_CONFIRM_ACTION]
    _, click = slack_app.click(clear_button["action_id"], clear_button["value"], ephemeral=True)
    wait_for(lambda: slack_app.fake.responses(click))
    after_clear = run(slack_app, "add After the clear")["text"]

    assert [text.split("“")[0] for text in added] == ["Added #1 ", "Added #2 ", "Added #3 "]
    assert elsewhere.startswith("Added #1 ")
    assert removed.startswith("Removed #3 ")
    assert after_remove.startswith("Added #4 ")
    assert "#1 Note 0" in listed and "#2 Note 1" in listed and "#4 After the remove" in listed
    assert "#3" not in listed
    assert "There is no document #3" in gone
    assert after_clear.startswith("Added #5 ")


def test_feedback_buttons_keep_naming_their_document_after_it_is_removed(slack_app: SlackApp):
    run(slack_app, f"add {NAME_DOCUMENT}")
    _, ts = slack_app.mention(NAME_QUESTION)
    answer = wait_for(lambda: slack_app.fake.replies(ts))[0]
    up = buttons(answer)[rendering.FEEDBACK_UP_ACTION]
    answered_from = int(rendering.decode_value(up["value"])["d"])
    source_line = answer["blocks"][1]["elements"][0]["text"]

    run(slack_app, "remove 1")
    replacement = run(slack_app, "add Lunch is at noon in the big room.")["text"]
    slack_app.click(
        up["action_id"],
        up["value"],
        message={"ts": "1700000000.000777", "thread_ts": ts, "type": "message", "text": ""},
    )

    wait_for(lambda: slack_app.fake.calls("chat.postEphemeral"))
    with slack_app.services.session_factory() as session:
        [vote] = session.scalars(select(Feedback)).all()
        [new] = list_documents(session=session, team_id=TEAM_ID, channel_id="C1")
        still_there = documents_by_id(
            session=session, team_id=TEAM_ID, channel_id="C1", ids=[answered_from]
        )
    assert source_line.startswith("From #1 ")
    assert replacement.startswith("Added #2 ")
    # The newest row was removed: its id must not come back as the replacement's.
    assert new.id != answered_from
    assert vote.document_id == answered_from
    assert still_there == {}


def _store_many(app: SlackApp, count: int, channel: str = "C1") -> None:
    with app.services.session_factory.begin() as session:
        for n in range(1, count + 1):
            add_document(
                session=session,
                team_id=TEAM_ID,
                channel_id=channel,
                text=f"Body of note {n}.",
                title=f"Note {n}",
                source=DocumentSource.SLASH_COMMAND,
                added_by="U1",
                passages=[],
            )


def test_list_pages_on_with_a_button_and_a_page_number(slack_app: SlackApp):
    _store_many(slack_app, 45)

    first = run(slack_app, "list")
    next_button = buttons(first)[rendering.LIST_NEXT_ACTION]
    _, click = slack_app.click(next_button["action_id"], next_button["value"], ephemeral=True)
    second = wait_for(lambda: slack_app.fake.responses(click))[0]
    third = run(slack_app, "list 3")
    past = run(slack_app, "list 4")

    assert first["text"].startswith("45 context documents in this channel · page 1 of 3:")
    assert "#20 Note 20" in first["text"] and "#21 " not in first["text"]
    assert rendering.LIST_PREVIOUS_ACTION not in buttons(first)
    assert next_button["value"] == "2"
    assert second["replace_original"] is True and second["response_type"] == "ephemeral"
    assert "page 2 of 3" in second["text"] and "#21 Note 21" in second["text"]
    assert {b["value"] for b in buttons(second).values()} == {"1", "3"}
    assert "#41 Note 41" in third["text"] and "#45 Note 45" in third["text"]
    assert set(buttons(third)) == {rendering.LIST_PREVIOUS_ACTION}
    assert "There is no page 4" in past["text"] and "`/context list 3`" in past["text"]


def test_a_stale_page_button_after_removals_says_where_the_pages_end(slack_app: SlackApp):
    _store_many(slack_app, 25)
    next_button = buttons(run(slack_app, "list"))[rendering.LIST_NEXT_ACTION]
    for number in range(21, 26):
        run(slack_app, f"remove {number}")

    _, click = slack_app.click(next_button["action_id"], next_button["value"], ephemeral=True)

    reply = wait_for(lambda: slack_app.fake.responses(click))[0]
    assert "There is no page 2" in reply["text"] and "`/context list 1`" in reply["text"]
