"""`qabot ask` and `qabot eval`, run through click's runner in-process."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bot.cli import cli

CARD_CONTEXT = "My name is John and I live in Seattle"


@pytest.fixture
def runner(monkeypatch, trained_model_dir) -> CliRunner:
    monkeypatch.setenv("QA_MODEL", str(trained_model_dir))
    return CliRunner()


def test_ask_with_context_prints_the_answer(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["ask", "What's my name?", "--context", CARD_CONTEXT])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("1. John")


def test_ask_json_with_files_names_the_source(runner: CliRunner, tmp_path) -> None:
    (tmp_path / "me.txt").write_text(CARD_CONTEXT, "utf-8")
    (tmp_path / "other.txt").write_text("The meeting is on Monday. Bob likes tea.", "utf-8")
    result = runner.invoke(
        cli,
        [
            "ask",
            "Where do I live?",
            "--file",
            str(tmp_path / "other.txt"),
            "--file",
            str(tmp_path / "me.txt"),
            "--json",
            "--top-k",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)  # logs and progress bars go to stderr
    best = payload["answers"][0]
    assert best["answer"] == "Seattle"
    assert best["document_title"] == "me.txt"
    assert CARD_CONTEXT[best["start"] : best["end"]] == "Seattle"
    assert len(payload["answers"]) <= 2


def test_ask_without_anything_to_read_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["ask", "What's my name?"])
    assert result.exit_code == 2
    assert "--context" in result.output


def test_ask_with_a_missing_model_says_what_to_set(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("QA_MODEL", str(tmp_path / "missing"))
    result = CliRunner().invoke(cli, ["ask", "q?", "--context", "c"])
    assert result.exit_code == 1
    assert "QA_MODEL" in result.output
    assert "Traceback" not in result.output


def _squad_file(path, qas):
    data = {
        "version": "1.1",
        "data": [{"title": "t", "paragraphs": [{"context": CARD_CONTEXT, "qas": qas}]}],
    }
    path.write_text(json.dumps(data), "utf-8")


def test_eval_scores_and_writes_predictions(runner: CliRunner, tmp_path) -> None:
    squad = tmp_path / "squad.json"
    # One right ("John"), one wrong on purpose (gold "Portland"): EM 50, F1 50.
    _squad_file(
        squad,
        [
            {
                "id": "q1",
                "question": "What's my name?",
                "answers": [{"text": "John", "answer_start": 11}],
            },
            {
                "id": "q2",
                "question": "Where do I live?",
                "answers": [{"text": "Portland", "answer_start": 0}],
            },
        ],
    )
    predictions = tmp_path / "pred.json"
    result = runner.invoke(cli, ["eval", str(squad), "--predictions", str(predictions)])
    assert result.exit_code == 0, result.output
    assert "exact_match 50.00" in result.output
    assert "f1 50.00" in result.output
    assert json.loads(predictions.read_text("utf-8")) == {"q1": "John", "q2": "Seattle"}


def test_eval_rejects_a_file_that_is_not_squad(runner: CliRunner, tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": 1}', "utf-8")
    result = runner.invoke(cli, ["eval", str(bad)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output


# -- limits: refused before the model is touched (a missing model would say QA_MODEL) ----------


@pytest.fixture
def limited(monkeypatch, tmp_path) -> CliRunner:
    monkeypatch.setenv("QA_MODEL", str(tmp_path / "missing"))
    monkeypatch.setenv("QA_MAX_DOCUMENT_CHARS", "100")
    monkeypatch.setenv("QA_MAX_QUESTION_CHARS", "20")
    return CliRunner()


def _refused(result, expected: str) -> None:
    assert result.exit_code == 1, result.output
    assert f"Error: {expected}" in result.output
    assert "QA_MODEL" not in result.output  # refused before loading anything
    assert "Traceback" not in result.output


def test_ask_refuses_a_context_over_the_limit_naming_both_sizes(limited: CliRunner) -> None:
    result = limited.invoke(cli, ["ask", "q?", "--context", "ok", "--context", "x" * 101])
    _refused(result, "--context 2: That text is 101 characters; the limit is 100.")


def test_ask_accepts_a_context_of_exactly_the_limit(limited: CliRunner) -> None:
    result = limited.invoke(cli, ["ask", "q?", "--context", "x" * 100])
    assert result.exit_code == 1
    assert "QA_MODEL" in result.output  # got past the limits, to the (missing) model


def test_ask_refuses_a_file_of_nul_bytes(limited: CliRunner, tmp_path) -> None:
    path = tmp_path / "nul.txt"
    path.write_bytes(b"\x00" * 80)
    result = limited.invoke(cli, ["ask", "q?", "--file", str(path)])
    _refused(result, f"{path}: That text doesn't look like text: 100% of its characters")


def test_ask_refuses_a_huge_file_without_reading_it(limited: CliRunner, tmp_path) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"word " * 1_000)
    result = limited.invoke(cli, ["ask", "q?", "--file", str(path)])
    _refused(result, f"{path}: That file is 5,000 bytes, more than the limit of 100")


def test_ask_refuses_an_empty_file(limited: CliRunner, tmp_path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("\n\n", "utf-8")
    result = limited.invoke(cli, ["ask", "q?", "--file", str(path)])
    _refused(result, f"{path}: That text is empty")


def test_ask_refuses_a_question_over_the_limit(limited: CliRunner) -> None:
    result = limited.invoke(cli, ["ask", "Why " * 6, "--context", "text"])
    _refused(result, "That question is 24 characters; the limit is 20.")
def test_eval_checks_the_predictions_path_before_evaluating(
    runner: CliRunner, tmp_path, monkeypatch
) -> None:
    # It used to evaluate everything, then crash writing the file, and lose the scores.
    import qa_engine.cli

    engines: list[object] = []
    monkeypatch.setattr(qa_engine.cli, "QAEngine", lambda *a: engines.append(a))
    squad = tmp_path / "squad.json"
    gold = [{"text": "John", "answer_start": 11}]
    _squad_file(squad, [{"id": "q1", "question": "Who?", "answers": gold}])

    result = runner.invoke(
        cli, ["eval", str(squad), "--predictions", str(tmp_path / "nodir" / "p.json")]
    )

    assert result.exit_code == 1
    assert "can't write predictions to" in result.output and "nodir" in result.output
    assert "its folder does not exist" in result.output
    assert engines == []  # no model loaded, nothing evaluated
    assert not (tmp_path / "nodir").exists()


def test_eval_path_check_leaves_no_file_behind(tmp_path) -> None:
    from qa_engine.cli import check_writable

    fresh, existing = tmp_path / "new.json", tmp_path / "old.json"
    existing.write_text("keep", "utf-8")

    check_writable(fresh)
    check_writable(existing)

    assert not fresh.exists()
    assert existing.read_text("utf-8") == "keep"


def test_an_answer_with_line_breaks_stays_one_numbered_line() -> None:
    from qa_engine.cli import _result_text
    from qa_engine.types import Answer, AnswerResult

    text = "Deploy:\n  run make\n\nthen wait"
    answers = tuple(
        Answer(
            text=t,
            score=1.0,
            confidence=c,
            document_id="d",
            document_title="notes.txt",
            start=0,
            end=len(t),
            sentence=t,
            sentence_start=0,
            sentence_end=len(t),
        )
        for t, c in ((text, 0.6), ("second", 0.3))
    )

    lines = _result_text(AnswerResult("how?", answers, 1)).splitlines()

    assert lines == [
        "1. Deploy: run make then wait  (60%, from notes.txt)",
        "   “Deploy: run make then wait”",
        "2. second  (30%, from notes.txt)",
        "   “second”",
    ]
