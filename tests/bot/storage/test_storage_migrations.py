from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from bot.calibration import Vote
from bot.migrate import (
    alembic_config,
    current_revision,
    downgrade_database,
    head_revision,
    upgrade_database,
)
from bot.storage import (
    Base,
    channel_votes,
    create_db_engine,
    list_documents,
    make_session_factory,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
APP_TABLES = {"channels", "documents", "passages", "handled_events", "feedback", "jobs"}


def _sqlite_objects(url: str) -> dict[str, set[str]]:
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT type, name FROM sqlite_master")).all()
    finally:
        engine.dispose()
    objects: dict[str, set[str]] = {}
    for kind, name in rows:
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


def test_votes_cast_before_0005_keep_counting_without_a_confidence(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0002")
    engine = create_db_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO channels (team_id, channel_id, created_at) "
                    "VALUES ('T1', 'C1', '2026-01-01 00:00:00')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO feedback (channel_row_id, message_ts, user_id, question, "
                    "answer, document_id, helpful, created_at, updated_at) VALUES (1, '1.0', "
                    "'U1', 'q', 'a', NULL, 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                )
            )

        upgrade_database(url)

        with make_session_factory(engine)() as session:
            votes = channel_votes(session=session, team_id="T1", channel_id="C1")
        assert votes == [Vote("U1", None, True)]

        downgrade_database(url, "0002")
        columns = {c["name"] for c in inspect(engine).get_columns("feedback")}
        assert "confidence" not in columns
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM feedback")).scalar() == 1
    finally:
        engine.dispose()
