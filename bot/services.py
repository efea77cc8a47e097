"""What listeners need, built once per process: settings, database, engine, Slack client,
the answerer, the document ingestor, unprompted answers, the data lifecycle, the
assistant panel and the job runner.

Listeners import this module, never the composition root (`bot.app`), which imports them.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.answering import ChannelAnswerer
from bot.assistant import AssistantPanel
from bot.feedback import FeedbackService
from bot.ingestion import DocumentIngestor
from bot.jobs import AddDocumentJob, AnswerJob, JobRunner, make_web_client
from bot.lifecycle import DataLifecycle
from bot.settings import Settings
from bot.storage import JobKind, create_db_engine, make_session_factory
from bot.unprompted import UnpromptedAnswers
from qa_engine.engine import QAEngine
from qa_engine.model_loading import ModelLoadError

logger = logging.getLogger(__name__)

# Listeners only write a job, ack and call Slack; a few threads are plenty, but more than
# Bolt's default five so a burst of commands never waits behind each other.
LISTENER_WORKERS = 12


@dataclass
class Services:
    """What listeners need, built once per process."""

    settings: Settings
    engine: QAEngine
    session_factory: sessionmaker[Session]
    client: WebClient
    answerer: ChannelAnswerer
    feedback: FeedbackService
    ingestor: DocumentIngestor
    unprompted: UnpromptedAnswers
    lifecycle: DataLifecycle
    panel: AssistantPanel
    jobs: JobRunner
    answer_pool: ThreadPoolExecutor
    listener_pool: ThreadPoolExecutor

    def start(self) -> threading.Thread:
        """Start the job runner and load the model on a daemon thread (jobs that need it
        wait for it)."""
        self.jobs.start()
        thread = threading.Thread(
            target=_warm_up, args=(self.engine,), name="qa-warm-up", daemon=True
        )
        thread.start()
        return thread

    def close(self) -> None:
        """Stop taking jobs, let in-flight listeners and jobs finish, then stop the pools.
        Jobs not started stay in the database for the next process."""
        self.jobs.stop()
        self.listener_pool.shutdown(wait=True)
        self.answer_pool.shutdown(wait=True)


def _warm_up(engine: QAEngine) -> None:
    started = time.monotonic()
    try:
        engine.warm_up()
    except ModelLoadError as error:
        # One line that names the fix; a traceback would only bury it. Questions get the
        # same error at once, and tell their askers an admin must look here.
        logger.error("QA model unavailable: %s", error)
    except Exception:
        logger.exception("warming up the QA model failed")
    else:
        logger.info("QA model ready in %.1f s", time.monotonic() - started)


def build_services(
    settings: Settings,
    *,
    engine: QAEngine | None = None,
    session_factory: sessionmaker[Session] | None = None,
) -> Services:
    """The process's engine, database, Slack client and workers (nothing is loaded,
    connected or started yet)."""
    engine = engine or QAEngine(settings)
    if session_factory is None:
        session_factory = make_session_factory(create_db_engine(settings.database_url))
    client = make_web_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
    feedback = FeedbackService(
        session_factory=session_factory,
        # The engine's own, so an engine passed in (tests) and the votes agree on it.
        default_threshold=engine.settings.qa_no_answer_threshold,
        target_precision=settings.qa_target_precision,
    )
    answerer = ChannelAnswerer(engine=engine, session_factory=session_factory, feedback=feedback)
    ingestor = DocumentIngestor(
        engine=engine,
        session_factory=session_factory,
        max_chars=settings.qa_max_document_chars,
    )
    lifecycle = DataLifecycle(session_factory=session_factory)
    answer_pool = ThreadPoolExecutor(
        max_workers=settings.answer_workers, thread_name_prefix="qabot-answer"
    )
    handlers = {
        JobKind.ANSWER: AnswerJob(
            answerer=answerer,
            lifecycle=lifecycle,
            client=client,
            reply_deadline=timedelta(seconds=settings.reply_deadline_seconds),
            give_up_after=timedelta(seconds=settings.reply_give_up_seconds),
            max_question_chars=settings.qa_max_question_chars,
        ),
        JobKind.ADD_DOCUMENT: AddDocumentJob(
            ingestor=ingestor, client=client, max_file_bytes=settings.max_file_bytes
        ),
    }
    runner = JobRunner(
        session_factory=session_factory,
        pool=answer_pool,
        slots=settings.answer_workers,
        handlers=handlers,
        lease=timedelta(seconds=settings.job_lease_seconds),
        poll_interval=settings.job_poll_seconds,
    )
    return Services(
        settings=settings,
        engine=engine,
        session_factory=session_factory,
        client=client,
        answerer=answerer,
        feedback=feedback,
        ingestor=ingestor,
        unprompted=UnpromptedAnswers(
            session_factory=session_factory,
            autoanswer_threshold=settings.qa_autoanswer_threshold,
        ),
        lifecycle=lifecycle,
        panel=AssistantPanel(session_factory=session_factory),
        jobs=runner,
        answer_pool=answer_pool,
        listener_pool=ThreadPoolExecutor(
            max_workers=LISTENER_WORKERS, thread_name_prefix="qabot-listener"
        ),
    )
