"""Files as documents: pinned, shared in a message added with the shortcut, or linked in
`/context add`. The add-document job reads them with `files.info` and downloads them with
the bot token; what it can't read gets a clear message and stores nothing."""

from __future__ import annotations

from typing import Any

from bot import rendering
from bot.storage import DocumentSource, list_documents
from tests.bot.pdfs import scanned_pdf, text_pdf
from tests.bot.slack.conftest import (
    BOT_TOKEN,
    NAME_DOCUMENT,
    NAME_QUESTION,
    SlackApp,
    make_settings,
    message_action_payload,
)
from tests.bot.slack.fake_slack import TEAM_ID, wait_for


def documents(app: SlackApp, channel: str = "C1"):
    with app.services.session_factory() as session:
        return list_documents(session=session, team_id=TEAM_ID, channel_id=channel)


def pin_file_event(kind: str, file_id: str) -> dict[str, Any]:
    item = {"type": "file", "channel": "C1", "created": 1, "created_by": "U3",
            "file": {"id": file_id}}
    return {"type": kind, "user": "U3", "channel_id": "C1", "item": item,
            "event_ts": "1700000500.000100"}


def test_a_pinned_text_file_becomes_a_document_and_unpinning_removes_it(slack_app: SlackApp):
    fake = slack_app.fake
    fake.add_file("F0NOTES", b"Release notes\nDeploys happen every Tuesday.\n",
                  name="notes.txt", mimetype="text/plain", filetype="text")

    assert slack_app.event(pin_file_event("pin_added", "F0NOTES")).status_code == 200

    [document] = wait_for(lambda: documents(slack_app))
    assert document.source is DocumentSource.FILE
    assert (document.source_ts, document.title, document.added_by) == (
        "F0NOTES", "notes.txt", "U3"
    )
    assert document.text == "Release notes\nDeploys happen every Tuesday."
    assert document.permalink == "https://qabot-test.slack.com/files/U1/F0NOTES/notes.txt"
    [download] = fake.downloads()
    assert download.token == BOT_TOKEN
    confirmation = wait_for(lambda: fake.calls("chat.postEphemeral"))[0]
    assert confirmation["user"] == "U3" and f"#{document.id}" in confirmation["text"]
    assert fake.calls("chat.getPermalink") == []  # a file id is not a message ts

    slack_app.event(pin_file_event("pin_removed", "F0NOTES"))

    wait_for(lambda: documents(slack_app) == [])


def test_a_pdf_linked_in_context_add_is_read_and_answers_questions(slack_app: SlackApp):
    slack_app.fake.add_file("F0PDF", text_pdf(NAME_DOCUMENT), name="about.pdf",
                            mimetype="application/pdf", filetype="pdf")
    link = "<https://qabot-test.slack.com/files/U1/F0PDF/about.pdf>"

    response, name = slack_app.command("/context", f"add {link}")

    assert response.status_code == 200
    [confirmation] = wait_for(lambda: slack_app.fake.responses(name))
    assert "Added #" in confirmation["text"] and "about.pdf" in confirmation["text"]
    [document] = documents(slack_app)
    assert (document.source, document.text) == (DocumentSource.FILE, NAME_DOCUMENT)

    _, asked = slack_app.mention(NAME_QUESTION)

    [answer] = wait_for(lambda: slack_app.fake.replies(asked))
    assert answer["text"].startswith("John")


def test_the_shortcut_adds_a_message_and_the_markdown_file_shared_in_it(slack_app: SlackApp):
    slack_app.fake.add_file("F0MD", b"# On-call\n\nThe pager rotates on Mondays.",
                            name="oncall.md", mimetype="text/markdown", filetype="markdown")
    message = {"ts": "1700000600.000100", "text": "Rota for Q1",
               "files": [{"id": "F0MD", "name": "oncall.md"}]}
    payload = message_action_payload(
        rendering.ADD_CONTEXT_SHORTCUT, message, response_url=slack_app.fake.response_url("sc")
    )

    assert slack_app.interaction(payload).status_code == 200

    wait_for(lambda: len(slack_app.fake.responses("sc")) == 2)
    stored = sorted((d.source.value, d.title, d.text) for d in documents(slack_app))
    assert stored == [
        ("file", "oncall.md", "# On-call\n\nThe pager rotates on Mondays."),
        ("shortcut", "Rota for Q1", "Rota for Q1"),
    ]


def _add_link(app: SlackApp, file_id: str, name: str) -> str:
    response, reply_to = app.command(
        "/context", f"add https://qabot-test.slack.com/files/U1/{file_id}/{name}"
    )
    assert response.status_code == 200
    [message] = wait_for(lambda: app.fake.responses(reply_to))
    return message["text"]


def test_unsupported_scanned_missing_and_too_large_files_are_refused_clearly(
    slack_app: SlackApp,
):
    fake = slack_app.fake
    fake.add_file("F0PNG", b"\x89PNG...", name="diagram.png", mimetype="image/png",
                  filetype="png")
    fake.add_file("F0SCAN", scanned_pdf(), name="scan.pdf", mimetype="application/pdf",
                  filetype="pdf")
    fake.add_file("F0HUGE", b"%PDF-1.4", name="big.pdf", mimetype="application/pdf",
                  filetype="pdf", size=30_000_000)
    max_chars = slack_app.services.settings.qa_max_document_chars
    fake.add_file("F0LONG", b"x", name="long.txt", mimetype="text/plain", filetype="text",
                  size=4 * max_chars + 1)

    assert "I can't read “diagram.png”: I read plain text" in _add_link(
        slack_app, "F0PNG", "diagram.png"
    )
    assert "scanned PDF" in _add_link(slack_app, "F0SCAN", "scan.pdf")
    assert "can't find that file" in _add_link(slack_app, "F0GONE", "gone.txt")
    huge = _add_link(slack_app, "F0HUGE", "big.pdf")
    assert "“big.pdf” is 30.0 MB; the limit for this kind of file is 20.0 MB" in huge
    assert "the limit for this kind of file is 0.8 MB" in _add_link(slack_app, "F0LONG", "long.txt")

    assert documents(slack_app) == []
    # Only the scan was downloaded: types and sizes are judged from files.info first.
    assert [d["file"] for d in fake.downloads()] == ["F0SCAN"]


def test_a_download_slack_cannot_serve_yet_is_retried_by_the_job(slack_app: SlackApp):
    fake = slack_app.fake
    fake.add_file("F0LATER", b"Standup is at 9:30.", name="standup.txt",
                  mimetype="text/plain", filetype="text")
    fake.fail("files.info", status=503, times=2)  # the client's own retry, then the job's

    _add_link(slack_app, "F0LATER", "standup.txt")

    [document] = documents(slack_app)
    assert document.text == "Standup is at 9:30."
    assert len(fake.failed_calls("files.info")) == 2 and len(fake.downloads()) == 1


def test_a_file_whose_text_is_over_the_character_limit_is_refused(
    engine, fake_slack, new_database
):
    settings = make_settings(new_database("small"), fake_slack, qa_max_document_chars=40)
    app = SlackApp(settings, engine, fake_slack)
    try:
        # 60 characters: under the 160-byte cap, over the 40-character limit.
        fake_slack.add_file("F0WORDY", ("é" * 60).encode(), name="wordy.md",
                            mimetype="text/markdown", filetype="markdown")

        message = _add_link(app, "F0WORDY", "wordy.md")

        assert "60 characters; the limit is 40" in message
        assert documents(app) == []
    finally:
        app.stop()
