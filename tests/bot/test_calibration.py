"""`bot.calibration`: a channel's threshold from simulated votes. No model, no Slack."""

from __future__ import annotations

import random

import pytest

from bot.calibration import (
    HIGHEST_THRESHOLD,
    LOWEST_THRESHOLD,
    MAX_VOTER_SHARE,
    MIN_VOTES,
    Basis,
    Vote,
    calibrate,
    lowest_threshold,
    precision_at,
    vote_weights,
    voter_cap,
)

DEFAULT = 0.1
TARGET = 0.8


def honest_channel(
    seed: int = 0,
    *,
    voters: int = 10,
    votes: int = 200,
    cutoff: float = 0.4,
    good_below: float = 0.15,
    good_above: float = 0.95,
) -> list[Vote]:
    """Answers with confidence spread over [0.1, 1); below `cutoff` they help rarely
    (`good_below`), above it mostly (`good_above`). Votes spread over `voters` people."""
    rng = random.Random(seed)
    result = []
    for i in range(votes):
        confidence = round(rng.uniform(0.1, 1.0), 4)
        chance = good_below if confidence < cutoff else good_above
        result.append(Vote(f"U{i % voters}", confidence, rng.random() < chance))
    return result


def brute_force_threshold(votes: list[Vote], target: float) -> float | None:
    """The lowest voted confidence whose shown answers reach `target`, by trying each."""
    weights = vote_weights([v for v in votes if v.confidence is not None], MAX_VOTER_SHARE)
    for t in sorted({v.confidence for v in votes if v.confidence is not None}):
        shown = [v for v in votes if v.confidence is not None and v.confidence >= t]
        total = sum(weights[v.user_id] for v in shown)
        good = sum(weights[v.user_id] for v in shown if v.helpful)
        if total and good / total >= target - 1e-9:
            return t
    return None


def calibrated(votes: list[Vote], **options) -> float:
    options.setdefault("target", TARGET)
    return calibrate(votes, default=DEFAULT, **options).threshold


# -- the rule ----------------------------------------------------------------------------------


def test_mostly_unhelpful_low_confidence_answers_raise_the_threshold():
    # Below 0.4, 15 % of answers helped; above, 85 %.
    votes = honest_channel(good_above=0.85)

    calibration = calibrate(votes, default=DEFAULT, target=TARGET)

    assert calibration.basis is Basis.CALIBRATED
    # From the default 0.1 up to about where answers start to help.
    assert 0.3 < calibration.threshold <= 0.4
    assert calibration.precision is not None and calibration.precision >= TARGET
    assert calibration.threshold == brute_force_threshold(votes, TARGET)


def test_the_threshold_is_the_lowest_that_reaches_the_target():
    # Confidences 0.2 ... 0.9; 👎 at 0.2 and 0.3, 👍 above: precision from 0.2 is 7/9 < 0.8,
    # from 0.3 it is 7/8 ≥ 0.8. So 0.3, not 0.4 (also ≥ 0.8) nor 0.2.
    confidences = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]
    votes = [
        Vote(f"U{u}", c, c > 0.3) for u in range(5) for c in confidences
    ]

    calibration = calibrate(votes, default=DEFAULT, target=TARGET)

    assert calibration.threshold == 0.3
    assert calibration.precision == pytest.approx(7 / 8)


def test_answers_at_exactly_the_threshold_count_as_shown():
    points = [(0.5, True, 1.0), (0.5, True, 1.0), (0.4, False, 1.0)]

    assert lowest_threshold(points, 1.0) == 0.5
    assert precision_at(points, 0.5) == 1.0
    assert precision_at(points, 0.4) == pytest.approx(2 / 3)
    assert precision_at(points, 0.6) is None


def test_votes_at_one_confidence_are_shown_or_hidden_together():
    # At 0.5: one 👍 and one 👎 (the answer the same, voters differ). The threshold can't
    # keep one and drop the other.
    points = [(0.5, False, 1.0), (0.5, True, 1.0), (0.9, True, 1.0)]

    assert lowest_threshold(points, 0.8) == 0.9


def test_a_channel_whose_answers_all_help_may_go_below_the_default():
    votes = [Vote(f"U{i % 5}", 0.05 + i * 0.01, True) for i in range(25)]

    assert calibrated(votes) == pytest.approx(0.05)


