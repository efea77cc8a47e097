"""ASGI scoring routes in the model card's request format, plus a health check.

`POST /score` with `{"input_data": {"question": "...", "context": "..."}}` answers
`["John"]`; `question` and `context` may also be lists (answered pairwise, or every
question against one context). The Slack app's server mounts these routes beside its own.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from qa_engine.engine import QAEngine
from qa_engine.limits import document_problem, question_problem
from qa_engine.model_loading import ModelLoadError

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 2_000_000


class BadRequest(ValueError):
    """A client error whose message is safe to show."""


def parse_score_request(payload: Any) -> tuple[list[str], list[str], bool]:
    """(questions, contexts, was_single) from a /score body, or BadRequest."""
    if not isinstance(payload, dict) or not isinstance(payload.get("input_data"), dict):
        raise BadRequest('expected {"input_data": {"question": ..., "context": ...}}')
    data = payload["input_data"]
    if "question" not in data or "context" not in data:
        missing = [k for k in ("question", "context") if k not in data]
        raise BadRequest(f"input_data is missing: {', '.join(missing)}")
    questions, contexts = data["question"], data["context"]
    single = isinstance(questions, str) and isinstance(contexts, str)
    questions = [questions] if isinstance(questions, str) else questions
    if isinstance(contexts, str):
        contexts = [contexts] * (len(questions) if isinstance(questions, list) else 1)
    for name, values in (("question", questions), ("context", contexts)):
        if not isinstance(values, list) or not values:
            raise BadRequest(f"{name} must be a string or a non-empty list of strings")
        if not all(isinstance(v, str) and v.strip() for v in values):
            raise BadRequest(f"every {name} must be a non-empty string")
    if len(questions) != len(contexts):
        raise BadRequest(
            f"got {len(questions)} questions and {len(contexts)} contexts; give one context, "
            "or one per question"
        )
    return questions, contexts, single


def input_problem(
    questions: list[str],
    contexts: list[str],
    *,
    max_question_chars: int,
    max_context_chars: int,
) -> str | None:
    """The first question or context the limits refuse, as one line, or None.

    Items are numbered from 1 when there are several; a context given once for every
    question is checked once.
    """
    for name, values, check, max_chars in (
        ("question", questions, question_problem, max_question_chars),
        ("context", contexts, document_problem, max_context_chars),
    ):
        several = len({id(value) for value in values}) > 1
        checked: set[int] = set()
        for number, value in enumerate(values, start=1):
            if id(value) in checked:
                continue
            checked.add(id(value))
            if (problem := check(value, max_chars=max_chars)) is not None:
                return f"{name} {number}: {problem}" if several else problem
    return None


def create_scoring_app(engine: QAEngine) -> Starlette:
    """Starlette app with `POST /score` and `GET /healthz` over `engine`."""

    async def score(request: Request) -> JSONResponse:
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return _error(413, f"request body is larger than {MAX_BODY_BYTES} bytes")
        try:
            questions, contexts, _ = parse_score_request(json.loads(body or b"null"))
        except json.JSONDecodeError as error:
            return _error(400, f"body is not valid JSON ({error.msg})")
        except BadRequest as error:
            return _error(400, str(error))
        problem = input_problem(
            questions,
            contexts,
            max_question_chars=engine.settings.qa_max_question_chars,
            max_context_chars=engine.settings.qa_max_document_chars,
        )
        if problem is not None:
            return _error(400, problem)
        try:
            answers = await run_in_threadpool(_answer_texts, engine, questions, contexts)
        except ModelLoadError as error:
            return _error(503, str(error))
        return JSONResponse(answers)

    async def healthz(request: Request) -> JSONResponse:
        if engine.load_error is not None:
            return JSONResponse(
                {"status": "error", "model": engine.settings.qa_model, "error": engine.load_error},
                status_code=503,
            )
        return JSONResponse(
            {
                "status": "ok" if engine.is_ready else "loading",
                "model": engine.settings.qa_model,
            }
        )

    return Starlette(
        routes=[
            Route("/score", score, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


def _answer_texts(engine: QAEngine, questions: list[str], contexts: list[str]) -> list[str]:
    pipe = engine.pipeline()
    results = pipe(question=questions, context=contexts)
    results = [results] if len(questions) == 1 else results
    return [r["answer"] if isinstance(r, dict) else "" for r in results]


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)
