"""Who may do what on a ticket by mail (答复权限): the decision, without any I/O.

* The assigned department's registered addresses may answer their own ticket (受理, 初步回复,
  正式回复, 退回, 延期).
* Co-handlers (协办部门) may only send 协办结果.
* The petitioner may only send follow-ups (补充来信) on their own ticket.
* The office's registered addresses (党政办公室) may only send office commands: approval
  (同意 / 驳回 / 修改) and dispatch actions (转办 / 协办 / 同意延期 / 不同意延期).

Everything else goes to the holding pen (待甄别) with a reason for the office, and never changes
the ticket. A From header proves nothing, so a staff action (department, co-handler, office) is
allowed only with proof: the mail must carry a valid signed reply token for this ticket *and*
the deployment's own receiving server must have authenticated the sender
(:mod:`xinxiang.replies.authres`). A missing or untrusted Authentication-Results is never a
pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Literal

from xinxiang.replies.authres import AuthVerdict

__all__ = [
    "ACTIONS",
    "Action",
    "Decision",
    "MailProof",
    "Participants",
    "Role",
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


@dataclass(frozen=True, slots=True)
class MailProof:
    """What a mail proves about itself (邮件凭证), beyond its From header.

    ``token`` is True when the mail was addressed to a valid signed reply token of the very
    ticket it acts on; ``token_role`` is the role that token was issued for (None: any role, as
    for a confirmed mail); ``authentication`` is the receiving server's verdict on the sender.
    """

    token: bool
    authentication: AuthVerdict
    token_role: str | None = None


NO_PROOF = MailProof(False, AuthVerdict(False, "邮件没有任何认证凭证"))


def authorize(
    sender: str, ticket_participants: Participants, action: str, proof: MailProof = NO_PROOF
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
        # Staff actions change the ticket: the From header alone never authorises them.
        if not proof.token:
            return Decision(
                False,
                "no-token",
                f"发件人 {address} 的邮件没有发往本工单有效的回复令牌地址"
                "（仅凭工单号、主题或邮件引用不能办理），请直接回复系统发出的邮件",
                role,
            )
        if proof.token_role is not None and proof.token_role != role:
            holder = next((n for r, n in _ROLE_NAMES.items() if r == proof.token_role), "其他人")
            return Decision(
                False,
                "token-role-mismatch",
                f"发件人 {address} 使用的回复地址是发给{holder}的，"
                f"不能用于{_ROLE_NAMES[role]}的办理",
                role,
            )
        if not proof.authentication.passed:
            return Decision(
                False,
                "not-authenticated",
                f"发件人 {address} 的身份未经本校收信服务器认证：{proof.authentication.reason}",
                role,
            )
    return Decision(True, f"{role}-allowed", f"{_ROLE_NAMES[role]}可提交此类邮件", role)
