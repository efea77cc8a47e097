"""Shared fixtures: tiny QA models, each built or loaded once per session.

* `random_model_dir` / `bert_random_model_dir`: seeded random models built on the fly
  with `tools.tiny_models` (DistilBERT, and BERT for the token_type_ids path). Good for
  anything about windowing, decoding and offsets; their answers mean nothing.
* `trained_model_dir`: `tests/fixtures/tiny-qa`, a small model trained to answer
  "What's my name?" from "My name is John and I live in Seattle" with "John". Tests that
  need real answers use it; when the folder is missing they fail and say so, because a
  skipped answer-quality test looks exactly like a passing one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"
TRAINED_MODEL = FIXTURES / "tiny-qa"
RANDOM_FIXTURE_MODEL = FIXTURES / "tiny-qa-random"


@pytest.fixture(scope="session")
def torch_one_thread() -> None:
    """Run the tiny test models on one torch thread.

    Their matrices are so small that a second thread only adds synchronisation, and on a
    busy 2-core CI runner the spinning threads slowed forward passes down ~50x.
    """
    import torch

    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def random_model_dir(tmp_path_factory: pytest.TempPathFactory, torch_one_thread: None) -> Path:
    """A seeded random DistilBERT QA model and its fast tokenizer, saved to a folder."""
    from tools.tiny_models import save_random_qa_model

    return save_random_qa_model(tmp_path_factory.mktemp("random-qa"), seed=0, arch="distilbert")


@pytest.fixture(scope="session")
def bert_random_model_dir(tmp_path_factory: pytest.TempPathFactory, torch_one_thread: None) -> Path:
    """A seeded random BERT QA model: its tokenizer returns token_type_ids."""
    from tools.tiny_models import save_random_qa_model

    return save_random_qa_model(tmp_path_factory.mktemp("random-bert-qa"), seed=1, arch="bert")


@pytest.fixture(scope="session")
def trained_model_dir(torch_one_thread: None) -> Path:
    """`tests/fixtures/tiny-qa`; fails (never skips) the test when it is missing."""
    if not (TRAINED_MODEL / "config.json").is_file():
        pytest.fail(
            f"the trained test model is missing: expected a saved model in {TRAINED_MODEL} "
            "(config.json, weights, tokenizer.json). Create it before running these tests.",
            pytrace=False,
        )
    return TRAINED_MODEL
