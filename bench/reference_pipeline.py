"""Time transformers' own `pipeline("question-answering")` (5.2.0, the last release with it).

Run by the *reference* venv's python (torch 2.13.0 + transformers 5.2.0), never imported by
qabot: it needs nothing from this repository, only a model folder.

Two ways to use it:

* one shot, printing one JSON object on stdout:

      .venv-ref/bin/python bench/reference_pipeline.py --model FOLDER --inputs cases.json \
          [--reps 5] [--threads 2]

  `cases.json` is a list of `{"name", "question", "context"}`; for each case it warms up
  once, then reports every repetition's seconds and their median, the answer, and the
  process's resident memory (VmRSS, VmHWM from /proc/self/status).

* `--serve`: reads one JSON request per line on stdin and answers one JSON line on stdout,
  so bench/run.py can interleave pipeline and qabot calls on a shared machine:

      {"op": "info"}                                    versions, load time, memory
      {"op": "run", "question": ..., "context": ...}    {"seconds", "answer", memory}
      {"op": "threads", "n": 1}                         torch.set_num_threads(n)
      {"op": "memory"}                                  {"rss_kb", "hwm_kb"}
      {"op": "quit"}

Only the pipeline call itself is inside the timer (the pipeline's defaults: top_k=1,
doc_stride=128, max_seq_len=384, max_answer_len=15, batch_size=1).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from typing import Any


def memory_kb() -> dict[str, int]:
    """VmRSS (resident now) and VmHWM (peak resident) of this process, in KiB."""
    values = {}
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                values[{"VmRSS": "rss_kb", "VmHWM": "hwm_kb"}[key]] = int(value.split()[0])
    return values


class Reference:
    def __init__(self, model: str, threads: int):
        import torch

        if threads:
            torch.set_num_threads(threads)
        self.memory_before_load = memory_kb()
        started = time.perf_counter()
        from transformers import pipeline

        self.pipe = pipeline("question-answering", model=model, tokenizer=model, device="cpu")
        self.load_seconds = time.perf_counter() - started
        self.memory_after_load = memory_kb()

    def info(self) -> dict[str, Any]:
        import torch
        import transformers

        return {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "threads": torch.get_num_threads(),
            "pid": os.getpid(),
            "load_seconds": self.load_seconds,
            "memory_before_load": self.memory_before_load,
            "memory_after_load": self.memory_after_load,
        }

    def run(self, question: str, context: str) -> dict[str, Any]:
        started = time.perf_counter()
        answer = self.pipe(question=question, context=context)
        seconds = time.perf_counter() - started
        return {"seconds": seconds, "answer": _plain(answer), **memory_kb()}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):
        return value.item()
    return value


def serve(reference: Reference, out: Any) -> None:
    import torch

    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        op = request.get("op")
        try:
            if op == "info":
                reply: dict[str, Any] = reference.info()
            elif op == "run":
                reply = reference.run(request["question"], request["context"])
            elif op == "threads":
                torch.set_num_threads(int(request["n"]))
                reply = {"threads": torch.get_num_threads()}
            elif op == "memory":
                reply = memory_kb()
            elif op == "quit":
                out.write(json.dumps({"bye": True}) + "\n")
                out.flush()
                return
            else:
                reply = {"error": f"unknown op {op!r}"}
        except Exception as error:  # report, keep serving
            reply = {"error": f"{type(error).__name__}: {error}"}
        out.write(json.dumps(reply) + "\n")
        out.flush()


def one_shot(reference: Reference, inputs: str, reps: int) -> dict[str, Any]:
    with open(inputs) as handle:
        cases = json.load(handle)
    results = []
    for case in cases:
        reference.run(case["question"], case["context"])  # warm-up
        runs = [reference.run(case["question"], case["context"]) for _ in range(reps)]
        seconds = [r["seconds"] for r in runs]
        results.append(
            {
                "name": case.get("name"),
                "seconds": seconds,
                "median": statistics.median(seconds),
                "answer": runs[-1]["answer"],
            }
        )
    return {**reference.info(), "cases": results, "memory_end": memory_kb()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="model folder (tokenizer + weights)")
    parser.add_argument("--threads", type=int, default=0, help="torch threads; 0 = default")
    parser.add_argument("--serve", action="store_true", help="JSON lines on stdin/stdout")
    parser.add_argument("--inputs", help="one-shot mode: JSON list of cases")
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()

    # The protocol owns stdout; anything a library prints goes to stderr instead.
    out = sys.stdout
    sys.stdout = sys.stderr
    reference = Reference(args.model, args.threads)
    if args.serve:
        serve(reference, out)
    elif args.inputs:
        out.write(json.dumps(one_shot(reference, args.inputs, args.reps)) + "\n")
        out.flush()
    else:
        parser.error("pass --serve or --inputs")


if __name__ == "__main__":
    main()
