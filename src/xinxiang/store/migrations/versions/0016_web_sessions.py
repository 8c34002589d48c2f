"""web sessions kept on the server (ended by logout or the CAS server's back-channel logout)

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("via", sa.String(10), nullable=False),
        sa.Column("cas_ticket", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(40), nullable=True),
    )
    op.create_index("ix_web_sessions_account", "web_sessions", ["account"])
    op.create_index("ix_web_sessions_cas_ticket", "web_sessions", ["cas_ticket"])


def downgrade() -> None:
    op.drop_index("ix_web_sessions_cas_ticket", table_name="web_sessions")
    op.drop_index("ix_web_sessions_account", table_name="web_sessions")
    op.drop_table("web_sessions")
