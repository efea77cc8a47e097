"""The text of a file: which kinds qabot reads, and reading them. No Slack, no network.

Plain text and Markdown are decoded as UTF-8; PDFs go through `pypdf`. Every refusal is a
`FileRefused` whose message is one friendly sentence for the person who added the file.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.ingestion import DocumentRefused

logger = logging.getLogger(__name__)

TEXT_FILETYPES = {"text", "markdown", "md", "txt"}
TEXT_MIMETYPES = {"text/plain", "text/markdown", "text/x-markdown"}
TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
SUPPORTED = "plain text (.txt), Markdown (.md) and PDF files"


class FileRefused(DocumentRefused):
    """The file can't become a document; the message says why, in one sentence."""


class FileKind(StrEnum):
    TEXT = "text"
    PDF = "pdf"


@dataclass(frozen=True)
class FileInfo:
    """What Slack's `files.info` says about a file, as far as reading it goes."""

    id: str
    name: str
    title: str
    mimetype: str
    filetype: str
    size: int
    download_url: str
    permalink: str | None = None

    @classmethod
    def from_slack(cls, file: dict[str, Any]) -> FileInfo:
        return cls(
            id=str(file.get("id") or ""),
            name=str(file.get("name") or ""),
            title=str(file.get("title") or file.get("name") or ""),
            mimetype=str(file.get("mimetype") or "").lower(),
            filetype=str(file.get("filetype") or "").lower(),
            size=int(file.get("size") or 0),
            download_url=str(file.get("url_private_download") or file.get("url_private") or ""),
            permalink=file.get("permalink"),
        )


def file_kind(info: FileInfo) -> FileKind:
    """How to read the file; `FileRefused` naming what is supported when qabot can't."""
    name = info.name.lower()
    if info.filetype == "pdf" or info.mimetype == "application/pdf" or name.endswith(".pdf"):
        return FileKind.PDF
    if (
        info.filetype in TEXT_FILETYPES
        or info.mimetype in TEXT_MIMETYPES
        or name.endswith(TEXT_SUFFIXES)
    ):
        return FileKind.TEXT
    shown = info.name or info.filetype or "that file"
    raise FileRefused(f"I can't read “{shown}”: I read {SUPPORTED}.")


def byte_limit(kind: FileKind, *, max_chars: int, max_pdf_bytes: int) -> int:
    """The largest file worth downloading. UTF-8 takes at most 4 bytes a character, so a
    larger text file can't fit `max_chars`; a PDF carries fonts and layout besides its
    text, so its cap is a setting of its own."""
    return max_chars * 4 if kind is FileKind.TEXT else max_pdf_bytes


def too_large(info: FileInfo, size: int, limit: int) -> FileRefused:
    return FileRefused(
        f"“{info.name or info.id}” is {_megabytes(size)}; the limit for this kind of file is "
        f"{_megabytes(limit)}. Split it into smaller files."
    )


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.0f} KB"


def extract_text(data: bytes, kind: FileKind, *, name: str) -> str:
    """The file's text (not yet checked against the document limits)."""
    if kind is FileKind.PDF:
        return _pdf_text(data, name=name)
    # utf-8-sig drops a byte-order mark; undecodable bytes become U+FFFD, which the
    # document check counts as binary, so a binary file named .txt is refused there.
    return data.decode("utf-8-sig", errors="replace")


def _pdf_text(data: bytes, *, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise FileRefused(
                f"“{name}” is a password-protected PDF; add a copy without a password."
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except FileRefused:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        logger.info("could not read a PDF: %s", type(error).__name__)
        raise FileRefused(f"I couldn't read “{name}”: it doesn't look like a valid PDF.") from error
    text = "\n\n".join(page.strip() for page in pages if page.strip())
    if not text.strip():
        raise FileRefused(
            f"“{name}” has no text I can read: it looks like a scanned PDF (pictures of "
            "pages). Add a PDF with selectable text, or paste the text with `/context add`."
        )
    return text
