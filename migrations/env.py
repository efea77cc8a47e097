"""Alembic environment: qabot's models as the target, its settings as the default URL.

Online migrations run in one transaction on a connection with SQLite foreign keys off —
batch mode rebuilds a table by copying it and dropping the original, and with enforcement
on that drop would cascade to every passage — and `PRAGMA foreign_key_check` runs before
the commit instead. The transaction starts with `BEGIN IMMEDIATE` (see
`bot.storage.database`), so when several processes start at once the others wait, then
find the database already at head; on PostgreSQL a transaction-scoped advisory lock does
the same.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import text

from bot.storage.database import create_db_engine
from bot.storage.models import Base, described_by_models

config = context.config

if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata

# Any fixed 64-bit number: the PostgreSQL advisory lock that serialises racing upgrades.
POSTGRES_MIGRATION_LOCK = 0x7161626F74  # "qabot"


def database_url() -> str:
    url = (
        config.attributes.get("database_url")
        or context.get_x_argument(as_dictionary=True).get("database_url")
        or config.get_main_option("sqlalchemy.url")
    )
    if url:
        return url
    from bot.settings import Settings

    return Settings().database_url


def run_migrations_offline() -> None:
    url = database_url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=url.startswith("sqlite"),
        include_name=described_by_models,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_db_engine(database_url(), foreign_keys=False)
    try:
        with engine.connect() as connection, connection.begin():
            is_sqlite = connection.dialect.name == "sqlite"
            if connection.dialect.name == "postgresql":
                # What BEGIN IMMEDIATE does on SQLite: processes starting at once take turns
                # (the lock is held until this transaction ends), so the later ones find the
                # schema already at head instead of failing on CREATE TABLE.
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": POSTGRES_MIGRATION_LOCK}
                )
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=is_sqlite,
                include_name=described_by_models,
                # We issue BEGIN ourselves on SQLite, so its DDL is transactional here.
                transactional_ddl=True if is_sqlite else None,
            )
            with context.begin_transaction():
                context.run_migrations()
            if is_sqlite:
                violations = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if violations:
                    raise RuntimeError(f"migration broke foreign keys: {violations[:10]}")
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
