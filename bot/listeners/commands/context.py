"""`/context add|list|show|remove|clear|stats|help`: the channel's documents, one subcommand
each.

Every reply is ephemeral (only the person who typed the command sees it). A malformed
command gets a friendly explanation and changes nothing.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot import rendering
from bot.ingestion import NewDocument
from bot.jobs import AddRequest, Destination
from bot.listeners.internals import NOT_SAVED, Origin, queue_work, respond_privately, team_of
from bot.rendering import Message, escape, notice
from bot.storage import (
    DocumentSource,
    JobKind,
    count_documents,
    get_document,
    list_documents,
    remove_document,
)

if TYPE_CHECKING:
    from bot.services import Services

logger = logging.getLogger(__name__)

_SUBCOMMAND = re.compile(r"\s*(\S*)\s*(.*)", re.DOTALL)
_MAX_ID_DIGITS = 18  # stays inside a 64-bit integer column
_SORRY = "Sorry, something went wrong on my side. Please try again in a minute."


def handle_context(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
    context: BoltContext,
    *,
    services: Services,
) -> None:
    subcommand, argument = parse_subcommand(command.get("text") or "")
    request = _Request(
        services=services,
        client=client,
        origin=Origin(team_of(context), command["channel_id"], command["user_id"]),
        trigger_id=command.get("trigger_id", ""),
        argument=argument,
        response_url=command.get("response_url") or None,
    )
    if subcommand == "add" and argument:
        # Recorded before the ack: Slack never retries a command, so an "OK" must mean the
        # text is safe in the database. The ack carries a refusal, if any.
        refusal = _accept_add(request)
        ack(**refusal.as_kwargs()) if refusal else ack()
        return
    ack()
    handler = _SUBCOMMANDS.get(subcommand)
    try:
        message = handler(request) if handler else _unknown(subcommand)
    except Exception:
        logger.exception("/context %s in channel %s failed", subcommand, request.origin.channel_id)
        message = notice(_SORRY)
    if message is not None:
        respond_privately(respond, message)


def parse_subcommand(text: str) -> tuple[str, str]:
    """`"add Foo\\nbar"` → `("add", "Foo\\nbar")`; the argument keeps its line breaks."""
    match = _SUBCOMMAND.match(text)
    assert match is not None  # the pattern matches every string
    return match.group(1).lower(), match.group(2).strip()


def parse_document_id(argument: str) -> int | None:
    """`"12"` or `"#12"` → 12; anything else (words, several ids, signs) → None."""
    candidate = argument.strip().removeprefix("#")
    if not candidate.isascii() or not candidate.isdigit() or len(candidate) > _MAX_ID_DIGITS:
        return None
    return int(candidate)


@dataclass(frozen=True)
class _Request:
    """One `/context` invocation, as the subcommands need it."""

    services: Services
    client: WebClient
    origin: Origin
    trigger_id: str
    argument: str
    response_url: str | None = None

    def scope(self) -> dict[str, str]:
        return {"team_id": self.origin.team_id, "channel_id": self.origin.channel_id}


def _open_add_form(request: _Request) -> None:
    request.client.views_open(
        trigger_id=request.trigger_id,
        view=rendering.add_context_modal(request.origin.channel_id),
    )


def _accept_add(request: _Request) -> Message | None:
    """Queue the text as a document (the job confirms when it is stored); a message saying
    why not, when it can't be."""
    # Checked as Slack sent it: NULs are dropped from stored text, but a body of NULs is
    # binary, not text, and is refused.
    problem = request.services.ingestor.check(request.argument)
    if problem is not None:
        return notice(escape(problem))
    text = rendering.plain_text_from_slack(request.argument).strip()
    origin = request.origin
    add = AddRequest(
        document=NewDocument(
            team_id=origin.team_id,
            channel_id=origin.channel_id,
            added_by=origin.user_id,
            text=text,
            source=DocumentSource.SLASH_COMMAND,
        ),
        destination=Destination(
            channel_id=origin.channel_id,
            response_url=request.response_url,
            ephemeral_user=None if request.response_url else origin.user_id,
        ),
    )
    queued = queue_work(
        request.services,
        kind=JobKind.ADD_DOCUMENT,
        team_id=origin.team_id,
        channel_id=origin.channel_id,
        payload=add.to_json(),
    )
    return None if queued else notice(NOT_SAVED)


def _list(request: _Request) -> Message:
    with request.services.session_factory() as session:
        documents = list_documents(session=session, **request.scope())
    return rendering.document_list_message(documents)


def _show(request: _Request) -> Message:
    document_id = parse_document_id(request.argument)
    if document_id is None:
        return _bad_id("show", request.argument)
    with request.services.session_factory() as session:
        document = get_document(session=session, **request.scope(), document_id=document_id)
    if document is None:
        return _no_such_document(document_id)
    return rendering.document_message(document)


def _remove(request: _Request) -> Message:
    document_id = parse_document_id(request.argument)
    if document_id is None:
        return _bad_id("remove", request.argument)
    with request.services.session_factory.begin() as session:
        document = remove_document(session=session, **request.scope(), document_id=document_id)
    if document is None:
        return _no_such_document(document_id)
    logger.info("removed document %s from channel %s", document.id, request.origin.channel_id)
    return rendering.removed_message(document)


def _clear(request: _Request) -> Message:
    with request.services.session_factory() as session:
        count = count_documents(session=session, **request.scope())
    if count == 0:
        return notice("This channel has no context documents, so there is nothing to clear.")
    return rendering.clear_confirmation_message(count)


def _stats(request: _Request) -> Message:
    stats = request.services.feedback.stats(**request.scope())
    return rendering.stats_message(stats.documents, stats.calibration)


def _help(request: _Request) -> Message:
    return rendering.help_message()


def _unknown(subcommand: str) -> Message:
    return rendering.help_message(
        intro=f"I don't know `/context {escape(rendering.shorten(subcommand, 40))}`. "
        "Here is what I can do:"
    )


def _bad_id(subcommand: str, argument: str) -> Message:
    given = f" (`{escape(rendering.shorten(argument, 40))}` isn't one)" if argument else ""
    return notice(
        f"Which document? Give its number, e.g. `/context {subcommand} 3`{given}. "
        "`/context list` shows the numbers."
    )


def _no_such_document(document_id: int) -> Message:
    return notice(
        f"There is no document #{document_id} in this channel. "
        "`/context list` shows the ones there are."
    )


_SUBCOMMANDS = {
    "add": _open_add_form,
    "list": _list,
    "ls": _list,
    "show": _show,
    "remove": _remove,
    "rm": _remove,
    "delete": _remove,
    "clear": _clear,
    "stats": _stats,
    "help": _help,
    "": _help,
}
