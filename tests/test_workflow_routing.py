"""Routing a new ticket as a workflow decision: the classification's facts → one command.

Each row names the seed rule it follows (shared/seeds: 000 山东农业工程学院, 001 北京农学院,
002 中国劳动关系学院, 004 北京教育学院). The command is then decided on a new ticket like any
other; the rows show both what routing picks and what the ticket becomes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from workflow_helpers import JWC, S, change, event_kinds, kinds, ticket
from xinxiang.domain.workflow import (
    Classified,
    Close,
    Flood,
    HoldForTriage,
    Route,
    after_classification,
)

BASE = Classified(actor="system", disposition="dispatch", office="dzb", department=JWC)
FLOOD = Flood("a@example.edu.cn", earlier=5, cap=5)  # the sixth letter this hour, cap five
CALM = Flood("a@example.edu.cn", earlier=4, cap=5)

# (case, seed, facts, command, status after, events, notices)
# fmt: off
ROUTINGS: list[tuple[str, str, dict[str, Any], Any, S, list[str], list[str]]] = [
    ("confident: dispatched", "004 第五、六条: 一个自然日内转办", {},
     Route("system", JWC), S.DISPATCHED, ["dispatched"], ["dispatch"]),
    ("under the flood cap: dispatched", "004 第五条", {"flood": CALM},
     Route("system", JWC), S.DISPATCHED, ["dispatched"], ["dispatch"]),
    ("first past the flood cap: held, the office told", "004 第五条: 人工分办",
     {"flood": FLOOD}, HoldForTriage("system", FLOOD.reason, flood=FLOOD),
     S.TRIAGE, ["triage"], ["office_flag"]),
    ("further past the cap: held, no more mail", "004 第五条",
     {"flood": replace(FLOOD, earlier=7)},
     HoldForTriage("system", replace(FLOOD, earlier=7).reason, flood=replace(FLOOD, earlier=7)),
     S.TRIAGE, ["triage"], []),
    ("emergency past the cap: dispatched all the same", "001 三级响应: 紧急即办",
     {"flood": FLOOD, "emergency": True, "auto_dispatch": False},
     Route("system", JWC), S.DISPATCHED, ["dispatched"], ["dispatch"]),
    ("repeat of an earlier letter: closed as duplicate", "002 第九条4; 004 第八条(二)",
     {"earlier": "2026-000100"}, Close("system", "duplicate", earlier="2026-000100"),
     S.CLOSED, ["duplicate_linked", "duplicate_received"], ["duplicate_notice"]),
    ("emergency repeat: dispatched, not merged", "001 三级响应",
     {"earlier": "2026-000100", "emergency": True},
     Route("system", JWC), S.DISPATCHED, ["dispatched"], ["dispatch"]),
    ("legal channel: template answer", "000 二(一); 004 第八条(一)",
     {"disposition": "legal_channel"}, Close("system", "legal_channel"),
     S.CLOSED, ["closed_by_template"], ["legal_channel"]),
    ("illegal: template answer, office flag", "000 二(二); 004 第八条(五)",
     {"disposition": "illegal"}, Close("system", "illegal"),
     S.CLOSED, ["closed_by_template"], ["illegal", "office_flag"]),
    ("praise: forwarded to its department", "001 五.4",
     {"disposition": "praise"}, Close("system", "praise", "jwc"),
     S.CLOSED, ["praise_forwarded"], ["praise_forward"]),
    ("praise of no department: to the office", "001 五.4",
     {"disposition": "praise", "department": None}, Close("system", "praise", "dzb"),
     S.CLOSED, ["praise_forwarded"], ["praise_forward"]),
    ("office confirms first: held", "004 第五条: 党政办公室确认后转办",
     {"auto_dispatch": False}, HoldForTriage("system", "按配置须经党政办公室确认后转办"),
     S.TRIAGE, ["triage"], []),
    ("emergency: dispatched without confirmation", "001 三级响应",
     {"auto_dispatch": False, "emergency": True}, Route("system", JWC),
     S.DISPATCHED, ["dispatched"], ["dispatch"]),
    ("confidential: the office routes by hand", "004: 身份保密",
     {"confidential": "请保密"},
     HoldForTriage("system", "来信人要求身份保密（“请保密”），须经党政办公室人工分办"),
     S.TRIAGE, ["triage"], []),
    ("web letter, contact never confirmed: held", "issue 14: 确认邮箱后转办",
     {"unconfirmed_contact": True},
     HoldForTriage("system", "网上来信的联系邮箱逾期未确认，须经党政办公室人工分办"),
     S.TRIAGE, ["triage"], []),
    ("web letter unconfirmed but an emergency: dispatched", "001 三级响应",
     {"unconfirmed_contact": True, "emergency": True}, Route("system", JWC),
     S.DISPATCHED, ["dispatched"], ["dispatch"]),
    ("unsure classification: held", "004 第五条",
     {"disposition": "triage", "department": None},
     HoldForTriage("system", "无把握的分类，等待党政办公室人工分办"), S.TRIAGE, ["triage"], []),
    ("dispatch without a department: held", "004 第五条",
     {"department": None}, HoldForTriage("system", "按配置须经党政办公室确认后转办"),
     S.TRIAGE, ["triage"], []),
]
# fmt: on


@pytest.mark.parametrize(
    ("case", "seed", "facts", "command", "status", "events", "notices"),
    ROUTINGS,
    ids=[row[0] for row in ROUTINGS],
)
def test_routing_decides_one_command(
    case: str,
    seed: str,
    facts: dict[str, Any],
    command: Any,
    status: S,
    events: list[str],
    notices: list[str],
) -> None:
    picked = after_classification(replace(BASE, **facts))
    assert picked == command
    c = change(ticket(S.RECEIVED), picked)
    assert c.after.status is status
    assert event_kinds(c) == events
    assert kinds(c) == notices


def test_a_flood_is_flagged_and_logged_as_one() -> None:
    # Seed 004 第五条: the office reviews a flood by hand; it is told once, with the count.
    c = change(ticket(S.RECEIVED), HoldForTriage("system", FLOOD.reason, flood=FLOOD))
    assert c.after.flagged
    assert c.events[0].fields == {
        "reason": "同一来信人一小时内第 6 封来信，超过 5 封，转党政办公室人工分办",
        "flood": True,
    }
    assert c.notices[0].data == {"flood": {"address": "a@example.edu.cn", "count": 6, "cap": 5}}


def test_a_triage_records_its_details() -> None:
    held = HoldForTriage("system", "无把握", details={"suggestion": {"department": "jwc"}})
    c = change(ticket(S.RECEIVED), held)
    assert not c.after.flagged
    assert c.events[0].fields == {"reason": "无把握", "suggestion": {"department": "jwc"}}
