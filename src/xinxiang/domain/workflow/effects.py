"""What a workflow action returns: a `Change` to apply, or a `Refusal` with its reason in Chinese.

A `Change` says everything the shell must do, as plain data: the ticket's new state
(`after`, its status checked by `states.transition()`), the events for the ticket's log, the
notices to send (a kind and recipients by role — the notice door turns them into mail), and
what becomes of the replies the action touched. Nothing here knows rows, addresses or templates.

A reply recorded by the action has no id until the shell inserts it; keys and event fields
refer to it through `THIS_REPLY`, and `Change.bind_reply(id)` fills it in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from enum import Enum, StrEnum

from xinxiang.domain.workflow.snapshot import (
    CohandlerState,
    ReplyKind,
    RevisitRound,
    TicketSnapshot,
)


class Role(StrEnum):
    """Whom a notice goes to, resolved to addresses by the shell."""

    OFFICE = "office"  # 党政办公室
    DEPARTMENT = "department"  # a department by code (`Recipient.ref`)
    PETITIONER = "petitioner"  # 来信人
    ACTOR = "actor"  # whoever sent the command (the confirmation of a mail)
    ADDRESS = "address"  # one address (`Recipient.ref`), e.g. a reply's author
    LEADER = "leader"  # the supervising school leader of department `Recipient.ref` (督办)


@dataclass(frozen=True)
class Recipient:
    """One recipient of a notice: a role, with the department code or address it needs."""

    role: Role
    ref: str | None = None


OFFICE = Recipient(Role.OFFICE)
PETITIONER = Recipient(Role.PETITIONER)
ACTOR = Recipient(Role.ACTOR)


def department(code: str) -> Recipient:
    """The mailboxes of department `code`."""
    return Recipient(Role.DEPARTMENT, code)


class _ThisReply(Enum):
    """Stands for the id of the reply a change records, before the shell knows it."""

    REF = "{reply}"


THIS_REPLY = _ThisReply.REF
"""In an event's fields: the id of the reply this change records."""
REPLY_KEY = "{reply}"
"""In a notice key: replaced by the id of the reply this change records."""


@dataclass(frozen=True)
class Event:
    """One entry of a ticket's log (`ticket` None: this ticket; else another one, by number)."""

    kind: str
    actor: str
    fields: Mapping[str, object] = field(default_factory=dict)
    ticket: str | None = None


@dataclass(frozen=True)
class Notice:
    """A mail to send: its kind (template), recipients by role, a per-ticket dedupe key.

    `message` is the Chinese text of confirmations and refusals; `data` what the template
    needs beyond the ticket itself (`attach_record`: the PDF 处理单 goes with it;
    `threaded`: In-Reply-To the petitioner's letter).
    """

    kind: str
    to: tuple[Recipient, ...]
    key: str
    message: str | None = None
    data: Mapping[str, object] = field(default_factory=dict)


ReplyState = str
"""recorded | pending_approval | sent | approved | rejected."""


@dataclass(frozen=True)
class ReplyUpdate:
    """What becomes of a reply: the one recorded now (`reply_id` None) or a pending one.

    For a reply that exists, a field left None is left as it is.
    """

    reply_id: int | None
    kind: ReplyKind
    state: ReplyState
    department: str | None = None
    author: str | None = None
    text: str | None = None
    final_text: str | None = None
    public: bool | None = None
    planned_formal_date: date | None = None
    extension_until: datetime | None = None
    sent_at: datetime | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    reject_reason: str | None = None


@dataclass(frozen=True)
class Change:
    """The outcome of an action that goes ahead: apply it in the handler's unit of work."""

    action: str
    before: TicketSnapshot
    after: TicketSnapshot
    events: tuple[Event, ...] = ()
    notices: tuple[Notice, ...] = ()
    replies: tuple[ReplyUpdate, ...] = ()
    summary: str = ""
    """One line in Chinese of what was done (the office's confirmation, the CLI's output)."""
    supersede_receipt: bool = False
    """The unsent receipt (回执) is replaced by this change's own answer to the petitioner."""

    def ticket_changes(self) -> dict[str, object]:
        """The ticket's own fields this change sets (name → new value), for the row."""
        return {
            name: getattr(self.after, name)
            for name in _TICKET_FIELDS
            if getattr(self.after, name) != getattr(self.before, name)
        }

    def revisit_change(self) -> RevisitRound | None:
        """The latest revisit round when this change opened or updated it, else None."""
        return self.after.revisit if self.after.revisit != self.before.revisit else None

    def cohandler_changes(self) -> tuple[CohandlerState, ...]:
        """Co-handlers added or updated (a report received) by this change."""
        return tuple(c for c in self.after.cohandlers if c not in self.before.cohandlers)

    @property
    def records_reply(self) -> bool:
        """Whether the shell must insert a new reply row (and then call `bind_reply`)."""
        return any(r.reply_id is None for r in self.replies)

    def bind_reply(self, reply_id: int) -> Change:
        """This change with `THIS_REPLY` and `REPLY_KEY` replaced by the new reply's id."""

        def value(v: object) -> object:
            return reply_id if v is THIS_REPLY else v

        events = tuple(
            replace(e, fields={k: value(v) for k, v in e.fields.items()}) for e in self.events
        )
        notices = tuple(
            replace(n, key=n.key.replace(REPLY_KEY, str(reply_id))) for n in self.notices
        )
        pending = tuple(
            replace(p, reply_id=reply_id) if p.reply_id is None else p for p in self.after.pending
        )
        replies = tuple(
            replace(r, reply_id=reply_id) if r.reply_id is None else r for r in self.replies
        )
        return replace(
            self,
            after=replace(self.after, pending=pending),
            events=events,
            notices=notices,
            replies=replies,
        )


_DERIVED = frozenset(
    {
        "number",
        "received_at",
        "cohandlers",
        "pending",
        "preliminary_given",
        "preliminary_sent",
        "revisit",
        "rounds",
    }
)
# Row columns of the ticket; the rest comes from other rows (co-handlers, replies).
_TICKET_FIELDS = tuple(f.name for f in fields(TicketSnapshot) if f.name not in _DERIVED)


@dataclass(frozen=True)
class Refusal:
    """An action that may not go ahead; nothing changes. `reason` is for the person, in Chinese."""

    action: str
    code: str
    reason: str


Outcome = Change | Refusal
