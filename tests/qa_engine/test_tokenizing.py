"""One tokenizer, many threads: splitting documents while questions are being read."""

from __future__ import annotations

import threading

from qa_engine.engine import QAEngine
from qa_engine.tokenizing import tokenize, tokenizer_lock
from qa_engine.types import Document

DOCUMENT = Document(id=1, title="Name", text="My name is John and I live in Seattle. " * 60)


def test_splitting_and_answering_at_once_never_trips_the_tokenizer(trained_engine: QAEngine):
    # What the Slack app does: listener threads split new documents (no truncation) while
    # answer workers encode question windows (truncation, stride) with the same tokenizer.
    errors: list[str] = []
    passages: list[int] = []
    answers: list[str] = []

    def split() -> None:
        for _ in range(80):
            try:
                passages.append(len(trained_engine.split(DOCUMENT)))
            except Exception as error:  # collected: a thread can't fail the test itself
                errors.append(repr(error))

    def answer() -> None:
        for _ in range(12):
            try:
                result = trained_engine.answer("What's my name?", documents=[DOCUMENT])
                answers.append(result.answers[0].text)
            except Exception as error:
                errors.append(repr(error))

    threads = [threading.Thread(target=split) for _ in range(3)]
    threads += [threading.Thread(target=answer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(set(passages)) == 1 and len(passages) == 240
    assert answers == ["John"] * 24


def test_tokenize_holds_one_lock_per_tokenizer(trained_engine: QAEngine):
    tokenizer = trained_engine.tokenizer
    lock = tokenizer_lock(tokenizer)
    assert tokenizer_lock(tokenizer) is lock
    assert tokenizer_lock(object.__new__(type("Other", (), {}))) is not lock

    seen: list[bool] = []

    class Spy:
        def __call__(self, text: str) -> str:
            seen.append(tokenizer_lock(self).locked())
            return text.upper()

    assert tokenize(Spy(), "abc") == "ABC"
    assert seen == [True]
