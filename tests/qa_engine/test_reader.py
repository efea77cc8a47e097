"""Window batching: exact mode never pads a window into a batch."""

from __future__ import annotations

import numpy as np

from qa_engine.model_loading import load_qa_model
from qa_engine.reader import WindowReader, encode_windows


def _windows(model_dir):
    loaded = load_qa_model(str(model_dir))
    contexts = ["word " * 200, "short context here", "word " * 200]
    windows = encode_windows(
        loaded.tokenizer, ["what is it?"] * 3, contexts, max_seq_len=48, doc_stride=16
    )
    return loaded, windows


def test_without_padding_only_equal_lengths_share_a_batch(random_model_dir) -> None:
    loaded, windows = _windows(random_model_dir)
    reader = WindowReader(loaded.model, loaded.tokenizer, batch_size=4)
    order = sorted(range(len(windows)), key=lambda i: len(windows[i]), reverse=True)

    unpadded = reader._batches(order, windows, pad=False)
    padded = reader._batches(order, windows, pad=True)

    assert all(len({len(windows[i]) for i in batch}) == 1 for batch in unpadded)
    assert all(len(batch) <= 4 for batch in unpadded + padded)
    assert any(len({len(windows[i]) for i in batch}) > 1 for batch in padded)
    assert sorted(i for b in unpadded for i in b) == list(range(len(windows)))


def test_unpadded_reading_matches_reading_each_window_alone(random_model_dir) -> None:
    loaded, windows = _windows(random_model_dir)
    batched = WindowReader(loaded.model, loaded.tokenizer, batch_size=8).read(windows, pad=False)
    alone = WindowReader(loaded.model, loaded.tokenizer, batch_size=1).read(windows)

    for together, single in zip(batched, alone, strict=True):
        assert together.window is single.window
        np.testing.assert_allclose(together.start, single.start, atol=1e-5)
        np.testing.assert_allclose(together.end, single.end, atol=1e-5)
