"""Uninstalling forgets a workspace entirely and nothing else; channels stop and resume
answering; the assistant panel's thread context."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.jobs.intake import accept_work
from bot.storage import (
    AnsweredThread,
    AssistantThread,
    Channel,
    ChannelSettings,
    ChannelSwitch,
    Document,
    Feedback,
    HandledEvent,
    Job,
    JobKind,
    Passage,
    find_thread_context,
    forget_workspace,
    is_answering,
    list_documents,
    record_feedback,
    remember_thread,
    save_thread_context,
    set_answering,
    set_channel_switch,
)

TEAM_TABLES = (Channel, Job, HandledEvent, AssistantThread)


def fill_workspace(session_factory: sessionmaker[Session], add_doc, team_id: str, word: str):
    """Everything qabot stores for a workspace: documents in two channels, votes, a
    pending job with its event id, an assistant thread."""
    for channel_id in ("C1", "C2"):
        add_doc(f"The {word} is fed at noon. Ask {word} keepers.", team_id=team_id,
                channel_id=channel_id)
    with session_factory.begin() as session:
        record_feedback(
            session=session, team_id=team_id, channel_id="C1", message_ts="1.1", user_id="U1",
            question="q", answer="a", document_id=None, helpful=True,
        )
        save_thread_context(
            session=session, team_id=team_id, channel_id="D1" + team_id, thread_ts="1.2",
            context={"channel_id": "C1", "team_id": team_id},
        )
        remember_thread(
            session=session, team_id=team_id, channel_id="C1", thread_ts="1.3", question=word
        )
        set_channel_switch(
            session=session, team_id=team_id, channel_id="C2", switch=ChannelSwitch.AUTOANSWER,
            on=True, user_id="U1",
        )
    accept_work(
        session_factory, kind=JobKind.ANSWER, team_id=team_id, channel_id="C1",
        payload={"question": word}, event_id=f"Ev-{team_id}",
    )


def rows_of(session: Session, team_id: str) -> dict[str, int]:
    counts = {
        model.__tablename__: session.scalar(
            select(func.count()).select_from(model).where(model.team_id == team_id)
        )
        for model in TEAM_TABLES
    }
    channels = select(Channel.id).where(Channel.team_id == team_id).scalar_subquery()
    for model in (Document, Feedback, AnsweredThread, ChannelSettings):
        counts[model.__tablename__] = session.scalar(
            select(func.count()).select_from(model).where(model.channel_row_id.in_(channels))
        )
    return counts


def fts_hits(session: Session, word: str) -> int:
    """Passages the backend's full-text index still finds for `word`."""
    if session.get_bind().dialect.name == "postgresql":
        query = (
            "SELECT count(*) FROM passages"
            " WHERE search_vector @@ plainto_tsquery('english', :word)"
        )
    else:
        query = "SELECT count(*) FROM passages_fts WHERE passages_fts MATCH :word"
    return session.execute(text(query), {"word": word}).scalar_one()


def test_forgetting_a_workspace_leaves_nothing_of_it_and_all_of_the_others(
    session_factory, add_doc
) -> None:
    fill_workspace(session_factory, add_doc, "T1", "zebrafish")
    fill_workspace(session_factory, add_doc, "T2", "axolotl")
    with session_factory.begin() as session:
        before_other = rows_of(session, "T2")
        assert all(rows_of(session, "T1").values())

    with session_factory.begin() as session:
        forgotten = forget_workspace(session=session, team_id="T1")

    assert (forgotten.documents, forgotten.channels, forgotten.feedback) == (2, 2, 1)
    assert (forgotten.jobs, forgotten.events, forgotten.assistant_threads) == (1, 1, 1)
    with session_factory.begin() as session:
        assert set(rows_of(session, "T1").values()) == {0}
        assert rows_of(session, "T2") == before_other
        # Passages went with their documents, and their full-text rows with them.
        assert fts_hits(session, "zebrafish") == 0
        assert fts_hits(session, "axolotl") == 2
        orphans = session.scalar(
            select(func.count()).select_from(Passage).where(
                Passage.document_id.not_in(select(Document.id))
            )
        )
        assert orphans == 0
        if session.get_bind().dialect.name == "sqlite":  # FTS5's own consistency check
            session.execute(
                text("INSERT INTO passages_fts(passages_fts) VALUES ('integrity-check')")
            )
        assert len(list_documents(session=session, team_id="T2", channel_id="C1")) == 1


def test_forgetting_an_unknown_workspace_changes_nothing(session_factory, add_doc) -> None:
    fill_workspace(session_factory, add_doc, "T2", "axolotl")
    with session_factory.begin() as session:
        before = rows_of(session, "T2")
        forgotten = forget_workspace(session=session, team_id="T9")
        assert forgotten.documents == forgotten.channels == 0
        assert rows_of(session, "T2") == before


def test_a_channel_stops_and_resumes_answering_and_keeps_its_documents(
    session_factory, add_doc
) -> None:
    add_doc("Deploys are on Tuesdays.")
    with session_factory.begin() as session:
        assert is_answering(session=session, team_id="T1", channel_id="C1")
        assert set_answering(session=session, team_id="T1", channel_id="C1", answering=False)
        assert not set_answering(session=session, team_id="T1", channel_id="C1", answering=False)
    with session_factory.begin() as session:
        assert not is_answering(session=session, team_id="T1", channel_id="C1")
        assert is_answering(session=session, team_id="T2", channel_id="C1")  # other team
        assert len(list_documents(session=session, team_id="T1", channel_id="C1")) == 1
        assert set_answering(session=session, team_id="T1", channel_id="C1", answering=True)
    with session_factory.begin() as session:
        assert is_answering(session=session, team_id="T1", channel_id="C1")


def test_leaving_a_channel_without_documents_is_remembered(session_factory) -> None:
    with session_factory.begin() as session:
        assert not set_answering(session=session, team_id="T1", channel_id="C7", answering=True)
        set_answering(session=session, team_id="T1", channel_id="C7", answering=False)
    with session_factory.begin() as session:
        assert not is_answering(session=session, team_id="T1", channel_id="C7")


def test_thread_context_is_saved_replaced_and_found_per_thread(session_factory) -> None:
    with session_factory.begin() as session:
        assert find_thread_context(session=session, channel_id="D1", thread_ts="1.0") is None
        save_thread_context(
            session=session, team_id="T1", channel_id="D1", thread_ts="1.0",
            context={"channel_id": "C1"},
        )
        save_thread_context(
            session=session, team_id="T1", channel_id="D1", thread_ts="2.0",
            context={"channel_id": "C3"},
        )
    with session_factory.begin() as session:
        save_thread_context(
            session=session, team_id="T1", channel_id="D1", thread_ts="1.0",
            context={"channel_id": "C2", "team_id": "T1"},
        )
    with session_factory.begin() as session:
        assert find_thread_context(session=session, channel_id="D1", thread_ts="1.0") == {
            "channel_id": "C2", "team_id": "T1",
        }
        assert find_thread_context(session=session, channel_id="D1", thread_ts="2.0") == {
            "channel_id": "C3",
        }
