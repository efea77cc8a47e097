"""The answer job: read the channel's documents, then get the reply to the asker.

Two steps, each recorded in the job's progress so that a retry resumes rather than
repeats: the rendered reply (the model reads once), then the post. Until the reply lands
the asker sees a sign on their question: 👀 while qabot reads, ⏳ once a post failed and
the reply waits for Slack. Replies that arrive after `reply_deadline` say they are late.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient

from bot import rendering
from bot.answering import ChannelAnswerer
from bot.jobs.delivery import (
    Destination,
    SlackRefused,
    SlackUnavailable,
    already_replied,
    channel_name,
    deliver,
    react,
    set_assistant_status,
)
from bot.jobs.runner import Done, GiveUp, Outcome, RetryLater, RunningJob, backoff
from bot.lifecycle import DataLifecycle
from bot.storage import ChannelSwitch
from bot.storage.models import utcnow
from qa_engine.limits import question_problem
from qa_engine.model_loading import ModelLoadError
from qa_engine.types import AnswerResult

logger = logging.getLogger(__name__)

WORKING_REACTION = "eyes"
WAITING_REACTION = "hourglass_flowing_sand"
COMPOSE_ATTEMPTS = 3
"""Tries at reading before the asker gets an apology instead (database or model hiccups)."""


@dataclass(frozen=True)
class AnswerRequest:
    """A question and where its reply goes (the job's payload)."""

    team_id: str
    channel_id: str
    question: str
    destination: Destination
    more: bool = False
    """The *More answers* button: every answer after the best one."""
    event_id: str | None = None
    unprompted: ChannelSwitch | None = None
    """Set when nobody addressed the question to qabot (a follow-up in its thread, a
    question in a help channel): the switch that let qabot answer it. Such a question gets
    a reply only with an answer at least `min_confidence` sure; otherwise qabot is silent."""
    min_confidence: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "team_id": self.team_id,
            "channel_id": self.channel_id,
            "question": self.question,
            "destination": self.destination.to_json(),
            "more": self.more,
            "event_id": self.event_id,
            "unprompted": self.unprompted.value if self.unprompted else None,
            "min_confidence": self.min_confidence,
        }

    @classmethod
    def from_json(cls, data: Any) -> AnswerRequest:
        return cls(
            team_id=data["team_id"],
            channel_id=data["channel_id"],
            question=data["question"],
            destination=Destination.from_json(data["destination"]),
            more=bool(data.get("more")),
            event_id=data.get("event_id"),
            unprompted=ChannelSwitch(data["unprompted"]) if data.get("unprompted") else None,
            min_confidence=float(data.get("min_confidence") or 0.0),
        )


SILENCE = rendering.Message(text="", blocks=[])
"""`AnswerJob._compose`'s "post nothing" (compared by identity)."""


def confident_enough(result: AnswerResult, min_confidence: float) -> bool:
    """Whether an unprompted question's best answer is worth posting."""
    best = result.best
    return best is not None and best.confidence >= min_confidence


def _unless_unprompted(request: AnswerRequest, message: rendering.Message) -> rendering.Message:
    return SILENCE if request.unprompted is not None else message


