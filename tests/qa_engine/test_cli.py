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
