"""Reading: (question, text) pairs → overlapping token windows → start/end logits.

Preprocess (one tokenizer call for all pairs) and forward (only the model) are kept
apart so exact mode and retrieval mode share them and differ only in decoding.
Windows are read in batches of similar length with dynamic padding: never padded to the
maximum length, and padding positions are cut off again before decoding.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from qa_engine.tokenizing import tokenize


@dataclass(frozen=True)
class Window:
    """One tokenized window of a (question, text) pair."""

    pair_index: int
    input_ids: list[int]
    token_type_ids: list[int] | None
    sequence_ids: list[int | None]
    offsets: list[tuple[int, int]]
    encoding: Any  # tokenizers.Encoding, for word alignment

    def __len__(self) -> int:
        return len(self.input_ids)


@dataclass(frozen=True)
class WindowLogits:
    window: Window
    start: np.ndarray  # float32, shape (len(window),)
    end: np.ndarray


def question_first(tokenizer: Any) -> bool:
    """Models that pad on the left put the context first (as the pipeline assumes)."""
    return tokenizer.padding_side == "right"


def encode_windows(
    tokenizer: Any,
    questions: Sequence[str],
    texts: Sequence[str],
    *,
    max_seq_len: int,
    doc_stride: int,
) -> list[Window]:
    """Tokenize pairs into windows that overlap by `doc_stride` tokens; no padding.

    Raises `ValueError` where the question leaves no room for the stride (the
    tokenizers library would panic there, which no `except Exception` catches).
    """
    first = question_first(tokenizer)
    _check_room(tokenizer, questions, texts, max_seq_len=max_seq_len, doc_stride=doc_stride)
    encoded = tokenize(
        tokenizer,
        text=list(questions) if first else list(texts),
        text_pair=list(texts) if first else list(questions),
        padding=False,
        truncation="only_second" if first else "only_first",
        max_length=max_seq_len,
        stride=doc_stride,
        return_token_type_ids=True,
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
    )
    windows = []
    has_type_ids = "token_type_ids" in encoded
    for index, pair_index in enumerate(encoded["overflow_to_sample_mapping"]):
        windows.append(
            Window(
                pair_index=int(pair_index),
                input_ids=encoded["input_ids"][index],
                token_type_ids=encoded["token_type_ids"][index] if has_type_ids else None,
                sequence_ids=encoded.sequence_ids(index),
                offsets=encoded["offset_mapping"][index],
                encoding=encoded[index],
            )
        )
    return windows


def _check_room(
    tokenizer: Any,
    questions: Sequence[str],
    texts: Sequence[str],
    *,
    max_seq_len: int,
    doc_stride: int,
) -> None:
    special = tokenizer.num_special_tokens_to_add(pair=True)
    question_ids = tokenize(tokenizer, list(questions), add_special_tokens=False, verbose=False)
    text_ids = tokenize(tokenizer, list(texts), add_special_tokens=False, verbose=False)
    for q, t in zip(question_ids["input_ids"], text_ids["input_ids"], strict=True):
        room = max_seq_len - special - len(q)
        if len(q) + len(t) + special > max_seq_len and room <= doc_stride:
            raise ValueError(
                f"the question is {len(q)} tokens long, which leaves {max(room, 0)} tokens "
                f"per window for the context, not more than doc_stride ({doc_stride}); "
                "shorten the question, or raise max_seq_len / lower doc_stride"
            )


def char_span(
    window: Window, start_token: int, end_token: int, sequence_index: int, align_to_words: bool
) -> tuple[int, int]:
    """Character span of tokens start..end; widened to whole words when asked.

    The best start token can sit mid-word ("##ton"), so alignment maps each token to its
    word and takes the word's characters. Tokenizers without word ids fall back to raw
    token offsets.
    """
    if align_to_words:
        try:
            encoding = window.encoding
            start_word = encoding.token_to_word(start_token)
            end_word = encoding.token_to_word(end_token)
            return (
                encoding.word_to_chars(start_word, sequence_index=sequence_index)[0],
                encoding.word_to_chars(end_word, sequence_index=sequence_index)[1],
            )
        except Exception:
            pass
    return window.offsets[start_token][0], window.offsets[end_token][1]


def context_sequence_id(tokenizer: Any) -> int:
    return 1 if question_first(tokenizer) else 0


class WindowReader:
    """Runs the model over windows in length-sorted batches under `torch.inference_mode`.

    One lock serialises forward passes: on a small CPU, concurrent passes only fight over
    the same cores, and one at a time keeps latency predictable.
    """

    def __init__(self, model: Any, tokenizer: Any, *, batch_size: int):
        self._model = model
        self._pad_id = tokenizer.pad_token_id or 0
        self._input_names = set(tokenizer.model_input_names)
        self._batch_size = batch_size
        self._lock = threading.Lock()

    def read(self, windows: Sequence[Window], *, pad: bool = True) -> list[WindowLogits]:
        """Start/end logits of every window, in the order given.

        `pad=False` batches only windows of equal length: padding a window perturbs a deep
        model's logits slightly, which exact mode must not allow (long contexts still
        batch, since all their windows but the last are full).
        """
        import torch

        order = sorted(range(len(windows)), key=lambda i: len(windows[i]), reverse=True)
        results: list[WindowLogits | None] = [None] * len(windows)
        for batch_indices in self._batches(order, windows, pad=pad):
            batch = [windows[i] for i in batch_indices]
            inputs = self._pad(batch, torch)
            with self._lock, torch.inference_mode():
                output = self._model(**inputs)
            starts = output.start_logits.float().numpy()
            ends = output.end_logits.float().numpy()
            for row, window_index in enumerate(batch_indices):
                length = len(windows[window_index])
                results[window_index] = WindowLogits(
                    windows[window_index], starts[row, :length].copy(), ends[row, :length].copy()
                )
        return [r for r in results if r is not None]

    def _batches(
        self, order: Sequence[int], windows: Sequence[Window], *, pad: bool
    ) -> list[list[int]]:
        batches: list[list[int]] = []
        for index in order:
            last = batches[-1] if batches else None
            fits = last is not None and len(last) < self._batch_size
            if fits and (pad or len(windows[last[0]]) == len(windows[index])):
                last.append(index)
            else:
                batches.append([index])
        return batches

    def _pad(self, batch: Sequence[Window], torch: Any) -> dict[str, Any]:
        width = max(len(w) for w in batch)
        input_ids = torch.full((len(batch), width), self._pad_id, dtype=torch.long)
        attention = torch.zeros((len(batch), width), dtype=torch.long)
        type_ids = torch.zeros((len(batch), width), dtype=torch.long)
        for row, window in enumerate(batch):
            input_ids[row, : len(window)] = torch.tensor(window.input_ids)
            attention[row, : len(window)] = 1
            if window.token_type_ids is not None:
                type_ids[row, : len(window)] = torch.tensor(window.token_type_ids)
        inputs = {"input_ids": input_ids, "attention_mask": attention}
        if "token_type_ids" in self._input_names:
            inputs["token_type_ids"] = type_ids
        return inputs
