"""How long uninstalling takes: `forget_workspace` on a large workspace (issue 10, §7).

Builds a migrated SQLite file with two workspaces of the same size (documents of
PASSAGES_PER_DOCUMENT passages each, spread over channels, plus votes, jobs and event
ids), then times forgetting one of them. The other one is checked afterwards to be whole.
Each passage removal runs the FTS5 delete trigger, so this measures the full cost.

    .venv/bin/python bench/forget_workspace.py --documents 2000

Prints one markdown table row per size for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from bot.jobs.intake import accept_work
from bot.migrate import upgrade_database
from bot.storage import (
    Document,
    DocumentSource,
    JobKind,
    Passage,
    add_document,
    create_db_engine,
    forget_workspace,
    make_session_factory,
    record_feedback,
)
from qa_engine.types import Passage as EnginePassage

PASSAGES_PER_DOCUMENT = 20
CHANNELS = 20
SENTENCE = "Deploys of service {n} happen on Tuesdays at 14:00 after the review. "


def fill(session_factory, team_id: str, documents: int) -> None:
    text = "".join(SENTENCE.format(n=n) for n in range(PASSAGES_PER_DOCUMENT))
    passages, start = [], 0
    for index in range(PASSAGES_PER_DOCUMENT):
        piece = SENTENCE.format(n=index)
        passages.append(EnginePassage("new", index, start, start + len(piece), piece))
        start += len(piece)
    with session_factory.begin() as session:
        for number in range(documents):
            channel_id = f"C{number % CHANNELS}"
            add_document(
                session=session, team_id=team_id, channel_id=channel_id, text=text,
                title=f"Doc {number}", source=DocumentSource.SLASH_COMMAND, added_by="U1",
                passages=passages,
            )
            if number % 10 == 0:
                record_feedback(
                    session=session, team_id=team_id, channel_id=channel_id,
                    message_ts=f"{number}.1", user_id="U1", question="q", answer="a",
                    document_id=None, helpful=True,
                )
    for number in range(documents // 10):
        accept_work(session_factory, kind=JobKind.ANSWER, team_id=team_id, channel_id="C0",
                    payload={"question": "q"}, event_id=f"Ev{team_id}{number}")


def run(documents: int) -> str:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade_database(url)
        engine = create_db_engine(url)
        session_factory = make_session_factory(engine)
        fill(session_factory, "T1", documents)
        fill(session_factory, "T2", documents)
        started = time.perf_counter()
        with session_factory.begin() as session:
            forgotten = forget_workspace(session=session, team_id="T1")
        seconds = time.perf_counter() - started
        with session_factory() as session:
            left = session.scalar(select(func.count()).select_from(Passage))
            documents_left = session.scalar(select(func.count()).select_from(Document))
        engine.dispose()
    assert forgotten.documents == documents and documents_left == documents
    assert left == documents * PASSAGES_PER_DOCUMENT
    return (
        f"| {documents:,} | {documents * PASSAGES_PER_DOCUMENT:,} | {seconds:.2f} s | "
        f"{documents_left:,} documents, {left:,} passages |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, nargs="+", default=[200, 2000])
    args = parser.parse_args()
    print("| documents forgotten | passages (and FTS rows) | time | other workspace after |")
    print("| ---: | ---: | ---: | --- |")
    for documents in args.documents:
        print(run(documents))


if __name__ == "__main__":
    main()
