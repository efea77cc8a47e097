"""The ORM models: what qabot stores, one table per kind of fact.

The schema itself is created only by the Alembic migrations in `migrations/`; these classes
describe it to the ORM (and to `alembic revision --autogenerate`). The full-text indexes
over passages are not in the models, since only one database can create each. On SQLite:
`passages_fts` (FTS5, kept in sync by triggers, so every write to `passages` — including
the cascade when a document is removed — updates it) and the per-channel term index
`passages_fts_terms` (migration 0004, filled by a trigger). On PostgreSQL: the generated
`passages.search_vector` column and its GIN index.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    DateTime,
    Dialect,
    Enum,
    Float,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names on every database, so later migrations can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

PASSAGES_FTS_TABLE = "passages_fts"
"""The FTS5 external-content table over `passages.text` (SQLite only, see the migration)."""
PASSAGES_FTS_TOKENIZE = "porter unicode61"
"""Its tokenizer (migration 0001); the ranker stems questions with the same one."""
PASSAGES_SEARCH_VECTOR = "search_vector"
"""PostgreSQL only: the generated tsvector column on passages (migration 0004)."""
PASSAGES_SEARCH_INDEX = "ix_passages_search_vector"
"""PostgreSQL only: the GIN index on that column."""
PASSAGES_SEARCH_CONFIG = "english"
"""The text-search configuration of that column (Porter stemming, like FTS5's `porter`)."""


def described_by_models(name: str | None, type_: str, _parent_names: object = None) -> bool:
    """Alembic's `include_name`: False for the full-text objects migrations write by hand —
    the FTS5 table, its shadow and vocabulary tables (SQLite), the tsvector column and its
    index (PostgreSQL) — so comparing the models with a database ignores them."""
    if type_ == "table" and name is not None:
        return name != PASSAGES_FTS_TABLE and not name.startswith(PASSAGES_FTS_TABLE + "_")
    if type_ == "column":
        return name != PASSAGES_SEARCH_VECTOR
    if type_ == "index":
        return name != PASSAGES_SEARCH_INDEX
    return True


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A UTC instant: stored as naive UTC (SQLite has no time zones), read back aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: qabot stores only aware UTC times")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class DocumentSource(StrEnum):
    """How a document reached the channel's collection."""

    SLASH_COMMAND = "slash_command"
    MODAL = "modal"
    PIN = "pin"
    SHORTCUT = "shortcut"
    SAVED_ANSWER = "saved_answer"
    """A teammate's answer stored as an FAQ entry (*Save as answer*, *Add the answer*)."""
    FILE = "file"
    """The text of a Slack file; its `source_ts` is the file's id (F…), not a message ts."""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class Channel(Base):
    """A Slack channel of one workspace; created the first time something is stored for it."""

    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("team_id", "channel_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_document_number: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    """The number the channel's next document gets. Only ever goes up (never reset by a
    remove or a clear), so a number names one document for the channel's whole life."""
    answering: Mapped[bool] = mapped_column(default=True, server_default=true())
    """False once qabot was removed from the channel (`channel_left`): its documents are
    kept, but questions there get no answer until qabot is invited back."""

    documents: Mapped[list[Document]] = relationship(
        back_populates="channel", order_by="Document.number"
    )


class Document(Base):
    """A context document pinned to a channel.

    `number` is what people see (`#3`): per channel, from 1, never reused in that channel
    (see `Channel.next_document_number`). `id` is the stable id for machines (buttons,
    feedback, the engine): on SQLite the table is AUTOINCREMENT, so a deleted document's id
    is never given to another one either, as on PostgreSQL with its sequence.

    `source_ts` is the Slack message the text came from, when there is one; a channel holds
    at most one document per message, so pinning a message and then adding it with the
    shortcut does not store it twice. For a file it is the file's id (`F…`; message ts are
    digits), so a file, too, is stored once per channel, and unpinning it removes it.
    """

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("channel_row_id", "source_ts"),
        UniqueConstraint("channel_row_id", "number"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_row_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[DocumentSource] = mapped_column(
        Enum(
            DocumentSource,
            name="document_source",
            native_enum=False,
            create_constraint=True,
            length=32,
            values_callable=lambda members: [member.value for member in members],
        )
    )
    source_ts: Mapped[str | None] = mapped_column(String(32))
    permalink: Mapped[str | None] = mapped_column(Text)
    added_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    channel: Mapped[Channel] = relationship(back_populates="documents")
    # The database deletes passages (and, through triggers, their index entries) when a
    # document goes; passive_deletes keeps the ORM from loading them just to delete them.
    passages: Mapped[list[Passage]] = relationship(
        back_populates="document",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Passage.index",
    )


class Passage(Base):
    """A slice of a document as the engine split it: `document.text[start:end] == text`."""

    __tablename__ = "passages"
    __table_args__ = (UniqueConstraint("document_id", "index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    index: Mapped[int]
    start: Mapped[int]
    end: Mapped[int]
    text: Mapped[str] = mapped_column(Text)

    document: Mapped[Document] = relationship(back_populates="passages")


PassageRow = Passage
"""Alias for modules that also import `qa_engine.types.Passage`."""


class HandledEvent(Base):
    """A Slack event id some process has claimed, so a retried delivery is answered once."""

    __tablename__ = "handled_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    handled_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    team_id: Mapped[str | None] = mapped_column(String(32))
    """The workspace the event came from, so uninstalling forgets its events too (None for
    rows older than that column, pruned within a day, and for the uninstall event itself)."""


class JobKind(StrEnum):
    """What an accepted piece of work is."""

    ANSWER = "answer"
    """Answer a question (a mention, `/ask`, *More answers*) and deliver the reply."""
    ADD_DOCUMENT = "add_document"
    """Store a document (`/context add`, the form, a pin, the shortcut) and tell its user."""


class JobState(StrEnum):
    PENDING = "pending"
    """Waiting to run, running (`leased_until` in the future), or waiting to retry."""
    DONE = "done"
    FAILED = "failed"
    """Given up: a permanent error, or Slack refused the reply for too long (logged)."""


class Job(Base):
    """Work qabot accepted from Slack: written before Slack is acknowledged, so that a crash
    never loses it; done by whichever process claims it (see `bot.storage.jobs`).

    `key` is the Slack event id where there is one: a retried event finds its job. A worker
    holds a job while `leased_until` is in the future and keeps extending it; a process that
    dies lets it lapse, and another worker (or a restart) takes the job over. `progress` is
    what earlier attempts achieved (the rendered reply, the stored document's id), so a retry
    resumes instead of redoing work.
    """

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[JobKind] = mapped_column(
        Enum(
            JobKind,
            name="job_kind",
            native_enum=False,
            create_constraint=True,
            length=32,
            values_callable=lambda members: [member.value for member in members],
        )
    )
    key: Mapped[str | None] = mapped_column(String(64), unique=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)
    progress: Mapped[str] = mapped_column(Text, default="{}")
    state: Mapped[JobState] = mapped_column(
        Enum(
            JobState,
            name="job_state",
            native_enum=False,
            create_constraint=True,
            length=16,
            values_callable=lambda members: [member.value for member in members],
        ),
        default=JobState.PENDING,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    leased_until: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_jobs_state_due_at", "state", "due_at"),)


class AssistantThread(Base):
    """What a user is looking at while talking to qabot in the assistant panel: Slack's
    thread context (`channel_id` of the channel in view, `team_id`, `enterprise_id`),
    kept per assistant thread (a DM channel and the thread's ts)."""

    __tablename__ = "assistant_threads"
    __table_args__ = (UniqueConstraint("channel_id", "thread_ts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str] = mapped_column(String(32))
    context: Mapped[str] = mapped_column(Text)
    """Slack's context object, as JSON."""
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Feedback(Base):
    """One user's vote on one answer message; voting again replaces the vote.

    `document_id` is the document's row id (never its per-channel number) and deliberately
    not a foreign key: feedback outlives the document it was about, and keeps saying which
    one that was, since a row id is never given to another document. `confidence` is the
    answer's confidence when it was shown (None for votes cast before it was recorded); the
    votes calibrate the channel's threshold with it (`bot.calibration`).
    """

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("channel_row_id", "message_ts", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_row_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    message_ts: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    document_id: Mapped[int | None]
    helpful: Mapped[bool]
    confidence: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    channel: Mapped[Channel] = relationship()


class AnsweredThread(Base):
    """A thread qabot has posted an answer in: new questions there are follow-ups.

    `first_question` is the first question qabot answered in the thread; a short
    follow-up that the channel's documents don't cover borrows it (`bot.answering`).
    """

    __tablename__ = "answered_threads"
    __table_args__ = (UniqueConstraint("channel_row_id", "thread_ts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_row_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    thread_ts: Mapped[str] = mapped_column(String(32))
    first_question: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChannelSettings(Base):
    """A channel's switches for answering without a mention; no row means the defaults."""

    __tablename__ = "channel_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_row_id: Mapped[int] = mapped_column(ForeignKey("channels.id"), unique=True)
    followups: Mapped[bool] = mapped_column(default=True)
    """Questions in threads qabot answered in are answered without a mention."""
    autoanswer: Mapped[bool] = mapped_column(default=False)
    """Top-level questions get a threaded answer when it is confident enough."""
    updated_by: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


__all__ = [
    "NAMING_CONVENTION",
    "PASSAGES_FTS_TABLE",
    "PASSAGES_FTS_TOKENIZE",
    "PASSAGES_SEARCH_CONFIG",
    "PASSAGES_SEARCH_INDEX",
    "PASSAGES_SEARCH_VECTOR",
    "AnsweredThread",
    "AssistantThread",
    "Base",
    "Channel",
    "ChannelSettings",
    "Document",
    "DocumentSource",
    "Feedback",
    "HandledEvent",
    "Job",
    "JobKind",
    "JobState",
    "Passage",
    "PassageRow",
    "UTCDateTime",
    "described_by_models",
    "utcnow",
]
