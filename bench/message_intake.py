"""What `message.channels` costs per message: qabot now hears every message in its channels.

Times the listener's decision (`channel_message` parse + `UnpromptedAnswers.request_for`)
on a migrated SQLite file holding 1,000 answered threads, for the kinds of message a busy
channel carries. Writing the job itself (for the few messages qabot answers) is the same
`accept_work` a mention pays, and is not timed here.

    .venv/bin/python bench/message_intake.py [--runs 2000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from slack_bolt import BoltContext  # noqa: E402

from bot.listeners.events.messages import channel_message  # noqa: E402
from bot.migrate import upgrade_database  # noqa: E402
from bot.storage import create_db_engine, make_session_factory, remember_thread  # noqa: E402
from bot.unprompted import UnpromptedAnswers  # noqa: E402

THREADS = 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade_database(url)
        engine = create_db_engine(url)
        factory = make_session_factory(engine)
        with factory.begin() as session:
            for i in range(THREADS):
                remember_thread(session=session, team_id="T1", channel_id=f"C{i % 20}",
                                thread_ts=f"1.{i:06d}", question="When do deploys happen?")
        unprompted = UnpromptedAnswers(session_factory=factory, autoanswer_threshold=0.5)
        context = BoltContext({"bot_user_id": "UBOT", "team_id": "T1"})
        base = {"type": "message", "channel": "C1", "channel_type": "channel", "user": "U2",
                "ts": "9.000001"}
        cases = {
            "chatter (not a question)": {**base, "text": "Deploy is done, thanks all."},
            "bot message": {**base, "text": "Build passed?", "bot_id": "B1"},
            "edit": {**base, "text": "", "subtype": "message_changed"},
            "question, top level, autoanswer off": {**base, "text": "When is the release?"},
            "question in a thread qabot never answered": {
                **base, "text": "When is the release?", "thread_ts": "8.000001"},
            "follow-up in an answered thread (taken)": {
                **base, "text": "and on Fridays?", "thread_ts": "1.000001"},
        }
        print(f"{args.runs} runs each, {THREADS} answered threads in the database")
        print(f"{'message':45} {'p50 µs':>8} {'p95 µs':>8}  taken")
        for name, event in cases.items():
            times = []
            taken = None
            for _ in range(args.runs):
                started = time.perf_counter()
                message = channel_message({"event_id": "Ev1"}, event, context)
                taken = unprompted.request_for(message) if message else None
                times.append((time.perf_counter() - started) * 1e6)
            times.sort()
            p95 = times[int(len(times) * 0.95)]
            print(f"{name:45} {statistics.median(times):8.0f} {p95:8.0f}  {taken is not None}")
        engine.dispose()


if __name__ == "__main__":
    main()
