"""Span decoding on hand-made logits: no model involved.

Expected spans and scores come from brute force over every (start, end) pair, written
independently of the vectorised decoders.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from qa_engine.decoding import (
    log_partition,
    logit_window_spans,
    pipeline_window_spans,
)

F32_MAX = float(np.finfo(np.float32).max)

# A window: [CLS] q q q [SEP] c c c c c c [SEP]   (question first, as BERT-style models)
#            0    1 2 3  4    5 6 7 8 9 10  11
P_MASK = np.array([0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1])
CONTEXT = P_MASK == 0
CONTEXT[0] = False  # CLS is allowed by the p_mask but is not context
WINDOW = len(P_MASK)


def _softmax_over(logits: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Probabilities over allowed positions only (disallowed ones get 0), in float64."""
    values = np.where(allowed, logits.astype(np.float64), -np.inf)
    values = np.exp(values - values[allowed].max())
    return values / values.sum()


def _brute_force_pipeline(
    start: np.ndarray, end: np.ndarray, allowed: np.ndarray, max_answer_len: int
) -> list[tuple[float, int, int]]:
    """Every valid span with its probability, best first; CLS never answers."""
    p_start, p_end = _softmax_over(start, allowed), _softmax_over(end, allowed)
    spans = [
        (p_start[s] * p_end[e], s, e)
        for s in range(1, len(start))
        for e in range(s, min(len(start), s + max_answer_len))
        if allowed[s] and allowed[e]
    ]
    return sorted(spans, reverse=True)


def _decode(start, end, p_mask=P_MASK, attention=None, **kwargs):
    params = {
        "top_k": 1,
        "max_answer_len": 15,
        "handle_impossible_answer": False,
        "min_null_score": 1_000_000.0,
    }
    params.update(kwargs)
    return pipeline_window_spans(
        np.asarray(start, dtype=np.float32)[None],
        np.asarray(end, dtype=np.float32)[None],
        np.asarray(p_mask)[None],
        None if attention is None else np.asarray(attention)[None],
        **params,
    )


def _peaked(position: int, value: float = 8.0, base: float = 0.0) -> np.ndarray:
    logits = np.full(WINDOW, base, dtype=np.float32)
    logits[position] = value
    return logits


# -- the pipeline-faithful decoder ---------------------------------------------------------


def test_best_span_is_the_start_and_end_peaks() -> None:
    result = _decode(_peaked(6), _peaked(8))

    assert (int(result.starts[0]), int(result.ends[0])) == (6, 8)
    expected = _brute_force_pipeline(_peaked(6), _peaked(8), P_MASK == 0, 15)[0]
    assert result.scores[0] == pytest.approx(expected[0], rel=1e-5)


def test_an_end_before_the_start_is_never_chosen() -> None:
    # Start peaks after end: the best *valid* span is not (9, 6).
    start = np.array([0, 0, 0, 0, 0, 1, 2, 0, 0, 9, 0, 0], dtype=np.float32)
    end = np.array([0, 0, 0, 0, 0, 0, 9, 1, 0, 0, 2, 0], dtype=np.float32)

    result = _decode(start, end, top_k=5)

    assert all(e >= s for s, e in zip(result.starts, result.ends, strict=True))
    best = _brute_force_pipeline(start, end, P_MASK == 0, 15)[0]
    assert (int(result.starts[0]), int(result.ends[0])) == (best[1], best[2])
    assert (best[1], best[2]) == (9, 10)


@pytest.mark.parametrize("max_answer_len", [1, 2, 3])
def test_max_answer_len_caps_the_span_length(max_answer_len: int) -> None:
    noise = np.random.default_rng(max_answer_len).normal(0, 0.5, (2, WINDOW))
    # The unconstrained best span (5, 10) is 6 tokens long.
    start, end = _peaked(5) + noise[0], _peaked(10) + noise[1]

    result = _decode(start, end, top_k=5, max_answer_len=max_answer_len)

    assert len(result.starts) > 0
    for s, e in zip(result.starts, result.ends, strict=True):
        assert 0 <= e - s < max_answer_len
    best = _brute_force_pipeline(start, end, P_MASK == 0, max_answer_len)[0]
    assert (int(result.starts[0]), int(result.ends[0])) == (best[1], best[2])


@pytest.mark.parametrize("seed", range(5))
def test_top_k_matches_brute_force_in_order(seed: int) -> None:
    rng = np.random.default_rng(seed)
    start = rng.normal(0, 3, WINDOW).astype(np.float32)
    end = rng.normal(0, 3, WINDOW).astype(np.float32)

    result = _decode(start, end, top_k=5, max_answer_len=4)

    expected = _brute_force_pipeline(start, end, P_MASK == 0, 4)[:5]
    got = list(zip(result.starts.tolist(), result.ends.tolist(), strict=True))
    assert got == [(s, e) for _, s, e in expected]
    np.testing.assert_allclose(result.scores, [p for p, _, _ in expected], rtol=1e-5)
    assert list(result.scores) == sorted(result.scores, reverse=True)


