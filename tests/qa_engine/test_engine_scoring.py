"""Retrieval-mode scoring through the engine: the settings that shape confidence reach it.

The scoring functions themselves are checked without a model in `test_scoring.py`; these
tests make sure the engine feeds them its settings and the ranker's scores.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from qa_engine.engine import QAEngine
from qa_engine.faq import faq_confidence, similarity
from qa_engine.scoring import null_log_normaliser, span_log_normaliser
from qa_engine.types import Document, Passage, RankedPassage
from tests.qa_engine.support import NAME_CONTEXT, NAME_QUESTION, engine_settings

BIO = Passage("bio", 0, 0, len(NAME_CONTEXT), NAME_CONTEXT, "About me")
TEAM_TEXT = "Maria works at Globex. Peter was born in Vienna."
TEAM = Passage("team", 0, 0, len(TEAM_TEXT), TEAM_TEXT, "Team")
RETRIEVAL_SCORES = (1.0, 0.0)


class FixedScoreRanker:
    """Returns the same passages with the same retrieval scores every time."""

    def __init__(self, scored: Sequence[tuple[Passage, float]]):
        self.scored = list(scored)

    def rank(self, question: str, limit: int) -> Sequence[RankedPassage]:
        return [RankedPassage(p, s) for p, s in self.scored[:limit]]


def _john_confidence(model: Path, temperature: float) -> float:
    engine = QAEngine(
        engine_settings(
            model, qa_no_answer_threshold=0.0, qa_retrieval_temperature=temperature, qa_top_k=10
        )
    )
    ranker = FixedScoreRanker(list(zip((BIO, TEAM), RETRIEVAL_SCORES, strict=True)))
    result = engine.answer(NAME_QUESTION, ranker=ranker)
    [john] = [a for a in result.answers if a.text == "John"]
    return john.confidence


def _prior_of_first(temperature: float) -> float:
    weights = [math.exp(s / temperature) for s in RETRIEVAL_SCORES]
    return weights[0] / sum(weights)


@pytest.mark.parametrize("temperature", [0.5, 2.0])
def test_the_retrieval_temperature_scales_confidence_through_the_passage_prior(
    trained_model_dir: Path, temperature: float
) -> None:
    # Each passage fits one window, so confidence = prior(passage) × P(span | window) and
    # only the prior depends on the temperature. Ignoring QA_RETRIEVAL_TEMPERATURE gives a
    # ratio of 1; dividing by its square gives another ratio.
    at_one = _john_confidence(trained_model_dir, 1.0)
    at_t = _john_confidence(trained_model_dir, temperature)

    expected_ratio = _prior_of_first(temperature) / _prior_of_first(1.0)
    assert at_t / at_one == pytest.approx(expected_ratio, rel=1e-5)
    assert abs(expected_ratio - 1.0) > 0.05


def test_an_ad_hoc_document_is_one_passage_with_the_whole_prior(trained_model_dir: Path) -> None:
    # One passage read in one window: the prior is 1 at any temperature.
    engine = QAEngine(engine_settings(trained_model_dir, qa_no_answer_threshold=0.0))
    sure = engine.answer(NAME_QUESTION, documents=[Document("bio", NAME_CONTEXT)])
    ranked = engine.answer(NAME_QUESTION, ranker=FixedScoreRanker([(BIO, 7.0)]))

    assert sure.best is not None and ranked.best is not None
    assert sure.best.text == ranked.best.text == "John"
    assert sure.best.confidence == pytest.approx(ranked.best.confidence, rel=1e-6)


# -- FAQ matches on the same scale -----------------------------------------------------------

FAQ_DOC = Document(
    "faq",
    "Q: How do I get access to the staging cluster?\n"
    "A: Ask in #infra and an admin adds you to the staging group.\n",
    title="FAQ",
)
FAQ_QUESTION = "How can I get access to the staging cluster?"


def test_an_faq_answer_shows_its_calibrated_probability(trained_model_dir: Path) -> None:
    engine = QAEngine(engine_settings(trained_model_dir))

    result = engine.answer(FAQ_QUESTION, documents=[FAQ_DOC])

    assert result.best is not None and result.best.text.startswith("Ask in #infra")
    score = similarity(FAQ_QUESTION, "How do I get access to the staging cluster?")
    assert result.best.confidence == faq_confidence(score)
    assert result.best.confidence != pytest.approx(score)


def test_an_faq_match_below_the_threshold_is_not_shown_as_the_faq_answer(
    trained_model_dir: Path,
) -> None:
    score = similarity(FAQ_QUESTION, "How do I get access to the staging cluster?")
    threshold = faq_confidence(score) + 0.001
    engine = QAEngine(engine_settings(trained_model_dir, qa_no_answer_threshold=threshold))

    result = engine.answer(FAQ_QUESTION, documents=[FAQ_DOC])

    # The reader may still find a span, but never the whole stored answer at FAQ confidence.
    assert all(a.confidence >= threshold for a in result.answers)
    assert all(a.confidence != faq_confidence(score) for a in result.answers)


# -- the no-answer rules ---------------------------------------------------------------------


def _window_logits(model_dir: Path, question: str, context: str):
    """The model's start/end logits for one (question, context) window, and its context mask."""
    import torch
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForQuestionAnswering.from_pretrained(model_dir)
    encoded = tokenizer(question, context, return_tensors="pt")
    with torch.inference_mode():
        output = model(**encoded)
    context_mask = np.array([s == 1 for s in encoded.sequence_ids(0)])
    return output.start_logits[0].numpy(), output.end_logits[0].numpy(), context_mask


