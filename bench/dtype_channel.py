"""QA_DTYPE: float32 against bfloat16 on a channel, side by side in one run.

Two qabot worker processes (bench/ours.py), one per QA_DTYPE, load the random real-shape
DistilBERT, index the same seeded channel (300-word documents) and answer the same
questions at the default passages × tokens, interleaved question by question. Prints
median / p90 seconds, the ratio, resident memory with the model loaded, and how often the
best answer is the same text from the same document (on random weights the top spans are
near-ties, so this is a lower bound; quality is measured on the trained model by
bench/agreement.py).

    .venv/bin/python bench/dtype_channel.py [--documents 300] [--questions 12]
        [--dtypes float32,int8] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO_ROOT = BENCH.parent
for folder in (REPO_ROOT, BENCH):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from run import (  # noqa: E402  (bench/ is a folder of scripts, not a package)
    CACHE,
    MODEL_SEED,
    QUICK,
    build_model,
    cpu_model,
    defaults,
    load_average,
    make_inputs,
    median,
    mib,
    percentile,
    start_ours,
)

DEFAULT_DTYPES = "float32,bfloat16"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--questions", type=int, default=12)
    parser.add_argument(
        "--dtypes", default=DEFAULT_DTYPES, help="float32 first, then the ones to compare"
    )
    parser.add_argument("--threads", type=int, default=0, help="QA_THREADS; 0: torch's default")
    args = parser.parse_args()
    dtypes = tuple(args.dtypes.split(","))
    assert dtypes[0] == "float32", "float32 is the baseline and comes first"

    from dataclasses import replace

    model = build_model(CACHE / f"random-distilbert-base-seed{MODEL_SEED}")
    plan = replace(
        QUICK,
        exact_reps={100: 1},
        channel_docs=args.documents,
        channel_questions=args.questions,
    )
    inputs = make_inputs(model, plan)
    passages_to_read, passage_tokens = defaults()
    workers = {
        dtype: start_ours(
            model, f"ours-{dtype}", env={"QA_DTYPE": dtype, "QA_THREADS": str(args.threads)}
        )
        for dtype in dtypes
    }
    try:
        info = {dtype: worker.ask("info") for dtype, worker in workers.items()}
        for worker in workers.values():
            worker.ask(
                "prepare", ranker="channel", texts=inputs.channel, passage_tokens=passage_tokens
            )
            worker.ask("run", mode="ranker", question=inputs.channel_questions[0], ranker="channel")
        times: dict[str, list[float]] = {dtype: [] for dtype in dtypes}
        best_answers: dict[str, list[tuple[str, str]]] = {dtype: [] for dtype in dtypes}
        for index, question in enumerate(inputs.channel_questions):
            order = dtypes if index % 2 == 0 else dtypes[::-1]
            for dtype in order:
                reply = workers[dtype].ask(
                    "run", mode="ranker", question=question, ranker="channel"
                )
                times[dtype].append(reply["seconds"])
                best = reply["answer"]
                best_answers[dtype].append((best.get("answer"), best.get("document_id")))
    finally:
        for worker in workers.values():
            worker.close()

    same = {
        dtype: sum(a == b for a, b in zip(best_answers["float32"], answers, strict=True))
        for dtype, answers in best_answers.items()
    }
    base = median(times["float32"])
    load = " ".join(f"{v:.2f}" for v in load_average())
    lines = [
        f"Channel of {args.documents} documents × 300 words, {args.questions} questions, "
        f"{passages_to_read} passages × {passage_tokens} tokens read per question.",
        f"Machine: {cpu_model()}, {os.cpu_count()} cores, load {load}; "
        f"torch {info['float32']['torch']}, {info['float32']['threads']} threads.",
        "",
        "| QA_DTYPE | median | p90 | × vs float32 | RSS with the model loaded | same best answer |",
        "|---|---|---|---|---|---|",
    ]
    for dtype in dtypes:
        p50 = median(times[dtype])
        lines.append(
            f"| {dtype} | {p50:.3f} s | {percentile(times[dtype], 90):.3f} s | {base / p50:.2f}× "
            f"| {mib(info[dtype]['memory_after_load']['rss_kb'])} "
            f"| {'—' if dtype == 'float32' else f'{same[dtype]}/{len(best_answers[dtype])}'} |"
        )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
