"""The one permission question of the web console (权限): may this actor do this to that?

Every view asks `allowed(actor, action, resource)`; no view tests a role itself, so a new role
or a new action is one change here, and the tests enumerate actor × action × resource. List
pages filter in SQL with `ticket_scope(actor)`, which must agree with `allowed(..., "view-ticket",
...)` for every ticket (the tests check both ways).

Roles: `office` (党政办公室) sees and acts on everything; `auditor` (审计) reads everything and
changes nothing; `department` (承办单位) sees the tickets it handles or co-handles (协办);
`leader` (分管校领导) sees the tickets of the departments whose `leader` address in
`departments.toml` is the account's email, their 督办 items, and records 批示 on the tickets
those departments lead (the office may record one too, on any ticket). Pure: no database, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Role = Literal["office", "department", "leader", "auditor"]
ROLES: tuple[Role, ...] = ("office", "department", "leader", "auditor")
ROLE_LABELS: dict[str, str] = {
    "office": "党政办公室",
    "department": "承办单位",
    "leader": "校领导",
    "auditor": "审计",
}


@dataclass(frozen=True)
class Actor:
    """A signed-in staff account as the permission question sees it.

    `departments` is what the account answers for: its own department for a department
    account, the supervised departments (分管单位) for a leader, empty otherwise.
    """

    name: str
    role: Role
    departments: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class TicketResource:
    """A ticket as far as permissions go: its lead department and its co-handlers (协办)."""

    number: str
    department: str | None
    cohandlers: frozenset[str] = field(default_factory=frozenset)

    def involves(self, departments: Iterable[str]) -> bool:
        """Whether any of `departments` leads or co-handles this ticket."""
        wanted = frozenset(departments)
        return self.department in wanted or bool(self.cohandlers & wanted)


Resource = TicketResource | None

# Actions on the whole console (resource None): which roles may perform them.
_GLOBAL: dict[str, frozenset[Role]] = {
    "view-dashboard": frozenset({"office", "auditor"}),  # 工作台: counts over all tickets
    "list-tickets": frozenset({"office", "auditor", "department", "leader"}),
    "view-holding-pen": frozenset({"office", "auditor"}),  # 待甄别 count and list
    "view-approvals": frozenset({"office", "auditor"}),  # 待审核: replies waiting for the office
    "view-failures": frozenset({"office", "auditor"}),  # 隔离区 and 搁置区 lists
    "handle-intake": frozenset({"office"}),
    # an identity-confidential petitioner's name, address and letter as written (身份保密)
    "view-identity": frozenset({"office", "auditor"}),
    # 三率 ranking (seed 001 "月度考评结果在一定范围公开"): every account sees it
    "view-assessment": frozenset({"office", "auditor", "department", "leader"}),
    "view-interview-flags": frozenset({"office", "leader"}),  # 约谈 flags of the ranking
    "view-topics": frozenset({"office", "auditor", "leader"}),  # 热点问题 (未诉先办)
    # 督办事项: a leader's own (its supervised departments'), all of them for office and auditor
    "view-supervision": frozenset({"office", "auditor", "leader"}),
    # 电话回访: the office calls petitioners who left only a phone number and records the rating
    "phone-revisit": frozenset({"office"}),
    "view-audit": frozenset(
        {"office", "auditor"}
    ),  # the client address of audited actions  # 待甄别/隔离区/搁置区: assign, retry, discard
}
# Actions on one ticket: roles that may perform them on any ticket, and roles that may on the
# tickets of their own departments.
_TICKET_ANY: dict[str, frozenset[Role]] = {
    "view-ticket": frozenset({"office", "auditor"}),
    "change-ticket": frozenset({"office"}),
    # 转办/改派, 协办, 延期审批, 同意/修改/驳回, 办结, 重新打开: the office's own actions.
    "office-action": frozenset({"office"}),
    # 批示: the office records one given on paper or by mail (as `revisit instruct` does)
    "instruct": frozenset({"office"}),
}
_TICKET_OWN: dict[str, frozenset[Role]] = {
    "view-ticket": frozenset({"department", "leader"}),
    "change-ticket": frozenset({"department"}),
}
# A department's answers (受理, 初步/正式回复, 退回, 延期申请, 支撑材料): the lead department only;
# 协办结果: a co-handling department only.
# 批示 (leader's instruction): a leader on the tickets its supervised departments lead.
_TICKET_LEAD: dict[str, frozenset[Role]] = {
    "department-action": frozenset({"department"}),
    "instruct": frozenset({"leader"}),
}
_TICKET_CO: dict[str, frozenset[Role]] = {"cohandler-report": frozenset({"department"})}
ACTIONS: frozenset[str] = (
    frozenset(_GLOBAL) | frozenset(_TICKET_ANY) | frozenset(_TICKET_LEAD) | frozenset(_TICKET_CO)
)


def allowed(actor: Actor | None, action: str, resource: Resource = None) -> bool:
    """May `actor` perform `action` on `resource` (None: the console as a whole)?

    Anonymous visitors (None) may do nothing here: the public pages ask no permission. An
    unknown action is refused, so a typo in a view fails closed.
    """
    if actor is None:
        return False
    if resource is None:
        return actor.role in _GLOBAL.get(action, frozenset())
    if actor.role in _TICKET_ANY.get(action, frozenset()):
        return True
    if actor.role in _TICKET_LEAD.get(action, frozenset()):
        return resource.department in actor.departments
    if actor.role in _TICKET_CO.get(action, frozenset()):
        return bool(resource.cohandlers & actor.departments)
    return actor.role in _TICKET_OWN.get(action, frozenset()) and resource.involves(
        actor.departments
    )


def ticket_scope(actor: Actor) -> frozenset[str] | None:
    """The departments whose tickets (led or co-handled) `actor` may see; None for all."""
    if actor.role in _TICKET_ANY["view-ticket"]:
        return None
    if actor.role in _TICKET_OWN["view-ticket"]:
        return actor.departments
    return frozenset()


def supervised_departments(leader_email: str, leaders: Iterable[tuple[str, str]]) -> frozenset[str]:
    """The codes of departments whose `leader` address is `leader_email` (case-insensitive).

    `leaders` holds (department code, leader address) pairs from `departments.toml`.
    """
    wanted = leader_email.strip().lower()
    return frozenset(code for code, addr in leaders if addr.strip().lower() == wanted)
