"""Train the tiny extractive QA model committed as a test fixture (tests/fixtures/tiny-qa).

Why: tests need a model that loads through the ordinary `AutoTokenizer` /
`AutoModelForQuestionAnswering` path *and* gives real answers, with no hub access. A
DistilBERT of a few MB trained from scratch on synthetic facts (`tools/synthetic_facts.py`)
does both: "What's my name?" over "My name is John and I live in Seattle" gives "John".

What it does, all seeded:
1. builds a cased BERT-style WordPiece tokenizer (`tokenizers` library: BertNormalizer
   without lower-casing, BertPreTokenizer, WordPiece) whose vocabulary comes from the
   synthetic training corpus plus a built-in list of common English words, so arbitrary
   text tokenizes into real pieces;
2. trains `DistilBertForQuestionAnswering` from a small config with the usual start/end
   cross-entropy over tokenizer windows (windows without the answer point at [CLS]),
   short windows first, then all;
3. saves tokenizer and model with `save_pretrained` (safetensors), prints exact match on
   held-out examples and the model-card answers, and writes
   tests/fixtures/synthetic_heldout.json (held-out multi-document channels).

Regenerate with:

    .venv/bin/python tools/train_tiny_qa.py --out tests/fixtures/tiny-qa

The SQuAD 2.0-style fixture (about one example in six has no answer and points at
[CLS]) continues from tiny-qa instead of starting again:

    .venv/bin/python tools/train_tiny_qa.py --out tests/fixtures/tiny-qa-squad2 \
        --init-from tests/fixtures/tiny-qa --no-answer-share 0.1667 --steps 1200 \
        --lr 4e-4 --threads 1 --heldout-out /tmp/heldout.json

Determinism: the vocabulary is counted, not trained (the `tokenizers` trainer breaks ties
differently on every run); Python, NumPy and torch are seeded; torch runs with
deterministic algorithms and a fixed thread count. Two runs on the same machine and
library versions give bitwise-identical files. Bitwise equality across CPUs, torch builds
or thread counts is not guaranteed (float reductions may be ordered differently); the
exact-match numbers are expected to stay within a point or so.
"""

from __future__ import annotations

import argparse
import json
import random
import string
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tokenizers import Tokenizer, decoders, normalizers, pre_tokenizers, processors
from tokenizers.models import WordPiece
from transformers import DistilBertConfig, DistilBertForQuestionAnswering, DistilBertTokenizerFast

# Run as a script (`python tools/train_tiny_qa.py`), the repo root is not on sys.path.
if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools.synthetic_facts import generate_channels, generate_examples
from tools.tiny_models import extend_vocab

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_HELDOUT_PATH = REPO_ROOT / "tests" / "fixtures" / "synthetic_heldout.json"

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
VOCAB_SIZE = 8000
MAX_LENGTH = 256  # tokens per window, question included
STRIDE = 64  # tokens shared by consecutive windows of a long context
MAX_ANSWER_TOKENS = 30
THREADS = 2
SHORT_WINDOW_TOKENS = 64
WHOLE_WORD_SHARE = 0.6  # of the vocabulary left after characters
LOG_EVERY = 100

MODEL_CARD_CONTEXT = "My name is John and I live in Seattle"
MODEL_CARD_QUESTIONS = {"What's my name?": "John", "Where do I live?": "Seattle"}

# Seeds of the separate example streams, offset from --seed so they never overlap.
TOKENIZER_CORPUS_OFFSET = 1
TRAIN_OFFSET = 2
EVAL_OFFSET = 3
CHANNELS_OFFSET = 4


@dataclass(frozen=True)
class TrainSettings:
    steps: int
    batch_size: int
    learning_rate: float
    warmup_fraction: float
    weight_decay: float
    short_fraction: float  # share of steps on short windows only (curriculum)
    seed: int


def seed_everything(seed: int, threads: int = THREADS) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    # CPU kernels are deterministic in practice; this makes torch refuse the few that aren't.
    torch.use_deterministic_algorithms(True)


# --------------------------------------------------------------------------------------
# Tokenizer
# --------------------------------------------------------------------------------------


def _alphabet() -> list[str]:
    """Characters that must tokenize to themselves rather than [UNK]."""
    accented = "àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿßœšžłńśźżćęąőűğışÀÁÂÄÅÆÇÈÉÊÍÎÑÓÔÖØÚÜŁŚŻŠŽÇŞİ"
    symbols = "€£¥°–—‘’“”…•×"
    return sorted(
        set(string.ascii_letters + string.digits + string.punctuation + accented + symbols)
    )


def tokenizer_corpus(seed: int, n_examples: int) -> Iterable[str]:
    """Training-split text (real names only) and the common English words."""
    for example in generate_examples(n_examples, seed, split="train", pseudo_words=False):
        yield example["question"]
        yield example["context"]
    words = COMMON_WORDS.split()
    # Repeated so these words rank among the synthetic corpus' frequent words.
    for _ in range(8):
        yield " ".join(words)
    # Sentence-initial forms of the most common words only: capitalised copies of all of
    # them would crowd the vocabulary.
    for _ in range(3):
        yield " ".join(word.capitalize() for word in words[:300])


