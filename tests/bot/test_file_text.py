"""Which files qabot reads, how much it downloads, and the text it gets from them."""

from __future__ import annotations

import pytest

from bot.file_text import FileInfo, FileKind, FileRefused, byte_limit, extract_text, file_kind
from bot.listeners.internals import linked_file_id
from qa_engine.limits import document_problem
from tests.bot.pdfs import scanned_pdf, text_pdf


def info(name: str, mimetype: str = "", filetype: str = "", size: int = 10) -> FileInfo:
    return FileInfo.from_slack(
        {"id": "F1", "name": name, "mimetype": mimetype, "filetype": filetype, "size": size,
         "url_private_download": "https://files.slack.com/x"}
    )


@pytest.mark.parametrize(
    ("file", "kind"),
    [
        (info("notes.txt", "text/plain", "text"), FileKind.TEXT),
        (info("README.md", "text/markdown", "markdown"), FileKind.TEXT),
        (info("README.markdown"), FileKind.TEXT),
        (info("handbook.pdf", "application/pdf", "pdf"), FileKind.PDF),
        (info("HANDBOOK.PDF"), FileKind.PDF),
    ],
)
def test_text_markdown_and_pdf_are_read(file: FileInfo, kind: FileKind):
    assert file_kind(file) is kind


@pytest.mark.parametrize("file", [info("photo.png", "image/png", "png"), info("deck.pptx")])
def test_other_files_are_refused_naming_what_is_supported(file: FileInfo):
    with pytest.raises(FileRefused, match=r"I can't read “.+”: I read plain text .*PDF"):
        file_kind(file)


def test_a_text_file_is_capped_at_four_bytes_a_character_and_a_pdf_by_its_setting():
    assert byte_limit(FileKind.TEXT, max_chars=1000, max_pdf_bytes=50) == 4000
    assert byte_limit(FileKind.PDF, max_chars=1000, max_pdf_bytes=50) == 50


def test_text_files_are_utf8_without_their_byte_order_mark():
    assert extract_text("\ufeffDéploiements le mardi".encode(), FileKind.TEXT, name="a") == (
        "Déploiements le mardi"
    )


def test_a_binary_file_named_txt_is_refused_by_the_document_check():
    text = extract_text(bytes(range(128, 256)) * 8, FileKind.TEXT, name="x.txt")

    assert "doesn't look like text" in (document_problem(text, max_chars=10_000) or "")


def test_a_pdf_gives_the_text_of_every_page():
    data = text_pdf("Deploys happen every Tuesday.", "The on-call engineer is Priya.")

    text = extract_text(data, FileKind.PDF, name="handbook.pdf")

    assert text == "Deploys happen every Tuesday.\n\nThe on-call engineer is Priya."
    assert len(data) < 2000  # built in the test, no binary fixture


def test_a_scanned_pdf_and_a_broken_one_are_refused_with_a_reason():
    with pytest.raises(FileRefused, match="scanned PDF"):
        extract_text(scanned_pdf(), FileKind.PDF, name="scan.pdf")
    with pytest.raises(FileRefused, match="doesn't look like a valid PDF"):
        extract_text(b"%PDF-1.4 truncated", FileKind.PDF, name="broken.pdf")


@pytest.mark.parametrize(
    ("text", "file_id"),
    [
        ("https://acme.slack.com/files/U123/F0ABC12/handbook.pdf", "F0ABC12"),
        ("<https://acme.slack.com/files/U123/F0ABC12/handbook.pdf>", "F0ABC12"),
        ("<https://acme.slack.com/files/U123/F0ABC12/handbook.pdf|handbook.pdf>", "F0ABC12"),
        ("https://files.slack.com/files-pri/T123-F0ABC12/handbook.pdf", "F0ABC12"),
        ("https://acme.slack.com/files/U123/F0ABC12", "F0ABC12"),
        ("Deploys are on https://acme.slack.com/files/U123/F0ABC12/x.pdf", None),
        ("https://example.com/handbook.pdf", None),
        ("F0ABC12", None),
    ],
)
def test_context_add_recognises_a_link_to_a_slack_file_and_nothing_else(text, file_id):
    assert linked_file_id(text) == file_id