def test_question_tokens_are_never_chosen_even_with_the_highest_logits() -> None:
    start = np.zeros(WINDOW, dtype=np.float32)
    end = np.zeros(WINDOW, dtype=np.float32)
    start[1:5] = end[1:5] = 50.0  # question and [SEP]
    start[7], end[8] = 1.0, 1.0

    result = _decode(start, end, top_k=10)

    masked = set(np.flatnonzero(P_MASK).tolist())
    assert len(result.starts) > 0
    assert not masked & set(result.starts.tolist())
    assert not masked & set(result.ends.tolist())
    assert (int(result.starts[0]), int(result.ends[0])) == (7, 8)


def test_padding_is_never_chosen() -> None:
    # The last three positions are padding (attention 0) with huge logits.
    p_mask = np.array([0, 1, 1, 0, 0, 0, 1, 1, 1, 1])
    attention = np.array([1, 1, 1, 1, 1, 1, 1, 0, 0, 0])
    start = np.array([0, 0, 0, 1, 0, 0, 0, 60, 60, 60], dtype=np.float32)
    end = np.array([0, 0, 0, 0, 1, 0, 0, 60, 60, 60], dtype=np.float32)

    result = _decode(start, end, p_mask=p_mask, attention=attention, top_k=6)

    assert len(result.starts) > 0
    assert set(result.starts.tolist()) | set(result.ends.tolist()) <= {0, 3, 4, 5}
    assert (int(result.starts[0]), int(result.ends[0])) == (3, 4)


def test_handle_impossible_answer_reports_the_cls_probability() -> None:
    start, end = _peaked(0, value=5.0), _peaked(0, value=5.0)
    start[6], end[7] = 3.0, 3.0
    allowed = P_MASK == 0
    expected_null = _softmax_over(start, allowed)[0] * _softmax_over(end, allowed)[0]

    result = _decode(start, end, handle_impossible_answer=True, min_null_score=1_000_000.0)

    assert result.null_score == pytest.approx(expected_null, rel=1e-5)
    # CLS carries the null score but is not itself an answer span.
    assert 0 not in result.starts.tolist()
    assert (int(result.starts[0]), int(result.ends[0])) == (6, 7)


def test_the_null_score_is_a_running_minimum_over_windows() -> None:
    start, end = _peaked(0, value=5.0), _peaked(0, value=5.0)
    first = _decode(start, end, handle_impossible_answer=True)

    lower = _decode(start, end, handle_impossible_answer=True, min_null_score=first.null_score / 2)
    assert lower.null_score == pytest.approx(first.null_score / 2)

    ignored = _decode(start, end, handle_impossible_answer=False, min_null_score=0.75)
    assert ignored.null_score == 0.75


@pytest.mark.parametrize(
    ("big", "small"),
    [(1e30, -1e30), (F32_MAX, -F32_MAX), (F32_MAX, 0.0), (1e30, 1e29)],
    ids=["1e30", "float32-max", "float32-max-vs-zero", "huge-everywhere"],
)
def test_huge_logits_give_finite_probabilities(big: float, small: float) -> None:
    start = np.full(WINDOW, small, dtype=np.float32)
    end = np.full(WINDOW, small, dtype=np.float32)
    start[6], end[7] = big, big
    start[1], end[2] = big, big  # masked question tokens: must not matter

    with np.errstate(over="ignore"):
        result = _decode(start, end, top_k=3, handle_impossible_answer=True)

    assert np.all(np.isfinite(result.scores))
    assert np.all((result.scores >= 0) & (result.scores <= 1))
    assert math.isfinite(result.null_score)
    assert (int(result.starts[0]), int(result.ends[0])) == (6, 7)


# -- raw-logit decoding --------------------------------------------------------------------


def _brute_force_logits(
    start: np.ndarray, end: np.ndarray, context: np.ndarray, max_answer_len: int
) -> list[tuple[float, int, int]]:
    spans = [
        (float(start[s]) + float(end[e]), s, e)
        for s in range(len(start))
        for e in range(s, min(len(start), s + max_answer_len))
        if context[s] and context[e]
    ]
    return sorted(spans, key=lambda t: -t[0])


