"""Splitting tokenizes in chunks, and the passages are exactly those of whole-text splitting.

`whole_text_split_passages` below is a verbatim copy of `split_passages` before chunking
(commit cea8b27): one tokenizer call over the whole document. Chunking exists to bound
memory (BENCHMARKS.md, "Splitting a maximum-size document"); these tests pin that it
changes nothing else, with the fixtures' WordPiece tokenizers and with byte-level BPE and
SentencePiece-style tokenizers built here.
"""

from __future__ import annotations

import bisect
import itertools
import random
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from qa_engine.engine import QAEngine
from qa_engine.faq import entry_spans
from qa_engine.limits import InputTooLarge
from qa_engine.model_loading import load_qa_tokenizer
from qa_engine.passages import (
    CHUNK_CHARS,
    TokenOffsets,
    chunk_bounds,
    sentence_spans,
    split_passages,
    token_start_offsets,
)
from qa_engine.types import Document, Passage
from tests.qa_engine.support import engine_settings

# -- the splitter before chunking, kept as the reference --------------------------------------


def whole_text_split_passages(
    document: Document,
    *,
    token_offsets: TokenOffsets,
    max_tokens: int,
    keep_together: Sequence[tuple[int, int]] = (),
) -> list[Passage]:
    text = document.text
    offsets = [o for o in token_offsets(text) if o[1] > o[0]]
    token_starts = [start for start, _ in offsets]

    def tokens_in(start: int, end: int) -> int:
        return bisect.bisect_left(token_starts, end) - bisect.bisect_left(token_starts, start)

    pieces: list[tuple[int, int]] = []
    for start, end in _old_join_units(sentence_spans(text), keep_together):
        if tokens_in(start, end) <= max_tokens:
            pieces.append((start, end))
        else:
            pieces.extend(_old_cut_long_sentence(start, end, offsets, token_starts, max_tokens))

    passages: list[Passage] = []
    current: tuple[int, int] | None = None
    for start, end in pieces:
        if current is not None and tokens_in(current[0], end) <= max_tokens:
            current = (current[0], end)
            continue
        if current is not None:
            passages.append(_old_passage(document, len(passages), current))
        current = (start, end)
    if current is not None:
        passages.append(_old_passage(document, len(passages), current))
    return passages


def _old_cut_long_sentence(start, end, offsets, token_starts, max_tokens):  # type: ignore[no-untyped-def]
    first = bisect.bisect_left(token_starts, start)
    last = bisect.bisect_left(token_starts, end)
    cuts = []
    for chunk_first in range(first, last, max_tokens):
        chunk_last = min(chunk_first + max_tokens, last) - 1
        chunk_start = start if chunk_first == first else offsets[chunk_first][0]
        chunk_end = end if chunk_last == last - 1 else offsets[chunk_last + 1][0]
        cuts.append((chunk_start, chunk_end))
    return cuts


def _old_passage(document: Document, index: int, span: tuple[int, int]) -> Passage:
    start, end = span
    while end > start and document.text[end - 1].isspace():
        end -= 1
    return Passage(
        document_id=document.id,
        index=index,
        start=start,
        end=end,
        text=document.text[start:end],
        document_title=document.title,
    )


def _old_join_units(spans, units):  # type: ignore[no-untyped-def]
    units = sorted(units)
    unit_starts = [start for start, _ in units]
    joined: list[tuple[int, int]] = []
    last_unit: int | None = None
    for start, end in spans:
        i = bisect.bisect_right(unit_starts, start) - 1
        unit = i if i >= 0 and start < units[i][1] else None
        if unit is not None and unit == last_unit:
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
        last_unit = unit
    return joined


# -- documents of many shapes -----------------------------------------------------------------

PROSE = (
    "the river city north built king castle Seattle John name live 1066 e.g. Dr. it's "
    "(note) \"quoted\" don't x deploys Tuesday 14:00 on-call Priya staging-7.internal"
).split()
OTHER_SCRIPTS = "東京 北京大学 مرحبا بالعالم Ελλάδα Москва 👨‍👩‍👧 🚀 café ﬁ naïve e\u0301".split()
SEPARATORS = (" ", "  ", "\n", "\n\n", " \t", "\r\n", "\u00a0", "\u3000 ", "\t")


