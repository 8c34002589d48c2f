"""`xinxiang tickets list|show` and `xinxiang quarantine list|retry`: the office's views."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy import select

from xinxiang.commands._common import (
    ByOption,
    ConfigOption,
    JsonOption,
    now_utc,
    office_actor,
    open_context,
)
from xinxiang.commands._labels import (
    EVENT_LABELS,
    MAIL_KIND_LABELS,
    MAIL_STATE_LABELS,
    department_label,
    label,
    parse_status,
    status_label,
    track_label,
    urgency_label,
)
from xinxiang.commands._show import console, json_text, shown
from xinxiang.commands._suggestion import suggestion_line
from xinxiang.errors import XinxiangError
from xinxiang.replies.render import format_cn_datetime
from xinxiang.services.ingest import retry_quarantined
from xinxiang.services.learning import suggestion_for
from xinxiang.services.ticket_views import VIEW_ACTION, VIEW_LABEL, is_confidential, views
from xinxiang.store.models import EventRow, LetterRow, OutboxRow, QuarantineRow, TicketRow
from xinxiang.web.accounts import audit

_QUARANTINE_STATES = {"open": "待处理", "resolved": "已处理"}

tickets_app = typer.Typer(help="工单：列表、详情、转办、协办、延期、逾期。", no_args_is_help=True)
quarantine_app = typer.Typer(help="隔离区：无法处理的邮件。", no_args_is_help=True)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def ticket_summary(t: TicketRow) -> dict[str, Any]:
    """The list view of a ticket as JSON-ready data."""
    return {
        "number": t.number,
        "status": t.status,
        "channel": t.channel,
        "from": t.petitioner_addr,
        "from_name": t.petitioner_name,
        "subject": t.subject,
        "department": t.department_code,
        "category": t.category,
        "urgency": t.urgency,
        "disposition": t.disposition,
        "track": t.track,
        "created_at": _iso(t.created_at),
        "response_due": _iso(t.response_due),
        "preliminary_due": _iso(t.preliminary_due),
        "formal_due": _iso(t.formal_due),
    }


@tickets_app.command("list")
def list_tickets(
    config: ConfigOption = None,
    status: Annotated[
        str | None,
        typer.Option(help="只列此状态，中文名称或代码均可（已转办 或 dispatched）。"),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="最多列出多少张工单。")] = 50,
    as_json: JsonOption = False,
) -> None:
    """The newest tickets."""
    wanted = parse_status(status) if status is not None else None
    ctx = open_context(config)
    with ctx.db.unit_of_work() as session:
        q = select(TicketRow).order_by(TicketRow.id.desc()).limit(limit)
        if wanted is not None:
            q = q.where(TicketRow.status == wanted.value)
        rows = [ticket_summary(t) for t in session.execute(q).scalars()]
    if as_json:
        typer.echo(json_text(rows))
        return
    table = Table("编号", "状态", "渠道", "来信人", "主题", "承办单位", "紧急程度", "办理类别")
    for r in rows:
        table.add_row(
            shown(r["number"]),
            status_label(r["status"]),
            shown(r["channel"]),
            shown(r["from_name"] or r["from"], limit=40),
            shown(r["subject"] or "", limit=30),
            department_label(ctx.cfg, r["department"]),
            urgency_label(r["urgency"]),
            track_label(r["track"]),
        )
    console().print(table)


@tickets_app.command("show")
def show_ticket(
    number: Annotated[str, typer.Argument(help="工单号，如 2026-000123。")],
    config: ConfigOption = None,
    as_json: JsonOption = False,
    by: ByOption = None,
) -> None:
    """One ticket with its letter, timeline and mails (a view of an identity-confidential
    ticket is recorded: who, when)."""
    ctx = open_context(config)
    with ctx.db.unit_of_work() as session:
        t = session.execute(
            select(TicketRow).where(TicketRow.number == number)
        ).scalar_one_or_none()
        if t is None:
            raise XinxiangError(f"no ticket {number}")
        seen: list[dict[str, Any]] = []
        if is_confidential(session, t):
            viewer = office_actor(by).name
            audit(
                session,
                at=now_utc(),
                account=viewer,
                role="office",
                ip="",
                action=VIEW_ACTION,
                resource=t.number,
                detail="命令行 tickets show",
            )
            session.flush()
            seen = [
                {"at": _iso(v.at), "account": v.account, "role": v.role, "detail": v.detail}
                for v in views(session, t)
            ]
        letter = session.get(LetterRow, t.letter_id)
        events = (
            session.execute(
                select(EventRow).where(EventRow.ticket_id == t.id).order_by(EventRow.id)
            )
            .scalars()
            .all()
        )
        mails = (
            session.execute(
                select(OutboxRow).where(OutboxRow.ticket_id == t.id).order_by(OutboxRow.id)
            )
            .scalars()
            .all()
        )
        data = ticket_summary(t)
        data["query_code"] = t.query_code
        data["classification"] = t.classification
        # The learned model's advice for the office; it never routes the ticket by itself.
        data["suggestion"] = suggestion_for(ctx, t, t.subject, letter.body if letter else "")
        data["letter"] = {
            "message_id": letter.message_id if letter else None,
            "body": letter.body if letter else "",
            "defects": letter.defects if letter else [],
            "raw_sha256": letter.raw_sha256 if letter else None,
            "attachments": [
                {
                    "filename": a.filename,
                    "content_type": a.content_type,
                    "size": a.size,
                    "sha256": a.sha256,
                }
                for a in (letter.attachments if letter else [])
            ],
        }
        data["views"] = seen
        data["events"] = [
            {"at": _iso(e.at), "actor": e.actor, "kind": e.kind, "data": e.data} for e in events
        ]
        data["mails"] = [
            {
                "kind": m.kind,
                "to": m.recipients,
                "state": m.state,
                "message_id": m.message_id,
                "attempts": m.attempts,
                "sent_at": _iso(m.sent_at),
                "last_error": m.last_error,
            }
            for m in mails
        ]
    if as_json:
        typer.echo(json_text(data))
        return
    tz = ctx.cfg.settings.school.timezone
    typer.echo(
        f"工单 {shown(data['number'])}（{status_label(data['status'])}）  "
        f"查询码 {shown(data['query_code'])}"
    )
    typer.echo(
        f"来信人: {shown(data['from_name'])} <{shown(data['from'])}>  "
        f"渠道: {shown(data['channel'])}"
    )
    typer.echo(f"主题: {shown(data['subject'])}")
    typer.echo(
        f"承办单位: {department_label(ctx.cfg, data['department'])}  "
        f"紧急程度: {urgency_label(data['urgency'])}  办理类别: {track_label(data['track'])}"
    )
    if data["suggestion"]:
        typer.echo(suggestion_line(ctx.cfg, data["suggestion"]))
    typer.echo("-" * 60)
    typer.echo(shown(data["letter"]["body"], multiline=True))
    typer.echo("-" * 60)
    for a in data["letter"]["attachments"]:
        typer.echo(f"附件: {shown(a['filename'])} ({shown(a['content_type'])}, {a['size']} 字节)")
    for e in events:
        typer.echo(
            f"{format_cn_datetime(e.at, tz)}  {label(EVENT_LABELS, e.kind)}  {shown(e.actor)}"
        )
    for v in events_of_views(data["views"]):
        typer.echo(f"{format_cn_datetime(v[0], tz)}  {VIEW_LABEL}  {shown(v[1])}")
    for m in data["mails"]:
        typer.echo(
            f"邮件 {label(MAIL_KIND_LABELS, m['kind'])} → {shown(', '.join(m['to']))}: "
            f"{label(MAIL_STATE_LABELS, m['state'])}"
        )


def events_of_views(seen: list[dict[str, Any]]) -> list[tuple[datetime, str]]:
    """The recorded views as (time, who) for the timeline."""
    return [(datetime.fromisoformat(v["at"]), str(v["account"])) for v in seen]


@quarantine_app.command("list")
def list_quarantine(
    config: ConfigOption = None,
    all_: Annotated[bool, typer.Option("--all", help="包括已处理的记录。")] = False,
    as_json: JsonOption = False,
) -> None:
    """Messages that could not be processed, with the reason."""
    ctx = open_context(config)
    with ctx.db.unit_of_work() as session:
        q = select(QuarantineRow).order_by(QuarantineRow.id)
        if not all_:
            q = q.where(QuarantineRow.state == "open")
        rows = [
            {
                "id": r.id,
                "source": r.source,
                "location": r.location,
                "reason": r.reason,
                "state": r.state,
                "size": r.raw_size,
                "sha256": r.raw_sha256,
                "created_at": _iso(r.created_at),
            }
            for r in session.execute(q).scalars()
        ]
    if as_json:
        typer.echo(json_text(rows))
        return
    table = Table("ID", "信箱", "位置", "原因", "状态")
    for r in rows:
        table.add_row(
            str(r["id"]),
            shown(r["source"]),
            shown(r["location"]),
            shown(r["reason"]),
            label(_QUARANTINE_STATES, str(r["state"])),
        )
    console().print(table)


@quarantine_app.command("retry")
def retry(
    quarantine_id: Annotated[int, typer.Argument(help="隔离记录编号。")],
    config: ConfigOption = None,
) -> None:
    """Reprocess a quarantined message from its stored raw bytes."""
    ctx = open_context(config)
    try:
        outcome = retry_quarantined(ctx, quarantine_id, now_utc())
    except LookupError as exc:
        raise XinxiangError(str(exc)) from None
    if outcome.status == "quarantined":
        typer.echo(f"仍无法处理: {shown(outcome.reason)}")
        raise typer.Exit(1)
    typer.echo(
        f"已重新处理: {outcome.status}"
        + (f"，工单 {outcome.ticket_number}" if outcome.ticket_number else "")
    )


def register(app: typer.Typer) -> None:
    """Attach `tickets` and `quarantine`."""
    app.add_typer(tickets_app, name="tickets")
    app.add_typer(quarantine_app, name="quarantine")
