"""ORM table of the word-search index (全文检索): each ticket's character bigrams.

One row per ticket: the distinct bigrams and single characters of its subject and its letter's
text, space-separated (`store.search.grams_of`). The dialect's own index over this column is
made by migration 0015 only (PostgreSQL: GIN over `string_to_array(grams, ' ')`; SQLite: an
FTS5 table fed by triggers), so it is left out of the model-vs-migration comparison
(`store.search.include_name`). Kept apart from `store.models` (same `Base`).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinxiang.store.models import Base


class TicketSearchRow(Base):
    """The search grams of one ticket (subject and letter text)."""

    __tablename__ = "ticket_search"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    grams: Mapped[str] = mapped_column(Text)
