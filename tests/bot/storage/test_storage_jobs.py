"""Jobs: claimed by one worker at a time, taken over when a lease lapses, and every write
after the claim guarded by its owner."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import text, update
from sqlalchemy.orm import Session, sessionmaker

from bot.jobs.intake import accept_work
from bot.storage import (
    Job,
    JobKind,
    JobState,
    claim_due_jobs,
    claim_job,
    count_jobs,
    enqueue_job,
    finish_job,
    job_status,
    prune_jobs,
    release_jobs,
    retry_job_later,
    save_progress,
)
from bot.storage.models import utcnow

LEASE = timedelta(seconds=30)


def enqueue(session_factory: sessionmaker[Session], n: int = 1, **kwargs) -> list[int]:
    with session_factory.begin() as session:
        return [
            enqueue_job(
                session=session,
                kind=JobKind.ANSWER,
                team_id="T1",
                channel_id="C1",
                payload={"n": i},
                **kwargs,
            )
            for i in range(n)
        ]


def claim(session_factory, owner: str = "w1", limit: int = 10, **kwargs):
    with session_factory.begin() as session:
        return claim_due_jobs(session=session, owner=owner, lease=LEASE, limit=limit, **kwargs)


def lapse_leases(session_factory) -> None:
    """What time does to the leases of a worker that was killed."""
    with session_factory.begin() as session:
        session.execute(update(Job).values(leased_until=utcnow() - timedelta(seconds=1)))


def test_a_claimed_job_is_nobody_elses_until_its_lease_lapses(session_factory) -> None:
    [job_id] = enqueue(session_factory)

    first = claim(session_factory, "w1")
    assert [(j.id, j.payload, j.attempts) for j in first] == [(job_id, {"n": 0}, 1)]
    assert claim(session_factory, "w2") == []

    lapse_leases(session_factory)

    taken_over = claim(session_factory, "w2")
    assert [(j.id, j.attempts) for j in taken_over] == [(job_id, 2)]


def test_only_the_owner_can_record_progress_or_the_end(session_factory) -> None:
    [job_id] = enqueue(session_factory)
    claim(session_factory, "w1")
    lapse_leases(session_factory)
    claim(session_factory, "w2")

    with session_factory.begin() as session:
        assert not save_progress(session=session, job_id=job_id, owner="w1", progress={"x": 1})
        assert not finish_job(session=session, job_id=job_id, owner="w1")
        assert save_progress(session=session, job_id=job_id, owner="w2", progress={"x": 2})
    [again] = (lapse_leases(session_factory), claim(session_factory, "w3"))[1]
    assert again.progress == {"x": 2}

    with session_factory.begin() as session:
        assert finish_job(session=session, job_id=job_id, owner="w3")
        assert count_jobs(session=session, state=JobState.DONE) == 1


def test_a_job_given_back_waits_until_it_is_due(session_factory) -> None:
    [job_id] = enqueue(session_factory)
    claim(session_factory, "w1")
    with session_factory.begin() as session:
        assert retry_job_later(
            session=session, job_id=job_id, owner="w1", due_at=utcnow() + LEASE, error="429"
        )

    assert claim(session_factory, "w2") == []
    # A redelivered event asks for its job at once, due or not.
    with session_factory.begin() as session:
        resumed = claim_job(session=session, job_id=job_id, owner="w2", lease=LEASE)
        assert resumed is not None and resumed.attempts == 2
        assert claim_job(session=session, job_id=job_id, owner="w3", lease=LEASE) is None


def test_released_jobs_are_due_again_and_keep_their_attempt_count(session_factory) -> None:
    ids = enqueue(session_factory, 3)
    claimed = claim(session_factory, "w1")
    with session_factory.begin() as session:
        assert release_jobs(session=session, owner="w1", job_ids=ids[1:]) == 2

    again = claim(session_factory, "w2")
    assert sorted(j.id for j in again) == ids[1:]
    assert {j.attempts for j in again} == {1}
    assert claimed[0].id == ids[0]


def test_finished_jobs_are_pruned_and_unfinished_ones_kept(session_factory) -> None:
    done, pending = enqueue(session_factory, 2)
    claim(session_factory, "w1", limit=1)
    with session_factory.begin() as session:
        finish_job(session=session, job_id=done, owner="w1")
        session.execute(
            update(Job).values(
                finished_at=utcnow() - timedelta(days=2), created_at=utcnow() - timedelta(days=2)
            )
        )
        assert prune_jobs(session=session, older_than=timedelta(days=1)) == 1
        assert job_status(session=session, key="nope") is None
        assert count_jobs(session=session, state=JobState.PENDING) == 1
    assert [j.id for j in claim(session_factory, "w2")] == [pending]


def test_racing_workers_claim_each_job_once(session_factory) -> None:
    ids = enqueue(session_factory, 40)
    claimed: dict[str, list[int]] = {}

    def work(owner: str) -> None:
        mine: list[int] = []
        while batch := claim(session_factory, owner, limit=3):
            mine.extend(j.id for j in batch)
        claimed[owner] = mine

    workers = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    every = [job for jobs in claimed.values() for job in jobs]
    assert sorted(every) == ids


@pytest.mark.postgres_only
def test_workers_claim_side_by_side_skipping_jobs_being_claimed(session_factory) -> None:
    # On PostgreSQL a claim doesn't wait for another worker's uncommitted claim (SKIP
    # LOCKED): it takes the next job. (On SQLite claims take turns; see BEGIN IMMEDIATE.)
    first, second = enqueue(session_factory, 2)

    with session_factory.begin() as holding:
        mine = claim_due_jobs(session=holding, owner="w1", lease=LEASE, limit=1)
        with session_factory.begin() as other:
            # Were the locked job waited for, this would fail instead of hanging the test.
            other.execute(text("SET LOCAL lock_timeout = '5s'"))
            theirs = claim_due_jobs(session=other, owner="w2", lease=LEASE, limit=2)

    assert [job.id for job in mine] == [first]
    assert [job.id for job in theirs] == [second]


def test_an_event_delivered_twice_makes_one_job_and_finds_it(session_factory) -> None:
    def offer():
        return accept_work(
            session_factory,
            kind=JobKind.ANSWER,
            team_id="T1",
            channel_id="C1",
            payload={"question": "q"},
            event_id="Ev1",
        )

    first, second = offer(), offer()
    assert first.first and not second.first
    assert second.job_id == first.job_id

    claim(session_factory, "w1")
    with session_factory.begin() as session:
        finish_job(session=session, job_id=first.job_id, owner="w1")

    third = offer()
    assert third.job_id is None and not third.first  # finished: nothing more to do
