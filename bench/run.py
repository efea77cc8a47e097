"""qabot vs transformers 5.2.0's question-answering pipeline, side by side, in one run.

    .venv/bin/python bench/run.py [--quick] [--reference-python PATH]

The reference side is `bench/reference_pipeline.py` run by the reference venv's python
(torch 2.13.0 + transformers 5.2.0; default `.venv-ref/bin/python` or
$QABOT_REFERENCE_PYTHON). Both sides load the same randomly initialised model of the real
DistilBERT shape (built once into bench/.cache/) and read the same seeded inputs; qabot's
calls run in a worker process (bench/ours.py) so both sides are equally fresh processes and
calls can be interleaved (ABBA order) on a shared machine. Times are medians of several
repetitions after warm-up; ratios are pipeline time / qabot time.

Sections: exact mode (one context of ~100 to ~10,000 words), retrieval mode on the
10,000-word document (ad-hoc and pre-split), a 1,000-document channel (latency percentiles
and a passages_to_read x qa_passage_tokens sweep), torch threads 1 vs 2 (QA_THREADS),
resident memory, and answer agreement on the trained fixture model (bench/agreement.py).
Prints markdown and writes it to bench/results/latest.md (raw numbers: latest.json).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH = REPO_ROOT / "bench"
for folder in (REPO_ROOT, BENCH):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

CACHE = BENCH / ".cache"
RESULTS = BENCH / "results"
MODEL_SEED = 0
TRAINED_MODEL = REPO_ROOT / "tests" / "fixtures" / "tiny-qa"
HELDOUT = REPO_ROOT / "tests" / "fixtures" / "synthetic_heldout.json"


@dataclass(frozen=True)
class Plan:
    exact_reps: dict[int, int]  # context words -> timed repetitions
    retrieval_reps: int
    channel_docs: int
    channel_words: int
    channel_questions: int
    sweep_passages: tuple[int, ...]
    sweep_tokens: tuple[int, ...]
    thread_reps: int
    agreement_limit: int | None


FULL = Plan(
    exact_reps={100: 11, 400: 7, 2000: 4, 10000: 2},
    retrieval_reps=7,
    channel_docs=1000,
    channel_words=300,
    channel_questions=15,
    sweep_passages=(2, 4, 6, 8),
    sweep_tokens=(80, 110, 160),
    thread_reps=7,
    agreement_limit=None,
)
QUICK = Plan(
    exact_reps={100: 5, 400: 3, 2000: 2, 10000: 1},
    retrieval_reps=3,
    channel_docs=300,
    channel_words=300,
    channel_questions=6,
    sweep_passages=(2, 6),
    sweep_tokens=(110,),
    thread_reps=3,
    agreement_limit=25,
)

# ----------------------------------------------------------------------------- machine


def cpu_model() -> str:
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()


def memory_total_gib() -> float:
    with contextlib.suppress(OSError), open("/proc/meminfo") as handle:
        for line in handle:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    return float("nan")


# ----------------------------------------------------------------------------- workers


class Worker:
    """A JSON-lines child process (bench/reference_pipeline.py or bench/ours.py --serve)."""

    def __init__(self, name: str, argv: Sequence[str], env: dict[str, str] | None = None):
        self.name = name
        log_dir = CACHE / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"{name}.log"
        self._log = open(self.log_path, "w")  # noqa: SIM115  (closed in close())
        self.proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            cwd=REPO_ROOT,
            env={**os.environ, **(env or {})},
        )

    def ask(self, op: str, **request: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write(json.dumps({"op": op, **request}) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except BrokenPipeError:
            line = ""
        if not line:
            raise RuntimeError(f"{self.name} died; log tail:\n{self._tail()}")
        reply = json.loads(line)
        if "error" in reply:
            raise RuntimeError(f"{self.name}: {reply['error']}")
        return reply

    def _tail(self) -> str:
        self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-20:])

    def close(self) -> None:
        if self.proc.poll() is not None and self._log.closed:
            return
        with contextlib.suppress(Exception):
            self.ask("quit")
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()  # our own child, by its handle
            self.proc.wait()
        self._log.close()


def start_reference(python: str, model: Path, threads: int = 0) -> Worker:
    argv = [python, str(BENCH / "reference_pipeline.py"), "--model", str(model), "--serve"]
    if threads:
        argv += ["--threads", str(threads)]
    return Worker("reference" + (f"-t{threads}" if threads else ""), argv)


def start_ours(model: Path, name: str = "ours", env: dict[str, str] | None = None) -> Worker:
    return Worker(name, [sys.executable, str(BENCH / "ours.py"), "--model", str(model)], env)


# ----------------------------------------------------------------------------- inputs


def build_model(folder: Path) -> Path:
    marker = folder / ".complete"
    if marker.exists():
        return folder
    from tools.tiny_models import DISTILBERT_BASE_SHAPE, save_random_qa_model

    print(f"building the random DistilBERT-shaped model into {folder} ...", flush=True)
    save_random_qa_model(folder, seed=MODEL_SEED, **DISTILBERT_BASE_SHAPE)
    marker.write_text(json.dumps({"seed": MODEL_SEED, **DISTILBERT_BASE_SHAPE}))
    return folder


@dataclass
class Inputs:
    contexts: dict[int, str]
    questions: dict[int, str]
    channel: list[str]
    channel_questions: list[str]
    tokens: dict[int, int]
    tokens_per_word: float
    question_tokens: float


def make_inputs(model: Path, plan: Plan) -> Inputs:
    from textgen import TextGenerator, build_lexicon, tokens_per_word
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model))

    def count(text: str) -> int:
        return len(tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])

    generator = TextGenerator(build_lexicon(count))
    contexts, questions, tokens = {}, {}, {}
    for words in plan.exact_reps:
        contexts[words] = generator.text(random.Random(f"context-{words}"), words)
        questions[words] = generator.question_about(
            random.Random(f"question-{words}"), contexts[words]
        )
        tokens[words] = count(contexts[words])
    channel = [
        generator.text(random.Random(f"channel-doc-{i}"), plan.channel_words)
        for i in range(plan.channel_docs)
    ]
    channel_questions = []
    for j in range(plan.channel_questions):
        rng = random.Random(f"channel-question-{j}")
        document = channel[rng.randrange(len(channel))]
        channel_questions.append(generator.question_about(rng, document))
    all_questions = list(questions.values()) + channel_questions
    return Inputs(
        contexts=contexts,
        questions=questions,
        channel=channel,
        channel_questions=channel_questions,
        tokens=tokens,
        tokens_per_word=tokens_per_word(count, list(contexts.values()) + channel[:50]),
        question_tokens=statistics.mean(count(q) for q in all_questions),
    )


# ----------------------------------------------------------------------------- timing


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def interleave(
    reps: int, first: Callable[[], float], second: Callable[[], float]
) -> tuple[list[float], list[float]]:
    """Alternate A B, B A, ... so both sides see the same machine on average."""
    a_times, b_times = [], []
    for rep in range(reps):
        if rep % 2 == 0:
            a_times.append(first())
            b_times.append(second())
        else:
            b_times.append(second())
            a_times.append(first())
    return a_times, b_times


def log(message: str) -> None:
    load = " ".join(f"{v:.1f}" for v in load_average())
    print(f"[{time.strftime('%H:%M:%S')} load {load}] {message}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- sections


def exact_section(ref: Worker, ours: Worker, inputs: Inputs, plan: Plan) -> list[dict[str, Any]]:
    rows = []
    for words, reps in plan.exact_reps.items():
        question, context = inputs.questions[words], inputs.contexts[words]
        log(f"exact mode, {words} words ({inputs.tokens[words]} tokens), {reps} reps")
        replies: dict[str, dict[str, Any]] = {}

        def pipeline_call(
            q: str = question, c: str = context, replies: dict[str, Any] = replies
        ) -> float:
            replies["pipeline"] = ref.ask("run", question=q, context=c)
            return replies["pipeline"]["seconds"]

        def ours_call(
            q: str = question, c: str = context, replies: dict[str, Any] = replies
        ) -> float:
            replies["ours"] = ours.ask("run", mode="exact", question=q, context=c)
            return replies["ours"]["seconds"]

        if words <= 2000:  # per-case warm-up; the long case is warm from the others
            pipeline_call()
            ours_call()
        pipeline_times, ours_times = interleave(reps, pipeline_call, ours_call)
        theirs, mine = replies["pipeline"]["answer"], replies["ours"]["answer"]
        rows.append(
            {
                "words": words,
                "tokens": inputs.tokens[words],
                "pipeline": pipeline_times,
                "ours": ours_times,
                "same_answer": (theirs["answer"], theirs["start"], theirs["end"])
                == (mine["answer"], mine["start"], mine["end"]),
                "score_diff": abs(theirs["score"] - mine["score"]),
                "pipeline_answer": theirs,
                "ours_answer": mine,
            }
        )
    return rows


def retrieval_section(ours: Worker, inputs: Inputs, plan: Plan) -> dict[str, Any]:
    words = max(inputs.contexts)
    question, document = inputs.questions[words], inputs.contexts[words]
    log(f"retrieval mode on the {words}-word document")
    prepared = ours.ask("prepare", ranker="document", texts=[document])
    documents_request = {"mode": "documents", "question": question, "context": document}
    ranker_request = {"mode": "ranker", "question": question, "ranker": "document"}
    ours.ask("run", **documents_request)  # warm-up
    ours.ask("run", **ranker_request)
    documents, presplit = interleave(
        plan.retrieval_reps,
        lambda: ours.ask("run", **documents_request)["seconds"],
        lambda: ours.ask("run", **ranker_request)["seconds"],
    )
    answer = ours.ask("run", **documents_request)["answer"]
    return {
        "words": words,
        "documents": documents,
        "presplit": presplit,
        "split_seconds": prepared["seconds"],
        "passages": prepared["passages"],
        "answer": answer,
    }


def channel_section(
    ours: Worker, inputs: Inputs, plan: Plan, label: str = "channel"
) -> dict[str, Any]:
    default_k, default_tokens = defaults()
    tokens_values = sorted(set(plan.sweep_tokens) | {default_tokens})
    k_values = sorted(set(plan.sweep_passages) | {default_k})
    prepared = {}
    for tokens in tokens_values:
        log(f"{label}: splitting {len(inputs.channel)} documents into ≤{tokens}-token passages")
        prepared[tokens] = ours.ask(
            "prepare", ranker=f"channel-{tokens}", texts=inputs.channel, passage_tokens=tokens
        )
    configs = [(t, k) for t in tokens_values for k in k_values]
    times: dict[tuple[int, int], list[float]] = {c: [] for c in configs}
    read: dict[tuple[int, int], list[int]] = {c: [] for c in configs}
    for tokens, k in configs:  # warm-up each configuration once
        ours.ask(
            "run", mode="ranker", question=inputs.channel_questions[0],
            ranker=f"channel-{tokens}", passages_to_read=k,
        )  # fmt: skip
    log(f"{label}: {len(inputs.channel_questions)} questions x {len(configs)} configurations")
    for index, question in enumerate(inputs.channel_questions):
        # Configurations interleaved per question (rotated), so load drift hits all alike.
        shift = index % len(configs)
        for tokens, k in configs[shift:] + configs[:shift]:
            reply = ours.ask(
                "run", mode="ranker", question=question, ranker=f"channel-{tokens}",
                passages_to_read=k,
            )  # fmt: skip
            times[(tokens, k)].append(reply["seconds"])
            read[(tokens, k)].append(reply["answer"].get("passages_read", 0))
    return {
        "documents": len(inputs.channel),
        "words_per_document": plan.channel_words,
        "questions": len(inputs.channel_questions),
        "passages": {t: prepared[t]["passages"] for t in tokens_values},
        "split_seconds": {t: prepared[t]["seconds"] for t in tokens_values},
        "sweep": [
            {
                "passage_tokens": t,
                "passages_to_read": k,
                "times": times[(t, k)],
                "passages_read": read[(t, k)],
            }
            for t, k in configs
        ],
        "default": {"passage_tokens": default_tokens, "passages_to_read": default_k},
    }


def threads_section(
    model: Path, ref: Worker, inputs: Inputs, plan: Plan
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """QA_THREADS=1 vs 2 in two fresh qabot workers (interleaved), and the pipeline's.

    Also returns the channel sweep repeated with QA_THREADS=1.
    """
    words = 400 if 400 in inputs.contexts else min(inputs.contexts)
    rows = []
    log("threads: starting qabot workers with QA_THREADS=1 and QA_THREADS=2")
    one = start_ours(model, "ours-threads1", {"QA_THREADS": "1"})
    two = start_ours(model, "ours-threads2", {"QA_THREADS": "2"})
    try:
        infos = (one.ask("info"), two.ask("info"))
        for worker in (one, two):
            worker.ask("prepare", ranker="channel", texts=inputs.channel)
        exact_request = {
            "mode": "exact",
            "question": inputs.questions[words],
            "context": inputs.contexts[words],
        }
        log(f"threads: qabot exact mode, {words} words")
        one.ask("run", **exact_request)
        two.ask("run", **exact_request)
        t1, t2 = interleave(
            plan.thread_reps,
            lambda: one.ask("run", **exact_request)["seconds"],
            lambda: two.ask("run", **exact_request)["seconds"],
        )
        rows.append({"case": f"qabot exact mode, {words} words (median)", "one": t1, "two": t2})
        log(f"threads: qabot channel questions, defaults ({len(inputs.channel_questions)})")
        warm = {"mode": "ranker", "question": inputs.channel_questions[0], "ranker": "channel"}
        one.ask("run", **warm)
        two.ask("run", **warm)
        c1, c2 = [], []
        for index, question in enumerate(inputs.channel_questions):
            request = {"mode": "ranker", "question": question, "ranker": "channel"}
            calls = [(c1, one), (c2, two)]
            for times, worker in calls if index % 2 == 0 else calls[::-1]:
                times.append(worker.ask("run", **request)["seconds"])
        rows.append({"case": f"qabot channel of {len(inputs.channel):,} documents, defaults "
                     "(p50 over the questions)", "one": c1, "two": c2, "p50": True})  # fmt: skip
        two.close()
        sweep_one_thread = channel_section(one, inputs, plan, "channel, QA_THREADS=1")
    finally:
        one.close()
        two.close()
    log(f"threads: pipeline, exact {words} words")
    question, context = inputs.questions[words], inputs.contexts[words]

    def pipeline_with(n: int) -> float:
        ref.ask("threads", n=n)
        return ref.ask("run", question=question, context=context)["seconds"]

    pipeline_with(1)
    t1, t2 = interleave(plan.thread_reps, lambda: pipeline_with(1), lambda: pipeline_with(2))
    ref.ask("threads", n=2)
    rows.append({"case": f"pipeline (5.2.0), {words} words (median)", "one": t1, "two": t2})
    rows[0]["threads_reported"] = [i["threads"] for i in infos]
    return rows, sweep_one_thread


def memory_section(model: Path, inputs: Inputs) -> dict[str, Any]:
    """A fresh qabot process: loaded, then peaks answering (VmHWM only grows)."""
    words = max(inputs.contexts)
    log("memory: fresh qabot worker")
    worker = start_ours(model, "ours-memory")
    try:
        info = worker.ask("info")
        steps = {"loaded": info["memory_after_load"], "before_load": info["memory_before_load"]}
        worker.ask(
            "run", mode="documents", question=inputs.questions[words],
            context=inputs.contexts[words],
        )  # fmt: skip
        steps["retrieval_10k"] = worker.ask("memory")
        worker.ask("prepare", ranker="channel", texts=inputs.channel)
        steps["channel_indexed"] = worker.ask("memory")
        for question in inputs.channel_questions[:5]:
            worker.ask("run", mode="ranker", question=question, ranker="channel")
        steps["channel_answers"] = worker.ask("memory")
    finally:
        worker.close()
    return steps


def agreement_section(plan: Plan, python: str) -> dict[str, Any] | str:
    if not (TRAINED_MODEL / "config.json").exists() or not HELDOUT.exists():
        return (
            f"skipped: {TRAINED_MODEL.relative_to(REPO_ROOT)} or "
            f"{HELDOUT.relative_to(REPO_ROOT)} is missing"
        )
    log("agreement: trained model over the held-out channels")
    out = CACHE / "agreement.json"
    argv = [python, str(BENCH / "agreement.py"), "--model", str(TRAINED_MODEL),
            "--heldout", str(HELDOUT), "--json", str(out)]  # fmt: skip
    if plan.agreement_limit:
        argv += ["--limit", str(plan.agreement_limit)]
    env = {**os.environ, "QA_THREADS": "1"}  # not a timing: 1 thread is fastest when shared
    done = subprocess.run(argv, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        return "failed: " + "\n".join(done.stderr.splitlines()[-5:])
    return json.loads(out.read_text())


def defaults() -> tuple[int, int]:
    from qa_engine.settings import EngineSettings

    settings = EngineSettings()
    return settings.qa_passages_to_read, settings.qa_passage_tokens


# ----------------------------------------------------------------------------- report


def fmt_s(seconds: float) -> str:
    if seconds != seconds:  # nan
        return "—"
    return f"{seconds:.3f}" if seconds < 10 else f"{seconds:.1f}"


def spread(values: Sequence[float]) -> str:
    if len(values) < 2:
        return ""
    return f" ({fmt_s(min(values))}–{fmt_s(max(values))})"


def mib(kb: int) -> str:
    return f"{kb / 1024:.0f} MiB"


def report(results: dict[str, Any]) -> str:
    m = results["machine"]
    ref_info, ours_info = results["reference_info"], results["ours_info"]
    inputs = results["inputs"]
    lines = [
        "# qabot benchmark" + (" (--quick)" if results["quick"] else ""),
        "",
        f"- machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']:.0f} GiB; "
        f"load average at start {m['load_start']}, at end {m['load_end']}",
        f"- qabot: Python {ours_info['python']}, torch {ours_info['torch']}, transformers "
        f"{ours_info['transformers']}, {ours_info['threads']} torch threads",
        f"- pipeline: Python {ref_info['python']}, torch {ref_info['torch']}, transformers "
        f"{ref_info['transformers']}, {ref_info['threads']} torch threads "
        '(`pipeline("question-answering")`, default parameters)',
        f"- model: random DistilBERT of the real shape (6 layers, dim 768, 12 heads, FFN 3072, "
        f"vocab 28,996), seed {MODEL_SEED}; inputs: seeded generated text, "
        f"{inputs['tokens_per_word']:.2f} tokens/word, questions "
        f"{inputs['question_tokens']:.1f} tokens",
        f"- run took {results['seconds'] / 60:.1f} min",
        "",
        "## Speed (median seconds; ratio = pipeline / qabot)",
        "",
        "| case | pipeline s | qabot s | ratio | target | met? |",
        "|---|---:|---:|---:|---|---|",
    ]
    pipeline_long = None
    for row in results["exact"]:
        p, o = median(row["pipeline"]), median(row["ours"])
        ratio = p / o
        target = 1.5 if row["words"] <= 100 else 1.0
        goal = "≥ 1.5×" if target > 1 else "≥ 1× (never slower)"
        lines.append(
            f"| exact mode, {row['words']:,} words ({row['tokens']:,} tokens), "
            f"n={len(row['ours'])} | {fmt_s(p)}{spread(row['pipeline'])} "
            f"| {fmt_s(o)}{spread(row['ours'])} | {ratio:.2f}× | {goal} "
            f"| {'yes' if ratio >= target else '**no**'} |"
        )
        if row["words"] == results["retrieval"]["words"]:
            pipeline_long = p
    r = results["retrieval"]
    for key, label in (
        ("documents", "retrieval mode, `documents=[doc]`"),
        ("presplit", "retrieval mode, pre-split ranker"),
    ):
        o = median(r[key])
        long_s = pipeline_long or float("nan")
        ratio = long_s / o
        lines.append(
            f"| {label}, {r['words']:,} words, n={len(r[key])} | {fmt_s(long_s)} "
            f"| {fmt_s(o)}{spread(r[key])} | {ratio:.1f}× | ≥ 10× "
            f"| {'yes' if ratio >= 10 else '**no**'} |"
        )
    c = results["channel"]
    d = c["default"]
    default_cell = (d["passage_tokens"], d["passages_to_read"])
    default_row = next(
        s for s in c["sweep"] if (s["passage_tokens"], s["passages_to_read"]) == default_cell
    )
    p50, p90 = percentile(default_row["times"], 50), percentile(default_row["times"], 90)
    total_words = c["documents"] * c["words_per_document"]
    per_word = (pipeline_long / r["words"]) if pipeline_long else float("nan")
    estimate = per_word * total_words
    lines += [
        f"| channel of {c['documents']:,} documents × ~{c['words_per_document']} words, "
        f"defaults ({d['passages_to_read']} passages of ≤{d['passage_tokens']} tokens), "
        f"{c['questions']} questions: p50 | ~{fmt_s(estimate)} (extrapolated) "
        f"| {fmt_s(p50)}{spread(default_row['times'])} "
        f"| {estimate / p50:.0f}× | p50 ≤ 0.5 s | {'yes' if p50 <= 0.5 else '**no**'} |",
        f"| same, p90 | | {fmt_s(p90)} | | | |",
    ]
    one = results.get("channel_one_thread")
    if one:
        row1 = next(
            s for s in one["sweep"] if (s["passage_tokens"], s["passages_to_read"]) == default_cell
        )
        p50_1 = percentile(row1["times"], 50)
        lines += [
            f"| same, QA_THREADS=1: p50 | | {fmt_s(p50_1)}{spread(row1['times'])} | "
            f"| p50 ≤ 0.5 s | {'yes' if p50_1 <= 0.5 else '**no**'} |",
            f"| same, QA_THREADS=1: p90 | | {fmt_s(percentile(row1['times'], 90))} | | | |",
        ]
    lines += [
        "",
        "Spread in brackets: fastest–slowest repetition. The channel's pipeline time is the "
        "10,000-word time scaled by words (the pipeline would read every window).",
        "",
        "### Exact mode: same outputs?",
        "",
        "| context | same answer text and offsets | score difference |",
        "|---|---|---:|",
    ]
    for row in results["exact"]:
        lines.append(
            f"| {row['words']:,} words | {'yes' if row['same_answer'] else '**no**'} "
            f"| {row['score_diff']:.2e} |"
        )
    lines += [
        "",
        "## Channel: passages_to_read × qa_passage_tokens",
        "",
        f"{c['documents']:,} documents, ranker built once per passage size; "
        f"{c['questions']} questions per cell, cells interleaved per question. Seconds. "
        "First with torch's default threads (2, as in the speed table), then again in a "
        "fresh worker with QA_THREADS=1. The minimum is the fastest call of the cell, the "
        "closest the run got to an idle machine.",
        "",
        "| passage tokens (passages in channel) | passages read | p50 s | p90 s | min s "
        "| p50 s, 1 thread | p90 s, 1 thread | min s, 1 thread |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    one_thread = {
        (s["passage_tokens"], s["passages_to_read"]): s
        for s in results.get("channel_one_thread", {}).get("sweep", [])
    }
    for s in c["sweep"]:
        cell = (s["passage_tokens"], s["passages_to_read"])
        mark = " **(default)**" if cell == default_cell else ""
        t1 = one_thread.get(cell, {}).get("times", [])
        lines.append(
            f"| ≤{s['passage_tokens']} ({c['passages'][str(s['passage_tokens'])]:,}) "
            f"| {s['passages_to_read']}{mark} | {fmt_s(percentile(s['times'], 50))} "
            f"| {fmt_s(percentile(s['times'], 90))} | {fmt_s(min(s['times']))} "
            f"| {fmt_s(percentile(t1, 50))} | {fmt_s(percentile(t1, 90))} "
            f"| {fmt_s(min(t1) if t1 else float('nan'))} |"
        )
    split_times = ", ".join(f"≤{t}: {fmt_s(v)} s" for t, v in c["split_seconds"].items())
    lines += [
        "",
        f"Splitting + indexing the whole channel once (not per question): {split_times}.",
        "",
        "## Threads (QA_THREADS for qabot; torch.set_num_threads for the pipeline)",
        "",
        "| case | 1 thread s | 2 threads s | speed-up from the 2nd thread (< 1: slower) |",
        "|---|---:|---:|---:|",
    ]
    for row in results["threads"]:
        one, two = median(row["one"]), median(row["two"])  # p50 = median
        lines.append(
            f"| {row['case']} | {fmt_s(one)}{spread(row['one'])} "
            f"| {fmt_s(two)}{spread(row['two'])} | {one / two:.2f}× |"
        )
    mem = results["memory"]
    ref_mem = results["reference_memory"]
    lines += [
        "",
        "## Resident memory (VmRSS now / VmHWM peak, from /proc/self/status)",
        "",
        "| process | before model load (torch imported) | model loaded (RSS) | peak (HWM) | when |",
        "|---|---:|---:|---:|---|",
        f"| pipeline 5.2.0 | {mib(ref_info['memory_before_load']['rss_kb'])} "
        f"| {mib(ref_info['memory_after_load']['rss_kb'])} | {mib(ref_mem['hwm_kb'])} "
        f"| after all exact-mode cases (up to {max(results['inputs']['tokens'], key=int)} words) |",
        f"| qabot exact mode | {mib(ours_info['memory_before_load']['rss_kb'])} "
        f"| {mib(ours_info['memory_after_load']['rss_kb'])} "
        f"| {mib(results['ours_exact_memory']['hwm_kb'])} | same cases |",
        f"| qabot retrieval (fresh process) | {mib(mem['before_load']['rss_kb'])} "
        f"| {mib(mem['loaded']['rss_kb'])} | {mib(mem['retrieval_10k']['hwm_kb'])} "
        f"| answering from the {r['words']:,}-word document |",
        f"| same process | | {mib(mem['channel_indexed']['rss_kb'])} "
        f"| {mib(mem['channel_answers']['hwm_kb'])} | after indexing the "
        f"{c['documents']:,}-document channel, then answering 5 questions |",
        "",
        "## Answer agreement (trained model)",
        "",
    ]
    agreement = results["agreement"]
    if isinstance(agreement, str):
        lines.append(agreement)
    else:
        from agreement import markdown as agreement_markdown

        lines.append(agreement_markdown(agreement))
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and cells")
    parser.add_argument(
        "--reference-python",
        default=os.environ.get("QABOT_REFERENCE_PYTHON", str(REPO_ROOT / ".venv-ref/bin/python")),
        help="python of a venv with torch 2.13.0 + transformers 5.2.0",
    )
    parser.add_argument("--skip-agreement", action="store_true")
    parser.add_argument(
        "--agreement-only",
        action="store_true",
        help="redo only the agreement section of an earlier run's JSON (e.g. once the "
        "trained fixture exists) and re-render its report",
    )
    parser.add_argument("--out", default=str(RESULTS / "latest.md"))
    args = parser.parse_args()
    out = Path(args.out)
    if args.agreement_only:
        results = json.loads(out.with_suffix(".json").read_text())
        plan = QUICK if results["quick"] else FULL
        results["agreement"] = agreement_section(plan, sys.executable)
        text = report(results)
        print(text)
        out.write_text(text)
        out.with_suffix(".json").write_text(json.dumps(results, indent=2))
        return
    if not Path(args.reference_python).exists():
        parser.error(
            f"no reference python at {args.reference_python}; create it with "
            "`python -m venv .venv-ref && .venv-ref/bin/pip install torch==2.13.0 "
            "transformers==5.2.0` or pass --reference-python"
        )
    plan = QUICK if args.quick else FULL
    started = time.perf_counter()
    machine = {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": memory_total_gib(),
        "load_start": " ".join(f"{v:.1f}" for v in load_average()),
    }
    model = build_model(CACHE / f"random-distilbert-base-seed{MODEL_SEED}")
    log("generating inputs")
    inputs = make_inputs(model, plan)
    log("starting the pipeline (reference venv) and qabot workers")
    ref = start_reference(args.reference_python, model)
    ours = start_ours(model)
    try:
        ref_info, ours_info = ref.ask("info"), ours.ask("info")
        shortest = min(inputs.contexts)
        warm_q, warm_c = inputs.questions[shortest], inputs.contexts[shortest]
        for _ in range(2):
            ref.ask("run", question=warm_q, context=warm_c)
            ours.ask("run", mode="exact", question=warm_q, context=warm_c)
        exact = exact_section(ref, ours, inputs, plan)
        ref_memory, ours_exact_memory = ref.ask("memory"), ours.ask("memory")
        retrieval = retrieval_section(ours, inputs, plan)
        channel = channel_section(ours, inputs, plan)
        ours.close()
        threads, channel_one_thread = threads_section(model, ref, inputs, plan)
    finally:
        ours.close()
        ref.close()
    memory = memory_section(model, inputs)
    agreement = (
        "skipped (--skip-agreement)" if args.skip_agreement
        else agreement_section(plan, sys.executable)
    )  # fmt: skip
    machine["load_end"] = " ".join(f"{v:.1f}" for v in load_average())
    results = {
        "quick": args.quick,
        "machine": machine,
        "reference_info": ref_info,
        "ours_info": ours_info,
        "inputs": {
            "tokens_per_word": inputs.tokens_per_word,
            "question_tokens": inputs.question_tokens,
            "tokens": {str(k): v for k, v in inputs.tokens.items()},
            "questions": {str(k): v for k, v in inputs.questions.items()},
            "channel_questions": inputs.channel_questions,
        },
        "exact": exact,
        "reference_memory": ref_memory,
        "ours_exact_memory": ours_exact_memory,
        "retrieval": retrieval,
        "channel": channel,
        "channel_one_thread": channel_one_thread,
        "threads": threads,
        "memory": memory,
        "agreement": agreement,
        "seconds": time.perf_counter() - started,
    }
    results = json.loads(json.dumps(results))  # the report reads what the JSON file holds
    text = report(results)
    print(text)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    out.with_suffix(".json").write_text(json.dumps(results, indent=2))
    log(f"wrote {out} and {out.with_suffix('.json')}")


if __name__ == "__main__":
    main()
