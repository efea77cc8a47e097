"""Helpers the listener groups share: binding services, reading payloads, storing, replying."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import rendering
from bot.storage import DocumentSource, StoredDocument, add_document, claim_event
from qa_engine.model_loading import ModelLoadError
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
        channel_id = (body.get("channel") or {}).get("id") or ""
    user_id = (body.get("user") or {}).get("id", "")
    return Origin(team_id=team_of(context), channel_id=channel_id, user_id=user_id)


def text_of(payload: Mapping[str, Any]) -> str:
    """The `text` of a message or a command as plain text, Slack's markup undone."""
    return rendering.plain_text_from_slack(payload.get("text") or "").strip()


def claim_first_delivery(services: Services, event_id: str | None) -> bool:
    """True if this process is the first anywhere to handle `event_id` (see `claim_event`)."""
    if not event_id:
        return True
    with services.session_factory.begin() as session:
        return claim_event(session=session, event_id=event_id)


def add_to_context(
    services: Services,
    client: WebClient,
    origin: Origin,
    *,
    text: str,
    source: DocumentSource,
    title: str | None = None,
    message: Mapping[str, Any] | None = None,
) -> StoredDocument | None:
    """Split `text` with the engine (waiting for the model if it is still loading) and store
    it in `origin`'s channel as added by its user; None (logged) if that failed.

    Raises `ModelLoadError` when the tokenizer can't load: the caller tells the user with
    `rendering.failure_message(error)` (retrying won't help).

    Text from a Slack `message` links back to it, and a message stored before (same ts in
    the channel) comes back as it was.
    """
    source_ts = permalink = None
    if message is not None:
        source_ts = message.get("ts")
        permalink = message.get("permalink") or (
            permalink_for(client, origin.channel_id, source_ts) if source_ts else None
        )
    # PostgreSQL text can't hold NUL characters; drop them before splitting so passage
    # offsets still match the stored text.
    text = text.replace("\x00", "")
    try:
        title = rendering.shorten(" ".join((title or "").split()), rendering.TITLE_LIMIT)
        title = title or rendering.title_from_text(text)
        passages = services.engine.split(Document(id="new", text=text, title=title))
        with services.session_factory.begin() as session:
            document = add_document(
                session=session,
                team_id=origin.team_id,
                channel_id=origin.channel_id,
                text=text,
                title=title,
                source=source,
                added_by=origin.user_id,
                passages=passages,
                source_ts=source_ts,
                permalink=permalink,
            )
    except ModelLoadError:
        logger.warning("document not added in %s: the QA model is unavailable", origin.channel_id)
        raise
    except Exception:
        logger.exception("adding a %s document in channel %s failed", source, origin.channel_id)
        return None
    logger.info(
        "stored document %s in channel %s (%s, %d passages)",
        document.id,
        origin.channel_id,
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


def apologise_in_thread(
    client: WebClient,
    *,
    channel_id: str,
    thread_ts: str,
    message: rendering.Message | None = None,
) -> None:
    """Post the short apology (or `message`); if even that fails, the log is all that's left."""
    try:
        post_in_thread(
            client,
            channel_id=channel_id,
            thread_ts=thread_ts,
            message=message or rendering.apology_message(),
        )
    except Exception:
        logger.exception("posting the apology in channel %s failed too", channel_id)


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
