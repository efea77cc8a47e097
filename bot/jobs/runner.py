"""The job runner: claims durable jobs from the database and runs them on a thread pool.

No Slack here: what a job does is its kind's handler. Every process runs one runner; they
share the `jobs` table, so work accepted by one process and not finished — it was killed,
or Slack was down — is done by whichever runner claims it next. A handler that can't finish
now (Slack rate-limits one channel) gives its job back with a time to retry, and its thread
moves on to other work: one channel's wait never stalls another's answers.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.storage import (
    ClaimedJob,
    JobKind,
    claim_due_jobs,
    claim_job,
    extend_leases,
    finish_job,
    has_due_jobs,
    lease_owners,
    prune_events,
    prune_jobs,
    release_jobs,
    release_owner,
    retry_job_later,
    save_progress,
)
from bot.storage.models import utcnow

logger = logging.getLogger(__name__)

UNEXPECTED_ERROR_ATTEMPTS = 3
"""Tries for a job whose handler raised something it did not expect (then it is failed)."""
MAX_BACKOFF_SECONDS = 60.0
DATABASE_COMPLAINT_SECONDS = 60.0
HOUSEKEEPING_SECONDS = 3600.0
KEEP_FINISHED = timedelta(days=1)
"""Slack retries an event for minutes at most; a day of event ids and finished jobs lets a
late retry still find its work done."""


@dataclass(frozen=True)
class Done:
    """The job's work is finished."""


@dataclass(frozen=True)
class RetryLater:
    """Not now (Slack is unavailable or rate-limits us): run the job again after `delay` s."""

    delay: float
    reason: str


@dataclass(frozen=True)
class GiveUp:
    """The job can never be finished (a permanent refusal); logged, not retried."""

    reason: str


Outcome = Done | RetryLater | GiveUp


class RunningJob:
    """What a handler sees: the job, and a way to record how far it got."""

    def __init__(self, job: ClaimedJob, runner: JobRunner):
        self.job = job
        self.progress: dict[str, Any] = dict(job.progress)
        self._runner = runner

    @property
    def payload(self) -> Mapping[str, Any]:
        return self.job.payload

    def save(self, **changes: Any) -> None:
        """Record progress in its own transaction, so a retry resumes from here."""
        self.progress.update(changes)
        with self._runner.session_factory.begin() as session:
            self.save_in(session)

    def save_in(self, session: Session, **changes: Any) -> None:
        """Record progress inside the caller's transaction (with the work it stands for)."""
        self.progress.update(changes)
        if not save_progress(
            session=session, job_id=self.job.id, owner=self._runner.owner, progress=self.progress
        ):
            raise LeaseLost(f"job {self.job.id} was taken over by another worker")


class LeaseLost(RuntimeError):
    """This worker's lease ran out and another took the job: stop, change nothing."""


JobHandler = Callable[[RunningJob], Outcome]


def backoff(attempts: int) -> float:
    """Seconds before retry number `attempts`: 2, 4, 8, … capped at a minute, ±25% jitter
    (so jobs that failed together don't all come back in the same instant)."""
    base = min(MAX_BACKOFF_SECONDS, 2.0 ** max(attempts, 1))
    return base * random.uniform(0.75, 1.25)


_runners_here: set[str] = set()
"""Owner names of the runners alive in this process."""


def worker_id() -> str:
    """A runner, as named in `jobs.lease_owner`: host, pid and a token of this start."""
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    _runners_here.add(owner)
    return owner


