"""indexes that keep routing's cost flat as the history grows (issue #17)

Routing counts a sender's letters of the last hour by `lower(petitioner_addr)`, and before
queueing a mail looks for its key or a coalesced `key>address` in the outbox; without these
indexes both walked the whole table, so each ticket cost more as the history grew. The prefix
index serves PostgreSQL's LIKE 'key>%' under any collation (`varchar_pattern_ops`); SQLite,
whose LIKE ignores case, looks the prefix up as a range (the index is made there too, so that
both databases have the schema the models declare).

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_tickets_petitioner_lower", "tickets", [sa.text("lower(petitioner_addr)")])
    op.create_index(
        "ix_outbox_dedupe_key_pattern",
        "outbox",
        ["dedupe_key"],
        postgresql_ops={"dedupe_key": "varchar_pattern_ops"},
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_dedupe_key_pattern", table_name="outbox")
    op.drop_index("ix_tickets_petitioner_lower", table_name="tickets")
