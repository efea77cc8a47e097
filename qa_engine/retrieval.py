"""BM25 passage ranking for ad-hoc documents, and the question analysis rankers share.

Storage-backed rankers (the Slack app's SQLite FTS5 and PostgreSQL ones) implement the same
`PassageRanker` protocol, use `question_terms` so all rank on the same words, and score with
the same BM25 (`bm25_idf`, `BM25_K1`, `BM25_B`).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from qa_engine.types import Passage, RankedPassage

_WORD = re.compile(r"\w+", re.UNICODE)

# Question words and glue words: they say what kind of answer is wanted, not where it is.
STOPWORDS = frozenset(
    """
    a about an and any are as at be been being but by can could did do does doing for from
    had has have how i if in into is it its me my of on or our s should so than that the
    their them then there these they this those to us was we were what when where which
    who whom whose why will with would you your t d ll m re ve
    """.split()
)


BM25_K1 = 1.2
"""How quickly repeating a word stops adding to a passage's score."""
BM25_B = 0.75
"""How much a long passage's score is discounted for its length (0: not at all)."""


def bm25_idf(passages: int, with_term: int) -> float:
    """BM25's weight of a word found in `with_term` of `passages` passages.

    The "+ 1" inside the log (Lucene's form) keeps it positive even for a word in most
    passages, so a match never lowers a score. Storage rankers use it too, so their scores
    and the in-memory ones mean the same.
    """
    return math.log(1 + (passages - with_term + 0.5) / (with_term + 0.5))


def stem(word: str) -> str:
    """A deliberately light suffix stripper so "lives", "lived" and "living" meet "live"."""
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if len(word) >= len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def analyze(text: str) -> list[str]:
    """Lower-cased, stemmed content words of `text`."""
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


def question_terms(question: str) -> list[str]:
    """Distinct content words of a question, unstemmed, in order (for query builders)."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(question.lower()):
        if word not in STOPWORDS:
            seen.setdefault(word, None)
    return list(seen)


class InMemoryBM25Ranker:
    """Okapi BM25 over passages held in memory, with an inverted index.

    When the whole collection fits in `limit`, every passage is returned (matching ones
    first): reading them all costs no more, and the model may find an answer that shares
    no word with the question.
    """

    def __init__(
        self, passages: Iterable[Passage], *, k1: float = BM25_K1, b: float = BM25_B
    ) -> None:
        self.passages: list[Passage] = list(passages)
        self._k1 = k1
        self._b = b
        self._postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self._lengths: list[int] = []
        for index, passage in enumerate(self.passages):
            terms = analyze(passage.text)
            self._lengths.append(len(terms))
            for term, count in Counter(terms).items():
                self._postings[term].append((index, count))
        count = len(self.passages)
        self._average_length = (sum(self._lengths) / count) if count else 0.0
        self._idf = {
            term: bm25_idf(count, len(postings)) for term, postings in self._postings.items()
        }

    def rank(self, question: str, limit: int) -> Sequence[RankedPassage]:
        scores: dict[int, float] = defaultdict(float)
        for term in set(analyze(question)):
            idf = self._idf.get(term)
            if idf is None:
                continue
            for index, tf in self._postings[term]:
                norm = 1 - self._b + self._b * self._lengths[index] / (self._average_length or 1)
                scores[index] += idf * tf * (self._k1 + 1) / (tf + self._k1 * norm)
        if len(self.passages) <= limit:
            order = sorted(range(len(self.passages)), key=lambda i: (-scores.get(i, 0.0), i))
        else:
            order = sorted(scores, key=lambda i: (-scores[i], i))[:limit]
        return [RankedPassage(self.passages[i], scores.get(i, 0.0)) for i in order]
