"""At-most-once handling of Slack events across processes.

Slack retries an event it thinks went unacknowledged, and with several web processes the
retry may reach a different one; the unique `event_id` decides which process answers.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.storage.models import HandledEvent, utcnow


def claim_event(*, session: Session, event_id: str, team_id: str | None = None) -> bool:
    """True the first time `event_id` is claimed by anyone, False ever after.

    The claim is part of the caller's transaction: it holds once that commits. `team_id`
    ties it to a workspace, so uninstalling forgets it too.
    """
    try:
        # The savepoint confines a duplicate-key failure, so the caller's transaction
        # carries on.
        with session.begin_nested():
            session.add(HandledEvent(event_id=event_id, team_id=team_id or None))
    except IntegrityError:
        return False
    return True


def prune_events(*, session: Session, older_than: timedelta) -> int:
    """Forget event ids claimed more than `older_than` ago (Slack stops retrying within
    minutes); return how many."""
    cutoff = utcnow() - older_than
    result = session.execute(delete(HandledEvent).where(HandledEvent.handled_at < cutoff))
    return result.rowcount
