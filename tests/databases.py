"""The database the bot tests run on: a SQLite file per test, or a PostgreSQL database per
test on one throwaway server for the whole session.

`--db=postgres` (or `QABOT_TEST_DB=postgres`) selects PostgreSQL. The server is
`pgserver`'s PostgreSQL 16, started in a temporary folder on a Unix socket: no system
packages, no port, no network. Each test's database is cloned from a template migrated
once (`CREATE DATABASE … TEMPLATE …` copies files, which is far faster than running the
migrations again), and dropped when the test ends.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from pathlib import Path
from typing import Any, Literal

from bot.migrate import upgrade_database

Backend = Literal["sqlite", "postgres"]
BACKENDS: tuple[Backend, ...] = ("sqlite", "postgres")
ENVIRONMENT_VARIABLE = "QABOT_TEST_DB"


class SqliteFiles:
    """SQLite needs no server: a file in the test's own temporary folder (pytest removes it)."""

    backend: Backend = "sqlite"

    def url(self, name: str, *, migrated: bool, folder: Path) -> str:
        url = f"sqlite:///{folder / f'{name}.db'}"
        if migrated:
            upgrade_database(url)
        return url

    def unusable_url(self, folder: Path) -> str:
        """A URL of this backend that can't be opened: a folder, not a file."""
        return f"sqlite:///{folder}"

    def drop_created(self) -> None:
        """Nothing to do: the files go with the test's temporary folder."""

    def stop(self) -> None:
        """Nothing runs."""


class PostgresServer:
    """One pgserver for the session; a database per `url` call, dropped after the test."""

    backend: Backend = "postgres"
    TEMPLATE = "qabot_migrated"

    def __init__(self) -> None:
        try:
            import pgserver
            import psycopg
        except ImportError as error:
            raise RuntimeError(
                f"--db=postgres needs {error.name}, which is not installed: "
                '.venv/bin/pip install -e ".[dev]"'
            ) from error

        # Its own folder, not pytest's numbered temporary folders, which other pytest
        # sessions on the machine prune; "delete" removes it when the server stops.
        self._folder = Path(tempfile.mkdtemp(prefix="qabot-test-postgres-"))
        self._server = pgserver.get_server(self._folder / "pgdata", cleanup_mode="delete")
        self.socket_dir = self._server.get_postmaster_info().socket_dir
        # CREATE/DROP DATABASE can't run inside a transaction: an autocommit connection.
        self._admin = psycopg.connect(
            host=str(self.socket_dir), user="postgres", dbname="postgres", autocommit=True
        )
        # A throwaway server: durability only costs time (DROP DATABASE waits for a
        # checkpoint's fsyncs, ~0.6 s a test on a busy 2-core runner; ~0.05 s without).
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            self._execute(f"ALTER SYSTEM SET {setting} = off")
        self._execute("SELECT pg_reload_conf()")
        self._names = itertools.count(1)
        self._created: list[str] = []
        self._execute(f"CREATE DATABASE {self.TEMPLATE}")
        upgrade_database(self._url(self.TEMPLATE))

    def _url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.socket_dir}"

    def _execute(self, statement: str) -> Any:
        return self._admin.execute(statement)

    def url(self, name: str, *, migrated: bool, folder: Path) -> str:
        """A new database named after `name`, empty or migrated; its SQLAlchemy URL."""
        del folder  # the server keeps its databases in its own folder
        database = f"test_{next(self._names)}_{_identifier(name)}"[:63]
        template = self.TEMPLATE if migrated else "template0"
        self._execute(f"CREATE DATABASE {database} TEMPLATE {template}")
        self._created.append(database)
        return self._url(database)

    def unusable_url(self, folder: Path) -> str:
        """A URL of this server naming a database that does not exist."""
        del folder
        return self._url("no_such_database")

    def drop_created(self) -> None:
        # FORCE ends connections a test left open (an engine not disposed, a killed
        # process's server backend), which would otherwise block the drop.
        while self._created:
            self._execute(f"DROP DATABASE IF EXISTS {self._created.pop()} WITH (FORCE)")

    def stop(self) -> None:
        self._admin.close()
        self._server.cleanup()
        shutil.rmtree(self._folder, ignore_errors=True)


def _identifier(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name.lower())

