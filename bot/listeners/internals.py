"""Helpers the listener groups share: binding services, scoping, storing a document."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import rendering
from bot.storage import DocumentSource, StoredDocument, add_document, claim_event
from qa_engine.types import Document

if TYPE_CHECKING:
    from bot.app import Services

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


def claim_first_delivery(services: Services, event_id: str | None) -> bool:
    """True if this process is the first anywhere to handle `event_id` (see `claim_event`)."""
    if not event_id:
        return True
    with services.session_factory.begin() as session:
        return claim_event(session=session, event_id=event_id)


def store_document(
    services: Services,
    *,
    team_id: str,
    channel_id: str,
    text: str,
    title: str | None,
    source: DocumentSource,
    added_by: str,
    source_ts: str | None = None,
    permalink: str | None = None,
) -> StoredDocument:
    """Split `text` with the engine (waiting for the model if it is still loading) and store it.

    A message stored before (same `source_ts` in the channel) comes back as it was.
    """
    title = rendering.shorten(" ".join((title or "").split()), rendering.TITLE_LIMIT)
    title = title or rendering.title_from_text(text)
    passages = services.engine.split(Document(id="new", text=text, title=title))
    with services.session_factory.begin() as session:
        document = add_document(
            session=session,
            team_id=team_id,
            channel_id=channel_id,
            text=text,
            title=title,
            source=source,
            added_by=added_by,
            passages=passages,
            source_ts=source_ts,
            permalink=permalink,
        )
    logger.info(
        "stored document %s in channel %s (%s, %d passages)",
        document.id,
        channel_id,
        source.value,
        len(passages),
    )
    return document


def permalink_for(client: WebClient, channel_id: str, message_ts: str) -> str | None:
    """A link to the message, or None when Slack won't give one (the document still counts)."""
    try:
        response = client.chat_getPermalink(channel=channel_id, message_ts=message_ts)
    except SlackApiError as error:
        logger.warning(
            "no permalink for a message in %s: %s", channel_id, error.response.get("error")
        )
        return None
    except Exception:
        logger.exception("asking for a permalink in %s failed", channel_id)
        return None
    return response.get("permalink")


def post_in_thread(
    client: WebClient, *, channel_id: str, thread_ts: str, message: rendering.Message
) -> None:
    client.chat_postMessage(channel=channel_id, thread_ts=thread_ts, **message.as_kwargs())


def apologise_in_thread(client: WebClient, *, channel_id: str, thread_ts: str) -> None:
    """Post the short apology; if even that fails, the log is all that's left."""
    try:
        post_in_thread(
            client, channel_id=channel_id, thread_ts=thread_ts, message=rendering.apology_message()
        )
    except Exception:
        logger.exception("posting the apology in channel %s failed too", channel_id)


def respond_privately(respond: Respond, message: rendering.Message, **options: Any) -> None:
    """Reply through the request's response_url, visible only to the user; log a refusal."""
    response = respond(response_type="ephemeral", **options, **message.as_kwargs())
    if response is not None and response.status_code != 200:
        logger.error("response_url refused the reply: HTTP %s", response.status_code)
