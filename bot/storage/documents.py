"""A channel's documents and their passages.

Documents are stored with the passages the engine split them into, so questions never
re-split text; `channel_passages` and the rankers read them back as engine types. Every
function is scoped to one (team, channel): an id from another channel reads as missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.storage.internals import document_in_channel, get_or_create_channel
from bot.storage.models import Document, DocumentSource, Passage
from qa_engine import types as engine


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """A stored document, detached from any session."""

    id: int
    team_id: str
    channel_id: str
    title: str
    text: str
    source: DocumentSource
    added_by: str
    created_at: datetime
    source_ts: str | None
    permalink: str | None

    def to_engine_document(self) -> engine.Document:
        return engine.Document(id=str(self.id), text=self.text, title=self.title)


def _stored(document: Document, *, team_id: str, channel_id: str) -> StoredDocument:
    return StoredDocument(
        id=document.id,
        team_id=team_id,
        channel_id=channel_id,
        title=document.title,
        text=document.text,
        source=DocumentSource(document.source),
        added_by=document.added_by,
        created_at=document.created_at,
        source_ts=document.source_ts,
        permalink=document.permalink,
    )


def _find_by_source_ts(*, session: Session, channel_row: int, source_ts: str) -> Document | None:
    return session.scalar(
        select(Document).where(
            Document.channel_row_id == channel_row, Document.source_ts == source_ts
        )
    )


def add_document(
    *,
    session: Session,
    team_id: str,
    channel_id: str,
    text: str,
    title: str,
    source: DocumentSource,
    added_by: str,
    passages: Sequence[engine.Passage],
    source_ts: str | None = None,
    permalink: str | None = None,
) -> StoredDocument:
    """Store a document with the passages the engine split it into.

    The passages' own `document_id` (a placeholder at split time) is ignored; their index
    and offsets are stored under the new document's id. If the channel already holds a
    document from the same Slack message (`source_ts`), that one is returned unchanged.
    """
    for passage in passages:
        if text[passage.start : passage.end] != passage.text:
            raise ValueError(
                f"passage {passage.index} does not match text[{passage.start}:{passage.end}]"
            )
    channel = get_or_create_channel(session=session, team_id=team_id, channel_id=channel_id)
    if source_ts is not None:
        existing = _find_by_source_ts(session=session, channel_row=channel.id, source_ts=source_ts)
        if existing is not None:
            return _stored(existing, team_id=team_id, channel_id=channel_id)

    document = Document(
        channel_row_id=channel.id,
        title=title,
        text=text,
        source=DocumentSource(source),
        source_ts=source_ts,
        permalink=permalink,
        added_by=added_by,
        passages=[Passage(index=p.index, start=p.start, end=p.end, text=p.text) for p in passages],
    )
    try:
        with session.begin_nested():
            session.add(document)
    except IntegrityError:
        # Another process stored the same message between our check and our insert.
        if source_ts is None:
            raise
        existing = _find_by_source_ts(session=session, channel_row=channel.id, source_ts=source_ts)
        if existing is None:
            raise
        return _stored(existing, team_id=team_id, channel_id=channel_id)
    return _stored(document, team_id=team_id, channel_id=channel_id)


def list_documents(*, session: Session, team_id: str, channel_id: str) -> list[StoredDocument]:
    """The channel's documents, oldest first."""
    documents = session.scalars(
        select(Document).where(document_in_channel(team_id, channel_id)).order_by(Document.id)
    )
    return [_stored(d, team_id=team_id, channel_id=channel_id) for d in documents]


def _get(*, session: Session, team_id: str, channel_id: str, document_id: int) -> Document | None:
    return session.scalar(
        select(Document).where(Document.id == document_id, document_in_channel(team_id, channel_id))
    )


def get_document(
    *, session: Session, team_id: str, channel_id: str, document_id: int
) -> StoredDocument | None:
    """The document, or None if there is none with that id in this channel."""
    document = _get(
        session=session, team_id=team_id, channel_id=channel_id, document_id=document_id
    )
    return None if document is None else _stored(document, team_id=team_id, channel_id=channel_id)


def remove_document(
    *, session: Session, team_id: str, channel_id: str, document_id: int
) -> StoredDocument | None:
    """Delete the document and its passages; return what was removed (None if not found)."""
    document = _get(
        session=session, team_id=team_id, channel_id=channel_id, document_id=document_id
    )
    if document is None:
        return None
    removed = _stored(document, team_id=team_id, channel_id=channel_id)
    session.delete(document)
    session.flush()
    return removed


def remove_documents_by_source_ts(
    *, session: Session, team_id: str, channel_id: str, source_ts: str
) -> int:
    """Delete the channel's documents taken from one Slack message (e.g. on unpin)."""
    result = session.execute(
        delete(Document).where(
            document_in_channel(team_id, channel_id), Document.source_ts == source_ts
        )
    )
    return result.rowcount


def clear_channel(*, session: Session, team_id: str, channel_id: str) -> int:
    """Delete all of the channel's documents (feedback stays); return how many."""
    result = session.execute(delete(Document).where(document_in_channel(team_id, channel_id)))
    return result.rowcount


def count_documents(*, session: Session, team_id: str, channel_id: str) -> int:
    count = session.scalar(
        select(func.count()).select_from(Document).where(document_in_channel(team_id, channel_id))
    )
    return count or 0


def channel_passages(*, session: Session, team_id: str, channel_id: str) -> list[engine.Passage]:
    """Every passage of the channel's documents, in document then passage order."""
    rows = session.execute(
        select(Passage, Document.title)
        .join(Passage.document)
        .where(document_in_channel(team_id, channel_id))
        .order_by(Passage.document_id, Passage.index)
    )
    return [engine_passage(passage, title) for passage, title in rows]


def engine_passage(passage: Passage, document_title: str) -> engine.Passage:
    """The engine's view of a stored passage (its document id as a string)."""
    return engine.Passage(
        document_id=str(passage.document_id),
        index=passage.index,
        start=passage.start,
        end=passage.end,
        text=passage.text,
        document_title=document_title,
    )
