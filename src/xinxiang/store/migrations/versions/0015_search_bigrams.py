"""word-search bigram index (ticket_search) and the ticket list's composite indexes

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# The ticket list's filters, each with the page order (newest first) behind it, so the page of
# 50 is read from the index instead of sorting every ticket of a status or department.
LIST_INDEXES = {
    "ix_tickets_status_id": ["status", "id"],
    "ix_tickets_department_id": ["department_code", "id"],
    "ix_tickets_created_at": ["created_at"],
}
FTS = "ticket_search_fts"


def upgrade() -> None:
    from xinxiang.store.search import rebuild

    op.create_table(
        "ticket_search",
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), primary_key=True),
        sa.Column("grams", sa.Text(), nullable=False),
    )
    for name, cols in LIST_INDEXES.items():
        op.create_index(name, "tickets", cols)
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        rebuild(bind)  # the tickets already there, in batches; the GIN index is built after
        op.execute(
            "CREATE INDEX ix_ticket_search_grams ON ticket_search "
            "USING gin (string_to_array(grams, ' '))"
        )
        return
    # External-content FTS5 over ticket_search.grams; the grams are whole tokens.
    op.execute(
        f"CREATE VIRTUAL TABLE {FTS} USING fts5(grams, content='ticket_search', "
        "content_rowid='ticket_id', tokenize='unicode61 remove_diacritics 0')"
    )
    op.execute(
        f"CREATE TRIGGER ticket_search_ai AFTER INSERT ON ticket_search BEGIN "
        f"INSERT INTO {FTS}(rowid, grams) VALUES (new.ticket_id, new.grams); END"
    )
    op.execute(
        f"CREATE TRIGGER ticket_search_ad AFTER DELETE ON ticket_search BEGIN "
        f"INSERT INTO {FTS}({FTS}, rowid, grams) VALUES ('delete', old.ticket_id, old.grams);"
        " END"
    )
    op.execute(
        f"CREATE TRIGGER ticket_search_au AFTER UPDATE ON ticket_search BEGIN "
        f"INSERT INTO {FTS}({FTS}, rowid, grams) VALUES ('delete', old.ticket_id, old.grams);"
        f" INSERT INTO {FTS}(rowid, grams) VALUES (new.ticket_id, new.grams); END"
    )
    rebuild(bind)  # the tickets already there, in batches (the triggers feed FTS5)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        for trigger in ("ticket_search_ai", "ticket_search_ad", "ticket_search_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute(f"DROP TABLE IF EXISTS {FTS}")
    for name in LIST_INDEXES:
        op.drop_index(name, "tickets")
    op.drop_table("ticket_search")
