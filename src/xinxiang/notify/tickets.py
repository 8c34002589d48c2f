"""Ticket notices to the notifiers (工单通知): emergencies, overdue warnings and 督办.

Called in the deciding transaction next to the mail of the same notice; only the ticket number,
the kind, the deadline, the link and (for emergencies) the school's 24-hour number go out.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from xinxiang.config import Config, Department
from xinxiang.dispatch.reminders import Recipient
from xinxiang.notify.message import Notice
from xinxiang.notify.queue import enqueue_notice

EMERGENCY_KINDS = frozenset({"emergency", "suspected_emergency"})


def notify_ticket(
    session: Session,
    cfg: Config,
    *,
    number: str,
    kind: str,
    key: str,
    to: Iterable[Department | None],
    deadline: datetime | None,
    now: datetime,
    recipients: Iterable[Recipient] = (Recipient.DEPARTMENT,),
) -> int:
    """Queue the notice `kind` of ticket `number` for the departments `to` — the departments
    themselves, their leaders (分管领导) and/or the office, as `recipients` says; rows added."""
    school = cfg.settings.school
    notice = Notice(
        kind=kind,
        subject=f"工单 {number}",
        deadline=deadline,
        link=school.public_url,
        phone=(school.emergency_phone or school.security_phone) if kind in EMERGENCY_KINDS else "",
    )
    owners = list({d.code: d for d in to if d is not None}.values())
    who = set(recipients)
    targets = owners if Recipient.DEPARTMENT in who else []
    if Recipient.OFFICE in who and all(d.code != cfg.office.code for d in targets):
        targets.append(cfg.office)
    leaders = owners if Recipient.LEADER in who else []
    return enqueue_notice(
        session, cfg, key=key, notice=notice, to=targets, now=now, leaders_of=leaders
    )
