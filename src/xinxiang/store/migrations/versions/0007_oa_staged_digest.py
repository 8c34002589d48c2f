"""oa staging: a staged petition's content digest is computed when its ticket is made

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("oa_petitions") as batch:
        batch.alter_column("content_hash", existing_type=sa.String(64), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE oa_petitions SET content_hash = '' WHERE content_hash IS NULL")
    with op.batch_alter_table("oa_petitions") as batch:
        batch.alter_column("content_hash", existing_type=sa.String(64), nullable=False)
