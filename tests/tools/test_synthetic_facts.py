"""The synthetic sets that train the fixtures and measure abstention (`bench/quality.py`)."""

from __future__ import annotations

from qa_engine.retrieval import analyze
from tools.synthetic_facts import (
    generate_channels,
    generate_examples,
    generate_faq_cases,
    generate_unanswerable_channels,
)


def test_no_answer_examples_have_no_answer_and_a_context() -> None:
    examples = generate_examples(60, seed=11, split="heldout", no_answer_share=0.5)
    unanswerable = [e for e in examples if not e["answer_text"]]
    answerable = [e for e in examples if e["answer_text"]]

    assert 15 <= len(unanswerable) <= 45
    assert all(e["answer_start"] == -1 and e["context"].strip() for e in unanswerable)
    for e in answerable:
        start = e["answer_start"]
        assert e["context"][start : start + len(e["answer_text"])] == e["answer_text"]


def test_without_no_answer_share_every_example_is_answerable() -> None:
    assert all(e["answer_text"] for e in generate_examples(40, seed=11, split="heldout"))


def test_unanswerable_channels_alternate_kinds_and_keep_about_eight_documents() -> None:
    channels = generate_unanswerable_channels(10, seed=5)

    assert [c["kind"] for c in channels] == ["near-miss", "removed"] * 5
    assert all(c["answer_text"] == "" and c["question"] for c in channels)
    assert all(6 <= len(c["documents"]) <= 9 for c in channels)


def test_a_near_miss_question_shares_words_with_its_channel() -> None:
    for channel in generate_unanswerable_channels(10, seed=5)[::2]:
        text = " ".join(d["text"] for d in channel["documents"])
        assert set(analyze(channel["question"])) & set(analyze(text)), channel["question"]


def test_answerable_channels_of_the_quality_sets_hold_their_answer() -> None:
    for channel in generate_channels(5, seed=4242, docs_per_channel=(7, 9)):
        [document] = [d for d in channel["documents"] if d["id"] == channel["document_id"]]
        start = channel["answer_start"]
        assert document["text"][start : start + len(channel["answer_text"])] == (
            channel["answer_text"]
        )


def test_faq_cases_alternate_covered_and_uncovered_questions() -> None:
    cases = generate_faq_cases(10, seed=3)

    assert [bool(c["answer_text"]) for c in cases] == [True, False] * 5
    for case in cases[::2]:
        assert f"A: {case['answer_text']}" in case["faq"]
