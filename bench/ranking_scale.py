"""Channel ranking at scale, on SQLite and PostgreSQL (issue 9 §2–3).

    .venv/bin/python bench/ranking_scale.py [--documents 10000] [--channels 100]
        [--per-channel 1000] [--questions 30] [--backends sqlite,postgresql]

Two databases per backend, built through the storage layer (`add_document`, the engine's
own splitting with the tiny fixture model `tests/fixtures/tiny-qa`), from seeded
`bench/textgen.py` prose of about 50–70 words a document (≈ 1.2 passages each):

1. **one channel of `--documents` documents**: for `--questions` questions about random
   documents of it, the time of `ChannelAnswerer.answer` (mention → answer compute:
   counting, ranking, reading with the tiny model) and of ranking alone; on PostgreSQL
   also the ranking qabot used before (the engine's in-memory BM25 over the channel's
   passages, loaded per question), for comparison.
2. **`--channels` channels × `--per-channel` documents**: one channel's ranking time with
   only that channel stored, then with the other channels added; and whether its scores
   stayed identical.

Quality (both databases): how often the document a question was made from is the top
passage's (hit@1) or among the 4 passages read (hit@4), for per-channel BM25, and for the
alternatives: PostgreSQL's `ts_rank_cd`, and FTS5's index-wide bm25() (what SQLite used
before), measured on the many-channel database where index-wide statistics differ.

PostgreSQL is a `pgserver` (PostgreSQL 16) started in a temporary folder. Prints markdown.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH = REPO_ROOT / "bench"
for folder in (REPO_ROOT, BENCH):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from run import cpu_model, load_average, median, percentile  # noqa: E402

TINY_MODEL = REPO_ROOT / "tests" / "fixtures" / "tiny-qa"
DOCUMENT_WORDS = 50
BATCH = 500


@dataclass
class Corpus:
    texts: list[str]
    passages: list[list]  # engine passages per text
    questions: list[tuple[str, int]]  # (question, index of the text it was made from)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def make_corpus(engine, generator, *, prefix: str, documents: int, questions: int) -> Corpus:
    from qa_engine.types import Document

    texts = [
        generator.text(random.Random(f"{prefix}-doc-{i}"), DOCUMENT_WORDS)
        for i in range(documents)
    ]
    passages = [engine.split(Document(id="new", text=text)) for text in texts]
    asked = []
    for j in range(questions):
        rng = random.Random(f"{prefix}-question-{j}")
        index = rng.randrange(len(texts))
        asked.append((generator.question_about(rng, texts[index]), index))
    return Corpus(texts, passages, asked)


def store(session_factory, corpus: Corpus, *, channel_id: str) -> list[int]:
    """Store the corpus in a channel, BATCH documents a transaction; the documents' ids."""
    from bot.storage import DocumentSource, add_document

    ids: list[int] = []
    for start in range(0, len(corpus.texts), BATCH):
        with session_factory.begin() as session:
            for text, passages in zip(
                corpus.texts[start : start + BATCH],
                corpus.passages[start : start + BATCH],
                strict=True,
            ):
                stored = add_document(
                    session=session,
                    team_id="T1",
                    channel_id=channel_id,
                    text=text,
                    title=text.split(".")[0][:60],
                    source=DocumentSource.SLASH_COMMAND,
                    added_by="U1",
                    passages=passages,
                )
                ids.append(stored.id)
    return ids


def times_over(questions, call) -> list[float]:
    seconds = []
    for question, _ in questions:
        started = time.perf_counter()
        call(question)
        seconds.append(time.perf_counter() - started)
    return seconds


def row(label: str, seconds: Sequence[float]) -> str:
    return (
        f"| {label} | {median(seconds):.3f} s | {percentile(seconds, 90):.3f} s | "
        f"{min(seconds):.3f} s | {len(seconds)} |"
    )


# ------------------------------------------------------------------------- alternatives


def ts_rank_cd_top(session_factory, channel_id: str, question: str, limit: int) -> list[str]:
    from sqlalchemy import text

    from bot.storage.postgres_ranker import tsquery_any
    from qa_engine.retrieval import question_terms

    with session_factory.begin() as session:
        lexemes = session.scalar(
            text("SELECT tsvector_to_array(to_tsvector('english', :t))"),
            {"t": " ".join(question_terms(question))},
        )
        if not lexemes:
            return []
        rows = session.execute(
            text(
                """
                SELECT p.document_id FROM passages p
                JOIN documents d ON d.id = p.document_id
                JOIN channels c ON c.id = d.channel_row_id
                WHERE c.team_id = 'T1' AND c.channel_id = :c
                  AND p.search_vector @@ CAST(:q AS tsquery)
                ORDER BY ts_rank_cd(p.search_vector, CAST(:q AS tsquery)) DESC,
                         p.document_id, p."index"
                LIMIT :limit
                """
            ),
            {"c": channel_id, "q": tsquery_any(lexemes), "limit": limit},
        )
        return [str(document_id) for (document_id,) in rows]


