"""`xinxiang demo`: the whole job on a throw-away embedded deployment, no server at all.

Stages, each going through the real Huey queue (SqliteHuey) exactly as the worker would:
letters arrive in the Maildir → tickets, receipts, dispatch mails; departments answer by
replying to their dispatch mail; the office approves the public answer by replying 同意; the
petitioners are asked for a rating (回访: one rates by reply, 不满意 → 发回重办; one by phone);
the answers' PDF records; the public board is published; OA petitions are synced.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from sqlalchemy import select

from xinxiang.config import load_config
from xinxiang.deployment import create_embedded_deployment
from xinxiang.mailbox.maildir import deliver
from xinxiang.services.context import AppContext
from xinxiang.store.migrate import upgrade
from xinxiang.store.models import OutboxRow, TicketRow
from xinxiang.tasks import Runtime, Tasks, make_huey


@dataclass
class DemoResult:
    """Where the demo's outputs are."""

    directory: Path
    ctx: AppContext
    letters: int = 0
    records: list[Path] = field(default_factory=list)
    board: Path | None = None
    reports: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    console_account: tuple[str, str] | None = None
    """The demo office account of the web console (name, password)."""


DEMO_MX = "mx.example.edu.cn"


def _now() -> datetime:
    return datetime.now(UTC)


def _drain(ctx: AppContext, tasks: Tasks) -> None:
    for src in ctx.cfg.settings.sources:
        tasks.poll_source(src.name)
    huey = tasks.huey
    while (task := huey.dequeue()) is not None:
        huey.execute(task)


def _quoted_reply(sender: str, sender_name: str, original_raw: bytes, answer: str) -> bytes:
    """A reply as a Coremail/QQ user writes it: answer on top, the original quoted below."""
    original = email.message_from_bytes(original_raw, policy=email.policy.default)
    reply_to = str(original.get("Reply-To") or original["From"])
    msg = EmailMessage()
    msg["From"] = f"{sender_name} <{sender}>"
    msg["To"] = reply_to
    msg["Subject"] = "回复：" + str(original["Subject"])
    msg["Date"] = format_datetime(_now())
    msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[1])
    msg["In-Reply-To"] = str(original["Message-ID"])
    msg["References"] = str(original["Message-ID"])
    # What the campus receiving server adds after checking the sender's DKIM signature.
    domain = sender.rsplit("@", 1)[1]
    msg["Authentication-Results"] = (
        f"{DEMO_MX}; dkim=pass header.d={domain}; dmarc=pass header.from={domain}"
    )
    body = original.get_body(("plain",))
    quoted = body.get_content() if body is not None else ""
    msg.set_content(
        f"{answer}\n\n------------------ 原始邮件 ------------------\n"
        f"发件人: {original['From']}\n主题: {original['Subject']}\n\n{quoted}\n"
    )
    return bytes(msg)


