"""Shared fixtures: tiny QA models, each built or loaded once per session.

* `random_model_dir` / `bert_random_model_dir`: seeded random models built on the fly
  with `tools.tiny_models` (DistilBERT, and BERT for the token_type_ids path). Good for
  anything about windowing, decoding and offsets; their answers mean nothing.
* `trained_model_dir`: `tests/fixtures/tiny-qa`, a small model trained to answer
  "What's my name?" from "My name is John and I live in Seattle" with "John". Tests that
  need real answers use it; when the folder is missing they fail and say so, because a
  skipped answer-quality test looks exactly like a passing one.

The bot's tests run on SQLite or PostgreSQL (`--db`, see `tests/databases.py`); a test that
checks one backend's own machinery is marked `sqlite_only` or `postgres_only` and is
deselected on the other.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.databases import BACKENDS, ENVIRONMENT_VARIABLE, Backend, PostgresServer, SqliteFiles

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


# -- the database backend -------------------------------------------------------------------

BACKEND_MARKERS = {"sqlite": "sqlite_only", "postgres": "postgres_only"}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=BACKENDS,
        default=os.environ.get(ENVIRONMENT_VARIABLE) or "sqlite",
        help=f"database the bot tests run on (default: ${ENVIRONMENT_VARIABLE} or sqlite)",
    )


def pytest_configure(config: pytest.Config) -> None:
    # argparse checks --db's choices, but not a default read from the environment.
    if config.getoption("db") not in BACKENDS:
        raise pytest.UsageError(
            f"{ENVIRONMENT_VARIABLE}={config.getoption('db')!r}: use one of {', '.join(BACKENDS)}"
        )


def pytest_report_header(config: pytest.Config) -> str:
    return f"database: {config.getoption('db')}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect (never skip) the tests written for the other backend."""
    backend = config.getoption("db")
    other_markers = {m for b, m in BACKEND_MARKERS.items() if b != backend}
    deselected = [i for i in items if other_markers & {m.name for m in i.iter_markers()}]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [i for i in items if i not in deselected]


@pytest.fixture(scope="session")
def database_backend(pytestconfig: pytest.Config) -> Backend:
    return pytestconfig.getoption("db")


@pytest.fixture(scope="session")
def database_server(database_backend: Backend) -> Iterator[SqliteFiles | PostgresServer]:
    """Started at most once per session: PostgreSQL takes a few seconds to start."""
    server = PostgresServer() if database_backend == "postgres" else SqliteFiles()
    yield server
    server.stop()


NewDatabase = Callable[..., str]


@pytest.fixture
def new_database(
    database_server: SqliteFiles | PostgresServer, tmp_path: Path
) -> Iterator[NewDatabase]:
    """`new_database(name="qabot", *, migrated=True)`: the URL of a new database of this
    test, on the selected backend; migrated to head unless `migrated=False`."""

    def new(name: str = "qabot", *, migrated: bool = True) -> str:
        return database_server.url(name, migrated=migrated, folder=tmp_path)

    yield new
    database_server.drop_created()


@pytest.fixture
def unusable_database_url(database_server: SqliteFiles | PostgresServer, tmp_path: Path) -> str:
    """A URL on the selected backend that can't be used (a folder; a missing database)."""
    return database_server.unusable_url(tmp_path)
