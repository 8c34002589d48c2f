"""Drivers for the reply-loop tests: realistic department replies and the worker's passes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import select

from inbound_helpers import context, letter
from servers import ImapAccount, SmtpSink
from xinxiang.replies.transport import transport_for
from xinxiang.services.context import AppContext
from xinxiang.services.outbox import send_due
from xinxiang.services.poll import poll_source
from xinxiang.services.replies import process_pending_replies
from xinxiang.store.models import TicketRow

PETITIONER = "zhangsan@stu.example.edu.cn"
HQC = "hqc@example.edu.cn"
OFFICE = "dzb@example.edu.cn"
# What the test deployment's receiving server (trusted authserv-id mx.example.edu.cn, see
# conftest's tmp_config) writes after verifying a campus sender's DKIM signature.
CAMPUS_AUTH = (
    "mx.example.edu.cn; dkim=pass header.d=example.edu.cn; dmarc=pass header.from=example.edu.cn"
)


def now() -> datetime:
    return datetime.now(UTC)


def qq_reply(
    sender: str,
    to: str,
    subject: str,
    answer: str,
    original: Any,
    *,
    auth: str | None = CAMPUS_AUTH,
    when: datetime | None = None,
) -> bytes:
    """A reply as QQ Mail writes it: new text on top, the original below a 原始邮件 block.

    ``auth`` is the Authentication-Results the receiving server adds (None: no header).
    """
    m = EmailMessage()
    m["From"] = f"后勤管理处 <{sender}>"
    m["To"] = to
    m["Subject"] = "回复：" + subject
    m["Date"] = format_datetime(when or now())
    m["Message-ID"] = make_msgid(domain=sender.split("@")[1])
    m["In-Reply-To"] = original["Message-ID"]
    m["References"] = original["Message-ID"]
    if auth:
        m["Authentication-Results"] = auth
    quoted = original.get_body(("plain",)).get_content()
    m.set_content(
        f"{answer}\n\n\n------------------\u00a0原始邮件\u00a0------------------\n"
        f'发件人: "示例大学书记校长信箱"<xinxiang@example.edu.cn>;\n'
        f'发送时间: 2026年12月1日(星期二) 上午9:31\n收件人: "{sender}"<{sender}>;\n'
        f"主题: {subject}\n\n{quoted}\n"
    )
    return bytes(m)


class Tags(HTMLParser):
    """Collects the element names and event-handler attributes of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.names.add(tag)
        self.handlers += [k for k, _ in attrs if k.startswith("on")]


class Loop:
    """Drives the worker's passes: poll, handle replies, send the outbox."""

    def __init__(self, ctx: AppContext, imap: ImapAccount, sink: SmtpSink) -> None:
        self.ctx, self.imap, self.sink = ctx, imap, sink

    def run(self, at: datetime | None = None) -> list[Any]:
        clock: Callable[[], datetime] = (lambda: at) if at else now
        poll_source(self.ctx, "shuji", clock)
        outcomes = process_pending_replies(self.ctx, clock())
        send_due(self.ctx, transport_for(self.ctx.cfg), clock() + timedelta(seconds=1))
        return outcomes

    def last_to(self, rcpt: str, subject_part: str) -> Any:
        found = [
            m.parsed() for m in self.sink.messages(rcpt) if subject_part in m.parsed()["Subject"]
        ]
        assert found, f"no mail to {rcpt} with {subject_part!r}"
        return found[-1]

    def ticket(self) -> TicketRow:
        with self.ctx.db.unit_of_work() as s:
            return s.execute(select(TicketRow)).scalar_one()


def make_loop(imap_account: ImapAccount, smtp_sink: SmtpSink, tmp_config: Any) -> Loop:
    """A migrated deployment on the test servers, ready to drive."""
    ctx = context(tmp_config(imap=imap_account, smtp=smtp_sink))
    return Loop(ctx, imap_account, smtp_sink)


def office_says(loop: Loop, text: str) -> None:
    """The office answers the latest approval request (【待审核】) with `text`; the loop runs."""
    request = loop.last_to(OFFICE, "【待审核】")
    m = EmailMessage()
    m["From"] = f"党政办公室 <{OFFICE}>"
    m["To"] = request["Reply-To"]
    m["Subject"] = "回复：" + request["Subject"]
    m["Message-ID"] = make_msgid(domain="example.edu.cn")
    m["In-Reply-To"] = request["Message-ID"]
    m["Authentication-Results"] = CAMPUS_AUTH
    m.set_content(text)
    loop.imap.append(bytes(m))
    loop.run()


def dispatched(loop: Loop, subject: str = "【公开】宿舍热水问题", body: str | None = None) -> Any:
    loop.imap.append(
        letter(
            subject=subject,
            body=body
            or "老师您好，12号楼宿舍热水已经三天没有了，"
            "我是张三，电话13812345678，请尽快处理。我同意公开。",
        )
    )
    loop.run()
    return loop.last_to(HQC, "【转办】")
