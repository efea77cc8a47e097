"""Exact mode's calling conventions and validation, as the pipeline had them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qa_engine.pipeline import ExtractiveQAPipeline
from tests.qa_engine.support import NAME_CONTEXT, NAME_QUESTION

CONTEXT = (
    "The castle was built in 1066 by the king. The river runs north of the city. "
    "Anna founded the library in Paris in March."
)
QUESTION = "Who built the castle?"


def assert_answer_shape(answer: dict, context: str) -> None:
    assert set(answer) == {"score", "start", "end", "answer"}
    assert 0 <= answer["start"] <= answer["end"] <= len(context)
    assert context[answer["start"] : answer["end"]] == answer["answer"]
    assert 0.0 <= answer["score"] <= 1.0


def test_one_question_one_context_gives_one_dict(random_pipeline: ExtractiveQAPipeline) -> None:
    answer = random_pipeline(question=QUESTION, context=CONTEXT)
    assert isinstance(answer, dict)
    assert_answer_shape(answer, CONTEXT)
    assert answer["answer"]


def test_the_call_shapes_agree(random_pipeline: ExtractiveQAPipeline) -> None:
    single = random_pipeline(question=QUESTION, context=CONTEXT)

    assert random_pipeline({"question": QUESTION, "context": CONTEXT}) == single
    assert random_pipeline(QUESTION, CONTEXT) == single
    assert random_pipeline([{"question": QUESTION, "context": CONTEXT}]) == single
    assert random_pipeline(question=[QUESTION], context=[CONTEXT]) == single


def test_a_list_of_questions_against_one_context(random_pipeline: ExtractiveQAPipeline) -> None:
    questions = [QUESTION, "Where does the river run?", "Who founded the library?"]

    answers = random_pipeline(question=questions, context=CONTEXT)

    assert isinstance(answers, list) and len(answers) == 3
    for question, answer in zip(questions, answers, strict=True):
        assert answer == random_pipeline(question=question, context=CONTEXT)


def test_lists_of_questions_and_contexts_pair_up(random_pipeline: ExtractiveQAPipeline) -> None:
    contexts = [CONTEXT, NAME_CONTEXT]
    questions = [QUESTION, NAME_QUESTION]

    answers = random_pipeline(question=questions, context=contexts)
    as_dicts = random_pipeline(
        [{"question": q, "context": c} for q, c in zip(questions, contexts, strict=True)]
    )

    assert answers == as_dicts
    for context, answer in zip(contexts, answers, strict=True):
        assert_answer_shape(answer, context)


def test_top_k_returns_distinct_answers_best_first(random_pipeline: ExtractiveQAPipeline) -> None:
    answers = random_pipeline(question=QUESTION, context=CONTEXT, top_k=5)

    assert isinstance(answers, list) and len(answers) == 5
    scores = [a["score"] for a in answers]
    assert scores == sorted(scores, reverse=True)
    assert len({a["answer"].lower() for a in answers}) == 5
    for answer in answers:
        assert_answer_shape(answer, CONTEXT)
    assert answers[0] == random_pipeline(question=QUESTION, context=CONTEXT)


def test_defaults_given_at_construction_apply_and_calls_override_them(
    random_model_dir: Path,
) -> None:
    pipe = ExtractiveQAPipeline(str(random_model_dir), top_k=2)
    assert len(pipe(question=QUESTION, context=CONTEXT)) == 2
    assert len(pipe(question=QUESTION, context=CONTEXT, top_k=4)) == 4


def test_a_model_object_and_its_tokenizer_work_too(random_pipeline: ExtractiveQAPipeline) -> None:
    again = ExtractiveQAPipeline(random_pipeline.model, random_pipeline.tokenizer)
    assert again(question=QUESTION, context=CONTEXT) == random_pipeline(
        question=QUESTION, context=CONTEXT
    )
    with pytest.raises(ValueError, match="tokenizer"):
        ExtractiveQAPipeline(random_pipeline.model)


def test_max_answer_len_bounds_the_answer_in_tokens(random_pipeline: ExtractiveQAPipeline) -> None:
    tokenizer = random_pipeline.tokenizer
    answers = random_pipeline(
        question=QUESTION, context=CONTEXT, top_k=10, max_answer_len=2, align_to_words=False
    )
    for answer in answers:
        tokens = tokenizer(answer["answer"], add_special_tokens=False)["input_ids"]
        assert 1 <= len(tokens) <= 2


def test_handle_impossible_answer_adds_the_empty_answer(
    random_pipeline: ExtractiveQAPipeline,
) -> None:
    answers = random_pipeline(
        question=QUESTION, context=CONTEXT, top_k=500, handle_impossible_answer=True
    )
    null = [a for a in answers if (a["answer"], a["start"], a["end"]) == ("", 0, 0)]
    assert len(null) == 1
    assert 0.0 < null[0]["score"] <= 1.0
    without = random_pipeline(question=QUESTION, context=CONTEXT, top_k=500)
    assert not [a for a in without if (a["answer"], a["start"], a["end"]) == ("", 0, 0)]


def test_a_long_context_is_read_in_windows(random_pipeline: ExtractiveQAPipeline) -> None:
    context = " ".join([CONTEXT] * 30)  # far more than one 384-token window
    answers = random_pipeline(
        question=QUESTION, context=context, top_k=3, max_seq_len=64, doc_stride=16
    )
    assert len(answers) == 3
    for answer in answers:
        assert_answer_shape(answer, context)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"question": "", "context": CONTEXT}, ValueError),
        ({"question": QUESTION, "context": ""}, ValueError),
        ({"question": None, "context": CONTEXT}, ValueError),
        ({"question": [QUESTION, QUESTION], "context": [CONTEXT]}, ValueError),
        ({"question": QUESTION, "context": CONTEXT, "top_k": 0}, ValueError),
        ({"question": QUESTION, "context": CONTEXT, "max_answer_len": 0}, ValueError),
        (
            {"question": QUESTION, "context": CONTEXT, "max_seq_len": 64, "doc_stride": 65},
            ValueError,
        ),
        ({"question": QUESTION}, ValueError),
    ],
    ids=[
        "empty-question",
        "empty-context",
        "none-question",
        "length-mismatch",
        "top_k-0",
        "max_answer_len-0",
        "stride-over-window",
        "no-context",
    ],
)
def test_invalid_calls_raise(
    random_pipeline: ExtractiveQAPipeline, kwargs: dict, error: type[Exception]
) -> None:
    with pytest.raises(error):
        random_pipeline(**kwargs)


def test_a_dict_without_context_is_a_key_error(random_pipeline: ExtractiveQAPipeline) -> None:
    with pytest.raises(KeyError):
        random_pipeline({"question": QUESTION})


def test_a_question_too_long_for_the_window_is_a_catchable_error(
    random_pipeline: ExtractiveQAPipeline,
) -> None:
    long_question = " ".join(["river"] * 60) + "?"
    with pytest.raises(ValueError, match="question"):
        random_pipeline(question=long_question, context=CONTEXT, max_seq_len=48, doc_stride=8)


def _brute_force_best(pipe: ExtractiveQAPipeline, question: str, context: str) -> tuple:
    """Best span of one window, computed directly from the model's logits."""
    import torch

    encoded = pipe.tokenizer(question, context, return_offsets_mapping=True, return_tensors="pt")
    offsets = encoded.pop("offset_mapping")[0].tolist()
    sequence_ids = encoded.sequence_ids(0)
    with torch.no_grad():
        output = pipe.model(**encoded)
    start = output.start_logits[0].double().numpy()
    end = output.end_logits[0].double().numpy()
    allowed = np.array([sid == 1 for sid in sequence_ids])
    allowed[0] = True  # CLS takes part in the softmax, as in the pipeline
    p_start = np.exp(start[allowed] - start[allowed].max())
    p_end = np.exp(end[allowed] - end[allowed].max())
    p_start, p_end = p_start / p_start.sum(), p_end / p_end.sum()
    positions = list(np.flatnonzero(allowed))
    best = max(
        (p_start[i] * p_end[j], s, e)
        for i, s in enumerate(positions)
        for j, e in enumerate(positions)
        if s != 0 and s <= e < s + 15
    )
    score, s, e = best
    return context[offsets[s][0] : offsets[e][1]], offsets[s][0], offsets[e][1], score


