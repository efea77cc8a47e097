"""How retrieval mode scores answers so that they compare across passages.

The pipeline normalises start/end logits with a softmax *per window*, so its scores say
how likely a span is *given that window*; a span that wins a window of noise looks as
sure as a span that wins the window holding the answer. Raw logits do not fix that for
models trained on single paragraphs (SQuAD v1.1): nothing in their training puts the
logits of different paragraphs on one scale, and in our measurements a distractor's raw
logit often beats the answer's. So qabot scores an answer as a joint probability:

    confidence = P(passage | question) × P(span | passage)

* P(span | passage) is the reader's own span probability inside the passage's window:
  softmax(start logits) × softmax(end logits) over the window's context tokens (the
  pipeline's score). A passage read in several windows shares its prior among them.
* P(passage | question) is a softmax over the retrieval scores (BM25; for a channel's
  stored documents counted over that channel alone) of the passages read, at temperature
  `QA_RETRIEVAL_TEMPERATURE`: the passage that shares the question's rare words is the
  likelier home of the answer.

Over everything read, confidences sum to at most 1, so they compare across passages,
documents and channels, and the no-answer threshold means the same everywhere. The same
answer text found in several places adds up (capped at 1), as in the pipeline. Answers
below the threshold are dropped; if none is left, the engine reports no answer.
`Answer.score` keeps the span's raw start + end logit, for diagnostics.

"No answer" (`QA_NO_ANSWER_RULE`, measured in `bench/quality.py`):

* `span` normalises P(span | window) over the window's context spans only
  (`span_log_normaliser`), right for SQuAD 1.1 models, which have no trained null.
* `null` normalises over the window's valid spans *plus* its [CLS] span
  (`null_log_normaliser`), the SQuAD 2.0 convention: when the model says "not here",
  every span read in that window keeps little probability, and the no-answer mass
  Σ P(window) × P(null | window) is what the shown answers lose.
* Either way, `question_overlap` gates answers whose sentence holds too little of the
  question (`QA_MIN_QUESTION_OVERLAP`), which needs no trained null at all.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from qa_engine.decoding import log_partition
from qa_engine.retrieval import analyze
from qa_engine.types import Passage


def log_sum_exp(values: Sequence[float]) -> float:
    """log Σ exp(values), stably; -inf entries (and an empty list) contribute nothing."""
    array = np.asarray(values, dtype=np.float64)
    return log_partition(array, array != -np.inf)


def passage_log_priors(retrieval_scores: Sequence[float], temperature: float) -> list[float]:
    """log softmax(score / temperature) over the passages read (uniform if all equal)."""
    scaled = [s / temperature for s in retrieval_scores]
    normaliser = log_sum_exp(scaled)
    return [s - normaliser for s in scaled]


def window_log_priors(
    passage_log_priors: Sequence[float], windows_per_passage: Mapping[int, int]
) -> dict[int, float]:
    """log P(window | question): a passage read in n windows gives each 1/n of its prior.

    Keys of `windows_per_passage` are indices into `passage_log_priors`.
    """
    return {
        index: passage_log_priors[index] - math.log(count)
        for index, count in windows_per_passage.items()
    }


def span_log_normaliser(start: np.ndarray, end: np.ndarray, context: np.ndarray) -> float:
    """log Σ_i Σ_j exp(start_i + end_j) over the window's context tokens.

    `start + end - span_log_normaliser(...)` is the pipeline's per-window span
    probability, log softmax(start) + log softmax(end), computed on raw logits.
    """
    return log_partition(start, context) + log_partition(end, context)


@dataclass(frozen=True, slots=True)
class SpanCandidate:
    """One span read in one window: where it is, and how sure the reader is of it."""

    passage: Passage
    start: int  # character offsets in the passage's document
    end: int
    score: float  # raw start + end logit
    log_confidence: float  # log P(window | question) + log P(span | window)

    @property
    def text(self) -> str:
        offset = self.passage.start
        return self.passage.text[self.start - offset : self.end - offset]


def merge_candidates(
    candidates: Sequence[SpanCandidate], top_k: int
) -> list[tuple[SpanCandidate, float]]:
    """The `top_k` best answers as (best candidate, confidence), most confident first.

    The same span reached through overlapping windows counts once (its best score); the
    same text (case- and space-insensitive) found in different places adds up, as in the
    pipeline, capped at 1. Ties go to the candidate with the higher single confidence.
    """
    by_location: dict[tuple[str, int, int], SpanCandidate] = {}
    for c in candidates:
        key = (c.passage.document_id, c.start, c.end)
        if key not in by_location or c.log_confidence > by_location[key].log_confidence:
            by_location[key] = c
    by_text: dict[str, tuple[SpanCandidate, float]] = {}
    for c in sorted(by_location.values(), key=lambda c: -c.log_confidence):
        text = c.text.strip().lower()
        confidence = math.exp(c.log_confidence)
        if text in by_text:
            best, total = by_text[text]
            by_text[text] = (best, total + confidence)
        else:
            by_text[text] = (c, confidence)
    ranked = sorted(by_text.values(), key=lambda item: (-item[1], -item[0].log_confidence))
    return [(c, min(1.0, confidence)) for c, confidence in ranked[:top_k]]


def null_log_normaliser(
    start: np.ndarray, end: np.ndarray, context: np.ndarray, *, max_answer_len: int
) -> float:
    """log of (exp(null) + Σ exp(start_i + end_j)) over the window's valid spans.

    Valid spans lie in the context with 0 ≤ j - i < `max_answer_len` (token positions);
    the null is the [CLS] span, start[0] + end[0], where SQuAD 2.0 models put "no answer".
    With it, P(span | window) + P(no answer | window) = 1 over the spans the reader can
    return, so a window whose model says "not here" gives every span in it little weight.
    """
    positions = np.flatnonzero(np.asarray(context, dtype=bool))
    null = float(start[0]) + float(end[0])
    if positions.size == 0:
        return null
    starts = np.asarray(start, dtype=np.float64)[positions]
    ends = np.asarray(end, dtype=np.float64)[positions]
    matrix = starts[:, None] + ends[None, :]
    length = positions[None, :] - positions[:, None]
    valid = (length >= 0) & (length < max_answer_len)
    values = np.append(matrix[valid], null)
    return log_partition(values, np.ones(values.shape, dtype=bool))


def null_log_probability(
    start: np.ndarray, end: np.ndarray, context: np.ndarray, *, max_answer_len: int
) -> float:
    """log P(no answer | window) under `null_log_normaliser`."""
    null = float(start[0]) + float(end[0])
    return null - null_log_normaliser(start, end, context, max_answer_len=max_answer_len)


def question_overlap(question: str, sentence: str) -> float:
    """Share of the question's content words (stems) that the sentence contains.

    The SQuAD 1.1 gate: a model trained only on answerable paragraphs has no "no answer"
    score, but an answer whose sentence shares little of the question is rarely right.
    1.0 when the question has no content words (nothing to check).
    """
    asked = set(analyze(question))
    if not asked:
        return 1.0
    return len(asked & set(analyze(sentence))) / len(asked)