def _bert_normalizer() -> normalizers.BertNormalizer:
    return normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=False, lowercase=False
    )


def build_vocab(corpus: Iterable[str], vocab_size: int = VOCAB_SIZE) -> list[str]:
    """A WordPiece vocabulary chosen by deterministic frequency counts.

    Why not `tokenizers.trainers.WordPieceTrainer`: it breaks frequency ties in hash-map
    order, so two runs give different vocabularies (and so different models). Here: the
    special tokens, every alphabet character in both positions (no word becomes [UNK]
    because of one character), the most frequent whole words, then the word-initial and
    "##" pieces that save the most tokens, all ties broken alphabetically.
    """
    normalizer, pre_tokenizer = _bert_normalizer(), pre_tokenizers.BertPreTokenizer()
    counts: Counter[str] = Counter()
    for text in corpus:
        counts.update(w for w, _ in pre_tokenizer.pre_tokenize_str(normalizer.normalize_str(text)))
    alphabet = _alphabet()
    vocab = [*SPECIAL_TOKENS, *alphabet, *(f"##{c}" for c in alphabet if c.isalnum())]
    budget = vocab_size - len(vocab)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    words = [w for w, n in ranked if n >= 2 and len(w) > 1][: int(budget * WHOLE_WORD_SHARE)]
    vocab += words
    pieces = _piece_counts({w: n for w, n in counts.items() if w not in set(words)})
    # A piece of k characters saves k - 1 tokens each time it is used.
    scored = sorted(
        pieces.items(), key=lambda item: (-item[1] * (len(item[0].lstrip("#")) - 1), item[0])
    )
    return extend_vocab(vocab, (piece for piece, _ in scored), vocab_size)


def _piece_counts(counts: dict[str, int]) -> Counter[str]:
    """Occurrences of word-initial prefixes and "##" inner pieces (2-6 characters)."""
    pieces: Counter[str] = Counter()
    for word, n in counts.items():
        for length in range(2, min(6, len(word)) + 1):
            pieces[word[:length]] += n
        for begin in range(1, len(word) - 1):
            for length in range(2, min(6, len(word) - begin) + 1):
                pieces["##" + word[begin : begin + length]] += n
    return pieces


def make_tokenizer(vocab: list[str]) -> Tokenizer:
    """The BERT-style cased WordPiece pipeline over `vocab`."""
    tokenizer = Tokenizer(WordPiece({token: i for i, token in enumerate(vocab)}, unk_token="[UNK]"))
    tokenizer.normalizer = _bert_normalizer()
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.decoder = decoders.WordPiece(prefix="##")
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    return tokenizer


def wrap_tokenizer(tokenizer: Tokenizer) -> DistilBertTokenizerFast:
    """The transformers tokenizer that `AutoTokenizer.from_pretrained` will rebuild.

    transformers 5 rebuilds BERT-family tokenizers from the vocabulary and the saved
    options (lower-casing, accents), so those options are what must match the trained
    pipeline; `check_same_encoding` verifies it.
    """
    return DistilBertTokenizerFast(
        vocab=tokenizer.get_vocab(),
        do_lower_case=False,
        strip_accents=False,
        tokenize_chinese_chars=True,
        model_max_length=512,
        padding_side="right",
        truncation_side="right",
    )


def check_same_encoding(
    raw: Tokenizer, wrapped: DistilBertTokenizerFast, texts: Sequence[str]
) -> None:
    for text in texts:
        expected = raw.encode(text).ids
        got = wrapped(text)["input_ids"]
        if expected != got:
            raise RuntimeError(f"wrapped tokenizer differs on {text!r}: {got} != {expected}")


# --------------------------------------------------------------------------------------
# Features: question/context windows with start/end token targets
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Feature:
    input_ids: list[int]
    start: int
    end: int


def encode_windows(tokenizer: DistilBertTokenizerFast, questions: list[str], contexts: list[str]):
    """Question + context windows; long contexts overflow into overlapping windows."""
    return tokenizer(
        questions,
        contexts,
        truncation="only_second",
        max_length=MAX_LENGTH,
        stride=STRIDE,
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
    )


def answer_token_span(
    sequence_ids: Sequence[int | None], offsets: Sequence[tuple[int, int]], start: int, end: int
) -> tuple[int, int]:
    """Token indices of the answer characters [start, end), or (0, 0) ([CLS]) if the window
    does not contain the whole answer."""
    context = [i for i, s in enumerate(sequence_ids) if s == 1]
    if not context or offsets[context[0]][0] > start or offsets[context[-1]][1] < end:
        return 0, 0
    first = next(i for i in context if offsets[i][1] > start)
    last = next(i for i in reversed(context) if offsets[i][0] < end)
    return first, last


def training_features(tokenizer: DistilBertTokenizerFast, examples: list[dict]) -> list[Feature]:
    # In chunks: a tokenizer output keeps every token's string and offsets alive.
    features: list[Feature] = []
    for begin in range(0, len(examples), 2000):
        features += _chunk_features(tokenizer, examples[begin : begin + 2000])
    return features


