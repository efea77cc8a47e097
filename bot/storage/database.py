"""Engines and sessions, with the SQLite settings several web processes need to share a file.

Every SQLite connection runs in WAL mode (readers never wait for the writer), enforces
foreign keys (so removing a document cascades to its passages), and waits up to
`SQLITE_BUSY_TIMEOUT_MS` for a lock instead of failing at once.

Transactions on SQLite start with `BEGIN IMMEDIATE`: a transaction takes the write lock
when it begins, so two processes never both read and then fail to upgrade to a write
(`SQLITE_BUSY_SNAPSHOT`, which no busy timeout can wait out). The price is that
transactions run one at a time across processes, so keep them short: never hold a session
open while the model reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 15_000


def create_db_engine(url: str, *, foreign_keys: bool = True) -> Engine:
    """An engine for `url`; for SQLite, configured as described in the module docstring.

    `foreign_keys=False` is only for schema migrations, which rebuild SQLite tables: with
    enforcement on, dropping the old copy of `documents` would cascade to every passage.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, hide_parameters=True)

    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)

    # hide_parameters: a failed statement's message must not carry document text to logs.
    engine = create_engine(url, hide_parameters=True)
    _configure_sqlite(engine, foreign_keys=foreign_keys)
    return engine


def _configure_sqlite(engine: Engine, *, foreign_keys: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module (which would BEGIN only
        # before writes, and never around DDL or SAVEPOINT); `_on_begin` issues BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions on `engine`; objects stay readable after commit (`expire_on_commit=False`).

    Use as `with session_factory.begin() as session: ...` — commit on success, rollback on
    error.
    """
    return sessionmaker(bind=engine, expire_on_commit=False)
