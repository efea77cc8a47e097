"""`run_server`, the uvicorn worker factory and `run_socket_mode`'s configuration checks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from starlette.applications import Starlette

from bot import server
from bot.app import ConfigurationError, build_app
from bot.socket_mode import run_socket_mode
from bot.storage.database import DatabaseURLError
from tests.bot.slack.conftest import BOT_TOKEN, make_settings
from tests.bot.slack.fake_slack import FakeSlack


def test_one_worker_runs_the_app_object(monkeypatch, database_url, fake_slack: FakeSlack):
    ran = {}
    monkeypatch.setattr(server.uvicorn, "run", lambda app, **kw: ran.update(app=app, **kw))
    settings = make_settings(database_url, fake_slack, port=4567, host="127.0.0.1")

    server.run_server(settings)

    assert isinstance(ran["app"], Starlette)
    assert (ran["host"], ran["port"]) == ("127.0.0.1", 4567)
    assert "workers" not in ran


def test_several_workers_use_the_factory_with_the_same_settings(
    monkeypatch, database_url, fake_slack: FakeSlack
):
    ran = {}
    monkeypatch.setattr(server.uvicorn, "run", lambda app, **kw: ran.update(app=app, **kw))
    settings = make_settings(database_url, fake_slack, web_concurrency=3)
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


def test_socket_mode_needs_an_app_token(database_url, fake_slack: FakeSlack):
    with pytest.raises(ConfigurationError, match="Missing setting: SLACK_APP_TOKEN"):
        run_socket_mode(make_settings(database_url, fake_slack))
    with pytest.raises(ConfigurationError, match="xapp-"):
        run_socket_mode(make_settings(database_url, fake_slack, slack_app_token="xoxb-1"))


@pytest.mark.parametrize(
    ("missing", "message"),
    [("slack_bot_token", "SLACK_BOT_TOKEN"), ("slack_signing_secret", "SLACK_SIGNING_SECRET")],
)
def test_missing_slack_credentials_fail_clearly(database_url, fake_slack, missing, message):
    settings = make_settings(database_url, fake_slack, **{missing: ""})

    with pytest.raises(ConfigurationError, match=message):
        build_app(settings)


@pytest.mark.parametrize(
    ("socket_mode", "expected"),
    [
        (False, ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]),
        (True, ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"]),
    ],
)
def test_every_missing_setting_is_named_in_one_run(
    database_url, fake_slack, socket_mode: bool, expected: list[str]
):
    # Not one run per missing setting: a new user sees the whole list at once.
    settings = make_settings(database_url, fake_slack, slack_bot_token="", slack_signing_secret="")

    with pytest.raises(ConfigurationError) as caught:
        if socket_mode:
            run_socket_mode(settings)
        else:
            build_app(settings)

    message = str(caught.value)
    assert message.startswith("Missing settings: ")
    assert [name for name in ALL_SLACK_SETTINGS if name in message] == expected
    assert "\n" not in message and ".env" in message


ALL_SLACK_SETTINGS = ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"]


def test_a_port_in_use_fails_before_listening_and_names_port(
    monkeypatch, database_url, fake_slack: FakeSlack
):
    started = []
    monkeypatch.setattr(server.uvicorn, "run", lambda app, **kw: started.append(app))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = make_settings(database_url, fake_slack, host="127.0.0.1", port=port)

        with pytest.raises(ConfigurationError) as caught:
            server.run_server(settings)

    assert f"Port {port} on 127.0.0.1 is already in use" in str(caught.value)
    assert "set PORT (and HOST)" in str(caught.value)
    assert started == []


def test_qabot_serve_on_a_port_in_use_says_so_and_never_says_listening(
    tmp_path, database_url, fake_slack: FakeSlack
):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": "secret",
            "SLACK_API_URL": fake_slack.api_url,
            "DATABASE_URL": database_url,
            "HOST": "127.0.0.1",
            "PORT": str(port),
        }
        done = subprocess.run(
            [sys.executable, "-m", "bot", "serve"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert done.returncode == 1
    assert f"Error: Port {port} on 127.0.0.1 is already in use" in done.stderr
    assert "PORT" in done.stderr and "listening" not in done.stderr
    assert "Traceback" not in done.stderr


def test_a_host_that_is_not_an_address_names_host(database_url, fake_slack: FakeSlack):
    settings = make_settings(database_url, fake_slack, host="no-such-host.invalid")

    with pytest.raises(ConfigurationError, match="set HOST to"):
        server.run_server(settings)


def test_a_token_slack_rejects_fails_clearly(database_url, fake_slack: FakeSlack):
    fake_slack.fail("auth.test", error="invalid_auth")

    with pytest.raises(ConfigurationError) as caught:
        build_app(make_settings(database_url, fake_slack))

    assert "Slack did not accept SLACK_BOT_TOKEN (invalid_auth)" in str(caught.value)
    assert BOT_TOKEN not in str(caught.value)


def test_an_unreachable_slack_fails_clearly(database_url, fake_slack: FakeSlack):
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/api/"

    with pytest.raises(ConfigurationError) as caught:
        build_app(make_settings(database_url, fake_slack, slack_api_url=url))

    assert str(caught.value).startswith(f"Could not reach Slack at {url} (")


def test_several_workers_fail_before_starting_when_the_token_is_wrong(
    monkeypatch, database_url, fake_slack: FakeSlack
):
    # Inside uvicorn each worker would fail and be restarted, forever; fail once, here.
    started = []
    monkeypatch.setattr(server.uvicorn, "run", lambda app, **kw: started.append(app))
    fake_slack.fail("auth.test", error="invalid_auth")
    settings = make_settings(database_url, fake_slack, web_concurrency=2)

    with pytest.raises(ConfigurationError, match="invalid_auth"):
        server.run_server(settings)
    assert started == []


def test_several_workers_fail_before_starting_when_the_database_is_wrong(
    monkeypatch, unusable_database_url, fake_slack: FakeSlack
):
    started = []
    monkeypatch.setattr(server.uvicorn, "run", lambda app, **kw: started.append(app))
    settings = make_settings(unusable_database_url, fake_slack, web_concurrency=2)

    with pytest.raises(DatabaseURLError, match="Could not use the database at"):
        server.run_server(settings)
    assert started == []