@pytest.mark.parametrize("seed", range(5))
def test_logit_spans_match_brute_force(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    start = rng.normal(0, 4, WINDOW).astype(np.float32)
    end = rng.normal(0, 4, WINDOW).astype(np.float32)

    result = logit_window_spans(start, end, CONTEXT, top_k=6, max_answer_len=3)

    expected = _brute_force_logits(start, end, CONTEXT, 3)[:6]
    got = list(zip(result.starts.tolist(), result.ends.tolist(), strict=True))
    assert got == [(s, e) for _, s, e in expected]
    np.testing.assert_allclose(result.scores, [score for score, _, _ in expected], rtol=1e-6)
    assert result.null_score == pytest.approx(float(start[0]) + float(end[0]))


def test_logit_spans_are_raw_sums_not_probabilities() -> None:
    # Same shape of logits, shifted by +100: a softmax would not notice, raw sums do.
    start, end = _peaked(6, value=3.0), _peaked(7, value=3.0)
    low = logit_window_spans(start, end, CONTEXT, top_k=1, max_answer_len=5)
    high = logit_window_spans(start + 100, end + 100, CONTEXT, top_k=1, max_answer_len=5)

    assert (int(low.starts[0]), int(low.ends[0])) == (6, 7)
    assert float(low.scores[0]) == pytest.approx(6.0)
    assert float(high.scores[0]) == pytest.approx(206.0)


def test_logit_spans_only_use_context_tokens() -> None:
    start = np.where(CONTEXT, 0.0, 40.0).astype(np.float32)
    end = np.where(CONTEXT, 0.0, 40.0).astype(np.float32)
    start[8] = end[9] = 1.0

    result = logit_window_spans(start, end, CONTEXT, top_k=50, max_answer_len=30)

    context_positions = set(np.flatnonzero(CONTEXT).tolist())
    assert set(result.starts.tolist()) <= context_positions
    assert set(result.ends.tolist()) <= context_positions
    assert (int(result.starts[0]), int(result.ends[0])) == (8, 9)
    # 6 context tokens -> 21 spans with end >= start; no invalid pair pads the list.
    assert len(result.starts) == 21
    assert all(e >= s for s, e in zip(result.starts, result.ends, strict=True))


def test_logit_spans_respect_max_answer_len() -> None:
    result = logit_window_spans(_peaked(5), _peaked(10), CONTEXT, top_k=50, max_answer_len=2)
    assert len(result.starts) == 6 + 5  # one-token spans + two-token spans
    assert all(0 <= e - s < 2 for s, e in zip(result.starts, result.ends, strict=True))


def test_logit_spans_without_context_are_empty() -> None:
    result = logit_window_spans(
        _peaked(5), _peaked(6), np.zeros(WINDOW, dtype=bool), top_k=3, max_answer_len=5
    )
    assert len(result.starts) == len(result.ends) == len(result.scores) == 0


@pytest.mark.parametrize("big", [1e30, F32_MAX], ids=["1e30", "float32-max"])
def test_logit_spans_with_huge_logits_are_finite(big: float) -> None:
    start = np.full(WINDOW, -big, dtype=np.float32)
    end = np.full(WINDOW, -big, dtype=np.float32)
    start[6], end[8] = big, big

    result = logit_window_spans(start, end, CONTEXT, top_k=5, max_answer_len=5)

    assert np.all(np.isfinite(result.scores))
    assert (int(result.starts[0]), int(result.ends[0])) == (6, 8)


# -- log partition -------------------------------------------------------------------------


def test_log_partition_equals_the_naive_formula_for_moderate_values() -> None:
    rng = np.random.default_rng(7)
    logits = rng.normal(0, 3, WINDOW).astype(np.float32)
    kept = [float(v) for v, keep in zip(logits, CONTEXT, strict=True) if keep]
    naive = math.log(sum(math.exp(v) for v in kept))
    assert log_partition(logits, CONTEXT) == pytest.approx(naive, rel=1e-9)


@pytest.mark.parametrize("big", [1e30, F32_MAX], ids=["1e30", "float32-max"])
def test_log_partition_is_stable_with_huge_values(big: float) -> None:
    logits = np.full(WINDOW, -big, dtype=np.float32)
    logits[6] = logits[7] = big
    logits[1] = big  # a masked-out position never counts

    value = log_partition(logits, CONTEXT)

    assert math.isfinite(value)
    # Two equal peaks: log(2 e^big) = big + log 2 (log 2 vanishes next to big).
    assert value == pytest.approx(float(np.float32(big)) + math.log(2), rel=1e-12)


def test_log_partition_of_nothing_is_minus_infinity() -> None:
    assert log_partition(np.ones(WINDOW), np.zeros(WINDOW, dtype=bool)) == float("-inf")
