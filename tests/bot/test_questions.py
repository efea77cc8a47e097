"""The pure parts of answering without a mention: what reads as a question, and how a
short follow-up borrows its thread's first question."""

from __future__ import annotations

import pytest

from bot.questions import (
    MAX_QUESTION_CHARS,
    is_short_followup,
    looks_like_question,
    with_earlier_question,
)


@pytest.mark.parametrize(
    "text",
    [
        "When do deploys happen?",
        "and on Fridays?",
        "how do I rotate the API key",
        "Is the VPN required for staging",
        "Doesn't the build run on Sundays",
        "Does anyone know the wifi password ?",
        "the staging URL, anyone?)",
        "Who’s on call this week",
    ],
)
def test_questions(text: str) -> None:
    assert looks_like_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "Deploys are broken again.",
        "thanks, that worked!",
        "ok?",  # too short to be about the documents
        "why?",
        "?????????",  # no words at all
        "Showing the logs now",  # "show" is not a question word
        "Whoever broke the build, please fix it.",
        "",
        "x" * MAX_QUESTION_CHARS + "?",  # a pasted wall of text
    ],
)
def test_not_questions(text: str) -> None:
    assert not looks_like_question(text)


def test_length_bounds_are_inclusive() -> None:
    assert looks_like_question("a" * (MAX_QUESTION_CHARS - 1) + "?")
    assert looks_like_question("why so?")


def test_short_followups_have_few_content_words() -> None:
    assert is_short_followup("and on Fridays?")
    assert is_short_followup("and?")
    assert not is_short_followup("which engineers review database migrations on weekends?")


def test_a_followup_is_read_after_the_question_it_follows() -> None:
    assert (
        with_earlier_question(" and on Fridays? ", "When do deploys happen?")
        == "When do deploys happen? and on Fridays?"
    )
    assert with_earlier_question("and on Fridays?", "  ") == "and on Fridays?"
    assert with_earlier_question("Who is on call?", "Who is on call?") == "Who is on call?"
