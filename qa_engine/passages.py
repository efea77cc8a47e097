"""Split documents into sentence-aligned passages that each fit one model window.

Retrieval ranks passages, not documents: a passage is small enough that reading the top
few costs a fraction of reading a whole channel, and aligned to sentences so an answer and
the words around it stay together.
"""

from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Callable, Iterator, Sequence

from qa_engine.types import Document, Passage

# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) before
# whitespace, or at a line break. Abbreviations like "e.g." split too; that only makes a
# passage boundary slightly early, never loses text.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(\s+)|(\n+)")

TokenOffsets = Callable[[str], Sequence[tuple[int, int]]]
"""Maps a text to the (start, end) character offsets of its tokens, special tokens excluded."""

# Tokenizing a whole document in one call holds every token's id, string, offsets and
# masks at once, as Rust structures and then Python tuples, and the allocator keeps that
# memory afterwards: +450 MiB for a 5 MB text. Tokenizing pieces of about this many
# characters and keeping only each token's start (8 bytes) bounds it to a few MiB per
# call; the number of calls hardly matters (a call costs well under a millisecond).
CHUNK_CHARS = 20_000

# Where a chunk may end so that each chunk tokenizes exactly as it would inside the whole
# text: just before a space that precedes a word. Every tokenizer family splits words
# there — BERT's WordPiece at any whitespace, byte-level BPE keeps that last space with
# the next word (" word", and a longer run of spaces before it as one token),
# SentencePiece's Metaspace turns only plain spaces into "▁" boundaries (a tab or line
# break stays inside its word), so no other cut is safe for all of them.


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences in `text`, surrounding whitespace stripped."""
    spans: list[tuple[int, int]] = []
    position = 0
    for match in _SENTENCE_END.finditer(text):
        gap = 1 if match.group(1) is not None else 2
        _append_stripped(text, position, match.start(gap), spans)
        position = match.end()
    _append_stripped(text, position, len(text), spans)
    return spans


def _append_stripped(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the sentence(s) containing text[start:end]."""
    spans = sentence_spans(text)
    if not spans:
        return start, end
    first = next((s for s in spans if s[1] > start), spans[-1])
    last = next((s for s in reversed(spans) if s[0] < end), first)
    return min(first[0], start), max(last[1], end)


def split_passages(
    document: Document,
    *,
    token_offsets: TokenOffsets,
    max_tokens: int,
    keep_together: Sequence[tuple[int, int]] = (),
    chunk_chars: int | None = CHUNK_CHARS,
) -> list[Passage]:
    """Pack whole sentences into passages of at most `max_tokens` tokens.

    A sentence longer than `max_tokens` is cut at token boundaries. Passages never overlap
    and, whitespace aside, cover the whole document. `token_offsets` is called on pieces of
    about `chunk_chars` characters cut before whitespace (None: on the whole text at once,
    as before chunking; the passages are the same).
    """
    text = document.text
    token_starts = token_start_offsets(text, token_offsets, chunk_chars=chunk_chars)

    def tokens_in(start: int, end: int) -> int:
        return bisect.bisect_left(token_starts, end) - bisect.bisect_left(token_starts, start)

    pieces: list[tuple[int, int]] = []
    for start, end in _join_units(sentence_spans(text), keep_together):
        if tokens_in(start, end) <= max_tokens:
            pieces.append((start, end))
        else:
            pieces.extend(_cut_long_sentence(start, end, token_starts, max_tokens))

    passages: list[Passage] = []
    current: tuple[int, int] | None = None
    for start, end in pieces:
        if current is not None and tokens_in(current[0], end) <= max_tokens:
            current = (current[0], end)
            continue
        if current is not None:
            passages.append(_passage(document, len(passages), current))
        current = (start, end)
    if current is not None:
        passages.append(_passage(document, len(passages), current))
    return passages


def token_start_offsets(
    text: str, token_offsets: TokenOffsets, *, chunk_chars: int | None = CHUNK_CHARS
) -> Sequence[int]:
    """Start offsets in `text` of its non-empty tokens, in order, tokenizing chunk by chunk."""
    starts = array("q")
    for chunk_start, chunk_end in chunk_bounds(text, chunk_chars):
        chunk = text[chunk_start:chunk_end] if chunk_end - chunk_start < len(text) else text
        starts.extend(chunk_start + s for s, e in token_offsets(chunk) if e > s)
    return starts


def chunk_bounds(text: str, chunk_chars: int | None) -> Iterator[tuple[int, int]]:
    """Consecutive (start, end) spans covering `text`, each at most `chunk_chars` long.

    Each cut goes before the latest space in the span that is followed by a word. A span
    without one is cut at the start of its latest whitespace run (exact for WordPiece),
    and one without any whitespace (`chunk_chars` of base64, say) mid-word, where its
    tokens may differ from the whole text's.
    """
    if chunk_chars is None or len(text) <= chunk_chars:
        yield 0, len(text)
        return
    start = 0
    while len(text) - start > chunk_chars:
        end = _cut_point(text, start, start + chunk_chars)
        yield start, end
        start = end
    yield start, len(text)


def _cut_point(text: str, start: int, end: int) -> int:
    """A cut in text[start + 1 : end + 1]; text[end] exists."""
    for position in range(end, start, -1):
        if text[position] == " " and not text[position + 1 : position + 2].isspace():
            return position
    for position in range(end, start, -1):
        if text[position].isspace() and not text[position - 1].isspace():
            return position
    return end


def _cut_long_sentence(
    start: int,
    end: int,
    token_starts: Sequence[int],
    max_tokens: int,
) -> list[tuple[int, int]]:
    first = bisect.bisect_left(token_starts, start)
    last = bisect.bisect_left(token_starts, end)
    cuts = []
    for chunk_first in range(first, last, max_tokens):
        chunk_last = min(chunk_first + max_tokens, last) - 1
        chunk_start = start if chunk_first == first else token_starts[chunk_first]
        chunk_end = end if chunk_last == last - 1 else token_starts[chunk_last + 1]
        cuts.append((chunk_start, chunk_end))
    return cuts


def _passage(document: Document, index: int, span: tuple[int, int]) -> Passage:
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


def _join_units(
    spans: Sequence[tuple[int, int]], units: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Merge consecutive sentences that start inside the same unit (e.g. one FAQ entry)."""
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
