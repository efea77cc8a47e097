"""How retrieval mode scores answers so that they compare across passages.

The pipeline normalises start/end logits with a softmax *per window*; a span that wins a
window of noise then looks as sure as a span that wins a window holding the answer, so
those probabilities cannot rank answers from different passages. Instead:

* **score** = `start_logit + end_logit` of the span: raw logits are on one scale for all
  windows a model reads, so this ranks candidates across passages and documents.
* **confidence** = the span's probability under one softmax shared by *all* windows read
  for the question ("shared normalisation"):

      confidence = exp(score − log Σ_w Σ_i exp(start_w,i) − log Σ_w Σ_j exp(end_w,j))

  where the sums run over the context tokens of every window read. It lies in [0, 1],
  equals the pipeline's probability when only one window is read, and falls when other
  passages hold competing candidates. Identical answer texts found in several places
  (say, two documents stating the same date) add their confidences, as the pipeline
  does within one context; the total is capped at 1.

Answers whose confidence is below the no-answer threshold are dropped; if none is left,
the engine reports no answer rather than noise.
"""

from __future__ import annotations

import math
from collections.abc import Iterable


def log_sum_exp(values: Iterable[float]) -> float:
    finite = [v for v in values if v != float("-inf")]
    if not finite:
        return float("-inf")
    peak = max(finite)
    return peak + math.log(sum(math.exp(v - peak) for v in finite))


def shared_confidence(score: float, log_z_start: float, log_z_end: float) -> float:
    """exp(score − log Z_start − log Z_end), clipped to [0, 1]."""
    if math.isinf(log_z_start) or math.isinf(log_z_end):
        return 0.0
    return min(1.0, max(0.0, math.exp(score - log_z_start - log_z_end)))
