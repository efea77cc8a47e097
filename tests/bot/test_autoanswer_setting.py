"""`QA_AUTOANSWER_THRESHOLD`: read from the environment, bounded, documented."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_threshold_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings(_env_file=None).qa_autoanswer_threshold == 0.5
    monkeypatch.setenv("QA_AUTOANSWER_THRESHOLD", "0.8")
    assert Settings(_env_file=None).qa_autoanswer_threshold == 0.8


@pytest.mark.parametrize("value", ["-0.1", "1.5", "high"])
def test_a_threshold_that_is_not_a_probability_is_refused(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("QA_AUTOANSWER_THRESHOLD", value)
    with pytest.raises(ValidationError, match="qa_autoanswer_threshold"):
        Settings(_env_file=None)


def test_the_readme_documents_the_threshold_and_the_switches() -> None:
    readme = README.read_text("utf-8")
    assert "| `QA_AUTOANSWER_THRESHOLD` | `0.5` |" in readme
    assert "`/context autoanswer on\\|off`" in readme
    assert "`/context followups on\\|off`" in readme
