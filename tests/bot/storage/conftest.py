"""Fixtures: each test gets its own migrated database (on the backend `--db` selects), and a
helper to store documents."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.storage import (
    DocumentSource,
    StoredDocument,
    add_document,
    create_db_engine,
    make_session_factory,
)
from qa_engine.passages import split_passages
from qa_engine.types import Document, Passage
from tests.conftest import NewDatabase

_TOKEN = re.compile(r"\w+|[^\w\s]")


def word_offsets(text: str) -> list[tuple[int, int]]:
    """A stand-in for a model tokenizer: words and punctuation marks."""
    return [match.span() for match in _TOKEN.finditer(text)]


def split(text: str, title: str = "") -> list[Passage]:
    return split_passages(
        Document(id="new", text=text, title=title), token_offsets=word_offsets, max_tokens=40
    )


@pytest.fixture
def split_text() -> Callable[..., list[Passage]]:
    """`split`, for tests that call `add_document` themselves."""
    return split


@pytest.fixture
def database_url(new_database: NewDatabase) -> str:
    return new_database()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


AddDocument = Callable[..., StoredDocument]


@pytest.fixture
def add_doc(session_factory: sessionmaker[Session]) -> AddDocument:
    """Store `text` (split as the engine would) in a channel, in its own transaction."""

    def add(
        text: str,
        *,
        title: str = "Doc",
        team_id: str = "T1",
        channel_id: str = "C1",
        source: DocumentSource = DocumentSource.SLASH_COMMAND,
        added_by: str = "U1",
        source_ts: str | None = None,
        permalink: str | None = None,
    ) -> StoredDocument:
        with session_factory.begin() as session:
            return add_document(
                session=session,
                team_id=team_id,
                channel_id=channel_id,
                text=text,
                title=title,
                source=source,
                added_by=added_by,
                passages=split(text, title),
                source_ts=source_ts,
                permalink=permalink,
            )

    return add
