"""Specification of per-ticket reply tokens (回复令牌) and ticket numbers in subjects."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinxiang.replies.tokens import (
    MAC_CHARS,
    TokenKeys,
    TokenResult,
    VerifiedToken,
    find_ticket_in_addresses,
    find_ticket_in_subject,
    generate_token_key,
    make_token,
    normalize_token,
    parse_role_token,
    parse_token,
    reply_address,
    ticket_number_in_subject,
    token_key_problem,
    verification_keys,
    verify_token,
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


# Key strength (密钥强度) ---------------------------------------------------------------------

HEX64 = "99c2628388697d22bc2f6ee028dda0a2acbf7d505cd7c8d2bb2cf48ac3ce3c49"
B64_43 = "mR3qKz0wX7vN1pLc8TfYh2GdUe5sJa9oBi4Wn6QxEkA"


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        (HEX64, None),
        (HEX64.upper(), None),
        (B64_43, None),  # secrets.token_urlsafe(32)
        (B64_43 + "=", None),  # padded standard base64
        ("Zm9v+YmFy/cXV4-ZXhh_bXBsZS1rZXktZm9yLXhpbnhpYW5n", None),
        ("春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。"
         "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。", None),  # a passphrase
        ("correct horse battery staple, purple monkey dishwasher", None),
        ("", "43+ base64"),
        ("short", "43+ base64"),
        ("aaaaaaaaaaaaaaaa", "43+ base64"),
        ("test-token-key-0123456789abcdef", "this one has 31 characters"),
        (HEX64[:48], "a hex key needs 64 characters"),  # secrets.token_hex(24)
        ("a" * 64, "only 1 distinct"),
        ("a" * 100, "only 1 distinct"),
        ("abc" * 20, "a hex key needs 64"),  # hex digits only, 60 of them
        ("abc" * 30, "only 3 distinct"),
        ("1234567890" * 7, "repeats a pattern of 10"),
        ("0123456789abcdef" * 4, "repeats a pattern of 16"),
        ("Tr0ub4dor&3-xyzQWE!" * 3, "repeats a pattern of 19"),
        ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", "consecutive"),
        ("zyxwvutsrqponmlkjihgfedcbaZYXWVUTSRQPONMLKJIHGFEDCBA", "consecutive"),
    ],
)  # fmt: skip
def test_token_key_strength(key: str, reason: str | None) -> None:
    problem = token_key_problem(key)
    if reason is None:
        assert problem is None
    else:
        assert problem is not None and reason in problem


def test_generated_keys_are_always_strong() -> None:
    keys = {generate_token_key() for _ in range(500)}
    assert len(keys) == 500
    assert all(len(k) == 64 and token_key_problem(k) is None for k in keys)


@given(st.text(min_size=1, max_size=40), st.integers(min_value=2, max_value=50))
def test_a_repeated_unit_is_never_a_key(unit: str, times: int) -> None:
    assert token_key_problem(unit * times) is not None


@given(st.text(max_size=42))
def test_anything_shorter_than_43_characters_is_refused(key: str) -> None:
    assert token_key_problem(key) is not None


# Key rotation (密钥轮换) ---------------------------------------------------------------------

OLD = b"old-key-" + HEX64.encode()
NEW = b"new-key-" + HEX64[::-1].encode()


def test_ring_mints_with_the_current_key() -> None:
    ring = TokenKeys(NEW, [OLD])
    assert make_token("2026-000123", ring) == make_token("2026-000123", NEW)
    assert reply_address(BASE, "2026-000123", ring) == reply_address(BASE, "2026-000123", NEW)
    assert bytes(ring) == NEW and verification_keys(ring) == (NEW, OLD)
    assert verification_keys(NEW) == (NEW,)
    assert "new-key" not in repr(ring) and "old-key" not in repr(ring)


@pytest.mark.parametrize(
    ("minted_with", "ring", "verifies"),
    [
        (OLD, TokenKeys(NEW, [OLD]), True),  # rotated, old key listed
        (OLD, TokenKeys(NEW, [b"x" * 43, OLD]), True),  # any listed previous key
        (OLD, TokenKeys(NEW), False),  # old key removed at the end of the transition
        (OLD, NEW, False),  # a plain key is a ring of one
        (NEW, TokenKeys(NEW, [OLD]), True),
        (OTHER_KEY, TokenKeys(NEW, [OLD]), False),
    ],
)
def test_rotation_keeps_listed_old_keys_for_verification(
    minted_with: bytes, ring: bytes, verifies: bool
) -> None:
    token = make_token("2026-000123", minted_with)
    address = reply_address(BASE, "2026-000123", minted_with)
    assert (parse_token(token, ring) == "2026-000123") is verifies
    found = find_ticket_in_addresses([address], BASE, ring)
    assert found.status == ("valid" if verifies else "forged")


def test_ring_drops_the_current_key_and_empty_keys_from_previous() -> None:
    assert TokenKeys(NEW, [NEW, b"", OLD, OLD]).previous == (OLD,)


ROLES = ["department", "cohandler", "office", "petitioner"]


@pytest.mark.parametrize("role", ROLES)
def test_role_tokens_name_their_ticket_and_role(role: str) -> None:
    token = make_token("2026-000123", KEY, role)
    assert parse_role_token(token, KEY) == ("2026-000123", role)
    assert parse_token(token, KEY) == "2026-000123"
    assert parse_role_token(token.upper(), KEY) == ("2026-000123", role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("other", ROLES)
def test_a_role_letter_cannot_be_swapped(role: str, other: str) -> None:
    # The petitioner's receipt token, its role letter changed to the department's: forged.
    token = make_token("2026-000123", KEY, role)
    letters = {"department": "d", "cohandler": "c", "office": "f", "petitioner": "p"}
    digits = len("t2026000123")
    swapped = token[:digits] + letters[other] + token[digits + 1 :]
    expected = ("2026-000123", role) if other == role else None
    assert parse_role_token(swapped, KEY) == expected


def test_a_legacy_token_verifies_without_a_role() -> None:
    legacy = make_token("2026-000123", KEY)
    assert parse_role_token(legacy, KEY) == ("2026-000123", None)
    # Neither kind of MAC is valid for the other kind.
    role_token = make_token("2026-000123", KEY, "office")
    assert parse_role_token(legacy[:11] + "f" + legacy[11:], KEY) is None
    assert parse_role_token(role_token[:11] + role_token[12:], KEY) is None


def test_find_ticket_reports_the_role() -> None:
    address = reply_address("xinxiang@example.edu.cn", "2026-000123", KEY, "department")
    found = find_ticket_in_addresses([address], "xinxiang@example.edu.cn", KEY)
    assert (found.status, found.ticket, found.role) == ("valid", "2026-000123", "department")


@given(st.sampled_from(ROLES), st.integers(min_value=1, max_value=999_999))
def test_role_tokens_round_trip(role: str, seq: int) -> None:
    number = f"2026-{seq:06d}"
    assert parse_role_token(make_token(number, KEY, role), KEY) == (number, role)


def test_unknown_roles_are_refused() -> None:
    with pytest.raises(ValueError):
        make_token("2026-000123", KEY, "leader")


# Address-bound tokens (回复令牌绑定收件地址, issue #12) ------------------------------------------

HQC = "hqc@example.edu.cn"
HQC2 = "hqc-ban@example.edu.cn"


@pytest.mark.parametrize("role", ROLES)
def test_an_address_bound_token_verifies_only_for_its_address(role: str) -> None:
    token = make_token("2026-000123", KEY, role, HQC)
    assert verify_token(token, KEY, [HQC2, HQC.upper()]) == VerifiedToken("2026-000123", role, HQC)
    assert verify_token(token, KEY, [HQC2]) is None
    assert verify_token(token, KEY) is None  # no candidate: nothing to verify against
    # Never a ticket+role or a legacy token, and other addresses get other tokens.
    assert parse_role_token(token, KEY) is None
    assert token != make_token("2026-000123", KEY, role)
    assert token != make_token("2026-000123", KEY, role, HQC2)


@given(number=ticket_numbers)
def test_a_bound_reply_address_fits_an_rfc_5321_local_part(number: str) -> None:
    address = reply_address(BASE, number, KEY, "cohandler", "a-very-long.name@example.edu.cn")
    assert len(address.split("@")[0]) <= 64


def test_a_bound_token_is_found_with_the_candidates_the_caller_names() -> None:
    address = reply_address(BASE, "2026-000123", KEY, "department", HQC)
    named: list[tuple[str, str]] = []

    def candidates(number: str, role: str) -> list[str]:
        named.append((number, role))
        return [HQC2, HQC]

    found = find_ticket_in_addresses([f"后勤 <{address}>"], BASE, KEY, candidates)
    assert (found.status, found.ticket, found.role, found.address) == (
        "valid",
        "2026-000123",
        "department",
        HQC,
    )
    assert named == [("2026-000123", "department")]
    # Without the address it was bound to, the token is no token of ours.
    assert find_ticket_in_addresses([address], BASE, KEY, lambda _n, _r: [HQC2]).status == (
        "forged"
    )


@pytest.mark.parametrize(
    ("minted_with", "ring", "verifies"),
    [
        (OLD, TokenKeys(NEW, [OLD]), True),
        (OLD, TokenKeys(NEW), False),
        (NEW, TokenKeys(NEW, [OLD]), True),
    ],
)
def test_bound_tokens_survive_a_key_rotation_while_the_old_key_is_listed(
    minted_with: bytes, ring: bytes, verifies: bool
) -> None:
    token = make_token("2026-000123", minted_with, "office", HQC)
    assert (verify_token(token, ring, [HQC]) is not None) is verifies


def test_subject_tags_are_read_as_clients_keep_them() -> None:
    token = make_token("2026-000123", KEY, "department", HQC)
    shout = token.upper()
    for subject in (
        f"回复：【转办】2026-000123 宿舍热水 [XX-{token}]",
        f"答复: RE: 转发：【转办】 ［XX-{shout}］",
        f"Re: [xx - {token}] [XX-{token}]",  # the same token twice is one token
    ):
        found = find_ticket_in_subject(subject, KEY, lambda _n, _r: [HQC])
        assert (found.status, found.ticket, found.address) == ("valid", "2026-000123", HQC)
    other = make_token("2026-000124", KEY, "department", HQC)
    two = find_ticket_in_subject(f"Re: [XX-{token}] [XX-{other}]", KEY, lambda _n, _r: [HQC])
    assert two.status == "ambiguous" and two.ticket is None
    assert find_ticket_in_subject("Re: 宿舍热水", KEY).status == "none"
    assert find_ticket_in_subject(f"Re: [XX-{token[:-1]}x]", KEY, lambda _n, _r: [HQC]).status == (
        "forged"
    )
