"""Answering without a mention: follow-ups in threads qabot answered in, and questions in
help channels (`/context autoanswer on`). No Slack here: the message listener parses the
event, this decides whether it is qabot's to answer and how.

Every message in every channel qabot is in reaches it, so the cheap, pure test
(`looks_like_question`) runs before any database read, and nothing is written for a
message qabot leaves alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot.jobs import AnswerRequest, Destination
from bot.questions import looks_like_question
from bot.storage import (
    ChannelOptions,
    ChannelSwitch,
    channel_options,
    set_channel_switch,
    thread_first_question,
)


@dataclass(frozen=True)
class ChannelMessage:
    """A person's new message in a channel, not addressed to anyone (as plain text)."""

    team_id: str
    channel_id: str
    ts: str
    thread_ts: str | None
    text: str
    event_id: str | None = None

    @property
    def in_thread(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts


class UnpromptedAnswers:
    """Which messages qabot answers unasked, and each channel's switches for that."""

    def __init__(self, *, session_factory: sessionmaker[Session], autoanswer_threshold: float):
        self._session_factory = session_factory
        self._autoanswer_threshold = autoanswer_threshold

    @property
    def autoanswer_threshold(self) -> float:
        return self._autoanswer_threshold

    def request_for(self, message: ChannelMessage) -> AnswerRequest | None:
        """The answer job for `message`, or None when qabot should stay out of it: not a
        question, a thread qabot never answered in, or the channel's switch is off."""
        if not looks_like_question(message.text):
            return None
        scope = {"team_id": message.team_id, "channel_id": message.channel_id}
        with self._session_factory() as session:
            options = channel_options(session=session, **scope)
            if message.in_thread:
                assert message.thread_ts is not None
                if not options.followups:
                    return None
                first = thread_first_question(
                    session=session, **scope, thread_ts=message.thread_ts
                )
                if first is None:
                    return None
                return self._request(message, ChannelSwitch.FOLLOWUPS, message.thread_ts, 0.0)
        if not options.autoanswer:
            return None
        return self._request(
            message, ChannelSwitch.AUTOANSWER, message.ts, self._autoanswer_threshold
        )

    def options(self, *, team_id: str, channel_id: str) -> ChannelOptions:
        with self._session_factory() as session:
            return channel_options(session=session, team_id=team_id, channel_id=channel_id)

    def switch(
        self, *, team_id: str, channel_id: str, switch: ChannelSwitch, on: bool, user_id: str
    ) -> ChannelOptions:
        with self._session_factory.begin() as session:
            return set_channel_switch(
                session=session,
                team_id=team_id,
                channel_id=channel_id,
                switch=switch,
                on=on,
                user_id=user_id,
            )

    @staticmethod
    def _request(
        message: ChannelMessage, switch: ChannelSwitch, thread_ts: str, min_confidence: float
    ) -> AnswerRequest:
        # No reaction_ts: a question nobody asked qabot gets no 👀, since it may stay unanswered.
        return AnswerRequest(
            team_id=message.team_id,
            channel_id=message.channel_id,
            question=message.text,
            destination=Destination(channel_id=message.channel_id, thread_ts=thread_ts),
            event_id=message.event_id,
            unprompted=switch,
            min_confidence=min_confidence,
        )
