"""`run_server`, the uvicorn worker factory and `run_socket_mode`'s configuration checks."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette

from bot import server
from bot.app import ConfigurationError, build_app
from bot.socket_mode import run_socket_mode
from tests.bot.slack.conftest import make_settings
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
        monkeypatch.delenv(name.upper(), raising=False)

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
