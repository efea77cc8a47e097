"""Peak memory of splitting one large document into passages (issue 7, section 4).

Each case runs in a fresh Python process, which loads the tokenizer, reads the document
from a file and splits a small text once (so imports and lazy set-up are paid), then
records its resident memory (VmRSS, "idle"), resets the kernel's high-water mark
(`/proc/self/clear_refs`) and splits the document. The peak (VmHWM) minus idle is what
splitting cost; RSS afterwards shows how much of it the process kept.

Modes, measured side by side in one run on the same text and tokenizer:

* `chunked`    — `QAEngine.split` as it is now (tokenizes in chunks of CHUNK_CHARS);
* `whole-text` — the same splitter with `chunk_chars=None`: one tokenizer call over the
                 whole document, as before chunking;
* `baseline`   — `QAEngine.split` of another checkout (`--baseline DIR`, e.g. an export
                 of the commit before chunking), imported instead of this one's.

Tokenizers: the trained test fixture's (`tests/fixtures/tiny-qa`, small vocabulary) and a
WordPiece tokenizer of the real DistilBERT shape (28,996 pieces, `tools.tiny_models`), the
one `bench/run.py` uses; only the tokenizer matters here, so no model is built.

    .venv/bin/python bench/split_memory.py                        # chunked vs whole-text
    git -C . archive cea8b27 | tar -x -C /tmp/before              # the code before chunking
    .venv/bin/python bench/split_memory.py --baseline /tmp/before # ... and it, in one run

Prints a markdown table (and the machine and versions) for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import re
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
CACHE = BENCH / ".cache"
FIXTURE_TOKENIZER = REPO / "tests" / "fixtures" / "tiny-qa"
REAL_SHAPE_TOKENIZER = CACHE / "split-memory-wordpiece-28996"
MIB = 1024 * 1024


def _status_kib(field: str) -> int:
    status = Path("/proc/self/status").read_text()
    match = re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE)
    assert match is not None, field
    return int(match.group(1))


# ------------------------------------------------------------------------------ worker


def worker(tokenizer_dir: str, text_file: str, mode: str) -> dict[str, object]:
    """Runs in a fresh process; returns what it measured."""
    import gc

    from qa_engine.engine import QAEngine
    from qa_engine.settings import EngineSettings
    from qa_engine.types import Document

    text = Path(text_file).read_text("utf-8")
    engine = QAEngine(EngineSettings(_env_file=None, qa_model=tokenizer_dir))
    document = Document("big", text, "Big")
    warm_up = Document("small", "A short text. It has two sentences.", "Small")

    if mode == "whole-text":
        from qa_engine.faq import entry_spans
        from qa_engine.passages import split_passages
        from qa_engine.tokenizing import tokenize

        tokenizer = engine.tokenizer

        def token_offsets(piece: str) -> list[tuple[int, int]]:
            return tokenize(
                tokenizer,
                piece,
                add_special_tokens=False,
                return_offsets_mapping=True,
                verbose=False,
            )["offset_mapping"]

        def split(doc: Document) -> list:
            return split_passages(
                doc,
                token_offsets=token_offsets,
                max_tokens=engine.settings.qa_passage_tokens,
                keep_together=entry_spans(doc.text),
                chunk_chars=None,
            )
    else:  # chunked, or baseline: whichever qa_engine is first on the path
        split = engine.split

    split(warm_up)
    gc.collect()
    idle = _status_kib("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    started = time.perf_counter()
    passages = split(document)
    seconds = time.perf_counter() - started
    peak = _status_kib("VmHWM")
    spans = json.dumps([(p.start, p.end) for p in passages]).encode()
    count = len(passages)
    del passages
    gc.collect()
    return {
        "idle_kib": idle,
        "peak_kib": peak,
        "after_kib": _status_kib("VmRSS"),
        "seconds": seconds,
        "passages": count,
        "passages_sha": hashlib.sha256(spans).hexdigest()[:12],
        "chars": len(text),
    }


# ------------------------------------------------------------------------------ parent


def build_real_shape_tokenizer() -> Path:
    if not (REAL_SHAPE_TOKENIZER / "tokenizer.json").exists():
        from tools.tiny_models import DISTILBERT_BASE_SHAPE, build_wordpiece_tokenizer

        REAL_SHAPE_TOKENIZER.mkdir(parents=True, exist_ok=True)
        build_wordpiece_tokenizer(REAL_SHAPE_TOKENIZER, vocab=DISTILBERT_BASE_SHAPE["vocab"])
    return REAL_SHAPE_TOKENIZER


def write_text(tokenizer_dir: Path, chars: int, folder: Path) -> Path:
    """Seeded prose of about 1.3 tokens a word (bench/textgen.py), cut to `chars`."""
    from textgen import TextGenerator, build_lexicon

    from qa_engine.model_loading import load_qa_tokenizer

    tokenizer = load_qa_tokenizer(str(tokenizer_dir))

    def count_tokens(text: str) -> int:
        return len(tokenizer(text, add_special_tokens=False)["input_ids"])

    generator = TextGenerator(build_lexicon(count_tokens))
    rng = random.Random(chars)
    parts: list[str] = []
    size = 0
    while size < chars:
        part = generator.text(rng, 2_000)
        parts.append(part)
        size += len(part) + 2
    text = "\n\n".join(parts)[:chars]
    path = folder / f"{tokenizer_dir.name}-{chars}.txt"
    path.write_text(text, "utf-8")
    return path


def run_case(tokenizer_dir: Path, text_file: Path, mode: str, baseline: Path | None) -> dict:
    code = [str(baseline)] if mode == "baseline" else []
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([*code, str(REPO), str(BENCH)]),
        "QA_MAX_DOCUMENT_CHARS": str(10**9),  # measure splitting, not the limit
    }
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        json.dumps([str(tokenizer_dir), str(text_file), mode]),
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{mode} worker failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def versions() -> str:
    import tokenizers
    import torch
    import transformers

    return (
        f"Python {platform.python_version()}, torch {torch.__version__}, transformers "
        f"{transformers.__version__}, tokenizers {tokenizers.__version__}"
    )


def machine() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    match = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
    memory = f"{round(int(match.group(1)) / MIB)} GiB" if match else "? GiB"
    return f"{model}, {os.cpu_count()} cores, {memory}; load average {load}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument(
        "--sizes",
        default="40000,200000,1000000,5000000",
        help="document sizes in characters (default: one Slack message, the "
        "QA_MAX_DOCUMENT_CHARS default, 1 M, and the 5 MB of issue 7)",
    )
    parser.add_argument(
        "--baseline", type=Path, help="another checkout whose QAEngine.split to measure too"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per case (median)")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(*json.loads(args.worker))))
        return

    sys.path[:0] = [str(REPO), str(BENCH)]
    modes = ["chunked", "whole-text"] + (["baseline"] if args.baseline else [])
    tokenizers = {
        "fixture (tiny-qa)": FIXTURE_TOKENIZER,
        "real shape (28,996 WordPiece)": build_real_shape_tokenizer(),
    }
    folder = CACHE / "split-memory-texts"
    folder.mkdir(parents=True, exist_ok=True)
    print(f"Machine: {machine()}  \n{versions()}\n")
    print(
        "| tokenizer | document | mode | idle RSS | peak RSS | peak − idle | RSS after "
        "| time | passages (hash of their spans) |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|---|")
    for label, tokenizer_dir in tokenizers.items():
        for chars in (int(size) for size in args.sizes.split(",")):
            text_file = write_text(tokenizer_dir, chars, folder)
            for mode in modes:
                runs = sorted(
                    (run_case(tokenizer_dir, text_file, mode, args.baseline)
                     for _ in range(args.repeat)),
                    key=lambda r: r["peak_kib"] - r["idle_kib"],
                )
                r = runs[len(runs) // 2]
                print(
                    f"| {label} | {r['chars']:,} chars | {mode} | {r['idle_kib'] / 1024:.0f} MiB "
                    f"| {r['peak_kib'] / 1024:.0f} MiB "
                    f"| **+{(r['peak_kib'] - r['idle_kib']) / 1024:.0f} MiB** "
                    f"| {r['after_kib'] / 1024:.0f} MiB | {r['seconds']:.2f} s "
                    f"| {r['passages']:,} (`{r['passages_sha']}`) |",
                    flush=True,
                )
    print(f"\nLoad average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
