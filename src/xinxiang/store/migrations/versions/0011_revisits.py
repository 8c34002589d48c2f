"""回访 and satisfaction (满意度): revisit rounds and the ticket's final rating

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("rating", sa.SmallInteger(), nullable=True))
        batch.add_column(sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("revisit_state", sa.String(20), nullable=True))
        batch.add_column(
            sa.Column("rework_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("settled_reason", sa.String(40), nullable=True))
    op.create_index("ix_tickets_revisit_state", "tickets", ["revisit_state"])
    op.create_table(
        "revisits",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("department_code", sa.String(40), nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("skip_reason", sa.String(40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("nonce", sa.String(64), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=True),
        sa.Column("channel", sa.String(20), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rated_by", sa.String(320), nullable=True),
        sa.UniqueConstraint("ticket_id", "round", name="uq_revisits_ticket_round"),
        sa.UniqueConstraint("nonce", name="uq_revisits_nonce"),
    )
    op.create_index("ix_revisits_state", "revisits", ["state"])
    op.create_index("ix_revisits_ticket_id", "revisits", ["ticket_id"])


def downgrade() -> None:
    op.drop_index("ix_revisits_ticket_id", table_name="revisits")
    op.drop_index("ix_revisits_state", table_name="revisits")
    op.drop_table("revisits")
    op.drop_index("ix_tickets_revisit_state", table_name="tickets")
    with op.batch_alter_table("tickets") as batch:
        for col in (
            "settled_reason",
            "settled_at",
            "rework_count",
            "revisit_state",
            "rated_at",
            "rating",
        ):
            batch.drop_column(col)
