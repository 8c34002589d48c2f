"""outbox (recipient_key, created_at, state, kind): the caps' hourly count from the index

Before queueing a mail to a staff address the door counts that address's mail of the last hour
(`outgoing.caps.split_staff`, `store.repo.count_mail_to`). With only `recipient_key` indexed
the count read every row ever sent to the address; when one sweep queues thousands of notices
to the office (issue #17), each count grew with the ones before it. With this index the count
is a range of the index alone (measured: 9.5 → 3.8 ms per notice over 2,000 office notices on
SQLite; no change on PostgreSQL; `bench/bench_sweep_batches.py`).

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_outbox_recipient_time", "outbox", ["recipient_key", "created_at", "state", "kind"]
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_recipient_time", table_name="outbox")
