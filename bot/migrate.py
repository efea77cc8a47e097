"""Bring a database's schema to the newest migration, from code (`qabot` runs this at start).

The schema exists only through the Alembic migrations in `migrations/`; their `alembic.ini`
ships inside that package, so this works from an installed wheel as well as a checkout.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import InterfaceError, OperationalError

import migrations
from bot.storage.database import (
    DatabaseURLError,
    create_db_engine,
    parse_database_url,
    redacted,
)

ALEMBIC_INI = Path(migrations.__file__).with_name("alembic.ini")


def alembic_config(url: str) -> Config:
    """Alembic's configuration for `url`, leaving the application's logging alone."""
    config = Config(str(ALEMBIC_INI))
    # Passed as an attribute, not `sqlalchemy.url`, which would %-interpolate the URL.
    config.attributes["database_url"] = url
    config.attributes["configure_logging"] = False
    return config


def upgrade_database(url: str) -> None:
    """`alembic upgrade head`: a no-op at head, and safe when processes race (SQLite and
    PostgreSQL take turns, see env.py).

    Raises `DatabaseURLError` (one line) when DATABASE_URL can't be used or reached.
    """
    with _explained(url):
        command.upgrade(alembic_config(url), "head")


def downgrade_database(url: str, revision: str = "base") -> None:
    """`alembic downgrade <revision>`; "base" drops every table, and the data in them."""
    command.downgrade(alembic_config(url), revision)


def head_revision() -> str | None:
    """The newest migration's revision id."""
    return ScriptDirectory.from_config(alembic_config("")).get_current_head()


def current_revision(url: str) -> str | None:
    """The database's revision, or None if it has never been migrated (or, for a SQLite
    file, does not exist yet — asking does not create it)."""
    parsed = parse_database_url(url)
    if (
        parsed.get_backend_name() == "sqlite"
        and parsed.database not in (None, "", ":memory:")
        and not parsed.database.startswith("file:")
        and not Path(parsed.database).expanduser().exists()
    ):
        return None
    engine = create_db_engine(url)
    try:
        with _explained(url), engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def model_differences(url: str) -> list[object]:
    """How the database's schema differs from the ORM models (empty when they agree),
    leaving out the full-text objects that migrations write by hand."""
    from bot.storage.models import Base, described_by_models

    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"include_name": described_by_models}
            )
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


@contextmanager
def _explained(url: str) -> Iterator[None]:
    """Turn "can't connect" (server down, wrong password, unopenable file) into one line."""
    try:
        yield
    except (OperationalError, InterfaceError) as error:
        cause = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        raise DatabaseURLError(
            f"Could not use the database at {redacted(url)} ({cause[:200]}). Check that it "
            "is running and that DATABASE_URL is right."
        ) from error
