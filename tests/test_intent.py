"""Specification of reading a department's answer (答复意图) and the office's commands."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinxiang.replies.intent import (
    OfficeCommand,
    ReplyIntent,
    find_date,
    parse_intent,
    parse_office_command,
    resolve_default_intent,
)
from xinxiang.replies.quotes import strip_quoted

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # No keyword: the whole answer is the text.
        ("经核实，已处理。", ReplyIntent(None, "经核实，已处理。")),
        ("", ReplyIntent(None, "")),
        # 受理, with or without a declared track.
        ("受理", ReplyIntent("accept", "")),
        ("受理。", ReplyIntent("accept", "")),
        (
            "受理。需本部门研究，预计12月20日前正式回复。",
            ReplyIntent(
                "accept",
                "需本部门研究，预计12月20日前正式回复。",
                track_declared=2,
                planned_formal_date=date(2026, 12, 20),
            ),
        ),
        ("受理，需学校层面研究。", ReplyIntent("accept", "需学校层面研究。", track_declared=3)),
        ("【受理】需学校研究", ReplyIntent("accept", "需学校研究", track_declared=3)),
        ("受理：需要本单位研究", ReplyIntent("accept", "需要本单位研究", track_declared=2)),
        # 初步回复 and the planned date of the formal reply.
        (
            "初步回复：已联系物业，预计12月20日前正式回复。",
            ReplyIntent(
                "preliminary",
                "已联系物业，预计12月20日前正式回复。",
                planned_formal_date=date(2026, 12, 20),
            ),
        ),
        (
            "【初步回复】正在核实，计划于2026-12-20答复。",
            ReplyIntent(
                "preliminary",
                "正在核实，计划于2026-12-20答复。",
                planned_formal_date=date(2026, 12, 20),
            ),
        ),
        (
            "初步回复:正在核实，将于1月5日给出结果。",
            ReplyIntent(
                "preliminary",
                "正在核实，将于1月5日给出结果。",
                planned_formal_date=date(2027, 1, 5),
            ),
        ),
        ("初步答复：正在核实。", ReplyIntent("preliminary", "正在核实。")),
        # 正式回复: keyword alone on its line, or inline; brackets and colons of both widths.
        ("正式回复：\n经核实，已处理。", ReplyIntent("formal", "经核实，已处理。")),
        ("正式回复:经核实，已处理。", ReplyIntent("formal", "经核实，已处理。")),
        ("【正式回复】经核实，已处理。", ReplyIntent("formal", "经核实，已处理。")),
        ("[正式回复] 经核实，已处理。", ReplyIntent("formal", "经核实，已处理。")),
        ("［正式回复］：经核实，已处理。", ReplyIntent("formal", "经核实，已处理。")),
        ("\ufeff  \n正式回复\n\n经核实。", ReplyIntent("formal", "经核实。")),
        ("正式答复：已处理。", ReplyIntent("formal", "已处理。")),
        # 退回 with its reason.
        (
            "退回：该事项属于研究生院职责范围。",
            ReplyIntent(
                "return", "该事项属于研究生院职责范围。", reason="该事项属于研究生院职责范围。"
            ),
        ),
        (
            "退回原因：不属于本部门。",
            ReplyIntent("return", "原因：不属于本部门。", reason="不属于本部门。"),
        ),
        ("退回", ReplyIntent("return", "", reason=None)),
        # 延期 with date and reason.
        (
            "延期：至2026-12-05，原因：需与施工方核实工期。",
            ReplyIntent(
                "extension",
                "至2026-12-05，原因：需与施工方核实工期。",
                extension_until=date(2026, 12, 5),
                reason="需与施工方核实工期。",
            ),
        ),
        (
            "延期至12月5日，原因：涉及校外供应商，需要协调。",
            ReplyIntent(
                "extension",
                "至12月5日，原因：涉及校外供应商，需要协调。",
                extension_until=date(2026, 12, 5),
                reason="涉及校外供应商，需要协调。",
            ),
        ),
        (
            "【延期】至２０２６年１２月５日前，需协调校外单位",
            ReplyIntent(
                "extension",
                "至２０２６年１２月５日前，需协调校外单位",
                extension_until=date(2026, 12, 5),
                reason="需协调校外单位",
            ),
        ),
        ("延期", ReplyIntent("extension", "")),
        # 协办结果.
        ("协办结果：已核对学籍信息。", ReplyIntent("cohandler_result", "已核对学籍信息。")),
        # Words that merely begin with a keyword are not keywords.
        ("受理时间为每周一。", ReplyIntent(None, "受理时间为每周一。")),
        ("退回的材料已补齐。", ReplyIntent(None, "退回的材料已补齐。")),
        ("延期付款问题已解决。", ReplyIntent(None, "延期付款问题已解决。")),
        ("关于正式回复：见附件。", ReplyIntent(None, "关于正式回复：见附件。")),
        # A track declaration outside 受理 is just prose.
        ("正式回复：此事需学校研究后决定。", ReplyIntent("formal", "此事需学校研究后决定。")),
    ],
)
def test_parse_intent(text: str, expected: ReplyIntent) -> None:
    assert parse_intent(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-05", date(2026, 12, 5)),
        ("2026/12/5", date(2026, 12, 5)),
        ("2026.12.05", date(2026, 12, 5)),
        ("2026年12月5日", date(2026, 12, 5)),
        ("２０２６－１２－０５", date(2026, 12, 5)),
        ("12月5日", date(2026, 12, 5)),
        ("12月5号", date(2026, 12, 5)),
        ("12月1日", date(2026, 12, 1)),  # today is the next occurrence of today
        ("11月30日", date(2027, 11, 30)),  # already past this year
        ("2月29日", date(2028, 2, 29)),  # no 29 February until 2028
        ("2026-02-30", None),
        ("12-05", None),  # a bare month-day pair with a dash is too ambiguous
        ("共3.5万元", None),
        ("无日期", None),
    ],
)
def test_find_date(text: str, expected: date | None) -> None:
    assert find_date(text, today=TODAY) == expected


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2098, 12, 31)), st.data())
def test_year_less_dates_are_the_next_occurrence(today: date, data: st.DataObject) -> None:
    # Within 364 days every month-day pair occurs once, so the next occurrence is the target.
    target = data.draw(st.dates(min_value=today, max_value=today + timedelta(days=364)))
    parsed = parse_intent(f"延期至{target.month}月{target.day}日，原因：协调。", today=today)
    assert parsed.extension_until == target


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_iso_extension_dates_round_trip(until: date) -> None:
    parsed = parse_intent(f"延期：至{until.isoformat()}，原因：等待审批。", today=TODAY)
    assert parsed == ReplyIntent(
        "extension",
        f"至{until.isoformat()}，原因：等待审批。",
        extension_until=until,
        reason="等待审批。",
    )


@given(st.text(max_size=200))
def test_parse_intent_never_raises(text: str) -> None:
    parsed = parse_intent(text, today=TODAY)
    assert len(parsed.text) <= len(text)


@pytest.mark.parametrize(
    ("parsed", "track", "has_preliminary", "expected"),
    [
        (None, 1, False, "formal"),
        (None, 1, True, "formal"),
        (None, 2, False, "preliminary"),
        (None, 2, True, "formal"),
        (None, 3, False, "preliminary"),
        (None, 3, True, "formal"),
        ("return", 1, False, "return"),
        ("formal", 2, False, "formal"),
        ("preliminary", 1, False, "preliminary"),
    ],
)
def test_resolve_default_intent(
    parsed: str | None, track: int, has_preliminary: bool, expected: str
) -> None:
    assert resolve_default_intent(parsed, track, has_preliminary) == expected


def test_resolve_default_intent_rejects_unknown_tracks() -> None:
    with pytest.raises(ValueError):
        resolve_default_intent(None, 4, False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("同意", OfficeCommand("approve")),
        ("同意。", OfficeCommand("approve")),
        ("【同意】\n王芳", OfficeCommand("approve")),
        ("  同意，请发送。", OfficeCommand("approve")),
        ("驳回：请补充处理依据。", OfficeCommand("reject", reason="请补充处理依据。")),
        ("驳回:答复过于简单", OfficeCommand("reject", reason="答复过于简单")),
        (
            "修改：\n来信人您好：\n经核实，已处理。",
            OfficeCommand("edit", text="来信人您好：\n经核实，已处理。"),
        ),
        ("修改：经核实，已处理。", OfficeCommand("edit", text="经核实，已处理。")),
    ],
)
def test_parse_office_command(text: str, expected: OfficeCommand) -> None:
    assert parse_office_command(text) == expected


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("驳回", "reject"),
        ("驳回：", "reject"),
        ("修改：", "edit"),
        ("不同意", None),
        ("同意公开吗？", None),
        ("", None),
        ("收到", None),
    ],
)
def test_incomplete_office_commands_explain_the_problem(text: str, command: str | None) -> None:
    parsed = parse_office_command(text)
    assert parsed.command == command
    assert parsed.problem
    assert parsed.reason is None and parsed.text is None


# --- a whole reply, as received: quotes stripped, then read ----------------------------------

FIXTURES = Path(__file__).parent / "data" / "replies"


@pytest.mark.parametrize(
    ("fixture", "intent", "track", "until", "planned"),
    [
        ("qq_mail.txt", "accept", 2, None, date(2026, 12, 20)),
        ("gmail_zh.txt", "accept", 3, None, None),
        ("coremail_fullwidth.txt", "preliminary", None, None, date(2026, 12, 20)),
        ("foxmail.txt", "preliminary", None, None, date(2026, 12, 15)),
        ("coremail.txt", "formal", None, None, None),
        ("outlook_html_only.html", "formal", None, None, None),
        ("outlook_zh.txt", "return", None, None, None),
        ("outlook_zh_fullwidth.txt", "extension", None, date(2026, 12, 5), None),
        ("netease_163.txt", "extension", None, date(2026, 12, 5), None),
        ("apple_mail_zh.txt", "cohandler_result", None, None, None),
        ("english_outlook.txt", None, None, None, None),
    ],
)
def test_received_replies_read_as(
    fixture: str, intent: str | None, track: int | None, until: date | None, planned: date | None
) -> None:
    raw = (FIXTURES / fixture).read_text(encoding="utf-8")
    text = strip_quoted("", html=raw) if fixture.endswith(".html") else strip_quoted(raw)
    parsed = parse_intent(text, today=TODAY)
    assert (parsed.intent, parsed.track_declared) == (intent, track)
    assert (parsed.extension_until, parsed.planned_formal_date) == (until, planned)
    assert "原始邮件" not in parsed.text and "写道" not in parsed.text
