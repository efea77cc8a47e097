"""Telling a question from other chat, and reading a short follow-up with its thread's
first question. Pure functions: no Slack, no database.

qabot answers some messages nobody addressed to it (follow-ups in its threads, questions
in help channels). Answering every post is what teams hate most in bots, so the test for
"this is a question" is deliberately narrow: a question mark at the end, or a question
word first, in a message of chat length.
"""

from __future__ import annotations

import re

from qa_engine.retrieval import analyze

MIN_QUESTION_CHARS = 6
"""Shorter posts ("why?", "ok?") are reactions, not questions the documents answer."""
MAX_QUESTION_CHARS = 300
"""Longer posts are discussions or pasted logs; a mention still gets them answered."""
SHORT_FOLLOWUP_WORDS = 3
"""A follow-up with at most this many content words may lean on the thread's first question."""

QUESTION_WORDS = frozenset(
    """
    who whom whose what when where which why how
    is are am was were do does did can could should would will shall may might must
    has have had anyone anybody someone somebody
    isn't aren't wasn't weren't don't doesn't didn't can't couldn't shouldn't won't
    wouldn't hasn't haven't
    """.split()
)

_FIRST_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_TRAILING = "\"'”’)]*_~ \t\r\n"


def looks_like_question(text: str) -> bool:
    """Whether a message reads as a question: it ends with "?" or starts with a question
    word, and is between `MIN_QUESTION_CHARS` and `MAX_QUESTION_CHARS` long."""
    text = text.strip()
    if not MIN_QUESTION_CHARS <= len(text) <= MAX_QUESTION_CHARS:
        return False
    if not any(ch.isalpha() for ch in text):
        return False
    if text.rstrip(_TRAILING).endswith(("?", "？")):
        return True
    first = _FIRST_WORD.match(text)
    if first is None:
        return False
    word = first.group(0).lower().replace("’", "'")
    # "who's", "what's", "how'd": the question word before the apostrophe counts.
    return word in QUESTION_WORDS or word.split("'")[0] in QUESTION_WORDS


def is_short_followup(question: str) -> bool:
    """Few enough content words that it may only make sense after the thread's question."""
    return len(analyze(question)) <= SHORT_FOLLOWUP_WORDS


def with_earlier_question(question: str, earlier: str) -> str:
    """The follow-up read together with the question it follows ("and on Fridays?" after
    "When do deploys happen?"), so retrieval and the reader see what it is about."""
    earlier = earlier.strip()
    question = question.strip()
    if not earlier or earlier == question:
        return question
    return f"{earlier} {question}"
