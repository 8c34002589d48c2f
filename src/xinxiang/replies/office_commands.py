"""The office's ticket commands by mail (党政办公室邮件指令): what a reply from the office asks for.

At the very start of its reply (full-width or half-width colon, optional 【】):

* ``转办：教务处`` or ``转办：jwc，原因：……`` — dispatch a ticket from triage, or transfer
  (改派) a dispatched one; a transfer needs a reason. ``改派`` is read the same way.
* ``协办：财务处、保卫处`` — add co-handling departments.
* ``同意延期`` (optionally ``同意延期至12月5日``) — approve the pending extension request.
* ``不同意延期：理由`` — refuse it; the reason is required.
* ``保留 3`` or ``保留：3、5`` — the public text keeps the numbered redaction marks visible.
* ``隐去：张老师、13912345678`` — the public text hides these too.

Departments are returned as written (Chinese name or code); the service resolves them. Only
the first paragraph is read, so a signature below a blank line is never taken for a reason.
The approval answers 同意 / 驳回 / 修改 are read by :func:`xinxiang.replies.intent.
parse_office_command`; :func:`parse_office_mail_command` returns None for them. Pure functions,
standard library only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from xinxiang.replies.intent import find_date

__all__ = ["OFFICE_MAIL_HELP", "OfficeMailAction", "OfficeMailCommand", "parse_office_mail_command"]

OfficeMailAction = Literal[
    "route", "cohandlers", "extension_approve", "extension_refuse", "redact_lift", "redact_add"
]

OFFICE_MAIL_HELP = (
    "回复本邮件即可办理，在正文开头写：转办：教务处（改派须加“，原因：……”）/ "
    "协办：财务处、保卫处 / 同意延期 / 不同意延期：原因 / 保留 3（公开时不隐去第3处）/ "
    "隐去：张老师（公开时另行隐去）"
)

_KEYWORDS: dict[str, OfficeMailAction] = {
    "转办": "route",
    "改派": "route",
    "协办": "cohandlers",
    "同意延期": "extension_approve",
    "准予延期": "extension_approve",
    "不同意延期": "extension_refuse",
    "不予延期": "extension_refuse",
    "驳回延期": "extension_refuse",
    "保留": "redact_lift",
    "取消隐去": "redact_lift",
    "隐去": "redact_add",
}
_OPEN = "【\\[［〔(（「"
_CLOSE = "】\\]］〕)）」"
_PUNCT = ":：,，;；.。、!！"
_ALTERNATION = "|".join(sorted(_KEYWORDS, key=len, reverse=True))
# A keyword counts only when a delimiter follows, so 协办结果 (a co-handler's report) and prose
# such as "转办流程……" are not commands; 至/给 allow "转办给教务处", "同意延期至12月5日".
_COMMAND_RE = re.compile(
    rf"^[{_OPEN}]?\s*(?P<keyword>{_ALTERNATION})(?=$|\s|\d|[{_PUNCT}{_CLOSE}]|至|给)\s*[{_CLOSE}]?"
)
_LEADING_NOISE = "\ufeff\u200b\u200c\u200d \t\r\n\u3000\u00a0"
_SEPARATORS = _PUNCT + " \t\u3000"
# 原因/理由 starts the reason only after a separator, so "请说明理由" inside a reason is text.
_REASON_RE = re.compile(r"(?:^|(?<=[，,;；。\s]))(?:原因|理由)\s*[:：]?\s*")
_PARAGRAPH_END = re.compile(r"\n[ \t\u3000\u00a0]*\n")
_DEPT_SPLIT = re.compile(r"[、，,;；/／\s]+")
_ROUTE_SPLIT = re.compile(r"[，,;；。\s]+")
_MARKS_SPLIT = re.compile(r"[、，,;；/／\s第处]+")
_TERMS_SPLIT = re.compile(r"[、，,;；\n]+")


@dataclass(frozen=True, slots=True)
class OfficeMailCommand:
    """One command of the office's reply.

    ``departments`` holds the target (``route``) or the co-handlers (``cohandlers``) as written;
    ``reason`` the transfer or refusal reason; ``until`` an explicit extension date;
    ``marks`` the numbered redactions to keep (``redact_lift``), ``terms`` what to hide
    besides (``redact_add``);
    ``problem`` explains in Chinese why the command cannot be carried out as written.
    """

    action: OfficeMailAction
    departments: tuple[str, ...] = ()
    reason: str | None = None
    until: date | None = None
    problem: str | None = None
    marks: tuple[int, ...] = ()
    terms: tuple[str, ...] = ()


def _clean(text: str) -> str | None:
    cleaned = text.strip().strip(_SEPARATORS).strip()
    return cleaned or None


def _split_reason(rest: str) -> tuple[str, str | None]:
    marker = _REASON_RE.search(rest)
    if marker is None:
        return rest, None
    return rest[: marker.start()], _clean(rest[marker.end() :])


def parse_office_mail_command(text: str, *, today: date) -> OfficeMailCommand | None:
    """Read a ticket command from the start of the office's (quote-stripped) reply.

    Returns None when the reply starts with none of 转办 / 改派 / 协办 / 同意延期 / 不同意延期 /
    保留 / 隐去.
    A date without a year means its next occurrence on or after ``today``.
    """
    body = text.lstrip(_LEADING_NOISE).rstrip()
    match = _COMMAND_RE.match(body)
    if match is None:
        return None
    action = _KEYWORDS[match.group("keyword")]
    rest = _PARAGRAPH_END.split(body[match.end() :], maxsplit=1)[0]
    rest = rest.lstrip(_SEPARATORS).removeprefix("至").removeprefix("给").strip()
    if action == "route":
        head, reason = _split_reason(rest)
        words = [w for w in _ROUTE_SPLIT.split(head.strip()) if w]
        if not words:
            return OfficeMailCommand(
                action, problem="转办须写明单位，例如“转办：教务处”或“转办：jwc，原因：……”。"
            )
        if reason is None and len(words) > 1:
            # "转办：教务处，属教学安排": whatever follows the department is the reason.
            reason = _clean(head.strip()[len(words[0]) :])
        return OfficeMailCommand(action, departments=(words[0],), reason=reason)
    if action == "redact_lift":
        words = [w for w in _MARKS_SPLIT.split(rest) if w]
        if not words or not all(w.isdigit() for w in words):
            return OfficeMailCommand(
                action, problem="保留须写明标记编号，例如“保留 3”或“保留 3、5”。"
            )
        return OfficeMailCommand(action, marks=tuple(dict.fromkeys(int(w) for w in words)))
    if action == "redact_add":
        terms = tuple(dict.fromkeys(t.strip() for t in _TERMS_SPLIT.split(rest) if t.strip()))
        if not terms:
            return OfficeMailCommand(action, problem="隐去须写明文字，例如“隐去：张老师”。")
        return OfficeMailCommand(action, terms=terms)
    if action == "cohandlers":
        head, _ = _split_reason(rest)
        names = tuple(dict.fromkeys(w for w in _DEPT_SPLIT.split(head.strip()) if w))
        if not names:
            return OfficeMailCommand(action, problem="协办须写明单位，例如“协办：财务处、保卫处”。")
        return OfficeMailCommand(action, departments=names)
    until = find_date(rest, today=today)
    _, reason = _split_reason(rest)
    if reason is None and until is None:
        reason = _clean(rest)
    if action == "extension_refuse" and reason is None:
        return OfficeMailCommand(
            action, until=until, problem="不同意延期须写明原因，例如“不同意延期：请按原时限办结”。"
        )
    return OfficeMailCommand(action, reason=reason, until=until)
