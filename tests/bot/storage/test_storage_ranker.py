from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

from bot.storage import (
    Fts5PassageRanker,
    channel_passages,
    clear_channel,
    documents_by_id,
    fts5_terms,
    list_documents,
    make_ranker,
    remove_document,
)
from bot.storage.fts5_ranker import _docsize_length
from qa_engine.retrieval import InMemoryBM25Ranker
from qa_engine.types import PassageRanker

FACTS = [
    ("Alice", "Alice lives in Paris with her two cats."),
    ("Bob", "Bob works at the bakery on Main Street."),
    ("Carol", "Carol teaches chemistry at the high school."),
    ("Dave", "Dave repairs bicycles in his garage."),
    ("Erin", "Erin writes software for a shipping company."),
    ("Frank", "Frank grows tomatoes and peppers every summer."),
    ("Grace", "Grace plays the violin in the city orchestra."),
    ("Heidi", "Heidi manages the support rota for on-call engineers."),
]


@pytest.fixture
def facts(add_doc) -> dict[str, int]:
    return {title: add_doc(body, title=title).id for title, body in FACTS}


def number_of(session, document_id: int) -> int:
    """The channel number of the document with row id `document_id` (in T1's C1)."""
    found = documents_by_id(session=session, team_id="T1", channel_id="C1", ids=[document_id])
    return found[document_id].number


def ranker(session_factory, team_id: str = "T1", channel_id: str = "C1") -> PassageRanker:
    """The ranker the app uses on this backend, made fresh."""
    return make_ranker(session_factory, team_id=team_id, channel_id=channel_id)


def test_the_passage_with_the_questions_words_comes_first(session_factory, facts) -> None:
    ranked = ranker(session_factory).rank("Which company does Erin write software for?", 3)

    assert ranked[0].passage.document_id == str(facts["Erin"])
    assert ranked[0].passage.document_title == "Erin"
    assert ranked[0].passage.text == FACTS[4][1]
    assert ranked[0].score > 0
    assert [r.score for r in ranked] == sorted((r.score for r in ranked), reverse=True)


def test_stemming_meets_other_forms_of_a_word(session_factory, facts) -> None:
    # "living" and "repaired" appear only as "lives" and "repairs" in the documents.
    living = ranker(session_factory).rank("Who is living in Paris?", 1)
    repaired = ranker(session_factory).rank("Who repaired my bicycle?", 1)

    assert living[0].passage.document_id == str(facts["Alice"])
    assert repaired[0].passage.document_id == str(facts["Dave"])


def test_lives_matches_live(session_factory, add_doc) -> None:
    for title, body in FACTS[1:]:
        add_doc(body, title=title)
    target = add_doc("Penguins live in Antarctica.", title="Penguins")

    ranked = ranker(session_factory).rank("Where do penguins usually lives?", 1)

    assert [r.passage.document_id for r in ranked] == [str(target.id)]


def test_more_passages_than_limit_returns_only_the_best_matches(session_factory, facts) -> None:
    ranked = ranker(session_factory).rank("violin orchestra tomatoes", 2)

    assert {r.passage.document_id for r in ranked} == {str(facts["Grace"]), str(facts["Frank"])}


def test_a_question_matching_nothing_returns_nothing_from_a_big_channel(
    session_factory, facts
) -> None:
    assert ranker(session_factory).rank("Quantum entanglement?", 3) == []
    assert ranker(session_factory).rank("Who is it?", 3) == []  # stopwords only


def test_a_small_channel_returns_every_passage_matches_first(session_factory, facts) -> None:
    ranked = ranker(session_factory).rank("Where does Grace play?", 50)

    assert len(ranked) == len(FACTS)
    assert ranked[0].passage.document_id == str(facts["Grace"])
    assert ranked[0].score > 0
    rest = ranked[1:]
    assert all(r.score == 0.0 for r in rest)
    assert [int(r.passage.document_id) for r in rest] == sorted(
        int(r.passage.document_id) for r in rest
    )


