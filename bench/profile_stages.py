"""Where qabot's time goes, stage by stage, and what cheaper forward passes would give.

    .venv/bin/python bench/profile_stages.py [--reps 5] [--cprofile]

On the benchmark's random DistilBERT-shaped model (bench/.cache, built by bench/run.py)
and the same seeded inputs, it times separately:

* exact mode (100 and 400 words): tokenizing into windows (`encode_windows`), the forward
  passes (`WindowReader.read`), and decoding (`ExtractiveQAPipeline._postprocess`), plus
  the bare `model(**inputs)` call on the same windows: the floor any implementation
  running this model in fp32 pays;
* retrieval mode on a channel (the ranker built once): ranking, everything `answer()`
  does besides the model (ranking, encoding, decoding, scoring: timed by swapping the
  reader for one that returns logits already computed), and the forward alone;
* what-if forwards for the channel's default read (6 passages in one batch) and the
  100-word window: fp32 at 2 and 1 threads, dynamic int8 (`torch.ao.quantization.
  quantize_dynamic` on the Linear layers) and bf16 autocast. These change the numbers the
  model produces, so they are options for retrieval mode only, not for exact mode.

`--cprofile` also prints the top functions of one retrieval-mode answer.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
for folder in (REPO_ROOT, REPO_ROOT / "bench"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from run import CACHE, FULL, MODEL_SEED, build_model, make_inputs  # noqa: E402


def timed(fn: Callable[[], Any], reps: int) -> tuple[float, Any]:
    fn()  # warm-up
    times, result = [], None
    for _ in range(reps):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--channel-docs", type=int, default=1000)
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument("--what-if-only", action="store_true", help="skip the stage tables")
    args = parser.parse_args()

    import torch

    from qa_engine.engine import QAEngine
    from qa_engine.pipeline import ExtractiveQAPipeline
    from qa_engine.retrieval import InMemoryBM25Ranker
    from qa_engine.settings import EngineSettings
    from qa_engine.types import Document

    model_dir = build_model(CACHE / f"random-distilbert-base-seed{MODEL_SEED}")
    plan = FULL.__class__(**{**FULL.__dict__, "channel_docs": args.channel_docs})
    inputs = make_inputs(model_dir, plan)
    engine = QAEngine(EngineSettings(qa_model=str(model_dir), qa_no_answer_threshold=0))
    engine.warm_up()
    exact = ExtractiveQAPipeline(str(model_dir))
    tokenizer, model = exact.tokenizer, exact.model
    reader = exact._reader
    reps = args.reps
    print(f"torch threads {torch.get_num_threads()}; median of {reps} after a warm-up\n")

    documents = [Document(f"d{i}", t) for i, t in enumerate(inputs.channel)]
    started = time.perf_counter()
    passages = [p for d in documents for p in engine.split(d)]
    split_s = time.perf_counter() - started
    started = time.perf_counter()
    ranker = InMemoryBM25Ranker(passages)
    index_s = time.perf_counter() - started
    k = engine.settings.qa_passages_to_read
    if not args.what_if_only:
        stage_tables(engine, exact, inputs, ranker, reps, args.cprofile)
        print(f"\nsplit {len(documents)} documents into {len(passages)} passages: "
              f"{split_s:.2f} s; BM25 index: {index_s:.2f} s")  # fmt: skip
    what_if(model, reader, tokenizer, inputs, ranker, k, reps)


def stage_tables(
    engine: Any, exact: Any, inputs: Any, ranker: Any, reps: int, cprofile_it: bool
) -> None:
    import torch

    from qa_engine.reader import encode_windows

    tokenizer, model, reader = exact.tokenizer, exact.model, exact._reader
    print("## exact mode stages (seconds)\n")
    print("| context | windows | tokens read | encode | forward (reader) | bare model() "
          "| decode | whole call |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for words in (100, 400):
        question, context = inputs.questions[words], inputs.contexts[words]
        encode_s, windows = timed(
            lambda q=question, c=context: encode_windows(
                tokenizer, [q], [c], max_seq_len=384, doc_stride=128
            ),
            reps,
        )
        read_s, logits = timed(lambda w=windows: reader.read(w), reps)
        padded = reader._pad(windows, torch)

        def bare(p: dict[str, Any] = padded) -> Any:
            with torch.inference_mode():
                return model(**p)

        bare_s, _ = timed(bare, reps)
        decode_s, _ = timed(
            lambda c=context, lg=logits: exact._postprocess(
                c, lg, top_k=1, max_answer_len=15, handle_impossible_answer=False,
                align_to_words=True,
            ),
            reps,
        )  # fmt: skip
        whole_s, _ = timed(lambda q=question, c=context: exact(question=q, context=c), reps)
        print(
            f"| {words} words | {len(windows)} | {sum(len(w) for w in windows)} "
            f"| {encode_s:.4f} | {read_s:.3f} | {bare_s:.3f} | {decode_s:.4f} | {whole_s:.3f} |"
        )

    print("\n## retrieval mode stages, channel (seconds)\n")
    k = engine.settings.qa_passages_to_read
    print("| question | rank | everything but the forward | forward | whole answer() "
          "| tokens read |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|")
    rows = []
    real_read = engine._reader.read
    for question in inputs.channel_questions[:5]:
        rank_s, _ = timed(lambda q=question: list(ranker.rank(q, k))[:k], reps)
        recorded: dict[str, Any] = {}

        def recording(windows: Any, recorded: dict[str, Any] = recorded) -> Any:
            recorded["windows"], recorded["logits"] = windows, real_read(windows)
            return recorded["logits"]

        # Only the engine's public call, with the reader swapped for one returning the
        # logits already computed: what answer() costs besides the model.
        engine._reader.read = recording
        engine.answer(question, ranker=ranker)
        engine._reader.read = lambda windows, recorded=recorded: recorded["logits"]
        rest_s, _ = timed(lambda q=question: engine.answer(q, ranker=ranker), reps)
        del engine._reader.read  # back to the class's method
        read_s, _ = timed(lambda w=recorded["windows"]: real_read(w), reps)
        whole_s, _ = timed(lambda q=question: engine.answer(q, ranker=ranker), reps)
        tokens = sum(len(w) for w in recorded["windows"])
        rows.append((rank_s, rest_s, read_s, whole_s))
        print(f"| {question} | {rank_s:.4f} | {rest_s:.4f} | {read_s:.3f} | {whole_s:.3f} "
              f"| {tokens} |")  # fmt: skip
    means = [statistics.mean(col) for col in zip(*rows, strict=True)]
    print(f"| **mean** | {means[0]:.4f} | {means[1]:.4f} | {means[2]:.3f} | {means[3]:.3f} | |")

    if cprofile_it:
        profiler = cProfile.Profile()
        profiler.enable()
        engine.answer(inputs.channel_questions[0], ranker=ranker)
        profiler.disable()
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(25)
        print("\n```\n" + stream.getvalue() + "\n```")


def what_if(
    model: Any, reader: Any, tokenizer: Any, inputs: Any, ranker: Any, k: int, reps: int
) -> None:
    """Bare forwards of other precisions / thread counts, interleaved (rotated) per rep."""
    import torch

    from qa_engine.reader import encode_windows

    print("\n## what-if forwards (median seconds of the bare model call, variants interleaved)\n")
    question = inputs.channel_questions[0]
    ranked = [r.passage for r in ranker.rank(question, k)][:k]
    texts = [p.text for p in ranked]
    channel_batch = reader._pad(
        encode_windows(tokenizer, [question] * len(ranked), texts, max_seq_len=384, doc_stride=128),
        torch,
    )
    short_batch = reader._pad(
        encode_windows(
            tokenizer, [inputs.questions[100]], [inputs.contexts[100]], max_seq_len=384,
            doc_stride=128,
        ),
        torch,
    )  # fmt: skip
    quantized = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)

    def run(m: Any, batch: dict[str, Any], bf16: bool) -> Any:
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            return m(**batch)

    threads = torch.get_num_threads()
    variants = [
        (f"fp32, {threads} threads", model, False, threads),
        ("fp32, 1 thread", model, False, 1),
        (f"dynamic int8, {threads} threads", quantized, False, threads),
        ("dynamic int8, 1 thread", quantized, False, 1),
        (f"bf16 autocast, {threads} threads", model, True, threads),
        ("bf16 autocast, 1 thread", model, True, 1),
    ]
    batches = {"short": short_batch, "channel": channel_batch}
    times: dict[tuple[int, str], list[float]] = {
        (i, b): [] for i in range(len(variants)) for b in batches
    }
    for rep in range(reps + 1):  # the first round is the warm-up
        order = list(range(len(variants)))
        order = order[rep % len(order) :] + order[: rep % len(order)]
        for i in order:
            _, m, bf16, n = variants[i]
            torch.set_num_threads(n)
            for name, batch in batches.items():
                started = time.perf_counter()
                run(m, batch, bf16)
                if rep:
                    times[(i, name)].append(time.perf_counter() - started)
    torch.set_num_threads(threads)
    shape = channel_batch["input_ids"].shape
    print(f"| variant | 100-word window ({short_batch['input_ids'].shape[1]} tokens) "
          f"| channel default read ({shape[0]} × {shape[1]} tokens) |")  # fmt: skip
    print("|---|---:|---:|")
    for i, (label, *_rest) in enumerate(variants):
        short_s = statistics.median(times[(i, "short")])
        channel_s = statistics.median(times[(i, "channel")])
        print(f"| {label} | {short_s:.3f} | {channel_s:.3f} |")


if __name__ == "__main__":
    random.seed(0)
    main()
