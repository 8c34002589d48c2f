"""Builders for the web console's action tests: a ticket in triage, a department's answer
waiting for the office, and the office's forms read off the ticket page.

A department's formal answer is recorded the way the mail path records it — the workflow's
`FormalAnswer` decided on the ticket's snapshot and applied by the repository — without the
mail round trip (that path has its own tests in test_replies_flow.py).
"""

from __future__ import annotations

import re
from datetime import datetime

from sweep_helpers import new_ticket, update_ticket
from web_helpers import T0, Site
from xinxiang.domain import workflow as wf
from xinxiang.handlers.bus import policy_of
from xinxiang.handlers.repository import TicketRepository

VAGUE = ("一点想法", "您好，我有一些想法想和学校交流。")  # no rule matches: the office's triage
ANSWER = "张三同学您好：12号楼热水已于今日修复。如仍有问题请致电13812345678联系后勤管理处。"


def triage_ticket(site: Site, sender: str = "e@stu.example.edu.cn") -> str:
    """A letter no rule routes: it waits in the office's triage queue (待分办)."""
    number = new_ticket(site.ctx, T0, VAGUE, sender=sender)
    site.tickets["vague"] = number
    return number


def department_answers(site: Site, key: str, text: str = ANSWER, at: datetime | None = None) -> int:
    """The lead department's formal answer (正式回复) on a public letter: waits for the office.

    Returns the reply's id.
    """
    ctx, number = site.ctx, site.tickets[key]
    update_ticket(ctx, number, public_consent=True)
    now = at or site.clock.now
    with ctx.db.unit_of_work() as s:
        repo = TicketRepository(s)
        row = repo.get(number)
        author = f"{row.department_code}@example.edu.cn"
        outcome = wf.decide(
            repo.snapshot(row), wf.FormalAnswer(author, text), now, policy_of(ctx), ctx.calendar
        )
        assert isinstance(outcome, wf.Change), outcome
        repo.apply(row, outcome, now)
        return repo.pending_rows(row)[0].id


_HIDDEN = re.compile(r'name="(csrf_token|reply_id)" value="([^"]*)"')


def hidden_fields(html: str, form_id: str) -> dict[str, str]:
    """The hidden fields (CSRF token, the reply shown) of the form `form_id` on a page."""
    start = html.find(f'id="{form_id}"')
    assert start >= 0, f"no form {form_id}"
    form = html[start : html.find("</form>", start)]
    return dict(_HIDDEN.findall(form))
