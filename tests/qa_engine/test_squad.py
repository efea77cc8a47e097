"""SQuAD v1.1 metrics on hand-computed cases, and the file loader."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from qa_engine.squad import (
    SquadQuestion,
    evaluate,
    exact_match,
    f1,
    load_squad,
    normalize_answer,
)


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("The Eiffel Tower", "eiffel tower"),
        ("  an   apple,  a pear!  ", "apple pear"),
        ("Theatre of the Absurd", "theatre of absurd"),  # "the" inside a word stays
        ("A.D. 1066", "ad 1066"),
        ("rock-'n'-roll", "rocknroll"),
        ("the", ""),
        ("", ""),
        ("Tab\tand\nnewline", "tab and newline"),
    ],
)
def test_normalize_answer(text: str, normalised: str) -> None:
    assert normalize_answer(text) == normalised


@pytest.mark.parametrize(
    ("prediction", "truth", "expected"),
    [
        ("The Eiffel Tower", "eiffel tower.", 1.0),
        ("Eiffel Tower", "the Eiffel tower", 1.0),
        ("Eiffel", "Eiffel Tower", 0.0),
        ("", "", 1.0),
        ("a", "the", 1.0),  # both normalise to nothing
    ],
)
def test_exact_match(prediction: str, truth: str, expected: float) -> None:
    assert exact_match(prediction, truth) == expected


@pytest.mark.parametrize(
    ("prediction", "truth", "expected"),
    [
        # precision 2/3 (big red dog vs red dog), recall 1 -> 2*(2/3)/(2/3+1) = 0.8
        ("the big red dog", "red dog", 0.8),
        ("red dog", "the big red dog", 0.8),
        ("Red, dog!", "red dog", 1.0),
        ("cat", "red dog", 0.0),
        # repeated tokens count once each: common = min(2,1) + 0 = 1; p = 1/2, r = 1/2
        ("dog dog", "dog cat", 0.5),
        # precision 1/4, recall 1/2 -> 2*(1/8)/(3/4) = 1/3
        ("one two three four", "four five", 1 / 3),
        # no common tokens, including an empty side
        ("", "red dog", 0.0),
        ("red dog", "", 0.0),
        ("", "", 0.0),
        ("the", "a", 0.0),
    ],
)
def test_f1(prediction: str, truth: str, expected: float) -> None:
    assert f1(prediction, truth) == pytest.approx(expected)


def _question(qid: str, *answers: str) -> SquadQuestion:
    return SquadQuestion(id=qid, question="q?", context="c", answers=answers)


def test_evaluate_takes_the_best_ground_truth_and_reports_percent() -> None:
    questions = [
        _question("1", "Denver Broncos", "the Broncos"),  # EM via the second truth
        _question("2", "red dog", "a large red dog"),  # best F1 0.8 ("big red dog" vs "red dog")
        _question("3", "1066"),  # wrong
    ]
    predictions = {"1": "Broncos", "2": "big red dog", "3": "1067"}

    scores = evaluate(questions, predictions)

    assert scores.count == 3
    assert scores.missing == 0
    assert scores.exact_match == pytest.approx(100 * 1 / 3)
    # F1 per question: 1.0, max(0.8, f1("big red dog", "large red dog") = 2/3) = 0.8, 0.
    assert scores.f1 == pytest.approx(100 * (1.0 + 0.8 + 0.0) / 3)


def test_evaluate_counts_a_missing_prediction_as_wrong() -> None:
    questions = [_question("1", "Paris"), _question("2", "Rome")]

    scores = evaluate(questions, {"1": "Paris", "unrelated": "Rome"})

    assert scores.missing == 1
    assert scores.exact_match == pytest.approx(50.0)
    assert scores.f1 == pytest.approx(50.0)


def test_an_empty_prediction_scores_zero_but_is_not_missing() -> None:
    scores = evaluate([_question("1", "Paris")], {"1": ""})
    assert (scores.exact_match, scores.f1, scores.missing) == (0.0, 0.0, 0)


def test_evaluate_of_no_questions_is_zero_not_a_division_error() -> None:
    scores = evaluate([], {})
    assert (scores.exact_match, scores.f1, scores.count, scores.missing) == (0.0, 0.0, 0, 0)


def test_scores_and_questions_are_frozen() -> None:
    scores = evaluate([_question("1", "x")], {"1": "x"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        scores.f1 = 0.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        _question("1", "x").id = "2"  # type: ignore[misc]


SQUAD_FILE = {
    "version": "1.1",
    "data": [
        {
            "title": "Normans",
            "paragraphs": [
                {
                    "context": "The Normans gave their name to Normandy.",
                    "qas": [
                        {
                            "id": "q1",
                            "question": "Who gave their name to Normandy?",
                            "answers": [
                                {"text": "The Normans", "answer_start": 0},
                                {"text": "Normans", "answer_start": 4},
                            ],
                        },
                        {
                            "id": "q2",
                            "question": "What is named after them?",
                            "answers": [{"text": "Normandy", "answer_start": 31}],
                        },
                    ],
                }
            ],
        },
        {
            "title": "Other",
            "paragraphs": [
                {
                    "context": "Oslo is in Norway.",
                    "qas": [
                        {
                            "id": "q3",
                            "question": "Where is Oslo?",
                            "answers": [{"text": "Norway", "answer_start": 11}],
                        }
                    ],
                }
            ],
        },
    ],
}


def _write(tmp_path: Path, payload: object, name: str = "squad.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


def test_load_squad_reads_every_question_in_order(tmp_path: Path) -> None:
    questions = load_squad(_write(tmp_path, SQUAD_FILE))

    assert [q.id for q in questions] == ["q1", "q2", "q3"]
    first = questions[0]
    assert first.question == "Who gave their name to Normandy?"
    assert first.context == "The Normans gave their name to Normandy."
    assert first.answers == ("The Normans", "Normans")
    assert questions[2].context == "Oslo is in Norway."
    for question in questions:
        for answer in question.answers:
            assert answer in question.context


def test_load_then_evaluate_round_trip(tmp_path: Path) -> None:
    questions = load_squad(str(_write(tmp_path, SQUAD_FILE)))
    scores = evaluate(questions, {"q1": "Normans", "q2": "Normandy.", "q3": "in Norway"})
    assert scores.exact_match == pytest.approx(100 * 2 / 3)
    # q3: "in norway" vs "norway": p = 1/2, r = 1 -> 2/3.
    assert scores.f1 == pytest.approx(100 * (1 + 1 + 2 / 3) / 3)


@pytest.mark.parametrize(
    "payload",
    [
        [],
        {"version": "1.1"},
        {"data": {"title": "not a list"}},
        {"data": [{"title": "no paragraphs"}]},
        {"data": [{"paragraphs": [{"qas": []}]}]},
        {"data": [{"paragraphs": [{"context": "c", "qas": [{"id": "1", "question": "q"}]}]}]},
        {"data": [{"paragraphs": [{"context": "c", "qas": [{"id": "1", "answers": []}]}]}]},
        {"data": [{"paragraphs": [{"context": 3, "qas": []}]}]},
        {"data": ["just a string"]},
    ],
)
def test_a_file_that_is_not_squad_shaped_is_a_clear_value_error(
    tmp_path: Path, payload: object
) -> None:
    path = _write(tmp_path, payload)
    with pytest.raises(ValueError, match="not a SQuAD") as caught:
        load_squad(path)
    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_file_that_is_not_json_is_a_clear_value_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Q: what?\nA: this is not JSON\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not a SQuAD") as caught:
        load_squad(path)
    assert str(path) in str(caught.value)
