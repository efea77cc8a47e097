"""Pure pieces of the lifecycle and the panel: the export's Markdown, the panel's status
line and channel line, which channel a thread context names."""

from __future__ import annotations

from datetime import UTC, datetime

from bot import rendering
from bot.assistant import viewed_channel_of
from bot.export import export_filename, export_markdown
from bot.storage import DocumentSource, StoredDocument

WHEN = datetime(2026, 12, 2, 15, 30, tzinfo=UTC)


def document(id: int, text: str, **overrides) -> StoredDocument:
    fields = {
        "id": id, "number": id, "team_id": "T1", "channel_id": "C1", "title": f"Doc {id}",
        "text": text,
        "source": DocumentSource.PIN, "added_by": "U1",
        "created_at": datetime(2026, 1, 2, 3, 4, tzinfo=UTC), "source_ts": None,
        "permalink": None,
    }
    return StoredDocument(**(fields | overrides))


def test_export_keeps_every_text_verbatim_in_order_with_its_facts() -> None:
    texts = ["# A heading\n\n* a list\n\n```code```", "Q: Who?\nA: Priya.  \n\n"]
    markdown = export_markdown(
        [document(3, texts[0], permalink="https://x.slack.com/p1"),
         document(9, texts[1], source=DocumentSource.SLASH_COMMAND, added_by="U9")],
        channel_id="C1", when=WHEN,
    )

    assert markdown.startswith("# qabot context documents of channel C1\n")
    assert "2 documents, oldest first" in markdown
    assert texts[0] in markdown and texts[1] in markdown
    assert markdown.index(texts[0]) < markdown.index(texts[1])
    assert "## Doc 3\n" in markdown and "## Doc 9\n" in markdown
    assert "Document #3, added by Slack user U1 via a pinned message on 2026-01-02 03:04" in (
        markdown
    )
    assert "- Original message: https://x.slack.com/p1" in markdown
    assert "Document #9, added by Slack user U9 via /context add" in markdown
    assert markdown.count("Original message") == 1


def test_export_of_one_document_and_its_filename() -> None:
    assert "1 document, oldest first" in export_markdown(
        [document(1, "x")], channel_id="C1", when=WHEN
    )
    assert export_filename("C1", WHEN) == "qabot-C1-2026-12-02.md"


def test_reading_status_names_the_channel_with_a_possessive() -> None:
    assert rendering.reading_status("deploys") == "Reading #deploys' documents…"
    assert rendering.reading_status("eng-help") == "Reading #eng-help's documents…"
    assert rendering.reading_status(None) == "Reading the channel's documents…"


def test_from_channel_heads_the_answer_with_the_channel() -> None:
    answer = rendering.notice("Every Tuesday.")
    message = rendering.from_channel(answer, "C7")
    assert message.text.startswith("From the documents of <#C7>:")
    assert message.blocks[0]["type"] == "context"
    assert message.blocks[1:] == answer.blocks


def test_only_a_channel_in_view_counts_not_a_dm_or_nothing() -> None:
    assert viewed_channel_of({"channel_id": "C1", "team_id": "T1"}) == "C1"
    assert viewed_channel_of({"channel_id": "G2"}) == "G2"
    assert viewed_channel_of({"channel_id": "D3"}) is None
    assert viewed_channel_of({}) is None
    assert viewed_channel_of(None) is None
    assert viewed_channel_of({"channel_id": 5}) is None
