"""A channel's documents and their passages.

Documents are stored with the passages the engine split them into, so questions never
re-split text; `channel_passages` and the rankers read them back as engine types. Every
function is scoped to one (team, channel): a number or id from another channel reads as
missing.

People name a document by its per-channel `number` (`/context show 3`); machines (buttons,
feedback, the engine's passages) by its row `id`. Neither is ever reused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.storage.internals import document_in_channel, get_or_create_channel
from bot.storage.models import Channel, Document, DocumentSource, Passage
from qa_engine import types as engine


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """A stored document, detached from any session."""

    id: int
    """Stable machine id (buttons, feedback, engine passages); never shown to people."""
    number: int
    """What people see and type: `#3` is the channel's third document, for good."""
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
        number=document.number,
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
    and offsets are stored under the new document's id. The document gets the channel's
    next number. If the channel already holds a document from the same Slack message
    (`source_ts`), that one is returned unchanged.
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

    try:
        with session.begin_nested():
            document = Document(
                channel_row_id=channel.id,
                number=_take_number(session=session, channel_row=channel.id),
                title=title,
                text=text,
                source=DocumentSource(source),
                source_ts=source_ts,
                permalink=permalink,
                added_by=added_by,
                passages=[
                    Passage(index=p.index, start=p.start, end=p.end, text=p.text)
                    for p in passages
                ],
            )
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


def _take_number(*, session: Session, channel_row: int) -> int:
    """The channel's next document number, taken in the caller's transaction.

    One UPDATE … RETURNING: on PostgreSQL it locks the channel's row until the transaction
    ends, so a concurrent add waits and then reads the incremented counter; on SQLite every
    write transaction already holds the database lock from its `BEGIN IMMEDIATE`. Rolled
    back with the insert, so a lost race leaves no gap either way.
    """
    taken = session.scalar(
        update(Channel)
        .where(Channel.id == channel_row)
        .values(next_document_number=Channel.next_document_number + 1)
        .returning(Channel.next_document_number)
        .execution_options(synchronize_session=False)
    )
    if taken is None:
        raise LookupError(f"channel row {channel_row} vanished while adding a document")
    return taken - 1


def list_documents(
    *,
    session: Session,
    team_id: str,
    channel_id: str,
    offset: int = 0,
    limit: int | None = None,
) -> list[StoredDocument]:
    """The channel's documents by number (oldest first); `offset`/`limit` read one page."""
    query = (
        select(Document)
        .where(document_in_channel(team_id, channel_id))
        .order_by(Document.number)
        .offset(offset)
        .limit(limit)
    )
    return [_stored(d, team_id=team_id, channel_id=channel_id) for d in session.scalars(query)]


@dataclass(frozen=True, slots=True)
class DocumentPage:
    """One page of a channel's documents (by number), and where it sits among the rest."""

    documents: list[StoredDocument]
    total: int
    """How many documents the channel holds in all."""
    page: int
    """1-based; past the last page when asked for one (then `documents` is empty)."""
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def document_page(
    *, session: Session, team_id: str, channel_id: str, page: int, per_page: int
) -> DocumentPage:
    """Page `page` (from 1) of the channel's documents, `per_page` to a page.

    Reads one count and one page through the (channel, number) index, so a channel of
    10,000 documents costs what a channel of 20 does.
    """
    if page < 1 or per_page < 1:
        raise ValueError(f"page {page} of {per_page} per page: both start at 1")
    total = count_documents(session=session, team_id=team_id, channel_id=channel_id)
    documents = list_documents(
        session=session,
        team_id=team_id,
        channel_id=channel_id,
        offset=(page - 1) * per_page,
        limit=per_page,
    )
    return DocumentPage(documents=documents, total=total, page=page, per_page=per_page)


def _get(*, session: Session, team_id: str, channel_id: str, number: int) -> Document | None:
    return session.scalar(
        select(Document).where(Document.number == number, document_in_channel(team_id, channel_id))
    )


def get_document(
    *, session: Session, team_id: str, channel_id: str, number: int
) -> StoredDocument | None:
    """The channel's document `#number`, or None if it has none by that number."""
    document = _get(session=session, team_id=team_id, channel_id=channel_id, number=number)
    return None if document is None else _stored(document, team_id=team_id, channel_id=channel_id)


def documents_by_id(
    *, session: Session, team_id: str, channel_id: str, ids: Sequence[int]
) -> dict[int, StoredDocument]:
    """The channel's documents among row ids `ids` (e.g. an answer's sources), by id."""
    if not ids:
        return {}
    documents = session.scalars(
        select(Document).where(Document.id.in_(ids), document_in_channel(team_id, channel_id))
    )
    return {d.id: _stored(d, team_id=team_id, channel_id=channel_id) for d in documents}


def remove_document(
    *, session: Session, team_id: str, channel_id: str, number: int
) -> StoredDocument | None:
    """Delete document `#number` and its passages; return what was removed (None if not
    found). Its number is not given out again."""
    document = _get(session=session, team_id=team_id, channel_id=channel_id, number=number)
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
    """Delete all of the channel's documents (feedback stays); return how many.

    The channel's counter stays: the next document gets the next number, not #1 again.
    """
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
