"""The job runner on its own: outcomes recorded, unexpected errors retried then given up,
a lease lost to another worker changes nothing, dead neighbours' jobs taken over."""

from __future__ import annotations

import os
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.jobs.runner import (
    UNEXPECTED_ERROR_ATTEMPTS,
    Done,
    GiveUp,
    JobRunner,
    RetryLater,
    RunningJob,
    backoff,
    is_dead_neighbour,
    worker_id,
)
from bot.storage import (
    Job,
    JobKind,
    JobState,
    claim_due_jobs,
    create_db_engine,
    enqueue_job,
    make_session_factory,
)
from tests.bot.slack.fake_slack import wait_for


@pytest.fixture
def session_factory(new_database):
    engine = create_db_engine(new_database("jobs"))
    yield make_session_factory(engine)
    engine.dispose()


def make_runner(session_factory, handler, *, slots: int = 2) -> JobRunner:
    pool = ThreadPoolExecutor(max_workers=slots)
    return JobRunner(
        session_factory=session_factory,
        pool=pool,
        slots=slots,
        handlers={JobKind.ANSWER: handler},
        lease=timedelta(seconds=30),
        poll_interval=0.05,
    )


def add_job(session_factory, payload=None) -> int:
    with session_factory.begin() as session:
        return enqueue_job(
            session=session, kind=JobKind.ANSWER, team_id="T", channel_id="C",
            payload=payload or {},
        )


def job(session_factory, job_id: int) -> Job:
    with session_factory() as session:
        return session.scalars(select(Job).where(Job.id == job_id)).one()


def test_a_job_that_raises_is_retried_then_given_up(session_factory) -> None:
    calls: list[int] = []

    def flaky(running: RunningJob):
        calls.append(running.job.attempts)
        raise RuntimeError("boom")

    runner = make_runner(session_factory, flaky)
    job_id = add_job(session_factory)
    runner.start()
    try:
        # Retries are due after a backoff; ask for them at once to keep the test short.
        def failed() -> bool:
            current = job(session_factory, job_id)
            if current.state == JobState.FAILED:
                return True
            if current.leased_until is None:
                runner.run_now(job_id)
            return False

        wait_for(failed, timeout=20, interval=0.05)
    finally:
        runner.stop()
    assert calls[:UNEXPECTED_ERROR_ATTEMPTS] == list(range(1, UNEXPECTED_ERROR_ATTEMPTS + 1))
    assert job(session_factory, job_id).last_error == "RuntimeError"


def test_outcomes_are_recorded_and_progress_is_kept(session_factory) -> None:
    def handler(running: RunningJob):
        if running.payload.get("give_up"):
            return GiveUp("channel_not_found")
        if "step" not in running.progress:
            running.save(step=1)
            return RetryLater(0.0, "ratelimited")
        return Done()

    runner = make_runner(session_factory, handler)
    finished, refused = add_job(session_factory), add_job(session_factory, {"give_up": True})
    runner.start()
    try:
        wait_for(lambda: job(session_factory, finished).state == JobState.DONE, timeout=10)
        wait_for(lambda: job(session_factory, refused).state == JobState.FAILED, timeout=10)
    finally:
        runner.stop()
    assert job(session_factory, finished).attempts == 2
    assert '"step": 1' in job(session_factory, finished).progress
    assert job(session_factory, refused).last_error == "channel_not_found"


def test_a_worker_that_lost_its_lease_changes_nothing(session_factory) -> None:
    release = threading.Event()

    def slow(running: RunningJob):
        release.wait(10)
        running.save(step="late")  # too late: another worker holds the job now
        return Done()

    runner = make_runner(session_factory, slow)
    job_id = add_job(session_factory)
    runner.start()
    try:
        wait_for(lambda: job(session_factory, job_id).lease_owner == runner.owner)
        with session_factory.begin() as session:
            session.get(Job, job_id).leased_until = None  # the lease lapsed...
            claim_due_jobs(session=session, owner="other", lease=timedelta(seconds=30), limit=1)
        release.set()
        wait_for(lambda: not runner._inflight, timeout=10)
    finally:
        runner.stop()
    taken = job(session_factory, job_id)
    assert (taken.state, taken.lease_owner, taken.progress) == (JobState.PENDING, "other", "{}")


def test_a_dead_neighbours_jobs_are_taken_over_at_once(session_factory) -> None:
    host = socket.gethostname()
    dead = f"{host}:{2**22 + 12345}:deadbeef"  # above any pid this machine hands out
    with session_factory.begin() as session:
        job_id = enqueue_job(
            session=session, kind=JobKind.ANSWER, team_id="T", channel_id="C", payload={}
        )
        claim_due_jobs(session=session, owner=dead, lease=timedelta(hours=1), limit=1)
    runner = make_runner(session_factory, lambda running: Done())
    runner.start()
    try:
        # Well before the hour-long lease of the dead process could lapse.
        wait_for(lambda: job(session_factory, job_id).state == JobState.DONE, timeout=10)
    finally:
        runner.stop()


def test_which_lease_owners_count_as_dead() -> None:
    me = worker_id()
    host, pid, _ = me.split(":")
    other_runner_here = worker_id()
    assert not is_dead_neighbour(me, me)
    assert not is_dead_neighbour(other_runner_here, me)  # alive, in this very process
    assert is_dead_neighbour(f"{host}:{pid}:0ldt0ken", me)  # our pid, an earlier start
    assert not is_dead_neighbour(f"{host}:{os.getppid()}:x", me)  # alive
    assert is_dead_neighbour(f"{host}:{2**22 + 7}:x", me)  # no such process
    assert not is_dead_neighbour(f"another-host:{2**22 + 7}:x", me)  # can't tell: wait


def test_backoff_grows_and_is_capped() -> None:
    assert 1.5 <= backoff(1) <= 2.5
    assert 6 <= backoff(3) <= 10
    assert backoff(30) <= 75


def test_the_runner_forgets_finished_work_older_than_a_day(session_factory) -> None:
    from bot.storage import HandledEvent, claim_event, finish_job
    from bot.storage.models import utcnow

    old = utcnow() - timedelta(days=2)
    with session_factory.begin() as session:
        finished, pending = (
            enqueue_job(session=session, kind=JobKind.ANSWER, team_id="T", channel_id="C",
                        payload={}, key=key)
            for key in ("EvOld", "EvStuck")
        )
        claim_event(session=session, event_id="EvOld")
        claim_due_jobs(session=session, owner="w", lease=timedelta(seconds=30), limit=1)
        finish_job(session=session, job_id=finished, owner="w")
        for row in session.scalars(select(Job)):
            row.created_at = old
            if row.id == finished:
                row.finished_at = old
        for event in session.scalars(select(HandledEvent)):
            event.handled_at = old
    runner = make_runner(session_factory, lambda running: RetryLater(3600, "not now"))
    runner.start()
    try:
        wait_for(lambda: job_ids(session_factory) == [pending], timeout=10)
    finally:
        runner.stop()
    with session_factory() as session:
        assert session.scalars(select(HandledEvent)).all() == []


def job_ids(session_factory) -> list[int]:
    with session_factory() as session:
        return list(session.scalars(select(Job.id)))
