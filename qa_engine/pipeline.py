"""Exact mode: a drop-in for transformers' removed `pipeline("question-answering")`.

transformers 5.3 removed the question-answering pipeline. `ExtractiveQAPipeline` is
called the same way (`question=`, `context=`, same keyword parameters) and returns the
same `{"score", "start", "end", "answer"}` dicts as transformers 5.2.0 did: same answer
text and character offsets, scores equal up to float noise (golden tests check 1e-4).
It is faster because it batches windows and skips the pipeline's per-window machinery.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from qa_engine.decoding import pipeline_window_spans
from qa_engine.model_loading import load_qa_model
from qa_engine.reader import (
    Window,
    WindowLogits,
    WindowReader,
    char_span,
    context_sequence_id,
    encode_windows,
    question_first,
)

PipelineAnswer = dict[str, Any]

_NO_NULL = 1000000.0  # the pipeline's "large and positive" starting null score


class ExtractiveQAPipeline:
    """`pipe(question=..., context=...)` → `{"score", "start", "end", "answer"}`.

    Accepts what the pipeline accepted: a question and a context as keywords (each a
    string or a list), a `{"question", "context"}` dict or a list of them, and the
    keyword parameters `top_k`, `doc_stride`, `max_answer_len`, `max_seq_len`,
    `max_question_len`, `handle_impossible_answer`, `align_to_words`, `padding`.
    """

    def __init__(
        self,
        model: str | Any,
        tokenizer: Any | None = None,
        *,
        batch_size: int = 8,
        threads: int = 0,
        reader: WindowReader | None = None,
        **defaults: Any,
    ):
        if isinstance(model, str):
            loaded = load_qa_model(model, threads=threads)
            model, tokenizer = loaded.model, loaded.tokenizer
        if tokenizer is None:
            raise ValueError("pass the tokenizer along with a model object")
        self.model = model
        self.tokenizer = tokenizer
        # Sharing a reader shares its forward lock with the engine's other callers.
        self._reader = reader or WindowReader(model, tokenizer, batch_size=batch_size)
        self._defaults = defaults

    def __call__(self, *args: Any, **kwargs: Any) -> PipelineAnswer | list[Any]:
        examples, single = _parse_inputs(args, kwargs)
        params = {**self._defaults, **{k: v for k, v in kwargs.items() if k in _PARAMS}}
        preprocess, postprocess = self._sanitize(**params)
        windows = encode_windows(
            self.tokenizer,
            [q for q, _ in examples],
            [c for _, c in examples],
            **preprocess,
        )
        read = self._reader.read(windows, pad=False)
        by_example: list[list[WindowLogits]] = [[] for _ in examples]
        for logits in read:
            by_example[logits.window.pair_index].append(logits)
        results = [
            self._postprocess(context, window_logits, **postprocess)
            for (_, context), window_logits in zip(examples, by_example, strict=True)
        ]
        return results[0] if single else results

    def _sanitize(
        self,
        top_k: int | None = None,
        doc_stride: int | None = None,
        max_answer_len: int | None = None,
        max_seq_len: int | None = None,
        max_question_len: int | None = None,  # only the pipeline's slow-tokenizer path used it
        handle_impossible_answer: bool | None = None,
        align_to_words: bool | None = None,
        padding: Any = None,  # windows are never padded here; the result is the same
    ) -> tuple[dict[str, int], dict[str, Any]]:
        if top_k is not None and top_k < 1:
            raise ValueError(f"top_k parameter should be >= 1 (got {top_k})")
        if max_answer_len is not None and max_answer_len < 1:
            raise ValueError(f"max_answer_len parameter should be >= 1 (got {max_answer_len})")
        if max_seq_len is None:
            max_seq_len = min(self.tokenizer.model_max_length, 384)
        if doc_stride is None:
            doc_stride = min(max_seq_len // 2, 128)
        if doc_stride > max_seq_len:
            raise ValueError(
                f"`doc_stride` ({doc_stride}) is larger than `max_seq_len` ({max_seq_len})"
            )
        postprocess = {
            "top_k": 1 if top_k is None else top_k,
            "max_answer_len": 15 if max_answer_len is None else max_answer_len,
            "handle_impossible_answer": bool(handle_impossible_answer),
            "align_to_words": True if align_to_words is None else align_to_words,
        }
        return {"max_seq_len": max_seq_len, "doc_stride": doc_stride}, postprocess

    def _postprocess(
        self,
        context: str,
        windows: Sequence[WindowLogits],
        *,
        top_k: int,
        max_answer_len: int,
        handle_impossible_answer: bool,
        align_to_words: bool,
    ) -> PipelineAnswer | list[PipelineAnswer]:
        # Over-fetch: word alignment can merge several token spans into one answer.
        candidates = top_k * 2 + 10 if align_to_words else top_k
        null_score = _NO_NULL
        answers: list[PipelineAnswer] = []
        sequence_index = context_sequence_id(self.tokenizer)
        for logits in windows:
            p_mask = self._p_mask(logits.window)
            attention = np.ones((1, len(logits.window)), dtype=np.int64)
            spans = pipeline_window_spans(
                logits.start[None],
                logits.end[None],
                p_mask,
                attention,
                top_k=candidates,
                max_answer_len=max_answer_len,
                handle_impossible_answer=handle_impossible_answer,
                min_null_score=null_score,
            )
            null_score = spans.null_score
            for s, e, score in zip(spans.starts, spans.ends, spans.scores, strict=True):
                start, end = char_span(
                    logits.window, int(s), int(e), sequence_index, align_to_words
                )
                text = context[start:end]
                same = next((a for a in answers if a["answer"].lower() == text.lower()), None)
                if same is not None:
                    same["score"] += score.item()
                else:
                    answers.append(
                        {"score": score.item(), "start": start, "end": end, "answer": text}
                    )
        if handle_impossible_answer:
            answers.append({"score": null_score, "start": 0, "end": 0, "answer": ""})
        answers = sorted(answers, key=lambda a: a["score"], reverse=True)[:top_k]
        return answers[0] if len(answers) == 1 else answers

    def _p_mask(self, window: Window) -> np.ndarray:
        # 1 for tokens that cannot be in the answer; the CLS token stays allowed because
        # some models use it to say "no answer". (Context-first models: nothing masked,
        # as in the pipeline.)
        first = question_first(self.tokenizer)
        mask = np.array([(t != 1) if first else 0 for t in window.sequence_ids], dtype=np.int64)
        if self.tokenizer.cls_token_id is not None:
            mask[np.array(window.input_ids) == self.tokenizer.cls_token_id] = 0
        return mask


_PARAMS = frozenset(
    {
        "top_k",
        "doc_stride",
        "max_answer_len",
        "max_seq_len",
        "max_question_len",
        "handle_impossible_answer",
        "align_to_words",
        "padding",
    }
)


def _parse_inputs(
    args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[list[tuple[str, str]], bool]:
    """Normalise the pipeline's accepted call shapes to (question, context) pairs."""
    if args:
        if len(args) == 2 and all(isinstance(a, str) for a in args):
            items: list[Any] = [{"question": args[0], "context": args[1]}]
        elif len(args) == 1:
            items = args[0] if isinstance(args[0], list) else [args[0]]
        else:
            items = list(args)
    elif "question" in kwargs and "context" in kwargs:
        question, context = kwargs["question"], kwargs["context"]
        if isinstance(question, list) and isinstance(context, str):
            items = [{"question": q, "context": context} for q in question]
        elif isinstance(question, list) and isinstance(context, list):
            if len(question) != len(context):
                raise ValueError("Questions and contexts don't have the same lengths")
            items = [{"question": q, "context": c} for q, c in zip(question, context, strict=True)]
        elif isinstance(question, str) and isinstance(context, str):
            items = [{"question": question, "context": context}]
        else:
            raise ValueError("Arguments can't be understood")
    else:
        raise ValueError(f"Unknown arguments {kwargs}")
    pairs = [_validate(item) for item in items]
    return pairs, len(pairs) == 1


def _validate(item: Any) -> tuple[str, str]:
    if not isinstance(item, dict):
        raise ValueError(f"{item} argument needs to be of type (SquadExample, dict)")
    for key in ("question", "context"):
        if key not in item:
            raise KeyError("You need to provide a dictionary with keys {question:..., context:...}")
        if item[key] is None:
            raise ValueError(f"`{key}` cannot be None")
        if isinstance(item[key], str) and len(item[key]) == 0:
            raise ValueError(f"`{key}` cannot be empty")
    return item["question"], item["context"]
