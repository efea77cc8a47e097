"""Answer agreement and exact match of retrieval mode, on a *trained* model.

Speed comes from reading only the top passages; this measures what that costs in answers.
For each held-out channel (`tests/fixtures/synthetic_heldout.json`: `{"documents": [{"id",
"title", "text"}], "question", "answer_text", "document_id"}`), with the trained fixture
model (`tests/fixtures/tiny-qa`) and `qa_no_answer_threshold=0` (always an answer):

* read-all: `engine.answer(q, ranker=ranker, passages_to_read=<all passages>)`, which reads
  every passage of every document of the channel;
* retrieval: `engine.answer(q, ranker=ranker, passages_to_read=k)` for each k swept
  (the default is `EngineSettings().qa_passages_to_read`), and each passage size swept.

Reported per (passage tokens, passages read): how often retrieval's best answer equals
read-all's (same text, and same text at the same place), exact match of each against the
gold answer (SQuAD normalisation: case, punctuation, articles, spaces), how often the best
answer comes from the gold document, and retrieval recall (a passage of the gold document
that contains the answer text is among those read).

    .venv/bin/python bench/agreement.py [--model tests/fixtures/tiny-qa] [--heldout FILE]
"""

from __future__ import annotations

import argparse
import json
import re
import string
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

DEFAULT_MODEL = REPO_ROOT / "tests" / "fixtures" / "tiny-qa"
DEFAULT_HELDOUT = REPO_ROOT / "tests" / "fixtures" / "synthetic_heldout.json"


def normalize(text: str | None) -> str:
    """SQuAD-style: lower case, no punctuation, no articles, single spaces."""
    if not text:
        return ""
    text = text.lower()
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def evaluate(
    model: str,
    cases: Sequence[dict[str, Any]],
    *,
    passages_to_read: Iterable[int] = (2, 4, 6, 8),
    passage_tokens: Iterable[int] = (80, 110, 160),
    precision: str = "fp32",
) -> dict[str, Any]:
    from qa_engine.engine import QAEngine
    from qa_engine.retrieval import InMemoryBM25Ranker
    from qa_engine.settings import EngineSettings
    from qa_engine.types import Document

    default_k = EngineSettings().qa_passages_to_read
    default_tokens = EngineSettings().qa_passage_tokens
    ks = sorted(set(passages_to_read) | {default_k})
    rows = []
    started = time.perf_counter()
    for tokens in sorted(set(passage_tokens) | {default_tokens}):
        engine = QAEngine(
            EngineSettings(qa_model=model, qa_no_answer_threshold=0, qa_passage_tokens=tokens)
        )
        engine.warm_up()
        convert_precision(engine, precision)
        tallies = {k: _Tally() for k in ks}
        read_all = _Tally()
        passage_counts = []
        for case in cases:
            documents = [
                Document(d["id"], d["text"], d.get("title", "")) for d in case["documents"]
            ]
            passages = [p for d in documents for p in engine.split(d)]
            passage_counts.append(len(passages))
            ranker = InMemoryBM25Ranker(passages)
            question = case["question"]
            full = engine.answer(question, ranker=ranker, passages_to_read=len(passages)).best
            read_all.add(case, full, full, passages)
            for k in ks:
                best = engine.answer(question, ranker=ranker, passages_to_read=k).best
                read = [r.passage for r in ranker.rank(question, k)][:k]
                tallies[k].add(case, best, full, read)
        rows.append(
            {
                "passage_tokens": tokens,
                "passages_per_channel": sum(passage_counts) / max(1, len(passage_counts)),
                "read_all": read_all.summary(),
                "by_k": {k: tallies[k].summary() for k in ks},
            }
        )
    return {
        "model": str(model),
        "precision": precision,
        "cases": len(cases),
        "documents_per_channel": sum(len(c["documents"]) for c in cases) / max(1, len(cases)),
        "default_passages_to_read": default_k,
        "default_passage_tokens": default_tokens,
        "rows": rows,
        "seconds": time.perf_counter() - started,
    }