def fts5_global_top(session_factory, channel_id: str, question: str, limit: int) -> list[str]:
    """What SQLite ranked with before: FTS5's bm25(), statistics over the whole index."""
    from sqlalchemy import text

    from qa_engine.retrieval import question_terms

    terms = question_terms(question)
    if not terms:
        return []
    match = " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)
    with session_factory.begin() as session:
        rows = session.execute(
            text(
                """
                SELECT p.document_id FROM passages_fts f
                JOIN passages p ON p.id = f.rowid
                JOIN documents d ON d.id = p.document_id
                JOIN channels c ON c.id = d.channel_row_id
                WHERE passages_fts MATCH :m AND c.team_id = 'T1' AND c.channel_id = :c
                ORDER BY bm25(passages_fts), p.document_id, p."index"
                LIMIT :limit
                """
            ),
            {"m": match, "c": channel_id, "limit": limit},
        )
        return [str(document_id) for (document_id,) in rows]


def quality(corpus: Corpus, ids: list[int], top: Callable[[str], list[str]]) -> str:
    hit1 = hit4 = 0
    for question, index in corpus.questions:
        documents = top(question)
        gold = str(ids[index])
        hit1 += bool(documents) and documents[0] == gold
        hit4 += gold in documents[:4]
    n = len(corpus.questions)
    return f"{hit1 / n:.0%} | {hit4 / n:.0%}"


# ------------------------------------------------------------------------------ backends


class Databases:
    """Fresh migrated databases of one backend."""

    def __init__(self, backend: str, folder: Path):
        self.backend = backend
        self.folder = folder
        self._server = None
        if backend == "postgresql":
            import pgserver

            folder.chmod(0o755)  # run as root, PostgreSQL runs as another user
            self._server = pgserver.get_server(folder / "pg", cleanup_mode="delete")

    def new(self, name: str):
        from sqlalchemy import create_engine, text

        from bot.migrate import upgrade_database
        from bot.storage import create_db_engine, make_session_factory

        if self.backend == "sqlite":
            url = f"sqlite:///{self.folder / (name + '.db')}"
        else:
            socket = self.folder / "pg"
            admin = create_engine(
                f"postgresql+psycopg://postgres@/postgres?host={socket}",
                isolation_level="AUTOCOMMIT",
            )
            with admin.connect() as connection:
                connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
                connection.execute(text(f"CREATE DATABASE {name}"))
            admin.dispose()
            url = f"postgresql+psycopg://postgres@/{name}?host={socket}"
        upgrade_database(url)
        engine = create_db_engine(url)
        return engine, make_session_factory(engine)

    def analyze(self, engine) -> None:
        # What autovacuum would do soon after a bulk load; without it the planner
        # guesses row counts of an empty table.
        if self.backend == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.exec_driver_sql("VACUUM ANALYZE")
        else:
            with engine.begin() as c:
                c.exec_driver_sql("ANALYZE")

    def close(self) -> None:
        if self._server is not None:
            self._server.cleanup()


def big_channel(dbs: Databases, engine_qa, corpus: Corpus, lines: list[str], q_lines: list[str]):
    from sqlalchemy import func, select

    from bot.answering import ChannelAnswerer
    from bot.storage import Passage, channel_passages, make_ranker
    from qa_engine.retrieval import InMemoryBM25Ranker

    engine, factory = dbs.new("big")
    log(f"{dbs.backend}: storing {len(corpus.texts)} documents")
    ids = store(factory, corpus, channel_id="C1")
    dbs.analyze(engine)
    with factory() as session:
        passages = session.scalar(select(func.count()).select_from(Passage))
    answerer = ChannelAnswerer(engine=engine_qa, session_factory=factory)
    limit = engine_qa.settings.qa_passages_to_read

    def rank(question: str):
        return make_ranker(factory, team_id="T1", channel_id="C1").rank(question, limit)

    def answer(question: str):
        return answerer.answer(team_id="T1", channel_id="C1", question=question)

    for question, _ in corpus.questions[:3]:  # warm caches and the model
        answer(question)
    log(f"{dbs.backend}: timing")
    answer_s = times_over(corpus.questions, answer)
    rank_s = times_over(corpus.questions, rank)
    label = f"{dbs.backend}, {len(corpus.texts):,} documents ({passages:,} passages)"
    lines.append(row(f"{label}: mention → answer compute", answer_s))
    lines.append(row(f"{label}: ranking alone", rank_s))
    if dbs.backend == "postgresql":

        def old_rank(question: str):
            with factory.begin() as session:
                loaded = channel_passages(session=session, team_id="T1", channel_id="C1")
            return InMemoryBM25Ranker(loaded).rank(question, limit)

        before = times_over(corpus.questions[:10], old_rank)
        lines.append(row(f"{label}: ranking as before (passages loaded, in-memory BM25)", before))
    q_lines.append(
        f"| {dbs.backend}, one channel of {len(corpus.texts):,} | per-channel BM25 | "
        + quality(corpus, ids, lambda q: [r.passage.document_id for r in rank(q)])
        + " |"
    )
    if dbs.backend == "postgresql":
        q_lines.append(
            f"| {dbs.backend}, one channel of {len(corpus.texts):,} | ts_rank_cd | "
            + quality(corpus, ids, lambda q: ts_rank_cd_top(factory, "C1", q, limit))
            + " |"
        )
    engine.dispose()


