"""`QAEngine`: question + documents (or a passage ranker) → answers with their sources.

Retrieval mode: rank passages with BM25 (or the caller's ranker), read only the top
ones, decode spans on raw logits, and score and merge them with `qa_engine.scoring`
(P(passage | question) × P(span | passage)). FAQ entries (`Q: … A: …`) among the
retrieved passages answer with their stored answer. For the pipeline-identical
single-context mode, see `qa_engine.pipeline.ExtractiveQAPipeline` (`QAEngine.pipeline()`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from qa_engine.decoding import logit_window_spans
from qa_engine.faq import best_faq_match, entry_spans, faq_confidence
from qa_engine.limits import (
    EMPTY_QUESTION,
    InputTooLarge,
    document_too_long,
    question_problem,
)
from qa_engine.model_loading import (
    LoadedModel,
    ModelLoadError,
    load_qa_model,
    load_qa_tokenizer,
)
from qa_engine.passages import sentence_around, split_passages
from qa_engine.pipeline import ExtractiveQAPipeline
from qa_engine.reader import (
    WindowLogits,
    WindowReader,
    char_span,
    context_sequence_id,
    encode_windows,
)
from qa_engine.retrieval import InMemoryBM25Ranker
from qa_engine.scoring import (
    SpanCandidate,
    merge_candidates,
    null_log_normaliser,
    passage_log_priors,
    question_overlap,
    span_log_normaliser,
    window_log_priors,
)
from qa_engine.settings import EngineSettings
from qa_engine.tokenizing import tokenize
from qa_engine.types import (
    Answer,
    AnswerResult,
    Document,
    Passage,
    PassageRanker,
    RankedPassage,
)

logger = logging.getLogger(__name__)

NO_QUESTION = EMPTY_QUESTION
NO_DOCUMENTS = "There are no documents to answer from yet."
NO_MATCH = "None of the documents mention anything from the question."
NO_CONFIDENT_ANSWER = "No answer in the documents was likely enough to show."


class QAEngine:
    """Answers questions from documents; the model loads once, on first use or `warm_up()`.

    Thread-safe: the Slack app calls `answer` from several worker threads.
    """

    def __init__(self, settings: EngineSettings | None = None):
        self.settings = settings or EngineSettings()
        self._loaded: LoadedModel | None = None
        self._tokenizer: Any = None
        self._reader: WindowReader | None = None
        self._pipeline: ExtractiveQAPipeline | None = None
        self._load_lock = threading.Lock()
        self.load_error: str | None = None
        """Why the model last failed to load (one line), None once it has loaded."""
        self._failed_at: float | None = None  # time.monotonic() of that failure

    # -- loading ---------------------------------------------------------------------------

    def warm_up(self) -> None:
        """Load the tokenizer and model (idempotent). Raises `ModelLoadError`.

        After a failure, calls within `qa_load_retry_seconds` raise the same error at once:
        a load that failed (a missing folder, no hub) almost always fails again, and each
        question would otherwise pay for the attempt.
        """
        if self._loaded is not None:
            return
        with self._load_lock:
            if self._loaded is None:
                self._raise_recent_failure()
                try:
                    loaded = load_qa_model(
                        self.settings.qa_model,
                        threads=self.settings.qa_threads,
                        dtype=self.settings.qa_dtype,
                    )
                except ModelLoadError as error:
                    self._remember_failure(error)
                    raise
                self._reader = WindowReader(
                    loaded.model, loaded.tokenizer, batch_size=self.settings.qa_batch_size
                )
                self._pipeline = ExtractiveQAPipeline(
                    loaded.model, loaded.tokenizer, reader=self._reader
                )
                self.load_error = self._failed_at = None
                self._loaded = loaded

    def _raise_recent_failure(self) -> None:
        failed_at, reason = self._failed_at, self.load_error
        if failed_at is None or reason is None:
            return
        if time.monotonic() - failed_at < self.settings.qa_load_retry_seconds:
            raise ModelLoadError(reason)

    def _remember_failure(self, error: ModelLoadError) -> None:
        self.load_error = str(error)
        self._failed_at = time.monotonic()

    @property
    def is_ready(self) -> bool:
        return self._loaded is not None

    @property
    def tokenizer(self) -> Any:
        """The model's fast tokenizer. Loads on its own, in well under a second, so
        documents can be split while the model is still loading. Raises `ModelLoadError`."""
        if self._loaded is not None:
            return self._loaded.tokenizer
        if self._tokenizer is None:
            # A tokenizer that loaded still splits documents when the model won't load.
            self._raise_recent_failure()
            try:
                self._tokenizer = load_qa_tokenizer(self.settings.qa_model)
            except ModelLoadError as error:
                self._remember_failure(error)
                raise
        return self._tokenizer

    @property
    def max_seq_len(self) -> int:
        return min(self.settings.qa_max_seq_len, self.tokenizer.model_max_length)

    def pipeline(self) -> ExtractiveQAPipeline:
        """The pipeline-identical callable (exact mode), sharing this engine's model."""
        self.warm_up()
        assert self._pipeline is not None
        return self._pipeline

    # -- documents -------------------------------------------------------------------------

    def split(self, document: Document) -> list[Passage]:
        """Sentence-aligned passages of `document`, each short enough for one window.

        Raises `InputTooLarge` for a document over `qa_max_document_chars`: callers should
        have refused it with `qa_engine.limits.document_problem`, this is the backstop.
        """
        max_chars = self.settings.qa_max_document_chars
        if (too_long := document_too_long(document.text, max_chars=max_chars)) is not None:
            raise InputTooLarge(too_long)
        tokenizer = self.tokenizer

        def token_offsets(text: str) -> list[tuple[int, int]]:
            # One lock per call, not per document: a question's windows can be encoded
            # between two chunks of a long document.
            encoded = tokenize(
                tokenizer,
                text,
                add_special_tokens=False,
                return_offsets_mapping=True,
                return_attention_mask=False,
                return_token_type_ids=False,
                verbose=False,
            )
            return encoded["offset_mapping"]

        budget = min(self.settings.qa_passage_tokens, self._context_budget())
        return split_passages(
            document,
            token_offsets=token_offsets,
            max_tokens=budget,
            keep_together=entry_spans(document.text),
        )

    @property
    def _question_budget(self) -> int:
        return min(self.settings.qa_max_question_len, self.max_seq_len // 2)

    def _context_budget(self) -> int:
        # Room left in a window after a maximal question and the special tokens.
        return self.max_seq_len - self._question_budget - 4

    # -- answering -------------------------------------------------------------------------

    def answer(
        self,
        question: str,
        *,
        ranker: PassageRanker | None = None,
        documents: Sequence[Document] | None = None,
        top_k: int | None = None,
        passages_to_read: int | None = None,
        threshold: float | None = None,
    ) -> AnswerResult:
        """Best answers to `question` from `documents` or from the passages `ranker` ranks.

        A question that `question_problem` refuses (over `qa_max_question_chars`, or not
        text) gets no answer and that problem as the reason, before any tokenizing.
        `threshold` replaces `qa_no_answer_threshold` for this call (the Slack app sets one
        per channel from its votes).
        """
        problem = question_problem(question, max_chars=self.settings.qa_max_question_chars)
        question = " ".join(question.split())
        if problem is not None or not any(ch.isalnum() for ch in question):
            limit = self.settings.qa_max_question_chars
            return AnswerResult(question[:limit], (), 0, problem or NO_QUESTION)
        if ranker is None:
            passages = [p for d in (documents or ()) if d.text.strip() for p in self.split(d)]
            if not passages:
                return AnswerResult(question, (), 0, NO_DOCUMENTS)
            ranker = InMemoryBM25Ranker(passages)
        top_k = top_k or self.settings.qa_top_k
        limit = passages_to_read or self.settings.qa_passages_to_read
        retrieved = list(ranker.rank(question, limit))[:limit]
        ranked = [r.passage for r in retrieved]
        if not ranked:
            return AnswerResult(question, (), 0, NO_MATCH)

        if threshold is None:
            threshold = self.settings.qa_no_answer_threshold
        faq = best_faq_match(question, ranked)
        # An FAQ match below the threshold is not trusted: the reader gets its chance.
        if faq is not None and faq_confidence(faq[1]) >= threshold:
            entry, similarity = faq
            answer = _answer(
                entry.passage,
                entry.answer_start,
                entry.answer_end,
                0.0,
                faq_confidence(similarity),
                sentence=(entry.entry_start, entry.entry_end),
            )
            return AnswerResult(question, (answer,), len(ranked))

        answers = self._read_and_decode(question, retrieved, top_k=top_k)
        kept = tuple(a for a in answers if a.confidence >= threshold)
        reason = None if kept else NO_CONFIDENT_ANSWER
        return AnswerResult(question, kept, len(ranked), reason)

    def _read_and_decode(
        self, question: str, retrieved: Sequence[RankedPassage], *, top_k: int
    ) -> list[Answer]:
        passages = [r.passage for r in retrieved]
        self.warm_up()
        assert self._reader is not None
        tokenizer = self.tokenizer
        question = _truncate_question(tokenizer, question, self._question_budget)
        windows = encode_windows(
            tokenizer,
            [question] * len(passages),
            [p.text for p in passages],
            max_seq_len=self.max_seq_len,
            # Half the room a maximal question leaves, so any question fits with its stride.
            doc_stride=min(self.settings.doc_stride, self._context_budget() // 2),
        )
        read = self._reader.read(windows)
        windows_per_passage = Counter(logits.window.pair_index for logits in read)
        priors = passage_log_priors(
            [r.score for r in retrieved], self.settings.qa_retrieval_temperature
        )
        window_priors = window_log_priors(priors, windows_per_passage)
        candidates = self._candidates(read, passages, window_priors, top_k)
        minimum = self.settings.qa_min_question_overlap
        if minimum <= 0:
            return _rank_answers(candidates, top_k)
        # The gate can drop the best answers, so merge them all and keep the first that pass.
        answers = _rank_answers(candidates, len(candidates))
        return [a for a in answers if question_overlap(question, a.sentence) >= minimum][:top_k]

    def _candidates(
        self,
        read: Sequence[WindowLogits],
        passages: Sequence[Passage],
        window_priors: dict[int, float],
        top_k: int,
    ) -> list[SpanCandidate]:
        sequence_index = context_sequence_id(self.tokenizer)
        candidates: list[SpanCandidate] = []
        for logits in read:
            window = logits.window
            context = [sid == sequence_index for sid in window.sequence_ids]
            if self.settings.qa_no_answer_rule == "null":
                log_z = null_log_normaliser(
                    logits.start,
                    logits.end,
                    np.asarray(context),
                    max_answer_len=self.settings.qa_max_answer_len,
                )
            else:
                log_z = span_log_normaliser(logits.start, logits.end, np.asarray(context))
            prior = window_priors[window.pair_index]
            spans = logit_window_spans(
                logits.start,
                logits.end,
                context,
                top_k=top_k * 2 + 10,  # over-fetch: alignment and merging shrink the list
                max_answer_len=self.settings.qa_max_answer_len,
            )
            passage = passages[window.pair_index]
            for s, e, score in zip(spans.starts, spans.ends, spans.scores, strict=True):
                start, end = char_span(window, int(s), int(e), sequence_index, True)
                if end > start:
                    candidates.append(
                        SpanCandidate(
                            passage,
                            passage.start + start,
                            passage.start + end,
                            float(score),
                            prior + float(score) - log_z,
                        )
                    )
        return candidates


def _truncate_question(tokenizer: Any, question: str, max_tokens: int) -> str:
    offsets = tokenize(
        tokenizer, question, add_special_tokens=False, return_offsets_mapping=True, verbose=False
    )["offset_mapping"]
    if len(offsets) <= max_tokens:
        return question
    return question[: offsets[max_tokens - 1][1]]


def _rank_answers(candidates: Sequence[SpanCandidate], top_k: int) -> list[Answer]:
    return [
        _answer(c.passage, c.start, c.end, c.score, confidence)
        for c, confidence in merge_candidates(candidates, top_k)
    ]


def _answer(
    passage: Passage,
    start: int,
    end: int,
    score: float,
    confidence: float,
    *,
    sentence: tuple[int, int] | None = None,
) -> Answer:
    offset = passage.start
    if sentence is None:
        local = sentence_around(passage.text, start - offset, end - offset)
        sentence = (local[0] + offset, local[1] + offset)
    return Answer(
        text=passage.text[start - offset : end - offset],
        score=score,
        confidence=confidence,
        document_id=passage.document_id,
        document_title=passage.document_title,
        start=start,
        end=end,
        sentence=passage.text[sentence[0] - offset : sentence[1] - offset],
        sentence_start=sentence[0],
        sentence_end=sentence[1],
    )
