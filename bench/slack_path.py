"""Mention → threaded reply latency through the whole app, real-size model, 100 documents.

The app is served by uvicorn exactly as in the tests (real HTTP, signed requests) with
Slack's Web API faked on 127.0.0.1. The model is the randomly initialised real-shape
DistilBERT that bench/run.py builds (same cache). Documents go in through the storage
layer with the engine's own passage splitting, as `/context add` stores them; each
timed mention is measured from the HTTP POST until the fake Slack records the threaded
`chat.postMessage`.

    .venv/bin/python bench/slack_path.py [--documents 100] [--questions 15]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from run import CACHE, MODEL_SEED, build_model  # noqa: E402
from textgen import TextGenerator, build_lexicon  # noqa: E402

from bot.storage import DocumentSource, add_document  # noqa: E402
from qa_engine.engine import QAEngine  # noqa: E402
from qa_engine.types import Document  # noqa: E402
from tests.bot.slack.conftest import SlackApp, make_settings  # noqa: E402
from tests.bot.slack.fake_slack import TEAM_ID, FakeSlack, wait_for  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--words", type=int, default=300, help="words per document")
    parser.add_argument("--questions", type=int, default=15)
    args = parser.parse_args()

    model = build_model(CACHE / f"random-distilbert-base-seed{MODEL_SEED}")
    fake = FakeSlack()
    with tempfile.TemporaryDirectory() as folder:
        settings = make_settings(Path(folder) / "qabot.db", fake, qa_model=str(model))
        engine = QAEngine(settings)
        engine.warm_up()
        app = SlackApp(settings, engine, fake)
        try:
            questions = _fill_channel(app, engine, args.documents, args.words, args.questions)
            app.mention("warm-up question about nothing?")  # first request pays one-off costs
            wait_for(lambda: len(fake.calls("chat.postMessage")) >= 1, timeout=120)
            latencies = [_timed_mention(app, fake, q) for q in questions]
        finally:
            app.stop()
            fake.close()
    latencies.sort()
    p90 = latencies[min(len(latencies) - 1, round(0.9 * (len(latencies) - 1)))]
    print(
        f"| mention → threaded reply, {args.documents} documents × ~{args.words} words | "
        f"p50 {statistics.median(latencies):.3f} s | p90 {p90:.3f} s | "
        f"min {latencies[0]:.3f} s | n={len(latencies)} |"
    )


def _fill_channel(
    app: SlackApp, engine: QAEngine, documents: int, words: int, questions: int
) -> list[str]:
    tokenizer = engine.tokenizer

    def count(text: str) -> int:
        return len(tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])

    generator = TextGenerator(build_lexicon(count))
    texts = [generator.text(random.Random(f"slack-doc-{i}"), words) for i in range(documents)]
    with app.services.session_factory.begin() as session:
        for i, text in enumerate(texts):
            add_document(
                session=session,
                team_id=TEAM_ID,
                channel_id="C1",
                text=text,
                title=f"Document {i}",
                source=DocumentSource.SLASH_COMMAND,
                added_by="U1",
                passages=engine.split(Document(id="new", text=text, title=f"Document {i}")),
            )
    picks = [random.Random(f"slack-question-{j}") for j in range(questions)]
    return [generator.question_about(rng, texts[rng.randrange(documents)]) for rng in picks]


def _timed_mention(app: SlackApp, fake: FakeSlack, question: str) -> float:
    started = time.perf_counter()
    _, ts = app.mention(question)
    wait_for(
        lambda: [c for c in fake.calls("chat.postMessage") if c.get("thread_ts") == ts],
        timeout=120,
        interval=0.005,
    )
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
