"""Specification of floods (刷屏): past the hourly cap from one sender, letters still become
tickets but wait in the office's triage without a dispatch mail each; emergencies still go out."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from inbound_helpers import context
from test_routing import NOW, take
from xinxiang.store.models import EventRow, OutboxRow

FLOODER = "flood@qq.com"
MATTERS = [
    ("宿舍热水问题", "12号楼宿舍热水已经三天没有了，请尽快处理。"),
    ("图书馆空调太冷", "图书馆三楼自习室空调温度太低，请调高一些。"),
    ("食堂饭菜涨价", "二食堂的套餐最近涨价很多，希望说明原因。"),
    ("校园网经常断线", "宿舍区校园网晚上经常断线，影响上网课。"),
    ("选课系统卡顿", "选课系统开放时非常卡，很多同学选不上课。"),
    ("奖学金评定不公开", "学院奖学金评定结果没有公示，希望公开评分细则。"),
    ("操场跑道破损", "东操场塑胶跑道有几处破损，跑步容易绊倒。"),
    ("快递点排队太久", "菜鸟驿站取快递排队要一个小时，希望增加窗口。"),
    ("自习室座位不够", "期末自习室座位严重不足，很多同学占座。"),
    ("宿舍楼门禁故障", "8号楼门禁刷卡经常失灵，晚上进不了门。"),
    ("校车班次太少", "去新校区的校车班次太少，上课经常迟到。"),
    ("体育馆开放时间短", "体育馆周末只开半天，希望延长开放时间。"),
]


def test_a_flood_goes_to_triage_without_mail_to_departments(tmp_config) -> None:  # type: ignore[no-untyped-def]
    ctx = context(tmp_config(overrides={"dispatch": {"flood_letters_per_hour": 10}}))
    results = [
        take(ctx, subject, body, sender=FLOODER, at=NOW + timedelta(minutes=i))
        for i, (subject, body) in enumerate(MATTERS)
    ]
    dispatched = [t for t, mails, _ in results if any(k == "dispatch" for k, _ in mails)]
    assert len(dispatched) >= 8  # the first ten are routed as usual (some may need triage)
    for t, mails, _events in results[10:]:
        assert t.status == "triage" and t.flagged
        assert not any(kind in {"dispatch", "emergency_alert"} for kind, _ in mails)
    with ctx.db.unit_of_work() as s:
        flags = s.execute(select(OutboxRow).where(OutboxRow.kind == "office_flag")).scalars()
        assert len(list(flags)) == 1  # the office is told once
        reasons = [
            e.data.get("reason", "")
            for e in s.execute(select(EventRow).where(EventRow.kind == "triage")).scalars()
        ]
        assert sum("一小时内第" in r for r in reasons) == 2

    # A flood never suppresses an emergency, and other senders are untouched.
    t, mails, _events = take(
        ctx,
        "紧急！宿舍楼道着火了",
        "东区7号楼三楼楼道着火，浓烟很大！",
        sender=FLOODER,
        at=NOW + timedelta(minutes=20),
    )
    assert t.urgency == "emergency" and t.status == "dispatched"
    assert any(kind == "emergency_alert" for kind, _ in mails)
    other, mails, _ = take(
        ctx,
        "宿舍热水问题",
        "9号楼热水不热。",
        sender="other@qq.com",
        at=NOW + timedelta(minutes=21),
    )
    assert not other.flagged


def test_the_window_is_an_hour(tmp_config) -> None:  # type: ignore[no-untyped-def]
    ctx = context(tmp_config(overrides={"dispatch": {"flood_letters_per_hour": 2}}))
    for i, (subject, body) in enumerate(MATTERS[:2]):
        take(ctx, subject, body, sender=FLOODER, at=NOW + timedelta(minutes=i))
    t, _, _ = take(ctx, *MATTERS[2], sender=FLOODER, at=NOW + timedelta(minutes=5))
    assert t.flagged and t.status == "triage"
    later, _, _ = take(ctx, *MATTERS[3], sender=FLOODER, at=NOW + timedelta(hours=3))
    assert not later.flagged
