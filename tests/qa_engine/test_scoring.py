"""Retrieval-mode scoring: passage priors, span probabilities, merging candidates (no model)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qa_engine.scoring import (
    SpanCandidate,
    log_sum_exp,
    merge_candidates,
    null_log_normaliser,
    null_log_probability,
    passage_log_priors,
    question_overlap,
    span_log_normaliser,
    window_log_priors,
)
from qa_engine.types import Passage


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


# -- the temperature is applied exactly once, as a divisor ---------------------------------


@pytest.mark.parametrize("temperature", [0.5, 2.0, 3.0])
def test_the_prior_divides_scores_by_the_temperature_itself(temperature: float) -> None:
    # Regression guard: ignoring the temperature, or dividing by its square, gives other
    # numbers at every temperature but 1.
    scores = [4.0, 1.0, 0.0]
    expected = [math.exp(s / temperature) for s in scores]
    expected = [e / sum(expected) for e in expected]

    priors = passage_log_priors(scores, temperature=temperature)

    assert [math.exp(p) for p in priors] == pytest.approx(expected, rel=1e-12)


# -- windows and spans ---------------------------------------------------------------------


def test_a_passage_read_in_several_windows_shares_its_prior_among_them() -> None:
    priors = [math.log(0.6), math.log(0.3), math.log(0.1)]

    window_priors = window_log_priors(priors, {0: 3, 2: 1})

    assert set(window_priors) == {0, 2}
    assert math.exp(window_priors[0]) == pytest.approx(0.2)
    assert math.exp(window_priors[2]) == pytest.approx(0.1)


def test_the_span_normaliser_is_the_double_sum_over_context_tokens() -> None:
    rng = np.random.default_rng(3)
    start, end = _window(rng)
    context = np.zeros(12, dtype=bool)
    context[4:11] = True
    brute = math.log(
        sum(
            math.exp(float(start[i]) + float(end[j]))
            for i in range(12)
            for j in range(12)
            if context[i] and context[j]
        )
    )

    assert span_log_normaliser(start, end, context) == pytest.approx(brute, rel=1e-9)


def test_the_span_normaliser_survives_huge_logits() -> None:
    start = np.array([0.0, 1e4, 1e4 - 1.0], dtype=np.float32)
    end = np.array([0.0, 1e4, -1e4], dtype=np.float32)
    context = np.array([False, True, True])

    log_z = span_log_normaliser(start, end, context)

    assert math.isfinite(log_z)
    assert log_z == pytest.approx(2e4 + math.log1p(math.exp(-1.0)) + math.log1p(math.exp(-2e4)))


# -- merging candidates (retrieval mode's ranking of answers) ------------------------------

DOC_A = Passage("a", 0, 100, 140, "Ann lives in Oslo. Bob lives in Rome now.", "A")
DOC_B = Passage("b", 2, 0, 30, "Oslo is cold. Ann likes Oslo.", "B")


def _candidate(passage: Passage, text: str, confidence: float, nth: int = 0) -> SpanCandidate:
    local = -1
    for _ in range(nth + 1):
        local = passage.text.index(text, local + 1)
    start = passage.start + local
    return SpanCandidate(passage, start, start + len(text), 1.0, math.log(confidence))


def test_candidate_text_is_cut_from_the_passage_by_document_offsets() -> None:
    assert _candidate(DOC_A, "Rome", 0.1).text == "Rome"
    assert _candidate(DOC_A, "Rome", 0.1).start == 132


def test_merging_ranks_by_confidence_and_keeps_top_k() -> None:
    candidates = [
        _candidate(DOC_A, "Rome", 0.2),
        _candidate(DOC_A, "Bob", 0.5),
        _candidate(DOC_A, "Ann", 0.1),
    ]

    merged = merge_candidates(candidates, top_k=2)

    assert [(c.text, p) for c, p in merged] == [("Bob", pytest.approx(0.5)), ("Rome", 0.2)]


def test_the_same_span_from_overlapping_windows_counts_once_at_its_best() -> None:
    candidates = [_candidate(DOC_A, "Oslo", 0.2), _candidate(DOC_A, "Oslo", 0.3)]

    [(best, confidence)] = merge_candidates(candidates, top_k=3)

    assert confidence == pytest.approx(0.3)
    assert best.log_confidence == pytest.approx(math.log(0.3))


def test_the_same_text_in_different_places_adds_up() -> None:
    candidates = [
        _candidate(DOC_A, "Oslo", 0.25),
        _candidate(DOC_B, "Oslo", 0.15),
        _candidate(DOC_B, "Oslo", 0.05, nth=1),
        _candidate(DOC_A, "Rome", 0.3),
    ]

    merged = merge_candidates(candidates, top_k=3)

    assert [c.text for c, _ in merged] == ["Oslo", "Rome"]
    assert merged[0][1] == pytest.approx(0.45)
    # The summed answer points at its single most confident place.
    assert (merged[0][0].passage.document_id, merged[0][0].start) == ("a", 113)


def test_merged_confidence_is_capped_at_one() -> None:
    candidates = [_candidate(DOC_A, "Oslo", 0.7), _candidate(DOC_B, "Oslo", 0.6)]

    [(_, confidence)] = merge_candidates(candidates, top_k=1)

    assert confidence == 1.0


def test_equal_totals_go_to_the_single_more_confident_candidate() -> None:
    candidates = [
        _candidate(DOC_B, "Oslo", 0.25),
        _candidate(DOC_B, "Oslo", 0.25, nth=1),
        _candidate(DOC_A, "Bob", 0.5),
    ]
    assert math.exp(math.log(0.5)) == 2 * math.exp(math.log(0.25))  # an exact tie

    merged = merge_candidates(candidates, top_k=2)

    assert [c.text for c, _ in merged] == ["Bob", "Oslo"]


def test_merging_nothing_gives_nothing() -> None:
    assert merge_candidates([], top_k=3) == []


# -- the no-answer rules -------------------------------------------------------------------


def _brute_null_normaliser(
    start: np.ndarray, end: np.ndarray, context: np.ndarray, max_answer_len: int
) -> float:
    total = math.exp(float(start[0]) + float(end[0]))
    for i in range(len(start)):
        for j in range(len(end)):
            if context[i] and context[j] and 0 <= j - i < max_answer_len:
                total += math.exp(float(start[i]) + float(end[j]))
    return math.log(total)


@pytest.mark.parametrize(("seed", "max_answer_len"), [(0, 1), (1, 3), (2, 30)])
def test_the_null_normaliser_sums_valid_spans_and_the_null(seed: int, max_answer_len: int) -> None:
    rng = np.random.default_rng(seed)
    start, end = _window(rng, 14)
    context = np.zeros(14, dtype=bool)
    context[5:13] = True

    got = null_log_normaliser(start, end, context, max_answer_len=max_answer_len)

    assert got == pytest.approx(
        _brute_null_normaliser(start, end, context, max_answer_len), rel=1e-9
    )


def test_null_and_span_probabilities_of_a_window_sum_to_one() -> None:
    rng = np.random.default_rng(5)
    start, end = _window(rng, 10)
    context = np.array([False, False, False, True, True, True, True, True, True, False])
    log_z = null_log_normaliser(start, end, context, max_answer_len=4)
    spans = [
        math.exp(float(start[i]) + float(end[j]) - log_z)
        for i in range(10)
        for j in range(10)
        if context[i] and context[j] and 0 <= j - i < 4
    ]

    null = math.exp(null_log_probability(start, end, context, max_answer_len=4))

    assert null + sum(spans) == pytest.approx(1.0)


def test_a_confident_null_leaves_the_spans_little() -> None:
    start = np.array([9.0, 0.0, 1.0, 0.5], dtype=np.float32)
    end = np.array([9.0, 0.0, 0.5, 1.0], dtype=np.float32)
    context = np.array([False, True, True, True])
    span_only = span_log_normaliser(start, end, context)
    with_null = null_log_normaliser(start, end, context, max_answer_len=5)

    best_span = float(start[2] + end[3])
    assert math.exp(best_span - span_only) > 0.2
    assert math.exp(best_span - with_null) < 1e-6
    assert math.exp(null_log_probability(start, end, context, max_answer_len=5)) > 0.999


def test_the_null_normaliser_of_a_window_without_context_is_the_null() -> None:
    start = np.array([2.0, 1.0], dtype=np.float32)
    end = np.array([3.0, 1.0], dtype=np.float32)

    assert null_log_normaliser(
        start, end, np.array([False, False]), max_answer_len=3
    ) == pytest.approx(5.0)


def test_huge_null_logits_do_not_overflow() -> None:
    start = np.array([1e4, 1.0, 2.0], dtype=np.float32)
    end = np.array([1e4, 1.0, 2.0], dtype=np.float32)
    context = np.array([False, True, True])

    log_z = null_log_normaliser(start, end, context, max_answer_len=3)

    assert log_z == pytest.approx(2e4)
    assert null_log_probability(start, end, context, max_answer_len=3) == pytest.approx(0.0)


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        ("When is the design review?", "The code review is every Tuesday at 3 pm.", 0.5),
        ("When is the code review?", "The code review is every Tuesday at 3 pm.", 1.0),
        ("Where does Ann live?", "Ann lives in Oslo.", 1.0),
        ("Where does Ann live?", "Bob was born in Rome.", 0.0),
        ("What is it?", "Anything at all.", 1.0),  # no content words: nothing to check
    ],
)
def test_question_overlap_is_the_share_of_question_words_in_the_sentence(
    question: str, sentence: str, expected: float
) -> None:
    assert question_overlap(question, sentence) == pytest.approx(expected)
