"""What qabot does with stored data as workspaces and channels come and go, and how a team
takes its documents with it.

No Slack here. Each change of state is one transaction that also claims the Slack event
id, so a redelivered event changes nothing twice; a listener calls these before Slack is
acknowledged, so a database failure makes Slack deliver the event again.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker

from bot.storage import (
    StoredDocument,
    claim_event,
    clear_channel,
    forget_workspace,
    is_answering,
    list_documents,
    set_answering,
)

logger = logging.getLogger(__name__)


class DataLifecycle:
    """Forgetting a workspace or a channel, pausing a channel, exporting its documents."""

    def __init__(self, *, session_factory: sessionmaker[Session]):
        self._session_factory = session_factory

    def forget_workspace(self, *, team_id: str, event_id: str | None) -> bool:
        """Delete everything of `team_id` (uninstalled, or its bot token revoked); False
        when this event was handled before."""
        with self._session_factory.begin() as session:
            # The claim carries no team: it must outlive the purge, so that Slack's retry of
            # this very event is recognised (it holds nothing of theirs, and is pruned
            # within a day like every event id).
            if not self._first(session, event_id, team_id=None):
                return False
            forgotten = forget_workspace(session=session, team_id=team_id)
        logger.info(
            "workspace %s removed qabot: deleted %d document(s), %d channel(s), %d vote(s), "
            "%d job(s), %d event id(s), %d assistant thread(s)",
            team_id, forgotten.documents, forgotten.channels, forgotten.feedback,
            forgotten.jobs, forgotten.events, forgotten.assistant_threads,
        )
        return True

    def forget_channel(self, *, team_id: str, channel_id: str, event_id: str | None) -> bool:
        """Delete a deleted channel's documents (with their passages)."""
        with self._session_factory.begin() as session:
            if not self._first(session, event_id, team_id=team_id):
                return False
            removed = clear_channel(session=session, team_id=team_id, channel_id=channel_id)
        logger.info("channel %s was deleted: removed %d document(s)", channel_id, removed)
        return True

    def set_answering(
        self, *, team_id: str, channel_id: str, answering: bool, event_id: str | None
    ) -> bool:
        """Stop (qabot left the channel) or resume (it was invited back) answering there;
        the documents stay either way."""
        with self._session_factory.begin() as session:
            if not self._first(session, event_id, team_id=team_id):
                return False
            changed = set_answering(
                session=session, team_id=team_id, channel_id=channel_id, answering=answering
            )
        if changed:
            logger.info(
                "channel %s: %s answering", channel_id, "resumed" if answering else "stopped"
            )
        return True

    def is_answering(self, *, team_id: str, channel_id: str) -> bool:
        with self._session_factory() as session:
            return is_answering(session=session, team_id=team_id, channel_id=channel_id)

    def documents(self, *, team_id: str, channel_id: str) -> list[StoredDocument]:
        """The channel's documents, oldest first (for an export)."""
        with self._session_factory() as session:
            return list_documents(session=session, team_id=team_id, channel_id=channel_id)

    @staticmethod
    def _first(session: Session, event_id: str | None, *, team_id: str | None) -> bool:
        return not event_id or claim_event(session=session, event_id=event_id, team_id=team_id)
