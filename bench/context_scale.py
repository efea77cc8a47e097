"""`/context` on a channel of 10,000 documents: list pages, show, remove, add, clear.

Everything goes through the storage functions and the renderer the Slack listeners call
(no Slack, no model), on a migrated SQLite file (or `--database-url`). The channel holds
`--documents` documents of ~100 words (80-token passages, ≈1.2 per document, so ≈12,000
passages for 10,000 documents, all in the FTS5 index); a second channel of 1,000
documents is there so every query has to stay inside its channel. Prints a Markdown table.

    .venv/bin/python bench/context_scale.py [--documents 10000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from bot import rendering  # noqa: E402
from bot.migrate import upgrade_database  # noqa: E402
from bot.storage import (  # noqa: E402
    DocumentSource,
    add_document,
    clear_channel,
    count_documents,
    create_db_engine,
    document_page,
    get_document,
    make_session_factory,
    remove_document,
)
from qa_engine.passages import split_passages  # noqa: E402
from qa_engine.types import Document  # noqa: E402

TEAM = "T1"
_TOKEN = re.compile(r"\w+|[^\w\s]")
WORDS = (
    "deploy release staging database backup incident review owner access token vpn laptop "
    "holiday payroll onboarding office printer meeting roadmap budget invoice customer "
    "support ticket escalation weekend rotation alert dashboard metric latency"
).split()


def _text(rng: random.Random, n: int) -> str:
    words = rng.choices(WORDS, k=rng.randint(40, 100))
    return f"Note {n}: " + " ".join(words) + "."


def _split(text_: str, title: str) -> list:
    return split_passages(
        Document(id="new", text=text_, title=title),
        token_offsets=lambda t: [m.span() for m in _TOKEN.finditer(t)],
        max_tokens=80,
    )


def _fill(factory, channel: str, count: int, rng: random.Random) -> float:
    started = time.perf_counter()
    with factory.begin() as session:
        for n in range(1, count + 1):
            body = _text(rng, n)
            add_document(
                session=session, team_id=TEAM, channel_id=channel, text=body,
                title=f"Note {n}", source=DocumentSource.SLASH_COMMAND, added_by="U1",
                passages=_split(body, f"Note {n}"),
            )
    return time.perf_counter() - started


def _timed(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), max(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temp folder")
    args = parser.parse_args()
    rng = random.Random(7)

    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'scale.db'}"
        upgrade_database(url)
        engine = create_db_engine(url)
        factory = make_session_factory(engine)
        fill = _fill(factory, "CBIG", args.documents, rng)
        _fill(factory, "COTHER", 1_000, rng)
        with factory() as session:
            passages = session.execute(text("SELECT COUNT(*) FROM passages")).scalar_one()
        per_page = rendering.LIST_PAGE_SIZE
        last_page = -(-args.documents // per_page)
        rows: list[tuple[str, float, float, str]] = []

        def list_page(page: int) -> rendering.Message:
            with factory() as session:
                found = document_page(
                    session=session, team_id=TEAM, channel_id="CBIG", page=page, per_page=per_page
                )
            return rendering.document_list_message(found)

        for page in (1, last_page // 2, last_page):
            message = list_page(page)
            size = len(message.text) + len(json.dumps(message.blocks, ensure_ascii=False))
            median, worst = _timed(lambda page=page: list_page(page), args.repeat)
            rows.append(
                (f"`/context list {page}` (read + render)", median, worst,
                 f"{len(message.blocks)} blocks, {size:,} chars of JSON")
            )

        middle = args.documents // 2

        def show() -> None:
            with factory() as session:
                found = get_document(
                    session=session, team_id=TEAM, channel_id="CBIG", number=middle
                )
            assert found is not None
            rendering.document_message(found)

        rows.append((f"`/context show {middle}`", *_timed(show, args.repeat), ""))

        def count() -> None:
            with factory() as session:
                count_documents(session=session, team_id=TEAM, channel_id="CBIG")

        rows.append(("`/context clear` question (count)", *_timed(count, args.repeat), ""))

        numbers = iter(range(2, args.documents, max(1, args.documents // (args.repeat + 1))))

        def remove() -> None:
            with factory.begin() as session:
                removed = remove_document(
                    session=session, team_id=TEAM, channel_id="CBIG", number=next(numbers)
                )
                assert removed is not None

        rows.append(("`/context remove <n>` (one document + passages)",
                     *_timed(remove, args.repeat), ""))

        def add() -> None:
            body = _text(rng, 0)
            with factory.begin() as session:
                add_document(
                    session=session, team_id=TEAM, channel_id="CBIG", text=body, title="New",
                    source=DocumentSource.SLASH_COMMAND, added_by="U1",
                    passages=_split(body, "New"),
                )

        rows.append(("add one more document (takes the next number)",
                     *_timed(add, args.repeat), ""))

        started = time.perf_counter()
        with factory.begin() as session:
            cleared = clear_channel(session=session, team_id=TEAM, channel_id="CBIG")
        clear = time.perf_counter() - started
        rows.append((f"`/context clear` confirmed ({cleared:,} documents)", clear, clear, "once"))
        with factory() as session:
            left = count_documents(session=session, team_id=TEAM, channel_id="COTHER")
        engine.dispose()

    print(
        f"{args.documents:,} documents ({passages:,} passages with the other channel's), "
        f"stored in {fill:.1f} s; the other channel kept {left:,} documents\n"
    )
    print("| operation | median | max | notes |")
    print("|---|---:|---:|---|")
    for name, median, worst, notes in rows:
        print(f"| {name} | {median * 1000:.1f} ms | {worst * 1000:.1f} ms | {notes} |")


if __name__ == "__main__":
    main()
