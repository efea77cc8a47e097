"""What qabot says in Slack: pure functions from answers and documents to messages.

Nothing here talks to Slack or the database. Every builder returns a `Message` whose
blocks respect Slack's limits (3,000 characters per section text, 50 blocks per message,
2,000 characters per button value) and whose plain `text` is the notification/fallback.
Text quoted from documents is escaped (`&`, `<`, `>`) so it can never turn into a
mention, a link or a broken entity; text coming *from* Slack goes the other way through
`plain_text_from_slack` before it is stored.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.calibration import Basis, Calibration
from qa_engine.squad import normalize_answer
from qa_engine.types import Answer, AnswerResult

SECTION_TEXT_LIMIT = 3000
MAX_BLOCKS = 50
MESSAGE_TEXT_LIMIT = 40_000  # Slack's cap on a message's characters, text and blocks
LIST_PAGE_SIZE = 20
"""Documents on one `/context list` page: 2 blocks each, plus a header, a footer and the
page buttons (43 of Slack's 50 blocks), and at most ~30,000 characters even when every
title and preview is made of `&` (escaped five times over)."""
BUTTON_VALUE_LIMIT = 2000
FALLBACK_TEXT_LIMIT = 3000
TITLE_LIMIT = 80
PREVIEW_LIMIT = 140

# Slack ids the listeners route on (kept here so the buttons and the handlers agree).
FEEDBACK_UP_ACTION = "answer_feedback_up"
FEEDBACK_DOWN_ACTION = "answer_feedback_down"
MORE_ANSWERS_ACTION = "answer_more"
CLEAR_CONFIRM_ACTION = "context_clear_confirm"
CLEAR_CANCEL_ACTION = "context_clear_cancel"
LIST_PREVIOUS_ACTION = "context_list_previous"
LIST_NEXT_ACTION = "context_list_next"
ADD_CONTEXT_VIEW = "add_context_modal"
ADD_CONTEXT_SHORTCUT = "add_to_context"
MODAL_TITLE_BLOCK = "title"
MODAL_TITLE_INPUT = "title_input"
MODAL_BODY_BLOCK = "body"
MODAL_BODY_INPUT = "body_input"
MODAL_BODY_LIMIT = 3000  # Slack's cap on a plain_text_input's max_length
SAVE_ANSWER_SHORTCUT = "save_as_answer"
ADD_ANSWER_ACTION = "add_answer"
SAVE_ANSWER_VIEW = "save_answer_modal"
ANSWER_QUESTION_BLOCK = "question"
ANSWER_QUESTION_INPUT = "question_input"
ANSWER_BODY_BLOCK = "answer"
ANSWER_BODY_INPUT = "answer_input"

HOW_TO_ADD_CONTEXT = (
    "Add context with `/context add &lt;text&gt;` (or `/context add` for a form), pin a message "
    "in this channel, or use the message shortcut *Add to channel context*."
)
APOLOGY = "Sorry, something went wrong on my side while answering. Please try again in a minute."
MODEL_UNAVAILABLE = (
    "Sorry, I can't read documents right now: my question-answering model isn't available "
    "on the server, so trying again won't help yet. An admin needs to look at the server "
    "log, which says what to fix."
)


@dataclass(frozen=True)
class Message:
    """A Slack message: `text` is the plain fallback, `blocks` the layout."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)

    def as_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `chat_postMessage`, `respond`, `chat_postEphemeral`."""
        kwargs: dict[str, Any] = {"text": self.text}
        if self.blocks:
            kwargs["blocks"] = self.blocks
        return kwargs


# -- text in and out of Slack ---------------------------------------------------------------

_SLACK_MARKUP = re.compile(r"<([^<>]*)>")


def escape(text: str) -> str:
    """Escape the three characters Slack's message markup reserves."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def plain_text_from_slack(text: str) -> str:
    """Message text as a person reads it: links become their labels, entities characters.

    `<@U123|ana>` → `@ana`, `<#C1|general>` → `#general`, `<!here>` → `@here`,
    `<https://x|docs>` → `docs`, `<https://x>` → `https://x`, `&amp;` → `&`.
    """

    def readable(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return "@" + (label or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            name = target[1:].split("^", 1)[0]
            return label or ("@" + name if name in {"here", "channel", "everyone"} else "")
        return label or target

    # NUL never reads as anything, and PostgreSQL text columns reject it.
    return unescape(_SLACK_MARKUP.sub(readable, text)).replace("\x00", "")


def strip_mention(text: str, bot_user_id: str | None) -> str:
    """The question in an `app_mention`: the text without the mention(s) of the bot."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(\|[^>]*)?>", " ", text)
    return " ".join(plain_text_from_slack(text).split())


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, with an ellipsis when it was cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…"


def title_from_text(text: str, limit: int = TITLE_LIMIT) -> str:
    """A document's default title: its first non-blank line, shortened."""
    for line in text.splitlines():
        if line.strip():
            return shorten(" ".join(line.split()), limit)
    return "Untitled"


def preview(text: str, limit: int = PREVIEW_LIMIT) -> str:
    return shorten(" ".join(text.split()), limit)


def confidence_label(confidence: float) -> str:
    return f"{round(max(0.0, min(1.0, confidence)) * 100)}%"


def highlight(sentence: str, start: int, end: int) -> list[dict[str, Any]]:
    """`sentence` as rich-text elements, with `sentence[start:end]` in bold.

    Rich text, not mrkdwn: quoted documents are full of `*`, `_`, `~` and backticks
    (`*stg-7.internal*` became `**stg-7.internal**`, which Slack shows with its stars and
    without bold), and mrkdwn has no way to escape them. A rich-text `text` element is
    shown as written, and its bold is a style, not a character; nothing needs escaping.
    Whitespace at the edges of the answer moves outside the bold, and line breaks become
    spaces so the quote stays one paragraph.
    """
    start = max(0, min(start, len(sentence)))
    end = max(start, min(end, len(sentence)))
    answer = sentence[start:end]
    if not answer.strip():
        return _rich_text([(sentence, False)])
    lead = answer[: len(answer) - len(answer.lstrip())]
    trail = answer[len(answer.rstrip()) :]
    return _rich_text(
        [(sentence[:start] + lead, False), (answer.strip(), True), (trail + sentence[end:], False)]
    )


def _rich_text(pieces: Sequence[tuple[str, bool]]) -> list[dict[str, Any]]:
    """Rich-text `text` elements for (text, bold) pieces, whitespace runs made one space
    (across pieces too), empty pieces dropped (Slack rejects empty text elements)."""
    elements: list[dict[str, Any]] = []
    previous_space = True  # no leading space
    for text, bold in pieces:
        text = re.sub(r"\s+", " ", text)
        if previous_space:
            text = text.lstrip(" ")
        if not text:
            continue
        previous_space = text.endswith(" ")
        element: dict[str, Any] = {"type": "text", "text": text}
        if bold:
            element["style"] = {"bold": True}
        elements.append(element)
    if elements and not elements[-1].get("style"):
        elements[-1]["text"] = elements[-1]["text"].rstrip(" ")
        if not elements[-1]["text"]:
            elements.pop()
    return elements


def _one_line(text: str) -> str:
    return " ".join(text.split())


# -- blocks -----------------------------------------------------------------------------------


_PARTIAL_MARKUP = re.compile(r"(&[a-z]*|<[^>]*)$")


def shorten_mrkdwn(text: str, limit: int) -> str:
    """`shorten` for mrkdwn: never ends inside an entity (`&am…`) or a link (`<http…`)."""
    if len(text) <= limit:
        return text
    cut = _PARTIAL_MARKUP.sub("", text[: max(limit - 1, 0)])
    return cut.rstrip() + "…"


def section(text: str) -> dict[str, Any]:
    """A mrkdwn section; text beyond Slack's 3,000 characters is cut with an ellipsis."""
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": shorten_mrkdwn(text, SECTION_TEXT_LIMIT)},
    }


def context(text: str) -> dict[str, Any]:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": shorten_mrkdwn(text, SECTION_TEXT_LIMIT)}],
    }


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": shorten(text, 75), "emoji": True},
        "action_id": action_id,
        "value": value[:BUTTON_VALUE_LIMIT],
    }
    if style:
        element["style"] = style
    return element


