from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from bot.migrate import (
    alembic_config,
    current_revision,
    downgrade_database,
    head_revision,
    upgrade_database,
)
from bot.storage import (
    Base,
    DocumentSource,
    add_document,
    channel_passages,
    create_db_engine,
    documents_by_id,
    list_documents,
    make_session_factory,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
APP_TABLES = {
    "channels", "documents", "passages", "handled_events", "feedback", "jobs",
    "answered_threads", "channel_settings",
}


def _sqlite_objects(url: str) -> dict[str, set[str]]:
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT type, name FROM sqlite_master")).all()
    finally:
        engine.dispose()
    objects: dict[str, set[str]] = {}
    for kind, name in rows:
        # SQLite's own tables (sqlite_sequence, created by AUTOINCREMENT) can't be dropped.
        if not name.startswith("sqlite_"):
            objects.setdefault(kind, set()).add(name)
    return objects


def test_upgrade_creates_every_table_and_the_fts_index(database_url: str) -> None:
    objects = _sqlite_objects(database_url)

    assert APP_TABLES | {"alembic_version", "passages_fts"} <= objects["table"]
    assert objects["trigger"] == {
        "passages_fts_insert",
        "passages_fts_delete",
        "passages_fts_update",
    }


def test_current_revision_is_none_before_and_head_after(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    url = f"sqlite:///{path}"
    assert current_revision(url) is None
    assert not path.exists()

    upgrade_database(url)

    assert head_revision() == "0005"
    assert current_revision(url) == head_revision()


def test_upgrade_is_idempotent_and_keeps_data(database_url: str, add_doc) -> None:
    add_doc("Alice lives in Paris.")

    upgrade_database(database_url)
    upgrade_database(database_url)

    assert current_revision(database_url) == head_revision()
    engine = create_db_engine(database_url)
    try:
        with make_session_factory(engine).begin() as session:
            docs = list_documents(session=session, team_id="T1", channel_id="C1")
    finally:
        engine.dispose()
    assert [d.text for d in docs] == ["Alice lives in Paris."]


def test_downgrade_to_base_and_back(database_url: str) -> None:
    downgrade_database(database_url, "base")

    assert current_revision(database_url) is None
    assert _sqlite_objects(database_url)["table"] == {"alembic_version"}
    assert "trigger" not in _sqlite_objects(database_url)

    upgrade_database(database_url)

    assert current_revision(database_url) == head_revision()
    assert APP_TABLES | {"passages_fts"} <= _sqlite_objects(database_url)["table"]


def test_models_and_migrations_agree(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "include_name": lambda name, type_, _parents: (
                        not (type_ == "table" and name.startswith("passages_fts"))
                    ),
                },
            )
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_racing_upgrades_from_separate_processes_all_succeed(tmp_path: Path) -> None:
    # Several web processes may start at once on a new file; every one must come up.
    url = f"sqlite:///{tmp_path / 'race.db'}"
    script = "import sys; from bot.migrate import upgrade_database; upgrade_database(sys.argv[1])"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, url],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [(process.wait(timeout=60), process.communicate()[1]) for process in processes]

    assert [(code, err) for code, err in results if code != 0] == []
    assert current_revision(url) == head_revision()


