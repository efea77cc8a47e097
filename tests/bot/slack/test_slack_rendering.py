"""`bot.rendering`: pure functions, no Slack, no model."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from bot import rendering
from bot.calibration import Basis, Calibration
from bot.rendering import (
    BUTTON_VALUE_LIMIT,
    MAX_BLOCKS,
    SECTION_TEXT_LIMIT,
    chunk_escaped,
    escape,
    highlight,
    plain_text_from_slack,
    strip_mention,
    title_from_text,
)
from qa_engine.types import Answer, AnswerResult
from tests.bot.slack.messages import assert_within_slack_limits

DOCUMENT = "Intro. My name is John and I live in Seattle. Bye."


def answer(text: str = "John", confidence: float = 0.871, **overrides) -> Answer:
    start = DOCUMENT.index(text)
    sentence_start = DOCUMENT.index("My name")
    sentence_end = DOCUMENT.index(" Bye")
    values = {
        "text": text,
        "score": 9.0,
        "confidence": confidence,
        "document_id": "7",
        "document_title": "About <me> & co",
        "start": start,
        "end": start + len(text),
        "sentence": DOCUMENT[sentence_start:sentence_end],
        "sentence_start": sentence_start,
        "sentence_end": sentence_end,
    }
    values.update(overrides)
    return Answer(**values)


def all_text(message: rendering.Message) -> str:
    return json.dumps(message.blocks, ensure_ascii=False) + message.text


def test_escape_covers_the_three_reserved_characters():
    assert escape("a & b < c > d") == "a &amp; b &lt; c &gt; d"
    assert escape("&amp;") == "&amp;amp;"  # text that looks escaped is still text


def test_plain_text_from_slack_undoes_slack_markup():
    text = (
        "Ask <@U123|ana> or <@U9> in <#C1|ops>, <!here>: "
        "<https://wiki.example.com|the wiki> &amp; <https://x.io> &lt;3"
    )
    assert plain_text_from_slack(text) == (
        "Ask @ana or @U9 in #ops, @here: the wiki & https://x.io <3"
    )


def test_plain_text_from_slack_drops_nul_characters():
    # PostgreSQL text columns reject NUL; nothing a person reads is lost.
    assert plain_text_from_slack("deploys\x00 on Tuesday\x00") == "deploys on Tuesday"


def test_strip_mention_removes_only_the_bot():
    assert strip_mention("<@UBOT> who is <@U2>?", "UBOT") == "who is @U2?"
    assert strip_mention("hey <@UBOT|qabot>   what's up", "UBOT") == "hey what's up"
    assert strip_mention("<@UBOT>", "UBOT") == ""


def test_title_is_the_first_non_blank_line_shortened():
    assert title_from_text("\n\n  Release  process \nbody") == "Release process"
    long = title_from_text("x" * 500)
    assert len(long) == rendering.TITLE_LIMIT and long.endswith("…")
    assert title_from_text("   ") == "Untitled"


def shown(elements: list[dict]) -> str:
    """Rich-text elements as a reader sees them, bold marked with [brackets]."""
    return "".join(
        f"[{e['text']}]" if e.get("style", {}).get("bold") else e["text"] for e in elements
    )


def test_highlight_bolds_the_answer_and_keeps_the_sentence_as_written():
    sentence = "Tom & <Jerry> met John\nin Seattle."
    start = sentence.index("John")
    # Rich text is shown as written: no entities, and the line break is a space.
    assert shown(highlight(sentence, start, start + 4)) == "Tom & <Jerry> met [John] in Seattle."


def test_highlight_keeps_spaces_outside_the_bold():
    elements = highlight("is John here", 2, 8)
    assert elements == [
        {"type": "text", "text": "is "},
        {"type": "text", "text": "John", "style": {"bold": True}},
        {"type": "text", "text": " here"},
    ]


@pytest.mark.parametrize(
    ("sentence", "answer", "expected"),
    [
        # Regression: mrkdwn turned this into **stg-7.internal**, shown with its stars.
        ("Use *stg-7.internal* first.", "stg-7.internal", "Use *[stg-7.internal]* first."),
        ("Use *stg-7.internal* first.", "*stg-7.internal*", "Use [*stg-7.internal*] first."),
        ("Run `make deploy_all` now.", "make deploy_all", "Run `[make deploy_all]` now."),
        ("The _old_ host is ~gone~ db_1.", "db_1", "The _old_ host is ~gone~ [db_1]."),
        ("Tom & <Jerry>", "<Jerry>", "Tom & [<Jerry>]"),
        ("a ` b * c _ d ~ e", "c", "a ` b * [c] _ d ~ e"),
    ],
)
def test_highlight_shows_markup_characters_literally(
    sentence: str, answer: str, expected: str
) -> None:
    start = sentence.index(answer)
    elements = highlight(sentence, start, start + len(answer))
    assert shown(elements) == expected
    # Every piece is literal text; bold is a style, never an added character.
    assert "".join(e["text"] for e in elements) == sentence
    assert all(e["type"] == "text" and e["text"] for e in elements)


def test_highlight_of_a_blank_answer_is_the_plain_sentence():
    assert shown(highlight("a  b\n c", 1, 2)) == "a b c"


def test_answer_message_shows_answer_source_sentence_and_confidence():
    result = AnswerResult("What's my name?", (answer(), answer("Seattle", 0.1)), 1)

    message = rendering.answer_message(result, has_documents=True)

    answer_line, quote = message.blocks[0]["elements"]
    assert shown(answer_line["elements"]) == "[John]"
    assert quote["type"] == "rich_text_quote"
    assert shown(quote["elements"]) == "My name is [John] and I live in Seattle."
    context = message.blocks[1]["elements"][0]["text"]
    assert "About &lt;me&gt; &amp; co" in context and "87%" in context
    actions = {e["action_id"] for e in message.blocks[2]["elements"]}
    assert actions == {
        rendering.FEEDBACK_UP_ACTION,
        rendering.FEEDBACK_DOWN_ACTION,
        rendering.MORE_ANSWERS_ACTION,
    }
    assert message.text.startswith("John (from “About &lt;me&gt; &amp; co”, 87%")
    assert_within_slack_limits(message)


def test_a_single_answer_has_no_more_answers_button():
    message = rendering.answer_message(AnswerResult("q", (answer(),), 1), has_documents=True)

    assert rendering.MORE_ANSWERS_ACTION not in all_text(message)


def test_the_source_links_to_the_original_message_when_known():
    result = AnswerResult("q", (answer(document_title="A|B"),), 1)

    message = rendering.answer_message(
        result,
        has_documents=True,
        sources=rendering.Sources(
            numbers={"7": 3}, permalinks={"7": "https://x.slack.com/archives/C1/p1"}
        ),
    )

    source = message.blocks[1]["elements"][0]["text"]
    assert "From #3 <https://x.slack.com/archives/C1/p1|A¦B>" in source


def test_the_source_names_the_documents_channel_number_not_its_id():
    result = AnswerResult("q", (answer(), answer("Seattle", 0.2)), 1)  # both from id "7"
    sources = rendering.Sources(numbers={"7": 2})

    best = rendering.answer_message(result, has_documents=True, sources=sources)
    more = rendering.more_answers_message(result, sources=sources)

    assert "From #2 “" in best.blocks[1]["elements"][0]["text"]
    assert "From #2 “" in json.dumps(more.blocks, ensure_ascii=False)
    # The buttons keep the stable id: a number could name another document later.
    assert rendering.decode_value(best.blocks[-1]["elements"][0]["value"])["d"] == "7"


def test_feedback_value_round_trips_and_fits_a_button():
    question = "why " * 2000
    value = rendering.feedback_value(question, answer(confidence=0.123456789012345))

    assert len(value) <= BUTTON_VALUE_LIMIT
    data = rendering.decode_value(value)
    assert data["a"] == "John" and data["d"] == "7" and question.startswith(data["q"])
    assert rendering.decode_value("not json") == {}
    voted = rendering.voted_answer(value)
    # The exact float: a threshold calibrated at it must keep showing that very answer.
    assert voted.confidence == 0.123456789012345
    assert (voted.answer, voted.document_id) == ("John", 7)
    assert question.startswith(voted.question) and len(voted.question) > 1000


@pytest.mark.parametrize(
    "value",
    [
        None,
        "not json",
        "[1, 2]",
        '{"c": "0.5"}',
        '{"c": true}',
        '{"c": 1.5}',
        '{"c": -0.1}',
        '{"c": NaN}',
        '{"c": Infinity}',
        '{"d": "7; DROP", "c": null}',
    ],
)
def test_a_malformed_feedback_value_gives_no_confidence_and_no_document(value):
    voted = rendering.voted_answer(value)

    assert voted.confidence is None and voted.document_id is None


def test_an_old_feedback_value_without_a_confidence_still_reads():
    old = json.dumps({"d": "7", "a": "John", "q": "What's my name?"})

    assert rendering.voted_answer(old) == rendering.VotedAnswer("What's my name?", "John", 7, None)
    assert rendering.voted_answer('{"c": 1}').confidence == 1.0


def test_no_answer_messages_say_how_to_add_context():
    empty = rendering.no_answer_message("There are no documents", has_documents=False)
    unsure = rendering.no_answer_message("Nothing was <likely> enough.", has_documents=True)

    assert "no context documents yet" in empty.text and "/context add &lt;text&gt;" in empty.text
    assert "pin a message" in empty.text
    assert "couldn't find an answer" in unsure.text and "&lt;likely&gt;" in unsure.text
    assert "<likely>" not in all_text(unsure)


def test_answer_message_without_answers_is_the_no_answer_message():
    result = AnswerResult("q", (), 3, "No answer was likely enough to show.")

    message = rendering.answer_message(result, has_documents=True)

    assert "couldn't find an answer" in message.text
    # No feedback on an answer that isn't there: only the button to add one, which
    # carries the question into its form.
    [actions] = [block for block in message.blocks if block["type"] == "actions"]
    [add] = actions["elements"]
    assert add["action_id"] == rendering.ADD_ANSWER_ACTION
    assert rendering.decode_value(add["value"]) == {"q": "q"}


def test_a_huge_answer_sentence_stays_within_one_section():
    sentence = "word " * 2000 + "John" + " & more" * 500
    start = sentence.index("John")
    huge = answer(
        sentence=sentence,
        sentence_start=0,
        sentence_end=len(sentence),
        start=start,
        end=start + 4,
    )

    message = rendering.answer_message(AnswerResult("q", (huge,), 1), has_documents=True)

    assert_within_slack_limits(message)
    quote = shown(message.blocks[0]["elements"][1]["elements"])
    assert "word [John] & more" in quote
    assert quote.startswith("…") and quote.endswith("…")
    assert len(quote) < 2 * rendering.SENTENCE_CONTEXT + 20


def test_shortened_mrkdwn_never_ends_inside_an_entity_or_a_link():
    assert rendering.shorten_mrkdwn("ab &amp; cd", 6) == "ab…"
    assert rendering.shorten_mrkdwn("see <https://example.com|x> now", 12) == "see…"
    assert rendering.shorten_mrkdwn("short", 10) == "short"


def test_fit_blocks_keeps_fifty_and_says_how_many_were_dropped():
    blocks = [rendering.section(str(i)) for i in range(120)]

    fitted = rendering.fit_blocks(blocks)

    assert len(fitted) == MAX_BLOCKS
    assert "71 more" in fitted[-1]["elements"][0]["text"]


@pytest.mark.parametrize("text", ["a" * 10_000, "<&>" * 4_000, ("line & more\n" * 2_000)])
def test_chunk_escaped_respects_the_limit_and_never_splits_an_entity(text):
    chunks = chunk_escaped(text)

    assert all(0 < len(chunk) <= SECTION_TEXT_LIMIT for chunk in chunks)
    joined = "".join(chunks)
    assert "&" not in joined.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "")
    assert len(rendering.unescape(joined).replace("\n", "").replace(" ", "")) == len(
        text.replace("\n", "").replace(" ", "")
    )


def stored(i: int, text: str = "Body text", title: str = "Title") -> SimpleNamespace:
    return SimpleNamespace(
        id=1000 + i,  # never shown: people see the per-channel number
        number=i,
        title=title,
        text=text,
        source="pin",
        added_by="U1",
        created_at=datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
        permalink=None,
    )


def page_of(documents: list, *, total: int, page: int = 1) -> SimpleNamespace:
    per_page = rendering.LIST_PAGE_SIZE
    return SimpleNamespace(
        documents=documents, total=total, page=page, pages=max(1, -(-total // per_page))
    )


def test_a_full_list_page_of_worst_case_documents_fits_slacks_limits():
    # Titles and previews of `&` grow five times when escaped; permalinks are long.
    documents = [
        SimpleNamespace(
            **{**vars(stored(n, text="&" * 5_000, title="&" * rendering.TITLE_LIMIT)),
            "permalink": "https://a-long-workspace-name.slack.com/archives/C0123456789/"
            "p1712345678901234?thread_ts=1712345678.901234&cid=C0123456789",
        })
        for n in range(9_981, 10_001)
    ]

    message = rendering.document_list_message(page_of(documents, total=10_000, page=500))

    assert_within_slack_limits(message)
    assert "10,000 context documents" in message.text and "page 500 of 500" in message.text
    assert "&&" not in json.dumps(message.blocks) and not message.text.endswith("&amp…")
    assert "*#10000 " in json.dumps(message.blocks) and "#1010" not in message.text


def test_a_list_page_shows_its_numbers_and_the_way_on():
    documents = [stored(n) for n in range(21, 41)]

    message = rendering.document_list_message(page_of(documents, total=45, page=2))

    assert_within_slack_limits(message)
    actions = message.blocks[-1]
    assert actions["type"] == "actions"
    assert [(e["action_id"], e["value"]) for e in actions["elements"]] == [
        (rendering.LIST_PREVIOUS_ACTION, "1"),
        (rendering.LIST_NEXT_ACTION, "3"),
    ]
    assert "`/context list 3`" in json.dumps(message.blocks)
    assert "*#21 Title*" in message.blocks[1]["text"]["text"]
    assert "#1021" not in json.dumps(message.blocks)


def test_a_single_page_list_has_no_page_buttons_and_past_the_end_says_so():
    one_page = rendering.document_list_message(page_of([stored(1)], total=1))
    past = rendering.document_list_message(page_of([], total=45, page=9))
    empty = rendering.document_list_message(page_of([], total=0))

    assert all(b["type"] != "actions" for b in one_page.blocks)
    assert one_page.text.startswith("1 context document in this channel:")
    assert "There is no page 9" in past.text and "`/context list 3`" in past.text
    assert "no context documents yet" in empty.text


def test_a_long_document_is_shown_over_several_sections_within_limits():
    message = rendering.document_message(stored(3, text="All & nothing. " * 20_000))

    assert_within_slack_limits(message)
    assert sum(b["type"] == "section" for b in message.blocks) > 2
    assert "too long" in json.dumps(message.blocks[-1])


def test_more_answers_lists_the_answers_after_the_best():
    result = AnswerResult("q", (answer(), answer("Seattle", 0.2)), 1)

    message = rendering.more_answers_message(result)

    assert "Seattle" in message.text and "John" not in message.text
    nothing = rendering.more_answers_message(AnswerResult("q", (answer(),), 1))
    assert "No other answers" in nothing.text


def test_the_modal_carries_the_channel():
    view = rendering.add_context_modal("C9")

    assert json.loads(view["private_metadata"]) == {"channel_id": "C9"}
    assert view["callback_id"] == rendering.ADD_CONTEXT_VIEW


def test_the_model_unavailable_message_is_honest() -> None:
    from bot.rendering import model_unavailable_message

    unavailable = model_unavailable_message()

    assert "admin" in unavailable.text and "server log" in unavailable.text
    assert "try again in a minute" not in unavailable.text.lower()


# -- documents that disagree ------------------------------------------------------------------


def other(text: str = "Seattle", confidence: float = 0.6, **overrides) -> Answer:
    """An answer from another document (#8, "Old wiki")."""
    values = {"document_id": "8", "document_title": "Old wiki"} | overrides
    return answer(text, confidence, **values)


def test_two_confident_answers_from_different_documents_disagree():
    first, second = answer(confidence=0.8), other(confidence=0.4)

    assert rendering.disagreeing_answers([first, second]) == (first, second)
    # Only the two best count: a third, however different, changes nothing.
    assert rendering.disagreeing_answers([first, second, other("Bye", 0.3)]) == (first, second)


@pytest.mark.parametrize(
    ("answers", "why"),
    [
        ([answer()], "one answer"),
        ([], "no answer"),
        ([answer(confidence=0.8), answer("Seattle", 0.7)], "the same document"),
        ([answer(confidence=0.8), other(confidence=0.39)], "the second is less than half"),
        ([answer(confidence=0.8), other("John", 0.7)], "the same text"),
    ],
)
def test_answers_that_do_not_disagree(answers, why):
    assert rendering.disagreeing_answers(answers) is None, why


def test_the_second_answer_at_exactly_half_the_first_still_disagrees():
    first, second = answer(confidence=0.5), other(confidence=0.25)

    assert rendering.disagreeing_answers([first, second]) == (first, second)
    assert rendering.disagreeing_answers([first, other(confidence=0.2499)]) is None


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Tuesday", "tuesday."),
        ("the Tuesday", "Tuesday"),
        ("Tuesday", "every Tuesday at 14:00"),
        ("every Tuesday at 14:00", "Tuesday at 14:00"),
        ("...", "Tuesday"),
    ],
)
def test_texts_that_say_the_same_thing_are_not_a_disagreement(a, b):
    first = replace(answer(), text=a)
    second = replace(other(), text=b)

    assert rendering.disagreeing_answers([first, second]) is None


