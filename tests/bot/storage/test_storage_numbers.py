"""Document numbers: per channel from #1, never reused (not after remove, unpin or clear),
taken safely by concurrent writers; row ids never reused either."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.storage import (
    DocumentSource,
    clear_channel,
    count_documents,
    documents_by_id,
    get_document,
    list_documents,
    remove_document,
    remove_documents_by_source_ts,
)

REPO_ROOT = Path(__file__).resolve().parents[3]


def _numbers(session_factory, channel_id: str = "C1", team_id: str = "T1") -> list[int]:
    with session_factory.begin() as session:
        return [
            d.number
            for d in list_documents(session=session, team_id=team_id, channel_id=channel_id)
        ]


def test_each_channel_starts_at_one(session_factory, add_doc) -> None:
    first = [add_doc(f"C1 doc {n}.") for n in range(3)]
    other_channel = add_doc("The first in C2.", channel_id="C2")
    other_team = add_doc("The first in T2's C1.", team_id="T2")

    assert [d.number for d in first] == [1, 2, 3]
    assert other_channel.number == 1
    assert other_team.number == 1
    with session_factory.begin() as session:
        shown = get_document(session=session, team_id="T1", channel_id="C2", number=1)
    assert shown == other_channel


def test_a_removed_number_is_not_given_out_again(session_factory, add_doc) -> None:
    for n in range(3):
        add_doc(f"Doc {n}.")
    with session_factory.begin() as session:
        removed = remove_document(session=session, team_id="T1", channel_id="C1", number=3)

    after = add_doc("The next one.")

    assert removed is not None and removed.number == 3
    assert after.number == 4
    assert after.id != removed.id  # the newest row's id is not reused on SQLite either
    assert _numbers(session_factory) == [1, 2, 4]
    with session_factory.begin() as session:
        assert get_document(session=session, team_id="T1", channel_id="C1", number=3) is None


def test_an_unpinned_number_is_not_reused(session_factory, add_doc) -> None:
    add_doc("Kept.")
    pinned = add_doc("Pinned.", source=DocumentSource.PIN, source_ts="17.1")
    with session_factory.begin() as session:
        remove_documents_by_source_ts(
            session=session, team_id="T1", channel_id="C1", source_ts="17.1"
        )

    after = add_doc("Added after the unpin.")

    assert (pinned.number, after.number) == (2, 3)
    assert after.id != pinned.id


def test_numbering_continues_after_clear(session_factory, add_doc) -> None:
    before = [add_doc(f"Doc {n}.") for n in range(4)]
    with session_factory.begin() as session:
        cleared = clear_channel(session=session, team_id="T1", channel_id="C1")

    after = add_doc("A fresh start, but not a fresh number.")

    assert cleared == 4
    assert after.number == 5
    assert after.id not in {d.id for d in before}


def test_the_same_message_twice_keeps_its_number_and_uses_none(add_doc) -> None:
    pinned = add_doc("Pinned.", source=DocumentSource.PIN, source_ts="17.1")
    again = add_doc("Pinned.", source=DocumentSource.SHORTCUT, source_ts="17.1")
    nxt = add_doc("Next.")

    assert again == pinned
    assert nxt.number == 2


def test_documents_by_id_reads_an_answers_sources(session_factory, add_doc) -> None:
    one, two = add_doc("One."), add_doc("Two.")

    with session_factory.begin() as session:
        found = documents_by_id(
            session=session, team_id="T1", channel_id="C1", ids=[two.id, 999_999]
        )
        none = documents_by_id(session=session, team_id="T1", channel_id="C1", ids=[])

    assert found == {two.id: two}
    assert none == {}
    assert one.id not in found


def test_list_documents_reads_a_page_in_number_order(session_factory, add_doc) -> None:
    for n in range(7):
        add_doc(f"Doc {n}.")
    with session_factory.begin() as session:
        remove_document(session=session, team_id="T1", channel_id="C1", number=2)
        page = list_documents(session=session, team_id="T1", channel_id="C1", offset=2, limit=3)
        tail = list_documents(session=session, team_id="T1", channel_id="C1", offset=5, limit=3)

    assert [d.number for d in page] == [4, 5, 6]
    assert [d.number for d in tail] == [7]


_ADDER = """
import sys
from bot.storage import DocumentSource, add_document, create_db_engine, make_session_factory
from qa_engine.types import Passage

url, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
factory = make_session_factory(create_db_engine(url))
for n in range(count):
    text = f"{name} wrote document {n}."
    with factory.begin() as session:
        add_document(
            session=session, team_id="T1", channel_id="C1", text=text, title=text,
            source=DocumentSource.SLASH_COMMAND, added_by=name,
            passages=[Passage(document_id="new", index=0, start=0, end=len(text), text=text)],
        )
"""


def test_concurrent_adds_from_several_processes_get_distinct_numbers(
    database_url: str, session_factory
) -> None:
    per_process, processes = 25, 3
    running = [
        subprocess.Popen(
            [sys.executable, "-c", _ADDER, database_url, f"U{n}", str(per_process)],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(processes)
    ]
    results = [(p.wait(timeout=120), p.communicate()[1]) for p in running]

    assert [(code, err) for code, err in results if code != 0] == []
    total = per_process * processes
    assert _numbers(session_factory) == list(range(1, total + 1))
    with session_factory.begin() as session:
        documents = list_documents(session=session, team_id="T1", channel_id="C1")
        assert count_documents(session=session, team_id="T1", channel_id="C1") == total
    by_writer = {}
    for document in documents:
        by_writer.setdefault(document.added_by, []).append(document.number)
    # Each writer's own documents are numbered in the order it added them.
    assert all(numbers == sorted(numbers) for numbers in by_writer.values())
    assert len(by_writer) == processes
