"""FAQ entries (`Q: … A: …`) and how questions match them."""

from __future__ import annotations

import pytest

from qa_engine.faq import (
    FAQ_CALIBRATION,
    MIN_FAQ_SIMILARITY,
    best_faq_match,
    faq_confidence,
    faq_entries,
    similarity,
)
from qa_engine.types import Passage

FAQ_TEXT = (
    "Team FAQ\n"
    "Q: How do I request a new laptop?\n"
    "A: File a ticket with IT and pick a model from the catalogue.\n"
    "Q: Where is the VPN config?\n"
    "A: In the wiki under Tools,\n"
    "next to the SSH guide.\n"
    "\n"
    "Question: When are expense reports due?\n"
    "Answer: By the fifth of every month.\n"
    "  q) Who approves holidays?\n"
    "  a) Your manager.\n"
)


def passage_of(text: str, start: int = 0, document_id: str = "faq") -> Passage:
    return Passage(document_id=document_id, index=0, start=start, end=start + len(text), text=text)


def test_faq_entries_parse_each_pair_with_document_offsets() -> None:
    prefix = "Some earlier passage text. "
    document = prefix + FAQ_TEXT
    passage = passage_of(FAQ_TEXT, start=len(prefix))

    entries = faq_entries(passage)

    assert [(e.question, e.answer) for e in entries] == [
        (
            "How do I request a new laptop?",
            "File a ticket with IT and pick a model from the catalogue.",
        ),
        ("Where is the VPN config?", "In the wiki under Tools,\nnext to the SSH guide."),
        ("When are expense reports due?", "By the fifth of every month."),
        ("Who approves holidays?", "Your manager."),
    ]
    for entry in entries:
        assert document[entry.answer_start : entry.answer_end] == entry.answer
        entry_text = document[entry.entry_start : entry.entry_end]
        assert entry.question in entry_text
        assert entry_text.endswith(entry.answer)
        assert entry.passage is passage


def test_text_without_pairs_has_no_entries() -> None:
    assert faq_entries(passage_of("Q3 results: revenue is up. A great quarter.")) == []
    assert faq_entries(passage_of("Q: a question with no answer line")) == []


@pytest.mark.parametrize(
    ("asked", "stored", "expected"),
    [
        ("How do I request a new laptop?", "How do I request a new laptop?", 1.0),
        ("how can I request laptops", "How do I request a new laptop?", 2 * 2 / (2 + 3)),
        ("Where is lunch?", "How do I request a new laptop?", 0.0),
        ("What is it?", "How do I request a new laptop?", 0.0),  # no content words
    ],
)
def test_similarity_is_the_dice_overlap_of_content_stems(
    asked: str, stored: str, expected: float
) -> None:
    assert similarity(asked, stored) == pytest.approx(expected)


def test_best_faq_match_picks_the_closest_stored_question() -> None:
    match = best_faq_match("When are the expense reports due?", [passage_of(FAQ_TEXT)])

    assert match is not None
    entry, score = match
    assert entry.answer == "By the fifth of every month."
    assert score == pytest.approx(1.0)


def test_best_faq_match_looks_across_passages() -> None:
    first = passage_of("Q: Where is the VPN config?\nA: In the wiki.", document_id="a")
    second = passage_of("Q: Who approves holidays?\nA: Your manager.", document_id="b")

    match = best_faq_match("Who approves my holidays?", [first, second])

    assert match is not None
    assert match[0].passage.document_id == "b"


def test_a_loosely_related_question_does_not_match() -> None:
    question = "Where can I buy a laptop bag?"
    assert similarity(question, "How do I request a new laptop?") < MIN_FAQ_SIMILARITY
    assert best_faq_match(question, [passage_of(FAQ_TEXT)]) is None


# -- calibrated confidence -----------------------------------------------------------------


def test_faq_confidence_is_zero_below_a_match_and_a_probability_above() -> None:
    assert faq_confidence(MIN_FAQ_SIMILARITY - 0.01) == 0.0
    assert faq_confidence(0.0) == 0.0
    for score in (MIN_FAQ_SIMILARITY, 0.7, 0.8, 0.9, 1.0):
        assert 0.0 < faq_confidence(score) < 1.0


def test_faq_confidence_follows_the_fitted_steps() -> None:
    assert faq_confidence(0.6) == FAQ_CALIBRATION[0][1]
    assert faq_confidence(0.8) == 0.93
    assert faq_confidence(0.9) == 0.987
    assert faq_confidence(1.0) == 0.997


def test_faq_confidence_never_falls_as_similarity_rises() -> None:
    scores = [MIN_FAQ_SIMILARITY + i / 400 for i in range(161)]
    confidences = [faq_confidence(s) for s in scores]
    assert confidences == sorted(confidences)
    assert confidences[0] < confidences[-1]
