"""Span decoding: pure functions over one window's start/end logits (numpy, no model).

Two decoders live here:

* `pipeline_window_spans` reproduces transformers 5.2.0's question-answering pipeline
  step by step (mask → per-window softmax → span matrix → top-k), so that exact mode
  returns the pipeline's answers and scores. The operations and their order follow that
  pipeline on purpose, float32 throughout, including how ties are broken.
* `logit_window_spans` ranks spans by raw logit sums, which stay comparable across
  windows and passages (per-window softmax probabilities do not); `qa_engine.scoring`
  turns them into confidences.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# What the pipeline writes into masked logits before its softmax.
MASKED_LOGIT = -10000.0


@dataclass(frozen=True, slots=True)
class WindowSpans:
    """Candidate spans of one window: token indices and their scores, best first."""

    starts: np.ndarray
    ends: np.ndarray
    scores: np.ndarray
    null_score: float


def answerable_mask(p_mask: np.ndarray, attention_mask: np.ndarray | None) -> np.ndarray:
    """1 where a token may start or end an answer (context tokens and CLS), else 0."""
    allowed = np.abs(np.asarray(p_mask) - 1)
    if attention_mask is not None:
        allowed = allowed & attention_mask
    return allowed


def top_span_indices(
    start: np.ndarray,
    end: np.ndarray,
    top_k: int,
    max_answer_len: int,
    allowed: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Best `top_k` spans of the (start × end) score matrix, end ≥ start, length capped.

    Spans touching a disallowed token are dropped *after* selecting the top k, as the
    pipeline does (which is why callers over-fetch candidates).
    """
    start = start[None] if start.ndim == 1 else start
    end = end[None] if end.ndim == 1 else end
    matrix = np.matmul(np.expand_dims(start, -1), np.expand_dims(end, 1))
    # Keep end >= start (triu) and end - start < max_answer_len (tril with offset).
    matrix = np.tril(np.triu(matrix), max_answer_len - 1)
    flat = matrix.flatten()
    if top_k == 1:
        order = [np.argmax(flat)]
    elif len(flat) < top_k:
        order = np.argsort(-flat)
    else:
        best = np.argpartition(-flat, top_k)[0:top_k]
        order = best[np.argsort(-flat[best])]
    starts, ends = np.unravel_index(order, matrix.shape)[1:]
    allowed_positions = allowed.nonzero()
    keep = np.isin(starts, allowed_positions) & np.isin(ends, allowed_positions)
    starts, ends = starts[keep], ends[keep]
    return starts, ends, matrix[0, starts, ends]


def pipeline_window_spans(
    start_logits: np.ndarray,
    end_logits: np.ndarray,
    p_mask: np.ndarray,
    attention_mask: np.ndarray | None,
    *,
    top_k: int,
    max_answer_len: int,
    handle_impossible_answer: bool,
    min_null_score: float,
) -> WindowSpans:
    """One window decoded exactly like transformers 5.2.0's pipeline.

    `start_logits`/`end_logits` have shape (1, window_len). Scores are products of
    per-window softmax probabilities; `null_score` carries the running minimum of the CLS
    ("no answer") probability across windows.
    """
    allowed = answerable_mask(p_mask, attention_mask)
    masked = allowed == 0.0
    start = np.where(masked, MASKED_LOGIT, start_logits)
    end = np.where(masked, MASKED_LOGIT, end_logits)

    start = np.exp(start - start.max(axis=-1, keepdims=True))
    start = start / start.sum()
    end = np.exp(end - end.max(axis=-1, keepdims=True))
    end = end / end.sum()

    if handle_impossible_answer:
        min_null_score = min(min_null_score, (start[0, 0] * end[0, 0]).item())
    # CLS may carry the null score but is never an answer span.
    start[0, 0] = end[0, 0] = 0.0
    starts, ends, scores = top_span_indices(start, end, top_k, max_answer_len, allowed)
    return WindowSpans(starts, ends, scores, min_null_score)


def logit_window_spans(
    start_logits: np.ndarray,
    end_logits: np.ndarray,
    context_mask: np.ndarray,
    *,
    top_k: int,
    max_answer_len: int,
) -> WindowSpans:
    """Top spans of one window by `start_logit + end_logit`, context tokens only.

    Works on raw logits so that scores of different windows can be compared. Shapes are
    (window_len,). `null_score` is the CLS span's logit sum (for models trained with a
    no-answer option).
    """
    context = np.asarray(context_mask, dtype=bool)
    if not context.any():
        empty = np.zeros(0, dtype=np.int64)
        return WindowSpans(empty, empty, np.zeros(0, dtype=np.float32), float("-inf"))
    positions = np.flatnonzero(context)
    start = start_logits[positions].astype(np.float64)
    end = end_logits[positions].astype(np.float64)
    # Scores of all (start, end) pairs among context tokens; invalid pairs get -inf.
    matrix = start[:, None] + end[None, :]
    length = positions[None, :] - positions[:, None]
    matrix[(length < 0) | (length >= max_answer_len)] = -np.inf
    flat = matrix.ravel()
    k = min(top_k, int(np.isfinite(flat).sum()))
    if k <= 0:
        empty = np.zeros(0, dtype=np.int64)
        return WindowSpans(empty, empty, np.zeros(0), float("-inf"))
    best = np.argpartition(-flat, k - 1)[:k]
    best = best[np.argsort(-flat[best], kind="stable")]
    rows, cols = np.unravel_index(best, matrix.shape)
    null = float(start_logits[0]) + float(end_logits[0])
    return WindowSpans(positions[rows], positions[cols], flat[best], null)


def log_partition(logits: np.ndarray, mask: np.ndarray) -> float:
    """log Σ exp(logits) over masked-in positions, computed stably (huge logits are fine)."""
    values = np.asarray(logits, dtype=np.float64)[np.asarray(mask, dtype=bool)]
    if values.size == 0:
        return float("-inf")
    peak = values.max()
    return float(peak + np.log(np.exp(values - peak).sum()))