@pytest.mark.parametrize(
    ("a", "b"), [("Tuesday", "Thursday"), ("Tuesday at 14:00", "Tuesday at 16:00")]
)
def test_texts_that_differ_are_a_disagreement(a, b):
    first = replace(answer(), text=a)
    second = replace(other(), text=b)

    assert rendering.disagreeing_answers([first, second]) == (first, second)


def test_the_reply_says_the_documents_disagree_and_shows_both_with_their_sources():
    result = AnswerResult("Where?", (answer(confidence=0.7), other(confidence=0.5)), 2)

    # Row ids 7 and 8 are the channel's documents #3 and #4: people see the numbers.
    sources = rendering.Sources(
        numbers={"7": 3, "8": 4}, permalinks={"8": "https://x.slack.com/archives/C1/p8"}
    )
    message = rendering.answer_message(result, has_documents=True, sources=sources)

    assert [b["type"] for b in message.blocks] == [
        "section",  # the documents disagree
        "rich_text",  # the best answer and its sentence
        "context",  # its source
        "rich_text",  # the other answer
        "context",
        "context",  # how to check them
        "actions",
    ]
    assert "documents disagree" in message.blocks[0]["text"]["text"]
    first_line, first_quote = message.blocks[1]["elements"]
    second_line, second_quote = message.blocks[3]["elements"]
    assert shown(first_line["elements"]) == "[John]"
    assert shown(first_quote["elements"]) == "My name is [John] and I live in Seattle."
    assert shown(second_line["elements"]) == "[Seattle]"
    assert shown(second_quote["elements"]) == "My name is John and I live in [Seattle]."
    first_source = message.blocks[2]["elements"][0]["text"]
    second_source = message.blocks[4]["elements"][0]["text"]
    assert "“About &lt;me&gt; &amp; co”" in first_source and "70%" in first_source
    assert "<https://x.slack.com/archives/C1/p8|Old wiki>" in second_source
    assert "50%" in second_source
    hint = message.blocks[5]["elements"][0]["text"]
    assert "`/context show 3`" in hint and "`/context show 4`" in hint
    # The buttons vote on the best answer, as in any reply.
    up = message.blocks[6]["elements"][0]
    assert rendering.voted_answer(up["value"]).answer == "John"
    assert message.text.startswith("John (from “About &lt;me&gt; &amp; co”, 70% confident)")
    assert "“Old wiki” says Seattle (50% confident): the documents disagree." in message.text
    assert_within_slack_limits(message)


