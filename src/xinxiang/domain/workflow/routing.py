"""Routing a new ticket (分办): from the classification's facts to one workflow command.

`after_classification` is the decision tree routing always had, as a pure function: a flood of
letters from one sender goes to the office (刷屏), a repeat of an earlier letter is closed as a
duplicate, the dispositions close with a template (legal channel, illegal) or forward praise,
a confident classification is dispatched (转办), and anything else waits for the office
(待分办). Emergencies are dispatched whatever the settings say, and never held as a flood or a
duplicate. The command it returns is then decided like any other (`workflow.decide`).
Seeds: 000/004 第八条 and 002 第九条 (dispositions), 004 第五、六条 (转办, 人工分办),
004 (confidential identity: the office routes by hand), 001 (紧急 first).
"""

from __future__ import annotations

from dataclasses import dataclass

from xinxiang.domain.workflow.commands import (
    Close,
    DepartmentRef,
    Flood,
    HoldForTriage,
    Route,
)

CONFIDENTIAL_REASON = "来信人要求身份保密（“{phrase}”），须经党政办公室人工分办"
UNSURE_REASON = "无把握的分类，等待党政办公室人工分办"
CONFIRM_REASON = "按配置须经党政办公室确认后转办"
UNCONFIRMED_REASON = "网上来信的联系邮箱逾期未确认，须经党政办公室人工分办"


@dataclass(frozen=True)
class Classified:
    """What routing knows of a new ticket once it is classified (all of it plain data).

    `department` is the classified department (None: none, or not a configured one);
    `auto_dispatch` is the configuration's `auto` and not `require_office_confirmation`;
    `confidential` the phrase by which the petitioner asked to stay anonymous; `earlier` the
    number of an earlier ticket this letter repeats; `flood` the sender's letters this hour;
    `office` the office's code (praise with no department goes there).
    """

    actor: str
    disposition: str
    office: str
    department: DepartmentRef | None = None
    emergency: bool = False
    auto_dispatch: bool = True
    confidential: str | None = None
    earlier: str | None = None
    flood: Flood | None = None
    unconfirmed_contact: bool = False
    """A web letter whose contact address was never confirmed (the link expired): nothing
    is mailed to that address on routing's account, the office decides."""


RoutingCommand = Route | HoldForTriage | Close
"""What routing may do with a new ticket."""


def after_classification(c: Classified) -> RoutingCommand:
    """The command routing gives for a new ticket classified as `c` (see the module)."""
    if not c.emergency and c.flood is not None and c.flood.over_cap:
        return HoldForTriage(c.actor, c.flood.reason, flood=c.flood)
    if c.unconfirmed_contact and not c.emergency:
        return HoldForTriage(c.actor, UNCONFIRMED_REASON)
    if c.earlier is not None and not c.emergency:
        return Close(c.actor, "duplicate", earlier=c.earlier)
    if c.disposition in ("legal_channel", "illegal"):
        return Close(c.actor, "legal_channel" if c.disposition == "legal_channel" else "illegal")
    if c.disposition == "praise":
        return Close(c.actor, "praise", c.department.code if c.department else c.office)
    if (
        c.disposition == "dispatch"
        and c.department is not None
        and (c.emergency or (c.auto_dispatch and not c.confidential))
    ):
        return Route(c.actor, c.department)
    if c.confidential and c.disposition == "dispatch":
        reason = CONFIDENTIAL_REASON.format(phrase=c.confidential)
    elif c.disposition == "triage":
        reason = UNSURE_REASON
    else:
        reason = CONFIRM_REASON
    return HoldForTriage(c.actor, reason)
