"""Typed values that cross the engine's boundary.

Everything here is a frozen dataclass or a Protocol: the Slack app (and any other caller)
builds `Document`s, implements `PassageRanker` over its own storage if it has one, and gets
`Answer`s back. Nothing here imports torch or transformers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class Document:
    """A text a question may be answered from. `id` is the caller's own key."""

    id: str
    text: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class Passage:
    """A sentence-aligned slice of one document, short enough to read in one window.

    `start`/`end` are character offsets of the slice in the document's text, so
    `document.text[start:end] == text`.
    """

    document_id: str
    index: int
    start: int
    end: int
    text: str
    document_title: str = ""


@dataclass(frozen=True, slots=True)
class RankedPassage:
    """A passage with its retrieval score (higher is more relevant; only the order matters)."""

    passage: Passage
    score: float


@runtime_checkable
class PassageRanker(Protocol):
    """Ranks stored passages against a question; the engine reads only the top ones.

    Implementations: `qa_engine.retrieval.InMemoryBM25Ranker` for ad-hoc documents, and the
    Slack app's SQLite (FTS5) and PostgreSQL (tsvector) rankers over a channel's stored
    passages.
    """

    def rank(self, question: str, limit: int) -> Sequence[RankedPassage]:
        """Return at most `limit` passages, most relevant first."""
        ...


@dataclass(frozen=True, slots=True)
class Answer:
    """One extracted answer.

    `start`/`end` are character offsets in the *document's* text (not the passage's), and
    `sentence_start`/`sentence_end` bound the sentence around the answer in the same text,
    so a caller can highlight `document.text[start:end]` inside `sentence`.
    `score` is the raw span logit sum (comparable across passages and questions of one
    model); `confidence` is a probability in [0, 1] (see `qa_engine.scoring`).
    """

    text: str
    score: float
    confidence: float
    document_id: str
    document_title: str
    start: int
    end: int
    sentence: str
    sentence_start: int
    sentence_end: int


@dataclass(frozen=True, slots=True)
class AnswerResult:
    """What `QAEngine.answer` returns: answers best first, or none with a reason.

    `answers` is empty when nothing cleared the no-answer threshold, when there were no
    documents, or when the question was blank; `no_answer_reason` says which, in words a
    user can read.
    """

    question: str
    answers: tuple[Answer, ...]
    passages_read: int
    no_answer_reason: str | None = None

    @property
    def best(self) -> Answer | None:
        return self.answers[0] if self.answers else None
