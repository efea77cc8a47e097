"""The ORM models: what qabot stores, one table per kind of fact.

The schema itself is created only by the Alembic migrations in `migrations/`; these classes
describe it to the ORM (and to `alembic revision --autogenerate`). The SQLite full-text
index over passages (`passages_fts`) is not a model: it is created by the migration and
kept in sync by triggers, so every write to `passages` — including the cascade when a
document is removed — updates it.
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

    documents: Mapped[list[Document]] = relationship(
        back_populates="channel", order_by="Document.id"
    )


class Document(Base):
    """A context document pinned to a channel.

    `source_ts` is the Slack message the text came from, when there is one; a channel holds
    at most one document per message, so pinning a message and then adding it with the
    shortcut does not store it twice.
    """

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("channel_row_id", "source_ts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_row_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
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


class Feedback(Base):
    """One user's vote on one answer message; voting again replaces the vote.

    `document_id` is deliberately not a foreign key: feedback outlives the document it was
    about, and keeps saying which one that was. `confidence` is the answer's confidence when
    it was shown (None for votes cast before it was recorded); the votes calibrate the
    channel's threshold with it (`bot.calibration`).
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


__all__ = [
    "NAMING_CONVENTION",
    "PASSAGES_FTS_TABLE",
    "Base",
    "Channel",
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
    "utcnow",
]
