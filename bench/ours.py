"""qabot's side of the benchmark: the calls being timed, in-process or as a worker process.

`Ours` wraps exactly the public calls the benchmark measures:

* exact mode      `ExtractiveQAPipeline(folder)(question=..., context=...)`
* retrieval mode  `QAEngine(EngineSettings(qa_model=folder, qa_no_answer_threshold=0))
                  .answer(question, documents=[doc])`
* pre-split       `engine.answer(question, ranker=InMemoryBM25Ranker(engine.split(doc)))`

bench/run.py times it in its own process, and also starts it as a worker
(`python bench/ours.py --model FOLDER --serve`) when a fresh process is needed: for resident
memory (VmHWM only ever grows, so peaks need a process that did nothing else) and for the
QA_THREADS comparison (torch reads its thread count from the environment setting at load).
The worker speaks the same JSON-lines protocol as bench/reference_pipeline.py.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
for folder in (REPO_ROOT, REPO_ROOT / "bench"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from reference_pipeline import memory_kb  # noqa: E402  (same helper on both sides)


class Ours:
    def __init__(self, model: str, **settings: Any):
        import torch  # noqa: F401  (imported before the baseline, as on the reference side)

        self.memory_before_load = memory_kb()
        started = time.perf_counter()
        from qa_engine.engine import QAEngine
        from qa_engine.settings import EngineSettings

        self.model = model
        self.engine = QAEngine(EngineSettings(qa_model=model, qa_no_answer_threshold=0, **settings))
        self.engine.warm_up()  # applies QA_THREADS, loads once (shared by both modes)
        self.exact = self.engine.pipeline()  # exact mode on the engine's model (and QA_DTYPE)
        self.load_seconds = time.perf_counter() - started
        self.memory_after_load = memory_kb()
        self.rankers: dict[str, Any] = {}

    def info(self) -> dict[str, Any]:
        import torch
        import transformers

        return {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "threads": torch.get_num_threads(),
            "qa_threads_env": os.environ.get("QA_THREADS"),
            "pid": os.getpid(),
            "load_seconds": self.load_seconds,
            "memory_before_load": self.memory_before_load,
            "memory_after_load": self.memory_after_load,
        }

    # -- the timed calls -----------------------------------------------------------------

    def run_exact(self, question: str, context: str) -> Any:
        return self.exact(question=question, context=context)

    def run_documents(self, question: str, text: str) -> Any:
        from qa_engine.types import Document

        return self.engine.answer(question, documents=[Document("doc", text)])

    def prepare_ranker(self, name: str, texts: list[str], passage_tokens: int | None = None) -> int:
        """Split documents and build a ranker once (not timed as part of answering).

        `passage_tokens` other than the engine's splits with an engine of that setting
        (sharing the loaded model); answering does not depend on the passage size setting.
        """
        from qa_engine.engine import QAEngine
        from qa_engine.retrieval import InMemoryBM25Ranker
        from qa_engine.types import Document

        splitter = self.engine
        if passage_tokens and passage_tokens != self.engine.settings.qa_passage_tokens:
            splitter = QAEngine(
                self.engine.settings.model_copy(update={"qa_passage_tokens": passage_tokens})
            )
        passages = [
            p for i, text in enumerate(texts) for p in splitter.split(Document(f"d{i}", text))
        ]
        self.rankers[name] = InMemoryBM25Ranker(passages)
        return len(passages)

    def run_ranker(self, question: str, name: str, passages_to_read: int | None = None) -> Any:
        return self.engine.answer(
            question, ranker=self.rankers[name], passages_to_read=passages_to_read
        )

    # -- worker protocol -----------------------------------------------------------------

    def timed(self, request: dict[str, Any]) -> dict[str, Any]:
        mode = request["mode"]
        started = time.perf_counter()
        if mode == "exact":
            result = self.run_exact(request["question"], request["context"])
        elif mode == "documents":
            result = self.run_documents(request["question"], request["context"])
        elif mode == "ranker":
            result = self.run_ranker(
                request["question"], request["ranker"], request.get("passages_to_read")
            )
        else:
            raise ValueError(f"unknown mode {mode!r}")
        seconds = time.perf_counter() - started
        return {"seconds": seconds, "answer": summarize(result), **memory_kb()}


def summarize(result: Any) -> Any:
    """A JSON-able view of an exact-mode dict or a retrieval-mode `AnswerResult`."""
    if isinstance(result, dict):
        return {k: (v.item() if hasattr(v, "item") else v) for k, v in result.items()}
    best = getattr(result, "best", None)
    if best is None:
        return {"answer": None, "reason": getattr(result, "no_answer_reason", None)}
    return {
        "answer": best.text,
        "document_id": best.document_id,
        "confidence": best.confidence,
        "passages_read": result.passages_read,
    }


def serve(ours: Ours, out: Any) -> None:
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        op = request.get("op")
        try:
            if op == "info":
                reply: dict[str, Any] = ours.info()
            elif op == "run":
                reply = ours.timed(request)
            elif op == "prepare":
                started = time.perf_counter()
                count = ours.prepare_ranker(
                    request["ranker"], request["texts"], request.get("passage_tokens")
                )
                reply = {"passages": count, "seconds": time.perf_counter() - started}
            elif op == "memory":
                reply = memory_kb()
            elif op == "quit":
                out.write(json.dumps({"bye": True}) + "\n")
                out.flush()
                return
            else:
                reply = {"error": f"unknown op {op!r}"}
        except Exception as error:
            reply = {"error": f"{type(error).__name__}: {error}"}
        out.write(json.dumps(reply) + "\n")
        out.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description="qabot benchmark worker (JSON lines)")
    parser.add_argument("--model", required=True)
    args = parser.parse_args()
    out = sys.stdout
    sys.stdout = sys.stderr
    serve(Ours(args.model), out)


if __name__ == "__main__":
    main()
