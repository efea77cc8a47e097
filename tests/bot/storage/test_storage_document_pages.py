"""`/context list` over thousands of stored documents: every page within Slack's limits,
every document on exactly one page, a total and a way on; reading a page stays one count
and one indexed page, whatever the channel's size."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from bot import rendering
from bot.storage import DocumentSource, add_document, document_page, remove_document
from tests.bot.slack.messages import assert_within_slack_limits
from tests.bot.slack.messages import buttons as message_buttons

DOCUMENTS = 2_000


def _store(session_factory, count: int, channel_id: str = "C1") -> None:
    with session_factory.begin() as session:
        for n in range(1, count + 1):
            title = f"Runbook {n} & <notes>"
            add_document(
                session=session,
                team_id="T1",
                channel_id=channel_id,
                text=f"{title}\n" + "Steps & checks for the service. " * 10,
                title=title,
                source=DocumentSource.SLASH_COMMAND,
                added_by="U1",
                passages=[],
            )


def _page(session_factory, page: int, channel_id: str = "C1"):
    with session_factory() as session:
        return document_page(
            session=session,
            team_id="T1",
            channel_id=channel_id,
            page=page,
            per_page=rendering.LIST_PAGE_SIZE,
        )


def test_every_page_of_thousands_fits_slack_and_shows_each_document_once(
    session_factory,
) -> None:
    _store(session_factory, DOCUMENTS)
    _store(session_factory, 30, channel_id="C2")  # another channel's documents stay out
    with session_factory.begin() as session:
        for number in (7, 1_234, DOCUMENTS):
            remove_document(session=session, team_id="T1", channel_id="C1", number=number)
    remaining = DOCUMENTS - 3
    pages = -(-remaining // rendering.LIST_PAGE_SIZE)

    seen: list[int] = []
    page_number = 1
    while True:
        page = _page(session_factory, page_number)
        message = rendering.document_list_message(page)
        assert_within_slack_limits(message)
        assert page.total == remaining and page.pages == pages
        assert message.text.startswith(
            f"{remaining:,} context documents in this channel · page {page_number} of {pages}:"
        )
        seen.extend(d.number for d in page.documents)
        buttons = {action: b["value"] for action, b in message_buttons(message).items()}
        assert buttons.get(rendering.LIST_PREVIOUS_ACTION) == (
            str(page_number - 1) if page_number > 1 else None
        )
        if rendering.LIST_NEXT_ACTION not in buttons:
            break
        page_number = int(buttons[rendering.LIST_NEXT_ACTION])

    assert page_number == pages
    assert seen == [n for n in range(1, DOCUMENTS + 1) if n not in (7, 1_234, DOCUMENTS)]
    past = rendering.document_list_message(_page(session_factory, pages + 1))
    assert f"There is no page {pages + 1}" in past.text


@pytest.mark.sqlite_only  # reads SQLite's query plan
def test_reading_a_page_costs_two_queries_however_deep(session_factory, engine) -> None:
    _store(session_factory, 300)
    statements: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        last = _page(session_factory, 15)
    finally:
        event.remove(engine, "before_cursor_execute", record)

    assert [d.number for d in last.documents] == list(range(281, 301))
    assert len(statements) == 2
    with session_factory() as session:
        statement, parameters = statements[1]
        plan = session.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, parameters
        ).all()
    # Walks the (channel, number) unique index in order: no scan of the table and no sort
    # of the channel's documents for each page.
    details = " ".join(str(row[-1]) for row in plan)
    assert "SEARCH documents USING INDEX" in details
    assert "TEMP B-TREE" not in details
