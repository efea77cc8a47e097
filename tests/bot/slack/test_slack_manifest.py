"""manifest.yml and the app agree: everything the manifest sends, a listener handles.

Bolt answers a request no listener matches with 404, so each slash command, shortcut and
event the manifest subscribes to is sent to the running app and must get a 200.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.bot.slack.conftest import SlackApp
from tests.bot.slack.fake_slack import TEAM_ID

ROOT = Path(__file__).resolve().parents[3]
MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text())
FEATURES, SETTINGS = MANIFEST["features"], MANIFEST["settings"]
# The AI side panel is optional (not every workspace has it): its additions live apart.
ASSISTANT = yaml.safe_load((ROOT / "manifest.assistant.yml").read_text())
README = (ROOT / "README.md").read_text("utf-8")


def test_every_url_is_the_one_slack_endpoint() -> None:
    urls = [c["url"] for c in FEATURES["slash_commands"]]
    urls += [SETTINGS["event_subscriptions"]["request_url"]]
    urls += [SETTINGS["interactivity"]["request_url"]]
    assert len(urls) == 4  # the comment at the top of manifest.yml counts them
    assert all(url == "https://YOUR-HOST/slack/events" for url in urls)


def test_scopes_are_exactly_the_ones_the_readme_lists() -> None:
    scopes = MANIFEST["oauth_config"]["scopes"]["bot"]
    readme = README
    assert sorted(scopes) == [
        "app_mentions:read",
        "channels:history",
        "channels:read",
        "chat:write",
        "commands",
        "files:read",
        "files:write",
        "groups:history",
        "groups:read",
        "im:write",
        "pins:read",
        "reactions:write",
    ]
    assert ", ".join(f"`{s}`" for s in scopes) in readme


def test_the_optional_assistant_additions_are_listed_in_the_readme_and_are_only_additions(
) -> None:
    scopes = ASSISTANT["oauth_config"]["scopes"]["bot"]
    events = ASSISTANT["settings"]["event_subscriptions"]["bot_events"]
    assert scopes == ["assistant:write", "im:history"]
    assert "extra bot scopes: " + ", ".join(f"`{s}`" for s in scopes) in README
    assert all(f"`{event}`" in README for event in events)
    assert "manifest.assistant.yml" in README
    # Merging adds and never overrides: nothing in it is already in manifest.yml.
    assert not set(scopes) & set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert not set(events) & set(SETTINGS["event_subscriptions"]["bot_events"])
    assert set(ASSISTANT["features"]) == {"assistant_view"}
    assert "assistant_view" not in FEATURES
    assert ASSISTANT["features"]["assistant_view"]["assistant_description"]


@pytest.mark.parametrize("command", [c["command"] for c in FEATURES["slash_commands"]])
def test_every_slash_command_has_a_listener(slack_app: SlackApp, command: str) -> None:
    response, _ = slack_app.command(command, "help")
    assert response.status_code == 200


def test_unknown_commands_and_events_are_404_so_these_checks_mean_something(
    slack_app: SlackApp,
) -> None:
    response, _ = slack_app.command("/not-in-the-manifest", "help")
    assert response.status_code == 404
    event = {"type": "reaction_added", "user": "U1", "item": {"type": "message", "channel": "C1"}}
    assert slack_app.event(event).status_code == 404


@pytest.mark.parametrize("shortcut", FEATURES["shortcuts"], ids=lambda s: s["callback_id"])
def test_every_shortcut_has_a_listener(slack_app: SlackApp, shortcut: dict[str, Any]) -> None:
    assert shortcut["type"] == "message"
    payload = {
        "type": "message_action",
        "callback_id": shortcut["callback_id"],
        "team": {"id": TEAM_ID, "domain": "test"},
        "channel": {"id": "C1", "name": "general"},
        "user": {"id": "U4", "name": "bo"},
        "message_ts": "1700000200.000300",
        "message": {"type": "message", "user": "U8", "ts": "1700000200.000300", "text": "Hi."},
        "response_url": slack_app.fake.response_url("shortcut"),
        "trigger_id": "t",
        "token": "legacy",
    }
    assert slack_app.interaction(payload).status_code == 200


# Message subscriptions are named by where the message was posted; the event is `message`.
MESSAGE_SUBSCRIPTIONS = {"message.channels": "channel", "message.groups": "group"}


def test_follow_ups_and_autoanswer_subscribe_to_channel_messages() -> None:
    events = SETTINGS["event_subscriptions"]["bot_events"]
    scopes = MANIFEST["oauth_config"]["scopes"]["bot"]
    assert set(MESSAGE_SUBSCRIPTIONS) <= set(events)
    # Each message subscription needs its history scope.
    assert {"channels:history", "groups:history"} <= set(scopes)


@pytest.mark.parametrize(
    "event_type",
    SETTINGS["event_subscriptions"]["bot_events"]
    + ASSISTANT["settings"]["event_subscriptions"]["bot_events"],
)
def test_every_subscribed_event_has_a_listener(slack_app: SlackApp, event_type: str) -> None:
    event: dict[str, Any] = {"type": event_type, "user": "U1", "channel": "C1"}
    if event_type in MESSAGE_SUBSCRIPTIONS:
        event |= {
            "type": "message",
            "channel_type": MESSAGE_SUBSCRIPTIONS[event_type],
            "text": "When do deploys happen?",
            "ts": "1800000000.000002",
        }
    elif event_type == "message.im":
        event |= {"type": "message", "channel": "D1", "channel_type": "im", "text": "hi",
                  "ts": "1800000000.000002", "thread_ts": "1800000000.000001"}
    elif event_type.startswith("assistant_thread_"):
        thread = {"user_id": "U1", "channel_id": "D1", "thread_ts": "1800000000.000001",
                  "context": {"channel_id": "C1", "team_id": TEAM_ID}}
        event = {"type": event_type, "assistant_thread": thread, "event_ts": "1.2"}
    elif event_type == "app_mention":
        event |= {"text": "<@UBOT> hi", "ts": "1800000000.000001"}
    elif event_type in {"pin_added", "pin_removed"}:
        event |= {
            "channel_id": "C1",
            "item": {"type": "message", "channel": "C1", "message": {"ts": "1.2", "text": ""}},
        }
    assert slack_app.event(event).status_code == 200
