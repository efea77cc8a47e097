"""Record golden outputs of the real transformers 5.2.0 question-answering pipeline.

Why: qa_engine must reproduce `pipeline("question-answering")` exactly (answer text, char
offsets, scores within 1e-4). 5.2.0 is the last transformers release that ships that
pipeline, so we run it once here, on the tiny random models committed under tests/fixtures/,
and the tests compare the engine against the recorded outputs.

What: a few hundred seeded, generated cases per model (short and long contexts, many small
windows, every top_k / max_answer_len / handle_impossible_answer / align_to_words / padding
variant we care about, unicode edge cases, long questions, and inputs the pipeline rejects),
written to tests/fixtures/pipeline_golden.json:

    {"transformers_version": "5.2.0", "seed": 0, "library_versions": {...},
     "models": {"tests/fixtures/tiny-qa-random": [
         {"id", "family", "question", "context",
          "params": {only the kwargs passed},
          "output": what the pipeline returned (dict, list of dicts or [])
           -- or "error": "<ExceptionType>: <message>" when it raised}, ...]}}

Regenerate (needs transformers 5.2.0; run from the repository root):

    python -m venv .venv-ref && .venv-ref/bin/pip install torch==2.13.0 transformers==5.2.0 \
        && .venv-ref/bin/python tools/make_pipeline_golden.py

(options: --model DIR, repeatable; --out FILE; --seed N; --threads N). After regenerating
the model with tools/make_random_fixture.py, regenerate these outputs too.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import string
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tools.tiny_models import COMMON_WORDS  # noqa: E402

EXPECTED_TRANSFORMERS = "5.2.0"
DEFAULT_MODEL = REPO_ROOT / "tests" / "fixtures" / "tiny-qa-random"
DEFAULT_OUT = REPO_ROOT / "tests" / "fixtures" / "pipeline_golden.json"

# ----------------------------------------------------------------------------- text


# ASCII words missing from the tiny vocabulary: they split into one piece per character.
OOV_WORDS: tuple[str, ...] = (
    "Zanzibar", "quokka", "xylophone", "Kilimanjaro", "photosynthesis", "Wednesday",
    "aqueduct", "cathedral", "parliament", "volcano", "glacier", "telescope", "Copernicus",
    "Mozart", "Amsterdam", "Nairobi", "Reykjavik", "jazz", "quartz", "rhythm", "yacht",
    "knight", "biology", "orchestra", "Tuesday", "marathon",
)  # fmt: skip
QUESTION_WORDS: tuple[str, ...] = (
    "What", "Who", "When", "Where", "Why", "How", "Which", "How many", "In which year",
)  # fmt: skip
SHORT_WORDS: tuple[str, ...] = tuple(w for w in COMMON_WORDS if w.islower() and len(w) <= 6)

# One sentence per unicode edge case; the tiny vocabulary lacks many of these characters.
UNICODE_SNIPPETS: tuple[str, ...] = (
    "The café in Zürich serves crème brûlée, and naïve Señor Müller ordered two.",
    "Ångström and Søren met Łukasz and Œdipus in Kraków last year.",
    "東京大学 was founded in 1877 in 日本, north of the 山.",
    "中国的首都是北京。人口很多。",
    "ひらがなとカタカナ are Japanese scripts, and 日本語 mixes them.",
    "We won the match 🎉🎉 and the cup 🏆! The fans 😀 sang.",
    "The family emoji 👨\u200d👩\u200d👧 is built with zero width joiners.",
    "The word cafe\u0301 uses a combining acute, and nai\u0308ve a combining diaeresis.",
    "The city is 100\u00a0km north of the\u00a0river, at 1\u202f200\u00a0m.",
    "Column one\tColumn two\nNext line  with   three   spaces.\n\nNew paragraph.",
    "Greek Ελληνικά and Russian русский are not in the vocabulary.",
    "Glued,words;everywhere:(like)this—and“quoted”text...end.Start again!",
    "Zero\u200bwidth space and soft\u00adhyphen sit inside these words.",
    "Full-width ＡＢＣ letters, ① circled digits and ½ fractions appear here.",
    "Math: x² + y² = z², and α ≤ β ≥ γ in the paper.",
    "Arabic مرحبا and Hebrew שלום are written right to left.",
    "The ﬁnance team met in İstanbul on 12 March.",
    "Astral letters like 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 and 𝟙𝟚𝟛 are outside the BMP.",
    "Windows\r\nline\r\nbreaks end these lines.",
    "\u3000Ideographic space and an ideographic full stop。Then more text.",
    "Curly ‘single’ and «guillemets» and „low quotes“ around names.",
    "Mixed: Paris’s café—open 24/7—sells 3½ croissants for €4.50 or £3.",
)  # fmt: skip

UNICODE_QUESTIONS: tuple[str, ...] = (
    "Where is the café?",
    "Who met Søren?",
    "When was 東京大学 founded?",
    "What is 北京?",
    "Which emoji 🎉 was used?",
    "How far north is the city\u00a0?",
    "What\tis  the\ncolumn?",
    "Where is İstanbul?",
)


def numeric_token(rng: random.Random) -> str:
    """A year, decimal, thousands, percent, price, time or ISO date."""
    makers: tuple[Callable[[], str], ...] = (
        lambda: str(rng.randint(1000, 2030)),
        lambda: f"{rng.randint(0, 99)}.{rng.randint(0, 99)}",
        lambda: f"{rng.randint(1, 999)},{rng.randint(0, 999):03d}",
        lambda: f"{rng.randint(1, 100)}%",
        lambda: f"${rng.randint(1, 500)}",
        lambda: f"{rng.randint(0, 23)}:{rng.randint(0, 59):02d}",
        lambda: f"{rng.randint(1900, 2030)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    )
    return rng.choice(makers)()


def random_letters(rng: random.Random) -> str:
    letters = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 12)))
    return letters.capitalize() if rng.random() < 0.3 else letters


def context_word(rng: random.Random) -> str:
    """One word of generated prose: mostly in-vocabulary, sometimes not."""
    roll = rng.random()
    if roll < 0.70:
        return rng.choice(COMMON_WORDS)
    if roll < 0.80:
        return rng.choice(OOV_WORDS)
    if roll < 0.88:
        return numeric_token(rng)
    if roll < 0.91:
        return f"{rng.choice(SHORT_WORDS)}-{rng.choice(SHORT_WORDS)}"
    if roll < 0.94:
        return rng.choice(("Alice's", "Bob's", "U.S.", "e.g.", "don't", "it's", "Dr."))
    return random_letters(rng)


def decorate(word: str, rng: random.Random) -> str:
    """Occasionally glue punctuation to a word, the way prose does."""
    roll = rng.random()
    if roll < 0.08:
        return word + ","
    if roll < 0.10:
        return f"({word})"
    if roll < 0.12:
        return f'"{word}"'
    if roll < 0.13:
        return word + ":"
    return word


def sentence(rng: random.Random, low: int = 5, high: int = 18) -> str:
    words = [decorate(context_word(rng), rng) for _ in range(rng.randint(low, high))]
    words[0] = words[0][:1].upper() + words[0][1:]
    return " ".join(words) + rng.choice(".....!?;")


def paragraph(rng: random.Random, n_words: int) -> str:
    """Sentences until at least `n_words` words; sometimes a blank line between them."""
    parts: list[str] = []
    count = 0
    while count < n_words:
        text = sentence(rng)
        count += len(text.split())
        if parts:
            parts.append("\n\n" if rng.random() < 0.08 else " ")
        parts.append(text)
    return "".join(parts)


def short_context(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return sentence(rng, 1, 4)
    return " ".join(sentence(rng) for _ in range(rng.randint(1, 2)))


def unicode_context(rng: random.Random, n_words: int = 0) -> str:
    """ASCII prose with one to three unicode snippets mixed in."""
    snippets = rng.sample(UNICODE_SNIPPETS, rng.randint(1, 3))
    pieces = snippets + [sentence(rng) for _ in range(rng.randint(0, 2))]
    if n_words:
        pieces.append(paragraph(rng, n_words))
    rng.shuffle(pieces)
    return " ".join(pieces)


def question(rng: random.Random, low: int = 1, high: int = 10, oov: bool = True) -> str:
    """A question of `low`..`high` words after the question word."""
    pool = COMMON_WORDS + OOV_WORDS if oov else SHORT_WORDS
    words = [rng.choice(pool) for _ in range(rng.randint(low, high))]
    return " ".join([rng.choice(QUESTION_WORDS), *words]) + "?"


# ----------------------------------------------------------------------------- cases


@dataclass
class Case:
    family: str
    question: str
    context: str
    params: dict[str, Any] = field(default_factory=dict)


def window_params(rng: random.Random, question_words: int) -> dict[str, Any]:
    """A small max_seq_len and a doc_stride that leaves room for the question."""
    max_seq_len = rng.choice((32, 48, 64, 128))
    room = max_seq_len - (question_words + 2) - 3  # question word + "?" + specials
    strides = [s for s in (8, 16, 32) if s < room] or [max(1, room - 1)]
    return {"max_seq_len": max_seq_len, "doc_stride": rng.choice(strides)}


def short_default_cases(rng: random.Random) -> list[Case]:
    return [Case("short_default", question(rng), short_context(rng)) for _ in range(30)]


def long_default_cases(rng: random.Random) -> list[Case]:
    sizes = (300, 350, 450, 500, 600, 700, 800, 900, 1000, 1100, 1200, 1400, 1500, 1700, 1850)
    cases = [Case("long_default", question(rng), paragraph(rng, n)) for n in sizes]
    cases.append(Case("long_default", question(rng), paragraph(rng, 2000)))
    return cases


def windows_cases(rng: random.Random) -> list[Case]:
    cases: list[Case] = []
    for _ in range(60):
        n_question = rng.randint(1, 5)
        words = [rng.choice(SHORT_WORDS) for _ in range(n_question)]
        text = " ".join([rng.choice(("What", "Who", "When", "Where")), *words]) + "?"
        params = window_params(rng, n_question)
        if rng.random() < 0.35:
            params["top_k"] = rng.choice((1, 3, 5))
        context = paragraph(rng, rng.choice((40, 80, 150, 300, 500, 800)))
        cases.append(Case("windows", text, context, params))
    return cases


def any_context(rng: random.Random) -> tuple[str, dict[str, Any]]:
    """A short, medium or windowed long context, with the window params it needs."""
    kind = rng.choice(("short", "short", "medium", "windowed", "long"))
    if kind == "short":
        return short_context(rng), {}
    if kind == "medium":
        return paragraph(rng, rng.randint(60, 300)), {}
    if kind == "long":
        return paragraph(rng, rng.randint(400, 1200)), {}
    params = {"max_seq_len": rng.choice((64, 128)), "doc_stride": rng.choice((16, 32))}
    return paragraph(rng, rng.randint(100, 500)), params


def short_question(rng: random.Random) -> str:
    return question(rng, 1, 6, oov=False)


def top_k_cases(rng: random.Random) -> list[Case]:
    cases: list[Case] = []
    for top_k in (1, 2, 3, 5, 10, 40):
        for _ in range(8):
            context, params = any_context(rng)
            cases.append(Case("top_k", short_question(rng), context, {**params, "top_k": top_k}))
    return cases


def max_answer_len_cases(rng: random.Random) -> list[Case]:
    cases: list[Case] = []
    for max_answer_len in (1, 2, 3, 15, 30):
        for _ in range(6):
            context, params = any_context(rng)
            params["max_answer_len"] = max_answer_len
            if rng.random() < 0.6:
                params["top_k"] = rng.choice((1, 3, 10))
            cases.append(Case("max_answer_len", short_question(rng), context, params))
    return cases


def impossible_cases(rng: random.Random) -> list[Case]:
    cases: list[Case] = []
    for flag in (True, False):
        for _ in range(12):
            context, params = any_context(rng)
            params["handle_impossible_answer"] = flag
            params["top_k"] = rng.choice((1, 1, 2, 3, 5))
            if rng.random() < 0.3:
                params["max_answer_len"] = rng.choice((1, 3, 30))
            cases.append(Case("handle_impossible_answer", short_question(rng), context, params))
    return cases


def align_cases(rng: random.Random) -> list[Case]:
    cases: list[Case] = []
    for flag in (False, True):
        for index in range(12):
            if index % 3 == 0:
                context, params = unicode_context(rng), {}
            else:
                context, params = any_context(rng)
            params["align_to_words"] = flag
            params["top_k"] = rng.choice((1, 3, 10))
            cases.append(Case("align_to_words", short_question(rng), context, params))
    return cases


def unicode_params(rng: random.Random) -> dict[str, Any]:
    options: tuple[dict[str, Any], ...] = (
        {},
        {"top_k": 5},
        {"top_k": 10, "align_to_words": False},
        {"align_to_words": False},
        {"top_k": 3, "max_answer_len": 3},
        {"top_k": 3, "handle_impossible_answer": True},
    )
    return dict(rng.choice(options))


def unicode_cases(rng: random.Random) -> list[Case]:
    cases: list[Case] = []
    for snippet in UNICODE_SNIPPETS:  # each edge case alone, as the whole context
        text = rng.choice(UNICODE_QUESTIONS) if rng.random() < 0.4 else short_question(rng)
        cases.append(Case("unicode", text, snippet, unicode_params(rng)))
    for _ in range(14):  # mixed into prose, often over many windows
        params = unicode_params(rng)
        if rng.random() < 0.6:
            params.update({"max_seq_len": rng.choice((48, 64, 128)), "doc_stride": 16})
        text = rng.choice(UNICODE_QUESTIONS)
        cases.append(Case("unicode", text, unicode_context(rng, rng.randint(0, 300)), params))
    padded = "  \n\t The river runs north of the city.\u00a0 \n "
    cases.append(Case("unicode", "Where does the river run?", padded, {}))
    cases.append(Case("unicode", "Where does the river run?", padded, {"top_k": 10}))
    cases.append(Case("unicode", "  Where\u00a0does the river run?  ", padded, {"top_k": 3}))
    cases.append(Case("unicode", "Where?", padded, {"top_k": 5, "align_to_words": False}))
    return cases


def long_question_cases(rng: random.Random) -> list[Case]:
    settings: tuple[dict[str, Any], ...] = (
        {},
        {"max_seq_len": 128, "doc_stride": 16},
        {"max_seq_len": 96, "doc_stride": 16},
        {"max_seq_len": 64, "doc_stride": 8},
        {"max_seq_len": 64, "doc_stride": 8, "top_k": 3},
        {"max_seq_len": 128, "doc_stride": 32, "top_k": 5},
        {"max_seq_len": 48, "doc_stride": 8},  # the question alone overflows the window
        {"top_k": 3, "max_question_len": 8},
    )
    cases: list[Case] = []
    for params in settings:
        text = question(rng, 40, 50, oov=False)
        cases.append(Case("long_question", text, paragraph(rng, rng.randint(80, 400)), params))
    return cases


def padding_cases(rng: random.Random) -> list[Case]:
    settings: tuple[dict[str, Any], ...] = (
        {"padding": "max_length", "max_seq_len": 64, "doc_stride": 16},
        {"padding": "max_length", "top_k": 3},
        {"padding": "longest", "max_seq_len": 48, "doc_stride": 8, "top_k": 5},
        {"padding": "do_not_pad", "max_seq_len": 128, "doc_stride": 32},
        {"padding": True, "max_seq_len": 64, "doc_stride": 16},
        {"max_question_len": 2, "top_k": 3},
        {"max_question_len": 4, "max_seq_len": 64, "doc_stride": 16},
        {"max_question_len": 64},
    )
    cases: list[Case] = []
    for params in settings:
        context = paragraph(rng, rng.randint(60, 400))
        cases.append(Case("padding_max_question_len", short_question(rng), context, dict(params)))
    return cases


def edge_cases(rng: random.Random) -> list[Case]:
    """Inputs the pipeline rejects, and odd ones it accepts (recorded either way)."""
    context = paragraph(rng, 120)
    ask = short_question(rng)
    twelve_words = question(rng, 11, 11, oov=False)
    return [
        Case("edge_cases", "", context),
        Case("edge_cases", ask, ""),
        Case("edge_cases", "   ", context),
        Case("edge_cases", ask, "   "),
        Case("edge_cases", ask, " \n\t "),
        Case("edge_cases", ask, context, {"max_seq_len": 64, "doc_stride": 65}),
        Case("edge_cases", ask, context, {"max_seq_len": 32, "doc_stride": 32}),
        Case("edge_cases", ask, context, {"max_seq_len": 48, "doc_stride": 40}),
        Case("edge_cases", ask, context, {"top_k": 0}),
        Case("edge_cases", ask, context, {"max_answer_len": 0}),
        Case("edge_cases", question(rng, 30, 30, oov=False), context, {"max_seq_len": 32}),
        Case("edge_cases", "?", context, {"top_k": 2}),
        Case("edge_cases", ask, "🎉🎉🎉 Søren", {"top_k": 3}),
        Case("edge_cases", twelve_words, context, {"max_seq_len": 32, "doc_stride": 16}),
        Case("edge_cases", ask, "The river.", {"top_k": 40}),  # fewer spans than top_k
        Case("edge_cases", ask, "River", {"top_k": 10, "align_to_words": False}),
    ]


def random_mix_cases(rng: random.Random) -> list[Case]:
    cases: list[Case] = []
    for _ in range(40):
        if rng.random() < 0.25:
            context = unicode_context(rng, rng.randint(0, 600))
        else:
            context, _ = any_context(rng)
        params: dict[str, Any] = {}
        if rng.random() < 0.5:
            params.update(window_params(rng, 6))
        if rng.random() < 0.6:
            params["top_k"] = rng.choice((1, 2, 3, 5, 10, 40))
        if rng.random() < 0.4:
            params["max_answer_len"] = rng.choice((1, 2, 3, 15, 30))
        if rng.random() < 0.3:
            params["handle_impossible_answer"] = rng.choice((True, False))
        if rng.random() < 0.3:
            params["align_to_words"] = rng.choice((True, False))
        cases.append(Case("random_mix", question(rng, 1, 5, oov=False), context, params))
    return cases


FAMILIES: tuple[Callable[[random.Random], list[Case]], ...] = (
    short_default_cases,
    long_default_cases,
    windows_cases,
    top_k_cases,
    max_answer_len_cases,
    impossible_cases,
    align_cases,
    unicode_cases,
    long_question_cases,
    padding_cases,
    edge_cases,
    random_mix_cases,
)


def generate_cases(seed: int) -> list[Case]:
    """All cases; each family draws from its own seeded RNG, so families stay independent."""
    cases: list[Case] = []
    for make in FAMILIES:
        cases += make(random.Random(f"{seed}:{make.__name__}"))
    return cases


# ----------------------------------------------------------------------------- pipeline


def load_pipeline(folder: Path) -> Any:
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer, pipeline

    return pipeline(
        "question-answering",
        model=AutoModelForQuestionAnswering.from_pretrained(str(folder)),
        tokenizer=AutoTokenizer.from_pretrained(str(folder)),
    )


def run_case(qa: Any, case: Case) -> dict[str, Any]:
    """`{"output": ...}`, or `{"error": ...}` if the pipeline raised (tokenizers panics too)."""
    try:
        output = qa(question=case.question, context=case.context, **case.params)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # pyo3's PanicException is not an Exception
        return {"error": f"{type(error).__name__}: {error}"}
    return {"output": output}


def record(case: Case, index: int, result: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"{case.family}-{index:03d}",
        "family": case.family,
        "question": case.question,
        "context": case.context,
        "params": case.params,
        **result,
    }


def model_key(folder: Path) -> str:
    """The folder relative to the repository root when inside it, else its absolute path."""
    resolved = folder.resolve()
    try:
        return resolved.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return resolved.as_posix()


def golden_for_model(folder: Path, cases: list[Case]) -> list[dict[str, Any]]:
    qa = load_pipeline(folder)
    counters: Counter[str] = Counter()
    records: list[dict[str, Any]] = []
    for case in cases:
        records.append(record(case, counters[case.family], run_case(qa, case)))
        counters[case.family] += 1
    return records


def library_versions() -> dict[str, str]:
    import numpy
    import tokenizers
    import torch
    import transformers

    return {
        "transformers": transformers.__version__,
        "tokenizers": tokenizers.__version__,
        "torch": torch.__version__,
        "numpy": numpy.__version__,
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, action="append", help="model folder (repeatable)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch CPU threads (default 1: quick on a busy machine, same result on any machine)",
    )
    return parser.parse_args(argv)


def summarize(records: list[dict[str, Any]]) -> str:
    families = Counter(item["family"] for item in records)
    errors = sum("error" in item for item in records)
    return f"{len(records)} cases, {errors} errors; " + ", ".join(
        f"{name}={count}" for name, count in families.items()
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ["RUST_BACKTRACE"] = "0"  # tokenizers panics are expected cases
    import torch
    import transformers
    from transformers.utils import logging as hf_logging

    if transformers.__version__ != EXPECTED_TRANSFORMERS:
        raise SystemExit(
            f"needs transformers {EXPECTED_TRANSFORMERS}, found {transformers.__version__}"
        )
    torch.set_num_threads(args.threads)
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    cases = generate_cases(args.seed)
    golden: dict[str, Any] = {
        "transformers_version": transformers.__version__,
        "seed": args.seed,
        "library_versions": library_versions(),
        "models": {},
    }
    for folder in args.model or [DEFAULT_MODEL]:
        started = time.perf_counter()
        records = golden_for_model(folder, cases)
        golden["models"][model_key(folder)] = records
        elapsed = time.perf_counter() - started
        print(f"{model_key(folder)}: {summarize(records)} ({elapsed:.1f}s)", file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(golden, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
