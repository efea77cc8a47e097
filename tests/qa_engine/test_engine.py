"""`QAEngine.answer` end to end: retrieval, reading, scoring, FAQ, reasons, threads.

Answer quality is checked with the trained tiny model (`tests/fixtures/tiny-qa`); the
random model is used where only shapes and offsets matter.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from qa_engine.engine import (
    NO_CONFIDENT_ANSWER,
    NO_DOCUMENTS,
    NO_MATCH,
    NO_QUESTION,
    QAEngine,
)
from qa_engine.faq import faq_entries
from qa_engine.passages import split_passages
from qa_engine.types import Answer, AnswerResult, Document, Passage, RankedPassage
from tests.qa_engine.support import NAME_CONTEXT, NAME_QUESTION, engine_settings

BIO = Document("bio", NAME_CONTEXT + ".", title="About me")
WEATHER = Document(
    "weather",
    "It rained for three days in the valley. The harbour froze in January.",
    title="Weather log",
)
TEAM = Document(
    "team",
    "Maria works at Globex. Peter was born in Vienna. The office opens at nine.",
    title="Team",
)

FILLER_WORDS = (
    "the river runs past old mills and quiet farms while the harbour keeps its boats "
    "ready for winter storms and traders bring wool cheese and timber to the market "
    "square every week"
).split()


def filler_text(words: int, seed: int) -> str:
    rng = random.Random(seed)
    sentences, count = [], 0
    while count < words:
        length = rng.randint(6, 18)
        sentence = " ".join(rng.choice(FILLER_WORDS) for _ in range(length))
        sentences.append(sentence[0].upper() + sentence[1:] + ".")
        count += length
    return " ".join(sentences)


def documents_by_id(*documents: Document) -> dict[str, Document]:
    return {d.id: d for d in documents}


def assert_answer_points_into(answer: Answer, documents: dict[str, Document]) -> None:
    document = documents[answer.document_id]
    assert answer.document_title == document.title
    assert document.text[answer.start : answer.end] == answer.text
    assert document.text[answer.sentence_start : answer.sentence_end] == answer.sentence
    assert answer.sentence_start <= answer.start <= answer.end <= answer.sentence_end
    assert answer.text in answer.sentence
    assert 0.0 <= answer.confidence <= 1.0


@pytest.fixture(scope="module")
def open_engine(trained_model_dir: Path) -> QAEngine:
    """The trained model showing every answer (threshold 0), five per question."""
    engine = QAEngine(engine_settings(trained_model_dir, qa_no_answer_threshold=0.0, qa_top_k=5))
    engine.warm_up()
    return engine


# -- answers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "expected"), [(NAME_QUESTION, "John"), ("Where do I live?", "Seattle")]
)
def test_documents_mode_finds_the_answer(
    trained_engine: QAEngine, question: str, expected: str
) -> None:
    result = trained_engine.answer(question, documents=[BIO])

    assert result.no_answer_reason is None
    assert result.best is not None
    assert result.best.text == expected
    assert result.passages_read == 1
    assert_answer_points_into(result.best, documents_by_id(BIO))


def test_the_answer_comes_from_the_right_document(trained_engine: QAEngine) -> None:
    documents = [WEATHER, BIO, TEAM]

    result = trained_engine.answer(NAME_QUESTION, documents=documents)

    assert result.best is not None
    assert result.best.text == "John"
    assert (result.best.document_id, result.best.document_title) == ("bio", "About me")
    for answer in result.answers:
        assert_answer_points_into(answer, documents_by_id(*documents))


def test_offsets_are_document_offsets_deep_inside_a_document(
    trained_engine: QAEngine,
) -> None:
    prefix = filler_text(150, seed=1)
    document = Document("long", f"{prefix}\n\n{NAME_CONTEXT}. {filler_text(150, seed=2)}", "Long")

    result = trained_engine.answer(NAME_QUESTION, documents=[document])

    assert result.best is not None
    assert result.best.text == "John"
    assert result.best.start == len(prefix) + 2 + NAME_CONTEXT.index("John")
    assert result.best.sentence == NAME_CONTEXT + "."
    assert_answer_points_into(result.best, documents_by_id(document))


def test_confidences_are_probabilities_sorted_best_first(open_engine: QAEngine) -> None:
    documents = [WEATHER, BIO, TEAM]

    result = open_engine.answer("Where do I live?", documents=documents)

    assert 1 < len(result.answers) <= 5
    confidences = [a.confidence for a in result.answers]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0.0 <= c <= 1.0 for c in confidences)
    assert sum(confidences) <= 1.0 + 1e-6  # one shared softmax over everything read
    assert len({a.text.lower() for a in result.answers}) == len(result.answers)
    for answer in result.answers:
        assert_answer_points_into(answer, documents_by_id(*documents))


def test_top_k_limits_the_answers(open_engine: QAEngine) -> None:
    assert len(open_engine.answer(NAME_QUESTION, documents=[BIO], top_k=2).answers) == 2
    assert len(open_engine.answer(NAME_QUESTION, documents=[BIO], top_k=1).answers) == 1


# -- no answer, with a reason --------------------------------------------------------------


@pytest.mark.parametrize("question", ["", "   ", "\n\t", "?", "?!…", "-- ..."])
def test_a_blank_question_gets_a_reason_not_a_crash(random_engine: QAEngine, question: str) -> None:
    result = random_engine.answer(question, documents=[BIO])
    assert result.answers == ()
    assert result.best is None
    assert result.no_answer_reason == NO_QUESTION
    assert result.passages_read == 0


def test_a_question_over_the_limit_gets_the_limit_as_its_reason(tmp_path: Path) -> None:
    # A missing model proves nothing was tokenized or read: it would raise on first use.
    engine = QAEngine(engine_settings(tmp_path / "no-model-here", qa_max_question_chars=40))
    question = "When do deploys happen " + "really " * 3  # 44 characters

    result = engine.answer(question, documents=[BIO])

    assert result.answers == () and result.passages_read == 0
    assert result.no_answer_reason == (
        "That question is 44 characters; the limit is 40. "
        "Ask it in fewer words, and add long text as a document instead."
    )
    assert len(result.question) <= 40


def test_a_binary_question_gets_a_reason(tmp_path: Path) -> None:
    engine = QAEngine(engine_settings(tmp_path / "no-model-here"))
    result = engine.answer("who\x00\x00\x00\x00\x00\x00?", documents=[BIO])
    assert result.answers == ()
    assert (result.no_answer_reason or "").startswith("That question doesn't look like text")


@pytest.mark.parametrize(
    "documents",
    [None, [], [Document("blank", "")], [Document("ws", "  \n\t "), Document("e", "")]],
    ids=["none", "empty-list", "empty-text", "whitespace-only"],
)
def test_no_documents_is_reported(
    random_engine: QAEngine, documents: Sequence[Document] | None
) -> None:
    result = random_engine.answer(NAME_QUESTION, documents=documents)
    assert result.answers == ()
    assert result.no_answer_reason == NO_DOCUMENTS
    assert result.passages_read == 0


def test_a_threshold_of_one_shows_nothing_and_says_why(trained_model_dir: Path) -> None:
    strict = QAEngine(engine_settings(trained_model_dir, qa_no_answer_threshold=1.0))

    result = strict.answer(NAME_QUESTION, documents=[WEATHER, BIO, TEAM])

    assert result.answers == ()
    assert result.no_answer_reason == NO_CONFIDENT_ANSWER
    assert result.passages_read == 3


def test_a_question_matching_nothing_in_many_passages_is_no_match(
    random_engine: QAEngine,
) -> None:
    documents = [Document(f"d{i}", f"Sentence number {i} about apples.") for i in range(12)]
    result = random_engine.answer("Which zeppelin hovered?", documents=documents)
    assert result.answers == ()
    assert result.no_answer_reason == NO_MATCH


# -- FAQ -----------------------------------------------------------------------------------

FAQ = Document(
    "faq",
    "Engineering FAQ\n"
    "Q: How do I get access to the staging cluster?\n"
    "A: Ask in #infra and an admin adds you to the staging group.\n"
    "Q: Where are the release notes?\n"
    "A: In the wiki, under Releases.\n",
    title="FAQ",
)


def test_an_faq_entry_answers_with_its_stored_answer(trained_engine: QAEngine) -> None:
    result = trained_engine.answer(
        "How can I get access to the staging cluster?", documents=[BIO, FAQ]
    )

    assert result.best is not None
    assert result.best.text == "Ask in #infra and an admin adds you to the staging group."
    assert result.best.document_id == "faq"
    assert FAQ.text[result.best.start : result.best.end] == result.best.text
    assert "How do I get access to the staging cluster?" in result.best.sentence
    assert 0.0 < result.best.confidence <= 1.0


def long_faq(entries: int) -> Document:
    lines = []
    for i in range(entries):
        lines.append(f"Q: How do I configure widget number{i} for the staging cluster?")
        lines.append(f"A: Run the setup script with flag {i} and restart the service.")
    return Document("long-faq", "\n".join(lines), title="Widgets FAQ")


def test_no_faq_entry_is_split_between_passages(random_engine: QAEngine) -> None:
    document = long_faq(40)
    passages = random_engine.split(document)
    assert len(passages) > 1  # the document really is split

    found = [e.question for p in passages for e in faq_entries(p)]

    assert len(found) == 40


def test_every_entry_of_a_long_faq_is_found(random_engine: QAEngine) -> None:
    document = long_faq(40)
    wrong = []
    for i in range(40):
        result = random_engine.answer(
            f"How do I configure widget number{i} for the staging cluster?", documents=[document]
        )
        expected = f"Run the setup script with flag {i} and restart the service."
        if result.best is None or result.best.text != expected:
            wrong.append(i)
    assert wrong == []


# -- custom rankers ------------------------------------------------------------------------


class RecordingRanker:
    """A ranker over fixed passages that records how it was called."""

    def __init__(self, passages: Sequence[Passage], *, ignore_limit: bool = False):
        self.passages = list(passages)
        self.calls: list[tuple[str, int]] = []
        self.ignore_limit = ignore_limit

    def rank(self, question: str, limit: int) -> Sequence[RankedPassage]:
        self.calls.append((question, limit))
        chosen = self.passages if self.ignore_limit else self.passages[:limit]
        return [RankedPassage(p, float(len(chosen) - i)) for i, p in enumerate(chosen)]


def regex_passages(document: Document, max_tokens: int = 40) -> list[Passage]:
    import re

    return split_passages(
        document,
        token_offsets=lambda text: [m.span() for m in re.finditer(r"\w+|[^\w\s]", text)],
        max_tokens=max_tokens,
    )


def test_a_custom_ranker_is_used_with_the_limit(trained_engine: QAEngine) -> None:
    ranker = RecordingRanker(regex_passages(BIO) + regex_passages(TEAM))

    result = trained_engine.answer(
        "What's   my name?", ranker=ranker, documents=[WEATHER], passages_to_read=4
    )

    assert ranker.calls == [(NAME_QUESTION, 4)]
    assert result.best is not None and result.best.text == "John"
    assert {a.document_id for a in result.answers} <= {"bio", "team"}
    assert result.passages_read == 2


def test_only_the_rankers_top_passages_are_read(trained_engine: QAEngine) -> None:
    # The ranker ignores the limit and returns the answer's passage last: it must not be read.
    passages = regex_passages(WEATHER, 8) + regex_passages(TEAM, 8) + regex_passages(BIO)
    assert len(passages) > 3
    ranker = RecordingRanker(passages, ignore_limit=True)

    result = trained_engine.answer(NAME_QUESTION, ranker=ranker, passages_to_read=3)

    assert ranker.calls == [(NAME_QUESTION, 3)]
    assert result.passages_read == 3
    read_ids = {p.document_id for p in passages[:3]}
    assert all(a.document_id in read_ids for a in result.answers)
    assert all(a.text != "John" for a in result.answers)


def test_a_ranker_with_nothing_to_offer_is_no_match(random_engine: QAEngine) -> None:
    result = random_engine.answer(NAME_QUESTION, ranker=RecordingRanker([]))
    assert result.answers == ()
    assert result.no_answer_reason == NO_MATCH


def test_the_ranker_protocol_is_satisfied_by_the_test_ranker() -> None:
    from qa_engine.types import PassageRanker

    assert isinstance(RecordingRanker([]), PassageRanker)


# -- size and robustness -------------------------------------------------------------------


def test_a_200_word_question_does_not_crash(trained_engine: QAEngine) -> None:
    words = ("what is my name and where do I live " * 30).split()[:200]
    question = " ".join(words) + "?"

    result = trained_engine.answer(question, documents=[BIO, WEATHER])

    assert isinstance(result, AnswerResult)
    for answer in result.answers:
        assert_answer_points_into(answer, documents_by_id(BIO, WEATHER))


def test_a_long_question_in_a_small_window_does_not_crash(trained_model_dir: Path) -> None:
    small = QAEngine(engine_settings(trained_model_dir, qa_max_seq_len=64, qa_doc_stride=16))
    question = " ".join(["Where"] + ["exactly"] * 120 + ["do", "I", "live?"])
    document = Document("long", f"{filler_text(300, seed=5)} {NAME_CONTEXT}.")

    result = small.answer(question, documents=[document])

    assert isinstance(result, AnswerResult)
    for answer in result.answers:
        assert_answer_points_into(answer, documents_by_id(document))


def test_a_3000_word_document_is_answered(trained_engine: QAEngine) -> None:
    before, after = filler_text(1500, seed=3), filler_text(1500, seed=4)
    document = Document("book", f"{before} {NAME_CONTEXT}. {after}", title="Book")
    assert len(document.text.split()) >= 3000

    result = trained_engine.answer(NAME_QUESTION, documents=[document])

    assert result.passages_read <= trained_engine.settings.qa_passages_to_read
    assert result.best is not None
    assert result.best.text == "John"
    assert result.best.start == len(before) + 1 + NAME_CONTEXT.index("John")
    for answer in result.answers:
        assert_answer_points_into(answer, documents_by_id(document))


def test_answering_is_deterministic(open_engine: QAEngine) -> None:
    first = open_engine.answer("Where do I live?", documents=[WEATHER, BIO, TEAM])
    again = open_engine.answer("Where do I live?", documents=[WEATHER, BIO, TEAM])
    assert first == again


def test_concurrent_calls_give_the_sequential_results(open_engine: QAEngine) -> None:
    long_document = Document("book", f"{filler_text(600, seed=6)} {NAME_CONTEXT}.")
    jobs = [
        (NAME_QUESTION, [WEATHER, BIO, TEAM]),
        ("Where do I live?", [BIO, long_document]),
        ("Where was Peter born?", [TEAM, WEATHER]),
        ("When did the harbour freeze?", [WEATHER, long_document, BIO]),
    ]
    sequential = [open_engine.answer(q, documents=d) for q, d in jobs]

    for _ in range(3):
        results, errors = answer_concurrently(open_engine, jobs)
        assert errors == []
        assert results == sequential


def answer_concurrently(
    engine: QAEngine, jobs: Sequence[tuple[str, Sequence[Document]]]
) -> tuple[list[AnswerResult | None], list[BaseException]]:
    """Run every job in its own thread, all released at once."""
    results: list[AnswerResult | None] = [None] * len(jobs)
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(jobs))

    def work(index: int) -> None:
        try:
            barrier.wait()
            question, documents = jobs[index]
            results[index] = engine.answer(question, documents=documents)
        except BaseException as error:  # surfaced by the caller's assertion
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def test_a_cold_engine_loads_on_first_answer(trained_model_dir: Path) -> None:
    engine = QAEngine(engine_settings(trained_model_dir))
    assert not engine.is_ready
    result = engine.answer(NAME_QUESTION, documents=[BIO])
    assert engine.is_ready
    assert result.best is not None and result.best.text == "John"


def test_the_engines_pipeline_is_exact_mode_on_the_same_model(trained_engine: QAEngine) -> None:
    pipe = trained_engine.pipeline()
    answer = pipe(question=NAME_QUESTION, context=NAME_CONTEXT)
    assert (answer["answer"], answer["start"], answer["end"]) == ("John", 11, 15)
    assert pipe.model is trained_engine.pipeline().model


def test_a_missing_model_raises_a_load_error_and_remembers_it(tmp_path: Path) -> None:
    from qa_engine.model_loading import ModelLoadError

    engine = QAEngine(engine_settings(tmp_path / "no-model-here"))
    # Nothing to read: answered without touching the model.
    assert engine.answer("   ", documents=[BIO]).no_answer_reason == NO_QUESTION
    assert engine.answer(NAME_QUESTION, documents=[]).no_answer_reason == NO_DOCUMENTS

    with pytest.raises(ModelLoadError):
        engine.answer(NAME_QUESTION, documents=[BIO])

    assert not engine.is_ready
    assert engine.load_error is not None and "QA_MODEL" in engine.load_error


def test_bfloat16_answers_like_float32_on_the_trained_model(
    trained_model_dir: Path, trained_engine: QAEngine
) -> None:
    half = QAEngine(engine_settings(trained_model_dir, qa_dtype="bfloat16"))
    documents = [WEATHER, BIO, TEAM]

    full_result = trained_engine.answer(NAME_QUESTION, documents=documents)
    half_result = half.answer(NAME_QUESTION, documents=documents)

    assert half_result.best is not None and full_result.best is not None
    assert (half_result.best.text, half_result.best.document_id) == ("John", "bio")
    # Close, not equal: that is the trade bfloat16 makes.
    assert abs(half_result.best.confidence - full_result.best.confidence) < 0.1


def test_a_failed_load_is_remembered_not_retried_per_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A load that failed fails again: each question must not pay for another attempt
    # (with the hub unreachable, that used to be ~50 s per question).
    import qa_engine.engine as engine_module
    from qa_engine.model_loading import ModelLoadError

    attempts: list[str] = []

    def failing_load(name: str, **_: object) -> None:
        attempts.append(name)
        raise ModelLoadError(f"cannot load {name}; set QA_MODEL")

    monkeypatch.setattr(engine_module, "load_qa_model", failing_load)
    engine = QAEngine(engine_settings("org/model", qa_load_retry_seconds=3600))

    for _ in range(3):
        with pytest.raises(ModelLoadError, match="cannot load org/model"):
            engine.warm_up()

    assert attempts == ["org/model"]
    assert engine.load_error == "cannot load org/model; set QA_MODEL"


def test_loading_is_tried_again_after_the_retry_interval(
    monkeypatch: pytest.MonkeyPatch, random_model_dir: Path
) -> None:
    import qa_engine.engine as engine_module
    from qa_engine.model_loading import ModelLoadError, load_qa_model

    attempts: list[str] = []

    def flaky_load(name: str, **options: object):
        attempts.append(name)
        if len(attempts) == 1:
            raise ModelLoadError("hub unreachable; set QA_MODEL")
        return load_qa_model(name, **options)

    monkeypatch.setattr(engine_module, "load_qa_model", flaky_load)
    engine = QAEngine(engine_settings(random_model_dir, qa_load_retry_seconds=0))

    with pytest.raises(ModelLoadError):
        engine.warm_up()
    engine.warm_up()  # the interval (0 s) has passed: tried again, and it loads

    assert len(attempts) == 2
    assert engine.is_ready and engine.load_error is None


def test_a_missing_tokenizer_is_remembered_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import qa_engine.engine as engine_module
    from qa_engine.model_loading import ModelLoadError

    attempts: list[str] = []

    def failing_tokenizer(name: str) -> None:
        attempts.append(name)
        raise ModelLoadError("no tokenizer; set QA_MODEL")

    monkeypatch.setattr(engine_module, "load_qa_tokenizer", failing_tokenizer)
    engine = QAEngine(engine_settings("org/model"))

    for _ in range(2):
        with pytest.raises(ModelLoadError, match="no tokenizer"):
            engine.split(BIO)

    assert attempts == ["org/model"]
def test_int8_answers_like_float32_on_the_trained_model(
    trained_model_dir: Path, trained_engine: QAEngine
) -> None:
    quantised = QAEngine(engine_settings(trained_model_dir, qa_dtype="int8"))
    documents = [WEATHER, BIO, TEAM]

    full_result = trained_engine.answer(NAME_QUESTION, documents=documents)
    int8_result = quantised.answer(NAME_QUESTION, documents=documents)

    assert int8_result.best is not None and full_result.best is not None
    assert (int8_result.best.text, int8_result.best.document_id) == ("John", "bio")
    # Close, not equal: int8 weights and activations round the logits.
    assert int8_result.best.confidence != full_result.best.confidence
    assert abs(int8_result.best.confidence - full_result.best.confidence) < 0.1
