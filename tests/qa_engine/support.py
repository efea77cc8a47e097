"""Constants and helpers shared by the engine tests (fixtures live in the conftests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qa_engine.settings import EngineSettings

# The trained fixture model's model-card example.
NAME_CONTEXT = "My name is John and I live in Seattle"
NAME_QUESTION = "What's my name?"


def engine_settings(model: Path | str, **overrides: Any) -> EngineSettings:
    """Settings for a test engine: no `.env` file, explicit model, given overrides."""
    return EngineSettings(_env_file=None, qa_model=str(model), **overrides)