UNSURE_QUESTION = "Where does Peter work?"  # the reader's spans here leave room for a null


@pytest.mark.parametrize("max_answer_len", [3, 30])
def test_the_null_rule_normalises_each_window_over_its_spans_and_the_null(
    trained_model_dir: Path, max_answer_len: int
) -> None:
    engine = QAEngine(
        engine_settings(
            trained_model_dir,
            qa_no_answer_rule="null",
            qa_no_answer_threshold=0.0,
            qa_min_question_overlap=0.0,
            qa_max_answer_len=max_answer_len,
        )
    )
    best = engine.answer(UNSURE_QUESTION, ranker=FixedScoreRanker([(BIO, 1.0)])).best
    assert best is not None

    start, end, context = _window_logits(trained_model_dir, UNSURE_QUESTION, NAME_CONTEXT)
    log_z = null_log_normaliser(start, end, context, max_answer_len=max_answer_len)
    # One passage, one window: the prior is 1, so confidence = P(span | window).
    assert best.confidence == pytest.approx(math.exp(best.score - log_z), rel=1e-4)
    # ... which the span rule's normaliser would not give.
    assert abs(log_z - span_log_normaliser(start, end, context)) > 0.1


def test_the_span_rule_ignores_the_null(trained_model_dir: Path) -> None:
    engine = QAEngine(
        engine_settings(trained_model_dir, qa_no_answer_threshold=0.0, qa_min_question_overlap=0.0)
    )
    best = engine.answer(UNSURE_QUESTION, ranker=FixedScoreRanker([(BIO, 1.0)])).best
    assert best is not None

    start, end, context = _window_logits(trained_model_dir, UNSURE_QUESTION, NAME_CONTEXT)
    log_z = span_log_normaliser(start, end, context)
    assert best.confidence == pytest.approx(math.exp(best.score - log_z), rel=1e-4)


OFF_TOPIC = Passage("team", 0, 0, 25, "Peter was born in Vienna.", "Team")


@pytest.mark.parametrize(
    ("rule", "minimum", "shown"),
    [("span", 0.5, False), ("null", 0.5, False), ("span", 0.0, True), ("null", 0.0, True)],
)
def test_the_overlap_gate_drops_answers_whose_sentence_misses_the_question(
    trained_model_dir: Path, rule: str, minimum: float, shown: bool
) -> None:
    engine = QAEngine(
        engine_settings(
            trained_model_dir,
            qa_no_answer_rule=rule,
            qa_min_question_overlap=minimum,
            qa_no_answer_threshold=0.0,
        )
    )

    result = engine.answer("Where does Maria live?", ranker=FixedScoreRanker([(OFF_TOPIC, 1.0)]))

    assert bool(result.answers) is shown
    if not shown:
        assert result.no_answer_reason is not None


def test_the_overlap_gate_keeps_an_answer_whose_sentence_holds_the_question(
    trained_model_dir: Path,
) -> None:
    engine = QAEngine(engine_settings(trained_model_dir, qa_min_question_overlap=1.0))

    result = engine.answer(NAME_QUESTION, ranker=FixedScoreRanker([(BIO, 1.0)]))

    assert result.best is not None and result.best.text == "John"


# -- a model trained with "no answer" examples (tests/fixtures/tiny-qa-squad2) ---------------

SQUAD2_MODEL = Path(__file__).resolve().parents[1] / "fixtures" / "tiny-qa-squad2"
TEAM_DOC = Document("team", TEAM_TEXT + " The office opens at nine.", "Team")
BIO_DOC = Document("bio", NAME_CONTEXT + ".", "About me")


@pytest.fixture(scope="module")
def squad2_model_dir(torch_one_thread: None) -> Path:
    """The tiny model fine-tuned with one example in six labelled "no answer" at [CLS]."""
    if not (SQUAD2_MODEL / "config.json").is_file():
        pytest.fail(f"the SQuAD 2.0-style test model is missing from {SQUAD2_MODEL}")
    return SQUAD2_MODEL


@pytest.mark.parametrize(("rule", "abstains"), [("span", False), ("null", True)])
def test_the_null_rule_lets_a_trained_no_answer_abstain(
    squad2_model_dir: Path, rule: str, abstains: bool
) -> None:
    # Nothing says where Peter works; the span rule still shows "Globex" from the sentence
    # about Maria, while the model's own null score outweighs it under the null rule.
    engine = QAEngine(
        engine_settings(squad2_model_dir, qa_no_answer_rule=rule, qa_min_question_overlap=0.0)
    )

    result = engine.answer("Where does Peter work?", documents=[BIO_DOC, TEAM_DOC])

    assert (result.best is None) is abstains
    assert (result.no_answer_reason is not None) is abstains


def test_the_null_rule_still_answers_what_the_documents_say(squad2_model_dir: Path) -> None:
    engine = QAEngine(engine_settings(squad2_model_dir, qa_no_answer_rule="null"))

    result = engine.answer(NAME_QUESTION, documents=[BIO_DOC, TEAM_DOC])

    assert result.best is not None and result.best.text == "John"
    assert result.best.confidence > 0.5
