"""回访 end to end on the real servers (Dovecot IMAP in, aiosmtpd out, the web console's app).

Three petitioners write; 后勤管理处 answers by mail; the `revisit` job mails the rating request:
- 张三 rates 不满意 by link (the page's POST) → 发回重办 to the office → the office
  re-dispatches → hqc answers again → the second revisit mail → 张三 replies 非常不满意 by
  mail → the 督办 mail reaches hqc's supervising leader with the whole history;
- 李四 asked for his identity to be kept confidential: revisited all the same, replies
  "满意，谢谢" → 销账;
- 王五 wrote 不需要回访: no revisit mail, the reason recorded, 销账.
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from sqlalchemy import select
from starlette.testclient import TestClient

from inbound_helpers import context, letter
from office_helpers import office
from replies_helpers import HQC, Loop, now, qq_reply
from servers import ImapAccount, SmtpSink
from web_helpers import csrf
from xinxiang.handlers import handle
from xinxiang.handlers.messages import RouteTicket
from xinxiang.replies.transport import transport_for
from xinxiang.services.outbox import send_due
from xinxiang.services.revisit import revisit_pass
from xinxiang.store.models import TicketRow
from xinxiang.store.models_revisit import RevisitRow
from xinxiang.web.app import create_app

PUBLIC = "https://xinxiang.example.edu.cn"
LEADER = "leader-hqc@example.edu.cn"
OFFICE_BOX = "dzb@example.edu.cn"
LETTERS = {
    "zhangsan": ("宿舍热水问题", "老师您好，12号楼宿舍热水已经三天没有了，请尽快处理。"),
    "lisi": ("浴室淋浴头损坏", "3号楼二层浴室的淋浴头坏了一周。请为我保密，不要透露我的身份。"),
    "wangwu": ("路灯不亮", "西门到图书馆的路灯坏了好几盏，晚上很黑。修好即可，不需要回访。"),
}


def ticket_of(loop: Loop, sender: str) -> TicketRow:
    with loop.ctx.db.unit_of_work() as s:
        return s.execute(select(TicketRow).where(TicketRow.petitioner_addr == sender)).scalar_one()


def answer(loop: Loop, subject: str, text: str) -> None:
    """hqc answers the newest 转办 (or 督办批示) mail about `subject` by reply."""
    dispatch = [
        m.parsed()
        for m in loop.sink.messages(HQC)
        if subject in m.parsed()["Subject"]
        and ("【转办】" in m.parsed()["Subject"] or "【督办批示】" in m.parsed()["Subject"])
    ][-1]
    loop.imap.append(qq_reply(HQC, dispatch["Reply-To"], dispatch["Subject"], text, dispatch))
    loop.run()


def revisit(loop: Loop) -> None:
    revisit_pass(loop.ctx, now())
    send_due(loop.ctx, transport_for(loop.ctx.cfg), now())


def petitioner_replies(loop: Loop, sender: str, request: Any, text: str) -> None:
    m = EmailMessage()
    m["From"] = sender
    m["To"] = request["Reply-To"]
    m["Subject"] = "回复：" + request["Subject"]
    m["Message-ID"] = make_msgid(domain="stu.example.edu.cn")
    m["In-Reply-To"] = request["Message-ID"]
    m.set_content(text + "\n\n> " + request.get_body(("plain",)).get_content()[:200])
    loop.imap.append(bytes(m))
    loop.run()


def body(message: Any) -> str:
    return str(message.get_body(("plain",)).get_content())


def test_the_revisit_loop_on_real_servers(
    imap_account: ImapAccount, smtp_sink: SmtpSink, tmp_config: Any
) -> None:
    cfg = tmp_config(
        imap=imap_account,
        smtp=smtp_sink,
        overrides={"school": {"public_url": PUBLIC}, "revisit": {"delay_minutes": 0}},
    )
    loop = Loop(context(cfg), imap_account, smtp_sink)
    addr = {who: f"{who}@stu.example.edu.cn" for who in LETTERS}
    for who, (subject, text) in LETTERS.items():
        imap_account.append(letter(subject=subject, body=text, sender=addr[who], name=who))
    loop.run()
    lisi = ticket_of(loop, addr["lisi"])
    if lisi.status == "triage":  # 身份保密: the office routes it by hand
        handle(RouteTicket(office(OFFICE_BOX), lisi.number, "hqc"), loop.ctx, now())
        send_due(loop.ctx, transport_for(loop.ctx.cfg), now())
    for subject, _ in LETTERS.values():
        answer(loop, subject, "正式回复：已安排维修，今天已处理完毕。")
    assert {ticket_of(loop, a).status for a in addr.values()} == {"answered"}

    revisit(loop)
    # 王五 refused revisits: none sent, the reason kept, the account settled.
    assert not [
        m for m in smtp_sink.messages(addr["wangwu"]) if "【回访】" in m.parsed()["Subject"]
    ]
    wangwu = ticket_of(loop, addr["wangwu"])
    assert (wangwu.status, wangwu.revisit_state, wangwu.settled_reason) == (
        "closed",
        "skipped",
        "skipped",
    )
    # 李四's letter is identity-confidential, and revisited: he answers by mail.
    request = loop.last_to(addr["lisi"], "【回访】")
    petitioner_replies(loop, addr["lisi"], request, "满意，谢谢")
    lisi = ticket_of(loop, addr["lisi"])
    assert (lisi.rating, lisi.status, lisi.settled_reason) == (4, "closed", "satisfied")

    # 张三 rates 不满意 by the link: GET confirms only, the POST records.
    request = loop.last_to(addr["zhangsan"], "【回访】")
    link = re.search(r"2 不满意：" + re.escape(PUBLIC) + r"(/revisit/\S+)", body(request))
    assert link is not None
    client = TestClient(create_app(loop.ctx), follow_redirects=False)
    token = csrf(client, link.group(1))
    assert ticket_of(loop, addr["zhangsan"]).rating is None
    r = client.post(link.group(1), data={"comment": "只修了一天又坏了", "csrf_token": token})
    assert r.status_code == 200, r.text
    zhangsan = ticket_of(loop, addr["zhangsan"])
    assert (zhangsan.status, zhangsan.rating, zhangsan.rework_count) == ("rework", 2, 1)
    send_due(loop.ctx, transport_for(loop.ctx.cfg), now())
    assert "只修了一天又坏了" in body(loop.last_to(OFFICE_BOX, "【发回重办】"))

    # The office re-dispatches (new deadlines from now), hqc answers again, round 2.
    first = zhangsan.dispatched_at
    assert first is not None
    handle(RouteTicket(office(OFFICE_BOX), zhangsan.number, "hqc"), loop.ctx, now())
    send_due(loop.ctx, transport_for(loop.ctx.cfg), now())
    redispatched = ticket_of(loop, addr["zhangsan"])
    assert redispatched.status == "dispatched"
    assert redispatched.dispatched_at is not None and redispatched.dispatched_at > first
    answer(loop, LETTERS["zhangsan"][0], "正式回复：已更换热水器，并安排专人每日巡检。")
    revisit(loop)
    second = [
        m.parsed()
        for m in smtp_sink.messages(addr["zhangsan"])
        if "【回访】" in m.parsed()["Subject"]
    ]
    assert len(second) == 2
    petitioner_replies(loop, addr["zhangsan"], second[-1], "非常不满意\n还是没有热水")
    zhangsan = ticket_of(loop, addr["zhangsan"])
    assert (zhangsan.status, zhangsan.rating) == ("supervised", 1)
    send_due(loop.ctx, transport_for(loop.ctx.cfg), now())
    supervision = loop.last_to(LEADER, "【督办】")
    text = body(supervision)
    assert "第1轮回访（评价链接）：不满意" in text and "还是没有热水" in text
    assert "已更换热水器" in text and "12号楼宿舍热水" in text
    assert supervision["Reply-To"] == OFFICE_BOX
    with loop.ctx.db.unit_of_work() as s:
        rounds = s.execute(
            select(RevisitRow.round, RevisitRow.channel, RevisitRow.rating)
            .where(RevisitRow.ticket_id == zhangsan.id)
            .order_by(RevisitRow.round)
        ).all()
    assert [tuple(r) for r in rounds] == [(1, "link", 2), (2, "mail", 1)]
