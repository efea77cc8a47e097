"""Can answers be trusted? Correct, wrong and abstained on held-out synthetic channels.

Two sets, generated from the held-out pools of `tools/synthetic_facts.py` (entities the
fixtures never saw in training), about 8 documents per channel:

* **answerable**: one document states the asked fact (`generate_channels`);
* **unanswerable**: no document does (`generate_unanswerable_channels`): half "near-miss"
  questions about a subject the channel describes, for a fact it never states, half
  answerable channels with the answering document taken out; plus hand-written near
  misses that share words with one document ("When is the design review?" next to a note
  about the code review).

Every question goes through `QAEngine.answer(question, documents=...)` with the threshold
at 0 and `top_k=1`, so the best answer and its confidence are recorded once; thresholds are
then applied here. Reported: answerable correct / wrong / abstained and unanswerable
abstained at the threshold in force, the precision of the answers shown, coverage and
precision over thresholds, and a reliability table (confidence bucket → fraction correct)
with its expected calibration error (ECE; an unanswerable question answered counts as
wrong).

    .venv/bin/python bench/quality.py [--model DIR]... [--set QA_NO_ANSWER_RULE=null]...
        [--answerable 200] [--unanswerable 200] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench.agreement import normalize  # noqa: E402

DEFAULT_MODELS = [REPO_ROOT / "tests" / "fixtures" / "tiny-qa"]
ANSWERABLE_SEED = 4242
UNANSWERABLE_SEED = 4243
DOCS_PER_CHANNEL = (7, 9)
THRESHOLDS = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
BUCKETS = 10

# (question, title, text): the document shares words with the question but does not say.
HANDMADE_NEAR_MISSES: tuple[tuple[str, str, str], ...] = (
    (
        "When is the design review?",
        "Code review",
        "The code review is every Tuesday at 3 pm. Bring your open pull requests. "
        "Reviewers rotate weekly and Priya keeps the list.",
    ),
    (
        "Who approves travel expenses?",
        "Expenses",
        "Meal expenses are approved by your team lead. Receipts go to the finance inbox "
        "within 30 days.",
    ),
    (
        "What is the guest wifi password?",
        "Office wifi",
        "The staff wifi network is called Harbor-5. Guests should ask reception for a "
        "visitor badge.",
    ),
    (
        "When does the winter release ship?",
        "Release notes",
        "The summer release shipped on 4 June. It fixed the login timeout and added dark "
        "mode.",
    ),
    (
        "Where is the marketing offsite?",
        "Engineering offsite",
        "The engineering offsite is in Lisbon this year. Flights are booked by Tomas.",
    ),
    (
        "How many vacation days do contractors get?",
        "Leave policy",
        "Employees get 25 vacation days a year. Unused days carry over until March.",
    ),
    (
        "Who is the manager of the data team?",
        "Platform team",
        "Grace manages the platform team. The data team sits on the third floor.",
    ),
    (
        "What time does the Friday demo start?",
        "Standups",
        "The daily standup starts at 9:30 am. On Fridays there is no standup.",
    ),
    (
        "Which laptop do designers get?",
        "Hardware",
        "Engineers get a 16-inch laptop with 32 GB of memory. Monitors are ordered "
        "through IT.",
    ),
    (
        "When was the Berlin office opened?",
        "Offices",
        "The Paris office opened in 2015 and the London office in 2019.",
    ),
)


@dataclass(frozen=True)
class Outcome:
    set: str  # "answerable" | "unanswerable"
    kind: str
    question: str
    gold: str
    answer: str
    confidence: float  # 0 when the engine gave no answer at all
    correct: bool  # answerable and the best answer matches the gold (SQuAD normalisation)
    gold_document: bool  # the best answer comes from the answering document
    overlap: float  # share of the question's content words in the answer's sentence
    document: str = ""  # the best answer's document id


def quality_sets(
    n_answerable: int, n_unanswerable: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    from tools.synthetic_facts import generate_channels, generate_unanswerable_channels

    answerable = generate_channels(n_answerable, ANSWERABLE_SEED, DOCS_PER_CHANNEL)
    unanswerable = generate_unanswerable_channels(
        max(0, n_unanswerable - len(HANDMADE_NEAR_MISSES)), UNANSWERABLE_SEED, DOCS_PER_CHANNEL
    )
    # Each hand-written note joins seven synthetic documents from another channel.
    hosts = generate_channels(len(HANDMADE_NEAR_MISSES), UNANSWERABLE_SEED + 1, (7, 7))
    for (question, title, text), host in zip(HANDMADE_NEAR_MISSES, hosts, strict=True):
        documents = [*host["documents"], {"id": "note", "title": title, "text": text}]
        unanswerable.append(
            {"documents": documents, "question": question, "answer_text": "", "kind": "handmade"}
        )
    return answerable, unanswerable


def run(model: str, settings: dict[str, str], cases: Sequence[dict[str, Any]], name: str):
    from qa_engine.engine import QAEngine
    from qa_engine.scoring import question_overlap
    from qa_engine.settings import EngineSettings
    from qa_engine.types import Document

    engine = QAEngine(
        EngineSettings(
            _env_file=None,
            qa_model=model,
            **{**settings, "qa_no_answer_threshold": 0.0, "qa_top_k": 1},
        )
    )
    engine.warm_up()
    outcomes = []
    for case in cases:
        documents = [Document(d["id"], d["text"], d["title"]) for d in case["documents"]]
        best = engine.answer(case["question"], documents=documents).best
        answer = best.text if best else ""
        gold = case["answer_text"]
        outcomes.append(
            Outcome(
                set=name,
                kind=case.get("kind", "answerable"),
                question=case["question"],
                gold=gold,
                answer=answer,
                confidence=best.confidence if best else 0.0,
                correct=bool(gold) and best is not None and normalize(answer) == normalize(gold),
                gold_document=best is not None and best.document_id == case.get("document_id"),
                overlap=question_overlap(case["question"], best.sentence) if best else 0.0,
                document=best.document_id if best else "",
            )
        )
    return outcomes


def at_threshold(outcomes: Sequence[Outcome], threshold: float) -> dict[str, float]:
    answerable = [o for o in outcomes if o.set == "answerable"]
    unanswerable = [o for o in outcomes if o.set == "unanswerable"]
    shown = [o for o in outcomes if o.answer and o.confidence >= threshold]
    correct = sum(o.correct for o in shown)
    answerable_shown = sum(1 for o in shown if o.set == "answerable")
    return {
        "threshold": threshold,
        "answerable_correct": correct / max(1, len(answerable)),
        "answerable_wrong": (answerable_shown - correct) / max(1, len(answerable)),
        "answerable_abstained": 1 - answerable_shown / max(1, len(answerable)),
        "unanswerable_abstained": 1
        - sum(1 for o in shown if o.set == "unanswerable") / max(1, len(unanswerable)),
        "precision": correct / len(shown) if shown else float("nan"),
        "coverage": len(shown) / max(1, len(outcomes)),
    }


def unanswerable_by_kind(outcomes: Sequence[Outcome], threshold: float) -> dict[str, float]:
    kinds = sorted({o.kind for o in outcomes if o.set == "unanswerable"})
    result = {}
    for kind in kinds:
        group = [o for o in outcomes if o.set == "unanswerable" and o.kind == kind]
        result[kind] = sum(1 for o in group if not o.answer or o.confidence < threshold) / len(
            group
        )
    return result


def reliability(outcomes: Sequence[Outcome], buckets: int = BUCKETS) -> tuple[list[dict], float]:
    """Per confidence bucket: answers, mean confidence, fraction correct; and the ECE."""
    answered = [o for o in outcomes if o.answer]
    rows, ece = [], 0.0
    for b in range(buckets):
        low, high = b / buckets, (b + 1) / buckets
        group = [o for o in answered if min(int(o.confidence * buckets), buckets - 1) == b]
        if not group:
            rows.append({"bucket": f"{low:.1f}–{high:.1f}", "n": 0})
            continue
        confidence = sum(o.confidence for o in group) / len(group)
        accuracy = sum(o.correct for o in group) / len(group)
        ece += len(group) / len(answered) * abs(accuracy - confidence)
        rows.append(
            {
                "bucket": f"{low:.1f}–{high:.1f}",
                "n": len(group),
                "confidence": confidence,
                "correct": accuracy,
            }
        )
    return rows, ece


def report(label: str, outcomes: Sequence[Outcome], threshold: float) -> str:
    lines = [f"### {label}", ""]
    here = at_threshold(outcomes, threshold)
    n_a = sum(o.set == "answerable" for o in outcomes)
    n_u = len(outcomes) - n_a
    lines += [
        f"At QA_NO_ANSWER_THRESHOLD={threshold} ({n_a} answerable, {n_u} unanswerable channels):",
        "",
        "| answerable correct | wrong | abstained | unanswerable abstained | precision shown |",
        "|---:|---:|---:|---:|---:|",
        f"| {here['answerable_correct']:.1%} | {here['answerable_wrong']:.1%} | "
        f"{here['answerable_abstained']:.1%} | {here['unanswerable_abstained']:.1%} | "
        f"{here['precision']:.1%} |",
        "",
        "Unanswerable abstained by kind: "
        + ", ".join(f"{k} {v:.1%}" for k, v in unanswerable_by_kind(outcomes, threshold).items()),
        "",
        "| threshold | coverage | answerable correct | unanswerable answered | precision |",
        "|---:|---:|---:|---:|---:|",
    ]
    for t in THRESHOLDS:
        row = at_threshold(outcomes, t)
        lines.append(
            f"| {t:.2f} | {row['coverage']:.1%} | {row['answerable_correct']:.1%} | "
            f"{1 - row['unanswerable_abstained']:.1%} | {row['precision']:.1%} |"
        )
    rows, ece = reliability(outcomes)
    lines += ["", "| confidence | answers | mean confidence | correct |", "|---|---:|---:|---:|"]
    for row in rows:
        if row["n"]:
            lines.append(
                f"| {row['bucket']} | {row['n']} | {row['confidence']:.2f} | {row['correct']:.1%} |"
            )
        else:
            lines.append(f"| {row['bucket']} | 0 | | |")
    lines += ["", f"ECE: **{ece:.3f}**", ""]
    return "\n".join(lines)


FAQ_SEED = 777


def faq_outcomes(n: int) -> list[tuple[float, bool]]:
    """(similarity of the best-matching stored question, its answer is right) per FAQ case.

    No model: FAQ matching is word overlap. Half the questions ask an entry in other words,
    half ask the same kind of fact about someone the FAQ does not cover.
    """
    from qa_engine.faq import faq_entries, similarity
    from qa_engine.types import Passage
    from tools.synthetic_facts import generate_faq_cases

    outcomes = []
    for case in generate_faq_cases(n, FAQ_SEED):
        passage = Passage("faq", 0, 0, len(case["faq"]), case["faq"])
        score, entry = max(
            ((similarity(case["question"], e.question), e) for e in faq_entries(passage)),
            key=lambda item: item[0],
        )
        outcomes.append((score, bool(case["answer_text"]) and entry.answer == case["answer_text"]))
    return outcomes


def fit_isotonic(outcomes: Sequence[tuple[float, bool]]) -> list[tuple[float, float, int]]:
    """Pool-adjacent-violators over distinct similarities: (lowest similarity of the pool,
    P(correct) with add-one smoothing, cases), non-decreasing in similarity."""
    groups: dict[float, list[int]] = {}
    for score, correct in outcomes:
        key = round(score, 4)
        groups.setdefault(key, [0, 0])
        groups[key][0] += correct
        groups[key][1] += 1
    pools: list[list[float]] = []  # [lowest similarity, correct, n]
    for key in sorted(groups):
        pools.append([key, groups[key][0], groups[key][1]])
        while len(pools) > 1 and pools[-2][1] / pools[-2][2] > pools[-1][1] / pools[-1][2]:
            last = pools.pop()
            pools[-1][1] += last[1]
            pools[-1][2] += last[2]
    fitted, floor = [], 0.0
    for low, correct, n in pools:
        # Smoothing can undo the order of small pools; keep the fit non-decreasing.
        floor = max(floor, (correct + 1) / (n + 2))
        fitted.append((low, floor, int(n)))
    return fitted


def faq_report(n: int) -> str:
    from qa_engine.faq import MIN_FAQ_SIMILARITY, faq_confidence

    outcomes = faq_outcomes(n)
    lines = [
        f"### FAQ matches ({n} questions, half not covered by the FAQ)",
        "",
        "| similarity from | P(correct), fitted | cases | engine's faq_confidence |",
        "|---:|---:|---:|---:|",
    ]
    for low, probability, count in fit_isotonic(outcomes):
        lines.append(f"| {low:.3f} | {probability:.3f} | {count} | {faq_confidence(low):.3f} |")
    matched = [(s, c) for s, c in outcomes if s >= MIN_FAQ_SIMILARITY]
    if matched:
        gap = sum(faq_confidence(s) for s, _ in matched) / len(matched) - sum(
            c for _, c in matched
        ) / len(matched)
        lines += [
            "",
            f"Matches (similarity ≥ {MIN_FAQ_SIMILARITY}): {len(matched)}, correct "
            f"{sum(c for _, c in matched) / len(matched):.1%}, mean confidence minus "
            f"fraction correct {gap:+.3f}.",
        ]
    return "\n".join(lines) + "\n"


def agreement(baseline_file: Path, outcomes: Sequence[Outcome], threshold: float) -> str:
    """How often the best answer (text and document) and the shown/abstained decision at
    `threshold` match the first run stored in `baseline_file`, question by question."""
    baseline = next(iter(json.loads(baseline_file.read_text(encoding="utf-8")).values()))
    assert len(baseline) == len(outcomes), "the baseline ran on other sets"
    same_answer = same_decision = 0
    for old, new in zip(baseline, outcomes, strict=True):
        assert old["question"] == new.question, "the baseline ran on other sets"
        same_answer += (old["answer"], old.get("document")) == (new.answer, new.document)
        shown_before = bool(old["answer"]) and old["confidence"] >= threshold
        same_decision += shown_before == (bool(new.answer) and new.confidence >= threshold)
    n = len(outcomes)
    return (
        f"Against {baseline_file.name}: same best answer (text and document) "
        f"{same_answer}/{n} ({same_answer / n:.1%}); same shown/abstained decision at "
        f"{threshold}: {same_decision}/{n} ({same_decision / n:.1%}).\n"
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", type=str, help="repeatable")
    parser.add_argument(
        "--set", action="append", default=[], help="engine setting, e.g. QA_NO_ANSWER_RULE=null"
    )
    parser.add_argument("--answerable", type=int, default=200)
    parser.add_argument("--unanswerable", type=int, default=200)
    parser.add_argument("--threshold", type=float, default=None, help="default: the engine's")
    parser.add_argument("--faq", type=int, default=0, help="also calibrate FAQ matches on N")
    parser.add_argument(
        "--compare",
        type=Path,
        default=None,
        help="a --json file of an earlier run: report how often each model's best answer "
        "and its shown/abstained decision agree with that run's first (e.g. float32 vs int8)",
    )
    parser.add_argument("--json", type=Path, default=None, help="write every outcome here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    import torch

    from qa_engine.settings import EngineSettings

    args = parse_args(argv)
    torch.set_num_threads(1)
    settings = dict(item.split("=", 1) for item in args.set)
    settings = {k.lower(): v for k, v in settings.items()}
    threshold = (
        args.threshold
        if args.threshold is not None
        else EngineSettings(_env_file=None).qa_no_answer_threshold
    )
    answerable, unanswerable = quality_sets(args.answerable, args.unanswerable)
    dump = {}
    for model in args.model or [str(m) for m in DEFAULT_MODELS]:
        started = time.perf_counter()
        outcomes = run(model, settings, answerable, "answerable") + run(
            model, settings, unanswerable, "unanswerable"
        )
        label = f"{Path(model).name}" + (f", {' '.join(args.set)}" if args.set else "")
        print(report(label, outcomes, threshold))
        print(f"({time.perf_counter() - started:.0f} s)\n")
        if args.compare:
            print(agreement(args.compare, outcomes, threshold))
        dump[label] = [asdict(o) for o in outcomes]
    if args.faq:
        print(faq_report(args.faq))
    if args.json:
        args.json.write_text(json.dumps(dump, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
