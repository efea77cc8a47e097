"""The assistant panel (Slack's Agents & AI Apps surface): which channel each panel thread
is looking at, and the questions to suggest there.

No Slack calls here. `ThreadContextStore` plugs the database into Bolt's `Assistant`
middleware in place of its default store, which keeps the context in message metadata
and would cost a `conversations.replies` call on every question.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_bolt.context.assistant.thread_context import AssistantThreadContext
from slack_bolt.context.assistant.thread_context_store.store import AssistantThreadContextStore
from sqlalchemy.orm import Session, sessionmaker

from bot.storage import channel_passages, claim_event, find_thread_context, save_thread_context
from qa_engine.faq import faq_entries

SUGGESTED_PROMPTS = 4
"""Slack shows at most four suggested prompts."""
PROMPT_TITLE_LIMIT = 75


class AssistantPanel:
    """Thread contexts and suggested questions, for the panel's listeners."""

    def __init__(self, *, session_factory: sessionmaker[Session]):
        self._session_factory = session_factory

    def remember(
        self,
        *,
        team_id: str,
        channel_id: str,
        thread_ts: str,
        context: Mapping[str, Any],
        event_id: str | None = None,
    ) -> bool:
        """Keep the thread's context (`channel_id` is the panel's DM); False, changing
        nothing, for an event handled before."""
        with self._session_factory.begin() as session:
            if event_id and not claim_event(session=session, event_id=event_id, team_id=team_id):
                return False
            save_thread_context(
                session=session, team_id=team_id, channel_id=channel_id, thread_ts=thread_ts,
                context=context,
            )
        return True

    def viewed_channel(self, *, channel_id: str, thread_ts: str) -> str | None:
        """The channel the user was looking at when the thread's context last changed."""
        with self._session_factory() as session:
            context = find_thread_context(session=session, channel_id=channel_id,
                                          thread_ts=thread_ts)
        return viewed_channel_of(context)

    def suggested_questions(self, *, team_id: str, channel_id: str) -> list[str]:
        """The channel's FAQ questions (`Q: …` lines), oldest first, at most four."""
        with self._session_factory() as session:
            passages = channel_passages(session=session, team_id=team_id, channel_id=channel_id)
        questions: list[str] = []
        for passage in passages:
            for entry in faq_entries(passage):
                question = " ".join(entry.question.split())
                if question and len(question) <= PROMPT_TITLE_LIMIT and question not in questions:
                    questions.append(question)
                if len(questions) == SUGGESTED_PROMPTS:
                    return questions
        return questions


def viewed_channel_of(context: Mapping[str, Any] | None) -> str | None:
    """Slack's thread context → the id of the channel in view (None: none, or a DM)."""
    channel_id = (context or {}).get("channel_id")
    if not isinstance(channel_id, str) or not channel_id or channel_id.startswith("D"):
        return None
    return channel_id


class ThreadContextStore(AssistantThreadContextStore):
    """Bolt's thread context store, in qabot's database."""

    def __init__(self, session_factory: sessionmaker[Session]):
        self._session_factory = session_factory

    def save(self, *, channel_id: str, thread_ts: str, context: dict[str, str]) -> None:
        with self._session_factory.begin() as session:
            save_thread_context(
                session=session, team_id=str(context.get("team_id") or ""),
                channel_id=channel_id, thread_ts=thread_ts, context=context,
            )

    def find(self, *, channel_id: str, thread_ts: str) -> AssistantThreadContext | None:
        with self._session_factory() as session:
            context = find_thread_context(session=session, channel_id=channel_id,
                                          thread_ts=thread_ts)
        return AssistantThreadContext(context) if context and context.get("channel_id") else None