def fit_blocks(blocks: Sequence[dict[str, Any]], limit: int = MAX_BLOCKS) -> list[dict[str, Any]]:
    """At most `limit` blocks; when some are dropped, the last one says how many."""
    if len(blocks) <= limit:
        return list(blocks)
    kept = list(blocks[: limit - 1])
    kept.append(context(f"…and {len(blocks) - len(kept)} more not shown."))
    return kept


def _message(text: str, blocks: Sequence[dict[str, Any]]) -> Message:
    return Message(text=shorten_mrkdwn(text, FALLBACK_TEXT_LIMIT), blocks=fit_blocks(blocks))


def encode_value(payload: Mapping[str, Any], *, shrink: str) -> str:
    """JSON for a button value, cutting `payload[shrink]` until it fits 2,000 characters."""
    data = dict(payload)
    value = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    while len(value) > BUTTON_VALUE_LIMIT and data.get(shrink):
        text = str(data[shrink])
        data[shrink] = text[: max(0, len(text) - (len(value) - BUTTON_VALUE_LIMIT) - 8)]
        value = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return value


def decode_value(value: str | None) -> dict[str, Any]:
    """The payload of a button built by `encode_value`; `{}` when it isn't one."""
    try:
        data = json.loads(value or "")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


# -- answers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sources:
    """What an answer's source line shows about the documents answers came from, keyed by
    the engine's document id (the stored row id as a string)."""

    numbers: Mapping[str, int] = field(default_factory=dict)
    """The per-channel number people use with `/context show`."""
    permalinks: Mapping[str, str] = field(default_factory=dict)
    """Link to the Slack message a document came from, where there is one."""


