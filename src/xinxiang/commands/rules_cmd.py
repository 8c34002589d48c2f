"""`xinxiang rules suggest|evaluate`: help the office improve and measure the routing rules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import or_, select

from xinxiang.classify.evaluate import Report, evaluate, load_labelled
from xinxiang.classify.rules import load_rules_for
from xinxiang.classify.suggest import suggest_terms
from xinxiang.commands._common import ConfigOption, JsonOption, open_context
from xinxiang.commands._show import console, json_text, shown
from xinxiang.config import default_config_dir, load_config
from xinxiang.store.models import EventRow, LetterRow, TicketRow

rules_app = typer.Typer(help="分办规则：改进建议、评测。", no_args_is_help=True)


@rules_app.command("suggest")
def suggest(
    config: ConfigOption = None,
    top: Annotated[int, typer.Option(min=1, max=500, help="列出多少个词语。")] = 30,
    limit: Annotated[int, typer.Option(min=1, help="分析最近多少封来信。")] = 2000,
    as_json: JsonOption = False,
) -> None:
    """Frequent terms in letters that ended in triage or were re-routed, not yet in any rule."""
    ctx = open_context(config)
    with ctx.db.unit_of_work() as session:
        rerouted = select(EventRow.ticket_id).where(EventRow.kind.in_(("transferred", "rerouted")))
        rows = session.execute(
            select(LetterRow.subject, LetterRow.body)
            .join(TicketRow, TicketRow.letter_id == LetterRow.id)
            .where(
                or_(
                    TicketRow.disposition == "triage",
                    TicketRow.status == "triage",
                    TicketRow.id.in_(rerouted),
                )
            )
            .order_by(TicketRow.id.desc())
            .limit(limit)
        ).all()
    texts = [f"{subject}\n{body}" for subject, body in rows]
    terms = suggest_terms(texts, ctx.rules, top)
    if as_json:
        typer.echo(
            json_text(
                {"letters": len(texts), "terms": [{"term": t, "letters": n} for t, n in terms]},
                indent=None,
            )
        )
        return
    out = console()
    out.print(f"分析了 {len(texts)} 封待分办或改派的来信，以下词语尚未被任何规则覆盖：")
    table = Table("词语", "出现的来信数")
    for term, n in terms:
        table.add_row(shown(term), str(n))
    out.print(table)


@rules_app.command("evaluate")
def evaluate_rules(
    labelled: Annotated[
        list[Path],
        typer.Option(
            "--labelled",
            help="标注好的来信 TOML 文件或目录（[[letter]]），可重复给出。",
        ),
    ],
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Precision and recall per department, dispositions and emergencies on labelled letters."""
    cfg = load_config(config or default_config_dir())
    report = evaluate(load_labelled(labelled), load_rules_for(cfg))
    if as_json:
        typer.echo(json_text(report.to_json()))
        return
    _print_report(console(), report)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _print_report(out: Console, r: Report) -> None:
    data = r.to_json()
    out.print(f"评测来信 {r.letters} 封")
    summary = Table("指标", "结果", "说明")
    figures: tuple[tuple[str, float | None, str], ...] = (
        ("承办单位准确率", data["department_accuracy"], f"{r.department_correct}/{r.letters}"),
        (
            "诉求类别准确率",
            data["category_accuracy"],
            f"{r.category_correct}/{r.category_checked}（仅标注了类别的来信）",
        ),
        ("处置方式准确率", data["disposition_accuracy"], f"{r.disposition_correct}/{r.letters}"),
        (
            "紧急来信判为紧急",
            data["emergency_recall"],
            f"{r.emergencies_classified}/{r.emergencies}",
        ),
        (
            "紧急来信判为紧急或疑似紧急",
            data["emergency_caught"],
            f"{r.emergencies_caught}/{r.emergencies}；漏报：{'、'.join(r.missed) or '无'}",
        ),
        (
            "非紧急来信误报率（紧急或疑似紧急）",
            r.false_alarm_rate,
            f"{len(r.false_alarms) + len(r.false_suspected)}/{r.non_emergencies}；"
            f"紧急：{'、'.join(r.false_alarms) or '无'}；"
            f"疑似：{'、'.join(r.false_suspected) or '无'}",
        ),
    )
    for label, value, detail in figures:
        summary.add_row(label, _pct(value), detail)
    out.print(summary)

    per_dept = Table("承办单位", "应为", "判为", "正确", "精确率", "召回率")
    for d in r.departments:
        per_dept.add_row(
            d.code,
            str(d.expected),
            str(d.predicted),
            str(d.correct),
            _pct(d.precision),
            _pct(d.recall),
        )
    out.print(per_dept)

    # The matrix is plain text: a rich table would squeeze 16+ columns into the terminal.
    codes = [d.code for d in r.departments]
    width = max(len(c) for c in codes) + 1
    out.print("混淆矩阵（行：应为，列：判为）：")
    lines = ["".rjust(width) + "".join(c.rjust(width) for c in codes)]
    for code in codes:
        row = r.confusion.get(code, {})
        lines.append(code.rjust(width) + "".join(str(row.get(c, ".")).rjust(width) for c in codes))
    typer.echo("\n".join(lines))

    for title, rows in (
        ("分办错误（编号、应为、判为）", r.misrouted),
        ("处置方式错误", r.wrong_disposition),
        ("类别错误", r.wrong_category),
    ):
        if rows:
            out.print(f"{title}：" + "；".join(" ".join(t) for t in rows))


def register(app: typer.Typer) -> None:
    """Attach the `rules` group."""
    app.add_typer(rules_app, name="rules")
