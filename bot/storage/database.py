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
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 15_000
URL_EXAMPLES = "e.g. sqlite:///qabot.db or postgresql://user:password@host/qabot"
# The extra that installs a dialect's driver, where pyproject.toml has one.
DRIVER_EXTRAS = {"postgresql": "postgres"}


class DatabaseURLError(ValueError):
    """DATABASE_URL can't be used; the message is one line a user can act on (and never
    shows the URL's password)."""


def create_db_engine(url: str, *, foreign_keys: bool = True) -> Engine:
    """An engine for `url`; for SQLite, configured as described in the module docstring.

    `foreign_keys=False` is only for schema migrations, which rebuild SQLite tables: with
    enforcement on, dropping the old copy of `documents` would cascade to every passage.
    Raises `DatabaseURLError` for a URL that isn't one, an unknown database, or a missing
    driver.
    """
    parsed = parse_database_url(url)
    if parsed.get_backend_name() != "sqlite":
        return _create_engine(parsed, pool_pre_ping=True, hide_parameters=True)

    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        folder = Path(database).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatabaseURLError(
                f"DATABASE_URL points at a SQLite file in {str(folder)!r}, which can't be "
                f"created ({error.strerror or error}). Set DATABASE_URL to a writable place, "
                f"{URL_EXAMPLES}."
            ) from error

    # hide_parameters: a failed statement's message must not carry document text to logs.
    engine = _create_engine(parsed, hide_parameters=True)
    _configure_sqlite(engine, foreign_keys=foreign_keys)
    return engine


def parse_database_url(url: str) -> URL:
    """`url` parsed, or `DatabaseURLError` saying what a database URL looks like."""
    if url.startswith("postgres://"):
        # Heroku-style hosts hand out postgres://, which SQLAlchemy 2 no longer accepts.
        url = "postgresql://" + url.removeprefix("postgres://")
    try:
        return make_url(url)
    except ArgumentError as error:
        raise DatabaseURLError(f"DATABASE_URL is not a database URL ({URL_EXAMPLES}).") from error


def redacted(url: str | URL) -> str:
    """The URL as it may appear in messages and logs: the password replaced by ***."""
    try:
        parsed = url if isinstance(url, URL) else make_url(url)
    except ArgumentError:
        return "(not a URL)"
    return parsed.render_as_string(hide_password=True)


def _create_engine(url: URL, **options: Any) -> Engine:
    try:
        return create_engine(url, **options)
    except NoSuchModuleError as error:
        raise DatabaseURLError(
            f"DATABASE_URL {redacted(url)!r} names a database SQLAlchemy doesn't know "
            f"({url.drivername}); {URL_EXAMPLES}."
        ) from error
    except ImportError as error:
        extra = DRIVER_EXTRAS.get(url.get_backend_name())
        how = (
            f'pip install -e ".[{extra}]"'
            if extra
            else f"install the Python package that provides {error.name or 'it'}"
        )
        raise DatabaseURLError(
            f"DATABASE_URL {redacted(url)!r} needs the database driver "
            f"{error.name or url.drivername!r}, which is not installed: {how}."
        ) from error


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
