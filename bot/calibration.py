"""A channel's no-answer threshold, set from its 👍/👎 votes. Pure: no Slack, no database.

Every vote is on an answer qabot showed, and carries that answer's confidence. For a
threshold `t`, the answers that would still be shown are the voted ones with confidence
≥ `t`, and their *precision* is the share of them people found helpful. The calibrated
threshold is the lowest `t` at which that precision reaches the channel's target
(`QA_TARGET_PRECISION`): the most answers for the precision asked. Thresholds are tried
only at the confidences voted on (as in a precision-recall curve): between two of them
there is no evidence either way.

Guards, each with its reason:

- **Enough votes.** Until the votes count for `MIN_VOTES` (20), the configured
  `QA_NO_ANSWER_THRESHOLD` stays in force: a handful of votes says little.
- **No one voter decides.** One person's votes count for at most `MAX_VOTER_SHARE` (a
  fifth) of the counted votes: someone with more has each vote weighed down so that all
  of them together weigh that fifth (see `voter_cap`). So a channel calibrates only once at
  least five people voted, and one person clicking 👎 (or 👍) on every answer moves the
  threshold no more than one fifth of the votes can. Voting again on the same answer
  replaces the earlier vote (storage keeps one per person per answer).
- **A sane band.** The threshold stays within [`LOWEST_THRESHOLD`, `HIGHEST_THRESHOLD`]:
  votes never make qabot show answers the model gives 2 %, nor silence it entirely. When
  no threshold reaches the target, the highest is used, and `/context stats` says the
  documents may be wrong or out of date — the fix is there, not in the threshold.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

MIN_VOTES = 20
"""Counted votes (after capping each voter) needed before the votes set the threshold."""
MAX_VOTER_SHARE = 0.2
"""The most one person's votes may weigh, as a share of all counted votes."""
LOWEST_THRESHOLD = 0.02
HIGHEST_THRESHOLD = 0.9
_TOLERANCE = 1e-9  # float sums compared with shares (0.2 × 50 is not exactly 10)


@dataclass(frozen=True, slots=True)
class Vote:
    """One person's 👍 (`helpful`) or 👎 on one answer, and the answer's confidence (None
    for votes stored before confidences were: they count in totals, not in calibration)."""

    user_id: str
    confidence: float | None
    helpful: bool


class Basis(StrEnum):
    """Why a threshold is in force."""

    DEFAULT = "default"
    """Too few votes (or voters): the configured `QA_NO_ANSWER_THRESHOLD`."""
    CALIBRATED = "calibrated"
    """The lowest threshold whose shown answers reach the target precision."""
    CEILING = "ceiling"
    """No threshold reaches the target: `HIGHEST_THRESHOLD`."""


@dataclass(frozen=True, slots=True)
class Calibration:
    """The threshold in force for one channel, and the votes behind it."""

    threshold: float
    basis: Basis
    target: float
    """The precision asked for (`QA_TARGET_PRECISION`)."""
    helpful: int
    """👍 votes, all of them."""
    unhelpful: int
    """👎 votes, all of them."""
    rated: int
    """Votes that carry their answer's confidence: the ones calibration can use."""
    voters: int
    """People who voted."""
    counted: float
    """The rated votes' total weight once each voter is capped (see `voter_cap`)."""
    precision: float | None
    """Share of helpful votes (weighted) among rated answers at or above `threshold`;
    None when no rated answer is."""
    min_votes: int = MIN_VOTES
    max_share: float = MAX_VOTER_SHARE

    @property
    def votes(self) -> int:
        return self.helpful + self.unhelpful