def _chunk_features(tokenizer: DistilBertTokenizerFast, examples: list[dict]) -> list[Feature]:
    encoded = encode_windows(
        tokenizer, [e["question"] for e in examples], [e["context"] for e in examples]
    )
    features = []
    for i, input_ids in enumerate(encoded["input_ids"]):
        example = examples[encoded["overflow_to_sample_mapping"][i]]
        start = example["answer_start"]
        span = (
            answer_token_span(
                encoded.sequence_ids(i),
                encoded["offset_mapping"][i],
                start,
                start + len(example["answer_text"]),
            )
            if example["answer_text"]
            else (0, 0)  # no answer in the context: [CLS], as in SQuAD 2.0
        )
        features.append(Feature(input_ids, *span))
    return features


def length_bucketed_batches(
    features: list[Feature], batch_size: int, rng: random.Random
) -> list[list[Feature]]:
    """Shuffled batches of similar length: dynamic padding then wastes little compute."""
    order = list(range(len(features)))
    rng.shuffle(order)
    batches: list[list[Feature]] = []
    chunk = batch_size * 50
    for i in range(0, len(order), chunk):
        group = sorted(order[i : i + chunk], key=lambda j: len(features[j].input_ids))
        batches += [
            [features[j] for j in group[k : k + batch_size]]
            for k in range(0, len(group), batch_size)
        ]
    rng.shuffle(batches)
    return batches


def collate(batch: list[Feature]) -> dict[str, torch.Tensor]:
    width = max(len(f.input_ids) for f in batch)
    input_ids = torch.zeros((len(batch), width), dtype=torch.long)  # [PAD] is id 0
    attention_mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, feature in enumerate(batch):
        input_ids[row, : len(feature.input_ids)] = torch.tensor(feature.input_ids)
        attention_mask[row, : len(feature.input_ids)] = 1
    return {
        "input_ids": input_ids,
        "attention_mask": attention_mask,
        "start_positions": torch.tensor([f.start for f in batch]),
        "end_positions": torch.tensor([f.end for f in batch]),
    }


# --------------------------------------------------------------------------------------
# Model and training
# --------------------------------------------------------------------------------------


def model_config(vocab_size: int) -> DistilBertConfig:
    return DistilBertConfig(
        vocab_size=vocab_size,
        dim=128,
        n_layers=4,
        n_heads=4,
        hidden_dim=512,
        max_position_embeddings=512,
        # Fixed sinusoidal positions: nothing to learn, and windows longer than most
        # training contexts still get sensible positions.
        sinusoidal_pos_embds=True,
        # Every training example is fresh, so there is nothing to overfit; dropout would
        # only slow learning down.
        dropout=0.0,
        attention_dropout=0.0,
        qa_dropout=0.0,
        pad_token_id=0,
    )


def make_optimizer(model: torch.nn.Module, settings: TrainSettings) -> torch.optim.AdamW:
    # The usual BERT recipe: no weight decay on biases and LayerNorm weights.
    decay, no_decay = [], []
    for parameter in model.parameters():
        (no_decay if parameter.ndim == 1 else decay).append(parameter)
    groups = [
        {"params": decay, "weight_decay": settings.weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=settings.learning_rate)


def linear_schedule(optimizer: torch.optim.Optimizer, settings: TrainSettings):
    warmup = max(1, int(settings.steps * settings.warmup_fraction))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (settings.steps - step) / max(1, settings.steps - warmup))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def batch_stream(
    features: list[Feature], settings: TrainSettings, rng: random.Random
) -> Iterator[list[Feature]]:
    """Curriculum: short windows first (cheap, and the question/fact matching is learnt
    faster without long distractor runs), then everything; epochs repeat as needed."""
    short = [f for f in features if len(f.input_ids) <= SHORT_WINDOW_TOKENS]
    phases = [(short, int(settings.steps * settings.short_fraction)), (features, None)]
    emitted = 0
    for pool, limit in phases:
        while limit is None or emitted < limit:
            for batch in length_bucketed_batches(pool, settings.batch_size, rng):
                yield batch
                emitted += 1
                if limit is not None and emitted >= limit:
                    break


def train(model: torch.nn.Module, features: list[Feature], settings: TrainSettings) -> None:
    rng = random.Random(settings.seed)
    optimizer = make_optimizer(model, settings)
    scheduler = linear_schedule(optimizer, settings)
    model.train()
    started, running = time.perf_counter(), 0.0
    batches = batch_stream(features, settings, rng)
    for step in range(1, settings.steps + 1):
        loss = model(**collate(next(batches))).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        running += loss.item()
        if step % LOG_EVERY == 0:
            elapsed = time.perf_counter() - started
            print(f"  step {step}/{settings.steps}  loss {running / LOG_EVERY:.3f}  {elapsed:.0f}s")
            running = 0.0


# --------------------------------------------------------------------------------------
# Inference and evaluation
# --------------------------------------------------------------------------------------


