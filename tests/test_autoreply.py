"""Specification of out-of-office notes that look like answers: recognised, never answers."""

from __future__ import annotations

import pytest

from xinxiang.replies.autoreply import out_of_office_phrase
from xinxiang.replies.confirm import is_confirmation_answer


@pytest.mark.parametrize(
    "text",
    [
        "您好，本人休假中，12月10日返校后回复。",
        "您好！我正在休假中，如有急事请联系王老师。",
        "本人目前出差，暂时无法及时回复邮件，敬请谅解。",
        "本人现不在办公室，返岗后尽快处理。",
        "休假期间无法及时回复，请谅解。",
        "【自动回复】您的邮件已收到。",
        "這是自動回覆：本人休假中。",
        "您好，本邮件为系统自动发送，请勿回复。",
        "暂时无法回复您的邮件，返校后再联系。",
        "I am out of the office until 10 December with limited access to email.",
        "Automatic reply: Thank you for your message.",
        "I am currently on annual leave and will respond when I return.",
        "Hi, I'm on leave until Monday.",
    ],
)
def test_out_of_office_notes_are_recognised(text: str) -> None:
    assert out_of_office_phrase(text)
    assert not is_confirmation_answer("确认\n" + text)


@pytest.mark.parametrize(
    "text",
    [
        "正式回复：经核查，12号楼热水系统循环泵故障，已于今日修复。",
        "受理。我处工作人员已外出核查现场，明天给出初步答复。",
        "延期：至2026-12-20，原因：该教师休假中，需待其返校后核实。",
        "退回：该事项属教务处职责。",
        "同意",
        "已处理，学生反映的自动售货机故障已报修。",
        "The heating was fixed this morning; the student's complaint about the auto-reply "
        "of the library system has been passed on.",
        "确认",
    ],
)
def test_answers_are_not_taken_for_out_of_office_notes(text: str) -> None:
    assert out_of_office_phrase(text) is None


def test_only_the_first_lines_count() -> None:
    answer = "正式回复：\n经核查已修复。\n维修记录见附件。\n如有问题请联系。\n后勤管理处\n"
    quoted = answer + "> 本人休假中（引用的旧邮件）"
    assert out_of_office_phrase(quoted) is None
