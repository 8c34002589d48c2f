"""`xinxiang inspect FILE.eml [--json]`: show how one message would be read, without a database.

Works with or without a deployment: when a configuration can be loaded, our own address makes
loops and replies recognisable; otherwise the message is judged on its own. Any input gives an
answer — bytes that are not mail at all come out as kind `malformed` with the reason.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer

from xinxiang.classify.engine import classify_letter
from xinxiang.classify.rules import RuleSet, load_rules, load_rules_for
from xinxiang.commands._labels import LETTER_KIND_LABELS
from xinxiang.commands._show import json_text, shown
from xinxiang.config import (
    Config,
    Department,
    DepartmentsFile,
    default_config_dir,
    load_config,
    load_model,
)
from xinxiang.domain.letter import Letter, MailKind
from xinxiang.errors import UnparseableMail, XinxiangError
from xinxiang.mailbox.confidential import Confidential, identity_confidential
from xinxiang.mailbox.noise import mail_kind, msgid_domain_for
from xinxiang.mailbox.parse import parse_message
from xinxiang.replies.intent import parse_intent
from xinxiang.replies.privacy import confidential_of
from xinxiang.replies.quotes import strip_quoted
from xinxiang.replies.tokens import (
    find_ticket_in_addresses,
    find_ticket_in_subject,
    ticket_number_in_subject,
)
from xinxiang.services.learning import advice

# The documented contract of `inspect --json`; later issues append `classification` and `reply`.
JSON_KEYS: tuple[str, ...] = (
    "kind",
    "message_id",
    "from",
    "from_name",
    "subject",
    "date",
    "body",
    "attachments",
    "defects",
    "public_consent",
    "confidential",
    "classification",
    "reply",
)
CLASSIFICATION_KEYS = (
    "department",
    "category",
    "urgency",
    "disposition",
    "track",
    "confidence",
    "hits",
    "explanation",
    "suggestion",
)
REPLY_KEYS = ("ticket", "intent", "extension_until", "planned_formal_date", "text")


def _identity(cfg: Config | None) -> tuple[frozenset[str], str | None, str | None]:
    """(own addresses, own Message-ID domain, reply base) of a deployment, empty without one."""
    if cfg is None:
        return frozenset(), None, None
    sender = cfg.settings.smtp.from_address.lower()
    return frozenset({sender}), msgid_domain_for(sender), sender


def inspect_letter(letter: Letter, cfg: Config | None) -> dict[str, Any]:
    """The `inspect --json` object for an already parsed letter."""
    own, msgid_domain, reply_base = _identity(cfg)
    kind = mail_kind(
        letter,
        own_addresses=own,
        own_msgid_domain=msgid_domain,
        reply_base=reply_base,
        staff_addresses=cfg.registered_addresses() if cfg is not None else (),
    )
    return {
        "kind": kind.value,
        "message_id": letter.message_id,
        "from": letter.from_addr,
        "from_name": letter.from_name,
        "subject": letter.subject,
        "date": letter.date.isoformat() if letter.date else None,
        "body": letter.body,
        "attachments": [
            {"filename": a.filename, "content_type": a.content_type, "size": a.size}
            for a in letter.attachments
        ],
        "defects": list(letter.defects),
        "public_consent": letter.public_consent,
        "confidential": _confidential(letter, cfg).to_json(),
        "classification": _classification(letter, cfg) if kind is MailKind.LETTER else None,
        "reply": _reply(letter, cfg) if kind is MailKind.REPLY else None,
    }


def _confidential(letter: Letter, cfg: Config | None) -> Confidential:
    """Identity confidentiality (身份保密) by the deployment's phrases, or the built-in ones."""
    if cfg is not None:
        return confidential_of(cfg, letter.subject, letter.body)
    return identity_confidential(letter.subject, letter.body)


def _rules(cfg: Config | None) -> RuleSet:
    """The deployment's rules, or the sample rules shipped with the package."""
    if cfg is not None and (cfg.directory / "rules.toml").exists():
        return load_rules_for(cfg)
    samples = resources.files("xinxiang") / "sample_config"
    with resources.as_file(samples) as directory:
        return load_rules(directory / "rules.toml", load_config_departments(directory))


def load_config_departments(directory: Path) -> tuple[Department, ...]:
    """Departments from a directory's departments.toml."""
    return tuple(load_model(directory / "departments.toml", DepartmentsFile).departments)