def best_span(
    start_logits: torch.Tensor, end_logits: torch.Tensor, context_mask: torch.Tensor
) -> tuple[float, int, int]:
    """Highest start+end score over context tokens with start <= end < start + max length."""
    neg = torch.finfo(start_logits.dtype).min / 4
    start = start_logits.masked_fill(~context_mask, neg)
    end = end_logits.masked_fill(~context_mask, neg)
    scores = start[:, None] + end[None, :]
    length = scores.shape[0]
    allowed = torch.ones(length, length, dtype=torch.bool).triu().tril(MAX_ANSWER_TOKENS - 1)
    scores = scores.masked_fill(~allowed, neg)
    flat = int(torch.argmax(scores))
    return float(scores.flatten()[flat]), flat // length, flat % length


@torch.no_grad()
def predict(
    model: torch.nn.Module,
    tokenizer: DistilBertTokenizerFast,
    questions: list[str],
    contexts: list[str],
    batch_size: int = 64,
) -> list[str]:
    """The best-scoring context span for each question, over all windows of its context."""
    model.eval()
    encoded = encode_windows(tokenizer, questions, contexts)
    best: dict[int, tuple[float, str]] = {}
    n_windows = len(encoded["input_ids"])
    for begin in range(0, n_windows, batch_size):
        indices = range(begin, min(begin + batch_size, n_windows))
        batch = collate([Feature(encoded["input_ids"][i], 0, 0) for i in indices])
        output = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
        for row, i in enumerate(indices):
            sequence_ids = encoded.sequence_ids(i)
            width = len(sequence_ids)
            mask = torch.tensor([s == 1 for s in sequence_ids])
            score, first, last = best_span(
                output.start_logits[row, :width], output.end_logits[row, :width], mask
            )
            example = encoded["overflow_to_sample_mapping"][i]
            offsets = encoded["offset_mapping"][i]
            text = contexts[example][offsets[first][0] : offsets[last][1]]
            if example not in best or score > best[example][0]:
                best[example] = (score, text)
    return [best[i][1] for i in range(len(questions))]


@torch.no_grad()
def null_wins(
    model: torch.nn.Module, tokenizer: DistilBertTokenizerFast, examples: list[dict]
) -> float:
    """Share of examples whose first window scores [CLS] above its best context span."""
    model.eval()
    wins = 0
    for example in examples:
        encoded = tokenizer(
            example["question"], example["context"], truncation="only_second",
            max_length=MAX_LENGTH, return_tensors="pt",
        )  # fmt: skip
        output = model(**{k: v for k, v in encoded.items() if k != "token_type_ids"})
        start, end = output.start_logits[0], output.end_logits[0]
        mask = torch.tensor([s == 1 for s in encoded.sequence_ids(0)])
        score, _, _ = best_span(start, end, mask)
        wins += float(start[0] + end[0]) > score
    return wins / len(examples)


def exact_match(
    model: torch.nn.Module, tokenizer: DistilBertTokenizerFast, examples: list[dict]
) -> float:
    predictions = predict(
        model, tokenizer, [e["question"] for e in examples], [e["context"] for e in examples]
    )
    hits = sum(p.strip() == e["answer_text"] for p, e in zip(predictions, examples, strict=True))
    return hits / len(examples)


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------


