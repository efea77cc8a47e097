"""Issue 7 §3 re-measured: status counts for hostile requests to a real `qabot serve`.

Starts `python -m bot serve` (the code under `--code`, default this checkout) with the Web
API faked on 127.0.0.1 and the trained fixture model, then sends the catalogues of
tests/bot/slack/hostile.py: 75 signed but malformed bodies and 21 forged or unsigned
requests (plus one 20 MB body). Prints, per category, how many got each status, how many
tracebacks the server logged and how many log lines quote a request body.

    .venv/bin/python bench/hostile_bodies.py                 # this checkout
    .venv/bin/python bench/hostile_bodies.py --code ../main  # another one, for "before"
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.bot.slack.conftest import BOT_TOKEN, MODEL, SIGNING_SECRET  # noqa: E402
from tests.bot.slack.fake_slack import FakeSlack, wait_for  # noqa: E402
from tests.bot.slack.hostile import (  # noqa: E402
    JSON,
    MARKER,
    Case,
    forged_or_unsigned,
    malformed_signed,
    signed,
)

OVERSIZED_BYTES = 20 * 1024 * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose bot/ to serve")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each request")
    args = parser.parse_args()

    fake = FakeSlack()
    with tempfile.TemporaryDirectory() as folder:
        port, log = _free_port(), Path(folder) / "server.log"
        server = _serve(args.code.resolve(), fake, port, Path(folder), log)
        try:
            client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
            wait_for(lambda: _healthy(client), timeout=120, interval=0.2)
            time.sleep(0.5)
            already_logged = log.read_text("utf-8", errors="replace")
            oversized = b'{"type": "x", "pad": "' + b"a" * OVERSIZED_BYTES + b'"}'
            rows = [
                ("malformed, signed", malformed_signed(fake.response_url)),
                ("forged or unsigned", forged_or_unsigned(fake.response_url)),
                ("20 MB body, signed", [signed("oversized", oversized, JSON, expected=413)]),
            ]
            results = [(name, _send_all(client, cases, args.verbose)) for name, cases in rows]
            time.sleep(2)  # listeners run after the ack; let their log lines land
            logged = log.read_text("utf-8", errors="replace")[len(already_logged) :]
            rss = _rss_mib(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
            fake.close()

    statuses = sorted({status for _, counts in results for status in counts})
    print(f"code: {args.code}")
    print("| requests | n | " + " | ".join(str(s) for s in statuses) + " |")
    print("|---|---|" + "---|" * len(statuses))
    for name, counts in results:
        cells = " | ".join(str(counts.get(s, 0)) for s in statuses)
        print(f"| {name} | {sum(counts.values())} | {cells} |")
    print(f"tracebacks in the server log: {logged.count('Traceback')}")
    quoting = sum(MARKER in line for line in logged.splitlines())
    print(f"log lines quoting a request body: {quoting}")
    print(f"server RSS after: {rss} MiB")


def _send_all(client: httpx.Client, cases: list[Case], verbose: bool) -> Counter[int]:
    counts: Counter[int] = Counter()
    for case in cases:
        try:
            response = _post(client, case)
        except httpx.TransportError:
            # uvicorn closes a connection after a 500; a reused one then fails before the
            # request is read. On a fresh connection each request gets its own answer.
            with httpx.Client(base_url=client.base_url, timeout=client.timeout) as fresh:
                try:
                    response = _post(fresh, case)
                except httpx.TransportError as error:
                    response = error
        if isinstance(response, httpx.Response):
            status, detail = response.status_code, response.text[:60]
        else:
            status, detail = 0, repr(response)[:60]  # no answer at all: counted as status 0
        counts[status] += 1
        if verbose:
            print(f"{status} {case.name}: {detail!r}")
    return counts


def _post(client: httpx.Client, case: Case) -> httpx.Response:
    return client.post("/slack/events", content=case.body, headers=case.headers)


def _serve(code: Path, fake: FakeSlack, port: int, folder: Path, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "PYTHONPATH": str(code),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": f"sqlite:///{folder / 'qabot.db'}",
        "QA_MODEL": str(MODEL),
        "PORT": str(port),
        "HOST": "127.0.0.1",
    }
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"], env=env, cwd=folder, stdout=out, stderr=out
        )


def _healthy(client: httpx.Client) -> bool:
    try:
        return client.get("/healthz").json().get("status") == "ok"
    except (httpx.HTTPError, json.JSONDecodeError):
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
    return -1


if __name__ == "__main__":
    main()
