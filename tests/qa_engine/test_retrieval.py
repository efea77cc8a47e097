"""BM25 ranking of in-memory passages and the question analysis it shares."""

from __future__ import annotations

import itertools

import pytest

from qa_engine.retrieval import InMemoryBM25Ranker, analyze, question_terms, stem
from qa_engine.types import Passage


def make_passages(*texts: str) -> list[Passage]:
    return [
        Passage(document_id=f"d{i}", index=0, start=0, end=len(text), text=text)
        for i, text in enumerate(texts)
    ]


FILLER = [
    "The project kickoff meeting happens every Monday in room four.",
    "The project budget was approved by finance last spring.",
    "The project team includes designers, engineers and a writer.",
    "Lunch is served in the cafeteria at noon for the project team.",
    "The office is closed on public holidays and the project pauses.",
    "Parking permits for the project site are issued by facilities.",
    "The project wiki lists every owner and their responsibilities.",
    "Coffee machines on the third floor were replaced in March.",
]


def test_the_passage_sharing_the_rare_question_word_ranks_first() -> None:
    target = "The project deadline moved to the fifteenth of October."
    passages = make_passages(*FILLER[:4], target, *FILLER[4:])

    ranked = InMemoryBM25Ranker(passages).rank("When is the project deadline?", limit=3)

    assert ranked[0].passage.text == target
    assert len(ranked) <= 3
    # "project" is everywhere, "deadline" only in the target: the target wins clearly.
    assert ranked[0].score > ranked[1].score


def test_scores_are_in_descending_order() -> None:
    passages = make_passages(*FILLER, "The deadline is in October.")
    ranked = InMemoryBM25Ranker(passages).rank("project deadline October team", limit=5)
    scores = [r.score for r in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(score > 0 for score in scores)


def test_stemming_lets_lives_match_live() -> None:
    passages = make_passages(*FILLER, "My sister lives in Lisbon near the river.")

    ranked = InMemoryBM25Ranker(passages).rank("Where does she live?", limit=2)

    assert ranked[0].passage.text == "My sister lives in Lisbon near the river."
    assert ranked[0].score > 0
    assert stem("lives") == stem("live")


@pytest.mark.parametrize("form", ["lives", "lived", "living"])
def test_stem_brings_the_forms_its_docstring_promises_to_live(form: str) -> None:
    # stem() documents: "lives", "lived" and "living" meet "live".
    assert stem(form) == stem("live")


def test_a_stopword_only_question_matches_nothing_in_a_large_collection() -> None:
    ranker = InMemoryBM25Ranker(make_passages(*FILLER))
    assert analyze("What is the?") == []
    assert list(ranker.rank("What is the?", limit=3)) == []


def test_a_small_collection_is_returned_whole_matching_passages_first() -> None:
    passages = make_passages("Bananas are yellow.", "Cherries are red.", "The deadline is Friday.")
    ranker = InMemoryBM25Ranker(passages)

    ranked = ranker.rank("What is the deadline?", limit=6)

    assert len(ranked) == 3
    assert ranked[0].passage.text == "The deadline is Friday."
    # Non-matching passages keep their original order after the matches.
    assert [r.passage.text for r in ranked[1:]] == ["Bananas are yellow.", "Cherries are red."]
    assert [r.score for r in ranked[1:]] == [0.0, 0.0]
    # Even a question of stopwords gets the whole (small) collection to read.
    assert len(ranker.rank("What is it?", limit=6)) == 3


def test_limit_caps_a_large_collection() -> None:
    ranked = InMemoryBM25Ranker(make_passages(*FILLER)).rank("project team", limit=2)
    assert len(ranked) == 2


def test_ranking_is_deterministic() -> None:
    passages = make_passages(*FILLER, *FILLER)  # duplicates tie exactly
    first = InMemoryBM25Ranker(passages).rank("project team owner", limit=5)
    again = InMemoryBM25Ranker(list(passages)).rank("project team owner", limit=5)
    assert [(r.passage, r.score) for r in first] == [(r.passage, r.score) for r in again]
    # Exact ties (the duplicates) are broken by position: the earlier passage first.
    ties = [(a, b) for a, b in itertools.pairwise(first) if a.score == b.score]
    assert ties
    for a, b in ties:
        assert int(a.passage.document_id[1:]) < int(b.passage.document_id[1:])


def test_an_empty_collection_ranks_nothing() -> None:
    assert list(InMemoryBM25Ranker([]).rank("anything at all", limit=5)) == []


def test_question_terms_are_distinct_content_words_in_order() -> None:
    assert question_terms("What is the Deadline for the deadline of Project X?") == [
        "deadline",
        "project",
        "x",
    ]


def test_analyze_lowercases_drops_stopwords_and_stems() -> None:
    assert analyze("The Rivers were flooding") == [stem("rivers"), stem("flooding")]
    assert "the" not in analyze("The the THE river")
