from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bot.storage import (
    DocumentSource,
    HandledEvent,
    add_document,
    claim_event,
    count_documents,
    create_db_engine,
    make_session_factory,
    prune_events,
)


def test_an_event_is_claimed_once(session_factory) -> None:
    with session_factory.begin() as session:
        first = claim_event(session=session, event_id="Ev1")
    with session_factory.begin() as session:
        second = claim_event(session=session, event_id="Ev1")
        other = claim_event(session=session, event_id="Ev2")

    assert (first, second, other) == (True, False, True)


def test_a_lost_claim_leaves_the_callers_transaction_usable(session_factory, split_text) -> None:
    with session_factory.begin() as session:
        claim_event(session=session, event_id="Ev1")

    with session_factory.begin() as session:
        assert claim_event(session=session, event_id="Ev1") is False
        add_document(
            session=session,
            team_id="T1",
            channel_id="C1",
            text="Still works.",
            title="",
            source=DocumentSource.MODAL,
            added_by="U1",
            passages=split_text("Still works."),
        )
    with session_factory.begin() as session:
        assert count_documents(session=session, team_id="T1", channel_id="C1") == 1


def test_a_claim_rolled_back_with_its_transaction_can_be_claimed_again(session_factory) -> None:
    try:
        with session_factory.begin() as session:
            assert claim_event(session=session, event_id="Ev1") is True
            raise RuntimeError("handler crashed before replying")
    except RuntimeError:
        pass

    with session_factory.begin() as session:
        assert claim_event(session=session, event_id="Ev1") is True


def test_two_processes_on_one_file_claim_an_event_once(database_url: str) -> None:
    engines = [create_db_engine(database_url) for _ in range(2)]
    try:
        first, second = (make_session_factory(engine) for engine in engines)
        with first.begin() as session:
            claimed_by_first = claim_event(session=session, event_id="Ev1")
        with second.begin() as session:
            claimed_by_second = claim_event(session=session, event_id="Ev1")
        with second.begin() as session:
            second_claims_new = claim_event(session=session, event_id="Ev2")
        with first.begin() as session:
            first_claims_it_again = claim_event(session=session, event_id="Ev2")
    finally:
        for engine in engines:
            engine.dispose()

    assert (claimed_by_first, claimed_by_second) == (True, False)
    assert (second_claims_new, first_claims_it_again) == (True, False)


def test_concurrent_claims_from_separate_engines_have_one_winner(database_url: str) -> None:
    workers = 6
    engines = [create_db_engine(database_url) for _ in range(workers)]
    results: list[bool] = []
    errors: list[Exception] = []
    start = threading.Barrier(workers)

    def claim(engine) -> None:
        start.wait()
        try:
            with make_session_factory(engine).begin() as session:
                results.append(claim_event(session=session, event_id="Ev-retried"))
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=claim, args=(engine,)) for engine in engines]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for engine in engines:
            engine.dispose()

    assert errors == []
    assert sorted(results) == [False] * (workers - 1) + [True]


def test_prune_forgets_only_old_events(session_factory) -> None:
    with session_factory.begin() as session:
        claim_event(session=session, event_id="old")
        claim_event(session=session, event_id="new")
        session.execute(
            update(HandledEvent)
            .where(HandledEvent.event_id == "old")
            .values(handled_at=datetime.now(UTC) - timedelta(days=2))
        )

    with session_factory.begin() as session:
        pruned = prune_events(session=session, older_than=timedelta(days=1))
    with session_factory.begin() as session:
        left = session.scalars(select(HandledEvent.event_id)).all()
        reclaimed = claim_event(session=session, event_id="old")

    assert pruned == 1
    assert left == ["new"]
    assert reclaimed is True
