"""The values of each workflow action (commands, imperative), with the actor who gives them.

`actor` is what the ticket's log records: a sender's address, an office account or "system".
Departments are named by code; where a refusal names a department, its Chinese name comes
along (`DepartmentRef`), since the workflow does not read the configuration.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

CloseKind = Literal["legal_channel", "illegal", "praise", "duplicate", "settled"]


@dataclass(frozen=True)
class DepartmentRef:
    """A department by code, with its Chinese name for the wording."""

    code: str
    name: str


# -- a department's answers (by mail) -----------------------------------------------------


@dataclass(frozen=True)
class Accept:
    """受理: the department takes the ticket, maybe declaring track 2 (需本部门研究) or 3."""

    actor: str
    text: str = ""
    track_declared: int | None = None


@dataclass(frozen=True)
class PreliminaryAnswer:
    """初步回复: an answer before the formal one, maybe naming the formal reply's date."""

    actor: str
    text: str
    planned_formal_date: date | None = None


@dataclass(frozen=True)
class FormalAnswer:
    """正式回复: the result for the petitioner (`planned_formal_date` is only logged)."""

    actor: str
    text: str
    planned_formal_date: date | None = None


@dataclass(frozen=True)
class ReturnToOffice:
    """退回: not this department's matter, handed back within the window after 转办."""

    actor: str
    reason: str | None


@dataclass(frozen=True)
class RequestExtension:
    """延期: the department asks to move the formal deadline to `until` (same time of day)."""

    actor: str
    until: date | None
    reason: str | None = None
    text: str = ""


@dataclass(frozen=True)
class RecordCohandlerResult:
    """协办结果: a co-handler reports to the lead department (`department`: the sender's)."""

    actor: str
    department: str | None
    text: str


# -- the petitioner's mail ---------------------------------------------------------------


@dataclass(frozen=True)
class FollowUp:
    """补充来信: the petitioner writes again on the ticket; `key` names the mail (Message-ID)."""

    actor: str
    text: str
    key: str


# -- the office's actions (CLI, office mail commands, routing) -----------------------------


@dataclass(frozen=True)
class Route:
    """转办 / 改派: dispatch to a department (again); the clock restarts now.

    `reason_hint` ends the refusal of a transfer without a reason: how this interface asks.
    """

    actor: str
    department: DepartmentRef
    reason: str | None = None
    reason_hint: str = "（--reason）"


@dataclass(frozen=True)
class Flood:
    """A sender's letters within the last hour before this one (`earlier`), and the cap (刷屏)."""

    address: str
    earlier: int
    cap: int

    @property
    def over_cap(self) -> bool:
        """This letter is past the hourly cap: it waits for the office, flagged."""
        return self.earlier >= self.cap

    @property
    def first_over(self) -> bool:
        """This letter is the first past the cap: the office is told (once)."""
        return self.earlier == self.cap

    @property
    def reason(self) -> str:
        """Why the letter waits for the office, in Chinese."""
        return (
            f"同一来信人一小时内第 {self.earlier + 1} 封来信，超过 {self.cap} 封，"
            "转党政办公室人工分办"
        )


@dataclass(frozen=True)
class HoldForTriage:
    """待分办: a new ticket waits for the office to route it by hand.

    `flood`: held because the sender is past the hourly cap (flagged; the office is told the
    first time). `details` go into the log's event (the learned model's suggestion).
    """

    actor: str
    reason: str
    flood: Flood | None = None
    details: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class AddCohandlers:
    """协办: departments that report to the lead within the co-handler deadline."""

    actor: str
    departments: tuple[DepartmentRef, ...]


@dataclass(frozen=True)
class DecideExtension:
    """同意延期 / 不同意延期: to the end of `until`, or (None) as the pending request asked."""

    actor: str
    approve: bool
    reason: str
    until: date | None = None


@dataclass(frozen=True)
class Approve:
    """同意 (or 修改 with `edited_text`): the oldest reply waiting for the office goes ahead."""

    actor: str
    edited_text: str | None = None


@dataclass(frozen=True)
class Reject:
    """驳回: the oldest reply waiting goes back to its department; deadlines keep running."""

    actor: str
    reason: str


@dataclass(frozen=True)
class Close:
    """办结: closing by routing's disposition, or (`settled`) after the formal answer.

    `department` is the praised unit (`praise`, the office's code when none), `earlier` the
    number of the ticket a duplicate repeats.
    """

    actor: str
    kind: CloseKind
    department: str | None = None
    earlier: str | None = None


@dataclass(frozen=True)
class Reopen:
    """重新打开: an answered or closed ticket goes back to the office's triage, with the reason."""

    actor: str
    reason: str