def _title(answer: Answer) -> str:
    return escape(answer.document_title or "Untitled")


def _source(answer: Answer, sources: Sources) -> str:
    title = _title(answer)
    link = sources.permalinks.get(answer.document_id)
    number = sources.numbers.get(answer.document_id)
    # A title can't hold `|` or `>` inside a link label without ending it early.
    named = f"<{link}|{title.replace('|', '¦')}>" if link else f"“{title}”"
    return f"#{number} {named}" if number is not None else named


SENTENCE_CONTEXT = 600  # characters of the sentence kept on each side of the answer


def quoted_sentence(answer: Answer) -> list[dict[str, Any]]:
    """The answer's sentence as rich text with the answer in bold; a very long one is
    trimmed around it."""
    start = answer.start - answer.sentence_start
    end = answer.end - answer.sentence_start
    sentence = answer.sentence
    left = max(0, start - SENTENCE_CONTEXT)
    right = min(len(sentence), end + SENTENCE_CONTEXT)
    quoted = highlight(sentence[left:right], start - left, end - left)
    if left:
        quoted.insert(0, {"type": "text", "text": "…"})
    if right < len(sentence):
        quoted.append({"type": "text", "text": "…"})
    return quoted


def _answer_blocks(answer: Answer, sources: Sources) -> list[dict[str, Any]]:
    # The answer and its sentence are quoted from a document: rich text (see `highlight`).
    answer_line = [{"type": "text", "text": _one_line(answer.text), "style": {"bold": True}}]
    return [
        {
            "type": "rich_text",
            "elements": [
                {"type": "rich_text_section", "elements": answer_line},
                {"type": "rich_text_quote", "elements": quoted_sentence(answer)},
            ],
        },
        context(
            f"From {_source(answer, sources)} · {confidence_label(answer.confidence)} confident"
        ),
    ]


def feedback_value(question: str, answer: Answer) -> str:
    """The 👍/👎 buttons' value: the answer voted on, with its confidence (which calibrates
    the channel's threshold, `bot.calibration`). The question is cut first when it's long."""
    return encode_value(
        {
            "d": answer.document_id,
            "a": shorten(answer.text, 500),
            "c": answer.confidence,
            "q": question,
        },
        shrink="q",
    )


@dataclass(frozen=True)
class VotedAnswer:
    """What a 👍/👎 button says about the answer it is under (`feedback_value`)."""

    question: str
    answer: str
    document_id: int | None
    confidence: float | None
    """None for buttons posted before confidences were sent, or a value that isn't one."""


def voted_answer(value: str | None) -> VotedAnswer:
    """The answer a 👍/👎 button's value describes; anything missing or malformed is empty."""
    data = decode_value(value)
    document_id = str(data.get("d", ""))
    confidence = data.get("c")
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, int | float)
        or not math.isfinite(confidence)
        or not 0.0 <= confidence <= 1.0
    ):
        confidence = None
    return VotedAnswer(
        question=str(data.get("q", "")),
        answer=str(data.get("a", "")),
        document_id=int(document_id) if document_id.isascii() and document_id.isdigit() else None,
        confidence=None if confidence is None else float(confidence),
    )


def more_answers_value(question: str) -> str:
    return encode_value({"q": question}, shrink="q")


