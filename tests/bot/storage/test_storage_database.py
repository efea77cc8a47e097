from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import StatementError

from bot.migrate import upgrade_database
from bot.storage import HandledEvent, create_db_engine, list_documents, make_session_factory
from bot.storage.database import SQLITE_BUSY_TIMEOUT_MS


def _pragma(engine: Engine, name: str) -> object:
    with engine.connect() as connection:
        return connection.execute(text(f"PRAGMA {name}")).scalar()


@pytest.mark.sqlite_only
def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(engine: Engine) -> None:
    assert _pragma(engine, "journal_mode") == "wal"
    assert _pragma(engine, "foreign_keys") == 1
    assert _pragma(engine, "busy_timeout") == SQLITE_BUSY_TIMEOUT_MS


@pytest.mark.sqlite_only
def test_creates_the_folder_of_a_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "data" / "nested" / "qabot.db"

    upgrade_database(f"sqlite:///{path}")

    assert path.is_file()


def test_data_survives_a_restart(database_url: str, engine: Engine, add_doc) -> None:
    stored = add_doc("The office opens at nine.", title="Hours", source_ts="111.222")
    engine.dispose()

    reopened = create_db_engine(database_url)
    try:
        with make_session_factory(reopened).begin() as session:
            docs = list_documents(session=session, team_id="T1", channel_id="C1")
    finally:
        reopened.dispose()

    assert docs == [stored]


def test_sessions_keep_objects_readable_after_commit(engine: Engine) -> None:
    assert make_session_factory(engine).kw["expire_on_commit"] is False


def test_a_failed_transaction_leaves_nothing_behind(session_factory, add_doc) -> None:
    # Transactions are real SQLite transactions (the driver's implicit ones are bypassed).
    try:
        with session_factory.begin() as session:
            session.execute(
                text(
                    "INSERT INTO handled_events (event_id, handled_at) "
                    "VALUES ('Ev1', '2025-01-01 00:00:00')"
                )
            )
            raise RuntimeError("listener failed")
    except RuntimeError:
        pass

    with session_factory.begin() as session:
        assert session.execute(text("SELECT count(*) FROM handled_events")).scalar() == 0


def test_times_must_be_timezone_aware(session_factory) -> None:
    with pytest.raises(StatementError, match="naive datetime"), session_factory.begin() as s:
        s.add(HandledEvent(event_id="Ev1", handled_at=datetime(2025, 1, 1)))
        s.flush()
