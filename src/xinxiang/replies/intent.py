"""What a department's answer means, read from the keyword it starts with (答复意图).

A department starts its answer with one keyword — 受理 (accepted, optionally declaring
需本部门研究 → track 2 or 需学校研究 → track 3), 初步回复 (preliminary reply, may state when the
formal one will come), 正式回复 (formal reply), 退回 (return to the office, with a reason), 延期
(extension: ``延期：至2026-12-05，原因：…``) or 协办结果 (a co-handler's result). Without a
keyword, :func:`resolve_default_intent` decides from the ticket's track.

The office answers an approval mail with 同意 (approve), ``驳回：理由`` (reject) or ``修改：``
followed by the edited text (approve as edited); :func:`parse_office_command` reads those.

Full-width and half-width colons and brackets (``【正式回复】``) are accepted. Dates without a
year mean their next occurrence on or after ``today``. Pure functions, standard library only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

__all__ = [
    "Intent",
    "OfficeCommand",
    "ReplyIntent",
    "find_date",
    "parse_intent",
    "parse_office_command",
    "resolve_default_intent",
]

Intent = Literal["accept", "preliminary", "formal", "return", "extension", "cohandler_result"]

_KEYWORDS: dict[str, Intent] = {
    "受理": "accept",
    "初步回复": "preliminary",
    "初步答复": "preliminary",
    "正式回复": "formal",
    "正式答复": "formal",
    "退回": "return",
    "延期": "extension",
    "协办结果": "cohandler_result",
    "协办意见": "cohandler_result",
}

_OPEN = "【\\[［〔(（「"
_CLOSE = "】\\]］〕)）」"
_PUNCT = ":：,，;；.。、!！"
# Longest keywords first so 初步回复 is not read as something shorter.
_KEYWORD_ALTERNATION = "|".join(sorted(_KEYWORDS, key=len, reverse=True))
# A keyword counts only at the very start and only when followed by a delimiter, so an answer
# beginning "受理时间为…" or "退回的材料…" is not misread.
_KEYWORD_RE = re.compile(
    rf"^[{_OPEN}]?\s*(?P<keyword>{_KEYWORD_ALTERNATION})"
    rf"(?=$|\s|[{_PUNCT}{_CLOSE}]|至|原因)\s*[{_CLOSE}]?"
)
_LEADING_NOISE = "\ufeff\u200b\u200c\u200d \t\r\n\u3000\u00a0"
_SEPARATORS = _PUNCT + " \t\u3000"

_DATE_RE = re.compile(
    r"(?<!\d)(?P<year>\d{4})\s*[-/.年－／．]\s*(?P<month>\d{1,2})\s*[-/.月－／．]\s*"
    r"(?P<day>\d{1,2})(?!\d)\s*[日号]?"
    r"|(?<!\d)(?P<month2>\d{1,2})\s*月\s*(?P<day2>\d{1,2})\s*[日号]"
)
_PLANNED_RE = re.compile(r"(预计|计划|拟|将|争取|力争)[^。；;\n]{0,4}?(?=\d)")
_REASON_RE = re.compile(r"原因\s*[:：]?\s*")

_TRACK_2 = re.compile(r"需要?(本部门|本单位|部门内部?|本处|本院)(层面)?(研究|研判|协调|会商)")
_TRACK_3 = re.compile(r"需要?(学校|校级|校领导|全校)(层面)?(研究|研判|决策|协调|会商)")


@dataclass(frozen=True, slots=True)
class ReplyIntent:
    """The reading of a department's answer.

    ``intent`` is None when the answer starts with no keyword. ``track_declared`` is 2 or 3
    when a 受理 declares 需本部门研究 / 需学校研究. ``extension_until`` is the date a 延期 asks
    for, ``planned_formal_date`` the announced date of the formal reply, ``reason`` the reason
    of a 退回 or 延期, and ``text`` the answer without its keyword.
    """

    intent: Intent | None
    text: str
    track_declared: int | None = None
    extension_until: date | None = None
    planned_formal_date: date | None = None
    reason: str | None = None


def _resolve(year: int | None, month: int, day: int, today: date) -> date | None:
    if year is not None:
        try:
            return date(year, month, day)
        except ValueError:
            return None
    # 29 February recurs within four years (eight across a skipped century leap year).
    for candidate_year in range(today.year, today.year + 9):
        try:
            candidate = date(candidate_year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


def _dates(text: str, today: date) -> list[tuple[date, re.Match[str]]]:
    found = []
    for match in _DATE_RE.finditer(text):
        if match.group("year") is not None:
            value = _resolve(
                int(match.group("year")), int(match.group("month")), int(match.group("day")), today
            )
        else:
            value = _resolve(None, int(match.group("month2")), int(match.group("day2")), today)
        if value is not None:
            found.append((value, match))
    return found


def find_date(text: str, *, today: date) -> date | None:
    """Return the first valid date in ``text`` (``2026-12-05``, ``2026年12月5日``, ``12月5日``).

    A date without a year is its next occurrence on or after ``today``.
    """
    found = _dates(text, today)
    return found[0][0] if found else None


def _planned_formal_date(text: str, today: date) -> date | None:
    for trigger in _PLANNED_RE.finditer(text):
        match = _DATE_RE.match(text, trigger.end())
        if match is None:
            continue
        found = _dates(match.group(0), today)
        if found:
            return found[0][0]
    return None


def _declared_track(text: str) -> int | None:
    if _TRACK_3.search(text):
        return 3
    if _TRACK_2.search(text):
        return 2
    return None


def _clean(text: str) -> str | None:
    cleaned = text.lstrip(_SEPARATORS).strip()
    return cleaned or None


def _extension(rest: str, today: date) -> tuple[date | None, str | None]:
    found = _dates(rest, today)
    until = found[0][0] if found else None
    reason_marker = _REASON_RE.search(rest)
    if reason_marker is not None:
        return until, _clean(rest[reason_marker.end() :])
    if found:
        # "延期至12月5日，需协调校外单位": whatever follows the date is the reason.
        after = rest[found[0][1].end() :]
        return until, _clean(after.removeprefix("前").removeprefix("之前"))
    return until, None


def parse_intent(text: str, *, today: date) -> ReplyIntent:
    """Read the intent of a department's answer (already stripped of quotes and signature)."""
    body = text.lstrip(_LEADING_NOISE).rstrip()
    match = _KEYWORD_RE.match(body)
    if match is None:
        return ReplyIntent(
            intent=None, text=body, planned_formal_date=_planned_formal_date(body, today)
        )
    intent = _KEYWORDS[match.group("keyword")]
    rest = body[match.end() :].lstrip(_SEPARATORS).strip()
    if intent == "accept":
        return ReplyIntent(
            intent=intent,
            text=rest,
            track_declared=_declared_track(rest),
            planned_formal_date=_planned_formal_date(rest, today),
        )
    if intent == "preliminary":
        return ReplyIntent(
            intent=intent, text=rest, planned_formal_date=_planned_formal_date(rest, today)
        )
    if intent == "extension":
        until, reason = _extension(rest, today)
        return ReplyIntent(intent=intent, text=rest, extension_until=until, reason=reason)
    if intent == "return":
        reason_marker = _REASON_RE.match(rest)
        reason = rest[reason_marker.end() :] if reason_marker else rest
        return ReplyIntent(intent=intent, text=rest, reason=_clean(reason))
    return ReplyIntent(intent=intent, text=rest)