def varied_document(seed: int, sentences: int = 300) -> Document:
    """Prose with every kind of separator, other scripts, FAQ lines and run-on sentences."""
    rng = random.Random(seed)
    parts = []
    for _ in range(sentences):
        kind = rng.random()
        if kind < 0.1:
            parts.append(f"Q: How do I {rng.choice(PROSE)} the {rng.choice(PROSE)}?\n")
            parts.append(f"A: Ask {rng.choice(PROSE)} before {rng.choice(PROSE)}.\n")
            continue
        count = rng.randint(60, 400) if kind > 0.97 else rng.randint(1, 25)  # some run on
        words = [
            rng.choice(OTHER_SCRIPTS) if rng.random() < 0.15 else rng.choice(PROSE)
            for _ in range(count)
        ]
        text = "".join(w + rng.choice(SEPARATORS[:2] if rng.random() < 0.9 else SEPARATORS)
                       for w in words).rstrip()
        parts.append(text + rng.choice([".", "!", "?", "", "...", '."']) + rng.choice(SEPARATORS))
    return Document(id=f"doc-{seed}", text="".join(parts), title=f"Title {seed}")


def offsets_of(tokenizer: Any) -> Callable[[str], list[tuple[int, int]]]:
    def token_offsets(text: str) -> list[tuple[int, int]]:
        return tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)[
            "offset_mapping"
        ]

    return token_offsets


_WORD = re.compile(r"\w+|[^\w\s]")


def regex_offsets(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _WORD.finditer(text)]


def assert_same_passages(
    document: Document, token_offsets: TokenOffsets, *, max_tokens: int, chunk_chars: int
) -> list[Passage]:
    units = entry_spans(document.text)
    expected = whole_text_split_passages(
        document, token_offsets=token_offsets, max_tokens=max_tokens, keep_together=units
    )
    got = split_passages(
        document,
        token_offsets=token_offsets,
        max_tokens=max_tokens,
        keep_together=units,
        chunk_chars=chunk_chars,
    )
    assert got == expected
    assert all(document.text[p.start : p.end] == p.text for p in got)
    return got


# -- chunk bounds -----------------------------------------------------------------------------


@pytest.mark.parametrize("chunk_chars", [2, 7, 50, 1_000])
@pytest.mark.parametrize("seed", range(3))
def test_chunks_cover_the_text_in_order_and_cut_before_whitespace(
    chunk_chars: int, seed: int
) -> None:
    text = varied_document(seed, sentences=60).text
    bounds = list(chunk_bounds(text, chunk_chars))

    assert bounds[0][0] == 0 and bounds[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(bounds))
    assert all(0 < end - start <= chunk_chars for start, end in bounds)
    assert len(bounds) > 1
    if chunk_chars >= 50:  # every chunk holds a space followed by a word
        assert all(text[end] == " " and not text[end + 1].isspace() for _, end in bounds[:-1])


def test_without_a_space_before_a_word_a_chunk_ends_before_other_whitespace() -> None:
    text = "one\ntwo\nthree\nfour\nfive"
    assert list(chunk_bounds(text, 12)) == [(0, 7), (7, 18), (18, 23)]


def test_text_without_whitespace_is_still_cut_into_chunks() -> None:
    bounds = list(chunk_bounds("x" * 1_000, 300))
    assert [end - start for start, end in bounds] == [300, 300, 300, 100]


def test_short_text_or_no_chunking_is_one_call() -> None:
    assert list(chunk_bounds("short text", 100)) == [(0, 10)]
    assert list(chunk_bounds("a b " * 100_000, None)) == [(0, 400_000)]


def test_the_tokenizer_never_sees_more_than_a_chunk() -> None:
    document = varied_document(4, sentences=3_000)
    assert len(document.text) > 5 * CHUNK_CHARS
    seen: list[int] = []

    def recording_offsets(text: str) -> list[tuple[int, int]]:
        seen.append(len(text))
        return regex_offsets(text)

    split_passages(document, token_offsets=recording_offsets, max_tokens=80)

    assert max(seen) <= CHUNK_CHARS
    assert sum(seen) == len(document.text)


# -- same passages as the whole-text splitter --------------------------------------------------


