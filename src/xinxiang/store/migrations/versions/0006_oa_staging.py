"""oa staging: pulled petitions are kept first and become tickets in a second stage

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("oa_petitions") as batch:
        batch.alter_column("letter_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(
            sa.Column("state", sa.String(12), nullable=False, server_default="recorded")
        )
        batch.add_column(sa.Column("raw_json", sa.Text(), nullable=True))
        batch.create_index("ix_oa_petitions_state", ["state"])


def downgrade() -> None:
    with op.batch_alter_table("oa_petitions") as batch:
        batch.drop_index("ix_oa_petitions_state")
        batch.drop_column("raw_json")
        batch.drop_column("state")
        batch.alter_column("letter_id", existing_type=sa.Integer(), nullable=False)
