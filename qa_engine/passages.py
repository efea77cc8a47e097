"""Split documents into sentence-aligned passages that each fit one model window.

Retrieval ranks passages, not documents: a passage is small enough that reading the top
few costs a fraction of reading a whole channel, and aligned to sentences so an answer and
the words around it stay together.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence

from qa_engine.types import Document, Passage

# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) before
# whitespace, or at a line break. Abbreviations like "e.g." split too; that only makes a
# passage boundary slightly early, never loses text.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(\s+)|(\n+)")

TokenOffsets = Callable[[str], Sequence[tuple[int, int]]]
"""Maps a text to the (start, end) character offsets of its tokens, special tokens excluded."""


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
) -> list[Passage]:
    """Pack whole sentences into passages of at most `max_tokens` tokens.

    A sentence longer than `max_tokens` is cut at token boundaries. Passages never overlap
    and, whitespace aside, cover the whole document.
    """
    text = document.text
    offsets = [o for o in token_offsets(text) if o[1] > o[0]]
    token_starts = [start for start, _ in offsets]

    def tokens_in(start: int, end: int) -> int:
        return bisect.bisect_left(token_starts, end) - bisect.bisect_left(token_starts, start)

    pieces: list[tuple[int, int]] = []
    for start, end in _join_units(sentence_spans(text), keep_together):
        if tokens_in(start, end) <= max_tokens:
            pieces.append((start, end))
        else:
            pieces.extend(_cut_long_sentence(start, end, offsets, token_starts, max_tokens))

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


def _cut_long_sentence(
    start: int,
    end: int,
    offsets: Sequence[tuple[int, int]],
    token_starts: Sequence[int],
    max_tokens: int,
) -> list[tuple[int, int]]:
    first = bisect.bisect_left(token_starts, start)
    last = bisect.bisect_left(token_starts, end)
    cuts = []
    for chunk_first in range(first, last, max_tokens):
        chunk_last = min(chunk_first + max_tokens, last) - 1
        chunk_start = start if chunk_first == first else offsets[chunk_first][0]
        chunk_end = end if chunk_last == last - 1 else offsets[chunk_last + 1][0]
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
