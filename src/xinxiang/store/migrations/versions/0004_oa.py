"""oa: OA bridge cursor, petitions, parked items, outbox and errors

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oa_cursor",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("petition_id", sa.String(120), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "oa_petitions",
        sa.Column("petition_id", sa.String(120), primary_key=True),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("versions", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_oa_petitions_ticket_id", "oa_petitions", ["ticket_id"])
    op.create_table(
        "oa_parked",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("petition_id", sa.String(120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_oa_parked_petition_id", "oa_parked", ["petition_id"])
    op.create_table(
        "oa_outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("petition_id", sa.String(120), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("event_kind", sa.String(40), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("ack", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("idempotency_key"),
    )
    op.create_index("ix_oa_outbox_petition_id", "oa_outbox", ["petition_id"])
    op.create_index("ix_oa_outbox_state_id", "oa_outbox", ["state", "id"])
    op.create_table(
        "oa_errors",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("oa_errors")
    op.drop_index("ix_oa_outbox_state_id", "oa_outbox")
    op.drop_index("ix_oa_outbox_petition_id", "oa_outbox")
    op.drop_table("oa_outbox")
    op.drop_index("ix_oa_parked_petition_id", "oa_parked")
    op.drop_table("oa_parked")
    op.drop_index("ix_oa_petitions_ticket_id", "oa_petitions")
    op.drop_table("oa_petitions")
    op.drop_table("oa_cursor")
