"""The data lifecycle, end to end: uninstalling forgets the workspace, a deleted channel
loses its documents, an archived one keeps them, a channel qabot left keeps them but gets
no answers until qabot is back, and `/context export` sends the documents as a file."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bot.storage import (
    Channel,
    HandledEvent,
    Job,
    JobState,
    count_jobs,
    is_answering,
    list_documents,
)
from tests.bot.slack.conftest import NAME_DOCUMENT, NAME_QUESTION, SlackApp
from tests.bot.slack.fake_slack import BOT_USER_ID, wait_for


def add_document(app: SlackApp, text: str, *, channel: str = "C1", team: str = "T1") -> None:
    response, name = app.command("/context", f"add {text}", channel=channel, team=team)
    assert response.status_code == 200
    wait_for(lambda: app.fake.responses(name))


def documents(app: SlackApp, channel: str = "C1", team: str = "T1") -> list[str]:
    with app.services.session_factory() as session:
        return [d.text for d in list_documents(session=session, team_id=team, channel_id=channel)]


def rows(app: SlackApp, model: Any, team: str) -> int:
    with app.services.session_factory() as session:
        return session.scalar(
            select(func.count()).select_from(model).where(model.team_id == team)
        )


def jobs_finished(app: SlackApp) -> bool:
    with app.services.session_factory() as session:
        return count_jobs(session=session, state=JobState.PENDING) == 0


# -- uninstalling ------------------------------------------------------------------------------


def test_uninstalling_forgets_the_workspace_and_only_it(slack_app: SlackApp) -> None:
    add_document(slack_app, NAME_DOCUMENT, channel="C1")
    add_document(slack_app, "Deploys happen on Tuesdays.", channel="C2")
    add_document(slack_app, "The other workspace's handbook.", channel="C1", team="T2")
    _, ts = slack_app.mention(NAME_QUESTION, event_id="EvQUESTION")
    wait_for(lambda: slack_app.fake.replies(ts))
    assert rows(slack_app, HandledEvent, "T1") == 1

    response = slack_app.event({"type": "app_uninstalled"}, event_id="EvBYE")

    assert response.status_code == 200
    assert documents(slack_app, "C1") == documents(slack_app, "C2") == []
    for model in (Channel, Job, HandledEvent):
        assert rows(slack_app, model, "T1") == 0, model.__tablename__
    assert documents(slack_app, "C1", team="T2") == ["The other workspace's handbook."]
    assert rows(slack_app, Channel, "T2") == 1

    # Slack's retry of the same event finds it handled; a new document after that (a
    # reinstall) is not deleted by it.
    add_document(slack_app, "Back again.", channel="C1")
    assert slack_app.event({"type": "app_uninstalled"}, event_id="EvBYE").status_code == 200
    assert documents(slack_app, "C1") == ["Back again."]


def test_a_revoked_bot_token_forgets_the_workspace_a_user_token_does_not(
    slack_app: SlackApp,
) -> None:
    add_document(slack_app, NAME_DOCUMENT)

    user_only = {"type": "tokens_revoked", "tokens": {"oauth": ["U5"], "bot": []}}
    assert slack_app.event(user_only).status_code == 200
    assert documents(slack_app) == [NAME_DOCUMENT]

    bot = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [BOT_USER_ID]}}
    assert slack_app.event(bot).status_code == 200
    assert documents(slack_app) == []
    assert rows(slack_app, Channel, "T1") == 0


def test_when_the_database_cannot_forget_slack_is_told_to_retry(slack_app: SlackApp) -> None:
    add_document(slack_app, NAME_DOCUMENT)
    lifecycle = slack_app.services.lifecycle
    original = lifecycle.forget_workspace

    def broken(**kwargs: Any) -> bool:
        raise RuntimeError("database is locked")

    lifecycle.forget_workspace = broken
    try:
        assert slack_app.event({"type": "app_uninstalled"}, event_id="EvX").status_code == 500
    finally:
        lifecycle.forget_workspace = original
    assert documents(slack_app) == [NAME_DOCUMENT]
    assert slack_app.event({"type": "app_uninstalled"}, event_id="EvX").status_code == 200
    assert documents(slack_app) == []


# -- channels ----------------------------------------------------------------------------------


def test_a_deleted_channel_loses_its_documents_an_archived_one_keeps_them(
    slack_app: SlackApp,
) -> None:
    add_document(slack_app, "Gone with the channel.", channel="C1")
    add_document(slack_app, "Archived but kept.", channel="C2")
    add_document(slack_app, "Private and gone.", channel="G3")

    assert slack_app.event({"type": "channel_deleted", "channel": "C1"}).status_code == 200
    assert slack_app.event({"type": "channel_archive", "channel": "C2",
                            "user": "U1"}).status_code == 200
    assert slack_app.event({"type": "group_deleted", "channel": "G3"}).status_code == 200

    assert documents(slack_app, "C1") == []
    assert documents(slack_app, "C2") == ["Archived but kept."]
    assert documents(slack_app, "G3") == []


def test_a_channel_qabot_left_keeps_its_documents_and_gets_no_answers_until_it_is_back(
    slack_app: SlackApp,
) -> None:
    fake = slack_app.fake
    add_document(slack_app, NAME_DOCUMENT)

    assert slack_app.event({"type": "channel_left", "channel": "C1",
                            "actor_id": "U1"}).status_code == 200

    assert documents(slack_app) == [NAME_DOCUMENT]
    _, ts = slack_app.mention(NAME_QUESTION)
    wait_for(lambda: "eyes" not in fake.reactions_on(ts) and jobs_finished(slack_app))
    assert fake.replies(ts) == []
    # /ask answers privately: it says why, and how to bring qabot back.
    _, name = slack_app.command("/ask", NAME_QUESTION)
    [private] = wait_for(lambda: fake.responses(name))
    assert "no longer in <#C1>" in private["text"]
    assert "/invite @qabot" in private["text"]

    # Someone else joining changes nothing; qabot joining turns answers back on.
    other = {"type": "member_joined_channel", "user": "U7", "channel": "C1",
             "channel_type": "C", "team": "T1"}
    assert slack_app.event(other).status_code == 200
    with slack_app.services.session_factory() as session:
        assert not is_answering(session=session, team_id="T1", channel_id="C1")
    back = other | {"user": BOT_USER_ID}
    assert slack_app.event(back).status_code == 200
    _, ts = slack_app.mention(NAME_QUESTION)
    assert wait_for(lambda: fake.replies(ts))


def test_member_left_channel_about_qabot_itself_stops_answers(slack_app: SlackApp) -> None:
    add_document(slack_app, NAME_DOCUMENT)
    someone = {"type": "member_left_channel", "user": "U7", "channel": "C1",
               "channel_type": "C", "team": "T1"}
    assert slack_app.event(someone).status_code == 200
    with slack_app.services.session_factory() as session:
        assert is_answering(session=session, team_id="T1", channel_id="C1")

    assert slack_app.event(someone | {"user": BOT_USER_ID}).status_code == 200

    with slack_app.services.session_factory() as session:
        assert not is_answering(session=session, team_id="T1", channel_id="C1")


# -- export ------------------------------------------------------------------------------------


def test_export_sends_the_channel_documents_as_a_markdown_file_in_a_dm(
    slack_app: SlackApp,
) -> None:
    fake = slack_app.fake
    add_document(slack_app, "Deploys\nDeploys happen on Tuesdays at 14:00.")
    add_document(slack_app, "Q: Who is on call?\nA: Priya.")
    add_document(slack_app, "Not this channel's.", channel="C2")

    response, name = slack_app.command("/context", "export", user="U4")

    assert response.status_code == 200
    [reply] = wait_for(lambda: fake.responses(name))
    assert "2 documents" in reply["text"] and "direct message" in reply["text"]
    assert fake.calls("conversations.open")[0]["users"] == "U4"
    [asked] = fake.calls("files.getUploadURLExternal")
    assert asked["filename"].startswith("qabot-C1-") and asked["filename"].endswith(".md")
    [completed] = fake.calls("files.completeUploadExternal")
    assert completed["channel_id"] == "DU4"
    uploaded = fake.uploaded(completed["files"][0]["id"])
    assert uploaded is not None
    markdown = uploaded.decode("utf-8")
    assert len(uploaded) == int(asked["length"])
    assert "## Deploys\n" in markdown
    assert "Deploys\nDeploys happen on Tuesdays at 14:00." in markdown  # verbatim
    assert "Q: Who is on call?\nA: Priya." in markdown
    assert "Not this channel's." not in markdown
    assert markdown.index("Tuesdays") < markdown.index("Priya")  # oldest first


def test_export_of_an_empty_channel_says_so_and_sends_nothing(slack_app: SlackApp) -> None:
    _, name = slack_app.command("/context", "export")
    [reply] = wait_for(lambda: slack_app.fake.responses(name))
    assert "nothing to export" in reply["text"]
    assert slack_app.fake.calls("files.getUploadURLExternal") == []


def test_export_slack_refuses_says_try_again_and_changes_nothing(slack_app: SlackApp) -> None:
    add_document(slack_app, NAME_DOCUMENT)
    slack_app.fake.fail("files.completeUploadExternal", error="not_in_channel")

    _, name = slack_app.command("/context", "export")

    [reply] = wait_for(lambda: slack_app.fake.responses(name))
    assert "try `/context export` again" in reply["text"]
    assert documents(slack_app) == [NAME_DOCUMENT]
