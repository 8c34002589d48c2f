"""Specification of per-ticket reply tokens (回复令牌) and ticket numbers in subjects."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinxiang.replies.tokens import (
    MAC_CHARS,
    TokenResult,
    find_ticket_in_addresses,
    make_token,
    normalize_token,
    parse_token,
    reply_address,
    ticket_number_in_subject,
)

KEY = b"test-key-0123456789abcdef"
OTHER_KEY = b"another-key-0123456789"
BASE = "xinxiang@example.edu.cn"

ticket_numbers = st.builds(
    lambda year, seq: f"{year:04d}-{seq:06d}",
    st.integers(min_value=2000, max_value=2099),
    st.integers(min_value=0, max_value=999_999),
)


def test_token_shape() -> None:
    token = make_token("2026-000123", KEY)
    assert token.startswith("t2026000123")
    assert len(token) == len("t2026000123") + MAC_CHARS
    assert token == token.lower()
    assert token.isalnum() and token.isascii()


def test_reply_address_is_a_plus_address_of_the_base() -> None:
    token = make_token("2026-000123", KEY)
    assert reply_address(BASE, "2026-000123", KEY) == f"xinxiang+{token}@example.edu.cn"


@pytest.mark.parametrize("bad", ["", "2026000123", "26-000123", "2026-", "2026-12a", "abc"])
def test_make_token_rejects_malformed_ticket_numbers(bad: str) -> None:
    with pytest.raises(ValueError):
        make_token(bad, KEY)


def test_empty_key_is_refused() -> None:
    with pytest.raises(ValueError):
        make_token("2026-000123", b"")


def _retyped(token: str) -> list[str]:
    return [
        token.upper(),
        token.replace("1", "l"),
        token.replace("1", "I"),
        token.replace("0", "o"),
        token.replace("0", "O").upper(),
        token[:5] + "-" + token[5:],
        f"  {token}  ",
    ]


def test_retyped_tokens_still_verify() -> None:
    token = make_token("2026-000110", KEY)
    assert "1" in token and "0" in token
    for variant in _retyped(token):
        assert parse_token(variant, KEY) == "2026-000110", variant


@pytest.mark.parametrize(
    "token",
    [
        "",
        "t",
        "2026000123abcdefghjk",  # no prefix
        "t2026000123",  # no MAC
        "t2026000123abcdefghj",  # MAC one short, so the ticket part is wrong
        "t20260001x3abcdefghjk",  # letter in the ticket digits
        "t2026000123abcdefghju",  # 'u' is not Crockford base32
        "xinxiang",
    ],
)
def test_parse_token_rejects_malformed_tokens(token: str) -> None:
    assert parse_token(token, KEY) is None


def test_token_from_another_key_is_rejected() -> None:
    assert parse_token(make_token("2026-000123", OTHER_KEY), KEY) is None


def test_token_for_another_ticket_is_rejected() -> None:
    mac = make_token("2026-000123", KEY)[-MAC_CHARS:]
    assert parse_token("t2026000124" + mac, KEY) is None


@given(ticket_numbers)
def test_round_trip(ticket: str) -> None:
    assert parse_token(make_token(ticket, KEY), KEY) == ticket


_CHANGES = "0123456789abcdefghijklmnopqrstuvwxyzABCXYZ-_.+="


@given(ticket_numbers, st.data())
def test_any_single_character_change_is_rejected(ticket: str, data: st.DataObject) -> None:
    token = make_token(ticket, KEY)
    position = data.draw(st.integers(min_value=0, max_value=len(token) - 1))
    replacement = data.draw(st.sampled_from(_CHANGES))
    changed = token[:position] + replacement + token[position + 1 :]
    if normalize_token(changed) == normalize_token(token):
        # Case, i/l for 1, o for 0: the same token retyped, not a change.
        assert parse_token(changed, KEY) == ticket
    else:
        assert parse_token(changed, KEY) is None


# --- finding the token among recipient addresses ---------------------------------------------

TOKEN = make_token("2026-000123", KEY)


@pytest.mark.parametrize(
    ("addresses", "expected"),
    [
        ([], TokenResult("none")),
        (["xinxiang@example.edu.cn"], TokenResult("none")),
        (["someone@example.edu.cn", "jwc@example.edu.cn"], TokenResult("none")),
        # Same local part at another domain is not ours.
        ([f"xinxiang+{TOKEN}@example.com"], TokenResult("none")),
        # Another mailbox's plus address is not ours either.
        ([f"other+{TOKEN}@example.edu.cn"], TokenResult("none")),
        (
            [f"xinxiang+{TOKEN}@example.edu.cn"],
            TokenResult("valid", ticket="2026-000123", token=TOKEN),
        ),
        (
            [f'"书记校长信箱" <XINXIANG+{TOKEN.upper()}@EXAMPLE.EDU.CN>, jwc@example.edu.cn'],
            TokenResult("valid", ticket="2026-000123", token=TOKEN.upper()),
        ),
        (
            ["xinxiang+t2026000123aaaaaaaaaa@example.edu.cn"],
            TokenResult("forged", token="t2026000123aaaaaaaaaa", claimed_ticket="2026-000123"),
        ),
        (
            ["xinxiang+hello@example.edu.cn"],
            TokenResult("forged", token="hello", claimed_ticket=None),
        ),
        # A valid token wins over a forged one in the same message.
        (
            [
                "xinxiang+t2026000999aaaaaaaaaa@example.edu.cn",
                f"xinxiang+{TOKEN}@example.edu.cn",
            ],
            TokenResult("valid", ticket="2026-000123", token=TOKEN),
        ),
    ],
)
def test_find_ticket_in_addresses(addresses: list[str], expected: TokenResult) -> None:
    assert find_ticket_in_addresses(addresses, BASE, KEY) == expected


def test_find_ticket_in_addresses_with_wrong_key_is_forged() -> None:
    address = reply_address(BASE, "2026-000123", OTHER_KEY)
    result = find_ticket_in_addresses([address], BASE, KEY)
    assert result.status == "forged"
    assert result.ticket is None
    assert result.claimed_ticket == "2026-000123"


# --- ticket numbers in subjects --------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("回复：关于食堂的建议 2026-000123", "2026-000123"),
        ("Re: 【2026-000123】关于食堂的建议", "2026-000123"),
        ("答复：[2026-000123] 关于食堂的建议", "2026-000123"),
        ("回复：【２０２６－０００１２３】关于食堂", "2026-000123"),
        ("回复：工单2026—000123", "2026-000123"),
        ("关于食堂的建议", None),
        ("电话 010-12345678", None),
        ("2026-0001234", None),  # seven-digit sequence: not ours
        ("12026-000123", None),
        ("", None),
    ],
)
def test_ticket_number_in_subject(subject: str, expected: str | None) -> None:
    assert ticket_number_in_subject(subject) == expected
