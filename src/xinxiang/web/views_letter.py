"""The petitioner's letter form (网上来信): `POST /letter` and the address confirmation.

The form on `/` (category, subject, text, public consent, identity confidentiality,
attachments, contact e-mail and an optional phone) becomes an RFC 5322 message, parsed by the
mail parser and recorded through `services.ingest_external.record_external_letter` with channel
"网上来信" — the same path as a letter by mail: ticket, receipt with the 查询码, routing.
Abuse limits instead of a CAPTCHA: a honeypot field, per-client and per-address rate limits,
size and type limits on text and files. The contact address is confirmed by a mailed, signed,
expiring link (`services.letter_confirm`) before routing takes the ticket; an emergency is
routed (alerted, dispatched) at once all the same.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response

from xinxiang.classify.engine import classify_letter
from xinxiang.errors import UnparseableMail, XinxiangError
from xinxiang.mailbox.parse import parse_message
from xinxiang.services.context import AppContext
from xinxiang.services.ingest import MessageOrigin
from xinxiang.services.ingest_external import record_external_letter
from xinxiang.services.letter_confirm import confirm_contact, hold_for_confirmation, read_token
from xinxiang.services.routing import route_received
from xinxiang.store.models import TicketRow
from xinxiang.web.render import filesize, page
from xinxiang.web.security import client_ip

CHANNEL = "网上来信"
HONEYPOT = "website"  # hidden from people by the stylesheet; bots fill it in
_EMAIL = re.compile(r"^[^@\s<>\"(),;:]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}$")
_PHONE = re.compile(r"^[0-9+\- ]{5,20}$")
_SPECIALS = frozenset('<>@,;:"\\()[]')
CONFIDENTIAL_LINE = "（来信人在表单中选择：请对我的身份保密）"


class LetterProblem(XinxiangError):
    """The form cannot become a letter; the reason is shown to the petitioner."""


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _line(value: str) -> str:
    return " ".join("".join(c if c.isprintable() else " " for c in value).split())


def form_context(ctx: AppContext) -> dict[str, Any]:
    """What the letter form needs: the categories and the limits to state."""
    web = ctx.cfg.settings.web
    return {
        "categories": ctx.rules.categories,
        "letter_max_chars": web.letter_max_chars,
        "letter_files": web.letter_max_attachments,
        "letter_file_max": filesize(web.letter_attachment_max_bytes),
        "letter_types": "、".join(web.letter_attachment_types),
    }


async def _attachments(ctx: AppContext, form: FormData) -> list[tuple[str, str, bytes]]:
    web = ctx.cfg.settings.web
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    if len(files) > web.letter_max_attachments:
        raise LetterProblem(f"附件最多 {web.letter_max_attachments} 个")
    out = []
    for f in files:
        name = (f.filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
        suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if suffix not in web.letter_attachment_types:
            raise LetterProblem(f"不支持的附件类型：{name}")
        data = await f.read(web.letter_attachment_max_bytes + 1)
        if len(data) > web.letter_attachment_max_bytes:
            raise LetterProblem(
                f"附件过大：{name}（单个不超过 {filesize(web.letter_attachment_max_bytes)}）"
            )
        out.append((name, "application/octet-stream", data))
    return out


@dataclasses.dataclass(frozen=True)
class Submission:
    """A checked form: the message to record and what the ticket needs."""

    raw: bytes
    address: str
    public_consent: bool
    message_id: str


def build_message(
    ctx: AppContext, form: FormData, files: list[tuple[str, str, bytes]], now: Any
) -> Submission:
    """The letter as an RFC 5322 message, after checking every field."""
    web = ctx.cfg.settings.web
    category, body = _text(form, "category"), _text(form, "text")
    # One-line fields go into headers: any line break or control character becomes a space.
    subject, name = _line(_text(form, "subject")), _line(_text(form, "name"))
    # A display name is a name: no address syntax the mail parser could read as an address.
    name = _line("".join(" " if c in _SPECIALS else c for c in name))
    address, phone = _text(form, "email").lower(), _text(form, "phone")
    consent = _text(form, "public")
    if category not in ctx.rules.categories:
        raise LetterProblem("请选择来信类别")
    if not subject or len(subject) > 100:
        raise LetterProblem("请填写主题（不超过100字）")
    if not body or len(body) > web.letter_max_chars:
        raise LetterProblem(f"请填写来信内容（不超过{web.letter_max_chars}字）")
    if not _EMAIL.match(address):
        raise LetterProblem("请填写正确的电子邮箱，用于接收回执和答复")
    if phone and not _PHONE.match(phone):
        raise LetterProblem("联系电话格式不正确")
    if consent not in ("yes", "no"):
        raise LetterProblem("请选择是否同意公开")
    lines = [f"来信类别：{category}"]
    if phone:
        lines.append(f"联系电话：{phone}")
    if _text(form, "confidential") == "yes":
        lines.append(CONFIDENTIAL_LINE)
    msg = EmailMessage()
    domain = ctx.msgid_domain
    message_id = make_msgid("web", domain=domain)
    msg["From"] = formataddr((name[:60], address))
    msg["To"] = ctx.cfg.settings.smtp.from_address
    msg["Subject"] = subject
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id
    msg.set_content("\n".join(lines) + "\n\n" + body + "\n")
    for fname, ctype, data in files:
        main, _, sub = ctype.partition("/")
        msg.add_attachment(data, maintype=main, subtype=sub, filename=fname)
    return Submission(bytes(msg), address, consent == "yes", message_id)


def _refuse(request: Request, ctx: AppContext, status: int, message: str) -> Response:
    return page(
        request, "start.html", status, title="网上来信", letter_error=message, **form_context(ctx)
    )


def link_base(request: Request, ctx: AppContext) -> str:
    """The site's address for links in mail: `public_url`, else this request's."""
    configured = ctx.cfg.settings.school.public_url.rstrip("/")
    return configured or str(request.base_url).rstrip("/")


async def submit(request: Request) -> Response:
    """`POST /letter`: record the letter, show its number; the 查询码 comes by mail."""
    state = request.app.state
    ctx: AppContext = state.ctx
    form = await request.form()
    now = state.clock()
    if _text(form, HONEYPOT):
        return _refuse(request, ctx, 400, "提交未成功，请刷新页面后重试。")
    if not state.letter_ip_limiter.hit(client_ip(request)):
        return _refuse(request, ctx, 429, "提交过于频繁，请稍后再试。")
    try:
        files = await _attachments(ctx, form)
        sub = build_message(ctx, form, files, now)
        if not state.letter_address_limiter.hit(sub.address):
            return _refuse(request, ctx, 429, "该邮箱今日提交的来信已达上限，请明天再试。")
        letter = dataclasses.replace(parse_message(sub.raw), public_consent=sub.public_consent)
    except (LetterProblem, UnparseableMail) as exc:
        return _refuse(request, ctx, 422, str(exc))
    c = classify_letter(letter, ctx.rules)
    urgent = c.is_emergency or c.is_suspected_emergency
    with ctx.db.unit_of_work() as session:
        outcome = record_external_letter(
            ctx,
            session,
            letter=letter,
            raw=sub.raw,
            raw_suffix=".eml",
            dedupe_key="web:" + sub.message_id.strip("<>"),
            external_id="web-" + secrets.token_hex(8),
            origin=MessageOrigin("web", CHANNEL, "web-form"),
            now=now,
        )
        ctx.blobs.sync()
        ticket = session.query(TicketRow).filter_by(number=outcome.ticket_number).one()
        hold_for_confirmation(ctx, session, ticket, link_base(request, ctx), now, hold=not urgent)
        number = ticket.number
    route_received(ctx, now)  # an emergency at once; a held letter waits for its link
    return page(request, "letter_done.html", title="来信已提交", number=number, held=not urgent)


async def confirm(request: Request) -> Response:
    """`GET /letter/confirm?t=…` asks to confirm (a mail scanner's GET changes nothing);
    `POST` (with the token) records the confirmation and routes the letter."""
    state = request.app.state
    now = state.clock()
    if request.method == "GET":
        token = request.query_params.get("t", "")
    else:
        token = _text(await request.form(), "t")
    claim = read_token(state.ctx, token, now)
    if claim is None:
        return page(
            request,
            "error.html",
            400,
            title="链接无效",
            message="确认链接无效或已过期。如需帮助，请重新提交来信或联系党政办公室。",
        )
    if request.method == "GET":
        return page(
            request, "letter_confirm.html", title="确认邮箱", token=token, number=claim.number
        )
    number = confirm_contact(state.ctx, claim, now)
    if number is None:
        return page(request, "error.html", 400, title="链接无效", message="确认链接无效。")
    route_received(state.ctx, now)
    return page(request, "letter_confirm.html", title="邮箱已确认", token="", number=number)
