"""Engine settings come from `QA_*` environment variables (and `.env`), validated."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from qa_engine.settings import EngineSettings, describe_invalid_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No QA_* variable from the developer's shell, and no stray `.env` in the cwd."""
    import os

    for name in list(os.environ):
        if name.upper().startswith("QA_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_environment_variables_override_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    baseline = EngineSettings()
    monkeypatch.setenv("QA_TOP_K", "7")
    monkeypatch.setenv("QA_MODEL", "/models/my-qa")
    monkeypatch.setenv("QA_NO_ANSWER_THRESHOLD", "0.35")
    monkeypatch.setenv("QA_MAX_SEQ_LEN", "256")
    monkeypatch.setenv("QA_DOC_STRIDE", "64")

    settings = EngineSettings()

    assert settings.qa_top_k == 7 != baseline.qa_top_k
    assert settings.qa_model == "/models/my-qa" != baseline.qa_model
    assert settings.qa_no_answer_threshold == pytest.approx(0.35)
    assert (settings.qa_max_seq_len, settings.qa_doc_stride) == (256, 64)
    # Untouched knobs keep their defaults.
    assert settings.qa_batch_size == baseline.qa_batch_size


def test_lower_case_variable_names_work_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("qa_passages_to_read", "11")
    assert EngineSettings().qa_passages_to_read == 11


def test_a_dotenv_file_in_the_working_directory_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("QA_TOP_K=9\nQA_BATCH_SIZE=2\n", encoding="utf-8")
    settings = EngineSettings()
    assert (settings.qa_top_k, settings.qa_batch_size) == (9, 2)
    # The environment beats the file.
    monkeypatch.setenv("QA_TOP_K", "4")
    assert EngineSettings().qa_top_k == 4


def test_other_apps_lines_in_a_shared_dotenv_are_ignored(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "SLACK_BOT_TOKEN=xoxb-whatever\nDATABASE_URL=sqlite://\nQA_TOP_K=5\n", encoding="utf-8"
    )
    assert EngineSettings().qa_top_k == 5  # no "extra inputs are not permitted" error


@pytest.mark.parametrize(
    ("max_seq_len", "doc_stride"), [("128", "128"), ("128", "200"), ("64", "128")]
)
def test_a_stride_not_below_the_window_is_rejected_clearly(
    monkeypatch: pytest.MonkeyPatch, max_seq_len: str, doc_stride: str
) -> None:
    monkeypatch.setenv("QA_MAX_SEQ_LEN", max_seq_len)
    monkeypatch.setenv("QA_DOC_STRIDE", doc_stride)

    with pytest.raises(ValidationError) as caught:
        EngineSettings()

    message = str(caught.value)
    assert "QA_DOC_STRIDE" in message and "QA_MAX_SEQ_LEN" in message
    assert doc_stride in message and max_seq_len in message


def test_a_stride_just_below_the_window_is_accepted() -> None:
    settings = EngineSettings(qa_max_seq_len=128, qa_doc_stride=127)
    assert settings.qa_doc_stride == 127


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("QA_TOP_K", "0"),
        ("QA_NO_ANSWER_THRESHOLD", "1.5"),
        ("QA_NO_ANSWER_THRESHOLD", "-0.1"),
        ("QA_MAX_SEQ_LEN", "8"),
        ("QA_BATCH_SIZE", "zero"),
    ],
)
def test_out_of_range_values_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError) as caught:
        EngineSettings()
    assert variable.lower() in str(caught.value).lower()


def test_doc_stride_defaults_from_the_window_like_the_pipeline() -> None:
    assert EngineSettings(qa_max_seq_len=128).doc_stride == 64
    assert EngineSettings(qa_max_seq_len=384).doc_stride == 128
    assert EngineSettings(qa_max_seq_len=128, qa_doc_stride=20).doc_stride == 20


def test_invalid_settings_are_described_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QA_MAX_SEQ_LEN", "abc")
    monkeypatch.setenv("QA_TOP_K", "0")
    with pytest.raises(ValidationError) as caught:
        EngineSettings()

    message = describe_invalid_settings(caught.value)
    assert message.startswith("invalid setting: ")
    assert "QA_MAX_SEQ_LEN='abc': Input should be a valid integer" in message
    assert "QA_TOP_K='0': Input should be greater than or equal to 1" in message
    assert "\n" not in message


def test_a_cross_setting_check_is_described_without_the_values_dump(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("QA_DOC_STRIDE", "500")
    with pytest.raises(ValidationError) as caught:
        EngineSettings()

    assert describe_invalid_settings(caught.value) == (
        "invalid setting: QA_DOC_STRIDE (500) must be smaller than QA_MAX_SEQ_LEN (384)"
    )


def test_qa_dtype_accepts_only_float32_bfloat16_or_int8(monkeypatch: pytest.MonkeyPatch) -> None:
    assert EngineSettings(_env_file=None).qa_dtype == "float32"
    for dtype in ("bfloat16", "int8"):
        monkeypatch.setenv("QA_DTYPE", dtype)
        assert EngineSettings(_env_file=None).qa_dtype == dtype
    monkeypatch.setenv("QA_DTYPE", "float16")
    with pytest.raises(ValidationError) as caught:
        EngineSettings(_env_file=None)

    assert "QA_DTYPE='float16': Input should be 'float32', 'bfloat16' or 'int8'" in (
        describe_invalid_settings(caught.value)
    )


def test_input_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = EngineSettings()
    monkeypatch.setenv("QA_MAX_DOCUMENT_CHARS", "500000")
    monkeypatch.setenv("QA_MAX_QUESTION_CHARS", "300")

    settings = EngineSettings()

    assert (defaults.qa_max_document_chars, defaults.qa_max_question_chars) == (200_000, 1_000)
    assert (settings.qa_max_document_chars, settings.qa_max_question_chars) == (500_000, 300)


def test_a_zero_document_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QA_MAX_DOCUMENT_CHARS", "0")
    with pytest.raises(ValidationError) as caught:
        EngineSettings()
    assert "QA_MAX_DOCUMENT_CHARS='0'" in describe_invalid_settings(caught.value)
def test_the_no_answer_rule_and_overlap_gate_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    defaults = EngineSettings(_env_file=None)
    assert (defaults.qa_no_answer_rule, defaults.qa_min_question_overlap) == ("span", 0.34)
    monkeypatch.setenv("QA_NO_ANSWER_RULE", "null")
    monkeypatch.setenv("QA_MIN_QUESTION_OVERLAP", "0")
    settings = EngineSettings(_env_file=None)
    assert (settings.qa_no_answer_rule, settings.qa_min_question_overlap) == ("null", 0.0)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("QA_NO_ANSWER_RULE", "cls", "QA_NO_ANSWER_RULE='cls': Input should be 'span' or 'null'"),
        (
            "QA_MIN_QUESTION_OVERLAP",
            "1.5",
            "QA_MIN_QUESTION_OVERLAP='1.5': Input should be less than or equal to 1",
        ),
    ],
)
def test_a_bad_no_answer_setting_is_named(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as caught:
        EngineSettings(_env_file=None)

    assert message in describe_invalid_settings(caught.value)
