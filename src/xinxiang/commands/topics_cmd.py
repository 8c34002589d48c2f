"""`xinxiang topics`: hot topics (热点问题) — clusters, rising categories, recurring matters."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from xinxiang.classify.topics import Cluster
from xinxiang.commands._common import ConfigOption, JsonOption, now_utc, open_context
from xinxiang.commands._show import console, json_text, shown
from xinxiang.errors import XinxiangError
from xinxiang.services.topics import TopicReport, hot_topics

AGAINST = {"previous": "上一周期", "last_year": "去年同期"}


def _cluster_json(c: Cluster, tz: Any) -> dict[str, Any]:
    return {
        "key": c.key,
        "label": list(c.label),
        "size": c.size,
        "senders": c.senders,
        "categories": list(c.categories),
        "first_at": c.first_at.astimezone(tz).isoformat(),
        "last_at": c.last_at.astimezone(tz).isoformat(),
        "tickets": list(c.numbers),
    }


def report_json(report: TopicReport, tz: Any) -> dict[str, Any]:
    """The report as plain data (the `--json` output)."""
    return {
        "from": report.start.astimezone(tz).isoformat(),
        "to": report.end.astimezone(tz).isoformat(),
        "letters": report.letters,
        "clusters": [_cluster_json(c, tz) for c in report.clusters],
        "rising": [
            {
                "category": r.category,
                "current": r.current,
                "baseline": r.baseline,
                "against": r.against,
                "against_name": AGAINST[r.against],
                "p_value": r.p_value,
            }
            for r in report.rising
        ],
        "recurring": [
            {
                **_cluster_json(r.cluster, tz),
                "times": len(r.episodes),
                "episodes": [e.astimezone(tz).isoformat() for e in r.episodes],
            }
            for r in report.recurring
        ],
    }


def _day(at: datetime, tz: Any) -> str:
    return f"{at.astimezone(tz):%m-%d}"


def topics(
    config: ConfigOption = None,
    days: Annotated[
        int | None,
        typer.Option("--days", min=1, max=90, help="统计最近多少天（默认按设置，7 天）。"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Hot topics of the last days: clusters, rising categories, recurring matters."""
    ctx = open_context(config)
    tz = ctx.cfg.tz
    try:
        report = hot_topics(ctx, now_utc(), days=days)
    except ValueError as exc:
        raise XinxiangError(f"无法统计热点问题：{exc}") from exc
    if as_json:
        typer.echo(json_text(report_json(report, tz)))
        return
    out = console()
    out.print(
        f"热点问题：{_day(report.start, tz)} 至 {_day(report.end, tz)}，共 {report.letters} 封来信"
    )
    if report.clusters:
        table = Table("编号", "主题词", "来信数", "来信人数", "问题分类", "工单")
        for c in report.clusters:
            table.add_row(
                c.key,
                shown("、".join(c.label) or "—"),
                str(c.size),
                str(c.senders),
                shown("、".join(c.categories) or "—"),
                shown(" ".join(c.numbers)),
            )
        out.print(table)
    else:
        out.print("没有多人反映的相似问题。")
    if report.rising:
        table = Table("问题分类", "本期", "对比期", "对比", "p 值")
        for r in report.rising:
            table.add_row(
                shown(r.category),
                str(r.current),
                str(r.baseline),
                AGAINST[r.against],
                f"{r.p_value:.4f}",
            )
        out.print(table)
    else:
        out.print("没有明显上升的问题分类。")
    if report.recurring:
        table = Table("主题词", "反复次数", "来信数", "首次", "最近", "工单")
        for m in report.recurring:
            table.add_row(
                shown("、".join(m.cluster.label) or "—"),
                str(len(m.episodes)),
                str(m.cluster.size),
                _day(m.cluster.first_at, tz),
                _day(m.cluster.last_at, tz),
                shown(" ".join(m.cluster.numbers)),
            )
        out.print(table)
    else:
        out.print("没有反复出现的问题。")


def register(app: typer.Typer) -> None:
    """Attach `topics`."""
    app.command("topics")(topics)
