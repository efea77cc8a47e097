"""The add-document job: store the text through `DocumentIngestor`, then tell its user.

The document and the job's note that it is stored commit together, so a job that runs
again after a crash tells the user about the document it stored instead of storing it
twice. Some documents are completed here first, from Slack: a file's text is downloaded
and extracted, and a saved answer's question is read from its thread. A saved answer is
announced in its thread, so the channel knows who saved what; refusals stay private.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from slack_sdk import WebClient

from bot import rendering
from bot.ingestion import DocumentIngestor, DocumentRefused, NewDocument
from bot.jobs.delivery import Destination, SlackRefused, SlackUnavailable, deliver
from bot.jobs.runner import Done, GiveUp, Outcome, RetryLater, RunningJob, backoff
from bot.jobs.slack_sources import file_text, thread_question
from bot.saved_answers import faq_entry
from bot.storage import DocumentSource
from qa_engine.model_loading import ModelLoadError

logger = logging.getLogger(__name__)

STORE_ATTEMPTS = 3
SLACK_ATTEMPTS = 50
"""Tries at fetching a file or a thread from Slack while it is unavailable."""


@dataclass(frozen=True)
class AnswerToSave:
    """A teammate's answer to store as an FAQ entry (`DocumentSource.SAVED_ANSWER`)."""

    answer: str
    thread_ts: str | None
    """The question's thread: the job announces the saved answer there (None: only to
    the person who saved it, e.g. from a private `/ask` answer)."""
    question: str | None = None
    """None: the thread's first message, read by the job."""
    answer_ts: str | None = None
    """The reply saved with the shortcut (the document links to it)."""

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: Any) -> AnswerToSave:
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class AddRequest:
    """Text to add to a channel, and where to tell its user how that went (the payload)."""

    document: NewDocument
    destination: Destination
    refusal: str | None = None
    """Why the text can't be stored, when the listener already knows (the job says so)."""
    file_id: str | None = None
    """A Slack file whose text the job downloads (the document's text is empty till then)."""
    answer: AnswerToSave | None = None

    @classmethod
    def for_file(
        cls, *, team_id: str, channel_id: str, added_by: str, file_id: str,
        destination: Destination,
    ) -> AddRequest:
        """A Slack file to read into a document; it is stored once per channel (its id is
        the document's `source_ts`)."""
        document = NewDocument(
            team_id=team_id, channel_id=channel_id, added_by=added_by, text="",
            source=DocumentSource.FILE, source_ts=file_id,
        )
        return cls(document=document, destination=destination, file_id=file_id)

    @classmethod
    def for_answer(
        cls, *, team_id: str, channel_id: str, added_by: str, answer: AnswerToSave,
        destination: Destination,
    ) -> AddRequest:
        """A teammate's answer to save as an FAQ entry (the job writes its text)."""
        document = NewDocument(
            team_id=team_id, channel_id=channel_id, added_by=added_by, text="",
            source=DocumentSource.SAVED_ANSWER,
        )
        return cls(document=document, destination=destination, answer=answer)

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
            "file_id": self.file_id,
            "answer": self.answer.to_json() if self.answer else None,
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
            file_id=data.get("file_id"),
            answer=AnswerToSave.from_json(data["answer"]) if data.get("answer") else None,
        )


class AddDocumentJob:
    """The handler for `JobKind.ADD_DOCUMENT`."""

    def __init__(self, *, ingestor: DocumentIngestor, client: WebClient, max_file_bytes: int):
        self._ingestor = ingestor
        self._client = client
        self._max_file_bytes = max_file_bytes

    def __call__(self, running: RunningJob) -> Outcome:
        request = AddRequest.from_json(running.payload)
        if request.refusal and "reply" not in running.progress:
            running.save(reply=rendering.notice(rendering.escape(request.refusal)).as_kwargs())
        if "reply" not in running.progress:
            try:
                message = self._store(running, request)
            except SlackUnavailable as error:
                if running.job.attempts > SLACK_ATTEMPTS:
                    return GiveUp(f"could not read from Slack: {error.reason}")
                delay = error.retry_after or backoff(running.job.attempts)
                return RetryLater(delay, f"Slack unavailable: {error.reason}")
            if message is None:
                return RetryLater(backoff(running.job.attempts), "storing failed")
        reply = running.progress["reply"]
        message = rendering.Message(text=reply["text"], blocks=reply.get("blocks") or [])
        destination = request.destination
        if running.progress.get("announce") and request.answer and request.answer.thread_ts:
            destination = Destination(
                channel_id=destination.channel_id, thread_ts=request.answer.thread_ts
            )
        try:
            deliver(self._client, destination, message, job_id=running.job.id)
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
        """Store the document; the message for its user, or None to try again later.
        Raises `SlackUnavailable` when what it must read from Slack can't be read now."""
        announce = bool(request.answer and request.answer.thread_ts)
        new = request.document
        try:
            new = self._completed(request)
            document = self._ingestor.ingest(
                new,
                also=lambda session, stored: running.save_in(
                    session,
                    reply=_added(stored, new.source).as_kwargs(),
                    document=stored.id,
                    announce=announce,
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
        except SlackUnavailable:
            raise
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

    def _completed(self, request: AddRequest) -> NewDocument:
        """The document with what only Slack has: a file's text, a saved answer's
        question, a link back to the message."""
        new, link_ts = request.document, request.document.source_ts
        if request.file_id:
            info, text = file_text(
                self._client,
                request.file_id,
                max_chars=self._ingestor.max_chars,
                max_file_bytes=self._max_file_bytes,
            )
            new = replace(new, text=text, title=new.title or info.title,
                          permalink=new.permalink or info.permalink)
            link_ts = None  # a file id, not a message
        if request.answer:
            answer = request.answer
            question = answer.question
            if not question and answer.thread_ts:
                question = thread_question(self._client, new.channel_id, answer.thread_ts)
            if not question:
                raise DocumentRefused("Write the question this answers.")
            new = replace(new, text=faq_entry(question, answer.answer), title=question)
            link_ts = answer.answer_ts or answer.thread_ts
        if link_ts and not new.permalink:
            new = replace(new, permalink=_permalink(self._client, new.channel_id, link_ts))
        return new


def _added(document: Any, source: DocumentSource) -> rendering.Message:
    if source is DocumentSource.PIN:
        return rendering.pinned_message(document)
    if source is DocumentSource.SAVED_ANSWER:
        return rendering.saved_answer_message(document)
    return rendering.added_message(document)


def _permalink(client: WebClient, channel_id: str, message_ts: str) -> str | None:
    """A link back to the message, when Slack gives one (the document counts without)."""
    try:
        return client.chat_getPermalink(channel=channel_id, message_ts=message_ts).get(
            "permalink"
        )
    except Exception as error:
        logger.warning("no permalink for a message in %s: %s", channel_id, type(error).__name__)
        return None
