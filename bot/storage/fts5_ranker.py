"""Per-channel BM25 on SQLite, from the per-channel term index of migration 0004.

FTS5's own bm25() counts how rare a word is, and how long passages are, over the whole
index — every channel's text — and its posting lists span every channel, so it is not used.
Instead:

* the question's words are stemmed by FTS5's own tokenizer (`porter unicode61`, run on a
  private in-memory database), so they are exactly the terms the index holds;
* `passages_fts_terms`, keyed by (channel, term, passage) and kept by a trigger, gives each
  of the channel's passages that contain a term, the term's frequency there and the
  passage's length; looking terms up reads only this channel's rows;
* the channel's passage count and average length come from the lengths FTS5 keeps in
  `passages_fts_docsize`, over the channel's passages only.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence

from sqlalchemy import Integer, String, Subquery, bindparam, text
from sqlalchemy.orm import Session

from bot.storage.bm25 import ChannelBM25Ranker, ChannelStatistics
from bot.storage.models import PASSAGES_FTS_TOKENIZE

# Every byte value in order: instr(_BYTES, one byte) - 1 is that byte's value.
_BYTES = "X'" + bytes(range(256)).hex() + "'"


def _byte(blob: str, index: int) -> str:
    """SQL: the value of the index-th byte (from 0) of the blob expression `blob`."""
    return f"(instr({_BYTES}, substr({blob}, {index + 1}, 1)) - 1)"


def _docsize_length(sz: str) -> str:
    """SQL: the term count FTS5 keeps for a row of a one-column table. `sz` holds nothing
    else, as a SQLite varint: big-endian, 7 bits a byte, the high bit set on all bytes but
    the last, so its length in bytes says how to decode it. Four bytes hold 268 million
    terms, far past any passage."""
    b = [_byte(sz, i) for i in range(4)]
    return (
        f"(CASE length({sz}) WHEN 1 THEN {b[0]}"
        f" WHEN 2 THEN ({b[0]} - 128) * 128 + {b[1]}"
        f" WHEN 3 THEN (({b[0]} - 128) * 128 + {b[1]} - 128) * 128 + {b[2]}"
        f" ELSE ((({b[0]} - 128) * 128 + {b[1]} - 128) * 128 + {b[2]} - 128) * 128 + {b[3]}"
        " END)"
    )


_STATISTICS = text(
    f"""
    SELECT count(*), coalesce(avg({_docsize_length("ds.sz")}), 0.0)
    FROM documents AS d
    JOIN passages AS p ON p.document_id = d.id
    JOIN passages_fts_docsize AS ds ON ds.id = p.id
    WHERE d.channel_row_id = :channel
    """
)

_HITS = (
    text(
        """
        SELECT term, passage_id, tf, length FROM passages_fts_terms
        WHERE channel_row_id = :channel AND term IN :terms
        """
    )
    .bindparams(bindparam("terms", expanding=True))
    .columns(term=String, passage_id=Integer, tf=Integer, length=Integer)
)


class _Fts5Tokenizer:
    """FTS5's tokenizer, callable from Python: an in-memory FTS5 table per thread, which
    indexes a text and lists its terms through `fts5vocab`. SQLite itself does the
    stemming, so the terms are exactly those the passages' index holds."""

    def __init__(self) -> None:
        self._local = threading.local()

    def terms(self, text_: str) -> list[str]:
        connection = self._connection()
        with connection:
            connection.execute("DELETE FROM scratch")
            connection.execute("INSERT INTO scratch(rowid, text) VALUES (1, ?)", (text_,))
            rows = connection.execute("SELECT term FROM scratch_terms ORDER BY offset").fetchall()
        return list(dict.fromkeys(term for (term,) in rows))

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(":memory:")
            connection.execute(
                f"CREATE VIRTUAL TABLE scratch USING fts5(text, tokenize='{PASSAGES_FTS_TOKENIZE}')"
            )
            connection.execute(
                "CREATE VIRTUAL TABLE scratch_terms USING fts5vocab(scratch, instance)"
            )
            self._local.connection = connection
        return connection


_tokenizer = _Fts5Tokenizer()


def fts5_terms(text_: str) -> list[str]:
    """The distinct terms FTS5's `porter unicode61` tokenizer makes of `text_`, in order.

    The text is stored as data, never parsed as a query: quotes, `*`, `NEAR(` or `AND`
    typed by a user are just characters.
    """
    return _tokenizer.terms(text_)


class Fts5PassageRanker(ChannelBM25Ranker):
    """Per-channel BM25 over the SQLite FTS5 index (see the module docstring)."""

    def index_terms(self, session: Session, words: Sequence[str]) -> list[str]:
        return fts5_terms(" ".join(words))

    def statistics(self, session: Session, channel_row_id: int) -> ChannelStatistics:
        passages, average = session.execute(_STATISTICS, {"channel": channel_row_id}).one()
        return ChannelStatistics(passages=passages, average_length=float(average))

    def hits(self, channel_row_id: int, terms: Sequence[str]) -> Subquery:
        return _HITS.bindparams(terms=list(terms), channel=channel_row_id).subquery("hits")
