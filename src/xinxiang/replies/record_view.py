"""View model of the 接诉即办 处理单 (the "一单" of 一单一文一支撑, seed 004 第十一条).

Plain frozen dataclasses, no database import: the service layer fills a `TicketRecord` from the
store and hands it to `xinxiang.replies.pdf`. All datetimes are timezone-aware; the renderer shows
them in `TicketRecord.tz`. `generated_at` is the "now" of the record, so deadline states are a pure
function of the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

DeadlineState = Literal["按时", "超时", "未到期"]


@dataclass(frozen=True, slots=True)
class ClassificationHit:
    """One rule that fired while classifying the letter: why it got its category/department."""

    rule: str
    keyword: str
    field: str


@dataclass(frozen=True, slots=True)
class RecordEvent:
    """One line of the dispatch history (登记、转办、受理、退回、延期、督办 …)."""

    at: datetime
    actor: str
    kind: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class RecordDeadline:
    """A deadline of the ticket and when it was met (`met_at` is None while still open).

    `calendar_verified` is False when the working-day calendar had no official data for the
    period, so the due time is an estimate the office should check.
    """

    name: str
    due: datetime
    met_at: datetime | None = None
    calendar_verified: bool = True

    def state(self, now: datetime) -> DeadlineState:
        """按时 if met by the due time, 超时 if met late or still open after it, else 未到期."""
        if self.met_at is not None:
            return "按时" if self.met_at <= self.due else "超时"
        return "超时" if now > self.due else "未到期"


@dataclass(frozen=True, slots=True)
class RecordReply:
    """A reply by a department (受理、初步回复、正式回复、协办结果 …) and its approval, if any."""

    kind: str
    department: str
    text: str
    at: datetime
    approved_by: str | None = None
    approved_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RecordNote:
    """A signed opinion on the 阅批处理单: the office's 拟办意见 or a leader's 批示."""

    at: datetime
    by: str
    text: str


@dataclass(frozen=True, slots=True)
class Evidence:
    """One piece of supporting material (支撑材料): a stored attachment and its digest."""

    filename: str
    content_type: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class TicketRecord:
    """Everything the 处理单 shows about one ticket.

    `query_code` is the petitioner's private lookup code: it is carried for the petitioner's own
    copy but never printed on the record, which also goes to the office and the archive.
    """

    school: str
    number: str
    query_code: str
    channel: str
    status: str
    petitioner_name: str
    petitioner_address: str
    subject: str
    body: str
    received_at: datetime
    generated_at: datetime
    public_consent: bool
    is_public: bool
    category: str | None = None
    department: str | None = None
    co_departments: tuple[str, ...] = ()
    urgency: str = "一般"
    track: int = 1
    disposition: str | None = None
    classification: tuple[ClassificationHit, ...] = ()
    events: tuple[RecordEvent, ...] = ()
    deadlines: tuple[RecordDeadline, ...] = ()
    replies: tuple[RecordReply, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    proposals: tuple[RecordNote, ...] = ()
    """拟办意见 of the office (empty: a box left blank for the paper file)."""
    instructions: tuple[RecordNote, ...] = ()
    """领导批示 (empty: a box left blank for the leader's hand)."""
    tz: str = "Asia/Shanghai"

    @property
    def zone(self) -> ZoneInfo:
        """The record's time zone."""
        return ZoneInfo(self.tz)


def sample_record(number: str = "2026-000123", *, extra_paragraphs: int = 0) -> TicketRecord:
    """A realistic ticket (a 2-page record) for tests, benchmarks and the demo.

    `extra_paragraphs` lengthens the letter, for multi-page layouts.
    """
    tz = ZoneInfo("Asia/Shanghai")
    t0 = datetime(2026, 11, 18, 21, 47, tzinfo=tz)
    body_paras = [
        "尊敬的书记、校长：",
        "您好！我是信息学院2023级本科生。自十一月初以来，东区学生公寓3号楼的热水供应一直不稳定，"
        "每天晚上九点到十一点之间经常没有热水，有时水温只有二十度左右，同学们只能排队去其他楼洗澡。",
        "我们曾多次向宿舍管理员反映，也在后勤服务平台提交过报修单，但一直没有得到明确答复。"
        "最近气温下降，已经有同学因此感冒，影响了正常的学习和生活。",
        "恳请学校尽快安排检修，并告知预计恢复的时间。如果短期内无法修复，希望能临时延长公共浴室"
        "的开放时间。谢谢！",
        "此致",
        "敬礼！",
    ]
    body_paras[3:3] = [
        "另外，公寓一楼的洗衣机也有两台长期故障，贴了维修通知但一个多月没有人来处理。"
        "楼道里的照明灯在晚上十点以后会自动关闭，上下楼很不方便，存在安全隐患。"
    ] * extra_paragraphs
    body = "\n".join(body_paras)
    office, handler = "党政办公室 王芳", "后勤管理处 赵强"

    def at_(day: int, hour: int, minute: int) -> datetime:
        return datetime(2026, 11, day, hour, minute, tzinfo=tz)

    formal = (
        "来信收悉。经后勤管理处核查，东区学生公寓3号楼热水供应不稳定系屋顶空气能热水机组"
        "两台压缩机故障所致。我处已于11月20日联系厂家更换压缩机，并对循环水泵进行了检修，"
        "目前热水供应已恢复正常，晚间高峰时段出水温度稳定在45℃以上。\n"
        "针对洗衣机故障和楼道照明问题，我处已督促物业公司于11月21日完成维修和时控调整，"
        "楼道照明延长至凌晨零点。\n"
        "感谢你对学校后勤工作的关心和监督。如仍有问题，可拨打后勤服务热线反映。"
    )
    return TicketRecord(
        school="示例大学",
        number=number,
        query_code="K7Q2-M9XP",
        channel="书记信箱",
        status="已办结",
        petitioner_name="李明",
        petitioner_address="liming2023@stu.example.edu.cn",
        subject="东区学生公寓3号楼热水长期供应不稳定",
        body=body,
        received_at=t0,
        generated_at=datetime(2026, 11, 22, 9, 30, tzinfo=tz),
        public_consent=True,
        is_public=True,
        category="后勤保障",
        department="后勤管理处",
        co_departments=("学生工作处",),
        urgency="一般",
        track=2,
        disposition="已解决",
        classification=(
            ClassificationHit("keyword-logistics", "热水", "正文"),
            ClassificationHit("keyword-logistics", "宿舍", "正文"),
            ClassificationHit("keyword-logistics", "报修", "正文"),
            ClassificationHit("subject-dorm", "学生公寓", "主题"),
        ),
        events=tuple(
            RecordEvent(at, actor, kind, detail)
            for at, actor, kind, detail in [
                (t0, "系统", "登记", "书记信箱来信，登记为 " + number),
                (t0 + timedelta(minutes=1), "系统", "受理回执", "已向来信人发送受理回执"),
                (at_(19, 8, 40), office, "转办", "转后勤管理处承办"),
                (at_(19, 8, 41), office, "协办", "学生工作处协办"),
                (at_(19, 10, 5), handler, "受理", "需本部门研究"),
                (at_(20, 16, 0), handler, "初步回复", "已提交"),
                (at_(21, 15, 30), "学生工作处 孙丽", "协办结果", "已提交"),
                (at_(21, 17, 10), handler, "正式回复", "待审核"),
                (at_(22, 9, 2), office, "审核通过", "同意公开"),
                (at_(22, 9, 3), "系统", "双反馈", "已回复来信人并抄送党政办公室"),
            ]
        ),
        deadlines=(
            RecordDeadline(
                "转办（1个自然日）",
                datetime(2026, 11, 19, 21, 47, tzinfo=tz),
                datetime(2026, 11, 19, 8, 40, tzinfo=tz),
            ),
            RecordDeadline(
                "承办部门响应（当天）",
                datetime(2026, 11, 19, 23, 59, tzinfo=tz),
                datetime(2026, 11, 19, 10, 5, tzinfo=tz),
            ),
            RecordDeadline(
                "初步回复（1个工作日）",
                datetime(2026, 11, 20, 17, 30, tzinfo=tz),
                datetime(2026, 11, 20, 16, 0, tzinfo=tz),
            ),
            RecordDeadline(
                "协办结果（1个工作日）",
                datetime(2026, 11, 20, 17, 30, tzinfo=tz),
                datetime(2026, 11, 21, 15, 30, tzinfo=tz),
            ),
            RecordDeadline(
                "正式回复（2个工作日）",
                datetime(2026, 11, 23, 17, 30, tzinfo=tz),
                datetime(2026, 11, 21, 17, 10, tzinfo=tz),
            ),
            RecordDeadline(
                "回访（48小时）",
                datetime(2026, 11, 24, 9, 3, tzinfo=tz),
                None,
                calendar_verified=True,
            ),
        ),
        replies=(
            RecordReply(
                "初步回复",
                "后勤管理处",
                "初步回复：经现场查看，热水机组压缩机故障，已联系厂家，预计11月21日前修复，"
                "正式回复将于11月23日前给出。",
                datetime(2026, 11, 20, 16, 0, tzinfo=tz),
                "党政办公室 王芳",
                datetime(2026, 11, 20, 16, 45, tzinfo=tz),
            ),
            RecordReply(
                "协办结果",
                "学生工作处",
                "已请辅导员逐一了解受影响同学情况，对感冒同学做了走访慰问。",
                datetime(2026, 11, 21, 15, 30, tzinfo=tz),
            ),
            RecordReply(
                "正式回复",
                "后勤管理处",
                formal,
                datetime(2026, 11, 21, 17, 10, tzinfo=tz),
                "党政办公室 王芳",
                datetime(2026, 11, 22, 9, 2, tzinfo=tz),
            ),
        ),
        evidence=(
            Evidence(
                "维修记录单.pdf",
                "application/pdf",
                184_322,
                "3f1c9a0e5b7d2c4a8e6f1b3d5c7a9e0f2b4d6c8a1e3f5b7d9c0a2e4f6b8d1c3a",
            ),
            Evidence(
                "热水温度检测照片.jpg",
                "image/jpeg",
                1_203_551,
                "9b2e4d6f8a0c1e3b5d7f9a2c4e6b8d0f1a3c5e7b9d2f4a6c8e0b1d3f5a7c9e2b",
            ),
            Evidence(
                "电话回访录音.m4a",
                "audio/mp4",
                2_488_004,
                "c4e6a8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6",
            ),
        ),
    )
