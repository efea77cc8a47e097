from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.storage import (
    DocumentSource,
    add_document,
    channel_passages,
    clear_channel,
    count_documents,
    documents_by_id,
    feedback_counts,
    get_document,
    list_documents,
    record_feedback,
    remove_document,
    remove_documents_by_source_ts,
)
from qa_engine.types import Document, Passage

LONG_TEXT = " ".join(
    f"Sentence number {n} talks about topic {n} and nothing else at all." for n in range(12)
)


def test_add_document_stores_fields_and_returns_them(session_factory, add_doc) -> None:
    before = datetime.now(UTC)
    stored = add_doc(
        "Alice lives in Paris.",
        title="People",
        source=DocumentSource.PIN,
        added_by="U42",
        source_ts="1712.0001",
        permalink="https://example.slack.com/archives/C1/p17120001",
    )

    assert stored.id > 0
    assert (stored.team_id, stored.channel_id) == ("T1", "C1")
    assert (stored.title, stored.text, stored.added_by) == (
        "People",
        "Alice lives in Paris.",
        "U42",
    )
    assert stored.source is DocumentSource.PIN
    assert stored.source_ts == "1712.0001"
    assert stored.permalink == "https://example.slack.com/archives/C1/p17120001"
    assert stored.created_at.tzinfo is not None
    assert before - timedelta(seconds=1) <= stored.created_at <= datetime.now(UTC)
    with session_factory.begin() as session:
        again = get_document(session=session, team_id="T1", channel_id="C1", number=stored.number)
    assert again == stored
    assert again.created_at.utcoffset() == timedelta(0)


def test_to_engine_document_uses_the_id_as_a_string(add_doc) -> None:
    stored = add_doc("Bob works in Berlin.", title="Bob")

    assert stored.to_engine_document() == Document(
        id=str(stored.id), text="Bob works in Berlin.", title="Bob"
    )


def test_passages_are_stored_under_the_new_document(session_factory, add_doc) -> None:
    stored = add_doc(LONG_TEXT, title="Long")

    with session_factory.begin() as session:
        passages = channel_passages(session=session, team_id="T1", channel_id="C1")

    assert len(passages) > 1
    assert [p.index for p in passages] == list(range(len(passages)))
    for passage in passages:
        assert passage.document_id == str(stored.id)
        assert passage.document_title == "Long"
        assert LONG_TEXT[passage.start : passage.end] == passage.text


def test_channel_passages_are_in_document_then_passage_order(session_factory, add_doc) -> None:
    first = add_doc(LONG_TEXT, title="First")
    second = add_doc("Short one.", title="Second")

    with session_factory.begin() as session:
        passages = channel_passages(session=session, team_id="T1", channel_id="C1")

    keys = [(int(p.document_id), p.index) for p in passages]
    assert keys == sorted(keys)
    assert {p.document_id for p in passages} == {str(first.id), str(second.id)}


def test_passages_must_match_the_text(session_factory) -> None:
    with pytest.raises(ValueError, match="does not match"), session_factory.begin() as session:
        add_document(
            session=session,
            team_id="T1",
            channel_id="C1",
            text="Alice lives in Paris.",
            title="",
            source=DocumentSource.MODAL,
            added_by="U1",
            passages=[Passage("new", 0, 0, 9, "Something")],
        )


def test_list_is_oldest_first_and_count_matches(session_factory, add_doc) -> None:
    ids = [add_doc(f"Document {n}.").id for n in range(3)]

    with session_factory.begin() as session:
        listed = list_documents(session=session, team_id="T1", channel_id="C1")
        count = count_documents(session=session, team_id="T1", channel_id="C1")

    assert [d.id for d in listed] == ids
    assert count == 3


def test_empty_and_unknown_channels(session_factory) -> None:
    with session_factory.begin() as session:
        assert list_documents(session=session, team_id="T9", channel_id="C9") == []
        assert count_documents(session=session, team_id="T9", channel_id="C9") == 0
        assert channel_passages(session=session, team_id="T9", channel_id="C9") == []
        assert clear_channel(session=session, team_id="T9", channel_id="C9") == 0
        assert get_document(session=session, team_id="T9", channel_id="C9", number=1) is None


def test_remove_document_returns_it_and_removes_its_passages(session_factory, add_doc) -> None:
    keep = add_doc("Keep this one.")
    gone = add_doc(LONG_TEXT)

    with session_factory.begin() as session:
        removed = remove_document(
            session=session, team_id="T1", channel_id="C1", number=gone.number
        )
    with session_factory.begin() as session:
        again = remove_document(session=session, team_id="T1", channel_id="C1", number=gone.number)
        remaining = list_documents(session=session, team_id="T1", channel_id="C1")
        passages = channel_passages(session=session, team_id="T1", channel_id="C1")

    assert removed == gone
    assert again is None
    assert remaining == [keep]
    assert {p.document_id for p in passages} == {str(keep.id)}


