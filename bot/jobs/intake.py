"""Accepting work: the job (and the event's dedupe claim) is committed before Slack is
acknowledged, so nothing qabot said yes to can be lost to a crash.

Slack retries an event it thinks went unanswered, possibly to another process. The
event's first delivery claims its id and writes the job, in one transaction; a later
delivery finds the job: finished (nothing to do) or not (its worker died, or Slack was
unavailable — the retry resumes it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.storage import JobKind, JobState, claim_event, enqueue_job, job_status


@dataclass(frozen=True)
class Accepted:
    """What became of a piece of work offered to qabot."""

    job_id: int | None
    """The job to run; None when the event was handled before and is finished."""
    first: bool
    """True for new work; False for a redelivered event."""


def accept_work(
    session_factory: sessionmaker[Session],
    *,
    kind: JobKind,
    team_id: str,
    channel_id: str,
    payload: Mapping[str, Any],
    event_id: str | None = None,
) -> Accepted:
    """Record the work durably (raises if the database can't: then don't acknowledge)."""
    with session_factory.begin() as session:
        if event_id and not claim_event(session=session, event_id=event_id, team_id=team_id):
            status = job_status(session=session, key=event_id)
            unfinished = status is not None and status.state is JobState.PENDING
            return Accepted(job_id=status.id if unfinished else None, first=False)
        job_id = enqueue_job(
            session=session,
            kind=kind,
            team_id=team_id,
            channel_id=channel_id,
            payload=payload,
            key=event_id,
        )
    return Accepted(job_id=job_id, first=True)