DISAGREEMENT_RATIO = 0.5
"""The second answer is "confident too" when it has at least this share of the first's
confidence."""


def disagreeing_answers(answers: Sequence[Answer]) -> tuple[Answer, Answer] | None:
    """The two best answers when their documents disagree: they come from different
    documents, say different things, and the second is confident too
    (≥ `DISAGREEMENT_RATIO` of the first). None otherwise.

    "Different things" is compared after SQuAD's normalisation (case, punctuation,
    articles), and an answer whose words appear, in order, inside the other's is not a
    different thing: "Tuesday" and "every Tuesday at 14:00" agree.
    """
    if len(answers) < 2:
        return None
    first, second = answers[0], answers[1]
    if first.document_id == second.document_id:
        return None
    if second.confidence < DISAGREEMENT_RATIO * first.confidence:
        return None
    if _one_says_the_other(first.text, second.text):
        return None
    return first, second


def _one_says_the_other(a: str, b: str) -> bool:
    words_a, words_b = normalize_answer(a).split(), normalize_answer(b).split()
    if not words_a or not words_b:  # nothing left to disagree about (punctuation only)
        return True
    short, long = sorted((words_a, words_b), key=len)
    return any(long[i : i + len(short)] == short for i in range(len(long) - len(short) + 1))


def _disagreement_blocks(first: Answer, second: Answer, sources: Sources) -> list[dict[str, Any]]:
    blocks = [
        section(
            "*The documents disagree.* Two of them give different answers, both likely; "
            "one may be out of date."
        ),
        *_answer_blocks(first, sources),
        *_answer_blocks(second, sources),
    ]
    numbers = [sources.numbers.get(a.document_id) for a in (first, second)]
    if all(number is not None for number in numbers):
        blocks.append(
            context(
                f"Check them with `/context show {numbers[0]}` and `/context show "
                f"{numbers[1]}`; `/context remove &lt;number&gt;` takes out the stale one."
            )
        )
    return blocks


def answer_message(
    result: AnswerResult,
    *,
    has_documents: bool,
    sources: Sources | None = None,
) -> Message:
    """The reply to a question: the best answer, its source and buttons — or why there's none.

    The feedback buttons carry the document's stable id, never its number. When the
    documents disagree (`disagreeing_answers`), the reply says so and shows both answers
    with their sources. The fallback text starts with the best answer either way.
    """
    best = result.best
    if best is None:
        return no_answer_message(
            result.no_answer_reason, has_documents=has_documents, question=result.question
        )
    sources = sources or Sources()
    disagreement = disagreeing_answers(result.answers)
    if disagreement is None:
        blocks = _answer_blocks(best, sources)
    else:
        blocks = _disagreement_blocks(*disagreement, sources)
    buttons = [
        button("👍 Helpful", FEEDBACK_UP_ACTION, feedback_value(result.question, best)),
        button("👎 Not helpful", FEEDBACK_DOWN_ACTION, feedback_value(result.question, best)),
    ]
    if len(result.answers) > 1:
        buttons.append(
            button("More answers", MORE_ANSWERS_ACTION, more_answers_value(result.question))
        )
    blocks.append({"type": "actions", "elements": buttons})
    text = (
        f"{escape(best.text)} (from “{_title(best)}”, {confidence_label(best.confidence)} "
        "confident)"
    )
    if disagreement is not None:
        other = disagreement[1]
        text += (
            f" — but “{_title(other)}” says {escape(other.text)} "
            f"({confidence_label(other.confidence)} confident): the documents disagree."
        )
    return _message(text, blocks)


def more_answers_message(result: AnswerResult, *, sources: Sources | None = None) -> Message:
    """The answers after the best one, for the "More answers" button."""
    others = result.answers[1:]
    if not others:
        return _message(
            "No other answers were likely enough to show.",
            [section("No other answers were likely enough to show.")],
        )
    blocks = [section(f"Other possible answers to “{escape(shorten(result.question, 300))}”:")]
    for answer in others:
        blocks.extend(_answer_blocks(answer, sources or Sources()))
    text = "Other possible answers: " + "; ".join(escape(a.text) for a in others)
    return _message(text, blocks)


def unprompted_answer_message(
    result: AnswerResult, *, switch: str, sources: Sources | None = None
) -> Message:
    """An answer nobody asked qabot for (`switch`: "followups" or "autoanswer"), with a
    note on how to stop such answers; only called with an answer to show."""
    message = answer_message(result, has_documents=True, sources=sources)
    note = f"Answered without a mention · `/context {switch} off` stops that"
    return _message(message.text, fit_blocks([*message.blocks, context(note)]))


