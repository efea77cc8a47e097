"""Per-channel BM25 on PostgreSQL, from the generated `passages.search_vector` (migration
0004: `to_tsvector('english', text)` with a GIN index).

The GIN index finds the channel's passages that contain a question term; a passage's
term frequencies are the position lists in its tsvector, and its length is `length()` of
the tsvector — its number of distinct terms, which is what PostgreSQL keeps without
re-reading the text. Nothing but the `limit` best passages comes back to Python.

`ts_rank_cd` is not used: it has no notion of how rare a word is, so a passage matching
a word found everywhere in the channel ties with one matching the question's rare word
(see BENCHMARKS.md, "Channel ranking").
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Integer, String, Subquery, text
from sqlalchemy.orm import Session

from bot.storage.bm25 import ChannelBM25Ranker, ChannelStatistics
from bot.storage.models import PASSAGES_SEARCH_CONFIG

_TERMS = text(f"SELECT tsvector_to_array(to_tsvector('{PASSAGES_SEARCH_CONFIG}', :text))")

_STATISTICS = text(
    """
    SELECT count(*), coalesce(avg(length(p.search_vector)), 0.0)
    FROM documents AS d
    JOIN passages AS p ON p.document_id = d.id
    WHERE d.channel_row_id = :channel
    """
)

_HITS = text(
    """
    SELECT t.lexeme AS term, p.id AS passage_id, cardinality(t.positions) AS tf,
           length(p.search_vector) AS length
    FROM passages AS p
    JOIN documents AS d ON d.id = p.document_id
    CROSS JOIN LATERAL unnest(p.search_vector) AS t
    WHERE p.search_vector @@ CAST(:query AS tsquery)
      AND d.channel_row_id = :channel
      AND t.lexeme = ANY(:terms)
    """
).columns(term=String, passage_id=Integer, tf=Integer, length=Integer)


def tsquery_any(lexemes: Sequence[str]) -> str:
    """A tsquery (text form) matching any of `lexemes`, each quoted so that nothing in it is
    read as tsquery syntax (quotes and backslashes doubled)."""
    quoted = ("'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'" for lexeme in lexemes)
    return " | ".join(quoted)


class PostgresPassageRanker(ChannelBM25Ranker):
    """Per-channel BM25 over the PostgreSQL tsvector column (see the module docstring)."""

    def index_terms(self, session: Session, words: Sequence[str]) -> list[str]:
        lexemes = session.scalar(_TERMS, {"text": " ".join(words)})
        return list(lexemes or [])

    def statistics(self, session: Session, channel_row_id: int) -> ChannelStatistics:
        passages, average = session.execute(_STATISTICS, {"channel": channel_row_id}).one()
        return ChannelStatistics(passages=passages, average_length=float(average))

    def hits(self, channel_row_id: int, terms: Sequence[str]) -> Subquery:
        return _HITS.bindparams(
            query=tsquery_any(terms), channel=channel_row_id, terms=list(terms)
        ).subquery("hits")