def test_migrated_schema_matches_what_the_orm_reads(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        columns = {c["name"] for c in inspect(engine).get_columns("passages")}
    finally:
        engine.dispose()
    assert columns == {"id", "document_id", "index", "start", "end", "text"}


def test_saved_answers_and_files_are_stored_and_a_downgrade_keeps_them(
    database_url: str, add_doc
) -> None:
    # 0007 widened the CHECK constraint on documents.source; compare_metadata can't see it.
    add_doc("Q: When do deploys happen?\nA: Tuesdays.", source=DocumentSource.SAVED_ANSWER)
    add_doc("Handbook text.", source=DocumentSource.FILE, source_ts="F0FILE1")

    downgrade_database(database_url, "0002")

    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT source, text FROM documents ORDER BY id")).all()
            passages = connection.execute(text("SELECT count(*) FROM passages")).scalar()
    finally:
        engine.dispose()
    assert rows == [
        ("shortcut", "Q: When do deploys happen?\nA: Tuesdays."),
        ("shortcut", "Handbook text."),
    ]
    assert passages == 2  # the table rebuilds left the documents' passages alone

    upgrade_database(database_url)
    assert current_revision(database_url) == head_revision()


def _insert_document(connection, *, document_id: int, channel_row: int, text_: str) -> None:
    connection.execute(
        text(
            "INSERT INTO documents (id, channel_row_id, title, text, source, added_by, created_at)"
            " VALUES (:id, :channel, :text, :text, 'slash_command', 'U1', '2026-01-01 00:00:00')"
        ),
        {"id": document_id, "channel": channel_row, "text": text_},
    )
    connection.execute(
        text(
            'INSERT INTO passages (document_id, "index", start, "end", text)'
            " VALUES (:id, 0, 0, :length, :text)"
        ),
        {"id": document_id, "length": len(text_), "text": text_},
    )


def test_0003_numbers_existing_documents_per_channel_and_downgrades(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0002")
    engine = create_db_engine(url, foreign_keys=False)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO channels (id, team_id, channel_id, created_at) VALUES "
                    "(1, 'T1', 'CA', '2026-01-01'), (2, 'T1', 'CB', '2026-01-01'), "
                    "(3, 'T1', 'CEMPTY', '2026-01-01')"
                )
            )
            # Global ids as 0002 gave them out: the channels' documents interleave.
            for document_id, channel_row in [(1, 1), (2, 1), (3, 2), (4, 1), (6, 2)]:
                _insert_document(
                    connection,
                    document_id=document_id,
                    channel_row=channel_row,
                    text_=f"Document {document_id} talks about topic{document_id}.",
                )
            # Feedback about document 9, removed before the upgrade: 9 must not come back.
            connection.execute(
                text(
                    "INSERT INTO feedback (channel_row_id, message_ts, user_id, question,"
                    " answer, document_id, helpful, created_at, updated_at) VALUES"
                    " (1, '1.1', 'U1', 'q', 'a', 9, 1, '2026-01-01', '2026-01-01')"
                )
            )
    finally:
        engine.dispose()

    upgrade_database(url)

    engine = create_db_engine(url)
    try:
        with make_session_factory(engine).begin() as session:
            a = list_documents(session=session, team_id="T1", channel_id="CA")
            b = list_documents(session=session, team_id="T1", channel_id="CB")
            passages = channel_passages(session=session, team_id="T1", channel_id="CA")
            counters = dict(
                session.execute(
                    text("SELECT channel_id, next_document_number FROM channels")
                ).all()
            )
        with make_session_factory(engine).begin() as session:
            added = add_document(
                session=session, team_id="T1", channel_id="CB", text="New.", title="New",
                source=DocumentSource.SLASH_COMMAND, added_by="U2", passages=[],
            )
        with make_session_factory(engine).begin() as session:
            first_in_empty = add_document(
                session=session, team_id="T1", channel_id="CEMPTY", text="First.",
                title="First", source=DocumentSource.SLASH_COMMAND, added_by="U2", passages=[],
            )
            old_four = documents_by_id(session=session, team_id="T1", channel_id="CA", ids=[4])
    finally:
        engine.dispose()

    assert [(d.id, d.number) for d in a] == [(1, 1), (2, 2), (4, 3)]
    assert [(d.id, d.number) for d in b] == [(3, 1), (6, 2)]
    assert {p.document_id for p in passages} == {"1", "2", "4"}
    assert counters == {"CA": 4, "CB": 3, "CEMPTY": 1}
    assert added.number == 3
    assert added.id > 9
    assert first_in_empty.number == 1
    assert old_four[4].text == "Document 4 talks about topic4."

    downgrade_database(url, "0002")

    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            columns = {c["name"] for c in inspect(connection).get_columns("documents")}
            rows = connection.execute(text("SELECT id FROM documents ORDER BY id")).scalars().all()
            fts_hits = connection.execute(
                text("SELECT rowid FROM passages_fts WHERE passages_fts MATCH 'topic4'")
            ).all()
    finally:
        engine.dispose()
    assert "number" not in columns
    assert rows == [1, 2, 3, 4, 6, added.id, first_in_empty.id]
    assert len(fts_hits) == 1
    upgrade_database(url)
    assert current_revision(url) == head_revision()
