"""Per-channel BM25 on both databases: quality sanity and channel isolation of scores.

Every test here runs on SQLite and on PostgreSQL. The PostgreSQL server (`pgserver`, a
self-contained PostgreSQL 16 on a Unix socket) starts once for this module, and each test
gets a fresh, migrated database on it. (When the suite gains a general backend switch,
these local fixtures can give way to it.)
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from bot.migrate import downgrade_database, model_differences, upgrade_database
from bot.storage import (
    DocumentSource,
    Fts5PassageRanker,
    PostgresPassageRanker,
    add_document,
    create_db_engine,
    make_ranker,
    remove_document,
)
from tests.bot.storage.conftest import split

_database_numbers = itertools.count()


@pytest.fixture(scope="module")
def postgres_server() -> Iterator[Path]:
    import pgserver

    # Not pytest's tmp_path: run as root, pgserver starts PostgreSQL as another user, who
    # must be able to reach the data folder (pytest's folders are private to their owner).
    parent = Path(tempfile.mkdtemp(prefix="qabot-pg-"))
    parent.chmod(0o755)
    server = pgserver.get_server(parent / "data", cleanup_mode="delete")
    try:
        yield parent / "data"
    finally:
        server.cleanup()
        shutil.rmtree(parent, ignore_errors=True)


def _new_postgres_database(socket_folder: Path) -> str:
    name = f"ranking_{next(_database_numbers)}"
    admin = create_engine(
        f"postgresql+psycopg://postgres@/postgres?host={socket_folder}",
        isolation_level="AUTOCOMMIT",
    )
    try:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            connection.execute(text(f"CREATE DATABASE {name}"))
    finally:
        admin.dispose()
    return f"postgresql+psycopg://postgres@/{name}?host={socket_folder}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Overrides conftest's: a migrated database of each kind."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'qabot.db'}"
    else:
        url = _new_postgres_database(request.getfixturevalue("postgres_server"))
    upgrade_database(url)
    return url


def _add_many(session_factory: sessionmaker[Session], texts: list[str], channel_id: str) -> None:
    with session_factory.begin() as session:
        for number, body in enumerate(texts):
            add_document(
                session=session,
                team_id="T1",
                channel_id=channel_id,
                text=body,
                title=f"Doc {number}",
                source=DocumentSource.SLASH_COMMAND,
                added_by="U1",
                passages=split(body),
            )


def _scores(session_factory, question: str, limit: int = 5) -> list[tuple[str, float]]:
    ranker = make_ranker(session_factory, team_id="T1", channel_id="C1")
    return [(r.passage.text, r.score) for r in ranker.rank(question, limit)]


COMMON = [
    f"Deploys happen on {day}; the deploy checklist lives in the wiki, deploy early."
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
]
RARE = "A rollback restores the previous release of the service."


def test_the_passage_with_the_rare_question_word_wins(session_factory, add_doc) -> None:
    for body in COMMON:
        add_doc(body)
    rare = add_doc(RARE)

    ranked = make_ranker(session_factory, team_id="T1", channel_id="C1").rank(
        "How does a deploy rollback work?", 3
    )

    assert ranked[0].passage.document_id == str(rare.id)
    assert ranked[0].score > ranked[1].score > 0
    assert [r.score for r in ranked] == sorted((r.score for r in ranked), reverse=True)


def test_stemming_meets_other_forms_of_a_word(session_factory, add_doc) -> None:
    for body in COMMON:
        add_doc(body)
    target = add_doc("Priya rolled back the releases yesterday.")

    ranked = make_ranker(session_factory, team_id="T1", channel_id="C1").rank(
        "Who is rolling back a release?", 1
    )

    assert [r.passage.document_id for r in ranked] == [str(target.id)]


def test_another_channels_documents_leave_this_channels_scores_identical(
    session_factory, add_doc
) -> None:
    for body in [*COMMON, RARE, "Alice lives in Paris.", "Bob rolls back deploys on call."]:
        add_doc(body)
    questions = ("How does a deploy rollback work?", "Where does Alice live?", "deploy Paris")
    before = {question: _scores(session_factory, question) for question in questions}

    # 500 documents elsewhere, full of this channel's words (rollback made common there).
    other = [
        f"Rollback {n}: deploy number {n} was rolled back in Paris by Alice." for n in range(500)
    ]
    _add_many(session_factory, other, channel_id="C2")
    after = {question: _scores(session_factory, question) for question in questions}

    assert all(before[question] for question in questions)
    assert after == before


def test_scores_follow_the_channels_own_changes(session_factory, add_doc) -> None:
    # The control for the isolation test: the same statistics do move with this channel.
    for body in [*COMMON, RARE]:
        add_doc(body)
    before = _scores(session_factory, "How does a deploy rollback work?")

    extra = add_doc("Another rollback note: rollback means undo.")
    after = _scores(session_factory, "How does a deploy rollback work?")
    with session_factory.begin() as session:
        remove_document(session=session, team_id="T1", channel_id="C1", number=extra.number)

    assert dict(after)[RARE] < dict(before)[RARE]
    assert _scores(session_factory, "How does a deploy rollback work?") == before


def test_small_channel_returns_everything_matches_first(session_factory, add_doc) -> None:
    docs = [add_doc(body) for body in (*COMMON[:2], RARE)]

    ranked = make_ranker(session_factory, team_id="T1", channel_id="C1").rank("rollback", 10)

    assert [r.passage.document_id for r in ranked] == [str(d.id) for d in (docs[2], *docs[:2])]
    assert ranked[0].score > 0
    assert [r.score for r in ranked[1:]] == [0.0, 0.0]


@pytest.mark.parametrize(
    "question", ["'; DROP TABLE passages; --", "a\\b 'c' | !d & <-> :*", "Who is it?", "東京 🙂"]
)
def test_user_text_is_never_query_syntax(session_factory, add_doc, question: str) -> None:
    for body in COMMON:
        add_doc(body)

    ranked = make_ranker(session_factory, team_id="T1", channel_id="C1").rank(question, 3)

    assert ranked == []
    assert len(_scores(session_factory, "deploy", 10)) == len(COMMON)


def test_make_ranker_matches_the_database(session_factory, database_url: str) -> None:
    made = make_ranker(session_factory, team_id="T1", channel_id="C1")

    expected = Fts5PassageRanker if database_url.startswith("sqlite") else PostgresPassageRanker
    assert type(made) is expected


def test_models_and_migrations_agree(database_url: str) -> None:
    assert model_differences(database_url) == []


def _search_objects(url: str) -> set[str]:
    engine = create_db_engine(url)
    try:
        inspector = inspect(engine)
        names = set(inspector.get_table_names())
        if "passages" in names:
            names |= {c["name"] for c in inspector.get_columns("passages")}
            names |= {i["name"] for i in inspector.get_indexes("passages")}
    finally:
        engine.dispose()
    return names & {"passages_fts_terms", "search_vector", "ix_passages_search_vector"}


def _term_rows(url: str) -> list[tuple]:
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                text("SELECT * FROM passages_fts_terms ORDER BY passage_id, term")
            ).all()
    finally:
        engine.dispose()


def test_migration_0004_adds_the_index_and_its_downgrade_removes_it(
    database_url: str, add_doc
) -> None:
    stored = add_doc("Alice lives in Paris. Alice lived in Lyon, living well.")
    add_doc("Bob lives in Rome.", channel_id="C2")
    sqlite = database_url.startswith("sqlite")
    expected = {"passages_fts_terms"} if sqlite else {"search_vector", "ix_passages_search_vector"}
    assert _search_objects(database_url) == expected
    made_by_trigger = _term_rows(database_url) if sqlite else []

    downgrade_database(database_url, "0002")
    assert _search_objects(database_url) == set()

    upgrade_database(database_url)
    assert _search_objects(database_url) == expected
    # Passages stored before the upgrade are indexed exactly as new ones are.
    assert (_term_rows(database_url) if sqlite else []) == made_by_trigger
    engine = create_db_engine(database_url)
    try:
        ranked = make_ranker(
            sessionmaker(bind=engine), team_id="T1", channel_id="C1"
        ).rank("Paris", 3)
    finally:
        engine.dispose()
    assert [r.passage.document_id for r in ranked] == [str(stored.id)]