def write_heldout_channels(path: Path, seed: int, n: int) -> None:
    channels = generate_channels(n, seed, docs_per_channel=(5, 20), split="heldout")
    payload = {
        "description": (
            "Held-out synthetic channels from tools/synthetic_facts.py: exactly one document "
            "answers each question; the rest are about other entities. Regenerate with "
            "tools/train_tiny_qa.py."
        ),
        "seed": seed,
        "cases": channels,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="output model folder")
    parser.add_argument("--steps", type=int, default=6000)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=1.2e-3)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--eval-examples", type=int, default=600)
    parser.add_argument("--heldout-out", type=Path, default=DEFAULT_HELDOUT_PATH)
    parser.add_argument("--heldout-channels", type=int, default=150)
    parser.add_argument(
        "--no-answer-share",
        type=float,
        default=0.0,
        help="share of training examples whose context lacks the fact, labelled [CLS] "
        "(SQuAD 2.0 style; tests/fixtures/tiny-qa-squad2 uses 1/6)",
    )
    parser.add_argument(
        "--init-from",
        type=Path,
        default=None,
        help="start from this trained fixture (same seed, so the same vocabulary) instead "
        "of random weights: fine-tuning tiny-qa with --no-answer-share is far cheaper than "
        "training again",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=THREADS,
        help="torch threads (results are bitwise-reproducible for a given thread count)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    began = time.perf_counter()
    seed_everything(args.seed, args.threads)

    raw = make_tokenizer(build_vocab(tokenizer_corpus(args.seed + TOKENIZER_CORPUS_OFFSET, 20000)))
    tokenizer = wrap_tokenizer(raw)
    train_examples = generate_examples(
        args.steps * args.batch_size,
        args.seed + TRAIN_OFFSET,
        split="train",
        no_answer_share=args.no_answer_share,
    )
    check_same_encoding(raw, tokenizer, [e["context"] for e in train_examples[:200]])
    print(f"tokenizer: {raw.get_vocab_size()} tokens")

    features = training_features(tokenizer, train_examples)
    print(f"training on {len(features)} windows from {len(train_examples)} examples")
    torch.manual_seed(args.seed)
    if args.init_from is None:
        model = DistilBertForQuestionAnswering(model_config(raw.get_vocab_size()))
    else:
        model = load_initial_model(args.init_from, tokenizer)
    print(f"model: {sum(p.numel() for p in model.parameters()):,} parameters")
    settings = TrainSettings(
        steps=args.steps,
        batch_size=args.batch_size,
        learning_rate=args.lr,
        warmup_fraction=0.06,
        weight_decay=0.01,
        short_fraction=0.3,
        seed=args.seed,
    )
    train_started = time.perf_counter()
    train(model, features, settings)
    train_seconds = time.perf_counter() - train_started

    args.out.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(args.out)
    model.save_pretrained(args.out)
    write_heldout_channels(args.heldout_out, args.seed + CHANNELS_OFFSET, args.heldout_channels)
    report(model, tokenizer, args.seed, args.eval_examples, args.no_answer_share)
    print(f"training {train_seconds:.0f}s, total {time.perf_counter() - began:.0f}s")


def load_initial_model(
    folder: Path, tokenizer: DistilBertTokenizerFast
) -> DistilBertForQuestionAnswering:
    """A trained fixture to continue from; its vocabulary must be the one just built."""
    saved = DistilBertTokenizerFast.from_pretrained(folder)
    if saved.get_vocab() != tokenizer.get_vocab():
        raise SystemExit(f"{folder} was trained with another vocabulary (another --seed?)")
    return DistilBertForQuestionAnswering.from_pretrained(folder)


def report(
    model: torch.nn.Module,
    tokenizer: DistilBertTokenizerFast,
    seed: int,
    n: int,
    no_answer_share: float = 0.0,
) -> None:
    if no_answer_share > 0:
        examples = generate_examples(n, seed + EVAL_OFFSET, "heldout", no_answer_share=0.5)
        unanswerable = [e for e in examples if not e["answer_text"]]
        nulls = null_wins(model, tokenizer, unanswerable)
        print(f"[CLS] beats every span, held-out unanswerable: {nulls:.1%}")
    heldout = generate_examples(n, seed + EVAL_OFFSET, split="heldout")
    seen = generate_examples(n, seed + EVAL_OFFSET, split="train")
    print(f"exact match, held-out entities: {exact_match(model, tokenizer, heldout):.1%}")
    print(
        f"exact match, training entities (new examples): {exact_match(model, tokenizer, seen):.1%}"
    )
    questions = list(MODEL_CARD_QUESTIONS)
    answers = predict(model, tokenizer, questions, [MODEL_CARD_CONTEXT] * len(questions))
    for question, answer in zip(questions, answers, strict=True):
        print(f"model card: {question!r} -> {answer!r}")


# A few thousand common English words (plus office/software vocabulary), so text outside
# the synthetic corpus still tokenizes into whole words or meaningful pieces.
COMMON_WORDS = """
the of and to a in is it you that he was for on are with as I his they be at one have this from
or had by hot word but what some we can out other were all there when up use your how said an
each she which do their time if will way about many then them write would like so these her long
make thing see him two has look more day could go come did number sound no most people my over
know water than call first who may down side been now find any new work part take get place made
live where after back little only round man year came show every good me give our under name
very through just form sentence great think say help low line differ turn cause much mean before
move right boy old too same tell does set three want air well also play small end put home read
hand port large spell add even land here must big high such follow act why ask men change went
light kind off need house picture try us again animal point mother world near build self earth
father head stand own page should country found answer school grow study still learn plant cover
food sun four between state keep eye never last let thought city tree cross farm hard start
might story saw far sea draw left late run while press close night real life few north open seem
together next white children begin got walk example ease paper group always music those both
mark often letter until mile river car feet care second book carry took science eat room friend
began idea fish mountain stop once base hear horse cut sure watch color colour face wood main
enough plain girl usual young ready above ever red list though feel talk bird soon body dog
family direct pose leave song measure door product black short numeral class wind question
happen complete ship area half rock order fire south problem piece told knew pass since top
whole king space heard best hour better true during hundred five remember step early hold west
ground interest reach fast verb sing listen six table travel less morning ten simple several
vowel toward war lay against pattern slow center centre love person money serve appear road map
rain rule govern pull cold notice voice unit power town fine certain fly fall lead cry dark
machine note wait plan figure star box noun field rest correct able pound done beauty drive
stood contain front teach week final gave green oh quick develop ocean warm free minute strong
special mind behind clear tail produce fact street inch multiply nothing course stay wheel full
force blue object decide surface deep moon island foot system busy test record boat common gold
possible plane stead dry wonder laugh thousand ago ran check game shape equate miss brought heat
snow tire bring yes distant fill east paint language among grand ball yet wave drop heart am
present heavy dance engine position arm wide sail material size vary settle speak weight general
ice matter circle pair include divide syllable felt perhaps pick sudden count square reason
length represent art subject region energy hunt probable bed brother egg ride cell believe
fraction forest sit race window store summer train sleep prove lone leg exercise wall catch
mount wish sky board joy winter sat written wild instrument kept glass grass cow job edge sign
visit past soft fun bright gas weather month million bear finish happy hope flower clothe
strange gone jump baby eight village meet root buy raise solve metal whether push seven
paragraph third shall held hair describe cook floor either result burn hill safe cat century
consider type law bit coast copy phrase silent tall sand soil roll temperature finger industry
value fight lie beat excite natural view sense ear else quite broke case middle kill son lake
moment scale loud spring observe child straight consonant nation dictionary milk speed method
organ pay age section dress cloud surprise quiet stone tiny climb cool design poor lot
experiment bottom key iron single stick flat twenty skin smile crease hole trade melody trip
office receive row mouth exact symbol die least trouble shout except wrote seed tone join
suggest clean break lady yard rise bad blow oil blood touch grew cent mix team wire cost lost
brown wear garden equal sent choose fell fit flow fair bank collect save control decimal gentle
woman captain practice separate difficult doctor please protect noon whose locate ring character
insect caught period indicate radio spoke atom human history effect electric expect crop modern
element hit student corner party supply bone rail imagine provide agree thus capital chair
danger fruit rich thick soldier process operate guess necessary sharp wing create neighbor
neighbour wash bat rather crowd corn compare poem string bell depend meat rub tube famous dollar
stream fear sight thin triangle planet hurry chief colony clock mine tie enter major fresh
search send yellow gun allow print dead spot desert suit current lift rose continue block chart
hat sell success company subtract event particular deal swim term opposite wife shoe shoulder
spread arrange camp invent cotton born determine quart nine truck noise level chance gather shop
stretch throw shine property column molecule select wrong gray grey repeat require broad prepare
salt nose plural anger claim continent oxygen sugar death pretty skill women season solution
magnet silver thank branch match suffix especially fig afraid huge sister steel discuss forward
similar guide experience score apple bought led pitch coat mass card band rope slip win dream
evening condition feed tool total basic smell valley nor double seat arrive master track parent
shore division sheet substance favor favour connect post spend chord fat glad original share
station dad bread charge proper bar offer segment slave duck instant market degree populate
chick dear enemy reply drink occur support speech nature range steam motion path liquid log
meant quotient teeth shell neck account accept access accident according achieve across action
active activity actually address administration admit adult affect afternoon agency agent
agreement ahead aim alone along already although amount analysis ancient another anyone anything
apartment apparent approach approve argue argument around arrival article artist assume attack
attempt attend attention attorney audience author authority available avoid away background bag
basis become behavior behaviour benefit beside beyond bill billion budget building business
buyer camera campaign cancer candidate capacity career central certainly chairman challenge
chapter choice church citizen civil clearly client coach collection college comment commercial
commit committee community computer concern conference congress consumer contract conversation
couple court credit crime cultural culture customer daughter debate decade decision defense
defence democrat department despite detail development difference dinner discover discussion
disease drug economic economy education effort election employee environment environmental
establish everybody everyone everything evidence exactly exist expert explain factor fail
federal feeling film financial firm focus foreign forget former future generation goal
government growth health hospital hotel however identify image impact important improve
including increase indeed individual information inside instead institution interview investment
issue item itself kitchen knowledge later lawyer leader legal likely local loss magazine
maintain majority manage management manager marriage media medical meeting member memory mention
message military mission model movie myself national nearly network news newspaper nice none
officer official ok okay operation opportunity option organization organisation others outside
owner pain painting participant particularly partner patient peace per perform performance
personal phone physical player PM AM police policy political politics popular population
positive president pressure prevent price private probably professional professor program
programme project public purpose quality quickly rate realize really recent recently recognize
reduce reflect relate relationship religious remain remove report republican research resource
respond response responsibility return reveal risk role scene scientist security seek senior
series serious service shake shoot shot significant simply site situation social society
somebody someone something sometimes sort source southern specific sport staff stage standard
statement stock strategy structure stuff style successful suddenly suffer task tax teacher
technology television tend theory threat throughout today tonight tough traditional training
treat treatment trial truth understand upon usually various victim violence vote weapon western
whatever whom within without worker worry writer yeah yourself absence absolute abstract
academic accessible accommodate accompany accomplish accurate accuse acknowledge acquire adapt
adequate adjust admire adopt advance advanced advantage adventure advertise advice advise affair
afford aggressive agricultural aid aircraft airline airport album alcohol alive alliance ally
almost alter alternative amazing ambition amendment amusing analyst anchor angle angry announce
annual anxiety apart apology apparently appeal appearance apply appoint appreciate appropriate
approval approximately architecture arena arise armed army arrest artificial aside asleep aspect
assault assess asset assign assist assistance assistant associate association assumption
atmosphere attach attract attractive attribute automatic autumn average award aware awful baker
balance ban barely barrier baseball basket basketball bathroom battery battle beach bean
beautiful bedroom beer beg beginning behave belief belong bench bend beneath bet bicycle bike
birth birthday bite bitter blade blame blanket blind bond bonus boot border boring borrow boss
bother bottle boundary bowl brain brand brave breakfast breath breathe brick bride brief briefly
brilliant broadcast browser brush bubble bucket bug bunch burden burst bus butter button cabin
cabinet cable cake calculate calendar calm cancel candle candy cap capable carbon cargo carpet
cash castle casual category cattle ceiling celebrate celebration chain chamber champion channel
chaos charity chase cheap cheat cheese chef chemical chest chicken childhood chocolate cigarette
cinema circumstance cite civilian clause clay clerk click cliff climate clinic closet cluster
coal code coffee cognitive coin collapse colleague collective colonial combat combination
combine comedy comfort comfortable command commander commission commitment communicate
communication companion comparison compete competition competitive complain complaint complex
component compose composition comprehensive compute concentrate concept concert conclude
conclusion concrete conduct confidence confident confirm conflict confront confusion connection
conscious consensus consequence conservative consist consistent constant constantly constitute
construct construction consult contact contemporary content contest context contribute
contribution convention convert convince cookie cooking cooperation cope core corporate
corporation cottage council counter county courage cousin crack craft crash crazy cream creative
creature crew crisis criteria critic critical criticism crucial cruel cup curious curriculum
curtain curve custom cycle daily damage dare database deadline debt decline decorate decrease
dedicate defeat defend deficit define definitely definition delay delegate deliberately delicate
delight deliver delivery demand demonstrate dense deny departure deposit depression deputy
derive descend desire desk desperate dessert destination destroy destruction detect detective
device devote dialogue diet digital dimension dining diplomat disability disagree disappear
disaster discipline discount discourse dish dismiss display distance distinct distinguish
distribute distribution district diverse diversity divorce document domain domestic dominant
donate doubt downtown dozen draft drag drama dramatic drawer drawing drift drill drunk dust duty
eager earn earnings easily eastern easy ecosystem edit edition editor educate educational
effective efficiency efficient eighteen elderly elect elegant elephant eliminate elite email
embrace emerge emergency emission emotion emotional emphasis emphasize empire employ employer
employment empty enable encounter encourage enforce engage engineer engineering enhance enjoy
enormous ensure entertainment enthusiasm entire entirely entrance entry envelope episode
equipment era error escape essay essential essentially estate estimate ethical ethics ethnic
evaluate evaluation eventually evident evil evolution evolve exam examination examine excellent
exception exchange excitement exciting executive exhibit exhibition exit expand expansion
expectation expense expensive explanation explicit explode exploration explore explosion export
expose exposure express expression extend extension extensive extent external extra
extraordinary extreme extremely fabric facility faculty fade faith false fame familiar fan fancy
fantasy fare fashion fault fee feedback fellow female fence festival fiber fibre fiction fifteen
fifth fifty file filter finance fishing fitness fix flag flame flash fleet flesh flight float
flood fluid folk fool football forecast formal format formation formula fortune forty forum
foundation founder frame framework frankly freedom frequency frequent frequently friendly
friendship frighten frozen fuel fully function fund fundamental funding funeral funny furniture
gallery gain gang gap garage garlic gate gaze gear gender gene generate generous genetic genius
genre gentleman gesture ghost giant gift glance global glove golf gorgeous governor grab grade
gradually graduate grain grandfather grandmother grant grave gravity greatest grip gross
guarantee guard guest guilty habit hall handle hang harbor harbour hardly harm harvest hate
headline headquarters heal healthy hearing heaven height hell hello helmet helpful hence herb
hero hesitate hidden hide highlight highly highway hint hip hire historian historic historical
hobby holiday holy honest honey honor honour hook horizon horror host household housing hunger
hungry hunting hurt husband hypothesis ideal identical identity ignore illegal illness
illustrate immediate immediately immigrant immune implement implication imply import impose
impossible impress impression impressive incentive incident income incorporate incredible
independence independent index indicator indigenous industrial inevitable infant infection
inflation influence inform initial initially initiative injury inner innocent innovation input
inquiry insight insist inspection inspector inspire install installation instance instinct
institute instruction insurance intellectual intelligence intend intense intensity intention
interaction interpret interpretation intervention introduce introduction invasion invest
investigate investigation investigator investor invisible invitation invite involve involved
isolate jacket jail jeans jet jewelry joint joke journal journalist journey judge judgment juice
junior jury justice justify keen keyboard kick kid kilometre kilometer kiss knee knife knock
label labor labour laboratory lack ladder lamp landscape lane lap laptop largely laser latter
launch laundry layer layout lean leadership league leaf leather lecture legacy legend
legislation lemon lend lens lesson liberal liberty library license licence lid lifestyle
lifetime lighting likewise limit limitation limited link lip literally literary literature loan
lobby location lock logic lonely loose lord lover lovely lower loyal lucky lunch luxury mad mail
mainly mainstream maintenance manner manufacturer manufacturing margin marine marketing mask
massive mate mathematics maximum mayor meal meanwhile measurement mechanism medicine medium
membership mental menu merely mess metaphor meter metre midnight migration mild mill minimum
minister ministry minor minority miracle mirror mixture mobile mode moderate modest monitor
monthly mood moral moreover mortgage mostly motivation motor mouse mud mumble muscle museum
musical musician mutual mystery myth naked narrative narrow nasty native navy nearby neat
negative negotiate negotiation nerve nervous neutral nevertheless newly nightmare nobody nod
nominee normal normally northern notebook notion novel nowhere nuclear nurse nut obligation
obscure observation obstacle obtain obvious obviously occasion occasionally occupation occupy
odd offense offence offensive olympic onion online ongoing opening opera operator opinion
opponent oppose opposition orange ordinary organic organize organise orientation origin
otherwise ought ourselves outcome outdoor outer output outstanding oven overall overcome
overlook owe ownership pace pack package pad painful palace pale palm pan panel panic pants
parade parking partial participate participation partly partnership passage passenger passion
passive password pasta patch patience patrol pause peak peer penalty pencil pension pepper
percentage perfect perfectly permanent permission permit persuade pet phase phenomenon
philosophy photo photograph photographer physician piano pile pill pilot pine pink pioneer pipe
pizza planning plastic plate platform pleasant pleasure plenty plot plus pocket poet poetry pole
poll pollution pond pool pop portion portrait possess possession possibility possibly pot potato
potential potentially pour poverty powder powerful practical praise pray prayer precisely
predict prediction prefer preference pregnant premium presence presentation preserve
presidential prevention previous previously pride priest primarily primary prime principal
principle prior priority prison prisoner privacy prize probability procedure proceed producer
production profession profile profit profound progress prominent promise promote prompt proof
proportion proposal propose prosecutor prospect protection protein protest proud province
provision psychology publication publish punish purchase pure pursue puzzle qualify quarter
quarterback queen quest quietly quit quote rabbit racial radar radical rage rally ranch random
rank rapid rapidly rare rarely rat rating ratio raw reaction reader reading realistic reality
rebel recall receiver recipe recommend recommendation recover recovery recruit reduction refer
reference reform refugee refuse regard regardless regime regional register regular regularly
regulate regulation reinforce reject relative relatively relax release relevant relief religion
rely remaining remarkable remind remote rental repair replace replacement reporter
representation representative reputation request rescue reservation reserve resident resign
resist resistance resolution resolve resort respect respondent restaurant restore restriction
retain retire retirement revenue review revolution reward rhythm rice ridge rifle rip rival
robot rocket romantic roof rough routine royal rubber ruin rumor rumour rural rush sacred sad
sake salad salary sale sample sanction satellite satisfaction satisfy sauce saving scandal
scared scenario schedule scheme scholar scholarship scope screen script sculpture secret
secretary sector secure seize seldom selection sensitive sequence server session setting
settlement severe sexual shade shadow shallow shame shelf shelter shift shirt shock shooting
shopping shortly shower shrug shut shy sibling sick sigh silence silk silly sin sink sir
situated ski skirt slice slide slight slightly slope slowly smart smoke smooth snake soccer
software solar sole solid somehow somewhat sophisticated sorry soul soup spare speaker species
specifically spectrum speculation spider spin spirit spiritual split spokesman sponsor spouse
squad stability stable stack stadium stair stake stance stare statistics status steady steal
steep stem stir stomach storm strain stranger strategic straw strength stress strict strike
stroke structural struggle studio stupid subsequent substantial suburb succeed sufficient
suicide suite sum super superior supplier supporter suppose supreme surgery surprised surprising
surround surrounding survey survival survive survivor suspect sustain swear sweep sweet swing
switch symptom tablespoon tactic tale talent tank tap tape target taste teaspoon teenager
telephone telescope temple temporary tenant tennis tension tent terms terrible territory terror
terrorist testimony text textbook theater theatre theme therapy thereby thigh thinking thirty
thoroughly threaten ticket tight tile timing tip tired tissue title tobacco toe toilet tolerate
tomato tomorrow tongue tooth topic toss tour tourist tournament towel tower toy trace trader
tradition traffic tragedy trail transfer transform transformation transition translate
transportation trap trash tray treasure treaty trend tribe trick troop tropical truly trust
tunnel twelve twice twin typical typically ugly ultimate ultimately unable uncle undergo
underlying unemployment unfair unfortunately uniform union unique universal universe university
unknown unless unlike unlikely unusual update upper upset urban urge useful user utility
vacation valuable van variable variation variety vast vegetable vehicle venture version versus
vessel veteran via victory video viewer violate violent virtue virus visible vision visitor
visual vital volume volunteer voter vulnerable wage wagon waist wake wander warn warning wealth
wealthy weekend weekly weird welcome welfare wet whale wheat whenever whereas whisper wildlife
willing winner wipe wisdom wise witness wolf wooden wool workshop worried worse worst worth
wound wrap writing yell yield youth zone accounting admin agenda analytics api app backup
backlog bandwidth beta blog bookmark bugfix cache changelog chat checklist codebase config
console container contractor cursor dashboard data debug deploy deployment desktop directory
docs download dropdown endpoint escalation feature firewall folder font frontend backend gateway
github handbook hardware headcount helpdesk hosting hotfix inbox integration internet intranet
invoice kanban latency login logout manual merge metric metrics microphone milestone onboarding
outage payroll pdf ping pipeline plugin podcast portal printer prototype query queue reboot
refund reminder repo repository roadmap router runbook screenshot sdk signup slack snapshot
spreadsheet sprint staging standup storage subscription sync tablet template timeline timezone
token toolbar tutorial upgrade upload uptime username vendor vpn webinar website webcam widget
wifi wiki workflow workspace Monday Tuesday Wednesday Thursday Friday Saturday Sunday January
February March April May June July August September October November December yesterday weekday
"""


if __name__ == "__main__":
    main()
