"""Reading rendered messages in tests: what Slack accepts in one, and its buttons."""

from __future__ import annotations

from typing import Any

from bot import rendering
from bot.rendering import BUTTON_VALUE_LIMIT, MAX_BLOCKS, SECTION_TEXT_LIMIT


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def assert_within_slack_limits(message: rendering.Message) -> None:
    assert len(message.blocks) <= MAX_BLOCKS
    assert message.text and len(message.text) <= rendering.FALLBACK_TEXT_LIMIT
    for block in message.blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= SECTION_TEXT_LIMIT
        if block["type"] == "context":
            assert all(len(e["text"]) <= SECTION_TEXT_LIMIT for e in block["elements"])
        if block["type"] == "actions":
            assert len({e["action_id"] for e in block["elements"]}) == len(block["elements"])
            for element in block["elements"]:
                assert len(element["value"]) <= BUTTON_VALUE_LIMIT
    characters = sum(len(s) for s in _strings([message.text, message.blocks]))
    assert characters <= rendering.MESSAGE_TEXT_LIMIT


def buttons(message: rendering.Message | dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A message's buttons by action id (a `Message`, or a message as Slack received it)."""
    blocks = message.blocks if isinstance(message, rendering.Message) else message.get("blocks")
    return {
        e["action_id"]: e
        for b in blocks or []
        if b["type"] == "actions"
        for e in b["elements"]
    }
