"""ticket_replies: one index holding each reply's facts for the monthly assessment (三率)

Revision ID: 0017
Revises: 0016

The assessment reduces every reply of the month to its ticket's first action and formal
answer; with (ticket_id, created_at, kind, state) in one index PostgreSQL reads them by an
index-only scan instead of visiting two million heap rows (bench/bench_reports.py).
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_ticket_replies_facts",
        "ticket_replies",
        ["ticket_id", "created_at", "kind", "state"],
    )


def downgrade() -> None:
    op.drop_index("ix_ticket_replies_facts", "ticket_replies")
