"""Helpers the listener groups share: binding services, reading payloads, queueing work,
replying."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_bolt import BoltContext, BoltResponse, Respond
from slack_sdk import WebClient

from bot import rendering
from bot.jobs import AddRequest, AnswerRequest, Destination
from bot.jobs.intake import Accepted, accept_work
from bot.storage import JobKind, document_page

if TYPE_CHECKING:
    from bot.services import Services

logger = logging.getLogger(__name__)


def bind(callback: Callable[..., Any], **dependencies: Any) -> Callable[..., Any]:
    """`callback` with keyword-only dependencies filled in, still looking like itself.

    Bolt injects arguments by the callback's positional parameter names and logs it by
    `__name__`; keyword-only parameters (the dependencies) stay invisible to it.
    """
    bound = functools.partial(callback, **dependencies)
    functools.update_wrapper(bound, callback)
    return bound


def team_of(context: BoltContext) -> str:
    """The workspace a request belongs to (the enterprise for org-wide installs)."""
    return context.team_id or context.enterprise_id or ""


@dataclass(frozen=True)
class Origin:
    """Where a request comes from: the workspace, the channel and the user behind it."""

    team_id: str
    channel_id: str
    user_id: str


def origin_of(
    body: Mapping[str, Any], context: BoltContext, *, channel_id: str | None = None
) -> Origin:
    """The origin of an interaction (a button, a shortcut, a form), "" for what it lacks.

    `channel_id` where the payload keeps its channel elsewhere than `channel.id`.
    """
    if channel_id is None:
        # A button on an ephemeral message names its channel only in the container.
        channel_id = (
            (body.get("channel") or {}).get("id")
            or (body.get("container") or {}).get("channel_id")
            or ""
        )
    user_id = (body.get("user") or {}).get("id", "")
    return Origin(team_id=team_of(context), channel_id=channel_id, user_id=user_id)


def text_of(payload: Mapping[str, Any]) -> str:
    """The `text` of a message or a command as plain text, Slack's markup undone."""
    return rendering.plain_text_from_slack(payload.get("text") or "").strip()


# A file's Slack link: its permalink (…/files/U123/F0ABC/name.pdf) or its private download
# URL (files.slack.com/files-pri/T123-F0ABC/…); Slack wraps a pasted link in <…|…>.
_FILE_LINK = re.compile(
    r"^<?https://[^\s/|>]+/files(?:/[A-Z0-9]+/|-pri/[A-Z0-9]+-)(F[A-Z0-9]+)(?:[/?#][^\s|>]*)?"
    r"(?:\|[^>]*)?>?$"
)


def linked_file_id(text: str) -> str | None:
    """The Slack file id when `text` is nothing but a link to a Slack file, else None."""
    match = _FILE_LINK.match(text.strip())
    return match.group(1) if match else None


def private_destination(origin: Origin, response_url: str | None) -> Destination:
    """Replies for `origin`'s user alone: through the response_url when there is one."""
    return Destination(
        channel_id=origin.channel_id,
        response_url=response_url,
        ephemeral_user=None if response_url else origin.user_id,
    )


def file_requests(
    message: Mapping[str, Any], *, origin: Origin, destination: Destination
) -> list[AddRequest]:
    """One document to add per file shared in `message` (the job reads each)."""
    return [
        AddRequest.for_file(
            team_id=origin.team_id,
            channel_id=origin.channel_id,
            added_by=origin.user_id,
            file_id=str(file["id"]),
            destination=destination,
        )
        for file in message.get("files") or []
        if isinstance(file, Mapping) and file.get("id")
    ]


def queue_adds(services: Services, adds: list[AddRequest]) -> bool:
    """`queue_work` for documents to add; False (logged) if any could not be recorded."""
    return all(
        [
            queue_work(
                services,
                kind=JobKind.ADD_DOCUMENT,
                team_id=add.document.team_id,
                channel_id=add.document.channel_id,
                payload=add.to_json(),
            )
            for add in adds
        ]
    )


