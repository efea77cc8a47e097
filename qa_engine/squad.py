"""SQuAD v1.1 evaluation: exact match and token F1 of predicted answers, in percent.

Implements the v1.1 metric as its specification describes it: both sides are normalised
(lower-cased, punctuation and the articles "a"/"an"/"the" removed, whitespace collapsed),
each question scores the best match over its ground-truth answers, and the totals are
averaged over all questions and multiplied by 100. A question without a prediction scores
0 and is counted in `SquadScores.missing`, so a partial prediction file cannot look better
than it is.
"""

from __future__ import annotations

import json
import re
import string
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_PUNCTUATION = frozenset(string.punctuation)
_ARTICLES = re.compile(r"\b(a|an|the)\b")


@dataclass(frozen=True, slots=True)
class SquadQuestion:
    """One SQuAD question with its context and every accepted answer text."""

    id: str
    question: str
    context: str
    answers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SquadScores:
    """Averages over all questions, in percent (0-100) like the official script."""

    exact_match: float
    f1: float
    count: int
    missing: int


def normalize_answer(text: str) -> str:
    """Lower-case, drop punctuation, drop the articles a/an/the, collapse whitespace."""
    text = text.lower()
    text = "".join(ch for ch in text if ch not in _PUNCTUATION)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def exact_match(prediction: str, truth: str) -> float:
    """1.0 when both texts are equal after normalisation, else 0.0."""
    return float(normalize_answer(prediction) == normalize_answer(truth))


def f1(prediction: str, truth: str) -> float:
    """Harmonic mean of token precision and recall after normalisation (0.0 to 1.0).

    As in v1.1, tokens are compared as multisets, and no shared token (which includes
    either side normalising to nothing) scores 0.
    """
    predicted = normalize_answer(prediction).split()
    expected = normalize_answer(truth).split()
    common = sum((Counter(predicted) & Counter(expected)).values())
    if common == 0:
        return 0.0
    precision = common / len(predicted)
    recall = common / len(expected)
    return 2 * precision * recall / (precision + recall)


def best_over_truths(
    metric: Callable[[str, str], float], prediction: str, truths: Iterable[str]
) -> float:
    """The metric of `prediction` against its best-matching ground truth (0 if none)."""
    return max((metric(prediction, truth) for truth in truths), default=0.0)


def evaluate(questions: Sequence[SquadQuestion], predictions: Mapping[str, str]) -> SquadScores:
    """Score `predictions` (question id → answer text) against `questions`."""
    exact_total = f1_total = 0.0
    missing = 0
    for question in questions:
        prediction = predictions.get(question.id)
        if prediction is None:
            missing += 1
            continue
        exact_total += best_over_truths(exact_match, prediction, question.answers)
        f1_total += best_over_truths(f1, prediction, question.answers)
    count = len(questions)
    scale = 100.0 / count if count else 0.0
    return SquadScores(
        exact_match=exact_total * scale, f1=f1_total * scale, count=count, missing=missing
    )


def load_squad(path: str | Path) -> list[SquadQuestion]:
    """Questions of a SQuAD v1.1 JSON file, in file order.

    Raises `ValueError` naming the file and what is wrong with it when it is not JSON or
    not shaped like SQuAD (`{"data": [{"paragraphs": [{"context", "qas": [...]}]}]}`).
    """
    path = Path(path)
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path} is not a SQuAD file: it is not UTF-8 JSON ({error}).") from None
    try:
        return list(_questions(payload))
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(
            f"{path} is not a SQuAD v1.1 file ({_describe(error)}). Expected "
            '{"data": [{"paragraphs": [{"context": ..., "qas": [{"id": ..., '
            '"question": ..., "answers": [{"text": ...}]}]}]}]}.'
        ) from None


def _questions(payload: Any) -> Iterable[SquadQuestion]:
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        raise KeyError("data")
    for article in payload["data"]:
        for paragraph in article["paragraphs"]:
            context = paragraph["context"]
            if not isinstance(context, str):
                raise TypeError("a paragraph's context is not text")
            for qa in paragraph["qas"]:
                answers = tuple(str(answer["text"]) for answer in qa["answers"])
                yield SquadQuestion(
                    id=str(qa["id"]), question=str(qa["question"]), context=context, answers=answers
                )


def _describe(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"missing key {error.args[0]!r}"
    return str(error) or type(error).__name__