def is_dead_neighbour(owner: str, me: str) -> bool:
    """True when `owner` was a runner on this host that no longer runs: its pid is gone,
    or it had our pid in an earlier start (a restarted container's pid 1)."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    my_host, my_pid, _ = me.split(":", 2)
    if host != my_host or not pid_text.isdigit() or owner in _runners_here:
        return False
    pid = int(pid_text)
    if str(pid) == my_pid:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists, but belongs to someone else
        return False
    return False


class JobRunner:
    """Claims due jobs up to `slots` at a time and runs them on `pool`."""

    def __init__(
        self,
        *,
        session_factory: sessionmaker[Session],
        pool: ThreadPoolExecutor,
        slots: int,
        handlers: Mapping[JobKind, JobHandler],
        lease: timedelta,
        poll_interval: float,
    ):
        self.session_factory = session_factory
        self.owner = worker_id()
        self._pool = pool
        self._slots = slots
        self._handlers = dict(handlers)
        self._lease = lease
        self._poll_interval = poll_interval
        self._inflight: set[int] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # -- control ---------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="qabot-jobs", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop claiming; jobs already running finish on the pool (see `Services.close`)."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def wake(self) -> None:
        """New work may be due: look now rather than at the next poll."""
        self._wake.set()

    def run_now(self, job_id: int) -> bool:
        """Claim and start one job at once (a new one, or one whose Slack retry arrived);
        False when it is finished, already running (here or in another process), or every
        slot is busy (then it runs as soon as one frees)."""
        with self._lock:
            if job_id in self._inflight:
                return False
            if self._stopping.is_set() or len(self._inflight) >= self._slots:
                self._wake.set()
                return False
            self._inflight.add(job_id)
        try:
            with self.session_factory.begin() as session:
                job = claim_job(
                    session=session, job_id=job_id, owner=self.owner, lease=self._lease
                )
        except Exception:
            logger.exception("claiming job %s failed", job_id)
            job = None
        if job is None:
            with self._lock:
                self._inflight.discard(job_id)
            return False
        self._submit(job)
        return True

    # -- the loop ----------------------------------------------------------------------------

    def _loop(self) -> None:
        renew_every = self._lease.total_seconds() / 3
        last_renewal = 0.0
        last_housekeeping = -HOUSEKEEPING_SECONDS
        last_complaint = -DATABASE_COMPLAINT_SECONDS
        while not self._stopping.is_set():
            self._wake.wait(self._poll_interval)
            self._wake.clear()
            now = time.monotonic()
            try:
                if now - last_renewal >= renew_every:
                    self._renew_leases()
                    last_renewal = now
                if now - last_housekeeping >= HOUSEKEEPING_SECONDS:
                    last_housekeeping = now
                    self._forget_finished_work()
                self._claim_and_submit()
            except Exception as error:
                # The database may be unavailable for a while; the next poll tries again.
                # One line a minute says so without flooding the log.
                if now - last_complaint >= DATABASE_COMPLAINT_SECONDS:
                    last_complaint = now
                    cause = str(getattr(error, "orig", None) or error).splitlines()[0][:200]
                    logger.error("the job runner can't use the database: %s", cause)

    def _forget_finished_work(self) -> None:
        with self.session_factory.begin() as session:
            events = prune_events(session=session, older_than=KEEP_FINISHED)
            jobs = prune_jobs(session=session, older_than=KEEP_FINISHED)
        if events or jobs:
            logger.info("forgot %d handled event ids and %d finished jobs", events, jobs)

    def _renew_leases(self) -> None:
        with self._lock:
            held = sorted(self._inflight)
        if held:
            with self.session_factory.begin() as session:
                extend_leases(session=session, owner=self.owner, job_ids=held, lease=self._lease)
        self._release_dead_neighbours()

    def _release_dead_neighbours(self) -> None:
        # A process on this host that was killed can't extend its leases, but there is no
        # need to wait for them to lapse: its jobs are free now.
        host = self.owner.split(":", 1)[0] + ":"
        with self.session_factory() as session:
            owners = lease_owners(session=session, prefix=host)
        for owner in owners:
            if is_dead_neighbour(owner, self.owner):
                with self.session_factory.begin() as session:
                    freed = release_owner(session=session, owner=owner)
                if freed:
                    logger.info("took over %d job(s) of a stopped process (%s)", freed, owner)
                    self._wake.set()

    def _claim_and_submit(self) -> None:
        with self._lock:
            free = self._slots - len(self._inflight)
            held = sorted(self._inflight)
        if free <= 0 or self._stopping.is_set():
            return
        with self.session_factory() as session:
            if not has_due_jobs(session=session):
                return
        with self.session_factory.begin() as session:
            jobs = claim_due_jobs(
                session=session, owner=self.owner, lease=self._lease, limit=free, exclude=held
            )
        with self._lock:
            self._inflight.update(job.id for job in jobs)
        for job in jobs:
            self._submit(job)

    def _submit(self, job: ClaimedJob) -> None:
        try:
            self._pool.submit(self._run, job)
        except RuntimeError:  # the pool is shutting down: give the job back for later
            with self._lock:
                self._inflight.discard(job.id)
            with self.session_factory.begin() as session:
                release_jobs(session=session, owner=self.owner, job_ids=[job.id])

    # -- one job -------------------------------------------------------------------------------

    def _run(self, job: ClaimedJob) -> None:
        try:
            outcome = self._outcome(job)
            self._record(job, outcome)
        except Exception:
            # Recording failed (database down): the lease lapses and the job runs again.
            logger.exception("recording the end of job %s failed", job.id)
        finally:
            with self._lock:
                self._inflight.discard(job.id)
            self._wake.set()

    def _outcome(self, job: ClaimedJob) -> Outcome | None:
        handler = self._handlers.get(job.kind)
        if handler is None:
            return GiveUp(f"no handler for {job.kind}")
        try:
            return handler(RunningJob(job, self))
        except LeaseLost:
            logger.warning("job %s: lease lost to another worker; leaving it to them", job.id)
            return None
        except Exception as error:
            logger.exception("job %s (%s) failed unexpectedly", job.id, job.kind.value)
            reason = f"{type(error).__name__}"
            if job.attempts >= UNEXPECTED_ERROR_ATTEMPTS:
                return GiveUp(reason)
            return RetryLater(backoff(job.attempts), reason)

    def _record(self, job: ClaimedJob, outcome: Outcome | None) -> None:
        if outcome is None:
            return
        with self.session_factory.begin() as session:
            if isinstance(outcome, Done):
                finish_job(session=session, job_id=job.id, owner=self.owner)
            elif isinstance(outcome, RetryLater):
                due = utcnow() + timedelta(seconds=max(outcome.delay, 0.0))
                retry_job_later(
                    session=session, job_id=job.id, owner=self.owner, due_at=due,
                    error=outcome.reason,
                )
                logger.info(
                    "job %s in channel %s: retrying in %.0f s (%s)",
                    job.id, job.channel_id, outcome.delay, outcome.reason,
                )
            else:
                finish_job(
                    session=session, job_id=job.id, owner=self.owner, failed=True,
                    error=outcome.reason,
                )
                logger.error(
                    "job %s in channel %s given up: %s", job.id, job.channel_id, outcome.reason
                )