def _classification(letter: Letter, cfg: Config | None) -> dict[str, Any]:
    c = classify_letter(letter, _rules(cfg))
    data = c.to_json()
    # The learned model's advice (建议，仅供参考), when a deployment has trained one and the
    # rules were weak or disagree; it never changes the rules' decision above.
    data["suggestion"] = (
        advice(cfg.data_dir, letter.subject, letter.body, c) if cfg is not None else None
    )
    return data


def _reply(letter: Letter, cfg: Config | None) -> dict[str, Any]:
    """How a department's answer would be read: the ticket it names and its intent."""
    ticket: str | None = None
    if cfg is not None:
        key = os.environ.get(cfg.settings.security.token_key_env, "").encode()
        if len(key) >= 16:
            # A token bound to the sender's own address (issue #12) is the one that counts.
            sender = [letter.from_addr]
            found = find_ticket_in_addresses(
                [*letter.to_addrs, *letter.cc_addrs],
                cfg.settings.smtp.from_address,
                key,
                lambda _number, _role: sender,
            )
            if found.status == "none":
                found = find_ticket_in_subject(letter.subject, key, lambda _n, _r: sender)
            ticket = found.ticket
    ticket = ticket or ticket_number_in_subject(letter.subject)
    text = strip_quoted(letter.body, letter.html)
    today = (letter.date or datetime.now(UTC)).date()
    parsed = parse_intent(text, today=today)
    return {
        "ticket": ticket,
        "intent": parsed.intent,
        "extension_until": parsed.extension_until.isoformat() if parsed.extension_until else None,
        "planned_formal_date": parsed.planned_formal_date.isoformat()
        if parsed.planned_formal_date
        else None,
        "text": parsed.text,
    }


def inspect_dict(raw: bytes, cfg: Config | None) -> dict[str, Any]:
    """The `inspect --json` object for raw message bytes; never raises.

    Extension hook: later issues add their keys (`classification`, `reply`) to this dict.
    """
    try:
        letter = parse_message(raw)
    except UnparseableMail as exc:
        return {
            "kind": MailKind.MALFORMED.value,
            "message_id": None,
            "from": "",
            "from_name": "",
            "subject": "",
            "date": None,
            "body": "",
            "attachments": [],
            "defects": [f"unparseable: {exc}"],
            "public_consent": None,
            "confidential": {"value": False, "phrase": ""},
            "classification": None,
            "reply": None,
        }
    return inspect_letter(letter, cfg)


def _load_optional_config(config_dir: Path | None) -> Config | None:
    try:
        return load_config(config_dir or default_config_dir())
    except XinxiangError as exc:
        if config_dir is not None:
            print(f"xinxiang: 警告: 配置无法加载，按无部署处理: {shown(exc)}", file=sys.stderr)
        return None


def _human(result: dict[str, Any]) -> str:
    consent = {True: "同意公开", False: "不公开", None: "未说明"}[result["public_consent"]]
    sender = shown(result["from"])
    lines = [
        f"类型: {LETTER_KIND_LABELS.get(result['kind'], result['kind'])} ({result['kind']})",
        f"发件人: {shown(result['from_name'])} <{sender}>"
        if result["from_name"]
        else f"发件人: {sender}",
        f"主题: {shown(result['subject'])}",
        f"日期: {result['date'] or '未知'}",
        f"Message-ID: {shown(result['message_id'] or '无')}",
        f"公开意愿: {consent}",
        f"身份保密: 是（“{result['confidential']['phrase']}”）"
        if result["confidential"]["value"]
        else "身份保密: 否",
    ]
    if result["attachments"]:
        lines.append("附件:")
        lines.extend(
            f"  - {shown(a['filename'])} ({shown(a['content_type'])}, {a['size']} 字节)"
            for a in result["attachments"]
        )
    if result["defects"]:
        lines.append("解析问题:")
        lines.extend(f"  - {shown(d)}" for d in result["defects"])
    lines.append("正文:")
    lines.append(shown(result["body"], multiline=True))
    return "\n".join(lines)


def inspect(
    file: Annotated[Path, typer.Argument(help="一封原始邮件（.eml）。")],
    as_json: Annotated[bool, typer.Option("--json", help="输出一个 JSON 对象。")] = False,
    config_dir: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="部署配置目录（可选）。"),
    ] = None,
) -> None:
    """Parse one message and show its kind, sender, subject, body, attachments and defects."""
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise XinxiangError(f"无法读取文件 {file}: {exc.strerror or exc}") from None
    result = inspect_dict(raw, _load_optional_config(config_dir))
    if as_json:
        typer.echo(json_text(result))
    else:
        typer.echo(_human(result))


def register(app: typer.Typer) -> None:
    """Attach the `inspect` command."""
    app.command("inspect")(inspect)
