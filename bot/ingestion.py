"""Adding a document to a channel: check it, title it, split it, store it with its passages.

No Slack here. Every way in — `/context add`, the form, a pin, the message shortcut — is
written as a job first and arrives here through the job runner, so all of them share one
set of rules. `check` is the cheap part a listener runs before it accepts the work, so
refused text is answered at once and nothing is stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot.rendering import TITLE_LIMIT, shorten, title_from_text
from bot.storage import DocumentSource, StoredDocument, add_document
from qa_engine.engine import QAEngine
from qa_engine.limits import document_problem
from qa_engine.types import Document

logger = logging.getLogger(__name__)


class DocumentRefused(ValueError):
    """The text can't be a document; the message is one friendly sentence saying why."""


@dataclass(frozen=True)
class NewDocument:
    """Text on its way into a channel's context, and who and what it came from."""

    team_id: str
    channel_id: str
    added_by: str
    text: str
    source: DocumentSource
    title: str | None = None
    source_ts: str | None = None
    """The Slack message the text is, where it is one (a channel stores a message once)."""
    permalink: str | None = None


class DocumentIngestor:
    """The one path by which documents are stored."""

    def __init__(
        self, *, engine: QAEngine, session_factory: sessionmaker[Session], max_chars: int
    ):
        self._engine = engine
        self._session_factory = session_factory
        self.max_chars = max_chars

    def check(self, text: str) -> str | None:
        """Why `text` can't be a document (one friendly sentence), or None when it can.

        Checked before NUL characters are dropped: a file of NULs is refused, not stored
        as an empty document."""
        return document_problem(text.strip(), max_chars=self.max_chars)

    def ingest(
        self,
        new: NewDocument,
        *,
        also: Callable[[Session, StoredDocument], None] | None = None,
    ) -> StoredDocument:
        """Split (waiting for the tokenizer if it is still loading) and store `new`.

        `also` runs in the same transaction as the insert (the job runner records there
        that the document is stored, so a retry never stores it twice). Raises
        `DocumentRefused` for text `check` refuses, and whatever the tokenizer or the
        database raise.
        """
        problem = self.check(new.text)
        if problem is not None:
            raise DocumentRefused(problem)
        text = clean_text(new.text)
        title = document_title(text, new.title)
        passages = self._engine.split(Document(id="new", text=text, title=title))
        with self._session_factory.begin() as session:
            document = add_document(
                session=session,
                team_id=new.team_id,
                channel_id=new.channel_id,
                text=text,
                title=title,
                source=new.source,
                added_by=new.added_by,
                passages=passages,
                source_ts=new.source_ts,
                permalink=new.permalink,
            )
            if also is not None:
                also(session, document)
        logger.info(
            "stored document %s in channel %s (%s, %d passages)",
            document.id,
            new.channel_id,
            new.source.value,
            len(passages),
        )
        return document


def clean_text(text: str) -> str:
    # PostgreSQL text can't hold NUL characters; drop them before splitting so passage
    # offsets still match the stored text.
    return text.replace("\x00", "").strip()


def document_title(text: str, title: str | None) -> str:
    """The title given (on one line, shortened), else the text's first non-blank line."""
    given = shorten(" ".join((title or "").split()), TITLE_LIMIT)
    return given or title_from_text(text)
