"""Who may do what on a ticket by mail (答复权限): the decision, without any I/O.

* The assigned department's registered addresses may answer their own ticket (受理, 初步回复,
  正式回复, 退回, 延期).
* Co-handlers (协办部门) may only send 协办结果.
* The petitioner may only send follow-ups (补充来信) on their own ticket.
* The office's registered addresses (党政办公室) may only send office commands: approval
  (同意 / 驳回 / 修改) and dispatch actions (转办 / 协办 / 同意延期 / 不同意延期).

Everything else goes to the holding pen (待甄别) with a reason for the office, and never changes
the ticket. A department or office sender whose mail the receiving server marked ``dkim=fail``
or ``spf=fail`` in ``Authentication-Results`` is held as well: the address alone proves nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Literal

__all__ = [
    "ACTIONS",
    "Action",
    "Decision",
    "Participants",
    "Role",
    "auth_failures",
    "authorize",
    "normalize_address",
]

Action = Literal[
    "accept",
    "preliminary",
    "formal",
    "return",
    "extension",
    "cohandler_result",
    "follow_up",
    "office_command",
]
Role = Literal["department", "cohandler", "petitioner", "office"]

_ALLOWED: dict[str, frozenset[Role]] = {
    "accept": frozenset({"department"}),
    "preliminary": frozenset({"department"}),
    "formal": frozenset({"department"}),
    "return": frozenset({"department"}),
    "extension": frozenset({"department"}),
    "cohandler_result": frozenset({"cohandler"}),
    "follow_up": frozenset({"petitioner"}),
    "office_command": frozenset({"office"}),
}
ACTIONS: frozenset[str] = frozenset(_ALLOWED)

# Checked in this order when a sender holds several roles (e.g. an office member who is also
# the petitioner), so the decision names the most specific one.
_ROLE_ORDER: tuple[Role, ...] = ("department", "cohandler", "office", "petitioner")
_STAFF_ROLES: frozenset[Role] = frozenset({"department", "cohandler", "office"})

_ROLE_NAMES: dict[Role, str] = {
    "department": "承办部门",
    "cohandler": "协办部门",
    "petitioner": "来信人",
    "office": "党政办公室",
}
_ROLE_LIMITS: dict[Role, str] = {
    "department": "承办部门可提交受理、初步回复、正式回复、退回或延期，不能提交此类邮件",
    "cohandler": "协办部门只能提交协办结果",
    "petitioner": "来信人只能补充来信内容",
    "office": (
        "党政办公室的邮件只能是办理指令（同意、驳回、修改、转办、协办、同意延期、不同意延期）"
    ),
}


def normalize_address(address: str) -> str:
    """Return the bare, lowercased address of ``address`` (``名字 <A@B>`` → ``a@b``)."""
    return parseaddr(address)[1].strip().lower()


def _addresses(values: Iterable[str]) -> frozenset[str]:
    return frozenset(a for a in (normalize_address(v) for v in values) if a)


@dataclass(frozen=True, slots=True)
class Participants:
    """The registered participants of one ticket, by address.

    Addresses are compared case-insensitively and may be given as ``名字 <a@b>``.
    """

    department: frozenset[str] = field(default_factory=frozenset)
    cohandlers: frozenset[str] = field(default_factory=frozenset)
    petitioner: str | None = None
    office: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(
        cls,
        *,
        department: Iterable[str] = (),
        cohandlers: Iterable[str] = (),
        petitioner: str | None = None,
        office: Iterable[str] = (),
    ) -> Participants:
        """Build participants from any iterables of addresses, normalising them."""
        return cls(
            department=_addresses(department),
            cohandlers=_addresses(cohandlers),
            petitioner=(normalize_address(petitioner) or None) if petitioner else None,
            office=_addresses(office),
        )

    def roles_of(self, sender: str) -> tuple[Role, ...]:
        """Return every role ``sender`` holds on this ticket, most specific first."""
        address = normalize_address(sender)
        if not address:
            return ()
        held = {
            "department": address in _addresses(self.department),
            "cohandler": address in _addresses(self.cohandlers),
            "office": address in _addresses(self.office),
            "petitioner": self.petitioner is not None
            and address == normalize_address(self.petitioner),
        }
        return tuple(role for role in _ROLE_ORDER if held[role])


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether a mail may act on a ticket.

    ``rule`` is a short kebab-case name of the rule that decided (for logs and the ticket
    history); ``reason`` explains it in Chinese for the office; ``role`` is the sender's role
    that was used or, when refused, the first role the sender holds (None for strangers).
    """

    allowed: bool
    rule: str
    reason: str
    role: Role | None = None

    @property
    def holding(self) -> bool:
        """True when the mail goes to the holding pen instead of changing the ticket."""
        return not self.allowed


_COMMENT = re.compile(r"\([^()]*\)")
_FAILURE = re.compile(r"(?<![\w.-])(dkim|spf)\s*=\s*(fail|hardfail)\b", re.IGNORECASE)


def auth_failures(auth_results: str | None) -> list[str]:
    """Return the failed mechanisms (``dkim``, ``spf``) named in Authentication-Results.

    Only pass the results added by our own receiving server; a sender can write any header.
    Parenthesised comments are ignored, so ``(dkim=fail would be bad)`` does not count.
    """
    if not auth_results:
        return []
    text = auth_results
    # Comments may nest; strip innermost first until none is left.
    while True:
        stripped = _COMMENT.sub(" ", text)
        if stripped == text:
            break
        text = stripped
    failed: list[str] = []
    for match in _FAILURE.finditer(text):
        mechanism = match.group(1).lower()
        if mechanism not in failed:
            failed.append(mechanism)
    return failed


def authorize(
    sender: str, ticket_participants: Participants, action: str, auth_results: str | None
) -> Decision:
    """Decide whether ``sender`` may perform ``action`` on the ticket with these participants.

    ``action`` is one of :data:`ACTIONS`: a reply intent (``formal`` …), ``follow_up`` for a
    petitioner's mail or ``office_command`` for an approval answer. Raises ``ValueError`` for
    an unknown action (a programming error, not a mail to hold).
    """
    if action not in _ALLOWED:
        raise ValueError(f"unknown action: {action!r}")
    address = normalize_address(sender)
    if not address:
        return Decision(False, "no-sender", "邮件没有可识别的发件人地址")
    roles = ticket_participants.roles_of(address)
    if not roles:
        return Decision(
            False,
            "unknown-sender",
            f"发件人 {address} 不是该工单登记的承办部门、协办部门、来信人或党政办公室地址",
        )
    permitted = [role for role in roles if role in _ALLOWED[action]]
    if not permitted:
        role = roles[0]
        return Decision(
            False,
            f"{role}-not-permitted",
            f"发件人 {address} 是该工单的{_ROLE_NAMES[role]}，{_ROLE_LIMITS[role]}",
            role,
        )
    role = permitted[0]
    if role in _STAFF_ROLES:
        failed = auth_failures(auth_results)
        if failed:
            mechanisms = "、".join(m.upper() for m in failed)
            return Decision(
                False,
                "authentication-failed",
                f"发件人 {address} 的邮件未通过 {mechanisms} 验证，可能是冒用地址",
                role,
            )
    return Decision(True, f"{role}-allowed", f"{_ROLE_NAMES[role]}可提交此类邮件", role)
