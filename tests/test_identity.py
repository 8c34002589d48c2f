"""Specification of reading the one sender of a mail: ambiguity is never a registered address."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinxiang.replies.identity import sole_sender

OFFICE = "dzb@example.edu.cn"


@pytest.mark.parametrize(
    ("froms", "address"),
    [
        # What real clients write (Coremail, QQ, Foxmail, Outlook, Apple Mail, phones).
        (["党政办公室 <dzb@example.edu.cn>"], OFFICE),
        (['"党政办公室 李四" <DZB@Example.EDU.CN>'], OFFICE),
        (["dzb@example.edu.cn"], OFFICE),
        (["<dzb@example.edu.cn>"], OFFICE),
        (['"dzb@example.edu.cn" <dzb@example.edu.cn>'], OFFICE),
        (["'dzb@example.edu.cn' <dzb@example.edu.cn>"], OFFICE),
        (["Li Si (Party Office) <dzb@example.edu.cn>"], OFFICE),
        # An address in the display name that is not the sender's.
        (["dzb@example.edu.cn <attacker@evil.example>"], None),
        (['"dzb@example.edu.cn" <attacker@evil.example>'], None),
        (['"党政办公室 dzb@example.edu.cn" <attacker@evil.example>'], None),
        (['"dzb＠example.edu.cn" <attacker@evil.example>'], None),
        # Several addresses, several From headers, none.
        (["dzb@example.edu.cn, attacker@evil.example"], None),
        (["attacker@evil.example, dzb@example.edu.cn"], None),
        ([OFFICE, "attacker@evil.example"], None),
        ([], None),
        ([""], None),
        (["党政办公室"], None),
        # Group syntax and source routes.
        (["Office: dzb@example.edu.cn;"], None),
        (["Undisclosed recipients:;"], None),
        (["<@evil.example:dzb@example.edu.cn>"], None),
        # Look-alike and invisible characters.
        (["dzb@exаmple.edu.cn"], None),  # Cyrillic а
        (["dzb@example.edu.cn\u200b"], None),
        (["d\u200bzb@example.edu.cn"], None),
        (["党政办公室\u202e <dzb@example.edu.cn>"], None),
        (["ｄｚｂ@example.edu.cn"], None),  # full-width letters
        (["dzb@example.edu.cn\x00"], None),
    ],
)
def test_sole_sender(froms: list[str], address: str | None) -> None:
    check = sole_sender([("From", v) for v in froms])
    assert check.address == address
    assert (check.problem is None) is (address is not None)


def test_sender_and_reply_to_never_stand_in_for_from() -> None:
    headers = [("Sender", OFFICE), ("Reply-To", OFFICE), ("To", "xinxiang@example.edu.cn")]
    assert sole_sender(headers).address is None


@given(st.text(max_size=60), st.emails())
def test_any_second_address_in_the_name_is_refused(name: str, other: str) -> None:
    value = f'"{name} {other}" <{OFFICE}>'.replace("\\", "")
    check = sole_sender([("From", value)])
    if check.address is not None:
        assert check.address == OFFICE and other.lower() == OFFICE
