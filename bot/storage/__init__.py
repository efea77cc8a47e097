"""qabot's storage: channels' documents and passages, handled events and feedback.

The schema is created by `alembic upgrade head` (`bot.migrate.upgrade_database`), never by
the application. Data-access functions take a keyword-only `session`; callers own the
transaction (`with session_factory.begin() as session: ...`).
"""

from bot.storage.database import create_db_engine, make_session_factory
from bot.storage.documents import (
    StoredDocument,
    add_document,
    channel_passages,
    clear_channel,
    count_documents,
    get_document,
    list_documents,
    remove_document,
    remove_documents_by_source_ts,
)
from bot.storage.events import claim_event, prune_events
from bot.storage.feedback import channel_votes, feedback_counts, record_feedback
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
from bot.storage.models import (
    Base,
    Channel,
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
from bot.storage.ranker import Fts5PassageRanker, fts5_match_query, make_ranker

__all__ = [
    "Base",
    "Channel",
    "ClaimedJob",
    "Document",
    "DocumentSource",
    "Feedback",
    "Fts5PassageRanker",
    "HandledEvent",
    "Job",
    "JobKind",
    "JobState",
    "JobStatus",
    "Passage",
    "PassageRow",
    "StoredDocument",
    "add_document",
    "channel_passages",
    "channel_votes",
    "claim_due_jobs",
    "claim_event",
    "claim_job",
    "clear_channel",
    "count_documents",
    "count_jobs",
    "create_db_engine",
    "enqueue_job",
    "extend_leases",
    "feedback_counts",
    "finish_job",
    "fts5_match_query",
    "get_document",
    "has_due_jobs",
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
    "remove_document",
    "remove_documents_by_source_ts",
    "retry_job_later",
    "save_progress",
]
