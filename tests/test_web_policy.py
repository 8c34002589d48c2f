"""Specification of the policy pages: `/assessment` (the month's 三率 ranking, as `xinxiang
assess` computes it) and `/topics` (hot topics), per role; the dashboard's tiles linking to
both; and each department's monthly mail of its own result and the ranking, sent once."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import select

from assessment_helpers import FROZEN, NOV, november
from conftest import TmpConfig
from inbound_helpers import context
from sweep_helpers import new_ticket
from web_helpers import NOW, Site, login, make_site
from xinxiang.reports.assessment_mail import queue_assessment_mails
from xinxiang.services.assessment import assess_month
from xinxiang.store.models import OutboxRow

HOT_WATER = [  # one matter from four more senders: a cluster with the site's hot-water ticket
    "西区7号楼这一周洗澡热水时有时无，晚上基本只有冷水。",
    "7号楼没有热水，淋浴一直出凉水，热水要放十几分钟才来，希望尽快检修。",
    "西7宿舍的热水器坏了，洗澡水温忽冷忽热，好几个寝室都这样。",
    "西区7号楼晚上洗澡没有热水已经五天了，请后勤处理热水问题。",
]
FLAG_HEADER = "<th>约谈</th>"


@pytest.fixture
def site(tmp_config: TmpConfig, tmp_path: Path) -> Site:
    """The web tests' deployment with November's tickets and a hot-water cluster."""
    s = make_site(tmp_config, f"sqlite:///{tmp_path / 'web.db'}")
    november(s.ctx)
    for i, text in enumerate(HOT_WATER):
        new_ticket(s.ctx, NOW - timedelta(hours=20 - i), ("热水", text), f"w{i}@stu.example.edu.cn")
    return s


def _get(site: Site, account: str | None, path: str, at: datetime = NOW) -> tuple[int, str]:
    site.clock.now = at
    client = site.client()
    if account is not None:
        login(client, account)
    r = client.get(path)
    return r.status_code, r.text if r.status_code == 200 else str(r.headers.get("location"))


# account → (status, sees the 约谈 column, its highlighted row); None: anonymous → login
RANKING: dict[str | None, tuple[int, bool, str | None]] = {
    "office1": (200, True, None),
    "leader-hqc": (200, True, "后勤管理处"),
    "auditor1": (200, False, None),
    "hqc1": (200, False, "后勤管理处"),
    "tsg1": (200, False, "图书馆"),
    None: (303, False, None),
}
TOPICS: dict[str | None, int] = {
    "office1": 200,
    "leader-hqc": 200,
    "auditor1": 200,
    "hqc1": 403,
    "tsg1": 403,
    None: 303,
}


def test_every_account_sees_the_ranking_and_its_own_row(site: Site) -> None:
    lines = assess_month(site.ctx, NOV, FROZEN)  # what `xinxiang assess` shows
    for account, (status, flags, mine) in RANKING.items():
        code, html = _get(site, account, "/assessment?month=2026-11", FROZEN)
        assert code == status, account
        if status != 200:
            assert html.startswith("/login?next="), account
            continue
        for x in lines:
            assert x.name in html
            if x.score is not None:
                assert f"{x.score:.1f}" in html
        assert (FLAG_HEADER in html) is flags, account
        highlighted = re.findall(r'<tr class="mine">\s*<td>[^<]*</td>\s*<td>([^<]+)', html)
        assert [h.strip() for h in highlighted] == ([mine] if mine else []), account
        assert "预估" not in html
        assert "<script" not in html.lower()
        assert 'src="data:image/svg+xml;base64,' in html  # the chart, from reports.charts
    # before the month freezes: an estimate; this month by default; a bad month is refused
    code, html = _get(site, "hqc1", "/assessment?month=2026-11", NOW)
    assert code == 200 and "预估" in html
    code, html = _get(site, "hqc1", "/assessment", NOW)
    assert code == 200 and "2026年12月" in html and "预估" in html
    assert _get(site, "hqc1", "/assessment?month=2026-13")[0] == 400


def test_hot_topics_for_the_office_leaders_and_auditors_and_the_dashboard_tiles(
    site: Site,
) -> None:
    for account, status in TOPICS.items():
        code, html = _get(site, account, "/topics")
        assert code == status, account
        if status == 200:
            assert "相似来信聚类" in html and "<script" not in html.lower()
            linked = set(re.findall(r'href="/tickets/([^"]+)"', html))
            assert site.tickets["hqc"] in linked and len(linked) >= 3
        elif status == 303:
            assert html.startswith("/login?next=")
    code, html = _get(site, "office1", "/office/")
    assert code == 200
    assert 'href="/assessment"' in html and 'href="/topics"' in html
    assert re.search(r'href="/topics"><span class="n">[1-9]\d*</span>热点问题聚类', html)
    assert "本月三率最高" in html and "<script" not in html.lower()


def test_each_department_is_mailed_its_result_once_per_month(tmp_config: TmpConfig) -> None:
    ctx = context(tmp_config())
    november(ctx)
    assert queue_assessment_mails(ctx, datetime(2026, 12, 7, 12, tzinfo=UTC)) == []  # not frozen
    keys = queue_assessment_mails(ctx, FROZEN)
    assessed = [d for d in ctx.cfg.departments if not d.office]
    assert sorted(keys) == sorted(f"assessment:2026-11:{d.code}" for d in assessed)
    assert queue_assessment_mails(ctx, FROZEN) == []
    assert queue_assessment_mails(ctx, FROZEN + timedelta(days=3)) == []
    lines = {x.department: x for x in assess_month(ctx, NOV, FROZEN)}
    with ctx.db.unit_of_work() as s:
        rows = list(
            s.execute(select(OutboxRow).where(OutboxRow.kind == "assessment_department"))
            .scalars()
            .all()
        )
    assert len(rows) == len(assessed)
    for d in assessed:
        (row,) = [r for r in rows if r.dedupe_key == f"assessment:2026-11:{d.code}"]
        assert set(row.recipients) == set(d.emails)
        msg = message_from_bytes(row.raw or b"", policy=policy.default)
        text = msg.get_body(("plain",)).get_content()  # type: ignore[attr-defined]
        assert "月度考评" in str(msg["Subject"]) and d.name in text
        own = lines[d.code]
        if own.rank is not None:
            assert f"第 {own.rank} 名" in text and f"{own.score:.1f}" in text
        for other in lines.values():
            assert other.name in text  # the whole ranking


@pytest.mark.postgres
def test_the_ranking_page_on_postgresql(tmp_config: TmpConfig, pg_url: str) -> None:
    s = make_site(tmp_config, pg_url)
    november(s.ctx)
    code, html = _get(s, "hqc1", "/assessment?month=2026-11", FROZEN)
    assert code == 200 and '<tr class="mine">' in html and FLAG_HEADER not in html
    assert _get(s, "hqc1", "/topics")[0] == 403
    assert _get(s, "office1", "/topics")[0] == 200


def test_the_dashboard_reuses_its_assessment_for_ten_minutes_and_says_when(site: Site) -> None:
    """The month's 三率 tiles are assessed at most every ten minutes per deployment (the
    aggregate reads every ticket that moved in the month); the page says of when they are."""
    stamp = re.compile(r"本月三率为 (.+?) 的统计")

    def shown(at: datetime) -> str:
        code, html = _get(site, "office1", "/office/", at)
        assert code == 200
        found = stamp.search(html)
        assert found, html
        return found.group(1)

    first = shown(NOW)
    assert first.endswith(f"{NOW.astimezone(site.ctx.cfg.tz):%H:%M}")
    assert shown(NOW + timedelta(minutes=9)) == first  # cached: not assessed again
    later = NOW + timedelta(minutes=10, seconds=1)
    assert shown(later) != first  # stale: assessed anew
    assert shown(later).endswith(f"{later.astimezone(site.ctx.cfg.tz):%H:%M}")
