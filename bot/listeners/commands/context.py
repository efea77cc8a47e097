"""`/context add|list|show|remove|clear|export|stats|help`: the channel's documents, one
subcommand each; `/context followups|autoanswer [on|off]`: the channel's switches for
answers without a mention.

Every reply is ephemeral (only the person who typed the command sees it). A malformed
command gets a friendly explanation and changes nothing.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot import rendering
from bot.export import export_filename, export_markdown
from bot.ingestion import NewDocument
from bot.jobs import AddRequest
from bot.listeners.internals import (
    NOT_SAVED,
    Origin,
    document_list_page,
    linked_file_id,
    private_destination,
    queue_adds,
    respond_privately,
    team_of,
)
from bot.rendering import Message, escape, notice
from bot.storage import (
    ChannelSwitch,
    DocumentSource,
    count_documents,
    get_document,
    remove_document,
)

if TYPE_CHECKING:
    from bot.services import Services

logger = logging.getLogger(__name__)

_SUBCOMMAND = re.compile(r"\s*(\S*)\s*(.*)", re.DOTALL)
_MAX_NUMBER_DIGITS = 18  # stays inside a 64-bit integer column
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


def parse_document_number(argument: str) -> int | None:
    """`"12"` or `"#12"` → 12; anything else (words, several numbers, signs) → None."""
    candidate = argument.strip().removeprefix("#")
    if not candidate.isascii() or not candidate.isdigit() or len(candidate) > _MAX_NUMBER_DIGITS:
        return None
    return int(candidate)


def parse_page(argument: str) -> int | None:
    """`""` → 1, `"3"` → 3; anything else (0, words, signs) → None."""
    if not argument.strip():
        return 1
    candidate = argument.strip()
    if not candidate.isascii() or not candidate.isdigit() or len(candidate) > _MAX_NUMBER_DIGITS:
        return None
    return int(candidate) or None


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
    """Queue the text, or the linked Slack file, as a document (the job confirms when it is
    stored); a message saying why not, when it can't be."""
    origin = request.origin
    destination = private_destination(origin, request.response_url)
    file_id = linked_file_id(request.argument)
    if file_id is not None:
        add = AddRequest.for_file(
            team_id=origin.team_id,
            channel_id=origin.channel_id,
            added_by=origin.user_id,
            file_id=file_id,
            destination=destination,
        )
        return None if queue_adds(request.services, [add]) else notice(NOT_SAVED)
    # Checked as Slack sent it: NULs are dropped from stored text, but a body of NULs is
    # binary, not text, and is refused.
    problem = request.services.ingestor.check(request.argument)
    if problem is not None:
        return notice(escape(problem))
    text = rendering.plain_text_from_slack(request.argument).strip()
    add = AddRequest(
        document=NewDocument(
            team_id=origin.team_id,
            channel_id=origin.channel_id,
            added_by=origin.user_id,
            text=text,
            source=DocumentSource.SLASH_COMMAND,
        ),
        destination=destination,
    )
    return None if queue_adds(request.services, [add]) else notice(NOT_SAVED)


def _list(request: _Request) -> Message:
    page = parse_page(request.argument)
    if page is None:
        given = escape(rendering.shorten(request.argument, 40))
        return notice(
            f"Which page? Give its number, e.g. `/context list 2` (`{given}` isn't one). "
            "`/context list` shows the first."
        )
    return document_list_page(request.services, request.origin, page)


def _show(request: _Request) -> Message:
    number = parse_document_number(request.argument)
    if number is None:
        return _bad_number("show", request.argument)
    with request.services.session_factory() as session:
        document = get_document(session=session, **request.scope(), number=number)
    if document is None:
        return _no_such_document(number)
    return rendering.document_message(document)


