"""Shared-normalisation confidence: one softmax over every window read for a question."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qa_engine.scoring import log_sum_exp, passage_log_priors


def test_log_sum_exp_matches_the_naive_formula() -> None:
    values = [0.5, -1.25, 3.0, 2.0]
    assert log_sum_exp(values) == pytest.approx(math.log(sum(math.exp(v) for v in values)))


def test_log_sum_exp_skips_minus_infinity_and_handles_huge_values() -> None:
    assert log_sum_exp([1.0, float("-inf")]) == pytest.approx(1.0)
    assert log_sum_exp([]) == float("-inf")
    assert log_sum_exp([float("-inf")]) == float("-inf")
    assert log_sum_exp([1e300, 1e300]) == pytest.approx(1e300)
    assert math.isfinite(log_sum_exp([1e30, -1e30]))


def _window(rng: np.random.Generator, length: int = 12) -> tuple[np.ndarray, np.ndarray]:
    return rng.normal(0, 3, length).astype(np.float32), rng.normal(0, 3, length).astype(np.float32)


def test_passage_priors_are_a_softmax_of_retrieval_scores() -> None:
    priors = passage_log_priors([3.0, 1.0, 0.0], temperature=1.0)

    probabilities = [math.exp(p) for p in priors]
    assert sum(probabilities) == pytest.approx(1.0)
    assert probabilities[0] == pytest.approx(math.exp(3) / (math.exp(3) + math.e + 1))
    assert probabilities[0] > probabilities[1] > probabilities[2]


def test_equal_retrieval_scores_give_a_uniform_prior() -> None:
    priors = passage_log_priors([0.0, 0.0, 0.0, 0.0], temperature=1.0)
    assert [math.exp(p) for p in priors] == pytest.approx([0.25] * 4)


def test_a_higher_temperature_softens_the_prior() -> None:
    sharp = math.exp(passage_log_priors([5.0, 0.0], temperature=1.0)[0])
    soft = math.exp(passage_log_priors([5.0, 0.0], temperature=4.0)[0])
    assert 0.5 < soft < sharp < 1.0


def test_huge_retrieval_scores_do_not_overflow() -> None:
    priors = passage_log_priors([1e300, 0.0], temperature=1.0)
    assert priors[0] == pytest.approx(0.0)
    assert all(not math.isnan(p) for p in priors)
