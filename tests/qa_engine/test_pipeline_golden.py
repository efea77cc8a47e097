"""Exact mode against golden outputs of transformers 5.2.0's question-answering pipeline.

`tests/fixtures/pipeline_golden.json` holds, per model folder, cases of (question,
context, keyword parameters) and what the real pipeline returned — or the exception it
raised, as "TypeName: message". Every case must give the same answer texts and character
offsets, scores within 1e-4, and the same error: same type and message, except where exact
mode deliberately raises its own clearer `ValueError` (see `NO_ROOM_ERRORS`).
"""

from __future__ import annotations

import builtins
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from qa_engine.pipeline import ExtractiveQAPipeline

REPO_ROOT = Path(__file__).resolve().parents[2]
GOLDEN_FILE = REPO_ROOT / "tests" / "fixtures" / "pipeline_golden.json"
SCORE_TOLERANCE = 1e-4


def _load_golden() -> dict[str, Any] | None:
    if not GOLDEN_FILE.is_file():
        return None
    return json.loads(GOLDEN_FILE.read_text(encoding="utf-8"))


GOLDEN = _load_golden()
MISSING_MESSAGE = (
    f"{GOLDEN_FILE} is missing: generate it with transformers 5.2.0's pipeline "
    "(tools/make_pipeline_golden.py) before running the parity tests"
)
# Without the file, one case that fails (an empty parametrisation would only skip).
CASES = (
    [
        pytest.param(model, case, id=f"{Path(model).name}:{case['id']}")
        for model, cases in GOLDEN["models"].items()
        for case in cases
    ]
    if GOLDEN
    else [pytest.param(None, None, id="golden-file-missing")]
)


@cache
def _pipeline(model: str) -> ExtractiveQAPipeline:
    folder = Path(model) if Path(model).is_absolute() else REPO_ROOT / model
    assert folder.is_dir(), f"golden outputs refer to model folder {folder}, which is missing"
    return ExtractiveQAPipeline(str(folder))


def test_the_golden_file_is_there_and_covers_the_parameters() -> None:
    assert GOLDEN is not None, MISSING_MESSAGE
    cases = [case for cases in GOLDEN["models"].values() for case in cases]
    assert len(cases) >= 50
    used = {name for case in cases for name in case["params"]}
    assert {"top_k", "doc_stride", "max_seq_len", "max_answer_len"} <= used
    assert {"handle_impossible_answer", "align_to_words"} <= used
    assert any("error" in case for case in cases)
    assert len({case["id"] for case in cases}) == len(cases)


# Where the pipeline failed inside the tokenizer because the question left no room for the
# stride (a bare `Exception` "Truncation error", the tokenizer's own stride check, or a
# `PanicException` that no `except Exception` catches), exact mode deliberately raises its
# own `ValueError` first, naming the stride (see `reader.encode_windows`).
NO_ROOM_ERRORS = (
    "Exception: Truncation error: Sequence to truncate too short",
    "ValueError: tokenizer stride set to",
    "PanicException: `stride` must be strictly less than",
)


def _expected_error(case: dict[str, Any]) -> tuple[type[BaseException], re.Pattern[str]]:
    """The exception class exact mode must raise for a golden error case, and a pattern
    its whole message must match: the pipeline's own message, or exact mode's "no room"
    message with the case's stride."""
    recorded: str = case["error"]
    if recorded.startswith(NO_ROOM_ERRORS):
        params = case["params"]
        max_seq_len = params.get("max_seq_len", 384)
        stride = params.get("doc_stride", min(max_seq_len // 2, 128))
        return ValueError, re.compile(
            r"the question is \d+ tokens long, which leaves \d+ tokens per window for the "
            rf"context, not more than doc_stride \({stride}\); shorten the question, or "
            r"raise max_seq_len / lower doc_stride"
        )
    name, message = recorded.split(": ", 1)
    found = getattr(builtins, name, None)
    assert isinstance(found, type) and issubclass(found, BaseException), (
        f"golden error type {name!r} is not a builtin exception; teach this test about it"
    )
    assert found is not Exception, f"a bare Exception matches any error; classify {recorded!r}"
    return found, re.compile(re.escape(message))


@pytest.mark.parametrize(("model", "case"), CASES)
def test_exact_mode_matches_the_pipeline(
    model: str | None, case: dict[str, Any] | None, torch_one_thread: None
) -> None:
    if model is None or case is None:
        pytest.fail(MISSING_MESSAGE)
    pipe = _pipeline(model)
    call = lambda: pipe(question=case["question"], context=case["context"], **case["params"])  # noqa: E731

    if "error" in case:
        expected_type, expected_message = _expected_error(case)
        with pytest.raises(BaseException) as caught:
            call()
        raised = f"{type(caught.value).__name__}: {caught.value}"
        assert type(caught.value) is expected_type, (
            f"pipeline raised {case['error']!r}; exact mode raised {raised}"
        )
        assert expected_message.fullmatch(str(caught.value)), (
            f"pipeline raised {case['error']!r}; exact mode raised {raised}"
        )
        return

    result = call()
    expected = case["output"]
    assert type(result) is type(expected), f"got {result!r}, expected {expected!r}"
    got = result if isinstance(result, list) else [result]
    want = expected if isinstance(expected, list) else [expected]
    assert [(a["answer"], a["start"], a["end"]) for a in got] == [
        (a["answer"], a["start"], a["end"]) for a in want
    ]
    for mine, theirs in zip(got, want, strict=True):
        assert mine["score"] == pytest.approx(theirs["score"], abs=SCORE_TOLERANCE)
        assert set(mine) == {"score", "start", "end", "answer"}
