"""replies: handled-reply log, holding pen, department replies and approvals

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reply_log",
        sa.Column(
            "letter_id",
            sa.Integer(),
            sa.ForeignKey("letters.id"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("action", sa.String(30), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_reply_log_ticket_id", "reply_log", ["ticket_id"])
    op.create_table(
        "holding_pen",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("letter_id", sa.Integer(), sa.ForeignKey("letters.id"), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("rule", sa.String(60), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(320), nullable=True),
        sa.UniqueConstraint("letter_id"),
    )
    op.create_index("ix_holding_pen_ticket_id", "holding_pen", ["ticket_id"])
    op.create_index("ix_holding_pen_state", "holding_pen", ["state"])
    op.create_table(
        "ticket_replies",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("department_code", sa.String(40), nullable=True),
        sa.Column("author", sa.String(320), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("final_text", sa.Text(), nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("planned_formal_date", sa.String(10), nullable=True),
        sa.Column("extension_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(320), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_ticket_replies_ticket_id", "ticket_replies", ["ticket_id"])
    op.create_index("ix_ticket_replies_state", "ticket_replies", ["state"])


def downgrade() -> None:
    op.drop_index("ix_ticket_replies_state", "ticket_replies")
    op.drop_index("ix_ticket_replies_ticket_id", "ticket_replies")
    op.drop_table("ticket_replies")
    op.drop_index("ix_holding_pen_state", "holding_pen")
    op.drop_index("ix_holding_pen_ticket_id", "holding_pen")
    op.drop_table("holding_pen")
    op.drop_index("ix_reply_log_ticket_id", "reply_log")
    op.drop_table("reply_log")
