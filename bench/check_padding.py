"""Does batching with padding change exact mode's outputs? (It should not.)

    .venv/bin/python bench/check_padding.py [--model FOLDER] [--contexts 20]

Exact mode (`ExtractiveQAPipeline`) reads a context's windows in batches of
`batch_size`, padding the shorter (last) window to the batch's longest. With
`batch_size=1` nothing is padded and every window is read exactly as transformers'
pipeline reads it. This compares the two on seeded contexts of 300 to 1,500 words (top 3
answers each) and counts answers whose text/offsets or scores (beyond 1e-4) differ; it also
reports the largest start-logit difference that padding causes, and whether batching
windows of *equal* length (no padding) is bit-identical to reading them one by one.
Default model: the benchmark's random DistilBERT-shaped model.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
for folder in (REPO_ROOT, REPO_ROOT / "bench"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from run import CACHE, MODEL_SEED, build_model  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--contexts", type=int, default=20)
    args = parser.parse_args()

    import torch
    from textgen import TextGenerator, build_lexicon

    from qa_engine.model_loading import load_qa_model
    from qa_engine.pipeline import ExtractiveQAPipeline
    from qa_engine.reader import encode_windows

    bench_model = str(build_model(CACHE / f"random-distilbert-base-seed{MODEL_SEED}"))
    model_dir = args.model or bench_model
    loaded = load_qa_model(model_dir)
    tokenizer, model = loaded.tokenizer, loaded.model
    text_tokenizer = load_qa_model(bench_model).tokenizer  # the texts are made for its vocab

    def count(text: str) -> int:
        return len(text_tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])

    generator = TextGenerator(build_lexicon(count))
    batched = ExtractiveQAPipeline(model, tokenizer, batch_size=8)
    single = ExtractiveQAPipeline(model, tokenizer, batch_size=1)
    differing_answers = differing_scores = 0
    worst_logit = worst_score = 0.0
    equal_length_identical = True
    for index in range(args.contexts):
        rng = random.Random(f"padding-{index}")
        context = generator.text(rng, rng.randint(300, 1500))
        question = generator.question_about(rng, context)
        a = batched(question=question, context=context, top_k=3)
        b = single(question=question, context=context, top_k=3)
        for x, y in zip(a, b, strict=True):
            if (x["answer"], x["start"], x["end"]) != (y["answer"], y["start"], y["end"]):
                differing_answers += 1
            elif abs(x["score"] - y["score"]) > 1e-4:
                differing_scores += 1
            worst_score = max(worst_score, abs(x["score"] - y["score"]))
        windows = encode_windows(tokenizer, [question], [context], max_seq_len=384, doc_stride=128)
        with torch.inference_mode():
            alone = [model(input_ids=torch.tensor([w.input_ids])).start_logits[0] for w in windows]
            width = max(len(w) for w in windows)
            ids = torch.zeros(len(windows), width, dtype=torch.long)
            mask = torch.zeros(len(windows), width, dtype=torch.long)
            for row, w in enumerate(windows):
                ids[row, : len(w)] = torch.tensor(w.input_ids)
                mask[row, : len(w)] = 1
            padded = model(input_ids=ids, attention_mask=mask).start_logits
            for row, w in enumerate(windows):
                diff = (padded[row, : len(w)] - alone[row]).abs().max().item()
                worst_logit = max(worst_logit, diff)
            full = [row for row, w in enumerate(windows) if len(w) == width]
            if len(full) > 1:
                together = model(input_ids=ids[full]).start_logits
                for i, row in enumerate(full):
                    if not torch.equal(together[i], alone[row]):
                        equal_length_identical = False
    total = 3 * args.contexts
    print(f"model {model_dir}: {args.contexts} contexts, top 3 answers each")
    print(f"batch_size=8 vs 1: {differing_answers}/{total} answers differ in text/offsets, "
          f"{differing_scores}/{total} more differ in score by > 1e-4 "
          f"(largest score difference {worst_score:.2e})")  # fmt: skip
    print(f"largest start-logit change caused by padding: {worst_logit:.2e}")
    print(f"equal-length windows batched without padding, bit-identical: {equal_length_identical}")


if __name__ == "__main__":
    main()
