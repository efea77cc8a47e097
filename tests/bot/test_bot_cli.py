"""The `qabot` entry point: bad settings are one line and exit status 2, never a traceback."""

from __future__ import annotations

import sys

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
    argv, variable, value, says, monkeypatch: pytest.MonkeyPatch, capsys, tmp_path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'q.db'}")
    monkeypatch.setenv(variable, value)
    monkeypatch.setattr(sys, "argv", ["qabot", *argv])

    with pytest.raises(SystemExit) as exited:
        main()

    err = capsys.readouterr().err
    if says is None:
        assert "invalid setting" not in err
        assert exited.value.code == 1 and "SLACK_BOT_TOKEN is not set" in err
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
