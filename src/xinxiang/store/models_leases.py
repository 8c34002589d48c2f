"""ORM table of the leases on mail sources: which worker reads which mailbox, until when.

One row per source. A worker reads a mailbox only while it holds the source's lease; it renews
the lease while it works and gives it up when done. A holder that dies stops renewing, the
lease expires and another worker takes the source over. Kept apart from `store.models`
(same `Base`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from xinxiang.store.models import Base


class SourceLeaseRow(Base):
    """The lease on one mail source."""

    __tablename__ = "source_leases"

    source: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    """Who holds it: host, process id and a random part (unique per worker run)."""
    acquired_at: Mapped[datetime]
    expires_at: Mapped[datetime]
