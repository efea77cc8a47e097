"""The `qabot` entry point: bad settings are one line and exit status 2, never a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.cli import main


@pytest.mark.parametrize(
    ("argv", "variable", "value", "says"),
    [
        (["ask", "q", "--context", "c"], "QA_MAX_SEQ_LEN", "abc", "QA_MAX_SEQ_LEN='abc'"),
        (["migrate"], "PORT", "99999", "PORT='99999': Input should be less than or equal"),
        (["serve"], "SLACK_BOT_TOKEN", "", None),  # valid (empty); fails later, not here
    ],
)
def test_bad_settings_exit_2_with_one_line(
    argv, variable, value, says, monkeypatch: pytest.MonkeyPatch, capsys, tmp_path, new_database
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", new_database("q", migrated=False))
    monkeypatch.setenv(variable, value)
    monkeypatch.setattr(sys, "argv", ["qabot", *argv])

    with pytest.raises(SystemExit) as exited:
        main()

    err = capsys.readouterr().err
    if says is None:
        assert "invalid setting" not in err
        assert exited.value.code == 1 and "Missing setting" in err
        assert "SLACK_BOT_TOKEN (" in err
    else:
        assert exited.value.code == 2
        assert err.startswith("Error: invalid setting: ") and says in err
        assert len(err.strip().splitlines()) == 1


def test_version_names_the_installed_package(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from importlib.metadata import version

    monkeypatch.setattr(sys, "argv", ["qabot", "--version"])
    with pytest.raises(SystemExit) as exited:
        main()

    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"qabot, version {version('qabot')}"


ROOT = Path(__file__).resolve().parents[2]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    ("model", "says"),
    [
        ("./models/missing", "Error: QA model folder './models/missing' does not exist."),
        ("org/qa-model", "Error: Could not reach the Hugging Face hub at http://127.0.0.1:"),
    ],
)
def test_ask_with_a_model_it_cannot_have_prints_one_line(
    tmp_path: Path, model: str, says: str
) -> None:
    # The unreachable hub used to print each of its retry warnings twice, for ~50 s.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))}
    env.update(
        QA_MODEL=model,
        HF_HOME=str(tmp_path / "hf-home"),
        HF_ENDPOINT=f"http://127.0.0.1:{_closed_port()}",
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "Who?", "--context", "John lives here."],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(says) and "QA_MODEL" in lines[0]


def test_a_hub_log_record_prints_once() -> None:
    # huggingface_hub adds a stderr handler of its own when first imported (after
    # configure_logging): each record printed twice, once bare and once formatted.
    script = textwrap.dedent(
        """
        import logging
        from bot.log_config import configure_logging

        configure_logging("INFO")
        import huggingface_hub.file_download  # noqa: F401

        logging.getLogger("huggingface_hub.utils._http").error("hub-error-marker")
        logging.getLogger("huggingface_hub.utils._http").warning("hub-retry-marker")
        logging.getLogger("qabot.test").info("qabot-marker")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60
    )

    assert done.returncode == 0, done.stderr
    assert done.stderr.count("hub-error-marker") == 1
    assert "ERROR huggingface_hub.utils._http: hub-error-marker" in done.stderr
    assert "hub-retry-marker" not in done.stderr  # qabot's own error line says it once
    assert "INFO qabot.test: qabot-marker" in done.stderr
