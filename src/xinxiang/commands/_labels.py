"""Chinese names for the codes the CLI shows: statuses (状态), departments (承办单位), urgency
(紧急程度), tracks (办理类别), event kinds (办理记录) and mails (邮件).

The office reads 已转办, 后勤管理处, 一般 — never `dispatched`, `hqc`, `normal`. Statuses are
accepted by their Chinese name as well as by their English code wherever a command takes one.
"""

from __future__ import annotations

from xinxiang.config import Config
from xinxiang.domain.states import STATUS_LABELS, TicketStatus
from xinxiang.errors import XinxiangError
from xinxiang.handlers.documents import EVENT_LABELS as RECORD_EVENT_LABELS
from xinxiang.handlers.documents import URGENCY_LABELS

TRACK_LABELS = {1: "第1类（能够解决）", 2: "第2类（需本部门研究）", 3: "第3类（需学校层面研究）"}

EVENT_LABELS: dict[str, str] = {
    **RECORD_EVENT_LABELS,
    "received": "登记来信",
    "transferred": "改派",
    "cohandlers_added": "增加协办单位",
    "duplicate_received": "收到重复来信",
    "letter_edited": "修改来信",
    "extension_approved": "同意延期",
    "extension_refused": "不同意延期",
    "record_generated": "生成处理单",
    "accept": "受理",
    "notice_reminder": "办理提醒",
    "notice_overdue": "逾期警示",
    "notice_escalation": "督办",
    "notice_progress": "阶段性进展提醒",
    "mail_queued": "邮件待发",
    "mail_sent": "邮件已发出",
    "mail_failed": "邮件发送失败",
    "mail_bounced": "邮件被退回",
    "mail_skipped": "邮件未发（无有效收件人）",
    "mail_rate_limited": "邮件未发（超过频率限制）",
    "revisit_sent": "回访（请来信人评价）",
    "revisit_reminded": "提醒评价",
    "revisit_rated": "来信人评价",
    "revisit_skipped": "不予回访",
    "revisit_refused": "来信人表示不需要回访",
    "revisit_unrated": "未评价",
    "rework_requested": "发回重办",
    "rework_dispatched": "重新转办（重办）",
    "supervised": "督办（再次不满意）",
    "instruction_recorded": "录入领导批示",
    "settled": "销账",
}

MAIL_KIND_LABELS = {
    "ack": "受理回执",
    "answer": "答复来信人",
    "answer_copy": "答复抄送",
    "revisit": "回访（满意度评价）",
    "rework": "发回重办通知",
    "instruction": "督办批示",
    "approval_request": "提请审核",
    "calendar_reminder": "日历录入提醒",
    "cohandler": "协办通知",
    "confirm": "回复确认",
    "dispatch": "转办通知",
    "duplicate_notice": "重复来信告知",
    "emergency_alert": "紧急通知",
    "escalation": "督办",
    "extension": "延期申请",
    "extension_decision": "延期决定",
    "followup_forward": "补充来信转交",
    "holding_notice": "待甄别告知",
    "illegal": "劝导解释",
    "legal_channel": "法定途径告知",
    "office_flag": "提请党政办公室关注",
    "overdue": "逾期警示",
    "praise_forward": "表扬转达",
    "progress": "阶段性进展提醒",
    "refuse": "答复未采纳",
    "reminder": "办理提醒",
    "weekly_digest": "周汇总",
    "hot_topic": "热点问题提醒",
}

LETTER_KIND_LABELS: dict[str, str] = {
    "letter": "来信",
    "reply": "回复",
    "auto_reply": "自动回复",
    "bounce": "退信",
    "report": "投诉报告",
    "receipt": "已读回执",
    "list": "邮件列表",
    "loop": "本系统发出的邮件",
    "malformed": "无法解析",
}

MAIL_STATE_LABELS = {
    "pending": "待发送",
    "sending": "发送中",
    "sent": "已发送",
    "failed": "发送失败",
    "skipped": "未发送",
}


def label(labels: dict[str, str], code: str | None) -> str:
    """The Chinese name of `code`, the code itself when it has none, `—` when empty."""
    if not code:
        return "—"
    return labels.get(code, code)


def status_label(code: str) -> str:
    """已转办 for `dispatched`."""
    try:
        return STATUS_LABELS[TicketStatus(code)]
    except ValueError:
        return code


def urgency_label(code: str | None) -> str:
    """一般 for `normal`."""
    return label(URGENCY_LABELS, code)


def track_label(track: int | None) -> str:
    """第1类（能够解决） for 1."""
    return TRACK_LABELS.get(track, str(track)) if track else "—"


def department_label(cfg: Config, code: str | None) -> str:
    """后勤管理处 for `hqc`; an unknown code is shown as it is."""
    if not code:
        return "—"
    dept = cfg.department(code)
    return dept.name if dept else code


def parse_status(text: str) -> TicketStatus:
    """A status given by its English code (`dispatched`, any case) or Chinese name (已转办)."""
    value = text.strip()
    for status, name in STATUS_LABELS.items():
        if value.lower() == status.value or value == name:
            return status
    choices = "、".join(f"{name}（{status.value}）" for status, name in STATUS_LABELS.items())
    raise XinxiangError(f"未知的状态 {value!r}，可用：{choices}")