def resolve_default_intent(parsed_intent: str | None, track: int, has_preliminary: bool) -> str:
    """Return the intent to record: the parsed keyword, or the default for the ticket's track.

    Without a keyword an answer is the formal reply on track 1; on tracks 2 and 3 it is the
    preliminary reply if none was given yet, else the formal one.
    """
    if parsed_intent is not None:
        return parsed_intent
    if track == 1:
        return "formal"
    if track in (2, 3):
        return "formal" if has_preliminary else "preliminary"
    raise ValueError(f"unknown track: {track!r}")


# --- office commands -------------------------------------------------------------------------

OfficeAction = Literal["approve", "reject", "edit"]

_OFFICE_RE = re.compile(
    rf"^[{_OPEN}]?\s*(?P<keyword>同意|驳回|修改)(?=$|\s|[{_PUNCT}{_CLOSE}])\s*[{_CLOSE}]?"
)
_OFFICE_ACTIONS: dict[str, OfficeAction] = {"同意": "approve", "驳回": "reject", "修改": "edit"}


@dataclass(frozen=True, slots=True)
class OfficeCommand:
    """The office's answer to an approval mail.

    ``command`` is ``approve`` (同意), ``reject`` (驳回, with ``reason``), ``edit`` (修改, with the
    edited answer in ``text``; approve as edited) or None when none was recognised.
    ``problem`` explains, in Chinese for the office, why a command cannot be carried out.
    """

    command: OfficeAction | None
    reason: str | None = None
    text: str | None = None
    problem: str | None = None


def parse_office_command(text: str) -> OfficeCommand:
    """Read 同意 / 驳回：理由 / 修改：新文本 from the start of the office's (stripped) reply."""
    body = text.lstrip(_LEADING_NOISE).rstrip()
    match = _OFFICE_RE.match(body)
    if match is None:
        return OfficeCommand(
            None, problem="未识别到指令：请在回复开头写“同意”、“驳回：理由”或“修改：修改后的答复”。"
        )
    action = _OFFICE_ACTIONS[match.group("keyword")]
    rest = body[match.end() :].lstrip(_SEPARATORS)
    if action == "approve":
        return OfficeCommand("approve")
    if action == "reject":
        reason = _clean(rest)
        if reason is None:
            return OfficeCommand("reject", problem="驳回须写明理由，例如“驳回：请补充处理依据”。")
        return OfficeCommand("reject", reason=reason)
    edited = rest.strip("\r\n").strip()
    if not edited:
        return OfficeCommand("edit", problem="修改须在“修改：”后附上修改后的完整答复。")
    return OfficeCommand("edit", text=edited)
