from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from bot.migrate import (
    current_revision,
    downgrade_database,
    head_revision,
    model_differences,
    upgrade_database,
)
from bot.storage import (
    create_db_engine,
    list_documents,
    make_session_factory,
)
from tests.conftest import NewDatabase

REPO_ROOT = Path(__file__).resolve().parents[3]
APP_TABLES = {
    "channels", "documents", "passages", "handled_events", "feedback", "jobs",
    "answered_threads", "channel_settings",
    "assistant_threads",
}


def _tables(url: str) -> set[str]:
    engine = create_db_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


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


def test_upgrade_creates_every_table(database_url: str) -> None:
    assert APP_TABLES | {"alembic_version"} <= _tables(database_url)


@pytest.mark.sqlite_only
def test_upgrade_creates_the_fts_index_and_its_triggers(database_url: str) -> None:
    objects = _sqlite_objects(database_url)

    assert APP_TABLES | {"alembic_version", "passages_fts"} <= objects["table"]
    assert objects["trigger"] == {
        "passages_fts_insert",
        "passages_fts_delete",
        "passages_fts_update",
        "passages_fts_terms_insert",
        "passages_fts_terms_update",
    }


def test_current_revision_is_none_before_and_head_after(new_database: NewDatabase) -> None:
    url = new_database("fresh", migrated=False)
    assert current_revision(url) is None

    upgrade_database(url)

    assert head_revision() == "0008"
    assert current_revision(url) == head_revision()


@pytest.mark.sqlite_only
def test_asking_a_missing_sqlite_file_its_revision_does_not_create_it(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"

    assert current_revision(f"sqlite:///{path}") is None
    assert not path.exists()


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
    assert _tables(database_url) == {"alembic_version"}

    upgrade_database(database_url)

    assert current_revision(database_url) == head_revision()
    assert _tables(database_url) >= APP_TABLES


@pytest.mark.sqlite_only
def test_downgrade_to_base_removes_the_fts_index_and_its_triggers(database_url: str) -> None:
    downgrade_database(database_url, "base")

    assert _sqlite_objects(database_url)["table"] == {"alembic_version"}
    assert "trigger" not in _sqlite_objects(database_url)

    upgrade_database(database_url)

    assert {"passages_fts"} <= _sqlite_objects(database_url)["table"]


def test_models_and_migrations_agree(database_url: str) -> None:
    assert model_differences(database_url) == []


def test_racing_upgrades_from_separate_processes_all_succeed(new_database: NewDatabase) -> None:
    # Several web processes may start at once on a new database; every one must come up.
    url = new_database("race", migrated=False)
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
        backend = engine.dialect.name
    finally:
        engine.dispose()
    # PostgreSQL also keeps the generated search vector the ranker reads (never the ORM).
    extra = {"search_vector"} if backend == "postgresql" else set()
    assert columns == {"id", "document_id", "index", "start", "end", "text"} | extra
