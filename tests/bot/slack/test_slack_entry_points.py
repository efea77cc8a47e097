"""`run_server`, the uvicorn worker factory and `run_socket_mode`'s configuration checks."""

from __future__ import annotations

import socket

import pytest
from starlette.applications import Starlette

from bot import server
from bot.app import ConfigurationError, build_app
from bot.socket_mode import run_socket_mode
from bot.storage.database import DatabaseURLError
from tests.bot.slack.conftest import BOT_TOKEN, make_settings
from tests.bot.slack.fake_slack import FakeSlack


def test_one_worker_runs_the_app_object(monkeypatch, tmp_path, fake_slack: FakeSlack):
    ran = {}
    monkeypatch.setattr(server.uvicorn, "run", lambda app, **kw: ran.update(app=app, **kw))
    settings = make_settings(tmp_path / "a.db", fake_slack, port=4567, host="127.0.0.1")

    server.run_server(settings)

    assert isinstance(ran["app"], Starlette)
    assert (ran["host"], ran["port"]) == ("127.0.0.1", 4567)
    assert "workers" not in ran


def test_several_workers_use_the_factory_with_the_same_settings(
    monkeypatch, tmp_path, fake_slack: FakeSlack
):
    ran = {}
    monkeypatch.setattr(server.uvicorn, "run", lambda app, **kw: ran.update(app=app, **kw))
    settings = make_settings(tmp_path / "b.db", fake_slack, web_concurrency=3)
    for name in type(settings).model_fields:
        # setenv first, so teardown also removes what run_server exports.
        monkeypatch.setenv(name.upper(), "")
        monkeypatch.delenv(name.upper())

    server.run_server(settings)

    assert ran["app"] == "bot.server:create_asgi_app_from_environment"
    assert ran["factory"] is True and ran["workers"] == 3
    worker_app = server.create_asgi_app_from_environment()
    worker_settings = worker_app.state.services.settings
    assert worker_settings.database_url == settings.database_url
    assert worker_settings.slack_signing_secret.get_secret_value() == "test-signing-secret"
    worker_app.state.services.close()


def test_socket_mode_needs_an_app_token(tmp_path, fake_slack: FakeSlack):
    with pytest.raises(ConfigurationError, match="SLACK_APP_TOKEN is not set"):
        run_socket_mode(make_settings(tmp_path / "c.db", fake_slack))
    with pytest.raises(ConfigurationError, match="xapp-"):
        run_socket_mode(make_settings(tmp_path / "c.db", fake_slack, slack_app_token="xoxb-1"))


@pytest.mark.parametrize(
    ("missing", "message"),
    [("slack_bot_token", "SLACK_BOT_TOKEN"), ("slack_signing_secret", "SLACK_SIGNING_SECRET")],
)
def test_missing_slack_credentials_fail_clearly(tmp_path, fake_slack, missing, message):
    settings = make_settings(tmp_path / "d.db", fake_slack, **{missing: ""})

    with pytest.raises(ConfigurationError, match=message):
        build_app(settings)


def test_a_token_slack_rejects_fails_clearly(tmp_path, fake_slack: FakeSlack):
    fake_slack.fail("auth.test", error="invalid_auth")

    with pytest.raises(ConfigurationError) as caught:
        build_app(make_settings(tmp_path / "e.db", fake_slack))

    assert "Slack did not accept SLACK_BOT_TOKEN (invalid_auth)" in str(caught.value)
    assert BOT_TOKEN not in str(caught.value)


def test_an_unreachable_slack_fails_clearly(tmp_path, fake_slack: FakeSlack):
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/api/"

    with pytest.raises(ConfigurationError) as caught:
        build_app(make_settings(tmp_path / "f.db", fake_slack, slack_api_url=url))

    assert str(caught.value).startswith(f"Could not reach Slack at {url} (")


def test_several_workers_fail_before_starting_when_the_token_is_wrong(
    monkeypatch, tmp_path, fake_slack: FakeSlack
):
    # Inside uvicorn each worker would fail and be restarted, forever; fail once, here.
    started = []
    monkeypatch.setattr(server.uvicorn, "run", lambda app, **kw: started.append(app))
    fake_slack.fail("auth.test", error="invalid_auth")
    settings = make_settings(tmp_path / "g.db", fake_slack, web_concurrency=2)

    with pytest.raises(ConfigurationError, match="invalid_auth"):
        server.run_server(settings)
    assert started == []


def test_several_workers_fail_before_starting_when_the_database_is_wrong(
    monkeypatch, tmp_path, fake_slack: FakeSlack
):
    started = []
    monkeypatch.setattr(server.uvicorn, "run", lambda app, **kw: started.append(app))
    settings = make_settings(tmp_path / "h.db", fake_slack, web_concurrency=2)
    settings = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path}"})

    with pytest.raises(DatabaseURLError, match="unable to open database file"):
        server.run_server(settings)
    assert started == []
