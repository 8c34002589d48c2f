"""`xinxiang classify FILE.eml [--json]`: route one message with the rules and explain why.

Nothing is stored; the office uses it to try out rules before changing `rules.toml`.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Annotated

import typer

from xinxiang.classify.engine import Classification, classify_letter
from xinxiang.classify.rules import load_rules_for
from xinxiang.commands._common import ConfigOption
from xinxiang.commands._show import json_text, shown
from xinxiang.config import default_config_dir, load_config
from xinxiang.errors import XinxiangError

URGENCY_LABELS = {
    "emergency": "紧急（立即通知党政办公室和承办单位，1小时内响应）",
    "suspected_emergency": "疑似紧急（只通知党政办公室立即甄别，按一般时限办理）",
    "priority": "优先（基本生活保障，24小时内办理）",
    "normal": "一般",
}
DISPOSITION_LABELS = {
    "dispatch": "转办承办单位",
    "legal_channel": "告知法定途径（不纳入考核）",
    "illegal": "劝导解释（违法或违背公序良俗），提请党政办公室关注",
    "praise": "表扬转达承办单位（无办理时限，不纳入考核）",
    "out_of_scope": "不属于学校职责范围，由党政办公室告知向有权单位反映",
    "triage": "党政办公室人工分办",
}
TRACK_LABELS = {
    1: "1（一个工作日内答复）",
    2: "2（两个工作日内初步答复）",
    3: "3（三个工作日内初步答复，提交学校研究）",
}
FIELD_LABELS = {"subject": "主题", "body": "正文", "attachments": "附件名"}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def render(c: Classification, subject: str, version: str) -> str:
    """The decision as a Chinese report with a table of rule hits."""
    lines = [
        f"信件主题：{shown(subject) or '（无主题）'}",
        f"承办单位：{c.department or '（无）'}"
        + (f"（{c.department_code}）" if c.department_code else ""),
        f"诉求类别：{c.category}",
        f"紧急程度：{URGENCY_LABELS[c.urgency]}",
        f"处置方式：{DISPOSITION_LABELS[c.disposition]}",
        f"建议档次：{TRACK_LABELS[c.track] if c.track else '—'}",
        f"置信度：{c.confidence:.2f}",
        f"规则版本：{version}",
        "",
    ]
    if not c.hits:
        lines.append("未命中任何规则。")
        return "\n".join(lines)
    header = ("规则", "关键词", "位置")
    rows = [
        (
            shown(h.rule),
            shown(h.keyword),
            f"{FIELD_LABELS.get(h.field, h.field)}第{h.position + 1}字",
        )
        for h in c.hits
    ]
    widths = [max(_width(r[i]) for r in (header, *rows)) for i in range(3)]
    lines.append(f"命中规则（{len(rows)} 处）：")
    lines.append("  ".join(_pad(header[i], widths[i]) for i in range(3)).rstrip())
    lines.append("  ".join("-" * widths[i] for i in range(3)))
    lines.extend("  ".join(_pad(r[i], widths[i]) for i in range(3)).rstrip() for r in rows)
    return "\n".join(lines)


def classify_file(
    file: Annotated[Path, typer.Argument(help="一封邮件（.eml 文件）。")],
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出分办结果。")] = False,
    config: ConfigOption = None,
) -> None:
    """Classify one message and explain the decision (nothing is stored)."""
    from xinxiang.mailbox.parse import parse_message

    cfg = load_config(config or default_config_dir())
    rules = load_rules_for(cfg)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise XinxiangError(f"cannot read {file}: {exc.strerror or exc}") from exc
    letter = parse_message(raw)
    result = classify_letter(letter, rules)
    if as_json:
        typer.echo(json_text(result.to_json()))
    else:
        typer.echo(render(result, letter.subject, rules.version))


def register(app: typer.Typer) -> None:
    """Attach the `classify` command."""
    app.command("classify")(classify_file)
