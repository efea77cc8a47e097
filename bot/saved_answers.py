"""A teammate's answer as an FAQ entry: `Q: <question>` / `A: <answer>`.

Pure text functions. The engine recognises an entry by `qa_engine.faq`'s pattern: the
question on the `Q:` line, the answer from `A:` up to a blank line or the next `Q:` line.
So the question becomes one line, and the answer keeps its line breaks but loses blank
lines and any line that would read as a new question.
"""

from __future__ import annotations

import re

from bot.rendering import plain_text_from_slack

_LEADING_MENTIONS = re.compile(r"^\s*(?:<@[A-Z0-9]+(?:\|[^>]*)?>[\s,:]*)+")
_LOOKS_LIKE_A_QUESTION_LINE = re.compile(r"^([ \t]*)(Q(?:uestion)?[ \t]*[:.)])", re.IGNORECASE)

NO_QUESTION = "The thread's first message has no text I could use as the question."
NO_ANSWER = "That reply has no text I could save as the answer."


def question_text(slack_text: str) -> str:
    """A question as Slack sent it, made one plain line; the mentions it starts with (the
    `@qabot` it was asked with, or the teammate it was addressed to) are dropped, since
    they say nothing about what was asked."""
    return " ".join(plain_text_from_slack(_LEADING_MENTIONS.sub("", slack_text)).split())


def answer_text(text: str) -> str:
    """An answer's plain text with its line breaks, but no blank lines (they would end the
    entry) and no line starting like `Q:` (it would start another)."""
    lines = [line.rstrip() for line in text.strip().splitlines() if line.strip()]
    return "\n".join(_LOOKS_LIKE_A_QUESTION_LINE.sub(r"\1“\2”", line) for line in lines)


def faq_entry(question: str, answer: str) -> str:
    """The document text of a saved answer (both parts already plain text)."""
    return f"Q: {' '.join(question.split())}\nA: {answer_text(answer)}"
