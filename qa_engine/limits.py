"""What text the engine accepts, and a friendly one-line reason when it doesn't.

Pure functions over strings, so every entry point (the CLI, the /score route, the Slack
app) refuses the same input with the same words, before any tokenizer or model sees it.
Each returns None when the text is fine, or one sentence the user can act on.

The limits protect the server more than they judge the text: a 20 MB document used to
take 72 s and leave the process at 2.4 GB, and a file of NUL bytes was stored as a
"document" nobody could ever get an answer from.
"""

from __future__ import annotations

import math
import re

# Characters that are never part of text someone meant to share: C0 and C1 control codes
# other than the ordinary whitespace ones (tab, line feed, vertical tab, form feed,
# carriage return, and C1's "next line"), DEL, lone surrogates (undecodable bytes kept
# with errors="surrogateescape") and U+FFFD (what errors="replace" leaves of them).
# Deliberately *not* counted: format characters (zero-width joiners in emoji and Indic
# scripts, bidi marks in Arabic and Hebrew, soft hyphens, BOMs), unusual spaces
# (no-break, ideographic), private-use and unassigned code points (new emoji). Python's
# str.isprintable() rejects all of those, so it would refuse normal text in many scripts.
_JUNK = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffd]")

# Random bytes decoded as Latin-1 are about 24 % control codes, and UTF-8 decoded with
# replacement is mostly U+FFFD; real text with a stray NUL or escape code is far below
# one in ten. So more than 10 % means "this is not text".
MAX_JUNK_SHARE = 0.10

EMPTY_QUESTION = "Ask a question in words, e.g. “When is the next release?”"


class InputTooLarge(ValueError):
    """Text over a configured size limit reached the engine; the message is user-safe.

    The entry points check with `document_problem` / `question_problem` first; the engine
    raises this only as a last line of defence, so an unchecked caller gets a clear error
    instead of a process that tokenizes megabytes.
    """


def junk_share(text: str) -> float:
    """The fraction of `text`'s characters that are control codes or undecodable bytes."""
    if not text:
        return 0.0
    return (len(text) - len(_JUNK.sub("", text))) / len(text)


def _percent(share: float) -> int:
    # Rounded up, so a share just over the threshold never reads as "10%"; 100 only if all.
    return 100 if share >= 1 else min(99, math.ceil(share * 100))


def _not_text(text: str, what: str) -> str | None:
    share = junk_share(text)
    if share <= MAX_JUNK_SHARE:
        return None
    return (
        f"That {what} doesn't look like text: {_percent(share)}% of its characters are "
        "control codes or binary data (such as NUL bytes). Send it as plain text."
    )


def document_problem(text: str, *, max_chars: int) -> str | None:
    """Why `text` can't be a document (empty, over `max_chars`, not text), or None."""
    if not text.strip():
        return "That text is empty: there is nothing to read in it."
    # Binary first: "split it into several documents" is the wrong advice for a file of
    # NUL bytes. The scan is one C-level pass, cheap even for input far over the limit.
    if (problem := _not_text(text, "text")) is not None:
        return problem
    return document_too_long(text, max_chars=max_chars)


def document_too_long(text: str, *, max_chars: int) -> str | None:
    """The size part of `document_problem` alone: names the limit and the text's size."""
    if len(text) <= max_chars:
        return None
    return (
        f"That text is {len(text):,} characters; the limit is {max_chars:,}. "
        "Split it into several shorter documents."
    )


def question_problem(question: str, *, max_chars: int) -> str | None:
    """Why `question` can't be asked (empty, over `max_chars`, not text), or None."""
    if not question.strip():
        return EMPTY_QUESTION
    if (problem := _not_text(question, "question")) is not None:
        return problem
    if len(question) > max_chars:
        return (
            f"That question is {len(question):,} characters; the limit is {max_chars:,}. "
            "Ask it in fewer words, and add long text as a document instead."
        )
    return None
