"""A server that does not offer MOVE: processed mail is copied and flagged, never deleted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from inbound_helpers import context, letter
from servers import DovecotServer, dovecot_available
from xinxiang.mailbox.imap import PROCESSED_FLAG
from xinxiang.services.poll import poll_source
from xinxiang.store.models import TicketRow

# The capabilities Dovecot 2.3 advertises after login, minus MOVE.
NO_MOVE = (
    "imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT "
    "SORT=DISPLAY THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL "
    "CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC "
    "ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY SPECIAL-USE"
)


@pytest.fixture(scope="module")
def old_server() -> Iterator[DovecotServer]:
    if not dovecot_available():
        pytest.skip("Dovecot is not installed")
    with DovecotServer(extra_config=NO_MOVE) as server:
        server.start()
        yield server


def test_without_move_messages_are_copied_and_flagged(
    old_server: DovecotServer, tmp_config
) -> None:  # type: ignore[no-untyped-def]
    account = old_server.new_account("nomove")
    with account.client() as c:
        assert not c.has_capability("MOVE")
    ctx = context(tmp_config(imap=account))
    for i in range(3):
        account.append(letter(subject=f"来信{i}", sender=f"n{i}@stu.example.edu.cn"))
    first = poll_source(ctx, "shuji", lambda: datetime.now(UTC))
    again = poll_source(ctx, "shuji", lambda: datetime.now(UTC))
    assert (first.created, again.created, again.duplicates) == (3, 0, 0)
    assert account.folder_count("Processed") == 3
    assert account.folder_count("INBOX") == 3  # nothing deleted
    with account.client() as c:
        c.select_folder("INBOX", readonly=True)
        assert len(c.search(["KEYWORD", PROCESSED_FLAG])) == 3
    with ctx.db.unit_of_work() as s:
        assert s.execute(select(func.count()).select_from(TicketRow)).scalar_one() == 3
