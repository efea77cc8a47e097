"""The add-document job: store the text through `DocumentIngestor`, then tell its user.

The document and the job's note that it is stored commit together, so a job that runs
again after a crash tells the user about the document it stored instead of storing it
twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient

from bot import rendering
from bot.ingestion import DocumentIngestor, DocumentRefused, NewDocument
from bot.jobs.delivery import Destination, SlackRefused, SlackUnavailable, deliver
from bot.jobs.runner import Done, GiveUp, Outcome, RetryLater, RunningJob, backoff
from bot.storage import DocumentSource
from qa_engine.model_loading import ModelLoadError

logger = logging.getLogger(__name__)

STORE_ATTEMPTS = 3


@dataclass(frozen=True)
class AddRequest:
    """Text to add to a channel, and where to tell its user how that went (the payload)."""

    document: NewDocument
    destination: Destination
    refusal: str | None = None
    """Why the text can't be stored, when the listener already knows (the job says so)."""

    def to_json(self) -> dict[str, Any]:
        new = self.document
        return {
            "team_id": new.team_id,
            "channel_id": new.channel_id,
            "added_by": new.added_by,
            "text": new.text,
            "source": new.source.value,
            "title": new.title,
            "source_ts": new.source_ts,
            "permalink": new.permalink,
            "destination": self.destination.to_json(),
            "refusal": self.refusal,
        }

    @classmethod
    def from_json(cls, data: Any) -> AddRequest:
        document = NewDocument(
            team_id=data["team_id"],
            channel_id=data["channel_id"],
            added_by=data["added_by"],
            text=data["text"],
            source=DocumentSource(data["source"]),
            title=data.get("title"),
            source_ts=data.get("source_ts"),
            permalink=data.get("permalink"),
        )
        return cls(
            document=document,
            destination=Destination.from_json(data["destination"]),
            refusal=data.get("refusal"),
        )


class AddDocumentJob:
    """The handler for `JobKind.ADD_DOCUMENT`."""

    def __init__(self, *, ingestor: DocumentIngestor, client: WebClient):
        self._ingestor = ingestor
        self._client = client

    def __call__(self, running: RunningJob) -> Outcome:
        request = AddRequest.from_json(running.payload)
        if request.refusal and "reply" not in running.progress:
            running.save(reply=rendering.notice(rendering.escape(request.refusal)).as_kwargs())
        if "reply" not in running.progress:
            message = self._store(running, request)
            if message is None:
                return RetryLater(backoff(running.job.attempts), "storing failed")
        reply = running.progress["reply"]
        message = rendering.Message(text=reply["text"], blocks=reply.get("blocks") or [])
        try:
            deliver(self._client, request.destination, message, job_id=running.job.id)
        except SlackUnavailable as error:
            if running.job.attempts > 50:
                return GiveUp(f"could not tell the user: {error.reason}")
            delay = error.retry_after or backoff(running.job.attempts)
            return RetryLater(delay, f"Slack unavailable: {error.reason}")
        except SlackRefused as error:
            # The document is stored; only the confirmation is lost (e.g. response_url
            # expired after a long outage). `/context list` shows it.
            logger.warning("job %s: could not confirm to the user: %s", running.job.id, error)
        return Done()

    def _store(self, running: RunningJob, request: AddRequest) -> rendering.Message | None:
        new = request.document
        if new.source_ts and not new.permalink:
            new = _with_permalink(self._client, new)
        try:
            document = self._ingestor.ingest(
                new,
                also=lambda session, stored: running.save_in(
                    session, reply=_added(stored, new.source).as_kwargs(), document=stored.id
                ),
            )
        except DocumentRefused as error:  # say why, store nothing
            message = rendering.notice(rendering.escape(str(error)))
            running.save(reply=message.as_kwargs())
            return message
        except ModelLoadError:
            logger.warning("document not added in %s: the QA model is unavailable", new.channel_id)
            message = rendering.model_unavailable_message()
            running.save(reply=message.as_kwargs())
            return message
        except Exception:
            logger.exception("adding a %s document in channel %s failed", new.source,
                             new.channel_id)
            if running.job.attempts < STORE_ATTEMPTS:
                return None
            message = rendering.notice(
                "Sorry, I couldn't add that text to this channel's context. "
                "Please try again in a minute."
            )
            running.save(reply=message.as_kwargs())
            return message
        return _added(document, new.source)


def _added(document: Any, source: DocumentSource) -> rendering.Message:
    if source is DocumentSource.PIN:
        return rendering.pinned_message(document)
    return rendering.added_message(document)


def _with_permalink(client: WebClient, new: NewDocument) -> NewDocument:
    """A link back to the message, when Slack gives one (the document counts without)."""
    try:
        response = client.chat_getPermalink(channel=new.channel_id, message_ts=new.source_ts)
        permalink = response.get("permalink")
    except Exception as error:
        logger.warning("no permalink for a message in %s: %s", new.channel_id,
                       type(error).__name__)
        return new
    return NewDocument(**{**new.__dict__, "permalink": permalink})