def switch_message(switch: str, on: bool, *, autoanswer_threshold: float) -> Message:
    """What `/context followups|autoanswer [on|off]` does now in this channel."""
    if switch == "followups" and on:
        text = (
            "*Follow-ups are on.* In a thread where I've answered, I also answer new "
            "questions without a mention (when I find an answer). "
            "`/context followups off` turns this off."
        )
    elif switch == "followups":
        text = (
            "*Follow-ups are off.* I answer here only when someone mentions me. "
            "`/context followups on` turns them back on."
        )
    elif on:
        text = (
            "*Autoanswer is on.* When someone posts a question in this channel, I answer it "
            f"in a thread if I'm at least {confidence_label(autoanswer_threshold)} sure, and "
            "stay quiet otherwise. `/context autoanswer off` turns this off."
        )
    else:
        text = (
            "*Autoanswer is off.* Questions posted here get an answer only when someone "
            "mentions me. `/context autoanswer on` makes me answer them when I'm sure."
        )
    return notice(text)


def switch_usage_message(switch: str, given: str) -> Message:
    """`/context followups|autoanswer` with something other than on or off."""
    return notice(
        f"`/context {switch}` takes `on` or `off` (`{escape(shorten(given, 40))}` isn't "
        f"either), e.g. `/context {switch} on`. Nothing changed."
    )


def no_answer_message(
    reason: str | None, *, has_documents: bool, question: str | None = None
) -> Message:
    """Why there is no answer, and how to give qabot something to answer from; with the
    `question`, an *Add the answer* button that opens a form to save one."""
    if not has_documents:
        text = (
            "This channel has no context documents yet, so I have nothing to answer from. "
            + HOW_TO_ADD_CONTEXT
        )
    else:
        because = f"{escape(reason.strip())} " if reason else ""
        text = (
            f"I couldn't find an answer in this channel's context. {because}"
            "If it's written down somewhere, add it and ask again. " + HOW_TO_ADD_CONTEXT
        )
    blocks = [section(text)]
    if question and question.strip():
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    button("Add the answer", ADD_ANSWER_ACTION, more_answers_value(question))
                ],
            }
        )
    return _message(text, blocks)


def empty_question_message() -> Message:
    text = "Ask me a question after the mention, e.g. “@qabot when is the next release?”"
    return _message(text, [section(escape(text))])


def apology_message() -> Message:
    return _message(APOLOGY, [section(APOLOGY)])


def model_unavailable_message() -> Message:
    """The honest reply while the QA model can't load: retrying is no use, an admin must act."""
    return _message(MODEL_UNAVAILABLE, [section(MODEL_UNAVAILABLE)])


def late_reply(message: Message, waited: timedelta) -> Message:
    """`message` with a first line saying sorry for the delay (Slack refused it meanwhile)."""
    minutes = max(1, round(waited.total_seconds() / 60))
    note = (
        f"_Sorry this comes {minutes} minute{'s' if minutes != 1 else ''} late: Slack wasn't "
        "accepting my messages._"
    )
    return _message(f"{note}\n{message.text}", fit_blocks([context(note), *message.blocks]))


# -- documents --------------------------------------------------------------------------------


