"""`xinxiang rules suggest|evaluate|learn`: improve, measure and learn from the routing rules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import or_, select

from xinxiang.classify import model_files
from xinxiang.classify.evaluate import (
    ModelComparison,
    Report,
    compare_with_model,
    evaluate,
    load_labelled,
)
from xinxiang.classify.learn import DEFAULT_KEEP, DEFAULT_MIN_SAMPLES, Model, TrainingPolicy
from xinxiang.classify.rules import load_rules_for
from xinxiang.classify.suggest import suggest_terms
from xinxiang.commands._common import ConfigOption, JsonOption, open_context
from xinxiang.commands._show import console, json_text, shown
from xinxiang.config import default_config_dir, load_config
from xinxiang.errors import XinxiangError
from xinxiang.store.models import EventRow, LetterRow, TicketRow

rules_app = typer.Typer(help="分办规则：改进建议、评测、从人工改派中学习。", no_args_is_help=True)


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
    model: Annotated[
        Path | None,
        typer.Option(
            "--model",
            help="用这个模型文件（.joblib）比较“仅规则”与“规则+模型建议”；默认用最新训练的模型。",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Precision and recall per department, dispositions and emergencies on labelled letters."""
    cfg = load_config(config or default_config_dir())
    rules = load_rules_for(cfg)
    letters = load_labelled(labelled)
    report = evaluate(letters, rules)
    learned = _load_model(model, cfg.data_dir)
    comparison = compare_with_model(letters, rules, learned) if learned is not None else None
    if as_json:
        data = report.to_json()
        if comparison is not None:
            data["model"] = comparison.to_json()
        typer.echo(json_text(data))
        return
    out = console()
    _print_report(out, report)
    if comparison is not None:
        out.print(_model_line(comparison))


def _load_model(path: Path | None, data_dir: Path) -> Model | None:
    if path is None:
        return model_files.load_latest(model_files.models_dir(data_dir))
    if not path.is_file():
        raise XinxiangError(f"模型文件不存在：{path}")
    try:
        return model_files.load(path)
    except Exception as exc:  # a pickle can fail in many ways; the office needs one line
        raise XinxiangError(f"不是可用的分办建议模型：{path}（{exc}）") from None


def _model_line(c: ModelComparison) -> str:
    data = c.to_json()
    return (
        f"模型建议（版本 {c.version}，仅供参考；以上指标均为仅规则）：承办单位准确率 仅规则 "
        f"{_pct(data['rules_accuracy'])}（{c.rules_correct}/{c.letters}），规则+建议 "
        f"{_pct(data['rules_with_suggestion_accuracy'])}（{c.combined_correct}/{c.letters}），"
        f"给出建议 {c.suggested} 封"
    )


@rules_app.command("learn")
def learn(
    config: ConfigOption = None,
    min_samples: Annotated[
        int, typer.Option(min=1, help="至少多少条人工分办/改派记录才训练模型。")
    ] = DEFAULT_MIN_SAMPLES,
    keep: Annotated[int, typer.Option(min=1, help="保留最新的几个模型版本。")] = DEFAULT_KEEP,
    as_json: JsonOption = False,
) -> None:
    """Train the suggestion model now from the office's corrections (also done nightly)."""
    from datetime import UTC, datetime

    from xinxiang.services.learning import retrain

    ctx = open_context(config)
    result = retrain(ctx, datetime.now(UTC), TrainingPolicy(min_samples=min_samples, keep=keep))
    meta = result.model.metadata() if result.model is not None else None
    if as_json:
        typer.echo(
            json_text(
                {
                    "examples": result.examples,
                    "trained": result.model is not None,
                    "path": str(result.path) if result.path else None,
                    "reason": result.reason,
                    "model": meta,
                },
                indent=None,
            )
        )
        return
    out = console()
    if meta is None:
        out.print(f"未训练新模型：{result.reason}")
        return
    accuracy = meta["metrics"].get("department_holdout_accuracy")
    out.print(
        f"已训练模型 {meta['version']}：{result.examples} 条人工分办/改派记录，"
        f"{len(meta['classes'])} 个承办单位，留出集准确率 {_pct(accuracy)}；"
        f"文件 {shown(str(result.path))}。模型只向党政办公室提出建议，不会自动派单。"
    )


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