def convert_precision(engine: Any, precision: str) -> None:
    """What-if (bench only): run the engine's loaded model in int8 or bf16, in place.

    Engines of one process share the loaded model, so this is done once per process.
    """
    import torch

    model = engine._loaded.model
    if precision == "fp32" or getattr(model, "_bench_precision", "fp32") == precision:
        return
    if precision == "int8":
        torch.ao.quantization.quantize_dynamic(
            model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True
        )
    elif precision == "bf16":
        model.to(torch.bfloat16)
    else:
        raise ValueError(f"unknown precision {precision!r}")
    model._bench_precision = precision


class _Tally:
    def __init__(self) -> None:
        self.n = 0
        self.same_text = 0
        self.same_place = 0
        self.exact = 0
        self.document_hit = 0
        self.recall = 0

    def add(self, case: dict[str, Any], best: Any, full: Any, read: Sequence[Any]) -> None:
        self.n += 1
        text = best.text if best else None
        if normalize(text) == normalize(full.text if full else None):
            self.same_text += 1
        if (
            best
            and full
            and (best.document_id, best.start, best.end)
            == (
                full.document_id,
                full.start,
                full.end,
            )
        ):
            self.same_place += 1
        if normalize(text) == normalize(case["answer_text"]):
            self.exact += 1
        if best and best.document_id == case["document_id"]:
            self.document_hit += 1
        if any(
            p.document_id == case["document_id"] and case["answer_text"] in p.text for p in read
        ):
            self.recall += 1

    def summary(self) -> dict[str, float]:
        n = max(1, self.n)
        return {
            "agree_text": self.same_text / n,
            "agree_place": self.same_place / n,
            "exact_match": self.exact / n,
            "document_hit": self.document_hit / n,
            "recall": self.recall / n,
        }


def load_cases(path: str | Path, limit: int | None = None) -> list[dict[str, Any]]:
    with open(path) as handle:
        data = json.load(handle)
    if isinstance(data, dict):  # {"description", "seed", "cases": [...]} (or "channels")
        data = data.get("cases", data.get("channels", []))
    cases = data
    return list(cases)[:limit] if limit else list(cases)


def markdown(result: dict[str, Any]) -> str:
    k0, t0 = result["default_passages_to_read"], result["default_passage_tokens"]
    precision = result.get("precision", "fp32")
    lines = [
        f"Model `{_short(result['model'])}`"
        + (f" (what-if: {precision})" if precision != "fp32" else "")
        + f", {result['cases']} held-out channels, "
        f"{result['documents_per_channel']:.1f} documents per channel; "
        "qa_no_answer_threshold=0. Agreement = retrieval's best answer has the same "
        "(normalised) text as read-all's; same place = same document and offsets.",
        "",
        "| passage tokens | passages read | agree (text) | agree (same place) | exact match "
        "| gold document hit | gold passage read |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in result["rows"]:
        tokens = row["passage_tokens"]
        for k, s in row["by_k"].items():
            mark = " **(default)**" if (int(k), tokens) == (k0, t0) else ""
            lines.append(
                f"| {tokens} | {k}{mark} | {s['agree_text']:.1%} | {s['agree_place']:.1%} "
                f"| {s['exact_match']:.1%} | {s['document_hit']:.1%} | {s['recall']:.1%} |"
            )
        s = row["read_all"]
        lines.append(
            f"| {tokens} | all (≈{row['passages_per_channel']:.0f}) | — | — "
            f"| {s['exact_match']:.1%} | {s['document_hit']:.1%} | {s['recall']:.1%} |"
        )
    return "\n".join(lines)


def _short(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(REPO_ROOT))
    except ValueError:
        return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(DEFAULT_MODEL))
    parser.add_argument("--heldout", default=str(DEFAULT_HELDOUT))
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--json", help="also write the raw numbers here")
    parser.add_argument(
        "--precision",
        choices=("fp32", "int8", "bf16"),
        default="fp32",
        help="what-if: dynamic int8 Linear layers or bf16 weights (not what qabot does today)",
    )
    parser.add_argument("--passages", default="2,4,6,8", help="passages_to_read values")
    parser.add_argument("--tokens", default="80,110,160", help="qa_passage_tokens values")
    args = parser.parse_args()
    result = evaluate(
        args.model,
        load_cases(args.heldout, args.limit),
        passages_to_read=[int(v) for v in args.passages.split(",")],
        passage_tokens=[int(v) for v in args.tokens.split(",")],
        precision=args.precision,
    )
    print(markdown(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
