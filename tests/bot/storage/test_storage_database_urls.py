"""A DATABASE_URL that can't be used gets one line saying what to do, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.migrate import current_revision, upgrade_database
from bot.storage.database import (
    DatabaseURLError,
    create_db_engine,
    parse_database_url,
    redacted,
)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("not a url", "is not a database URL"),
        ("nosuchdb://host/db", "SQLAlchemy doesn't know (nosuchdb)"),
        ("mysql://qabot:hunter2@127.0.0.1:1/db", "needs the database driver 'MySQLdb'"),
    ],
)
def test_unusable_urls_are_one_clear_line(url: str, says: str) -> None:
    with pytest.raises(DatabaseURLError) as caught:
        create_db_engine(url)

    message = str(caught.value)
    assert says in message
    assert "\n" not in message
    assert "hunter2" not in message


def test_a_missing_postgres_driver_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_psycopg(name: str, *args, **kwargs):
        if name.split(".")[0] == "psycopg":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_psycopg)
    with pytest.raises(DatabaseURLError) as caught:
        # Heroku-style hosts hand out postgres://; it means postgresql://.
        create_db_engine("postgres://qabot:hunter2@db.internal/qabot")

    assert 'pip install -e ".[postgres]"' in str(caught.value)
    assert "hunter2" not in str(caught.value) and "***" in str(caught.value)


def test_a_database_that_cannot_be_used_is_one_clear_line(unusable_database_url: str) -> None:
    with pytest.raises(DatabaseURLError) as caught:
        upgrade_database(unusable_database_url)

    message = str(caught.value)
    assert message.startswith(f"Could not use the database at {redacted(unusable_database_url)} (")
    assert message.endswith("Check that it is running and that DATABASE_URL is right.")
    assert "\n" not in message
    with pytest.raises(DatabaseURLError):
        current_revision(unusable_database_url)


@pytest.mark.sqlite_only
def test_a_sqlite_file_that_cannot_be_opened_is_explained(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}"  # a folder, not a file

    with pytest.raises(DatabaseURLError) as caught:
        upgrade_database(url)
    assert "unable to open database file" in str(caught.value)
    with pytest.raises(DatabaseURLError):
        current_revision(url)


@pytest.mark.sqlite_only
def test_a_sqlite_folder_that_cannot_be_created_is_explained(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")

    with pytest.raises(DatabaseURLError) as caught:
        create_db_engine(f"sqlite:///{blocker}/qabot.db")
    assert "can't be created" in str(caught.value)


@pytest.mark.parametrize("command", [["migrate"], ["serve"], ["serve", "--socket-mode"]])
def test_the_cli_prints_the_line_and_exits_1(
    command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://qabot:hunter2@127.0.0.1:1/db")
    # Slack settings present: missing ones are reported first, before the database.
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-test")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "test-secret")

    result = CliRunner().invoke(cli, command)

    assert result.exit_code == 1
    assert result.output.startswith("Error: DATABASE_URL 'mysql://qabot:***@127.0.0.1:1/db'")
    assert "Traceback" not in result.output
    assert "hunter2" not in result.output


def test_postgres_scheme_is_read_as_postgresql() -> None:
    assert parse_database_url("postgres://u:p@h/d").drivername == "postgresql"
    assert parse_database_url("postgresql+psycopg://u:p@h/d").drivername == "postgresql+psycopg"


def test_redacted_hides_only_the_password() -> None:
    assert redacted("postgresql://u:p@h:5432/d") == "postgresql://u:***@h:5432/d"
    assert redacted("sqlite:///qabot.db") == "sqlite:///qabot.db"
    assert redacted("not a url") == "(not a URL)"
