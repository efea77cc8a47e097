"""All of qabot's settings in one typed object: the engine's `QA_*` plus the app's own."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator

from qa_engine.settings import EngineSettings

DEFAULT_DATABASE_URL = "sqlite:///qabot.db"


class Settings(EngineSettings):
    """Read from environment variables (and an optional `.env` file)."""

    slack_bot_token: SecretStr = Field(SecretStr(""), description="xoxb- token of the app.")
    slack_signing_secret: SecretStr = Field(
        SecretStr(""), description="Verifies that requests come from Slack."
    )
    slack_app_token: SecretStr = Field(
        SecretStr(""), description="xapp- token, only for `qabot serve --socket-mode`."
    )
    slack_api_url: str = Field("https://slack.com/api/", description="Base URL of Slack's Web API.")
    database_url: str = Field(DEFAULT_DATABASE_URL, description="SQLAlchemy database URL.")
    port: int = Field(3000, ge=1, le=65535, description="Port `qabot serve` listens on.")
    host: str = Field("0.0.0.0", description="Interface `qabot serve` listens on.")
    web_concurrency: int = Field(1, ge=1, description="Web server worker processes.")
    answer_workers: int = Field(
        2, ge=1, description="Background threads answering questions after the ack."
    )
    job_lease_seconds: float = Field(
        30.0,
        gt=0,
        description="How long a worker holds a job before another may take it over (it "
        "extends the hold while it works; a killed process's jobs resume after this).",
    )
    job_poll_seconds: float = Field(
        1.0, gt=0, description="How often each process looks for jobs others left."
    )
    reply_deadline_seconds: float = Field(
        600.0,
        gt=0,
        description="A reply Slack refused for longer than this says it is late when it lands.",
    )
    reply_give_up_seconds: float = Field(
        86400.0, gt=0, description="After this long without Slack accepting it, a reply is "
        "given up (logged).",
    )
    max_file_bytes: int = Field(
        20_000_000,
        ge=1,
        description="Largest PDF qabot downloads (its text must still fit "
        "QA_MAX_DOCUMENT_CHARS); text files are capped at 4 bytes a character of that.",
    )
    qa_autoanswer_threshold: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="In channels with `/context autoanswer on`, a question nobody addressed "
        "to qabot is answered only when the best answer is at least this confident.",
    )
    qa_target_precision: float = Field(
        0.8,
        gt=0.0,
        le=1.0,
        description="Share of shown answers that should help: once a channel has enough "
        "👍/👎 votes, its no-answer threshold is the lowest that reaches this on them "
        "(see bot.calibration).",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Log level of `qabot serve` (`qabot -v serve` means DEBUG)."
    )

    def missing_slack_settings(self, *, socket_mode: bool = False) -> list[str]:
        """The Slack settings this way of serving needs and lacks, each with where to find
        it, so that one run reports them all."""
        needed = [("SLACK_BOT_TOKEN", self.slack_bot_token, "the app's xoxb- bot token")]
        if socket_mode:
            needed.append(
                (
                    "SLACK_APP_TOKEN",
                    self.slack_app_token,
                    "an xapp- app-level token with connections:write, from Basic "
                    "Information → App-Level Tokens",
                )
            )
        else:
            needed.append(
                (
                    "SLACK_SIGNING_SECRET",
                    self.slack_signing_secret,
                    "Basic Information → Signing Secret",
                )
            )
        return [
            f"{name} ({where})" for name, value, where in needed if not value.get_secret_value()
        ]

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, url: str) -> str:
        return url if url.endswith("/") else url + "/"
