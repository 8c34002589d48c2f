"""Specification of confirmation tokens: bound to the held mail and to the address asked."""

from __future__ import annotations

import pytest

from xinxiang.replies.confirm import confirm_address, find_confirmation, is_confirmation_answer
from xinxiang.replies.tokens import TokenKeys

KEY = bytes.fromhex("9f" * 8 + "3a1c" * 6 + "77e2d4b1c0a9f8e7")
OLD = bytes.fromhex("0123456789abcdef" * 4)
BASE = "xinxiang@example.edu.cn"
OFFICE = "dzb@example.edu.cn"


def test_a_confirmation_verifies_only_for_the_address_it_was_sent_to() -> None:
    address = confirm_address(BASE, 42, OFFICE, KEY)
    assert find_confirmation([address], BASE, OFFICE, KEY).hold_id == 42
    assert find_confirmation([address], BASE, OFFICE, KEY).status == "valid"
    assert find_confirmation([address], BASE, "hqc@example.edu.cn", KEY).status == "forged"
    assert find_confirmation([address], BASE, "", KEY).status == "forged"
    assert find_confirmation([BASE], BASE, OFFICE, KEY).status == "none"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda a: a.replace("+c42", "+c43"),
        lambda a: (
            a[: a.index("@") - 1] + ("a" if a[a.index("@") - 1] != "a" else "b") + a[a.index("@") :]
        ),
        lambda a: a.replace("@example.edu.cn", "@evil.example"),
    ],
)
def test_an_altered_confirmation_address_does_not_verify(mutate: object) -> None:
    address = confirm_address(BASE, 42, OFFICE, KEY)
    altered = mutate(address)  # type: ignore[operator]
    assert find_confirmation([altered], BASE, OFFICE, KEY).status != "valid"


def test_a_challenge_sent_before_a_key_rotation_still_verifies() -> None:
    address = confirm_address(BASE, 7, OFFICE, OLD)
    rotated = TokenKeys(KEY, previous=(OLD,))
    assert find_confirmation([address], BASE, OFFICE, rotated).status == "valid"
    assert find_confirmation([address], BASE, OFFICE, KEY).status == "forged"


@pytest.mark.parametrize(
    ("text", "yes"),
    [
        ("确认", True),
        ("確認\n\n发自我的iPhone", True),
        ("是本人所发，确认。", True),
        ("OK", True),
        ("", False),
        ("不是我发的", False),
        ("\n\n> 请在正文第一行写“确认”", False),
    ],
)
def test_only_a_yes_confirms(text: str, yes: bool) -> None:
    assert is_confirmation_answer(text) is yes
