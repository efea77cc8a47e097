"""Shared-normalisation confidence: one softmax over every window read for a question."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qa_engine.decoding import log_partition, logit_window_spans
from qa_engine.scoring import log_sum_exp, shared_confidence


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


def test_one_window_confidence_is_the_softmax_probability_of_the_span() -> None:
    rng = np.random.default_rng(3)
    start, end = _window(rng)
    context = np.zeros(12, dtype=bool)
    context[4:11] = True
    best = logit_window_spans(start, end, context, top_k=1, max_answer_len=5)
    s, e = int(best.starts[0]), int(best.ends[0])

    confidence = shared_confidence(
        float(best.scores[0]), log_partition(start, context), log_partition(end, context)
    )

    p_start = np.exp(start[context].astype(np.float64))
    p_end = np.exp(end[context].astype(np.float64))
    positions = list(np.flatnonzero(context))
    expected = p_start[positions.index(s)] / p_start.sum() * p_end[positions.index(e)] / p_end.sum()
    assert confidence == pytest.approx(expected, rel=1e-6)


def test_confidence_falls_when_another_window_competes() -> None:
    rng = np.random.default_rng(4)
    context = np.ones(10, dtype=bool)
    first, second = _window(rng, 10), _window(rng, 10)
    score = float(first[0][2] + first[1][3])

    alone = shared_confidence(
        score, log_partition(first[0], context), log_partition(first[1], context)
    )
    shared = shared_confidence(
        score,
        log_sum_exp([log_partition(first[0], context), log_partition(second[0], context)]),
        log_sum_exp([log_partition(first[1], context), log_partition(second[1], context)]),
    )

    assert 0.0 < shared < alone <= 1.0


def test_confidence_stays_in_unit_interval_with_huge_logits() -> None:
    logits = np.full(8, -1e30, dtype=np.float32)
    logits[3] = 1e30
    mask = np.ones(8, dtype=bool)
    z = log_partition(logits, mask)

    confidence = shared_confidence(float(logits[3]) * 2, z, z)

    assert math.isfinite(confidence)
    assert confidence == pytest.approx(1.0)
    assert shared_confidence(-1e30, z, z) == 0.0


def test_confidence_is_clipped_and_zero_without_a_partition() -> None:
    assert shared_confidence(10.0, 0.0, 0.0) == 1.0  # inconsistent inputs never exceed 1
    assert shared_confidence(1.0, float("-inf"), 0.0) == 0.0
    assert shared_confidence(1.0, 0.0, float("inf")) == 0.0