def test_a_small_channel_with_no_matching_words_still_returns_everything(
    session_factory, facts
) -> None:
    ranked = ranker(session_factory).rank("???", 50)

    assert [r.passage.document_id for r in ranked] == [str(facts[t]) for t, _ in FACTS]
    assert all(r.score == 0.0 for r in ranked)


def test_empty_channel_and_zero_limit(session_factory, facts) -> None:
    assert ranker(session_factory, channel_id="C-empty").rank("Alice", 5) == []
    assert ranker(session_factory).rank("Alice", 0) == []


@pytest.mark.parametrize(
    "question",
    [
        'Where does "Alice live?',
        'she said ""Paris"" right',
        "Alice*",
        "* OR *",
        "Alice AND Bob",
        "alice NOT bob",
        "NEAR(Alice Bob, 3)",
        "NEAR(",
        "-Alice",
        "title:Alice",
        "text : Paris",
        "^Alice + Bob ( )",
        "{text}: Alice",
        "'; DROP TABLE passages; --",
        "café naïve 東京 🙂",
        "",
        "   ",
    ],
)
def test_user_text_is_never_fts_syntax(session_factory, facts, question: str) -> None:
    ranked = ranker(session_factory).rank(question, 3)

    assert len(ranked) <= 3
    # Operators are words like any other: the best passage is one of the names asked about
    # (which of two equally good ones comes first is up to the backend's ranker).
    named = {str(facts[name]) for name in ("Alice", "Bob") if name.lower() in question.lower()}
    if named:
        assert ranked[0].passage.document_id in named


def test_fts5_terms_are_the_index_stems_and_never_query_syntax() -> None:
    assert fts5_terms("Alice lives in Paris, living") == ["alic", "live", "in", "pari"]
    assert fts5_terms('NEAR(Alice* -Bob) "x" AND') == ["near", "alic", "bob", "x", "and"]
    assert fts5_terms("café naïve") == ["cafe", "naiv"]
    assert fts5_terms("") == []


def test_never_returns_another_channels_passages(session_factory, facts, add_doc) -> None:
    other_channel = add_doc("Alice lives in Paris, says channel two.", channel_id="C2")
    other_team = add_doc("Alice lives in Paris, says team two.", team_id="T2")

    mine = {str(i) for i in facts.values()}
    for limit in (1, 3, 50):
        ranked = ranker(session_factory).rank("Where does Alice live in Paris?", limit)
        assert {r.passage.document_id for r in ranked} <= mine

    only_c2 = ranker(session_factory, channel_id="C2").rank("Alice Paris bakery violin", 50)
    only_t2 = ranker(session_factory, team_id="T2").rank("Alice Paris bakery violin", 50)
    assert [r.passage.document_id for r in only_c2] == [str(other_channel.id)]
    assert [r.passage.document_id for r in only_t2] == [str(other_team.id)]


def _assert_index_matches_passages(session_factory) -> None:
    # FTS5 raises if an external-content index disagrees with its content table.
    with session_factory.begin() as session:
        session.execute(
            text("INSERT INTO passages_fts(passages_fts, rank) VALUES ('integrity-check', 1)")
        )


def _fts_rowids(session_factory, word: str) -> set[int]:
    with session_factory.begin() as session:
        rows = session.execute(
            text("SELECT rowid FROM passages_fts WHERE passages_fts MATCH :q"), {"q": word}
        )
        return {row[0] for row in rows}


def test_a_removed_document_is_never_ranked(session_factory, facts) -> None:
    with session_factory.begin() as session:
        remove_document(session=session, team_id="T1", channel_id="C1",
                        number=number_of(session, facts["Grace"]))

    for limit in (3, 50):
        ranked = ranker(session_factory).rank("Who plays the violin?", limit)
        assert str(facts["Grace"]) not in {r.passage.document_id for r in ranked}