def _when(created_at: datetime) -> str:
    fallback = created_at.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(created_at.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def _source_label(source: Any) -> str:
    value = getattr(source, "value", source)
    return {
        "slash_command": "/context add",
        "modal": "the form",
        "pin": "a pin",
        "shortcut": "the shortcut",
        "saved_answer": "Save as answer",
        "file": "a file",
    }.get(str(value), str(value))


def _document_meta(document: Any) -> str:
    via = _source_label(document.source)
    meta = f"#{document.number} · added by <@{document.added_by}> via {via}"
    meta += f" · {_when(document.created_at)}"
    if getattr(document, "permalink", None):
        meta += f" · <{document.permalink}|original message>"
    return meta


def document_list_message(page: Any) -> Message:
    """`/context list [page]`: one page of documents (number, title, who added it and when, a
    short preview), the total, and buttons to the neighbouring pages.

    `page` has `documents`, `total`, `page` and `pages` (`bot.storage.DocumentPage`).
    """
    if page.total == 0:
        return notice("This channel has no context documents yet. " + HOW_TO_ADD_CONTEXT)
    if not page.documents:
        return notice(
            f"There is no page {page.page}: this channel's {_documents(page.total)} fit on "
            f"{_pages(page.pages)}. `/context list {page.pages}` shows the last one."
        )
    header = f"{_documents(page.total)} in this channel"
    if page.pages > 1:
        header += f" · page {page.page} of {page.pages}"
    blocks = [section(f"*{header}*")]
    for document in page.documents:
        blocks.append(
            section(
                f"*#{document.number} {escape(document.title)}*\n{escape(preview(document.text))}"
            )
        )
        blocks.append(context(_document_meta(document)))
    hint = "`/context show &lt;number&gt;` shows a document in full."
    if page.page < page.pages:
        hint = f"`/context list {page.page + 1}` shows the next page. " + hint
    blocks.append(context(hint))
    buttons = []
    if page.page > 1:
        buttons.append(button("← Previous page", LIST_PREVIOUS_ACTION, str(page.page - 1)))
    if page.page < page.pages:
        buttons.append(button("Next page →", LIST_NEXT_ACTION, str(page.page + 1)))
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    lines = [f"#{d.number} {escape(d.title)}" for d in page.documents]
    return _message(header + ":\n" + "\n".join(lines), blocks)


def _documents(count: int) -> str:
    return f"{count:,} context document{'s' if count != 1 else ''}"


def _pages(count: int) -> str:
    return f"{count:,} page{'s' if count != 1 else ''}"


def chunk_escaped(text: str, limit: int = SECTION_TEXT_LIMIT) -> list[str]:
    """`text` escaped and cut into pieces of at most `limit` characters.

    Cuts fall between lines or words when possible and never inside an escaped entity.
    """
    pieces: list[str] = []
    rest = text
    while rest:
        take = min(len(rest), limit)
        while len(escape(rest[:take])) > limit:
            take -= max(1, (len(escape(rest[:take])) - limit + 4) // 5)
        if take < len(rest):
            cut = max(rest.rfind("\n", 0, take), rest.rfind(" ", 0, take))
            if cut > take // 2:
                take = cut + 1
        piece = escape(rest[:take]).strip()
        if piece:
            pieces.append(piece)
        rest = rest[take:]
    return pieces


def document_message(document: Any) -> Message:
    """`/context show <id>`: the whole document, over as many sections as it needs."""
    blocks = [
        section(f"*#{document.number} {escape(document.title)}*"),
        context(_document_meta(document)),
    ]
    fallback = f"#{document.number} {escape(document.title)}\n{escape(preview(document.text, 500))}"
    chunks = chunk_escaped(document.text)
    room = MAX_BLOCKS - len(blocks) - 1
    # Slack also caps a whole message at 40,000 characters; keep room for the rest.
    budget = MESSAGE_TEXT_LIMIT - len(fallback) - 2 * SECTION_TEXT_LIMIT
    shown = 0
    for chunk in chunks[:room]:
        budget -= len(chunk)
        if budget < 0:
            break
        blocks.append(section(chunk))
        shown += 1
    if shown < len(chunks):
        blocks.append(context("…the rest is too long to show in Slack."))
    return _message(fallback, blocks)


def added_message(document: Any) -> Message:
    text = f"Added #{document.number} “{escape(document.title)}” to this channel's context."
    return _message(text, [section(text)])


def pinned_message(document: Any) -> Message:
    return notice(
        f"Added the pinned message to this channel's context as #{document.number} "
        f"“{escape(document.title)}”. Unpin it to take it out."
    )


def saved_answer_message(document: Any) -> Message:
    """Posted in the question's thread: the channel sees who saved which answer."""
    return notice(
        f"<@{document.added_by}> saved an answer to “{escape(document.title)}” in this "
        f"channel's context (#{document.id}). I'll give it to whoever asks that next."
    )


SAVE_AS_ANSWER_HOW_TO = (
    "*Save as answer* works on a reply in a thread: the thread's first message becomes the "
    "question and the reply its answer. Open the reply's ⋮ menu in the thread and choose "
    "it there."
)


def save_answer_modal(channel_id: str, thread_ts: str | None, question: str) -> dict[str, Any]:
    """The form *Add the answer* opens: the question filled in, the answer to write."""
    metadata = {"channel_id": channel_id, "thread_ts": thread_ts}
    return _modal(
        SAVE_ANSWER_VIEW, metadata, title="Add the answer", submit="Save", blocks=[
            {
                "type": "input",
                "block_id": ANSWER_QUESTION_BLOCK,
                "label": {"type": "plain_text", "text": "Question"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": ANSWER_QUESTION_INPUT,
                    "initial_value": shorten(" ".join(question.split()), MODAL_BODY_LIMIT),
                    "max_length": MODAL_BODY_LIMIT,
                },
            },
            {
                "type": "input",
                "block_id": ANSWER_BODY_BLOCK,
                "label": {"type": "plain_text", "text": "Answer"},
                "hint": {
                    "type": "plain_text",
                    "text": "Saved in this channel's context; the next person who asks gets it.",
                },
                "element": {
                    "type": "plain_text_input",
                    "action_id": ANSWER_BODY_INPUT,
                    "multiline": True,
                    "max_length": MODAL_BODY_LIMIT,
                },
            },
        ],
    )


def _modal(
    callback_id: str, metadata: dict[str, Any], *, title: str, submit: str,
    blocks: list[dict[str, Any]],
) -> dict[str, Any]:
    """A modal whose `private_metadata` carries `metadata` (the channel, at least)."""
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": json.dumps(metadata),
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": submit},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def removed_message(document: Any) -> Message:
    text = f"Removed #{document.number} “{escape(document.title)}” from this channel's context."
    return _message(text, [section(text)])


def clear_confirmation_message(count: int) -> Message:
    text = (
        f"Remove all {count} context document{'s' if count != 1 else ''} from this channel? "
        "This can't be undone."
    )
    blocks = [
        section(text),
        {
            "type": "actions",
            "elements": [
                button("Remove all", CLEAR_CONFIRM_ACTION, str(count), style="danger"),
                button("Cancel", CLEAR_CANCEL_ACTION, "cancel"),
            ],
        },
    ]
    return _message(text, blocks)


def cleared_message(count: int) -> Message:
    text = f"Removed {count} context document{'s' if count != 1 else ''} from this channel."
    return _message(text, [section(text)])


def notice(text: str) -> Message:
    """A short message; `text` is mrkdwn written by qabot (escape any user input first)."""
    return _message(text, [section(text)])


def stats_message(documents: int, calibration: Calibration) -> Message:
    """`/context stats`: the channel's documents, its votes, the precision they imply, and
    the no-answer threshold in force with the reason for it."""
    c = calibration
    lines = ["*This channel's context, votes and answer threshold*"]
    lines.append(f"• *Documents:* {documents}")
    if c.votes == 0:
        lines.append("• *Votes:* none yet. Everyone's 👍/👎 under an answer counts here.")
    else:
        votes = (
            f"• *Votes:* 👍 {c.helpful} · 👎 {c.unhelpful} "
            f"({_count(c.votes, 'vote')} from {_count(c.voters, 'person', 'people')})"
        )
        if c.rated < c.votes:
            votes += (
                f"; {c.votes - c.rated} cast before answers carried their confidence count "
                "only here"
            )
        lines.append(votes)
        helped = f"{confidence_label(c.helpful / c.votes)} of the answers voted on helped"
        at_threshold = (
            "no answer voted on is at or above the threshold"
            if c.precision is None
            else f"at or above the threshold, {confidence_label(c.precision)}"
        )
        lines.append(f"• *Precision:* {helped}; {at_threshold}.")
    threshold = confidence_label(c.threshold)
    lines.append(f"• *Threshold in force:* {threshold} — {_threshold_reason(c)}")
    text = "\n".join(lines)
    return _message(text, [section(text)])


def _threshold_reason(c: Calibration) -> str:
    target = confidence_label(c.target)
    if c.basis is Basis.CALIBRATED:
        return (
            f"set from {_count(c.rated, 'vote')}: the lowest at which at least {target} of "
            "the answers shown helped (`QA_TARGET_PRECISION`)."
        )
    if c.basis is Basis.CEILING:
        return (
            f"the highest allowed: no threshold gets {target} of the answers voted on to "
            "help. Some documents may be wrong or out of date; the 👎 answers show which."
        )
    people = math.ceil(1 / c.max_share - 1e-9)
    return (
        "the default (`QA_NO_ANSWER_THRESHOLD`). Votes take over once they count for "
        f"{c.min_votes}, from at least {people} people (one person's votes count for at "
        f"most {confidence_label(c.max_share)} of them); so far they count for {c.counted:.0f}."
    )


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def help_message(intro: str | None = None) -> Message:
    """`/context help`; `intro` (mrkdwn) replaces the first line, e.g. for an unknown command."""
    lines = [
        intro or "*qabot answers questions from this channel's context documents.*",
        "• `@qabot &lt;question&gt;`: answer in a thread · "
        "`/ask &lt;question&gt;`: answer only to you",
        "• `/context add &lt;text&gt;`: add a document (first line = title); "
        "`/context add` alone opens a form",
        "• Pin a message: it becomes a document; unpin it to take it out. "
        "Or use the message shortcut *Add to channel context*.",
        "• `/context list [page]` · `/context show &lt;number&gt;` · "
        "`/context remove &lt;number&gt;` · `/context clear`",
        "• Files: pin a text, Markdown or PDF file, or `/context add &lt;link to the file&gt;`. "
        "On a thread reply, the shortcut *Save as answer* stores it as the answer to the "
        "thread's question.",
        "• `/context followups on|off`: in threads where I've answered, answer new questions "
        "without a mention (on by default)",
        "• `/context autoanswer on|off`: answer questions posted in this channel, in a "
        "thread, only when I'm sure; otherwise stay quiet (off by default)",
        "• `/context export`: the channel's documents as a Markdown file, sent to you",
        "• `/context stats`: documents, 👍/👎 votes, and the confidence an answer needs here "
        "(set from the votes once there are enough)",
    ]
    text = "\n".join(lines)
    return _message(text, [section(text)])


def add_context_modal(channel_id: str) -> dict[str, Any]:
    """The form `/context add` opens; the channel travels in `private_metadata`."""
    return _modal(
        ADD_CONTEXT_VIEW, {"channel_id": channel_id}, title="Add context", submit="Add",
        blocks=[
            {
                "type": "input",
                "block_id": MODAL_TITLE_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": "Title"},
                "hint": {"type": "plain_text", "text": "Leave empty to use the first line."},
                "element": {
                    "type": "plain_text_input",
                    "action_id": MODAL_TITLE_INPUT,
                    "max_length": 150,
                },
            },
            {
                "type": "input",
                "block_id": MODAL_BODY_BLOCK,
                "label": {"type": "plain_text", "text": "Text"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": MODAL_BODY_INPUT,
                    "multiline": True,
                    "max_length": MODAL_BODY_LIMIT,
                },
            },
        ],
    )


# -- the data lifecycle and the assistant panel -------------------------------------------------


def not_in_channel_message(channel_id: str) -> Message:
    """A question about a channel qabot was removed from (its documents are kept)."""
    return notice(
        f"I'm no longer in <#{channel_id}>, so I don't answer from its documents. "
        f"Invite me back with `/invite @qabot` in that channel, and I will again."
    )


def export_sent_message(count: int, channel_id: str) -> Message:
    documents = "1 document" if count == 1 else f"{count} documents"
    return notice(
        f"I sent you <#{channel_id}>'s {documents} as a Markdown file in a direct message."
    )


def export_failed_message() -> Message:
    return notice(
        "Sorry, Slack didn't take the file just now, so nothing was sent. "
        "Please try `/context export` again in a minute."
    )


def nothing_to_export_message() -> Message:
    return notice("This channel has no context documents, so there is nothing to export.")


def reading_status(channel_name: str | None) -> str:
    """The assistant panel's status while qabot reads, e.g. "Reading #deploys' documents…"."""
    if not channel_name:
        return "Reading the channel's documents…"
    possessive = "'" if channel_name.endswith("s") else "'s"
    return f"Reading #{channel_name}{possessive} documents…"


def from_channel(message: Message, channel_id: str) -> Message:
    """`message` headed by the channel whose documents it comes from (the assistant panel
    is away from that channel)."""
    line = f"From the documents of <#{channel_id}>:"
    return _message(f"{line} {message.text}", [context(line), *message.blocks])


def assistant_greeting(channel_id: str | None) -> Message:
    if channel_id:
        text = (
            f"Hi! Ask me anything about <#{channel_id}>: I answer from the documents its "
            "members gave me. Open another channel and I'll answer from that one."
        )
    else:
        text = (
            "Hi! Open a channel, then ask me here: I answer from the documents of the "
            "channel you are looking at."
        )
    return notice(text)


def assistant_needs_channel_message() -> Message:
    return notice(
        "Which channel is this about? Open the channel next to this panel, then ask again: "
        "I answer from the documents of the channel you are looking at."
    )
