"""Jobs: work accepted from Slack, durable before Slack is acknowledged.

A listener writes the job (with the event's dedupe claim, in one transaction) before it
acks; any process's `JobRunner` then claims it, does it and records how it ended. A claim
is a lease: the worker extends it while it works, and a job whose lease lapsed — its
process was killed — is claimed again by the next worker that looks. Every write after
the claim is guarded by the owner, so a worker that lost its lease can't overwrite the
work of the one that took over.

On SQLite the claim's read-then-write is safe because transactions begin with
`BEGIN IMMEDIATE`; on PostgreSQL `FOR UPDATE SKIP LOCKED` lets workers claim side by side.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from bot.storage.models import Job, JobKind, JobState, utcnow

ERROR_LIMIT = 500
"""Characters of an error kept in `last_error` (a reason, never message text)."""


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    """A job some worker holds, detached from any session."""

    id: int
    kind: JobKind
    key: str | None
    team_id: str
    channel_id: str
    payload: Mapping[str, Any]
    progress: Mapping[str, Any]
    attempts: int
    """Including this one."""
    created_at: datetime


@dataclass(frozen=True, slots=True)
class JobStatus:
    id: int
    state: JobState
    leased: bool
    """True while some worker's lease on it runs."""


def enqueue_job(
    *,
    session: Session,
    kind: JobKind,
    team_id: str,
    channel_id: str,
    payload: Mapping[str, Any],
    key: str | None = None,
) -> int:
    """Record a job to do now; its id. Part of the caller's transaction."""
    job = Job(
        kind=kind,
        key=key or None,
        team_id=team_id,
        channel_id=channel_id,
        payload=json.dumps(payload),
        progress="{}",
        state=JobState.PENDING,
        attempts=0,
        due_at=utcnow(),
    )
    session.add(job)
    session.flush()
    return job.id


def job_status(*, session: Session, key: str) -> JobStatus | None:
    """The state of the job recorded under `key` (a Slack event id), if there is one."""
    job = session.scalar(select(Job).where(Job.key == key))
    if job is None:
        return None
    leased = job.leased_until is not None and job.leased_until > utcnow()
    return JobStatus(id=job.id, state=JobState(job.state), leased=leased)


def _claimable(now: datetime) -> Any:
    return (
        (Job.state == JobState.PENDING)
        & (Job.due_at <= now)
        & or_(Job.leased_until.is_(None), Job.leased_until < now)
    )


def has_due_jobs(*, session: Session) -> bool:
    """A cheap read: is anything waiting to be claimed? (Claiming takes the write lock.)"""
    return session.scalar(select(Job.id).where(_claimable(utcnow())).limit(1)) is not None


def claim_due_jobs(
    *,
    session: Session,
    owner: str,
    lease: timedelta,
    limit: int,
    exclude: Sequence[int] = (),
) -> list[ClaimedJob]:
    """Lease up to `limit` due jobs, oldest due first, to `owner`."""
    now = utcnow()
    query = select(Job).where(_claimable(now)).order_by(Job.due_at, Job.id).limit(limit)
    if exclude:
        query = query.where(Job.id.not_in(exclude))
    jobs = session.scalars(query.with_for_update(skip_locked=True)).all()
    return [_lease(job, owner=owner, until=now + lease) for job in jobs]


def claim_job(
    *, session: Session, job_id: int, owner: str, lease: timedelta
) -> ClaimedJob | None:
    """Lease one job now (due or not yet: a retry from Slack asks for it), or None when it
    is finished or another worker's lease on it runs."""
    now = utcnow()
    job = session.scalar(
        select(Job)
        .where(
            Job.id == job_id,
            Job.state == JobState.PENDING,
            or_(Job.leased_until.is_(None), Job.leased_until < now),
        )
        .with_for_update(skip_locked=True)
    )
    return None if job is None else _lease(job, owner=owner, until=now + lease)


