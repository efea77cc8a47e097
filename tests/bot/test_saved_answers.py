"""A saved answer's FAQ entry reads back, through the engine's own FAQ parser, as exactly
the question and the answer that were saved."""

from __future__ import annotations

from bot.saved_answers import answer_text, faq_entry, question_text
from qa_engine.faq import best_faq_match, faq_entries
from qa_engine.types import Passage


def _entries(text: str):
    return faq_entries(Passage(document_id="1", index=0, start=0, end=len(text), text=text))


def test_the_mentions_a_question_starts_with_are_not_part_of_it():
    assert question_text("<@UBOT> when do  deploys\nhappen?") == "when do deploys happen?"
    assert question_text("<@U1|ana>, <@U2> where is the <#C9|ops> runbook?") == (
        "where is the #ops runbook?"
    )
    assert question_text("Ask <@U1> about &lt;staging&gt;") == "Ask @U1 about <staging>"


def test_an_entry_parses_back_to_its_question_and_answer():
    text = faq_entry("When do\ndeploys happen?", "Every Tuesday at 14:00.")

    [entry] = _entries(text)

    assert text == "Q: When do deploys happen?\nA: Every Tuesday at 14:00."
    assert (entry.question, entry.answer) == ("When do deploys happen?", "Every Tuesday at 14:00.")


def test_blank_lines_and_question_like_lines_do_not_cut_a_long_answer_short():
    answer = "First, open the runbook.\n\n\nQ: is it safe? Yes.\n  Then press deploy."

    [entry] = _entries(faq_entry("How do I deploy?", answer))

    assert entry.answer == "First, open the runbook.\n“Q:” is it safe? Yes.\n  Then press deploy."
    assert answer_text("  \n") == ""


def test_the_next_question_in_other_words_matches_the_saved_entry():
    text = faq_entry("When do deploys happen?", "Every Tuesday at 14:00.")
    passage = Passage(document_id="1", index=0, start=0, end=len(text), text=text)

    match = best_faq_match("when do the deploys happen", [passage])

    assert match is not None and match[0].answer == "Every Tuesday at 14:00."