def test_a_reply_without_disagreement_does_not_mention_it():
    result = AnswerResult("Where?", (answer(confidence=0.9), other(confidence=0.2)), 2)

    message = rendering.answer_message(result, has_documents=True)

    assert "disagree" not in all_text(message)
    assert [b["type"] for b in message.blocks] == ["rich_text", "context", "actions"]


def test_documents_without_stored_ids_get_no_show_hint():
    result = AnswerResult("Where?", (answer(document_id="me"), other(document_id="wiki")), 2)

    message = rendering.answer_message(result, has_documents=True)

    assert "disagree" in message.text
    assert "/context show" not in all_text(message)


def test_a_disagreement_between_huge_answers_stays_within_slack_limits():
    sentence = "word " * 3000 + "John & <co>" + " more" * 3000
    start = sentence.index("John")
    huge = {
        "sentence": sentence,
        "sentence_start": 0,
        "sentence_end": len(sentence),
        "start": start,
        "end": start + 11,
        "text": "John & <co>" * 300,
        "document_title": "<t>" * 400,
    }
    result = AnswerResult("q " * 2000, (replace(answer(), **huge), replace(other(), **huge)), 2)

    message = rendering.answer_message(result, has_documents=True)

    assert_within_slack_limits(message)
    assert "<co>" not in message.text and "<t>" not in json.dumps(message.blocks)


