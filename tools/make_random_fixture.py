"""Write the tiny random DistilBERT QA model the pipeline-parity tests use.

Output: `tests/fixtures/tiny-qa-random/` (config, safetensors weights, tokenizer files; well
under 1 MB). Seeded, so rerunning gives the same model. The golden outputs in
`tests/fixtures/pipeline_golden.json` are tied to these exact weights: after regenerating the
model, regenerate them too (see `tools/make_pipeline_golden.py`).

Usage: python tools/make_random_fixture.py [--out DIR] [--seed N] [--initializer-range R]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tools.tiny_models import save_random_qa_model  # noqa: E402

DEFAULT_OUT = REPO_ROOT / "tests" / "fixtures" / "tiny-qa-random"
SEED = 0
INITIALIZER_RANGE = 0.5  # spreads start/end logits: no near-ties among top answers


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to (re)create")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--initializer-range", type=float, default=INITIALIZER_RANGE)
    return parser.parse_args(argv)


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.out.exists():
        shutil.rmtree(args.out)
    save_random_qa_model(
        args.out,
        arch="distilbert",
        seed=args.seed,
        dim=32,
        layers=2,
        heads=2,
        ffn=64,
        initializer_range=args.initializer_range,
    )
    print(f"wrote {args.out} ({folder_size(args.out):,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
