"""outbox.parts: a mail's rendered parts, flattened to bytes only when it is sent (issue #17)

Routing queued every dispatch mail fully formed (MIME tree built, headers encoded, body
base64'd): about a third of its CPU per ticket. The row now keeps what was decided — the
rendered text, the header values, the attachments as blob references — in `parts` (JSON), and
the sender flattens it once, stores the bytes in `raw` and sends those (a resend is byte-
identical). Rows with `raw` already set are unchanged.

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("parts", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("parts")