# -- /context stats ---------------------------------------------------------------------------


def calibration(**overrides) -> Calibration:
    values = {
        "threshold": 0.1,
        "basis": Basis.DEFAULT,
        "target": 0.8,
        "helpful": 0,
        "unhelpful": 0,
        "rated": 0,
        "voters": 0,
        "counted": 0.0,
        "precision": None,
    }
    return Calibration(**(values | overrides))


def stats_text(message: rendering.Message) -> str:
    assert_within_slack_limits(message)
    [block] = message.blocks
    assert block["text"]["text"] == message.text
    return message.text


def test_stats_of_a_new_channel():
    text = stats_text(rendering.stats_message(0, calibration()))

    assert "*Documents:* 0" in text
    assert "*Votes:* none yet" in text
    assert "*Threshold in force:* 10% — the default (`QA_NO_ANSWER_THRESHOLD`)" in text
    assert "count for 20, from at least 5 people" in text
    assert "Precision" not in text


def test_stats_before_there_are_enough_votes():
    c = calibration(helpful=9, unhelpful=3, rated=12, voters=2, counted=0.0, precision=0.75)

    text = stats_text(rendering.stats_message(4, c))

    assert "*Votes:* 👍 9 · 👎 3 (12 votes from 2 people)" in text
    assert "*Precision:* 75% of the answers voted on helped; at or above the threshold, 75%." in (
        text
    )
    assert "the default" in text and "so far they count for 0" in text


