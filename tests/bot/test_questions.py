"""The pure parts of answering without a mention: what reads as a question, how a short
follow-up borrows its thread's first question, and when an unasked answer is posted."""

from __future__ import annotations

import json

import pytest

from bot.jobs import AnswerRequest, Destination
from bot.jobs.answer import confident_enough
from bot.questions import (
    MAX_QUESTION_CHARS,
    is_short_followup,
    looks_like_question,
    with_earlier_question,
)
from bot.storage import ChannelSwitch
from qa_engine.types import Answer, AnswerResult


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


def test_an_unprompted_request_survives_the_job_table() -> None:
    request = AnswerRequest(
        team_id="T1",
        channel_id="C1",
        question="and on Fridays?",
        destination=Destination(channel_id="C1", thread_ts="1.1"),
        event_id="Ev1",
        unprompted=ChannelSwitch.AUTOANSWER,
        min_confidence=0.5,
    )

    assert AnswerRequest.from_json(json.loads(json.dumps(request.to_json()))) == request
    # Jobs written before this field existed read as ordinary (prompted) questions.
    old = {k: v for k, v in request.to_json().items() if k not in {"unprompted", "min_confidence"}}
    assert AnswerRequest.from_json(old).unprompted is None


def _result(*confidences: float) -> AnswerResult:
    answers = tuple(
        Answer(text="x", score=1.0, confidence=c, document_id="1", document_title="t",
               start=0, end=1, sentence="x", sentence_start=0, sentence_end=1)
        for c in confidences
    )
    return AnswerResult("q", answers, 1, None)


def test_an_unprompted_answer_needs_its_threshold() -> None:
    assert confident_enough(_result(0.5, 0.2), 0.5)
    assert not confident_enough(_result(0.49), 0.5)
    assert not confident_enough(_result(), 0.0)  # nothing found: silence, even at 0
