"""Engines and pipelines over the tiny models, one per session (models load once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa_engine.engine import QAEngine
from qa_engine.pipeline import ExtractiveQAPipeline
from tests.qa_engine.support import engine_settings


@pytest.fixture(scope="session")
def random_pipeline(random_model_dir: Path) -> ExtractiveQAPipeline:
    return ExtractiveQAPipeline(str(random_model_dir))


@pytest.fixture(scope="session")
def bert_pipeline(bert_random_model_dir: Path) -> ExtractiveQAPipeline:
    return ExtractiveQAPipeline(str(bert_random_model_dir))


@pytest.fixture(scope="session")
def trained_pipeline(trained_model_dir: Path) -> ExtractiveQAPipeline:
    return ExtractiveQAPipeline(str(trained_model_dir))


@pytest.fixture(scope="session")
def trained_engine(trained_model_dir: Path) -> QAEngine:
    """The trained model with every knob at its default except the model."""
    engine = QAEngine(engine_settings(trained_model_dir))
    engine.warm_up()
    return engine


@pytest.fixture(scope="session")
def random_engine(random_model_dir: Path) -> QAEngine:
    """The random model, showing every answer (threshold 0): for shape-only checks."""
    engine = QAEngine(engine_settings(random_model_dir, qa_no_answer_threshold=0.0))
    engine.warm_up()
    return engine
