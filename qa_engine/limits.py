"""TEMPORARY stub until the limits branch lands."""


def document_problem(text: str, *, max_chars: int) -> str | None:
    if not text.strip():
        return "That text is empty."
    if len(text) > max_chars:
        return f"That text is {len(text):,} characters; the limit is {max_chars:,}."
    return None


def question_problem(question: str, *, max_chars: int) -> str | None:
    if len(question) > max_chars:
        return f"That question is {len(question):,} characters; the limit is {max_chars:,}."
    return None
