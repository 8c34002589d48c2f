"""`xinxiang assess --month YYYY-MM [--json]`: the monthly 三率 assessment (月度考评).

A table in Chinese (单位, 纳入考评, 不计入, 响应率, 办结率, 满意率, 得分, 排名, 约谈) or, with
`--json`, a list with one object per department. An unfrozen month is marked 预估.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from xinxiang.commands._common import ConfigOption, JsonOption, now_utc, open_context
from xinxiang.commands._show import shown
from xinxiang.domain.assessment import DepartmentResult, parse_month
from xinxiang.errors import XinxiangError
from xinxiang.services.assessment import assess_month

MonthOption = Annotated[str, typer.Option("--month", help="考评月份，格式 YYYY-MM。")]


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def print_table(lines: list[DepartmentResult], month: str) -> None:
    """The ranking as a Chinese table."""
    provisional = any(x.provisional for x in lines)
    table = Table(title=f"{month} 月度考评" + ("（预估，尚未冻结）" if provisional else ""))
    titles = ("排名", "单位", "纳入考评", "不计入", "响应率", "办结率", "满意率", "得分", "约谈")
    for title in titles:
        table.add_column(title, no_wrap=True)
    for x in lines:
        table.add_row(
            str(x.rank) if x.rank is not None else "—",
            shown(x.name),
            str(x.tally.counted),
            str(x.tally.excluded),
            _pct(x.response_rate),
            _pct(x.completion_rate),
            _pct(x.satisfaction_rate),
            _pct(x.score),
            "是" if x.flag_interview else "",
        )
    Console(width=160).print(table)


def assess(month: MonthOption, config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Show the monthly assessment (response, completion, satisfaction, score, rank)."""
    try:
        first = parse_month(month)
    except ValueError as exc:
        raise XinxiangError(str(exc)) from None
    ctx = open_context(config)
    lines = assess_month(ctx, first, now_utc())
    if as_json:
        typer.echo(json.dumps([x.as_json() for x in lines], ensure_ascii=False, indent=2))
    else:
        print_table(lines, month)


def register(app: typer.Typer) -> None:
    """Attach `assess`."""
    app.command("assess")(assess)
