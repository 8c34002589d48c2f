"""shunts: items a stage could not handle, set aside with their exception (搁置区)

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shunts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("stage", sa.String(30), nullable=False),
        sa.Column("item_kind", sa.String(30), nullable=False),
        sa.Column("item_key", sa.String(200), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("exc_type", sa.String(200), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("traceback", sa.Text(), nullable=False),
        sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(320), nullable=True),
        sa.UniqueConstraint("stage", "item_key", name="uq_shunts_stage_item"),
    )
    op.create_index("ix_shunts_state", "shunts", ["state"])


def downgrade() -> None:
    op.drop_index("ix_shunts_state", table_name="shunts")
    op.drop_table("shunts")
