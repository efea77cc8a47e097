"""Nothing acknowledged is lost: `qabot serve` killed with `kill -9` while answering and
storing, then restarted — every question is answered exactly once, every add is stored
once and its user told."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import select

from bot.storage import Document, JobState, count_jobs, create_db_engine, make_session_factory
from tests.bot.slack.conftest import NAME_ANSWER, NAME_DOCUMENT, NAME_QUESTION, answer_shown
from tests.bot.slack.fake_slack import FakeSlack, wait_for
from tests.bot.slack.processes import ServedProcess, serve_environment

MENTIONS = 30
ADDS = 20


@pytest.fixture
def fake_slack():
    fake = FakeSlack()
    yield fake
    fake.close()


def stored_texts(database_url: str) -> list[str]:
    engine = create_db_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            return list(session.scalars(select(Document.text)))
    finally:
        engine.dispose()


def pending_jobs(database_url: str) -> int:
    engine = create_db_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            return count_jobs(session=session, state=JobState.PENDING)
    finally:
        engine.dispose()


def test_work_in_flight_at_kill_9_is_finished_after_a_restart(tmp_path, fake_slack, new_database):
    database_url = new_database()
    env = serve_environment(
        # A lease far longer than the test: the restarted server must see on its own that
        # the killed process is gone, not wait for its leases to lapse.
        database_url,
        fake_slack,
        JOB_LEASE_SECONDS="600",
        JOB_POLL_SECONDS="0.2",
        ANSWER_WORKERS="2",
    )
    server = ServedProcess(env, tmp_path, name="first")
    server.wait_until_ready()
    assert server.command(f"add {NAME_DOCUMENT}", response_url=fake_slack.response_url("seed"))
    wait_for(lambda: fake_slack.responses("seed"), timeout=30)
    # Slack takes its time, so work piles up behind the two answer workers.
    fake_slack.slow("chat.postMessage", 0.25)
    fake_slack.slow("respond", 0.25)

    stamps = [f"1800000000.{i:06d}" for i in range(MENTIONS)]
    local = threading.local()

    def client() -> httpx.Client:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=server.base_url, timeout=10)
        return local.client

    def mention(i: int) -> int:
        return server.mention(
            NAME_QUESTION, ts=stamps[i], event_id=f"EvCrash{i}", client=client()
        ).status_code

    def add(i: int) -> int:
        return server.command(
            f"add Fact {i}\nThe code word number {i} is cobalt-{i}.",
            response_url=fake_slack.response_url(f"add{i}"),
            client=client(),
        ).status_code

    with ThreadPoolExecutor(max_workers=8) as senders:
        statuses = list(senders.map(mention, range(MENTIONS))) + list(
            senders.map(add, range(ADDS))
        )
    assert statuses == [200] * (MENTIONS + ADDS)
    server.kill()

    answered_before = sum(1 for ts in stamps if fake_slack.replies(ts))
    told_before = sum(1 for i in range(ADDS) if fake_slack.responses(f"add{i}"))
    # The kill must have caught work in flight, or this test proves nothing.
    assert answered_before < MENTIONS and told_before < ADDS

    restarted = ServedProcess(env, tmp_path, name="second")
    try:
        restarted.wait_until_ready()
        # Slack retries the events it saw no answer to; commands are never retried.
        for i in range(MENTIONS):
            assert restarted.mention(
                NAME_QUESTION, ts=stamps[i], event_id=f"EvCrash{i}", retry=1
            ).status_code == 200

        wait_for(lambda: all(fake_slack.replies(ts) for ts in stamps), timeout=120)
        wait_for(
            lambda: all(fake_slack.responses(f"add{i}") for i in range(ADDS)), timeout=120
        )
        # Every job finished: a second reply, had there been one, would be posted by now.
        wait_for(lambda: pending_jobs(database_url) == 0, timeout=60)
    finally:
        restarted.stop()

    for ts in stamps:
        replies = fake_slack.replies(ts)
        assert len(replies) == 1, (ts, [r["text"] for r in replies])
        assert answer_shown(replies[0]["text"]) == NAME_ANSWER
    texts = stored_texts(database_url)
    for i in range(ADDS):
        assert sum(f"cobalt-{i}." in text for text in texts) == 1
        assert any("Added #" in r["text"] for r in fake_slack.responses(f"add{i}"))
    log = restarted.log_text()
    assert "Traceback" not in log
    print(
        f"\nat kill -9: {answered_before}/{MENTIONS} answered, {told_before}/{ADDS} adds "
        f"confirmed; after restart: {MENTIONS}/{MENTIONS} answered once, {ADDS}/{ADDS} stored "
        f"once and confirmed ({log.count('posted before a restart')} found already posted)"
    )


def test_a_served_process_gets_answers_through_a_failing_slack(
    tmp_path, fake_slack, new_database
):
    database_url = new_database()
    env = serve_environment(database_url, fake_slack, JOB_POLL_SECONDS="0.2")
    server = ServedProcess(env, tmp_path)
    try:
        server.wait_until_ready()
        server.command(f"add About me\n{NAME_DOCUMENT}", response_url=fake_slack.response_url("a"))
        wait_for(lambda: fake_slack.responses("a"), timeout=30)

        # 429 with Retry-After twice, then a 500, then ok:false ratelimited.
        fake_slack.fail("chat.postMessage", status=429, error="ratelimited", times=2,
                        retry_after=1)
        assert server.mention(NAME_QUESTION, ts="1800000001.000001", event_id="Ev429")
        wait_for(lambda: fake_slack.replies("1800000001.000001"), timeout=60)
        fake_slack.fail("chat.postMessage", status=500, error="internal_error")
        assert server.mention(NAME_QUESTION, ts="1800000001.000002", event_id="Ev500")
        wait_for(lambda: fake_slack.replies("1800000001.000002"), timeout=60)
        fake_slack.fail("chat.postMessage", error="ratelimited")
        assert server.mention(NAME_QUESTION, ts="1800000001.000003", event_id="EvOkFalse")
        wait_for(lambda: fake_slack.replies("1800000001.000003"), timeout=60)

        # Every call fails for a while, then Slack comes back.
        outage = "1800000001.000004"
        fake_slack.slow("reactions.add", 0.5)
        assert server.mention(NAME_QUESTION, ts=outage, event_id="EvOutage")
        wait_for(lambda: fake_slack.calls("reactions.add")[-1]["timestamp"] == outage)
        fake_slack.fail_everything()
        wait_for(lambda: len(fake_slack.failed_calls("chat.postMessage")) >= 2, timeout=60)
        fake_slack.recover()
        wait_for(lambda: fake_slack.replies(outage), timeout=60)
        wait_for(lambda: pending_jobs(database_url) == 0, timeout=30)
    finally:
        server.stop()

    for ts in ("1800000001.000001", "1800000001.000002", "1800000001.000003", outage):
        [reply] = fake_slack.replies(ts)
        assert reply["text"].startswith("John")
        assert fake_slack.reactions_on(ts) == []
    assert "Traceback" not in server.log_text()
