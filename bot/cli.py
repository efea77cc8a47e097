"""The `qabot` command: the engine's `ask`/`eval` plus the app's `serve`/`migrate`."""

from __future__ import annotations

import sys

import click
from pydantic import ValidationError

from bot.log_config import configure_logging
from qa_engine.cli import ask, evaluate
from qa_engine.settings import describe_invalid_settings


@click.group()
@click.version_option(package_name="qabot", prog_name="qabot")
@click.option("-v", "--verbose", is_flag=True, help="Debug logging (for serve: LOG_LEVEL=DEBUG).")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """qabot: answers questions from the documents a team pins to a Slack channel."""
    ctx.obj = {"verbose": verbose}
    configure_logging("DEBUG" if verbose else "INFO")


cli.add_command(ask)
cli.add_command(evaluate)


@cli.command()
def migrate() -> None:
    """Create or upgrade the database schema (alembic upgrade head)."""
    from bot.migrate import current_revision, upgrade_database
    from bot.settings import Settings
    from bot.storage.database import DatabaseURLError

    url = Settings().database_url
    try:
        upgrade_database(url)
        click.echo(f"database at revision {current_revision(url)}")
    except DatabaseURLError as error:
        raise click.ClickException(str(error)) from error


@cli.command()
@click.option("--socket-mode", is_flag=True, help="Connect over Socket Mode (no public URL).")
@click.pass_context
def serve(ctx: click.Context, socket_mode: bool) -> None:
    """Run the Slack app: HTTP on $PORT, or Socket Mode."""
    from bot.app import ConfigurationError
    from bot.settings import Settings
    from bot.storage.database import DatabaseURLError

    settings = Settings()
    if ctx.obj["verbose"]:
        settings = settings.model_copy(update={"log_level": "DEBUG"})
    configure_logging(settings.log_level)  # worker processes read it from the settings too
    try:
        if socket_mode:
            from bot.socket_mode import run_socket_mode

            run_socket_mode(settings)
        else:
            from bot.server import run_server

            run_server(settings)
    except (ConfigurationError, DatabaseURLError) as error:
        raise click.ClickException(str(error)) from error


def main() -> None:
    try:
        cli(prog_name="qabot")
    except ValidationError as error:  # a bad environment variable, met when Settings load
        click.echo(f"Error: {describe_invalid_settings(error)}", err=True)
        sys.exit(2)
