"""A failing Slack Web API doesn't lose answers: rate limits, 5xx and outages end in one
reply once Slack accepts it; meanwhile the asker sees a sign, and other channels go on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.jobs.answer import WAITING_REACTION, WORKING_REACTION
from qa_engine.engine import QAEngine
from tests.bot.slack.conftest import (
    NAME_ANSWER,
    NAME_DOCUMENT,
    NAME_QUESTION,
    SlackApp,
    answer_shown,
    make_settings,
)
from tests.bot.slack.fake_slack import FakeSlack, wait_for


@pytest.fixture
def make_app(database_url, engine: QAEngine, fake_slack: FakeSlack) -> Iterator:
    apps: list[SlackApp] = []

    def make(**overrides) -> SlackApp:
        settings = make_settings(
            database_url, fake_slack, job_poll_seconds=0.1, **overrides
        )
        app = SlackApp(settings, engine, fake_slack)
        apps.append(app)
        for channel in ("C1", "C9"):
            response, name = app.command("/context", f"add {NAME_DOCUMENT}", channel=channel)
            assert response.status_code == 200
            wait_for(lambda name=name: app.fake.responses(name))
        return app

    yield make
    for app in apps:
        app.stop()


def assert_one_answer(fake: FakeSlack, ts: str) -> None:
    replies = wait_for(lambda: fake.replies(ts), timeout=30)
    assert len(replies) == 1
    assert answer_shown(replies[0]["text"]) == NAME_ANSWER


@pytest.mark.parametrize(
    ("status", "error", "times", "retry_after"),
    [
        (429, "ratelimited", 2, 1),  # HTTP 429 + Retry-After: 1, twice
        (500, "internal_error", 1, None),
        (503, "service_unavailable", 1, None),
        (200, "ratelimited", 1, None),  # ok: false, error: ratelimited
    ],
)
def test_a_reply_slack_refuses_for_a_moment_lands_once(
    make_app, status, error, times, retry_after
):
    app = make_app()
    app.fake.fail(
        "chat.postMessage", status=status, error=error, times=times, retry_after=retry_after
    )

    _, ts = app.mention(NAME_QUESTION)

    assert_one_answer(app.fake, ts)
    assert len(app.fake.failed_calls("chat.postMessage")) == times
    wait_for(lambda: app.fake.reactions_on(ts) == [])


def test_while_slack_refuses_the_reply_the_asker_sees_it_waiting(make_app):
    app = make_app()
    app.fake.fail("chat.postMessage", status=503, error="service_unavailable", times=-1)

    _, ts = app.mention(NAME_QUESTION)

    # ⏳ instead of 👀: the reply is waiting for Slack, not lost.
    wait_for(lambda: app.fake.reactions_on(ts) == [WAITING_REACTION], timeout=30)
    wait_for(lambda: len(app.fake.failed_calls("chat.postMessage")) >= 3, timeout=30)
    assert app.fake.replies(ts) == []

    app.fake.fail("chat.postMessage", times=0)  # Slack accepts posts again

    assert_one_answer(app.fake, ts)
    wait_for(lambda: app.fake.reactions_on(ts) == [])


def test_a_slack_outage_keeps_the_eyes_until_the_answer_lands(make_app):
    app = make_app()
    _, ts = app.mention(NAME_QUESTION)
    # Slack goes down once 👀 is on (nothing can be added or removed while it is down).
    wait_for(lambda: app.fake.calls("reactions.add"))
    app.fake.fail_everything()
    wait_for(lambda: len(app.fake.failed_calls("chat.postMessage")) >= 2, timeout=30)
    assert app.fake.reactions_on(ts) == [WORKING_REACTION]
    assert app.fake.replies(ts) == []

    app.fake.recover()

    assert_one_answer(app.fake, ts)
    wait_for(lambda: app.fake.reactions_on(ts) == [])


def test_one_channels_rate_limit_does_not_stall_another_channels_answer(make_app):
    # One answer worker: had it slept through C9's 30 s rate limit, C1 would wait too.
    app = make_app(answer_workers=1)
    app.fake.fail(
        "chat.postMessage", status=429, error="ratelimited", times=-1, retry_after=30,
        channel="C9",
    )
    _, limited = app.mention(NAME_QUESTION, channel="C9")
    wait_for(lambda: app.fake.failed_calls("chat.postMessage"))

    _, other = app.mention(NAME_QUESTION, channel="C1")

    assert_one_answer(app.fake, other)  # well within C9's Retry-After
    assert app.fake.replies(limited) == []
    wait_for(lambda: app.fake.reactions_on(limited) == [WAITING_REACTION])


def test_a_reply_held_up_past_the_deadline_says_it_is_late(make_app):
    app = make_app(reply_deadline_seconds=1.0)
    app.fake.fail("chat.postMessage", status=503, error="service_unavailable", times=-1)
    _, ts = app.mention(NAME_QUESTION)
    wait_for(lambda: len(app.fake.failed_calls("chat.postMessage")) >= 2, timeout=30)

    app.fake.fail("chat.postMessage", times=0)

    reply = wait_for(lambda: app.fake.replies(ts), timeout=30)
    assert len(reply) == 1
    assert reply[0]["text"].startswith("_Sorry this comes ")
    assert answer_shown(reply[0]["text"]) == NAME_ANSWER


def test_a_command_whose_response_url_fails_is_confirmed_when_it_works(make_app):
    app = make_app()
    app.fake.fail_everything()
    response, name = app.command("/context", "add Deploys\nDeploys happen on Tuesdays.")
    assert response.status_code == 200
    wait_for(lambda: len(app.fake.failed_calls(f"respond/{name}")) >= 2, timeout=30)

    app.fake.recover()

    confirmation = wait_for(lambda: app.fake.responses(name), timeout=30)
    assert "Added #" in confirmation[0]["text"]
