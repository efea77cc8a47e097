"""Which text the engine refuses, and the one line that says why (no model needed)."""

from __future__ import annotations

import random

import pytest

from qa_engine.limits import (
    EMPTY_QUESTION,
    MAX_JUNK_SHARE,
    document_problem,
    document_too_long,
    junk_share,
    question_problem,
)

LIMIT = 200_000

NORMAL_TEXTS = {
    "english": "Deploys happen every Tuesday at 14:00. The on-call engineer is Priya.",
    "cjk": "部署は毎週火曜日の14時です。当番のエンジニアはプリヤです。北京大学在北京。",
    "korean": "배포는 매주 화요일 14시에 합니다.",
    "arabic": "يتم النشر كل يوم ثلاثاء الساعة 14:00.\u200f المهندس المناوب هو بريا.",
    "hebrew_with_marks": "\u200fהפריסה מתבצעת בכל יום שלישי.\u200e OK",
    "hindi_with_joiners": "क्ष्\u200dत्र और हिन्दी\u200c पाठ",
    "emoji": "Ship it 🚀🚀 👨\u200d👩\u200d👧 family 🏳️\u200d🌈 ✅ 🫠 \U0001fae8",
    "tabs_and_lines": "name\tteam\tfloor\r\nPriya\tinfra\t3\r\nBob\tweb\t4\n\n\f\vend",
    "odd_spaces": "no\u00a0break, ideographic\u3000space, thin\u2009space, soft\u00adhyphen",
    "bom_and_private_use": "\ufeffStarts with a BOM and has an icon \ue000 from a font.",
    "combining": "e\u0301 a\u0308 n\u0303 Z\u0351\u0352\u0353algo text",
    "code": "def f(x):\n\treturn {'a': [1, 2]} # ~!@#$%^&*()_+`-=[]\\;',./<>?|",
}


# -- documents -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(NORMAL_TEXTS))
def test_normal_text_in_any_script_is_accepted(name: str) -> None:
    assert document_problem(NORMAL_TEXTS[name], max_chars=LIMIT) is None
    assert question_problem(NORMAL_TEXTS[name], max_chars=1_000) is None


@pytest.mark.parametrize("text", ["", " ", "\n\n\t  \r\n", "\u3000\u00a0"])
def test_an_empty_document_is_refused(text: str) -> None:
    assert document_problem(text, max_chars=LIMIT) == (
        "That text is empty: there is nothing to read in it."
    )


def test_the_exact_limit_is_accepted_and_one_more_character_is_refused() -> None:
    assert document_problem("a" * 1_000, max_chars=1_000) is None
    assert document_problem("a" * 1_001, max_chars=1_000) == (
        "That text is 1,001 characters; the limit is 1,000. "
        "Split it into several shorter documents."
    )


def test_a_large_document_names_both_sizes_with_separators() -> None:
    problem = document_problem("word " * 469_136, max_chars=200_000)
    assert problem is not None
    assert "2,345,680 characters" in problem
    assert "the limit is 200,000" in problem
    assert "\n" not in problem


def test_document_too_long_checks_only_the_size() -> None:
    assert document_too_long("\x00" * 10, max_chars=10) is None
    assert document_too_long("x" * 11, max_chars=10) is not None


def test_a_file_of_nul_bytes_is_not_text() -> None:
    problem = document_problem("\x00" * 100_000, max_chars=LIMIT)
    assert problem == (
        "That text doesn't look like text: 100% of its characters are control codes or "
        "binary data (such as NUL bytes). Send it as plain text."
    )


def test_binary_data_is_refused_before_its_size() -> None:
    # "Split it into several documents" would be the wrong advice for a binary file.
    problem = document_problem("\x00\x01\x02" * 1_000_000, max_chars=LIMIT)
    assert problem is not None and "doesn't look like text" in problem


@pytest.mark.parametrize("decoding", ["latin-1", "utf-8-replace", "utf-8-surrogateescape"])
def test_random_bytes_decoded_any_way_are_refused(decoding: str) -> None:
    data = random.Random(0).randbytes(50_000)
    if decoding == "latin-1":
        text = data.decode("latin-1")
    elif decoding == "utf-8-replace":
        text = data.decode("utf-8", errors="replace")
    else:
        text = data.decode("utf-8", errors="surrogateescape")
    assert junk_share(text) > MAX_JUNK_SHARE
    assert "doesn't look like text" in (document_problem(text, max_chars=LIMIT) or "")


def test_a_few_stray_control_characters_are_tolerated() -> None:
    # 10 % is the threshold: exactly 1 in 10 passes, a little more does not.
    at_threshold = "abcdefghi\x00" * 100
    over = at_threshold + "\x1b"
    assert junk_share(at_threshold) == pytest.approx(0.10)
    assert document_problem(at_threshold, max_chars=LIMIT) is None
    problem = document_problem(over, max_chars=LIMIT)
    assert problem is not None and "11% of its characters" in problem


@pytest.mark.parametrize("junk", ["\x00", "\x07", "\x1b", "\x7f", "\x9b", "\ufffd", "\udc80"])
def test_each_kind_of_junk_character_counts(junk: str) -> None:
    assert junk_share(junk * 3 + "a") == pytest.approx(0.75)


@pytest.mark.parametrize("ordinary", ["\t", "\n", "\r", "\f", "\v", "\x85", " ", "\u200d"])
def test_ordinary_whitespace_and_joiners_do_not_count(ordinary: str) -> None:
    assert junk_share(ordinary * 3 + "a") == 0.0


# -- questions -------------------------------------------------------------------------------


def test_a_question_at_the_limit_is_accepted_and_longer_is_refused() -> None:
    question = "When do deploys happen" + "?" * 978
    assert len(question) == 1_000
    assert question_problem(question, max_chars=1_000) is None
    assert question_problem(question + "?", max_chars=1_000) == (
        "That question is 1,001 characters; the limit is 1,000. "
        "Ask it in fewer words, and add long text as a document instead."
    )


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_an_empty_question_asks_for_words(question: str) -> None:
    assert question_problem(question, max_chars=1_000) == EMPTY_QUESTION


def test_a_binary_question_is_refused() -> None:
    problem = question_problem("what\x00\x00\x00\x00\x00?", max_chars=1_000)
    assert problem is not None and problem.startswith("That question doesn't look like text")