def test_the_threshold_never_goes_below_the_band():
    votes = [Vote(f"U{i % 5}", 0.001 * (i + 1), True) for i in range(25)]

    calibration = calibrate(votes, default=DEFAULT, target=TARGET)

    assert calibration.threshold == LOWEST_THRESHOLD
    assert calibration.basis is Basis.CALIBRATED


def test_the_threshold_never_goes_above_the_band():
    # Only the answers at 0.97 and up helped.
    votes = [Vote(f"U{i % 5}", 0.5, False) for i in range(20)]
    votes += [Vote(f"U{i % 5}", 0.97, True) for i in range(5)]

    calibration = calibrate(votes, default=DEFAULT, target=TARGET)

    assert calibration.threshold == HIGHEST_THRESHOLD
    assert calibration.basis is Basis.CALIBRATED


def test_when_no_threshold_reaches_the_target_the_highest_is_used():
    votes = [Vote(f"U{i % 5}", 0.3 + i * 0.02, i % 3 == 0) for i in range(30)]

    calibration = calibrate(votes, default=DEFAULT, target=0.99)

    assert calibration.basis is Basis.CEILING
    assert calibration.threshold == HIGHEST_THRESHOLD


def test_a_higher_target_precision_never_lowers_the_threshold():
    votes = honest_channel(seed=3)

    thresholds = [calibrated(votes, target=t) for t in (0.5, 0.7, 0.8, 0.9, 0.95)]

    assert thresholds == sorted(thresholds)
    assert thresholds[0] < thresholds[-1]


@pytest.mark.parametrize("seed", range(20))
def test_random_channels_agree_with_brute_force(seed: int):
    rng = random.Random(seed)
    votes = honest_channel(
        seed,
        voters=rng.randint(5, 12),
        votes=rng.randint(20, 120),
        cutoff=rng.uniform(0.2, 0.7),
        good_below=rng.uniform(0.0, 0.5),
    )
    # A few duplicated confidences, as the same answer voted on by several people.
    votes += [Vote(f"U{i}", votes[0].confidence, i % 2 == 0) for i in range(3)]
    target = rng.uniform(0.6, 0.95)

    calibration = calibrate(votes, default=DEFAULT, target=target)

    expected = brute_force_threshold(votes, target)
    if expected is None:
        assert calibration.basis is Basis.CEILING
    else:
        assert calibration.threshold == min(HIGHEST_THRESHOLD, max(LOWEST_THRESHOLD, expected))


# -- enough votes -------------------------------------------------------------------------------


def test_fewer_than_twenty_votes_keep_the_default():
    # 19 people each 👎 a confident answer: a strong signal, but too little of it.
    votes = [Vote(f"U{i}", 0.9, False) for i in range(MIN_VOTES - 1)]

    calibration = calibrate(votes, default=DEFAULT, target=TARGET)

    assert calibration.basis is Basis.DEFAULT
    assert calibration.threshold == DEFAULT
    assert (calibration.helpful, calibration.unhelpful, calibration.voters) == (0, 19, 19)


def test_the_twentieth_vote_starts_calibration():
    votes = [Vote(f"U{i}", 0.9, False) for i in range(MIN_VOTES - 1)]
    votes.append(Vote("U99", 0.95, True))

    calibration = calibrate(votes, default=DEFAULT, target=TARGET)

    assert calibration.basis is Basis.CALIBRATED
    assert calibration.threshold == HIGHEST_THRESHOLD  # only 0.95 helped, clamped to the band


def test_votes_without_a_confidence_are_counted_but_do_not_calibrate():
    old = [Vote(f"U{i}", None, i % 2 == 0) for i in range(30)]

    calibration = calibrate(old, default=DEFAULT, target=TARGET)

    assert calibration.basis is Basis.DEFAULT
    assert (calibration.helpful, calibration.unhelpful, calibration.rated) == (15, 15, 0)
    assert calibration.voters == 30  # people who voted, whether their votes calibrate
    assert calibration.precision is None


def test_precision_is_reported_at_the_default_too():
    votes = [Vote("U1", 0.05, False), Vote("U2", 0.5, True), Vote("U3", 0.6, False)]

    calibration = calibrate(votes, default=DEFAULT, target=TARGET)

    assert calibration.basis is Basis.DEFAULT
    assert calibration.precision == pytest.approx(1 / 2)  # the 0.05 answer isn't shown


