"""qabot's storage: channels' documents and passages, handled events, feedback, jobs,
answered threads and channel settings.

The schema is created by `alembic upgrade head` (`bot.migrate.upgrade_database`), never by
the application. Data-access functions take a keyword-only `session`; callers own the
transaction (`with session_factory.begin() as session: ...`).
"""

from bot.storage.assistant_threads import find_thread_context, save_thread_context
from bot.storage.bm25 import ChannelBM25Ranker
from bot.storage.channel_settings import (
    ChannelOptions,
    ChannelSwitch,
    channel_options,
    set_channel_switch,
)
from bot.storage.database import create_db_engine, make_session_factory
from bot.storage.documents import (
    DocumentPage,
    StoredDocument,
    add_document,
    channel_passages,
    clear_channel,
    count_documents,
    document_page,
    documents_by_id,
    get_document,
    list_documents,
    remove_document,
    remove_documents_by_source_ts,
)
from bot.storage.events import claim_event, prune_events
from bot.storage.feedback import channel_votes, feedback_counts, record_feedback
from bot.storage.fts5_ranker import Fts5PassageRanker, fts5_terms
from bot.storage.jobs import (
    ClaimedJob,
    JobStatus,
    claim_due_jobs,
    claim_job,
    count_jobs,
    enqueue_job,
    extend_leases,
    finish_job,
    has_due_jobs,
    job_status,
    lease_owners,
    prune_jobs,
    release_jobs,
    release_owner,
    retry_job_later,
    save_progress,
)
from bot.storage.lifecycle import (
    ForgottenWorkspace,
    forget_workspace,
    is_answering,
    set_answering,
)
from bot.storage.models import (
    AnsweredThread,
    AssistantThread,
    Base,
    Channel,
    ChannelSettings,
    Document,
    DocumentSource,
    Feedback,
    HandledEvent,
    Job,
    JobKind,
    JobState,
    Passage,
    PassageRow,
)
from bot.storage.postgres_ranker import PostgresPassageRanker
from bot.storage.ranker import make_ranker
from bot.storage.threads import remember_thread, thread_first_question

__all__ = [
    "AnsweredThread",
    "AssistantThread",
    "Base",
    "Channel",
    "ChannelBM25Ranker",
    "ChannelOptions",
    "ChannelSettings",
    "ChannelSwitch",
    "ClaimedJob",
    "Document",
    "DocumentPage",
    "DocumentSource",
    "Feedback",
    "ForgottenWorkspace",
    "Fts5PassageRanker",
    "HandledEvent",
    "Job",
    "JobKind",
    "JobState",
    "JobStatus",
    "Passage",
    "PassageRow",
    "PostgresPassageRanker",
    "StoredDocument",
    "add_document",
    "channel_options",
    "channel_passages",
    "channel_votes",
    "claim_due_jobs",
    "claim_event",
    "claim_job",
    "clear_channel",
    "count_documents",
    "count_jobs",
    "create_db_engine",
    "document_page",
    "documents_by_id",
    "enqueue_job",
    "extend_leases",
    "feedback_counts",
    "find_thread_context",
    "finish_job",
    "forget_workspace",
    "fts5_terms",
    "get_document",
    "has_due_jobs",
    "is_answering",
    "job_status",
    "lease_owners",
    "list_documents",
    "make_ranker",
    "make_session_factory",
    "prune_events",
    "prune_jobs",
    "record_feedback",
    "release_jobs",
    "release_owner",
    "remember_thread",
    "remove_document",
    "remove_documents_by_source_ts",
    "retry_job_later",
    "save_progress",
    "save_thread_context",
    "set_answering",
    "set_channel_switch",
    "thread_first_question",
]