@pytest.mark.parametrize("chunk_chars", [40, 333, 5_000])
@pytest.mark.parametrize("seed", range(6))
def test_regex_tokens_give_the_same_passages(chunk_chars: int, seed: int) -> None:
    assert_same_passages(
        varied_document(seed), regex_offsets, max_tokens=30, chunk_chars=chunk_chars
    )


@pytest.fixture(scope="module")
def wordpiece_tokenizers(trained_model_dir: Path, random_model_dir: Path) -> list[Any]:
    """The trained fixture's tokenizer and the random fixture's base-vocabulary one."""
    return [load_qa_tokenizer(str(trained_model_dir)), load_qa_tokenizer(str(random_model_dir))]


@pytest.mark.parametrize("chunk_chars", [64, 1_000])  # the default: the engine test below
@pytest.mark.parametrize("seed", range(3))
def test_wordpiece_tokens_give_the_same_passages(
    wordpiece_tokenizers: list[Any], chunk_chars: int, seed: int
) -> None:
    document = varied_document(seed, sentences=400)
    assert len(document.text) > 2 * chunk_chars  # the document really crosses chunks
    for tokenizer in wordpiece_tokenizers:
        passages = assert_same_passages(
            document, offsets_of(tokenizer), max_tokens=80, chunk_chars=chunk_chars
        )
        assert len(passages) > 10


def test_a_run_on_sentence_longer_than_a_chunk_is_cut_the_same_way(
    wordpiece_tokenizers: list[Any],
) -> None:
    rng = random.Random(5)
    run_on = " ".join(rng.choice(PROSE + OTHER_SCRIPTS) for _ in range(4_000))
    document = Document("run-on", f"A short start. {run_on}\nA short end.")
    for tokenizer in wordpiece_tokenizers:
        assert_same_passages(document, offsets_of(tokenizer), max_tokens=50, chunk_chars=700)


def _trained_tokenizer(kind: str) -> Any:
    from tokenizers import SentencePieceBPETokenizer
    from tokenizers.implementations import ByteLevelBPETokenizer

    tokenizer = ByteLevelBPETokenizer() if kind == "byte-level" else SentencePieceBPETokenizer()
    corpus = [varied_document(seed, sentences=80).text for seed in range(20, 30)]
    tokenizer.train_from_iterator(corpus, vocab_size=600, min_frequency=2, show_progress=False)
    return tokenizer


@pytest.mark.parametrize("kind", ["byte-level", "metaspace"])
def test_other_tokenizer_families_give_the_same_token_starts(kind: str) -> None:
    # Byte-level BPE glues a space to the next word and SentencePiece marks it with "▁",
    # so a chunk cut anywhere but before a whitespace run would change their tokens.
    tokenizer = _trained_tokenizer(kind)

    def token_offsets(text: str) -> list[tuple[int, int]]:
        return tokenizer.encode(text, add_special_tokens=False).offsets

    text = varied_document(7).text
    whole = [start for start, end in token_offsets(text) if end > start]

    assert len(whole) > 1_000
    for chunk_chars in (50, 777):
        assert list(token_start_offsets(text, token_offsets, chunk_chars=chunk_chars)) == whole


# -- the engine --------------------------------------------------------------------------------


def test_engine_split_matches_the_whole_text_splitter(trained_model_dir: Path) -> None:
    engine = QAEngine(engine_settings(trained_model_dir))
    document = varied_document(11, sentences=1_200)
    assert 2 * CHUNK_CHARS < len(document.text) <= engine.settings.qa_max_document_chars

    expected = whole_text_split_passages(
        document,
        token_offsets=offsets_of(engine.tokenizer),
        max_tokens=engine.settings.qa_passage_tokens,
        keep_together=entry_spans(document.text),
    )

    assert engine.split(document) == expected


def test_engine_split_refuses_a_document_over_the_limit(trained_model_dir: Path) -> None:
    engine = QAEngine(engine_settings(trained_model_dir, qa_max_document_chars=1_000))
    engine.split(Document("fits", "word " * 200))  # exactly 1,000 characters

    with pytest.raises(InputTooLarge, match=r"1,001 characters; the limit is 1,000"):
        engine.split(Document("over", "word " * 200 + "x"))
