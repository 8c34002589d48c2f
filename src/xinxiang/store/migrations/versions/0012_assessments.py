"""Monthly assessment (月度考评): frozen months' counts; events indexed by kind and time

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assessment_months",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "assessment_results",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("month", sa.String(7), sa.ForeignKey("assessment_months.month"), nullable=False),
        sa.Column("department_code", sa.String(40), nullable=False),
        sa.Column("counted", sa.Integer(), nullable=False),
        sa.Column("excluded", sa.Integer(), nullable=False),
        sa.Column("response_total", sa.Integer(), nullable=False),
        sa.Column("response_ok", sa.Integer(), nullable=False),
        sa.Column("completion_total", sa.Integer(), nullable=False),
        sa.Column("completion_ok", sa.Integer(), nullable=False),
        sa.Column("ratings", sa.JSON(), nullable=False),
        sa.UniqueConstraint("month", "department_code", name="uq_assessment_result"),
    )
    op.create_index("ix_assessment_results_month", "assessment_results", ["month"])
    # Transfers and returns of a month are found by kind and time (the assessment's rare path).
    op.create_index("ix_events_kind_at", "events", ["kind", "at"])


def downgrade() -> None:
    op.drop_index("ix_events_kind_at", table_name="events")
    op.drop_index("ix_assessment_results_month", table_name="assessment_results")
    op.drop_table("assessment_results")
    op.drop_table("assessment_months")
