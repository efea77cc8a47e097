"""Retrieval-mode scoring through the engine: the settings that shape confidence reach it.

The scoring functions themselves are checked without a model in `test_scoring.py`; these
tests make sure the engine feeds them its settings and the ranker's scores.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pytest

from qa_engine.engine import QAEngine
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
