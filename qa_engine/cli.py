"""Engine commands of the `qabot` CLI: `ask` and `eval` (the app adds `serve`, `migrate`)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from qa_engine.engine import QAEngine
from qa_engine.limits import document_problem, question_problem
from qa_engine.model_loading import ModelLoadError
from qa_engine.settings import EngineSettings
from qa_engine.types import AnswerResult, Document


@click.command()
@click.argument("question")
@click.option("--context", "contexts", multiple=True, help="Text to answer from (repeatable).")
@click.option(
    "--file",
    "files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="UTF-8 text file to answer from (repeatable).",
)
@click.option("--top-k", type=click.IntRange(min=1), default=None, help="How many answers.")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def ask(
    question: str,
    contexts: Sequence[str],
    files: Sequence[Path],
    top_k: int | None,
    as_json: bool,
) -> None:
    """Answer QUESTION from the given contexts and files."""
    settings = EngineSettings()
    max_chars = settings.qa_max_document_chars
    if problem := question_problem(question, max_chars=settings.qa_max_question_chars):
        raise click.ClickException(problem)
    documents = []
    for i, text in enumerate(contexts, start=1):
        if problem := document_problem(text, max_chars=max_chars):
            raise click.ClickException(f"--context {i}: {problem}")
        documents.append(Document(id=f"context-{i}", text=text, title=f"--context {i}"))
    for path in files:
        text = _read_text_file(path, max_chars=max_chars)
        if problem := document_problem(text, max_chars=max_chars):
            raise click.ClickException(f"{path}: {problem}")
        documents.append(Document(id=str(path), text=text, title=path.name))
    if not documents:
        raise click.UsageError("give something to answer from: --context TEXT or --file PATH")
    engine = QAEngine(settings)
    try:
        result = engine.answer(question, documents=documents, top_k=top_k)
    except ModelLoadError as error:
        raise click.ClickException(str(error)) from error
    click.echo(_result_json(result) if as_json else _result_text(result))


def _read_text_file(path: Path, *, max_chars: int) -> str:
    # UTF-8 takes at most 4 bytes a character, so a file this large is over the limit
    # whatever it holds; say so without reading gigabytes into memory first.
    size = path.stat().st_size
    if size > 4 * max_chars:
        raise click.ClickException(
            f"{path}: That file is {size:,} bytes, more than the limit of {max_chars:,} "
            "characters can hold. Split it into several documents."
        )
    try:
        return path.read_text("utf-8")
    except UnicodeDecodeError as error:
        raise click.UsageError(f"{path} is not UTF-8 text ({error.reason})") from error


def _result_json(result: AnswerResult) -> str:
    return json.dumps(
        {
            "question": result.question,
            "answers": [
                {
                    "answer": a.text,
                    "confidence": round(a.confidence, 4),
                    "score": round(a.score, 4),
                    "document_id": a.document_id,
                    "document_title": a.document_title,
                    "start": a.start,
                    "end": a.end,
                    "sentence": a.sentence,
                }
                for a in result.answers
            ],
            "no_answer_reason": result.no_answer_reason,
        },
        ensure_ascii=False,
        indent=2,
    )


def _result_text(result: AnswerResult) -> str:
    if not result.answers:
        return f"No answer. {result.no_answer_reason or ''}".strip()
    lines = []
    for rank, a in enumerate(result.answers, start=1):
        # An answer can span a line break; each answer stays one numbered line.
        text = " ".join(a.text.split())
        lines.append(f"{rank}. {text}  ({a.confidence:.0%}, from {a.document_title})")
        lines.append(f"   “{' '.join(a.sentence.split())}”")
    return "\n".join(lines)


def check_writable(path: Path) -> None:
    """Raise `click.ClickException` unless `path` can be written (it is opened for
    appending, which changes nothing; a file this created is removed again)."""
    existed = path.exists()
    try:
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as error:
        where = "its folder does not exist" if not path.parent.is_dir() else error.strerror
        raise click.ClickException(
            f"can't write predictions to {path} ({where}); give --predictions a writable path"
        ) from error
    if not existed:
        path.unlink()


@click.command("eval")
@click.argument("squad_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--predictions",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("predictions.json"),
    show_default=True,
    help="Where to write {question id: predicted answer}.",
)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the first N.")
def evaluate(squad_file: Path, predictions: Path, limit: int | None) -> None:
    """Exact match and F1 on a SQuAD v1.1 file, with SQuAD's answer normalisation."""
    from tqdm import tqdm

    from qa_engine.squad import evaluate as score_predictions
    from qa_engine.squad import load_squad

    try:
        questions = load_squad(squad_file)[:limit]
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    check_writable(predictions)  # before the evaluation, not after it (and its scores)
    engine = QAEngine(EngineSettings())
    try:
        pipe = engine.pipeline()
    except ModelLoadError as error:
        raise click.ClickException(str(error)) from error
    predicted: dict[str, str] = {}
    for item in tqdm(questions, desc="questions", unit="q", file=sys.stderr):
        # 30-token answers, as SQuAD's reference evaluation of these models allows.
        output = pipe(
            question=item.question,
            context=item.context,
            max_answer_len=engine.settings.qa_max_answer_len,
        )
        predicted[item.id] = output["answer"] if isinstance(output, dict) else ""
    predictions.write_text(json.dumps(predicted, ensure_ascii=False, indent=1), "utf-8")
    scores = score_predictions(questions, predicted)
    click.echo(
        f"exact_match {scores.exact_match:.2f}  f1 {scores.f1:.2f}  over {scores.count} "
        f"questions (predictions: {predictions})"
    )