def test_clear_channel_removes_only_that_channels_documents(session_factory, add_doc) -> None:
    add_doc("One.")
    add_doc("Two.")
    other = add_doc("Elsewhere.", channel_id="C2")

    with session_factory.begin() as session:
        cleared = clear_channel(session=session, team_id="T1", channel_id="C1")
    with session_factory.begin() as session:
        assert cleared == 2
        assert count_documents(session=session, team_id="T1", channel_id="C1") == 0
        assert channel_passages(session=session, team_id="T1", channel_id="C1") == []
        assert list_documents(session=session, team_id="T1", channel_id="C2") == [other]


@pytest.mark.parametrize(("team_id", "channel_id"), [("T1", "C2"), ("T2", "C1")])
def test_another_channels_document_cannot_be_read_or_removed(
    session_factory, add_doc, team_id: str, channel_id: str
) -> None:
    first = add_doc("Also in C1 of T1.")
    mine = add_doc("Private to C1 of T1.")  # #2 here; the other place has only a #1
    add_doc("Something in the other place.", team_id=team_id, channel_id=channel_id)

    with session_factory.begin() as session:
        by_id = documents_by_id(
            session=session, team_id=team_id, channel_id=channel_id, ids=[first.id, mine.id]
        )
        got = get_document(
            session=session, team_id=team_id, channel_id=channel_id, number=mine.number
        )
        removed = remove_document(
            session=session, team_id=team_id, channel_id=channel_id, number=mine.number
        )
        theirs = list_documents(session=session, team_id=team_id, channel_id=channel_id)
        their_passages = channel_passages(session=session, team_id=team_id, channel_id=channel_id)
    with session_factory.begin() as session:
        still_mine = list_documents(session=session, team_id="T1", channel_id="C1")

    assert mine.number == 2
    assert got is None
    assert removed is None
    assert by_id == {}
    assert mine.id not in {d.id for d in theirs}
    assert str(mine.id) not in {p.document_id for p in their_passages}
    assert still_mine == [first, mine]


def test_the_same_message_is_stored_once_per_channel(session_factory, add_doc) -> None:
    pinned = add_doc("Deploys happen on Tuesdays.", source=DocumentSource.PIN, source_ts="17.1")
    shortcut = add_doc(
        "Deploys happen on Tuesdays.", source=DocumentSource.SHORTCUT, source_ts="17.1"
    )
    elsewhere = add_doc("Deploys happen on Tuesdays.", channel_id="C2", source_ts="17.1")

    with session_factory.begin() as session:
        count = count_documents(session=session, team_id="T1", channel_id="C1")
        passages = channel_passages(session=session, team_id="T1", channel_id="C1")

    assert shortcut == pinned
    assert shortcut.source is DocumentSource.PIN
    assert elsewhere.id != pinned.id
    assert count == 1
    assert len(passages) == 1


def test_documents_without_a_message_are_never_deduplicated(session_factory, add_doc) -> None:
    add_doc("Same text.")
    add_doc("Same text.")

    with session_factory.begin() as session:
        assert count_documents(session=session, team_id="T1", channel_id="C1") == 2


def test_dedupe_within_one_transaction(session_factory, split_text) -> None:
    with session_factory.begin() as session:
        stored = [
            add_document(
                session=session,
                team_id="T1",
                channel_id="C1",
                text="Pinned text.",
                title="",
                source=source,
                added_by="U1",
                passages=split_text("Pinned text."),
                source_ts="99.9",
            )
            for source in (DocumentSource.PIN, DocumentSource.SHORTCUT)
        ]

    assert stored[0] == stored[1]


def test_remove_documents_by_source_ts(session_factory, add_doc) -> None:
    pinned = add_doc("Pinned.", source=DocumentSource.PIN, source_ts="5.5")
    other = add_doc("Other.", source_ts="6.6")
    elsewhere = add_doc("Pinned.", channel_id="C2", source_ts="5.5")

    with session_factory.begin() as session:
        removed = remove_documents_by_source_ts(
            session=session, team_id="T1", channel_id="C1", source_ts="5.5"
        )
        missing = remove_documents_by_source_ts(
            session=session, team_id="T1", channel_id="C1", source_ts="0.0"
        )
    with session_factory.begin() as session:
        assert list_documents(session=session, team_id="T1", channel_id="C1") == [other]
        assert list_documents(session=session, team_id="T1", channel_id="C2") == [elsewhere]
    assert (removed, missing) == (1, 0)
    assert pinned.id != elsewhere.id


def test_removing_documents_keeps_feedback_about_them(session_factory, add_doc) -> None:
    doc = add_doc("Lunch is at noon.")
    with session_factory.begin() as session:
        record_feedback(
            session=session,
            team_id="T1",
            channel_id="C1",
            message_ts="1.1",
            user_id="U1",
            question="When is lunch?",
            answer="noon",
            document_id=doc.id,
            helpful=True,
        )

    with session_factory.begin() as session:
        remove_document(session=session, team_id="T1", channel_id="C1", number=doc.number)
        clear_channel(session=session, team_id="T1", channel_id="C1")
    with session_factory.begin() as session:
        assert feedback_counts(session=session, team_id="T1", channel_id="C1") == (1, 0)