def _remove(request: _Request) -> Message:
    number = parse_document_number(request.argument)
    if number is None:
        return _bad_number("remove", request.argument)
    with request.services.session_factory.begin() as session:
        document = remove_document(session=session, **request.scope(), number=number)
    if document is None:
        return _no_such_document(number)
    logger.info(
        "removed document #%d (id %d) from channel %s",
        document.number,
        document.id,
        request.origin.channel_id,
    )
    return rendering.removed_message(document)


def _clear(request: _Request) -> Message:
    with request.services.session_factory() as session:
        count = count_documents(session=session, **request.scope())
    if count == 0:
        return notice("This channel has no context documents, so there is nothing to clear.")
    return rendering.clear_confirmation_message(count)


def _export(request: _Request) -> Message:
    """Send the user, in a direct message, the channel's documents as a Markdown file."""
    origin = request.origin
    documents = request.services.lifecycle.documents(**request.scope())
    if not documents:
        return rendering.nothing_to_export_message()
    when = datetime.now(UTC)
    try:
        # A file shared in a DM is visible to that user alone; an ephemeral reply can't
        # carry a file.
        opened = request.client.conversations_open(users=origin.user_id)
        request.client.files_upload_v2(
            channel=opened["channel"]["id"],
            content=export_markdown(documents, channel_id=origin.channel_id, when=when),
            filename=export_filename(origin.channel_id, when),
            title=f"Context documents of #{origin.channel_id}",
            initial_comment=f"The context documents of <#{origin.channel_id}>, as you asked.",
        )
    except Exception as error:
        logger.warning("/context export in channel %s failed: %s", origin.channel_id,
                       type(error).__name__)
        return rendering.export_failed_message()
    logger.info("exported %d document(s) of channel %s", len(documents), origin.channel_id)
    return rendering.export_sent_message(len(documents), origin.channel_id)


def _stats(request: _Request) -> Message:
    stats = request.services.feedback.stats(**request.scope())
    return rendering.stats_message(stats.documents, stats.calibration)


def _help(request: _Request) -> Message:
    return rendering.help_message()


_ON_OFF = {"on": True, "off": False}


def _switch(request: _Request, switch: ChannelSwitch) -> Message:
    """Show the switch with no argument; turn it on or off with `on` / `off`."""
    unprompted = request.services.unprompted
    threshold = unprompted.autoanswer_threshold
    given = request.argument.strip().lower()
    if given and given not in _ON_OFF:
        return rendering.switch_usage_message(switch.value, request.argument)
    origin = request.origin
    if not given:
        options = unprompted.options(**request.scope())
        return rendering.switch_message(
            switch.value, options.get(switch), autoanswer_threshold=threshold
        )
    options = unprompted.switch(
        **request.scope(), switch=switch, on=_ON_OFF[given], user_id=origin.user_id
    )
    logger.info(
        "%s turned %s in channel %s by %s", switch.value, given, origin.channel_id, origin.user_id
    )
    return rendering.switch_message(
        switch.value, options.get(switch), autoanswer_threshold=threshold
    )


def _followups(request: _Request) -> Message:
    return _switch(request, ChannelSwitch.FOLLOWUPS)


def _autoanswer(request: _Request) -> Message:
    return _switch(request, ChannelSwitch.AUTOANSWER)


def _unknown(subcommand: str) -> Message:
    return rendering.help_message(
        intro=f"I don't know `/context {escape(rendering.shorten(subcommand, 40))}`. "
        "Here is what I can do:"
    )


def _bad_number(subcommand: str, argument: str) -> Message:
    given = f" (`{escape(rendering.shorten(argument, 40))}` isn't one)" if argument else ""
    return notice(
        f"Which document? Give its number, e.g. `/context {subcommand} 3`{given}. "
        "`/context list` shows the numbers."
    )


def _no_such_document(number: int) -> Message:
    return notice(
        f"There is no document #{number} in this channel. "
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
    "export": _export,
    "stats": _stats,
    "help": _help,
    "": _help,
    "followups": _followups,
    "autoanswer": _autoanswer,
}