def many_channels(
    dbs: Databases, corpora: list[Corpus], lines: list[str], q_lines: list[str], limit: int
):
    from bot.storage import make_ranker

    engine, factory = dbs.new("many")
    first = corpora[0]
    ids = store(factory, first, channel_id="C0")
    dbs.analyze(engine)

    def rank(question: str):
        return make_ranker(factory, team_id="T1", channel_id="C0").rank(question, limit)

    for question, _ in first.questions[:3]:
        rank(question)
    alone = times_over(first.questions, rank)
    scores_alone = [[(r.passage.text, r.score) for r in rank(q)] for q, _ in first.questions]
    log(f"{dbs.backend}: storing {len(corpora) - 1} more channels")
    for number, corpus in enumerate(corpora[1:], start=1):
        store(factory, corpus, channel_id=f"C{number}")
    dbs.analyze(engine)
    for question, _ in first.questions[:3]:
        rank(question)
    together = times_over(first.questions, rank)
    scores_together = [[(r.passage.text, r.score) for r in rank(q)] for q, _ in first.questions]
    size = len(first.texts)
    lines.append(row(f"{dbs.backend}: one channel of {size:,}, alone", alone))
    lines.append(
        row(f"{dbs.backend}: the same channel with {len(corpora) - 1} others of {size:,}", together)
    )
    lines.append(
        f"| {dbs.backend}: its scores identical with the others present? | "
        f"{'yes' if scores_alone == scores_together else 'NO'} | | | |"
    )
    label = f"{dbs.backend}, channel of {size:,} among {len(corpora)}"
    q_lines.append(
        f"| {label} | per-channel BM25 | "
        + quality(first, ids, lambda q: [r.passage.document_id for r in rank(q)])
        + " |"
    )
    other = (
        ("FTS5 bm25(), index-wide (before)", fts5_global_top)
        if dbs.backend == "sqlite"
        else ("ts_rank_cd", ts_rank_cd_top)
    )
    q_lines.append(
        f"| {label} | {other[0]} | "
        + quality(first, ids, lambda q: other[1](factory, "C0", q, limit))
        + " |"
    )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--channels", type=int, default=100)
    parser.add_argument("--per-channel", type=int, default=1_000)
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()

    import sqlalchemy
    import torch
    import transformers
    from textgen import TextGenerator, build_lexicon

    from qa_engine.engine import QAEngine
    from qa_engine.settings import EngineSettings

    engine_qa = QAEngine(EngineSettings(qa_model=str(TINY_MODEL)))
    engine_qa.warm_up()
    tokenizer = engine_qa.tokenizer

    def count(text: str) -> int:
        return len(tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])

    generator = TextGenerator(build_lexicon(count))
    log("splitting the corpora")
    big = make_corpus(
        engine_qa, generator, prefix="big", documents=args.documents, questions=args.questions
    )
    corpora = [
        make_corpus(
            engine_qa,
            generator,
            prefix=f"ch{number}",
            documents=args.per_channel,
            questions=args.questions if number == 0 else 0,
        )
        for number in range(args.channels)
    ]
    lines: list[str] = []
    q_lines: list[str] = []
    limit = engine_qa.settings.qa_passages_to_read
    for backend in args.backends.split(","):
        folder = Path(tempfile.mkdtemp(prefix=f"qabot-bench-{backend}-"))
        dbs = Databases(backend, folder)
        try:
            big_channel(dbs, engine_qa, big, lines, q_lines)
            many_channels(dbs, corpora, lines, q_lines, limit)
        finally:
            dbs.close()
            shutil.rmtree(folder, ignore_errors=True)

    versions = (
        f"Python {platform.python_version()}, SQLite {__import__('sqlite3').sqlite_version}, "
        f"PostgreSQL 16 (pgserver), SQLAlchemy {sqlalchemy.__version__}, "
        f"torch {torch.__version__}, transformers {transformers.__version__}"
    )
    print(
        f"Machine: {cpu_model()}, {os.cpu_count()} cores, load average "
        f"{load_average()[0]:.1f} at the end. {versions}. Reader: tests/fixtures/tiny-qa, "
        f"{limit} passages × {engine_qa.settings.qa_passage_tokens} tokens.\n"
    )
    print("| what | p50 | p90 | min | n |\n|---|---:|---:|---:|---:|")
    print("\n".join(lines))
    print("\n| database | ranking | hit@1 | hit@4 |\n|---|---|---:|---:|")
    print("\n".join(q_lines))


if __name__ == "__main__":
    main()
