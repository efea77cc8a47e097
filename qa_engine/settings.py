"""The engine's settings: one typed object read from environment variables (and `.env`).

The Slack app's settings extend this class, so every knob of the whole app lives in one
place and is documented once (see README, "Configuration").
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_MODEL = "distilbert/distilbert-base-cased-distilled-squad"


class EngineSettings(BaseSettings):
    """Settings of the extractive QA engine (`QA_*` environment variables)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    qa_model: str = Field(
        DEFAULT_MODEL,
        description="Hub id or local folder of any extractive question-answering model.",
    )
    qa_threads: int = Field(
        0, ge=0, description="torch CPU threads for reading; 0 keeps torch's default."
    )
    qa_max_seq_len: int = Field(
        384, ge=32, description="Tokens per window (question + passage), capped by the model."
    )
    qa_doc_stride: int | None = Field(
        None,
        ge=0,
        description="Overlap in tokens between windows; default min(max_seq_len // 2, 128).",
    )
    qa_max_question_len: int = Field(
        64, ge=4, description="Questions longer than this many tokens are truncated."
    )
    qa_max_answer_len: int = Field(30, ge=1, description="Longest answer, in tokens.")
    qa_top_k: int = Field(3, ge=1, description="Answers returned per question.")
    qa_no_answer_threshold: float = Field(
        0.1,
        ge=0.0,
        le=1.0,
        description="Answers whose confidence is below this are not shown.",
    )
    qa_passages_to_read: int = Field(
        4, ge=1, description="Retrieval mode: how many top-ranked passages the model reads."
    )
    qa_passage_tokens: int = Field(
        80, ge=16, description="Retrieval mode: target passage size in tokens."
    )
    qa_retrieval_temperature: float = Field(
        1.0,
        gt=0.0,
        description="Softness of P(passage | question) from retrieval scores (see scoring).",
    )
    qa_batch_size: int = Field(8, ge=1, description="Windows read per forward pass.")
    qa_max_document_chars: int = Field(
        200_000,
        ge=1,
        description=(
            "Longest document accepted, in characters (README, 'Configuration', says why "
            "200,000). Longer text is refused with a message naming both sizes."
        ),
    )
    qa_max_question_chars: int = Field(
        1_000,
        ge=1,
        description="Longest question accepted, in characters; longer ones are refused.",
    )
    qa_load_retry_seconds: float = Field(
        300.0,
        ge=0.0,
        description=(
            "After the model failed to load, questions fail at once with the same error; "
            "loading is tried again at most this often (a hub outage or a model folder "
            "being copied can fix itself without a restart)."
        ),
    )
    qa_dtype: Literal["float32", "bfloat16", "int8"] = Field(
        "float32",
        description=(
            "Precision of the model's weights. bfloat16 about halves reading time on CPUs "
            "with native bf16 (AVX-512 BF16 or AMX) but changes scores slightly, so exact "
            "mode is then no longer pipeline-identical; on other CPUs it is slower. int8 "
            "(dynamic quantisation of the Linear layers) is the fast mode for other CPUs "
            "(AVX2); it is not pipeline-identical either."
        ),
    )
    qa_no_answer_rule: Literal["span", "null"] = Field(
        "span",
        description=(
            "Retrieval mode: how an answer's confidence allows for 'the documents don't say'. "
            "span: P(passage) × P(span | passage), spans normalised among themselves (models "
            "without a trained null, SQuAD 1.1). null: each window also normalises over its "
            "[CLS] 'no answer' score, so no-answer competes with every span (SQuAD 2.0 models)."
        ),
    )
    qa_min_question_overlap: float = Field(
        0.34,
        ge=0.0,
        le=1.0,
        description=(
            "Retrieval mode: an answer is dropped when its sentence holds less than this share "
            "of the question's content words (0.34: more than a third; 0 turns the gate off)."
        ),
    )

    @property
    def doc_stride(self) -> int:
        """The configured stride, or the pipeline's default for this window size."""
        if self.qa_doc_stride is None:
            return min(self.qa_max_seq_len // 2, 128)
        return self.qa_doc_stride

    @model_validator(mode="after")
    def _stride_fits_window(self) -> EngineSettings:
        if self.qa_doc_stride is not None and self.qa_doc_stride >= self.qa_max_seq_len:
            raise ValueError(
                f"QA_DOC_STRIDE ({self.qa_doc_stride}) must be smaller than "
                f"QA_MAX_SEQ_LEN ({self.qa_max_seq_len})"
            )
        return self


def describe_invalid_settings(error: ValidationError) -> str:
    """One line naming each bad environment variable, e.g. `QA_TOP_K='0': Input should be
    greater than or equal to 1`. Values of tokens and secrets are never shown."""
    problems = []
    for item in error.errors():
        name = "_".join(str(part) for part in item["loc"]).upper()
        message = str(item["msg"]).removeprefix("Value error, ")
        if not name:  # a check across several settings names them itself
            problems.append(message)
        elif "TOKEN" in name or "SECRET" in name:
            problems.append(f"{name}: {message}")
        else:
            problems.append(f"{name}={item.get('input')!r}: {message}")
    return "invalid setting: " + "; ".join(problems)
