"""`QAEngine.answer(threshold=...)`: a per-call no-answer threshold (the Slack app's
per-channel one, calibrated from votes) replaces `qa_no_answer_threshold` for that call."""

from __future__ import annotations

from pathlib import Path

from qa_engine.engine import NO_CONFIDENT_ANSWER, QAEngine
from qa_engine.types import Document
from tests.qa_engine.support import NAME_CONTEXT, NAME_QUESTION, engine_settings

DOCUMENTS = [
    Document("me", NAME_CONTEXT, "About me"),
    Document("office", "Lunch is served at noon. The office wifi is called Zebra.", "Office"),
]


def test_the_threshold_given_replaces_the_configured_one(trained_model_dir: Path) -> None:
    strict = QAEngine(engine_settings(trained_model_dir, qa_no_answer_threshold=1.0))
    lenient = QAEngine(engine_settings(trained_model_dir, qa_no_answer_threshold=0.0))

    everything = lenient.answer(NAME_QUESTION, documents=DOCUMENTS)
    assert len(everything.answers) == 3
    assert strict.answer(NAME_QUESTION, documents=DOCUMENTS).answers == ()

    assert strict.answer(NAME_QUESTION, documents=DOCUMENTS, threshold=0.0) == everything
    nothing = lenient.answer(NAME_QUESTION, documents=DOCUMENTS, threshold=1.0)
    assert (nothing.answers, nothing.no_answer_reason) == ((), NO_CONFIDENT_ANSWER)


def test_an_answer_exactly_at_the_threshold_is_shown(trained_model_dir: Path) -> None:
    engine = QAEngine(engine_settings(trained_model_dir, qa_no_answer_threshold=0.0))
    answers = engine.answer(NAME_QUESTION, documents=DOCUMENTS).answers
    second = answers[1].confidence
    assert answers[0].confidence > second > answers[2].confidence

    kept = engine.answer(NAME_QUESTION, documents=DOCUMENTS, threshold=second).answers

    assert kept == answers[:2]