def _lease(job: Job, *, owner: str, until: datetime) -> ClaimedJob:
    job.lease_owner = owner
    job.leased_until = until
    job.attempts += 1
    return ClaimedJob(
        id=job.id,
        kind=JobKind(job.kind),
        key=job.key,
        team_id=job.team_id,
        channel_id=job.channel_id,
        payload=json.loads(job.payload),
        progress=json.loads(job.progress or "{}"),
        attempts=job.attempts,
        created_at=job.created_at,
    )


def extend_leases(
    *, session: Session, owner: str, job_ids: Sequence[int], lease: timedelta
) -> int:
    """Keep holding the jobs `owner` is still working on; how many it still holds."""
    if not job_ids:
        return 0
    result = session.execute(
        update(Job)
        .where(Job.id.in_(job_ids), Job.lease_owner == owner, Job.state == JobState.PENDING)
        .values(leased_until=utcnow() + lease)
    )
    return result.rowcount


def _owned(job_id: int, owner: str) -> Any:
    return (Job.id == job_id) & (Job.lease_owner == owner) & (Job.state == JobState.PENDING)


def save_progress(
    *, session: Session, job_id: int, owner: str, progress: Mapping[str, Any]
) -> bool:
    """Record what this attempt achieved so far; False if `owner` no longer holds the job."""
    result = session.execute(
        update(Job).where(_owned(job_id, owner)).values(progress=json.dumps(progress))
    )
    return result.rowcount == 1


def finish_job(
    *, session: Session, job_id: int, owner: str, failed: bool = False, error: str | None = None
) -> bool:
    """Mark the job done (or failed, with why); False if `owner` no longer holds it."""
    result = session.execute(
        update(Job)
        .where(_owned(job_id, owner))
        .values(
            state=JobState.FAILED if failed else JobState.DONE,
            leased_until=None,
            finished_at=utcnow(),
            last_error=error[:ERROR_LIMIT] if error else None,
        )
    )
    return result.rowcount == 1


def retry_job_later(
    *, session: Session, job_id: int, owner: str, due_at: datetime, error: str
) -> bool:
    """Give the job back, to be claimed again from `due_at`; False if `owner` lost it."""
    result = session.execute(
        update(Job)
        .where(_owned(job_id, owner))
        .values(due_at=due_at, leased_until=None, lease_owner=None, last_error=error[:ERROR_LIMIT])
    )
    return result.rowcount == 1


def release_jobs(*, session: Session, owner: str, job_ids: Sequence[int]) -> int:
    """Give back jobs claimed but not started (at shutdown): due again at once."""
    if not job_ids:
        return 0
    result = session.execute(
        update(Job)
        .where(Job.id.in_(job_ids), Job.lease_owner == owner, Job.state == JobState.PENDING)
        .values(leased_until=None, lease_owner=None, attempts=Job.attempts - 1)
    )
    return result.rowcount


def lease_owners(*, session: Session, prefix: str) -> list[str]:
    """Owners, named `prefix…`, of leases that are still running."""
    return list(
        session.scalars(
            select(Job.lease_owner)
            .where(
                Job.state == JobState.PENDING,
                Job.leased_until > utcnow(),
                Job.lease_owner.startswith(prefix, autoescape=True),
            )
            .distinct()
        )
    )


def release_owner(*, session: Session, owner: str) -> int:
    """End every lease `owner` holds (its process is known to be dead); how many."""
    result = session.execute(
        update(Job)
        .where(Job.lease_owner == owner, Job.state == JobState.PENDING)
        .values(leased_until=None, lease_owner=None)
    )
    return result.rowcount


def count_jobs(*, session: Session, state: JobState) -> int:
    return session.scalar(select(func.count()).select_from(Job).where(Job.state == state)) or 0


def prune_jobs(*, session: Session, older_than: timedelta) -> int:
    """Forget jobs that finished more than `older_than` ago; how many."""
    cutoff = utcnow() - older_than
    result = session.execute(
        delete(Job).where(Job.state != JobState.PENDING, Job.finished_at < cutoff)
    )
    return result.rowcount