def test_stats_of_a_calibrated_channel():
    c = calibration(
        threshold=0.6901,
        basis=Basis.CALIBRATED,
        helpful=20,
        unhelpful=10,
        rated=30,
        voters=5,
        counted=30.0,
        precision=1.0,
    )

    text = stats_text(rendering.stats_message(2, c))

    assert "*Documents:* 2" in text
    assert "👍 20 · 👎 10 (30 votes from 5 people)" in text
    assert "67% of the answers voted on helped; at or above the threshold, 100%." in text
    assert "*Threshold in force:* 69% — set from 30 votes: the lowest" in text
    assert "at least 80% of the answers shown helped" in text
    assert "default" not in text


def test_stats_when_no_threshold_reaches_the_target():
    c = calibration(
        threshold=0.9,
        basis=Basis.CEILING,
        target=0.95,
        helpful=10,
        unhelpful=20,
        rated=30,
        voters=6,
        counted=30.0,
    )

    text = stats_text(rendering.stats_message(3, c))

    assert "*Threshold in force:* 90% — the highest allowed" in text
    assert "no threshold gets 95%" in text and "out of date" in text
    assert "no answer voted on is at or above the threshold" in text


def test_stats_count_old_votes_without_a_confidence_apart():
    c = calibration(helpful=3, unhelpful=2, rated=1, voters=4, precision=1.0)

    text = stats_text(rendering.stats_message(1, c))

    assert "(5 votes from 4 people)" in text
    assert "4 cast before answers carried their confidence count only here" in text


def test_help_mentions_stats():
    assert "`/context stats`" in rendering.help_message().text
