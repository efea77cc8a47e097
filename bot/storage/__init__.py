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
from bot.storage.feedback import feedback_counts, record_feedback
from bot.storage.models import (
    Base,
    Channel,
    Document,
    DocumentSource,
    Feedback,
    HandledEvent,
    Passage,
    PassageRow,
)
from bot.storage.ranker import Fts5PassageRanker, fts5_match_query, make_ranker

__all__ = [
    "Base",
    "Channel",
    "Document",
    "DocumentSource",
    "Feedback",
    "Fts5PassageRanker",
    "HandledEvent",
    "Passage",
    "PassageRow",
    "StoredDocument",
    "add_document",
    "channel_passages",
    "claim_event",
    "clear_channel",
    "count_documents",
    "create_db_engine",
    "feedback_counts",
    "fts5_match_query",
    "get_document",
    "list_documents",
    "make_ranker",
    "make_session_factory",
    "prune_events",
    "record_feedback",
    "remove_document",
    "remove_documents_by_source_ts",
]
