"""Specification of reading Authentication-Results: only our receiving server's positive,
aligned verdict proves a sender; a missing, untrusted, partial or contradictory one never does."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinxiang.replies.authres import authenticate, parse_results

MX = "mx.example.edu.cn"
TRUSTED = [MX]
OFFICE = "dzb@example.edu.cn"


@pytest.mark.parametrize(
    ("sender", "headers", "accept_spf", "method"),
    [
        # What proves a sender: aligned DKIM, DMARC, a campus login, SPF only where accepted.
        (OFFICE, [f"{MX}; dkim=pass header.d=example.edu.cn"], False, "dkim"),
        (OFFICE, [f"{MX}; dkim=pass header.i=@example.edu.cn"], False, "dkim"),
        (OFFICE, [f"{MX}; dkim=pass header.d=mail.example.edu.cn"], False, "dkim"),
        (OFFICE, [f"{MX}; dmarc=pass header.from=example.edu.cn"], False, "dmarc"),
        (OFFICE, [f"{MX}; dmarc=pass"], False, "dmarc"),
        (OFFICE, [f"{MX}; auth=pass smtp.auth=dzb@example.edu.cn"], False, "auth"),
        (OFFICE, [f"{MX}; auth=pass smtp.auth=dzb"], False, "auth"),
        (OFFICE, [f'{MX}; auth=pass smtp.auth="dzb@example.edu.cn"'], False, "auth"),
        (OFFICE, [f"{MX}; spf=pass smtp.mailfrom=dzb@example.edu.cn"], True, "spf"),
        (OFFICE, [f"{MX} 1; dkim=pass header.d=example.edu.cn"], False, "dkim"),
        (OFFICE, ["MX.Example.EDU.CN; DKIM=Pass header.d=EXAMPLE.edu.cn"], False, "dkim"),
        (OFFICE, [f"{MX};\r\n\tdkim=pass (good signature) header.d=example.edu.cn"], False, "dkim"),
        # Every header is read: a sender's own header first does not hide the server's.
        (
            OFFICE,
            ["evil.example; dkim=fail", f"{MX}; dkim=pass header.d=example.edu.cn"],
            False,
            "dkim",
        ),
        # A broken signature of another domain says nothing about the From address.
        (
            OFFICE,
            [f"{MX}; dkim=fail header.d=list.example.org; dkim=pass header.d=example.edu.cn"],
            False,
            "dkim",
        ),
        # No header, or only headers the sender could have written itself.
        (OFFICE, [], False, None),
        (OFFICE, [""], False, None),
        (
            OFFICE,
            ["mx.example.edu.cn.evil.example; dkim=pass header.d=example.edu.cn"],
            False,
            None,
        ),
        (OFFICE, ["evil.example; dkim=pass header.d=example.edu.cn; dmarc=pass"], False, None),
        (OFFICE, ["example.edu.cn; dkim=pass header.d=example.edu.cn"], False, None),
        # Results that are not a pass.
        *[
            (OFFICE, [f"{MX}; dkim={r} header.d=example.edu.cn"], False, None)
            for r in ("none", "neutral", "policy", "temperror", "permerror", "fail")
        ],
        *[
            (OFFICE, [f"{MX}; spf={r} smtp.mailfrom=example.edu.cn"], True, None)
            for r in ("none", "neutral", "softfail", "fail", "temperror", "permerror")
        ],
        *[(OFFICE, [f"{MX}; dmarc={r}"], False, None) for r in ("none", "fail", "temperror")],
        (OFFICE, [f"{MX}; none"], False, None),
        # Passes that do not speak for the From address.
        (OFFICE, [f"{MX}; dkim=pass header.d=evil.example"], False, None),
        (OFFICE, [f"{MX}; dkim=pass header.d=example.edu.cn.evil.example"], False, None),
        (OFFICE, [f"{MX}; dkim=pass"], False, None),
        (OFFICE, [f"{MX}; dmarc=pass header.from=evil.example"], False, None),
        (OFFICE, [f"{MX}; auth=pass smtp.auth=hqc@example.edu.cn"], False, None),
        (OFFICE, [f"{MX}; auth=pass smtp.auth=hqc"], False, None),
        (OFFICE, [f"{MX}; auth=pass"], False, None),
        (OFFICE, [f"{MX}; spf=pass smtp.mailfrom=dzb@example.edu.cn"], False, None),
        (OFFICE, [f"{MX}; spf=pass smtp.mailfrom=bounce@evil.example"], True, None),
        (OFFICE, [f"{MX}; arc=pass; iprev=pass; x-custom=pass"], False, None),
        # A pass written inside a comment is no result.
        (OFFICE, [f"{MX}; dkim=none (dkim=pass header.d=example.edu.cn)"], False, None),
        (OFFICE, [f"{MX}; (dkim=pass (header.d=example.edu.cn)) spf=none"], False, None),
        # Any failure the trusted server reports wins over a pass.
        (OFFICE, [f"{MX}; dkim=pass header.d=example.edu.cn; dmarc=fail"], False, None),
        (
            OFFICE,
            [f"{MX}; auth=fail smtp.auth=dzb; dkim=pass header.d=example.edu.cn"],
            False,
            None,
        ),
        (
            OFFICE,
            [
                f"{MX}; dkim=pass header.d=example.edu.cn",
                f"{MX}; dkim=fail header.d=example.edu.cn",
            ],
            False,
            None,
        ),
        # Two trusted headers disagreeing about one method: one was injected.
        (
            OFFICE,
            [f"{MX}; dkim=none", f"{MX}; dkim=pass header.d=example.edu.cn"],
            False,
            None,
        ),
        # No usable From address.
        ("", [f"{MX}; dkim=pass header.d=example.edu.cn"], False, None),
        ("dzb", [f"{MX}; dkim=pass header.d=example.edu.cn"], False, None),
    ],
)
def test_authenticate(
    sender: str, headers: list[str], accept_spf: bool, method: str | None
) -> None:
    verdict = authenticate(sender, headers, TRUSTED, accept_spf=accept_spf)
    assert (verdict.passed, verdict.method) == (method is not None, method)
    assert verdict.reason


def test_no_trusted_server_configured_means_nothing_is_proven() -> None:
    verdict = authenticate(OFFICE, [f"{MX}; dkim=pass header.d=example.edu.cn"], [])
    assert not verdict.passed
    assert "trusted_authserv_ids" in verdict.reason


def test_the_reasons_say_what_was_missing() -> None:
    assert "缺少" in authenticate(OFFICE, [], TRUSTED).reason
    assert "evil.example" in authenticate(OFFICE, ["evil.example; dkim=pass"], TRUSTED).reason
    assert "DMARC" in authenticate(OFFICE, [f"{MX}; dmarc=fail"], TRUSTED).reason


def test_parse_keeps_properties_and_quoted_values() -> None:
    header = parse_results(
        f'{MX} 1; auth=pass (login) smtp.auth="a;b@example.edu.cn"; dkim=pass header.d=x.cn'
    )
    assert header is not None and header.authserv_id == MX
    assert [(r.method, r.result) for r in header.results] == [("auth", "pass"), ("dkim", "pass")]
    assert header.results[0].prop("smtp.auth") == "a;b@example.edu.cn"
    assert parse_results("") is None


@given(st.text(max_size=200), st.emails())
def test_headers_from_anyone_but_the_trusted_server_never_prove(text: str, sender: str) -> None:
    # Whatever a sender writes, a header whose authserv-id is not ours proves nothing.
    header = "untrusted.example; " + text
    assert not authenticate(sender, [header], TRUSTED).passed


@given(
    st.lists(
        st.sampled_from(
            ["dkim=none", "spf=softfail", "dmarc=none", "auth=none", "dkim=neutral", "spf=none"]
        ),
        max_size=5,
    ),
    st.booleans(),
)
def test_without_a_pass_nothing_is_proven(results: list[str], accept_spf: bool) -> None:
    header = "; ".join([MX, *results]) + " header.d=example.edu.cn"
    assert not authenticate(OFFICE, [header], TRUSTED, accept_spf=accept_spf).passed
