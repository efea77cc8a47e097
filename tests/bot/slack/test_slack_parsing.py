"""Parsing `/context` arguments (no Slack, no database)."""

from __future__ import annotations

import pytest

from bot.listeners.commands.context import parse_document_number, parse_subcommand


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("", "")),
        ("  LIST ", ("list", "")),
        ("add Title\nline two\n", ("add", "Title\nline two")),
        ("add\nTitle on the next line", ("add", "Title on the next line")),
        ("show   #12", ("show", "#12")),
    ],
)
def test_parse_subcommand(text, expected):
    assert parse_subcommand(text) == expected


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("12", 12),
        ("#7", 7),
        (" 3 ", 3),
        ("", None),
        ("x1", None),
        ("1 2", None),
        ("-1", None),
        ("1.5", None),
        ("٣", None),
        ("9" * 19, None),
    ],
)
def test_parse_document_number(argument, expected):
    assert parse_document_number(argument) == expected