@pytest.mark.sqlite_only
def test_removing_a_document_removes_its_passages_from_the_index(session_factory, facts) -> None:
    assert _fts_rowids(session_factory, "violin")

    with session_factory.begin() as session:
        listed = list_documents(session=session, team_id="T1", channel_id="C1")
        grace = next(d for d in listed if d.id == facts["Grace"])
        remove_document(session=session, team_id="T1", channel_id="C1", number=grace.number)

    assert _fts_rowids(session_factory, "violin") == set()
    _assert_index_matches_passages(session_factory)


def test_a_cleared_channel_ranks_nothing_and_others_keep_theirs(
    session_factory, facts, add_doc
) -> None:
    other = add_doc("Alice also lives in Lyon.", channel_id="C2")

    with session_factory.begin() as session:
        clear_channel(session=session, team_id="T1", channel_id="C1")

    assert ranker(session_factory).rank("Where does Alice live?", 50) == []
    ranked = ranker(session_factory, channel_id="C2").rank("Where does Alice live?", 50)
    assert [r.passage.document_id for r in ranked] == [str(other.id)]


@pytest.mark.sqlite_only
def test_clearing_a_channel_empties_its_part_of_the_index(session_factory, facts, add_doc) -> None:
    add_doc("Alice also lives in Lyon.", channel_id="C2")

    with session_factory.begin() as session:
        clear_channel(session=session, team_id="T1", channel_id="C1")

    assert len(_fts_rowids(session_factory, "alice")) == 1
    with session_factory.begin() as session:
        assert session.execute(text("SELECT count(*) FROM passages_fts")).scalar() == 1
    _assert_index_matches_passages(session_factory)


@pytest.mark.sqlite_only
def test_make_ranker_uses_fts5_on_sqlite(session_factory) -> None:
    made = make_ranker(session_factory, team_id="T1", channel_id="C1")

    assert isinstance(made, Fts5PassageRanker)
    assert isinstance(made, PassageRanker)


@pytest.mark.sqlite_only
def test_fts5_agrees_with_the_in_memory_ranker_on_the_best_passage(session_factory, facts) -> None:
    with session_factory.begin() as session:
        passages = channel_passages(session=session, team_id="T1", channel_id="C1")
    in_memory = InMemoryBM25Ranker(passages)

    for question in ("Who grows tomatoes?", "Where is the bakery?", "Who is on call?"):
        fts = ranker(session_factory).rank(question, 2)
        assert fts[0].passage == in_memory.rank(question, 2)[0].passage


@pytest.mark.parametrize("terms", [0, 1, 127, 128, 300, 16383, 16384, 20000])
def test_passage_lengths_are_decoded_as_fts5_counts_them(terms: int) -> None:
    # FTS5 stores a row's term count as a varint of 1 to 4 bytes; the ranker decodes it in SQL.
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE t USING fts5(text, tokenize='porter unicode61')")
    connection.execute("INSERT INTO t(rowid, text) VALUES (1, ?)", (" ".join(["word"] * terms),))

    (decoded,) = connection.execute(f"SELECT {_docsize_length('sz')} FROM t_docsize").fetchone()

    assert decoded == terms


def _term_passages(session_factory) -> set[int]:
    with session_factory.begin() as session:
        return set(session.scalars(text("SELECT DISTINCT passage_id FROM passages_fts_terms")))


@pytest.mark.sqlite_only
def test_the_channel_term_index_follows_removals(session_factory, facts, add_doc) -> None:
    other = add_doc("Alice also lives in Lyon.", channel_id="C2")
    with session_factory.begin() as session:
        all_passages = set(session.scalars(text("SELECT id FROM passages")))
    assert _term_passages(session_factory) == all_passages

    with session_factory.begin() as session:
        remove_document(session=session, team_id="T1", channel_id="C1",
                        number=number_of(session, facts["Grace"]))
        clear_channel(session=session, team_id="T1", channel_id="C1")

    with session_factory.begin() as session:
        left = set(session.scalars(text("SELECT id FROM passages")))
    assert _term_passages(session_factory) == left
    assert len(left) == 1
    ranked = ranker(session_factory, channel_id="C2").rank("Lyon", 1)
    assert [r.passage.document_id for r in ranked] == [str(other.id)]