class AnswerJob:
    """The handler for `JobKind.ANSWER`."""

    def __init__(
        self,
        *,
        answerer: ChannelAnswerer,
        lifecycle: DataLifecycle,
        client: WebClient,
        reply_deadline: timedelta,
        give_up_after: timedelta,
        max_question_chars: int,
    ):
        self._max_question_chars = max_question_chars
        self._answerer = answerer
        self._lifecycle = lifecycle
        self._client = client
        self._reply_deadline = reply_deadline
        self._give_up_after = give_up_after

    def __call__(self, running: RunningJob) -> Outcome:
        request = AnswerRequest.from_json(running.payload)
        destination = request.destination
        if "reply" not in running.progress and not self._answers_in(request):
            if destination.is_thread and not destination.assistant:
                # qabot was removed from the channel: its threads are no place to post.
                logger.info("job %s: not answering in channel %s, which qabot left",
                            running.job.id, request.channel_id)
                self._clear_signs(running, destination)
                return Done()
            running.save(reply=rendering.not_in_channel_message(request.channel_id).as_kwargs())
        if "reply" not in running.progress:
            started = time.monotonic()
            if destination.assistant and request.channel_id:
                self._show_reading(request)
            message = self._compose(request, attempts=running.job.attempts)
            if message is None:
                return RetryLater(backoff(running.job.attempts), "reading failed")
            if message is SILENCE:
                logger.info(
                    "event %s in channel %s: no answer sure enough to post unasked",
                    request.event_id or "-",
                    request.channel_id,
                )
                return Done()
            running.save(reply=message.as_kwargs())
            logger.info(
                "event %s in channel %s answered in %.0f ms",
                request.event_id or "-",
                request.channel_id,
                (time.monotonic() - started) * 1000,
            )
        return self._deliver(running, request)

    def _answers_in(self, request: AnswerRequest) -> bool:
        if not request.channel_id:
            return True
        return self._lifecycle.is_answering(
            team_id=request.team_id, channel_id=request.channel_id
        )

    def _show_reading(self, request: AnswerRequest) -> None:
        name = channel_name(self._client, request.channel_id)
        set_assistant_status(
            self._client, request.destination, rendering.reading_status(name)
        )

    def _compose(self, request: AnswerRequest, *, attempts: int) -> rendering.Message | None:
        """The reply; None to try reading again later; `SILENCE` when an unprompted
        question has no answer worth posting (apologies and notices included: nobody
        asked qabot)."""
        message = self._compose_answer(request, attempts=attempts)
        if message not in (None, SILENCE) and request.destination.assistant and request.channel_id:
            # In the panel the question was asked away from the channel: say which one.
            return rendering.from_channel(message, request.channel_id)
        return message

    def _compose_answer(
        self, request: AnswerRequest, *, attempts: int
    ) -> rendering.Message | None:
        if request.destination.assistant and not request.channel_id:
            return rendering.assistant_needs_channel_message()
        if not request.question:
            return _unless_unprompted(request, rendering.empty_question_message())
        problem = question_problem(request.question, max_chars=self._max_question_chars)
        if problem is not None:
            return _unless_unprompted(request, rendering.notice(rendering.escape(problem)))
        destination = request.destination
        try:
            outcome = self._answerer.answer(
                team_id=request.team_id,
                channel_id=request.channel_id,
                question=request.question,
                thread_ts=destination.thread_ts if destination.is_thread else None,
            )
        except ModelLoadError:
            # The reason is logged once, where loading failed (bot.services._warm_up).
            logger.warning(
                "event %s not answered: the QA model is unavailable", request.event_id or "-"
            )
            return _unless_unprompted(request, rendering.model_unavailable_message())
        except Exception:
            logger.exception("answering in channel %s failed", request.channel_id)
            if attempts < COMPOSE_ATTEMPTS:
                return None
            return _unless_unprompted(request, rendering.apology_message())
        if request.unprompted is not None:
            if not confident_enough(outcome.result, request.min_confidence):
                return SILENCE
            return rendering.unprompted_answer_message(
                outcome.result, switch=request.unprompted.value, sources=outcome.sources
            )
        if request.more:
            return rendering.more_answers_message(outcome.result, sources=outcome.sources)
        return rendering.answer_message(
            outcome.result, has_documents=outcome.has_documents, sources=outcome.sources
        )

    def _deliver(self, running: RunningJob, request: AnswerRequest) -> Outcome:
        destination = request.destination
        job_id = running.job.id
        reply = running.progress["reply"]
        message = rendering.Message(text=reply["text"], blocks=reply.get("blocks") or [])
        waited = utcnow() - running.job.created_at
        if waited > self._reply_deadline:
            message = rendering.late_reply(message, waited)
        if destination.is_thread and destination.thread_ts:
            # Before the post: a follow-up typed the moment the answer shows must find the
            # thread already known (idempotent, so each attempt may say it again).
            self._answerer.remember_thread(
                team_id=request.team_id,
                channel_id=request.channel_id,
                thread_ts=destination.thread_ts,
                question=request.question,
            )
        if running.progress.get("posting") and already_replied(
            self._client, destination, job_id=job_id
        ):
            logger.info("job %s: the reply was posted before a restart", job_id)
        else:
            running.save(posting=True)
            try:
                deliver(self._client, destination, message, job_id=job_id)
            except SlackUnavailable as error:
                return self._wait_for_slack(running, request, error, waited)
            except SlackRefused as error:
                return GiveUp(f"Slack refused the reply: {error.error}")
        self._clear_signs(running, destination)
        return Done()

    def _wait_for_slack(
        self,
        running: RunningJob,
        request: AnswerRequest,
        error: SlackUnavailable,
        waited: timedelta,
    ) -> Outcome:
        if waited > self._give_up_after:
            return GiveUp(f"Slack unavailable for {waited}: {error.reason}")
        destination = request.destination
        if destination.reaction_ts and not running.progress.get("waiting_sign"):
            self._show_waiting(running, destination)
        delay = error.retry_after if error.retry_after is not None else backoff(
            running.job.attempts
        )
        return RetryLater(delay, f"Slack unavailable: {error.reason}")

    def _show_waiting(self, running: RunningJob, destination: Destination) -> None:
        # Swap 👀 for ⏳, so the asker sees the reply is waiting, not lost; keep 👀 if even
        # that fails (a sign either way).
        channel_id, ts = destination.channel_id, destination.reaction_ts or ""
        if react(self._client, channel_id, ts, WAITING_REACTION, add=True):
            react(self._client, channel_id, ts, WORKING_REACTION, add=False)
            running.save(waiting_sign=True)

    def _clear_signs(self, running: RunningJob, destination: Destination) -> None:
        if not destination.reaction_ts:
            return
        react(
            self._client, destination.channel_id, destination.reaction_ts,
            WORKING_REACTION, add=False,
        )
        if running.progress.get("waiting_sign"):
            react(
                self._client, destination.channel_id, destination.reaction_ts,
                WAITING_REACTION, add=False,
            )