def calibrate(
    votes: Iterable[Vote],
    *,
    default: float,
    target: float,
    min_votes: int = MIN_VOTES,
    max_share: float = MAX_VOTER_SHARE,
    lowest: float = LOWEST_THRESHOLD,
    highest: float = HIGHEST_THRESHOLD,
) -> Calibration:
    """The threshold a channel with these votes answers with (see the module docstring)."""
    votes = list(votes)
    helpful = sum(v.helpful for v in votes)
    rated = [v for v in votes if v.confidence is not None]
    weights = vote_weights(rated, max_share)
    counted = sum(weights[v.user_id] for v in rated)
    if counted == 0:
        # Too few people to cap anyone: no calibration, and the reported precision is the
        # plain share of 👍.
        weights = dict.fromkeys(weights, 1.0)
    points = [(v.confidence, v.helpful, weights[v.user_id]) for v in rated]
    if counted + _TOLERANCE < min_votes:
        threshold, basis = default, Basis.DEFAULT
    else:
        found = lowest_threshold(points, target)
        if found is None:
            threshold, basis = highest, Basis.CEILING
        else:
            threshold, basis = min(highest, max(lowest, found)), Basis.CALIBRATED
    return Calibration(
        threshold=threshold,
        basis=basis,
        target=target,
        helpful=helpful,
        unhelpful=len(votes) - helpful,
        rated=len(rated),
        voters=len({v.user_id for v in votes}),
        counted=counted,
        precision=precision_at(points, threshold),
        min_votes=min_votes,
        max_share=max_share,
    )


def voter_cap(counts: Iterable[int], max_share: float) -> float:
    """The most votes one person may count for, so that nobody weighs more than `max_share`
    of the total: the largest `c` with `c ≤ max_share × Σ min(n, c)` over the voters'
    vote counts `n`.

    Voters with at most `c` votes count fully; the others count for `c`. 0 when only `c = 0`
    works, which is the case with fewer than `1 / max_share` voters.
    """
    ordered = sorted(n for n in counts if n > 0)
    if not ordered:
        return 0.0
    if ordered[-1] <= max_share * sum(ordered) + _TOLERANCE:
        return float(ordered[-1])  # nobody needs capping
    # With the `capped` largest voters at c, c = max_share × (rest + capped × c): solve for
    # c, and keep it if it lies between the largest uncapped count and the smallest capped
    # one. The first solution, from the fewest capped, is the largest.
    for capped in range(1, len(ordered) + 1):
        room = 1 - max_share * capped
        if room <= 0:
            break
        rest = ordered[: len(ordered) - capped]
        cap = max_share * sum(rest) / room
        if (rest[-1] if rest else 0) <= cap + _TOLERANCE and cap <= ordered[len(rest)]:
            return cap
    return 0.0


def vote_weights(votes: Sequence[Vote], max_share: float) -> dict[str, float]:
    """Each voter's weight per vote: 1, or `voter_cap / n` for someone with `n` votes over
    the cap (all their votes keep counting, each for less)."""
    counts: Mapping[str, int] = Counter(v.user_id for v in votes)
    cap = voter_cap(counts.values(), max_share)
    return {user: min(1.0, cap / n) for user, n in counts.items()}


def lowest_threshold(
    points: Sequence[tuple[float, bool, float]], target: float
) -> float | None:
    """The lowest voted confidence `t` at which the (confidence, helpful, weight) points
    with confidence ≥ `t` reach `target` precision; None if none does."""
    ordered = sorted(points, key=lambda point: point[0])
    total = sum(weight for _, _, weight in ordered)
    good = sum(weight for _, helpful, weight in ordered if helpful)
    index = 0
    while index < len(ordered):
        confidence = ordered[index][0]
        if total > _TOLERANCE and good + _TOLERANCE >= target * total:
            return confidence
        # Step past every point at this confidence: they are shown or hidden together.
        while index < len(ordered) and ordered[index][0] == confidence:
            _, helpful, weight = ordered[index]
            total -= weight
            good -= weight if helpful else 0.0
            index += 1
    return None


def precision_at(points: Sequence[tuple[float, bool, float]], threshold: float) -> float | None:
    """Weighted share of helpful points among those with confidence ≥ `threshold`."""
    shown = [(helpful, weight) for confidence, helpful, weight in points if confidence >= threshold]
    total = sum(weight for _, weight in shown)
    if total <= _TOLERANCE:
        return None
    return sum(weight for helpful, weight in shown if helpful) / total