def _mail_for(ctx: AppContext, ticket_id: int, kind: str) -> bytes | None:
    from xinxiang.outgoing.door import render_deferred

    with ctx.db.unit_of_work() as session:
        row = session.execute(
            select(OutboxRow)
            .where(OutboxRow.ticket_id == ticket_id, OutboxRow.kind == kind)
            .order_by(OutboxRow.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if row is None:
            return None
        return row.raw if row.raw is not None else render_deferred(ctx, session, row)


def run_demo(directory: Path) -> DemoResult:
    """Build the deployment under `directory` and run every stage; returns where things are."""
    from xinxiang.handlers.documents import record_filename, regenerate_record
    from xinxiang.replies.publishing import publish
    from xinxiang.sample_demo import demo_mailbox

    # The Maildir stands for the campus mail server's delivery, which authenticates senders
    # and writes Authentication-Results under its id (see `_quoted_reply`).
    create_embedded_deployment(directory, force=True, trusted_authserv_ids=(DEMO_MX,), oa=True)
    cfg = load_config(directory)
    ctx = AppContext(cfg)
    cfg.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(ctx.db)
    result = DemoResult(directory, ctx)
    maildir = cfg.data_dir / "maildir"
    letters = demo_mailbox()
    for _name, raw in letters:
        deliver(maildir, raw)
    result.letters = len(letters)
    tasks = Tasks(make_huey(cfg), Runtime(ctx))

    # Stage 1: letters → tickets, receipts, dispatch mails.
    _drain(ctx, tasks)

    # Stage 2: two departments answer by replying to their dispatch mail.
    with ctx.db.unit_of_work() as session:
        dispatched = (
            session.execute(
                select(TicketRow).where(TicketRow.status == "dispatched").order_by(TicketRow.id)
            )
            .scalars()
            .all()
        )
        public = next((t for t in dispatched if t.public_consent), None)
        private = next((t for t in dispatched if not t.public_consent), None)
    answered: list[TicketRow] = []
    for ticket, text in (
        (
            public,
            "正式回复：经核查，晚高峰校园网拥堵系出口带宽不足所致。网络信息中心已于本周完成"
            "出口扩容（由 10G 增至 20G），并对宿舍区无线网络进行了优化，欢迎继续反馈使用体验。",
        ),
        (
            private,
            "正式回复：您反映的宿舍热水问题已安排维修，热水器已于今日更换加热模块并恢复供应。"
            "如仍有问题，请拨打后勤服务热线 010-12345000。",
        ),
    ):
        if ticket is None:
            continue
        dispatch_mail = _mail_for(ctx, ticket.id, "dispatch")
        dept = ctx.cfg.department(ticket.department_code or "")
        if dispatch_mail is None or dept is None:
            continue
        deliver(maildir, _quoted_reply(dept.emails[0], dept.name, dispatch_mail, text))
        answered.append(ticket)
    _drain(ctx, tasks)

    # Stage 3: the office approves the public answer by replying 同意 to the approval request.
    if public is not None:
        request = _mail_for(ctx, public.id, "approval_request")
        if request is not None:
            office = ctx.cfg.office
            deliver(maildir, _quoted_reply(office.emails[0], office.name, request, "同意"))
            _drain(ctx, tasks)
        else:
            result.notes.append("公开来信未生成审核邮件")

    # Stage 3b: 回访 — the rating mails, a rating by reply (不满意 → 发回重办, re-dispatched)
    # and one taken by phone (满意 → 销账).
    _revisit_stage(ctx, maildir, [t.id for t in answered], result)
    _drain(ctx, tasks)

    # Stage 4: PDF records of the answered tickets; stage 5: the public board.
    records_dir = directory / "records"
    records_dir.mkdir(exist_ok=True)
    with ctx.db.unit_of_work() as session:
        for t in answered:
            ticket = session.get(TicketRow, t.id)
            if ticket is None:
                continue
            pdf, _sha = regenerate_record(ctx, session, ticket, _now())
            path = records_dir / record_filename(ticket)
            path.write_bytes(pdf)
            result.records.append(path)
    board = directory / "public"
    publish(ctx, board, _now())
    result.board = board
    _report_stage(ctx, directory / "reports", result)
    result.console_account = _console_account(ctx)
    _oa_stage(ctx, result)
    _drain(ctx, tasks)
    return result


def _revisit_stage(
    ctx: AppContext, maildir: Path, ticket_ids: list[int], result: DemoResult
) -> None:
    """The revisit job two hours after the answers; one petitioner replies 不满意 (the office
    re-dispatches: 发回重办), the other's rating is taken by phone (满意: 销账)."""
    from datetime import timedelta

    from xinxiang.handlers import handle
    from xinxiang.handlers.messages import Actor, RateTicket, RouteTicket
    from xinxiang.services.poll import poll_source
    from xinxiang.services.replies import process_pending_replies
    from xinxiang.services.revisit import revisit_pass

    later = _now() + timedelta(hours=2)
    sent = revisit_pass(ctx, later).sent
    office = Actor("office", "office-demo", "cli")
    for n, ticket_id in enumerate(ticket_ids):
        with ctx.db.unit_of_work() as session:
            ticket = session.get(TicketRow, ticket_id)
            if ticket is None or ticket.number not in sent:
                continue
            number, petitioner, dept = ticket.number, ticket.petitioner_addr, ticket.department_code
        mail = _mail_for(ctx, ticket_id, "revisit")
        if n == 0 or mail is None:
            done = handle(RateTicket(office, number, 5, "phone", "电话回访：很满意"), ctx, later)
            result.notes.append(f"回访 {number}：电话评价“非常满意”，{done.summary}")
            continue
        deliver(maildir, _quoted_reply(petitioner, "来信人", mail, "不满意，热水还是时有时无"))
        for src in ctx.cfg.settings.sources:
            poll_source(ctx, src.name, lambda: later)
        process_pending_replies(ctx, later)
        handle(RouteTicket(office, number, dept or ""), ctx, later + timedelta(minutes=5))
        result.notes.append(f"回访 {number}：来信人回信“不满意”→ 发回重办，已重新转办并重新计时")
    if not sent:
        result.notes.append("回访：没有到期的回访")
    # The stage ran two hours ahead: send what it queued at its own time.
    from xinxiang.replies.transport import transport_for
    from xinxiang.services.outbox import send_due

    send_due(ctx, transport_for(ctx.cfg), later + timedelta(minutes=10))


def _console_account(ctx: AppContext) -> tuple[str, str]:
    """An office account for the web console of the demo deployment, with a fresh password."""
    import secrets

    from xinxiang.web.accounts import add_user

    name, password = "office-demo", secrets.token_urlsafe(12)
    with ctx.db.unit_of_work() as session:
        add_user(session, ctx.cfg, name=name, role="office", password=password, now=_now())
    return name, password


def _report_stage(ctx: AppContext, out: Path, result: DemoResult) -> None:
    """The 月报 of this month (the demo's letters are all from today) as PDF and XLSX."""
    from xinxiang.reports.data import month_period, period_report
    from xinxiang.reports.render import render_report_pdf, render_report_xlsx

    now = _now()
    month = now.astimezone(ctx.cfg.tz).strftime("%Y-%m")
    data = period_report(ctx, month_period(month, now, ctx.cfg.tz), now)
    tz = ctx.cfg.settings.school.timezone
    out.mkdir(exist_ok=True)
    pdf, xlsx = out / f"月报-{month}.pdf", out / f"月报-{month}.xlsx"
    pdf.write_bytes(render_report_pdf(data, ctx.cfg.settings.school.name, tz))
    xlsx.write_bytes(render_report_xlsx(data, tz))
    result.reports += [pdf, xlsx]


def _oa_stage(ctx: AppContext, result: DemoResult) -> None:
    """Sync a few petitions from the reference OA simulator (started in-process on a free
    port), then push our status changes back to it."""
    import os
    import re

    from xinxiang.oa_bridge.config import load_oa_for
    from xinxiang.oa_bridge.simulator import OaSimulator
    from xinxiang.services.oa_hooks import install_oa_hooks
    from xinxiang.services.oa_tasks import oa_pull, oa_push

    oa_file = ctx.cfg.directory / "oa.toml"
    if not oa_file.exists():
        result.notes.append("未配置 OA（oa.toml），跳过 OA 同步演示")
        return
    simulator = OaSimulator(result.directory / "var" / "oa-simulator.db", secret="demo-oa-secret")
    simulator.start()
    try:
        assert simulator.store is not None
        simulator.store.seed(6, rng_seed=2026)
        text = oa_file.read_text(encoding="utf-8")
        text = re.sub(r'(?m)^base_url = "[^"]*"', f'base_url = "{simulator.url}"', text)
        oa_file.write_text(text, encoding="utf-8")
        settings = load_oa_for(ctx.cfg)
        os.environ[settings.oa.secret_env] = "demo-oa-secret"
        install_oa_hooks(ctx.cfg, ctx.db, settings)
        pulled = oa_pull(ctx, _now(), settings=settings)
        pushed = oa_push(ctx, _now(), settings=settings)
        recorded = len(simulator.store.updates())
        result.notes.append(
            f"OA 信访模块（模拟器 {simulator.url}）: 同步 {pulled.created} 件新信访并建立工单；"
            f"向 OA 回写状态 {pushed.sent} 条（OA 已记录 {recorded} 条）"
        )
    finally:
        simulator.stop()
