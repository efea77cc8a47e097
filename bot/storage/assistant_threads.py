"""The assistant panel's thread context: which channel a user is looking at while they
talk to qabot there. Kept in the database rather than in message metadata (Bolt's
default), so reading it costs no Slack call and uninstalling forgets it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.storage.models import AssistantThread


def _find(*, session: Session, channel_id: str, thread_ts: str) -> AssistantThread | None:
    return session.scalar(
        select(AssistantThread).where(
            AssistantThread.channel_id == channel_id, AssistantThread.thread_ts == thread_ts
        )
    )


def save_thread_context(
    *,
    session: Session,
    team_id: str,
    channel_id: str,
    thread_ts: str,
    context: Mapping[str, Any],
) -> None:
    """Remember `context` for the assistant thread (`channel_id` is the DM), replacing it."""
    encoded = json.dumps(dict(context), sort_keys=True)
    thread = _find(session=session, channel_id=channel_id, thread_ts=thread_ts)
    if thread is None:
        try:
            with session.begin_nested():  # another process may insert the same thread
                session.add(
                    AssistantThread(
                        team_id=team_id, channel_id=channel_id, thread_ts=thread_ts,
                        context=encoded,
                    )
                )
            return
        except IntegrityError:
            thread = _find(session=session, channel_id=channel_id, thread_ts=thread_ts)
            if thread is None:
                raise
    thread.context = encoded
    session.flush()


def find_thread_context(
    *, session: Session, channel_id: str, thread_ts: str
) -> dict[str, Any] | None:
    """The context last saved for the thread, or None."""
    thread = _find(session=session, channel_id=channel_id, thread_ts=thread_ts)
    if thread is None:
        return None
    context = json.loads(thread.context)
    return context if isinstance(context, dict) else None
