"""Specification of the one permission question: actor × action × resource, then the same
answers seen through the pages (a ticket the actor may not see is a 404, like a missing one)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from web_helpers import ACCOUNTS, login, make_site
from xinxiang.web.permissions import (
    ACTIONS,
    ROLES,
    Actor,
    TicketResource,
    allowed,
    supervised_departments,
    ticket_scope,
)

OFFICE = Actor("o", "office")
AUDITOR = Actor("a", "auditor")
HQC = Actor("h", "department", frozenset({"hqc"}))
TSG = Actor("t", "department", frozenset({"tsg"}))
LEADER = Actor("l", "leader", frozenset({"hqc", "xyy"}))
LEADER_OF_NONE = Actor("n", "leader")

T_HQC = TicketResource("2026-000001", "hqc")
T_XSC_CO_HQC = TicketResource("2026-000002", "xsc", frozenset({"hqc"}))
T_TSG = TicketResource("2026-000003", "tsg")
T_UNROUTED = TicketResource("2026-000004", None)

# (actor, action, resource, allowed?) — every combination that matters, written out.
MATRIX = [
    # the console as a whole
    *[
        (a, "view-dashboard", None, ok)
        for a, ok in [(OFFICE, True), (AUDITOR, True), (HQC, False), (LEADER, False), (None, False)]
    ],
    *[
        (a, "view-holding-pen", None, ok)
        for a, ok in [(OFFICE, True), (AUDITOR, True), (HQC, False), (LEADER, False), (None, False)]
    ],
    *[
        (a, "list-tickets", None, ok)
        for a, ok in [(OFFICE, True), (AUDITOR, True), (HQC, True), (LEADER, True), (None, False)]
    ],
    # reading a ticket
    *[(OFFICE, "view-ticket", t, True) for t in (T_HQC, T_XSC_CO_HQC, T_TSG, T_UNROUTED)],
    *[(AUDITOR, "view-ticket", t, True) for t in (T_HQC, T_XSC_CO_HQC, T_TSG, T_UNROUTED)],
    (HQC, "view-ticket", T_HQC, True),
    (HQC, "view-ticket", T_XSC_CO_HQC, True),  # co-handled (协办)
    (HQC, "view-ticket", T_TSG, False),
    (HQC, "view-ticket", T_UNROUTED, False),
    (TSG, "view-ticket", T_HQC, False),
    (TSG, "view-ticket", T_XSC_CO_HQC, False),
    (TSG, "view-ticket", T_TSG, True),
    (LEADER, "view-ticket", T_HQC, True),  # supervises hqc
    (LEADER, "view-ticket", T_XSC_CO_HQC, True),  # a supervised department co-handles it
    (LEADER, "view-ticket", T_TSG, False),
    (LEADER_OF_NONE, "view-ticket", T_HQC, False),
    (None, "view-ticket", T_HQC, False),
    # changing a ticket: the office anywhere, a department on its own, never auditor or leader
    *[(OFFICE, "change-ticket", t, True) for t in (T_HQC, T_TSG, T_UNROUTED)],
    *[(AUDITOR, "change-ticket", t, False) for t in (T_HQC, T_TSG, T_UNROUTED)],
    (HQC, "change-ticket", T_HQC, True),
    (HQC, "change-ticket", T_TSG, False),
    (LEADER, "change-ticket", T_HQC, False),
    (None, "change-ticket", T_HQC, False),
    # the office's own work: its ticket actions and the intake lists' actions (office only)
    *[(OFFICE, "office-action", t, True) for t in (T_HQC, T_XSC_CO_HQC, T_TSG, T_UNROUTED)],
    *[(a, "office-action", T_HQC, False) for a in (AUDITOR, HQC, LEADER, None)],
    (HQC, "office-action", T_XSC_CO_HQC, False),  # co-handling gives no office action
    *[
        (a, action, None, ok)
        for action in ("view-approvals", "view-failures", "view-audit")
        for a, ok in [(OFFICE, True), (AUDITOR, True), (HQC, False), (LEADER, False), (None, False)]
    ],
    # the policy pages: the 三率 ranking for all (约谈 flags: office and leaders), hot topics
    *[
        (a, action, None, ok)
        for action, oks in [
            ("view-assessment", (True, True, True, True)),
            ("view-interview-flags", (True, False, False, True)),
            ("view-topics", (True, True, False, True)),
        ]
        for a, ok in [*zip((OFFICE, AUDITOR, HQC, LEADER), oks, strict=True), (None, False)]
    ],
    *[
        (a, "handle-intake", None, ok)
        for a, ok in [
            (OFFICE, True),
            (AUDITOR, False),
            (HQC, False),
            (LEADER, False),
            (None, False),
        ]
    ],
    # a department's answers: the lead department only, never a co-handler or another role
    *[
        (a, "department-action", t, ok)
        for a, t, ok in [
            (HQC, T_HQC, True),
            (HQC, T_XSC_CO_HQC, False),  # co-handles only: 协办结果, not 正式回复
            (HQC, T_TSG, False),
            (HQC, T_UNROUTED, False),
            (TSG, T_TSG, True),
            (OFFICE, T_HQC, False),  # the office approves answers, it does not write them
            (AUDITOR, T_HQC, False),
            (LEADER, T_HQC, False),
            (None, T_HQC, False),
        ]
    ],
    # 协办结果: a co-handling department only
    *[
        (a, "cohandler-report", t, ok)
        for a, t, ok in [
            (HQC, T_XSC_CO_HQC, True),
            (HQC, T_HQC, False),
            (TSG, T_XSC_CO_HQC, False),
            (OFFICE, T_XSC_CO_HQC, False),
            (AUDITOR, T_XSC_CO_HQC, False),
            (LEADER, T_XSC_CO_HQC, False),
        ]
    ],
    # 批示: a leader on the tickets its supervised departments lead; the office anywhere
    *[
        (a, "instruct", t, ok)
        for a, t, ok in [
            (LEADER, T_HQC, True),
            (LEADER, T_XSC_CO_HQC, False),  # a supervised department only co-handles it
            (LEADER, T_TSG, False),
            (LEADER, T_UNROUTED, False),
            (LEADER_OF_NONE, T_HQC, False),
            (OFFICE, T_HQC, True),
            (OFFICE, T_UNROUTED, True),  # the workflow refuses it there, with its reason
            (HQC, T_HQC, False),  # a department never instructs, not even on its own ticket
            (AUDITOR, T_HQC, False),
            (None, T_HQC, False),
        ]
    ],
    *[
        (a, "phone-revisit", None, ok)
        for a, ok in [
            (OFFICE, True),
            (AUDITOR, False),
            (HQC, False),
            (LEADER, False),
            (None, False),
        ]
    ],
    *[
        (a, "view-supervision", None, ok)
        for a, ok in [(OFFICE, True), (AUDITOR, True), (HQC, False), (LEADER, True), (None, False)]
    ],
    # an identity-confidential petitioner's name and address (身份保密)
    *[
        (a, "view-identity", None, ok)
        for a, ok in [(OFFICE, True), (AUDITOR, True), (HQC, False), (LEADER, False), (None, False)]
    ],
    # an action nobody defined fails closed, for everyone
    *[(a, "delete-everything", r, False) for a in (OFFICE, AUDITOR, HQC) for r in (None, T_HQC)],
]


@pytest.mark.parametrize(("actor", "action", "resource", "expected"), MATRIX)
def test_permission_matrix(actor, action, resource, expected) -> None:
    assert allowed(actor, action, resource) is expected


def test_the_matrix_covers_every_role_and_action() -> None:
    roles = {a.role for a, *_ in MATRIX if a is not None}
    actions = {action for _, action, _, _ in MATRIX}
    assert roles == set(ROLES)
    assert actions >= ACTIONS


_codes = st.sampled_from(["hqc", "tsg", "xsc", "dzb", "xyy"])
_actors = st.builds(
    Actor,
    name=st.just("x"),
    role=st.sampled_from(ROLES),
    departments=st.frozensets(_codes, max_size=3),
)
_tickets = st.builds(
    TicketResource,
    number=st.just("2026-000001"),
    department=st.none() | _codes,
    cohandlers=st.frozensets(_codes, max_size=2),
)


@given(_actors, _tickets)
def test_list_scope_agrees_with_the_permission_question(actor: Actor, t: TicketResource) -> None:
    scope = ticket_scope(actor)
    in_scope = scope is None or t.involves(scope)
    assert in_scope is allowed(actor, "view-ticket", t)


@given(_actors, _tickets)
def test_auditors_and_leaders_never_change_anything(actor: Actor, t: TicketResource) -> None:
    if actor.role in ("auditor", "leader"):
        assert not allowed(actor, "change-ticket", t)
    if actor.role != "office":
        assert not allowed(actor, "office-action", t) and not allowed(actor, "handle-intake")
    if actor.role != "department":
        assert not allowed(actor, "department-action", t)
        assert not allowed(actor, "cohandler-report", t)


def test_supervision_follows_the_leader_address_case_insensitively() -> None:
    pairs = [
        ("hqc", "leader-hqc@example.edu.cn"),
        ("xyy", "Leader-HQC@example.edu.cn"),
        ("tsg", "leader-tsg@example.edu.cn"),
    ]
    assert supervised_departments(" LEADER-hqc@example.edu.cn", pairs) == {"hqc", "xyy"}


# account → (tickets it sees, may it see the dashboard)
SEES = {
    "office1": ({"hqc", "tsg", "xsc"}, True),
    "auditor1": ({"hqc", "tsg", "xsc"}, True),
    "hqc1": ({"hqc", "xsc"}, False),  # its own and the one it co-handles
    "tsg1": ({"tsg"}, False),
    "leader-hqc": ({"hqc", "xsc"}, False),  # supervises hqc, which co-handles xsc
}


def test_pages_show_each_account_exactly_its_tickets(tmp_config, db_url: str) -> None:
    assert set(SEES) == set(ACCOUNTS)
    site = make_site(tmp_config, db_url)
    for name, (visible, dashboard) in SEES.items():
        client = site.client()
        login(client, name)
        listing = client.get("/tickets").text
        for key, number in site.tickets.items():
            shown = key in visible
            assert (number in listing) is shown, (name, key)
            page = client.get(f"/tickets/{number}")
            assert page.status_code == (200 if shown else 404), (name, key)
            if not shown:  # nothing of the ticket leaks into the refusal
                assert number not in page.text
        assert client.get("/office/").status_code == (200 if dashboard else 403), name
        # Filtering by another department cannot widen what a department sees.
        for key, number in site.tickets.items():
            filtered = client.get("/tickets", params={"department": key}).text
            assert (number in filtered) is (key in visible), (name, key)
        # A made-up or malformed number is the same 404.
        for bogus in ("2026-999999", "../etc/passwd", "2026-000001'--"):
            assert client.get(f"/tickets/{bogus}").status_code == 404