def queue_work(
    services: Services,
    *,
    kind: JobKind,
    team_id: str,
    channel_id: str,
    payload: Mapping[str, Any],
) -> bool:
    """Record a job and start it; False (logged) when the database can't take it, so the
    listener can say so instead of acknowledging work that would be lost."""
    try:
        accepted = accept_work(
            services.session_factory,
            kind=kind,
            team_id=team_id,
            channel_id=channel_id,
            payload=payload,
        )
    except Exception:
        logger.exception("could not record a %s job in channel %s", kind.value, channel_id)
        return False
    if accepted.job_id is not None:
        services.jobs.run_now(accepted.job_id)
    return True


ACCEPTED = "qabot_accepted"
"""The context key under which an event's middleware hands its listener the `Accepted`."""


def before_ack(
    body: Mapping[str, Any], next: Callable[[], Any], record: Callable[[], Any]
) -> BoltResponse | None:
    """In a listener middleware: `record` the event's work durably, then let Bolt go on to
    acknowledge it; when the database can't take it, answer Slack 500 instead, so Slack
    delivers the event again rather than hearing "OK" for work that would be lost."""
    try:
        record()
    except Exception:
        logger.exception("could not record event %s; Slack will retry it", body.get("event_id"))
        return BoltResponse(status=500, body="")
    next()
    return None


def accept_answer(services: Services, request: AnswerRequest) -> Accepted:
    """Record the question as an answer job (deduplicated by its event id)."""
    return accept_work(
        services.session_factory,
        kind=JobKind.ANSWER,
        team_id=request.team_id,
        channel_id=request.channel_id,
        payload=request.to_json(),
        event_id=request.event_id,
    )


def run_event_work(body: Mapping[str, Any], context: BoltContext, services: Services) -> None:
    """In the event's listener: start what its middleware recorded, if anything."""
    accepted: Accepted | None = context.get(ACCEPTED)
    if accepted is not None:
        run_accepted(services, accepted, body.get("event_id", "-"))


def run_accepted(services: Services, accepted: Accepted, event_id: str) -> None:
    """Start an event's job: a new one, or one a redelivery finds unfinished (its process
    died, or Slack refused the reply until now); a finished one is left alone."""
    if accepted.job_id is None:
        logger.info("event %s was already handled; not handling it again", event_id)
    elif accepted.first:
        services.jobs.run_now(accepted.job_id)
    elif services.jobs.run_now(accepted.job_id):
        logger.info("event %s was delivered again before it was finished; resuming", event_id)
    else:
        logger.info("event %s was already handled; its work is under way", event_id)


NOT_SAVED = (
    "Sorry, I couldn't save that just now, so nothing changed. Please try again in a minute."
)


def tell_privately(
    client: WebClient, origin: Origin, message: rendering.Message, *, thread_ts: str | None = None
) -> None:
    """Show `message` to `origin`'s user alone; a failure is only logged (nothing to undo)."""
    try:
        client.chat_postEphemeral(
            channel=origin.channel_id,
            user=origin.user_id,
            thread_ts=thread_ts,
            **message.as_kwargs(),
        )
    except Exception:
        logger.warning("could not reply privately in %s", origin.channel_id, exc_info=True)


def respond_privately(respond: Respond, message: rendering.Message, **options: Any) -> None:
    """Reply through the request's response_url, visible only to the user; log a refusal."""
    response = respond(response_type="ephemeral", **options, **message.as_kwargs())
    if response is not None and response.status_code != 200:
        logger.error("response_url refused the reply: HTTP %s", response.status_code)


def document_list_page(services: Services, origin: Origin, page: int) -> rendering.Message:
    """Page `page` of `/context list` for the origin's channel (the command and the page
    buttons both show it)."""
    with services.session_factory() as session:
        documents = document_page(
            session=session,
            team_id=origin.team_id,
            channel_id=origin.channel_id,
            page=page,
            per_page=rendering.LIST_PAGE_SIZE,
        )
    return rendering.document_list_message(documents)
