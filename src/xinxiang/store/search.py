"""The ticket list's word search (关键词检索): a bigram index kept with the ticket's text.

Chinese has no spaces, and the words people search for are mostly two characters (食堂, 宿舍):
PostgreSQL's pg_trgm and SQLite's FTS5 trigram tokenizer both fall back to a scan for those.
So each ticket gets the set of its character bigrams and single characters (`grams_of`, over
the subject and the letter's text, lower-cased per character) in `ticket_search`, indexed by
the dialect (GIN over the array on PostgreSQL, FTS5 on SQLite; migration 0015). A search
string's grams (`query_grams`) must all be in a ticket's set: that gives the candidates, and
the caller's substring check (LIKE) on the candidates only keeps the search exact.

Why it is a superset: a gram is two neighbouring characters of one run of letters/digits (or a
run's single character); every run of the query lies inside one run of any text containing
it, so each query gram is a gram of that text. Lower-casing per character keeps that true for
case-insensitive matches too.

Written in the same transaction as the text: `index_texts` at ingest (mail, web form, OA,
registered calls), `index_tickets` after an edit at the source. Hand-rolled (a dozen lines)
because no maintained tokenizer gives plain bigrams usable on both databases.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Text,
    bindparam,
    delete,
    func,
    insert,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from xinxiang.store.models import LetterRow, TicketRow
from xinxiang.store.models_search import TicketSearchRow

# Objects only the migration makes (dialect-specific), not described by the ORM.
FTS_TABLE = "ticket_search_fts"
GIN_INDEX = "ix_ticket_search_grams"
_RUN = re.compile(r"[^\W_]+")  # letters and digits of any script (CJK included)


def _lower(s: str) -> str:
    # Per character: str.lower on a whole string is context-sensitive (final sigma).
    return "".join(c.lower() for c in s)


def grams_of(*texts: str) -> set[str]:
    """The distinct bigrams and single characters of the letter/digit runs of `texts`."""
    out: set[str] = set()
    for t in texts:
        for run in _RUN.findall(_lower(t)):
            out.update(run)
            out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


def query_grams(q: str) -> list[str]:
    """What a ticket must contain for `q` to be in it: each run's bigrams (a one-character run:
    the character). Empty when `q` has no letter or digit (then only LIKE can say)."""
    out: dict[str, None] = {}
    for run in _RUN.findall(_lower(q)):
        if len(run) == 1:
            out[run] = None
        for i in range(len(run) - 1):
            out[run[i : i + 2]] = None
    return list(out)


def answers_exactly(q: str) -> bool:
    """Whether holding `q`'s grams already means containing `q`: one or two letters/digits
    without case (食堂, 堂, 12) — then no substring check is needed on the candidates."""
    return 0 < len(q) <= 2 and _RUN.fullmatch(q) is not None and q.lower() == q.upper()


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic's filter for comparing models and database: skip the dialect's search index
    (the FTS5 table and its shadow tables on SQLite, the GIN index on PostgreSQL)."""
    if name is None:
        return True
    if type_ == "table" and name.startswith(FTS_TABLE):
        return False
    return not (type_ == "index" and name == GIN_INDEX)


def candidates(session: Session, q: str) -> ColumnElement[bool] | None:
    """`tickets.id IN (…tickets holding every gram of q…)`, or None when q has no gram."""
    grams = query_grams(q)
    if not grams:
        return None
    if session.get_bind().dialect.name == "postgresql":
        # Literally the expression of the GIN index (a bound separator would not match it).
        arr = func.string_to_array(TicketSearchRow.grams, literal_column("' '"))
        wanted = bindparam("grams", grams, type_=postgresql.ARRAY(Text))
        return TicketRow.id.in_(select(TicketSearchRow.ticket_id).where(arr.op("@>")(wanted)))
    match = " ".join('"' + g.replace('"', '""') + '"' for g in grams)
    ids = text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match").bindparams(
        match=match
    )
    return TicketRow.id.in_(ids.columns(rowid=TicketSearchRow.ticket_id.type))


def index_texts(session: Session, texts: Sequence[tuple[int, str, str]]) -> None:
    """(Re)write the grams of tickets given as (ticket id, subject, letter text)."""
    if not texts:
        return
    ids = [tid for tid, _s, _b in texts]
    session.execute(delete(TicketSearchRow).where(TicketSearchRow.ticket_id.in_(ids)))
    session.execute(
        insert(TicketSearchRow),
        [{"ticket_id": tid, "grams": " ".join(sorted(grams_of(s, b)))} for tid, s, b in texts],
    )


def _texts_query(ids: Iterable[int] | None = None) -> Any:
    q = select(TicketRow.id, TicketRow.subject, LetterRow.body).outerjoin(
        LetterRow, LetterRow.id == TicketRow.letter_id
    )
    return q if ids is None else q.where(TicketRow.id.in_(list(ids)))


def index_tickets(session: Session, ids: Iterable[int]) -> None:
    """Re-read the subject and letter text of these tickets and rewrite their grams."""
    rows = session.execute(_texts_query(ids)).all()
    index_texts(session, [(tid, s or "", b or "") for tid, s, b in rows])


def rebuild(conn: Connection, batch: int = 2000) -> int:
    """Fill the index for every ticket, `batch` at a time (the migration's backfill, and a
    repair). Returns how many tickets were indexed."""
    conn.execute(delete(TicketSearchRow))
    done, last = 0, 0
    while True:
        rows = conn.execute(
            _texts_query().where(TicketRow.id > last).order_by(TicketRow.id).limit(batch)
        ).all()
        if not rows:
            return done
        conn.execute(
            insert(TicketSearchRow),
            [
                {"ticket_id": tid, "grams": " ".join(sorted(grams_of(s or "", b or "")))}
                for tid, s, b in rows
            ],
        )
        done += len(rows)
        last = rows[-1][0]
