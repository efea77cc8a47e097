"""FAQ lookups: documents written as `Q: … A: …` pairs answer with their stored answer.

A team's FAQ already says exactly what the answer is; extracting a span from it would
only cut it short. A question matches a stored one when they share most content words
(stems), measured as the overlap of their word sets; `faq_confidence` turns that overlap
into the probability shown as the answer's confidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from qa_engine.retrieval import analyze
from qa_engine.types import Passage

_QA_PAIR = re.compile(
    r"^[ \t]*Q(?:uestion)?[ \t]*[:.)][ \t]*(?P<q>.+?)[ \t]*\n"
    r"[ \t]*A(?:nswer)?[ \t]*[:.)][ \t]*(?P<a>.+?)(?=\n[ \t]*Q(?:uestion)?[ \t]*[:.)]|\n\s*\n|\Z)",
    re.IGNORECASE | re.MULTILINE | re.DOTALL,
)

# How much of the two questions' words must coincide (Dice coefficient of stem sets).
MIN_FAQ_SIMILARITY = 0.6

# Similarity → probability that the stored answer is right: (lowest similarity, P) steps of
# an isotonic fit on 2,000 synthetic FAQ questions, half asking an entry in other words and
# half asking the same kind of fact about someone the FAQ does not cover (`bench/quality.py
# --faq 2000`). It puts FAQ matches on the reader's scale, so `QA_NO_ANSWER_THRESHOLD`
# applies to both; with fewer uncovered questions than half, matches are right more often.
FAQ_CALIBRATION: tuple[tuple[float, float], ...] = (
    (0.5714, 0.70),
    (0.75, 0.93),
    (0.8571, 0.987),
    (1.0, 0.997),
)


@dataclass(frozen=True, slots=True)
class FaqEntry:
    question: str
    answer: str
    answer_start: int  # character offsets of the answer in the passage's document
    answer_end: int
    entry_start: int  # the whole "Q: … A: …" entry, for highlighting
    entry_end: int
    passage: Passage


def faq_entries(passage: Passage) -> list[FaqEntry]:
    """The Q/A pairs written in a passage, with offsets in its document."""
    entries = []
    for match in _QA_PAIR.finditer(passage.text):
        answer = match.group("a").strip()
        if not answer:
            continue
        answer_start = match.start("a") + (len(match.group("a")) - len(match.group("a").lstrip()))
        entries.append(
            FaqEntry(
                question=match.group("q").strip(),
                answer=answer,
                answer_start=passage.start + answer_start,
                answer_end=passage.start + answer_start + len(answer),
                entry_start=passage.start + match.start(),
                entry_end=passage.start + answer_start + len(answer),
                passage=passage,
            )
        )
    return entries


def similarity(question: str, stored_question: str) -> float:
    """Dice coefficient of the two questions' content-word stems (0 to 1)."""
    asked, stored = set(analyze(question)), set(analyze(stored_question))
    if not asked or not stored:
        return 0.0
    return 2 * len(asked & stored) / (len(asked) + len(stored))


def faq_confidence(similarity_score: float) -> float:
    """Calibrated probability that an FAQ match of this similarity answers the question;
    0 below `MIN_FAQ_SIMILARITY` (not a match)."""
    if similarity_score < MIN_FAQ_SIMILARITY:
        return 0.0
    probability = FAQ_CALIBRATION[0][1]
    for low, fitted in FAQ_CALIBRATION:
        if similarity_score >= low:
            probability = fitted
    return probability


def best_faq_match(question: str, passages: Iterable[Passage]) -> tuple[FaqEntry, float] | None:
    """The stored Q/A whose question best matches, if it matches well enough."""
    best: tuple[FaqEntry, float] | None = None
    for passage in passages:
        for entry in faq_entries(passage):
            score = similarity(question, entry.question)
            if score >= MIN_FAQ_SIMILARITY and (best is None or score > best[1]):
                best = (entry, score)
    return best


def entry_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the Q/A entries in `text`, from the question to the answer's end."""
    return [(match.start(), match.end("a")) for match in _QA_PAIR.finditer(text)]
