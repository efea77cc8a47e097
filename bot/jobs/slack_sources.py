"""What the add-document job fetches from Slack before it can store anything: a file's
text (`files.info`, then its private download URL with the bot token), or the first
message of a thread (the question of a saved answer).

Done in the job, never in a listener: downloads are slow, and a job that fails half-way
runs again. A refusal the user can act on is a `DocumentRefused`; a passing failure is
`SlackUnavailable` (the job retries later).
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from typing import Any

from slack_sdk import WebClient

from bot.file_text import FileInfo, FileRefused, byte_limit, extract_text, file_kind, too_large
from bot.ingestion import DocumentRefused
from bot.jobs.delivery import SlackRefused, SlackUnavailable, classify
from bot.saved_answers import NO_QUESTION, question_text

logger = logging.getLogger(__name__)

DOWNLOAD_TIMEOUT_SECONDS = 60
NO_FILES_SCOPE = (
    "I'm not allowed to read files in this workspace. An admin needs to add the "
    "`files:read` scope to qabot and reinstall it."
)


def _slack_call(call: Any, **arguments: Any) -> Any:
    try:
        return call(**arguments)
    except Exception as error:
        meaning = classify(error)
        if meaning is None:
            raise
        raise meaning from error


def file_text(
    client: WebClient, file_id: str, *, max_chars: int, max_file_bytes: int
) -> tuple[FileInfo, str]:
    """The file's description and its text; `FileRefused` for what can't be read."""
    try:
        response = _slack_call(client.files_info, file=file_id)
    except SlackRefused as error:
        if error.error in {"missing_scope", "not_allowed_token_type", "no_permission"}:
            raise FileRefused(NO_FILES_SCOPE) from error
        raise FileRefused(
            "I can't find that file: it may have been deleted, or it was shared somewhere "
            "I'm not a member of."
        ) from error
    info = FileInfo.from_slack(response.get("file") or {})
    kind = file_kind(info)
    limit = byte_limit(kind, max_chars=max_chars, max_pdf_bytes=max_file_bytes)
    if info.size > limit:  # refused before a byte is downloaded
        raise too_large(info, info.size, limit)
    if not info.download_url:
        raise FileRefused(f"Slack gave me no way to download “{info.name or file_id}”.")
    data = _download(info, token=client.token or "", limit=limit)
    return info, extract_text(data, kind, name=info.name or file_id)


def _download(info: FileInfo, *, token: str, limit: int) -> bytes:
    request = urllib.request.Request(info.download_url)
    # Unredirected: were Slack to redirect the download, the token stays behind.
    request.add_unredirected_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response:
            content_type = response.headers.get("Content-Type", "")
            data = response.read(limit + 1)  # the size Slack reported could be wrong
    except urllib.error.HTTPError as error:
        if error.code == 429 or error.code >= 500:
            raise SlackUnavailable(f"file download http_{error.code}") from error
        if error.code in {401, 403}:
            raise FileRefused(NO_FILES_SCOPE) from error
        raise FileRefused(f"I couldn't download “{info.name}” (HTTP {error.code}).") from error
    except (OSError, TimeoutError) as error:
        raise SlackUnavailable(f"file download: {type(error).__name__}") from error
    if len(data) > limit:
        raise too_large(info, len(data), limit)
    if content_type.startswith("text/html") and not info.name.lower().endswith((".htm", ".html")):
        # Slack answers a download without the right token or scope with its sign-in page.
        raise FileRefused(NO_FILES_SCOPE)
    return data


def thread_question(client: WebClient, channel_id: str, thread_ts: str) -> str:
    """The thread's first message, as the question of a saved answer."""
    try:
        response = _slack_call(
            client.conversations_replies, channel=channel_id, ts=thread_ts, limit=1
        )
    except SlackRefused as error:
        raise DocumentRefused(
            "I couldn't read that thread's first message (Slack said "
            f"`{error.error}`), so I can't tell which question this answers."
        ) from error
    messages = response.get("messages") or []
    first = messages[0] if messages else {}
    question = question_text(str(first.get("text") or "")) if first.get("ts") == thread_ts else ""
    if not question:
        raise DocumentRefused(NO_QUESTION)
    return question
