"""A channel's documents as one Markdown file, so a team can leave with its data.

No Slack here. Each document's text is written exactly as stored (it is the team's own
writing, and may itself be Markdown), under a heading with what qabot knows of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.storage import StoredDocument

SOURCES = {
    "slash_command": "/context add",
    "modal": "the /context add form",
    "pin": "a pinned message",
    "shortcut": "the Add to channel context shortcut",
}


def export_filename(channel_id: str, when: datetime) -> str:
    return f"qabot-{channel_id}-{when:%Y-%m-%d}.md"


def export_markdown(
    documents: Sequence[StoredDocument], *, channel_id: str, when: datetime
) -> str:
    """The documents, oldest first, each under a `##` heading with its id, author, source,
    date and link; then its text, verbatim."""
    count = "1 document" if len(documents) == 1 else f"{len(documents)} documents"
    lines = [
        f"# qabot context documents of channel {channel_id}",
        "",
        f"Exported {when:%Y-%m-%d %H:%M} UTC: {count}, oldest first.",
    ]
    for document in documents:
        source = SOURCES.get(document.source.value, document.source.value)
        lines += [
            "",
            f"## {document.title}",
            "",
            f"- Document #{document.number}, added by Slack user {document.added_by} via {source} "
            f"on {document.created_at:%Y-%m-%d %H:%M} UTC",
        ]
        if document.permalink:
            lines.append(f"- Original message: {document.permalink}")
        lines += ["", document.text]
    return "\n".join(lines) + "\n"
