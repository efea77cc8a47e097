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
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qa_engine.decoding import log_partition


def log_sum_exp(values: Sequence[float]) -> float:
    """log Σ exp(values), stably; -inf entries (and an empty list) contribute nothing."""
    array = np.asarray(values, dtype=np.float64)
    return log_partition(array, array != -np.inf)


def passage_log_priors(retrieval_scores: Sequence[float], temperature: float) -> list[float]:
    """log softmax(score / temperature) over the passages read (uniform if all equal)."""
    scaled = [s / temperature for s in retrieval_scores]
    normaliser = log_sum_exp(scaled)
    return [s - normaliser for s in scaled]
