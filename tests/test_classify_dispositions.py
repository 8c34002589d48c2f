"""Specification of the dispositions (处置方式) per seed 004 第八条 and seed 002 第九条.

Each decision names the seed rule it follows in its explanation, so the office can check it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from xinxiang.classify.engine import classify
from xinxiang.classify.rules import RuleSet, load_rules_for
from xinxiang.config import load_config

RULES: RuleSet = load_rules_for(load_config(Path(__file__).resolve().parents[1] / "config"))


@pytest.mark.parametrize(
    ("text", "disposition", "department", "basis"),
    [
        # 004 第八条(一): already in, or belonging to, a legal procedure
        ("我已经向区法院提起诉讼，案件已进入审理程序", "legal_channel", "dzb", "004第八条(一)"),
        ("我已申请劳动人事争议仲裁，仲裁庭下周开庭", "legal_channel", "dzb", "004第八条(一)"),
        ("对处分决定不服，已申请行政复议", "legal_channel", "dzb", "004第八条(一)"),
        ("根据政府信息公开条例，申请公开学校预算执行情况", "legal_channel", "dzb", "004第八条(一)"),
        ("此事纪委已经在调查了，我想再反映一下进展", "legal_channel", "dzb", "004第八条(一)"),
        ("此事已向市信访局反映过", "legal_channel", "dzb", "004第八条(一)"),
        # seed 001: a report of misconduct goes to 纪委办公室, it is not a legal channel
        ("我要举报经济学院的王老师，他评奖学金时收受学生红包", "dispatch", "jiwei", "001"),
        ("实名举报某科长利用职权在招标中收取回扣", "dispatch", "jiwei", "001"),
        ("学院某领导长期虚报加班费套取经费", "dispatch", "jiwei", "001"),
        # 004 第八条(五): illegal requests, insults, advertising — the office confirms first
        ("你们这些傻逼领导，什么事都不干，去死吧", "illegal", "dzb", "004第十条(三)"),
        ("妈的，这破学校什么都管不好", "illegal", "dzb", "004第八条(五)"),
        ("专业代写论文，包过，价格优惠，加微信欢迎咨询", "illegal", "dzb", "004第八条(五)"),
        ("提供四六级代考服务，保过，联系qq号123456", "illegal", "dzb", "004第八条(五)"),
        ("兼职日结工资，刷单返利，点击链接即可领取", "illegal", "dzb", "004第八条(五)"),
        ("能不能帮我找人代考英语六级？", "illegal", "dzb", "004第八条(五)"),
        # praise, in Chinese and in English
        ("特此表扬宿舍楼的宿管阿姨，认真负责", "praise", "hqc", "表扬"),
        (
            "I would like to thank the academic affairs office for fixing my course selection.",
            "praise",
            "jwc",
            "表扬",
        ),
        ("Many thanks to the library staff, great job!", "praise", "tsg", "表扬"),
        # 002 第九条: dispatched by duty, with a track
        ("宿舍空调坏了两周了，希望尽快维修，非常感谢！", "dispatch", "hqc", "002第九条"),
        ("听说有人在做代考生意，希望学校严查考场纪律", "dispatch", "jwc", "002第九条"),
        (
            "收到诈骗邮件让我点击链接领奖学金，差点被骗，希望学校提醒大家",
            "dispatch",
            "bwc",
            "002第九条",
        ),
        # 004 第五条: nobody obviously responsible → the office routes by hand
        ("您好，请问我应该找谁？", "triage", "dzb", "004第五条"),
    ],
)
def test_dispositions_name_their_seed_rule(
    text: str, disposition: str, department: str, basis: str
) -> None:
    c = classify("", text, (), RULES)
    assert (c.disposition, c.department_code) == (disposition, department)
    assert basis in c.explanation[-1]
    assert c.urgency in ("normal", "priority")


def test_a_lone_swear_word_in_a_complaint_is_still_dispatched() -> None:
    c = classify("", "宿舍他妈的三天没有热水了，请尽快修", (), RULES)
    assert (c.disposition, c.department_code) == ("dispatch", "hqc")


def test_the_explanation_names_the_rules_behind_an_office_disposition() -> None:
    c = classify("", "我已经申请劳动仲裁", (), RULES)
    assert "legal-channel" in c.explanation[-1]
