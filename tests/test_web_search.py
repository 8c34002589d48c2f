"""Specification of the ticket list's word search and date range (工单列表的关键词与日期筛选).

The office and auditors find a word in the subject or the letter; a department or leader in the
subject only (a confidential petitioner's name in a letter cannot be probed). `%` and `_` are
literal characters, and the date range is of local days of registration.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from web_helpers import Site, login, make_site


@pytest.fixture
def site(tmp_config, tmp_path: Path) -> Site:
    return make_site(tmp_config, f"sqlite:///{tmp_path / 'web.db'}")


def _found(site: Site, html: str) -> set[str]:
    numbers = set(re.findall(r'href="/tickets/(\d{4}-\d{6})"', html))
    return {k for k, v in site.tickets.items() if v in numbers}


# (account, query, tickets found); one deployment for the whole table (accounts are slow to
# make: argon2).
CASES: list[tuple[str, dict[str, str], set[str]]] = [
    ("office1", {"q": "热水"}, {"hqc"}),  # subject 宿舍热水问题
    ("office1", {"q": "占座"}, {"tsg"}),  # only in the letter
    ("auditor1", {"q": "细则"}, {"xsc"}),  # only in the letter
    ("office1", {"q": "食堂"}, set()),
    ("office1", {"q": "%"}, set()),  # a literal percent sign, not a wildcard
    ("office1", {"q": "_"}, set()),
    ("office1", {"q": "座位", "department": "hqc"}, set()),
    ("tsg1", {"q": "座位"}, {"tsg"}),  # the department's own subject
    ("tsg1", {"q": "占座"}, set()),  # departments do not search letters
    ("hqc1", {"q": "奖学金"}, {"xsc"}),  # co-handled
    ("hqc1", {"q": "座位"}, set()),  # not its ticket
    ("office1", {"since": "2026-12-01", "until": "2026-12-01"}, {"hqc", "tsg", "xsc"}),
    ("office1", {"since": "2026-12-02"}, set()),
    ("office1", {"until": "2026-11-30"}, set()),
    ("office1", {"since": "not a day", "q": "图书馆"}, {"tsg"}),
]


def test_word_search_and_date_range(site: Site) -> None:
    clients = {}
    for account, params, found in CASES:
        if account not in clients:
            clients[account] = site.client()
            login(clients[account], account)
        r = clients[account].get("/tickets", params=params)
        assert r.status_code == 200
        assert (account, params, _found(site, r.text)) == (account, params, found)
        assert f"共 {len(found)} 件" in r.text
