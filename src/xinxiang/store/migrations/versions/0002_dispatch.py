"""dispatch: acceptance details on tickets, co-handlers

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("first_day", sa.String(10), nullable=True))
        batch.add_column(sa.Column("planned_formal_date", sa.String(10), nullable=True))
        batch.add_column(sa.Column("revisit_due", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("flagged", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column(
                "excluded_from_assessment", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch.add_column(sa.Column("rules_version", sa.String(80), nullable=True))
    op.create_table(
        "ticket_cohandlers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), nullable=False),
        sa.Column("department_code", sa.String(40), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("ticket_id", "department_code", name="uq_cohandler"),
    )
    op.create_index("ix_ticket_cohandlers_ticket_id", "ticket_cohandlers", ["ticket_id"])


def downgrade() -> None:
    op.drop_index("ix_ticket_cohandlers_ticket_id", "ticket_cohandlers")
    op.drop_table("ticket_cohandlers")
    with op.batch_alter_table("tickets") as batch:
        for col in (
            "rules_version",
            "excluded_from_assessment",
            "flagged",
            "revisit_due",
            "planned_formal_date",
            "first_day",
            "dispatched_at",
        ):
            batch.drop_column(col)