@pytest.mark.parametrize("which", ["random_pipeline", "bert_pipeline"])
def test_the_answer_is_the_models_best_span(which: str, request: pytest.FixtureRequest) -> None:
    pipe: ExtractiveQAPipeline = request.getfixturevalue(which)
    text, start, end, score = _brute_force_best(pipe, QUESTION, CONTEXT)

    answer = pipe(question=QUESTION, context=CONTEXT, align_to_words=False)

    assert (answer["answer"], answer["start"], answer["end"]) == (text, start, end)
    assert answer["score"] == pytest.approx(score, rel=1e-4)


def test_bert_models_get_token_type_ids(bert_pipeline: ExtractiveQAPipeline) -> None:
    assert "token_type_ids" in bert_pipeline.tokenizer.model_input_names
    answers = bert_pipeline(question=[QUESTION, NAME_QUESTION], context=[CONTEXT, NAME_CONTEXT])
    for context, answer in zip([CONTEXT, NAME_CONTEXT], answers, strict=True):
        assert_answer_shape(answer, context)


def test_the_model_card_example_answers_john(trained_pipeline: ExtractiveQAPipeline) -> None:
    answer = trained_pipeline(question=NAME_QUESTION, context=NAME_CONTEXT)

    assert answer["answer"] == "John"
    assert (answer["start"], answer["end"]) == (11, 15)
    assert 0.0 < answer["score"] <= 1.0
