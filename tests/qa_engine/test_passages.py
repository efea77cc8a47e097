"""Sentence splitting and passage packing, with a regex tokenizer (no model needed)."""

from __future__ import annotations

import itertools
import random
import re

import pytest

from qa_engine.passages import sentence_around, sentence_spans, split_passages
from qa_engine.types import Document

_TOKEN = re.compile(r"\w+|[^\w\s]")


def regex_offsets(text: str) -> list[tuple[int, int]]:
    """Words and single punctuation marks, like a word-level tokenizer."""
    return [match.span() for match in _TOKEN.finditer(text)]


def token_count(text: str) -> int:
    return len(_TOKEN.findall(text))


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text)]


# -- sentences -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello world. How are you? Fine!", ["Hello world.", "How are you?", "Fine!"]),
        ("No final stop here", ["No final stop here"]),
        ("Line one\nLine two\n\n\nLine three", ["Line one", "Line two", "Line three"]),
        ('He said "Stop." Then he left.', ['He said "Stop."', "Then he left."]),
        ("She asked (quietly.) Nobody heard.", ["She asked (quietly.)", "Nobody heard."]),
        ("It's ‘done.’ Next one.", ["It's ‘done.’", "Next one."]),
        ("Pi is 3.14 roughly. Yes.", ["Pi is 3.14 roughly.", "Yes."]),
        ("  padded sentence.   \n  ", ["padded sentence."]),
        ("Wait... what?! Really.", ["Wait...", "what?!", "Really."]),
        ("", []),
        (" \n\t ", []),
    ],
)
def test_sentence_spans(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_sentence_spans_are_offsets_into_the_text() -> None:
    text = "  First one.\nSecond, with a comma!  Third?"
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["First one.", "Second, with a comma!", "Third?"]
    assert spans == sorted(spans)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


def test_sentence_around_finds_the_sentence_holding_a_span() -> None:
    text = "Alpha is first. Beta lives in Oslo. Gamma is last."
    start = text.index("Oslo")

    s, e = sentence_around(text, start, start + 4)

    assert text[s:e] == "Beta lives in Oslo."


def test_sentence_around_a_span_crossing_sentences_covers_both() -> None:
    text = "Alpha is first. Beta lives in Oslo. Gamma is last."
    start, end = text.index("first"), text.index("Beta") + 4

    s, e = sentence_around(text, start, end)

    assert text[s:e] == "Alpha is first. Beta lives in Oslo."


def test_sentence_around_always_contains_the_span() -> None:
    text = "One. Two three. Four five six."
    for start in range(len(text)):
        for end in range(start + 1, len(text) + 1):
            s, e = sentence_around(text, start, end)
            assert s <= start and end <= e


# -- passages ------------------------------------------------------------------------------


WORDS = (
    "the river city north built king castle Seattle John name live 1066 e.g. Dr. "
    "it's (note) \"quoted\" don't x"
).split()


def random_document(seed: int, sentences_count: int = 40) -> Document:
    rng = random.Random(seed)
    parts = []
    for _ in range(sentences_count):
        words = [rng.choice(WORDS) for _ in range(rng.randint(1, 25))]
        end = rng.choice([".", "!", "?", "", "...", '."'])
        sep = rng.choice([" ", "  ", "\n", "\n\n", " \t", "\r\n"])
        parts.append(" ".join(words) + end + sep)
    return Document(id=f"doc-{seed}", text="".join(parts), title=f"Title {seed}")


def _non_whitespace(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("max_tokens", [5, 16, 60])
def test_passages_fit_cover_and_point_into_the_document(seed: int, max_tokens: int) -> None:
    document = random_document(seed)

    passages = split_passages(document, token_offsets=regex_offsets, max_tokens=max_tokens)

    assert passages
    for index, passage in enumerate(passages):
        assert token_count(passage.text) <= max_tokens
        assert document.text[passage.start : passage.end] == passage.text
        assert passage.text == passage.text.strip()
        assert passage.index == index
        assert passage.document_id == document.id
        assert passage.document_title == document.title
    # In order, never overlapping, and together all of the text (whitespace aside).
    assert all(a.end <= b.start for a, b in itertools.pairwise(passages))
    assert "".join(_non_whitespace(p.text) for p in passages) == _non_whitespace(document.text)


def test_short_sentences_are_packed_together() -> None:
    document = Document("d", "One two. Three four. Five six. Seven eight.")

    passages = split_passages(document, token_offsets=regex_offsets, max_tokens=6)

    assert [p.text for p in passages] == ["One two. Three four.", "Five six. Seven eight."]


def test_a_sentence_longer_than_the_budget_is_cut() -> None:
    long_sentence = " ".join(f"word{i}" for i in range(50))
    document = Document("d", f"Short start. {long_sentence}. Short end.")

    passages = split_passages(document, token_offsets=regex_offsets, max_tokens=8)

    assert all(token_count(p.text) <= 8 for p in passages)
    assert len(passages) >= 51 // 8
    assert "".join(_non_whitespace(p.text) for p in passages) == _non_whitespace(document.text)
    # The cut pieces still begin at a token (no half words, no leading space).
    assert all(p.text[0].isalnum() or p.text[0] in ".\"'(" for p in passages)


def test_a_passage_never_merges_into_a_cut_sentence_beyond_the_budget() -> None:
    document = Document("d", "a b c d e f g h i j k. l m.")
    passages = split_passages(document, token_offsets=regex_offsets, max_tokens=4)
    assert all(token_count(p.text) <= 4 for p in passages)
    assert " ".join(p.text for p in passages).replace(" ", "") == "abcdefghijk.lm."


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t  \n"])
def test_an_empty_or_blank_document_has_no_passages(text: str) -> None:
    assert split_passages(Document("d", text), token_offsets=regex_offsets, max_tokens=10) == []


def test_offsets_are_document_offsets_when_text_starts_with_whitespace() -> None:
    document = Document("d", "\n\n   Leading blank lines. Then text.")
    passages = split_passages(document, token_offsets=regex_offsets, max_tokens=3)
    assert [p.text for p in passages] == ["Leading blank lines", ".", "Then text."]
    assert passages[0].start == document.text.index("Leading")