# -- one voter can't move it ----------------------------------------------------------------------


def test_one_spamming_voter_cannot_lower_the_threshold():
    honest = honest_channel(seed=1, voters=8, votes=80)
    before = calibrated(honest)
    # 500 👍 from one account on weak answers, to get them shown.
    rng = random.Random(7)
    spam = [Vote("USPAM", round(rng.uniform(0.1, 0.25), 4), True) for _ in range(500)]

    after = calibrate(honest + spam, default=DEFAULT, target=TARGET)

    assert after.threshold == pytest.approx(before, abs=0.02)
    assert after.voters == 9
    # What the cap prevents: counted in full, the spam sets the threshold.
    assert calibrated(honest + spam, max_share=1.0) < 0.25 < before


@pytest.mark.parametrize("kindness", [0.2, 0.95])
def test_votes_beyond_a_voters_share_change_nothing(kindness: float):
    # One person's 20 votes already weigh a fifth of this channel; the same opinions
    # repeated 25 times over (500 votes) weigh exactly the same.
    honest = honest_channel(seed=4, voters=8, votes=80)
    rng = random.Random(5)
    opinions = [
        Vote("USPAM", round(rng.uniform(0.1, 1.0), 4), rng.random() < kindness)
        for _ in range(20)
    ]

    fair = calibrate(honest + opinions, default=DEFAULT, target=TARGET)
    spammed = calibrate(honest + opinions * 25, default=DEFAULT, target=TARGET)

    assert spammed.threshold == fair.threshold
    assert spammed.precision == pytest.approx(fair.precision)
    assert spammed.counted == pytest.approx(fair.counted)
    assert calibrated(honest + opinions * 25, max_share=1.0) != fair.threshold


def test_a_spammer_weighs_at_most_a_fifth_of_the_counted_votes():
    honest = honest_channel(seed=2, voters=6, votes=60)
    spam = [Vote("USPAM", 0.2, True) for _ in range(1000)]

    weights = vote_weights(honest + spam, MAX_VOTER_SHARE)
    spam_weight = weights["USPAM"] * len(spam)
    total = spam_weight + sum(weights[v.user_id] for v in honest)

    assert spam_weight == pytest.approx(MAX_VOTER_SHARE * total)


def test_one_voter_alone_never_calibrates():
    votes = [Vote("U1", 0.1 + i * 0.008, i > 50) for i in range(100)]

    calibration = calibrate(votes, default=DEFAULT, target=TARGET)

    assert calibration.basis is Basis.DEFAULT
    assert calibration.counted == 0
    assert calibration.voters == 1


def test_four_voters_never_calibrate_five_do():
    four = [Vote(f"U{i % 4}", 0.5, True) for i in range(200)]
    five = [Vote(f"U{i % 5}", 0.5, True) for i in range(20)]

    assert calibrate(four, default=DEFAULT, target=TARGET).basis is Basis.DEFAULT
    assert calibrate(five, default=DEFAULT, target=TARGET).basis is Basis.CALIBRATED


def test_voter_cap_values():
    assert voter_cap([], 0.2) == 0
    assert voter_cap([10] * 5, 0.2) == 10  # five equal voters: nobody is capped
    assert voter_cap([5, 5, 5, 5, 200], 0.2) == pytest.approx(5)
    assert voter_cap([1, 1, 1, 1, 1, 100], 0.2) == pytest.approx(1.25)
    assert voter_cap([50, 50, 50, 50], 0.2) == 0  # four people can't each be ≤ a fifth
    assert voter_cap([3, 9], 1.0) == 9


@pytest.mark.parametrize("seed", range(30))
def test_voter_cap_is_the_largest_cap_that_keeps_everyone_within_the_share(seed: int):
    rng = random.Random(seed)
    counts = [rng.choice([1, 2, 3, 5, 8, 40, 300]) for _ in range(rng.randint(1, 15))]
    share = rng.choice([0.1, 0.2, 0.25, 0.5])

    cap = voter_cap(counts, share)

    def weighed(c: float) -> float:
        return sum(min(n, c) for n in counts)

    assert cap <= share * weighed(cap) + 1e-9
    assert all(min(n, cap) <= share * weighed(cap) + 1e-9 for n in counts)
    if cap < max(counts):  # a larger cap would break the share
        bigger = cap + 1e-6
        assert bigger > share * weighed(bigger)
