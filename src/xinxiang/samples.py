"""Realistic raw letters to the 书记校长信箱, for the demo, tests and benchmarks.

Everything is deterministic: the same `(i, seed)` always yields the same bytes. The letters
mimic what Chinese mail clients really send: UTF-8, GB2312-labelled text that is really GBK /
GB18030 (names such as 喆 or 镕 are not in GB2312), GBK, Big5 traditional text, base64,
quoted-printable and raw 8-bit bodies, HTML-only mail, attachments with Chinese file names in
RFC 2231 or RFC 2047 form, and the 【公开】 / 同意公开 conventions. `demo_mailbox()` adds the
noise a real mailbox holds: an auto-reply, a bounce and a message that is not mail at all.
"""

from __future__ import annotations

import base64
import html
import quopri
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email import encoders
from email.generator import BytesGenerator
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.policy import compat32
from email.utils import format_datetime
from io import BytesIO
from typing import Literal

CST = timezone(timedelta(hours=8))
SHUJI_ADDR = "shuji-xinxiang@example.edu.cn"
XIAOZHANG_ADDR = "xiaozhang-xinxiang@example.edu.cn"
_TO = (f"书记信箱 <{SHUJI_ADDR}>", f"校长信箱 <{XIAOZHANG_ADDR}>")
_BASE_DATE = datetime(2026, 3, 2, 7, 30, tzinfo=CST)
# Keep dates inside 2026: the official working-day calendar has no later data.
_DATE_SPAN_MINUTES = 290 * 24 * 60
_POLICY = compat32.clone(linesep="\r\n")

# Declared charset label -> codec that really encodes the text (what clients actually do).
_CODEC = {
    "utf-8": "utf-8",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
    "us-ascii": "ascii",
}

Cte = Literal["base64", "quoted-printable", "8bit", "7bit"]
HtmlMode = Literal["none", "alternative", "only", "related"]


@dataclass(frozen=True)
class _Attachment:
    filename: str
    maintype: str
    subtype: str
    payload: bytes
    name_style: Literal["rfc2231", "rfc2047"] = "rfc2231"


@dataclass(frozen=True)
class _Spec:
    """Everything that goes into one generated message."""

    sender_name: str
    sender_addr: str
    subject: str
    body: str
    date: datetime
    message_id: str
    to: str = _TO[0]
    charset: str = "utf-8"
    cte: Cte = "base64"
    header_q: bool = False
    html: HtmlMode = "none"
    attachments: tuple[_Attachment, ...] = ()
    x_mailer: str | None = None
    extra_headers: tuple[tuple[str, str], ...] = ()
    boundary_seed: int = 0
    return_path: str | None = None


# --------------------------------------------------------------------------- content pools

_SURNAMES = (
    ("张", "zhang"),
    ("王", "wang"),
    ("李", "li"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("赵", "zhao"),
    ("黄", "huang"),
    ("周", "zhou"),
    ("吴", "wu"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("马", "ma"),
    ("朱", "zhu"),
    ("胡", "hu"),
    ("郭", "guo"),
    ("何", "he"),
    ("林", "lin"),
    ("罗", "luo"),
    ("高", "gao"),
    ("欧阳", "ouyang"),
    ("诸葛", "zhuge"),
)
_GIVEN = (
    ("伟", "wei"),
    ("芳", "fang"),
    ("敏", "min"),
    ("静", "jing"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("洋", "yang"),
    ("艳", "yan"),
    ("杰", "jie"),
    ("涛", "tao"),
    ("子涵", "zihan"),
    ("欣怡", "xinyi"),
    ("浩然", "haoran"),
    ("梓萱", "zixuan"),
    ("宇轩", "yuxuan"),
    ("思远", "siyuan"),
    ("雨桐", "yutong"),
    ("一鸣", "yiming"),
    ("喆", "zhe"),
    ("镕", "rong"),
    ("晓昉", "xiaofang"),
    ("嘉懿", "jiayi"),
)
_COLLEGES = (
    "计算机学院",
    "外国语学院",
    "机械工程学院",
    "经济管理学院",
    "化学化工学院",
    "马克思主义学院",
    "材料科学与工程学院",
    "土木工程学院",
    "数学科学学院",
    "新闻传播学院",
)
_BUILDINGS = (
    "西区3号楼",
    "东区7号楼",
    "紫荆公寓12栋",
    "桃李园5号楼",
    "研究生公寓B座",
    "南区11号楼",
)
_CANTEENS = ("第一食堂", "第二食堂", "清真餐厅", "桃李园食堂", "学五食堂")
_MAILERS = (
    "Foxmail 7.2.25.228[cn]",
    "QQMail 2.x",
    "Coremail Webmail Server Version XT5.0.13 build 20210622(1d4788a8)",
    "Microsoft Outlook 16.0",
    "iPhone Mail (21D61)",
    "NetEase Flash Mail 2.4.1.32",
    None,
)

# topic key -> (subjects, paragraphs, attachment names)
_TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "hot_water": (
        (
            "关于{building}热水供应不稳定的问题",
            "宿舍热水已经停了{days}天了",
            "反映{building}洗澡水忽冷忽热",
        ),
        (
            "我是住在{building}的学生，从上周开始宿舍楼的热水时有时无，晚上九点以后基本没有热水，"
            "冬天洗冷水澡很多同学都感冒了。",
            "我们已经在后勤报修系统报修了三次，每次都显示“已处理”，但问题一直没有解决。",
            "希望学校能尽快安排师傅检修热水器，并告知大概的修复时间，谢谢！",
        ),
        ("热水器故障照片.jpg",),
    ),
    "aircon": (
        ("{building}空调坏了一个多月无人维修", "教室空调不制冷", "关于宿舍空调收费标准的疑问"),
        (
            "{building}有好几间宿舍的空调不制冷，室内温度超过三十度，晚上根本睡不着。",
            "报修后维修人员来看过一次，说要换压缩机，但之后就没有下文了。",
            "另外空调电费按每度0.8元收取，比居民电价高不少，想了解一下收费依据。",
            "恳请学校重视，尽快解决，期末考试周马上就到了。",
        ),
        ("空调报修记录截图.png",),
    ),
    "canteen": (
        ("{canteen}饭菜价格上涨太快", "建议{canteen}延长营业时间", "{canteen}卫生问题反映"),
        (
            "最近{canteen}的菜价明显上涨，一份青椒肉丝从8元涨到了12元，分量却变少了。",
            "晚上做完实验回来，{canteen}八点就关门了，希望至少有一个窗口营业到十点。",
            "今天中午在{canteen}的菜里吃出了头发，跟窗口反映后对方态度很差。",
            "希望学校加强对食堂的监管，保障同学们吃得放心、吃得实惠。",
        ),
        (),
    ),
    "course": (
        ("选课系统崩溃，没选上必修课", "关于{course}课程容量的建议", "选课时间安排不合理"),
        (
            "今天中午十二点开放选课，系统一直显示“服务器繁忙”，等能登录的时候{course}已经满了。",
            "{course}是我们专业的必修课，如果这学期选不上会影响毕业。",
            "建议教务处增加课程容量，或者按年级分批选课，避免系统拥堵。",
        ),
        ("选课系统报错截图.jpg",),
    ),
    "makeup_exam": (
        ("补考时间与实习冲突怎么办", "关于{course}补考安排的询问", "补考成绩迟迟没有公布"),
        (
            "我上学期{course}没有通过，学院通知补考安排在开学第二周，但我那时在外地实习。",
            "想问一下能否申请缓考，或者参加下学期的补考，需要走什么流程。",
            "补考已经过去一个月了，教务系统里还是查不到成绩，影响了奖学金评定。",
        ),
        (),
    ),
    "scholarship": (
        ("奖学金评定过程不透明", "对国家励志奖学金评审结果有异议", "关于奖学金发放时间的询问"),
        (
            "我们班奖学金评定时，综合测评加分没有公示，有同学的加分项明显不符合规定。",
            "我的综测排名是第3名，但最终名单里没有我，辅导员说是“综合考虑”，没有给出具体理由。",
            "恳请学校公开评审细则和加分明细，给同学们一个公平的结果。",
        ),
        ("综合测评成绩表.pdf",),
    ),
    "reimburse": (
        ("科研经费报销流程太繁琐", "报销款三个月还没到账", "关于差旅费报销标准的建议"),
        (
            "我去年十一月提交的差旅费报销单，到现在三个月了还没有到账，财务处电话一直打不通。",
            "现在报销一张发票要找四个人签字，网上报销系统和纸质单据要重复提交。",
            "建议简化报销流程，实现全程线上办理，减轻一线教师的负担。",
        ),
        ("报销单据.pdf",),
    ),
    "network": (
        ("校园网晚上经常断线", "校园网收费太贵", "宿舍WiFi信号差"),
        (
            "{building}的校园网每天晚上八点到十二点几乎上不了网，网课和查资料都受影响。",
            "校园网每月50元只有30G流量，超出后限速到1M，比外面的宽带贵很多。",
            "希望网络中心扩容出口带宽，并考虑降低资费或提供学生套餐。",
        ),
        (),
    ),
    "library_seat": (
        ("图书馆占座现象严重", "建议图书馆实行座位预约制", "图书馆自习室开放时间"),
        (
            "期末复习期间，图书馆很多座位一大早就被书本占了，人却一整天都不来。",
            "管理员说不归他们管，真正想学习的同学只能在走廊里站着看书。",
            "建议图书馆上线座位预约系统，离座超过30分钟自动释放。",
        ),
        (),
    ),
    "ebike": (
        ("电动车充电桩不够用", "宿舍禁止电动车充电后如何通勤", "校内电动车超速问题"),
        (
            "学校禁止在宿舍充电后，{building}楼下只有十个充电桩，晚上排队要一个多小时。",
            "校园里电动车速度很快，上周我在教学楼前被撞倒，肇事者骑车跑了。",
            "建议增设充电桩，同时在主干道设置限速标志和减速带。",
        ),
        ("现场照片.jpg",),
    ),
    "job_fair": (
        ("希望多举办专业对口的招聘会", "春季招聘会企业太少", "关于就业推荐表的盖章问题"),
        (
            "今年春季双选会来的企业大部分是销售岗位，和我们{college}的专业基本不对口。",
            "就业推荐表需要学院和就业指导中心两处盖章，两边办公时间都不一样，跑了好几趟。",
            "希望学校多联系行业龙头企业来校招聘，并提供简历指导和模拟面试。",
        ),
        (),
    ),
    "hardship": (
        ("申请临时困难补助", "家庭突发变故，请求学校帮助", "关于困难补助认定的疑问"),
        (
            "我家在农村，上个月父亲突发脑出血住院，家里已经花光了积蓄，还欠了亲戚不少钱。",
            "这学期的学费和住宿费还没有交，我很担心会影响学籍。",
            "请问学校有没有临时困难补助或者助学贷款可以申请？需要准备哪些材料？",
            "本人的家庭情况属于个人隐私，请不要公开。",
        ),
        ("困难补助申请表.pdf", "医院诊断证明.jpg"),
    ),
    "fever": (
        ("宿舍同学发热校医院不接诊", "发烧了校医院晚上没有医生", "关于校医院夜间急诊"),
        (
            "我室友昨晚开始发烧到39度，我们半夜送到校医院，值班室没有人。",
            "最后只能打车去市里的医院，花了两百多块钱，报销也不知道怎么办。",
            "希望校医院安排夜间值班医生，至少能处理发热等常见急症。",
        ),
        (),
    ),
}

_BIG5_LETTERS: tuple[tuple[str, str], ...] = (
    (
        "關於宿舍熱水供應的問題",
        "我是來自澳門的學生，住在{building}。最近一個星期宿舍的熱水時有時無，"
        "晚上十點以後完全沒有熱水。\n\n我們已經向宿管反映過，但一直沒有得到回覆。"
        "希望學校儘快安排維修，謝謝！",
    ),
    (
        "申請獎學金的疑問",
        "老師您好，我是臺灣地區的交換生，想請問港澳臺學生是否可以申請學校的獎學金，"
        "以及需要準備哪些資料。\n\n學院網站上的通知只有簡體版本，有些條款看不太明白，"
        "希望能提供更詳細的說明。",
    ),
    (
        "圖書館座位預約建議",
        "期末考試期間圖書館座位非常緊張，很多座位被書本長時間佔用。\n\n"
        "建議圖書館推出座位預約系統，離座超過三十分鐘自動釋放，讓真正需要的同學可以使用。",
    ),
)

_ENGLISH_LETTERS: tuple[tuple[str, str], ...] = (
    (
        "Request for help with residence permit documents",
        "Dear President,\n\nI am an international student from Pakistan in the {college}. "
        "My residence permit expires next month, and the International Office says I need a "
        "certificate of enrolment stamped by my school, but my school says the International "
        "Office must issue it.\n\nCould you please tell me which office is responsible? "
        "I am worried about overstaying my visa.\n\nBest regards,",
    ),
    (
        "Internet in the international dormitory",
        "Dear Sir or Madam,\n\nThe campus network in the international student dormitory "
        "has been down every evening for two weeks. We cannot attend online classes from our "
        "home countries' universities or contact our families.\n\nPlease help us.\n\nThank you,",
    ),
)

_BUILDINGS_TRAD = ("西區3號樓", "東區7號樓", "紫荊公寓12棟", "研究生公寓B座")
_TRAD_NAMES = (
    ("陳嘉懿", "chan.kayi"),
    ("黃詠詩", "wong.wingsze"),
    ("林志偉", "lam.chiwai"),
    ("張家豪", "chang.chiahao"),
    ("劉曉彤", "lau.hiutung"),
)
_INTL_NAMES = (
    ("Ahmed Khan", "ahmed.khan"),
    ("Maria Ivanova", "m.ivanova"),
    ("Kwame Mensah", "kwame.mensah"),
    ("Nguyen Thi Lan", "lan.nguyen"),
)
_COLLEGES_EN = (
    "School of Computer Science",
    "School of Economics and Management",
    "School of Civil Engineering",
    "School of Foreign Languages",
)

_GREETINGS = (
    "尊敬的书记、校长：",
    "校长您好！",
    "尊敬的学校领导：",
    "老师您好，",
    "书记、校长好！",
)
_CLOSINGS = ("此致\n敬礼！", "谢谢！", "期待您的回复。", "盼复，谢谢！", "")


def _pick(rng: random.Random, items: Sequence[str]) -> str:
    return items[rng.randrange(len(items))]


@dataclass(frozen=True)
class _Person:
    name: str
    addr: str
    signature: str
    traditional: bool = False
    english: bool = False
    college: str = field(default="")


def _person(rng: random.Random) -> _Person:
    sur, sur_py = _SURNAMES[rng.randrange(len(_SURNAMES))]
    given, given_py = _GIVEN[rng.randrange(len(_GIVEN))]
    name = sur + given
    college = _pick(rng, _COLLEGES)
    roll = rng.random()
    if roll < 0.55:
        grade = rng.choice((2022, 2023, 2024, 2025))
        stuno = f"{grade}{rng.randrange(10**6):06d}"
        addr = rng.choice(
            (
                f"{stuno}@stu.example.edu.cn",
                f"{rng.randrange(10**8, 10**10)}@qq.com",
                f"{sur_py}{given_py}{rng.randrange(100)}@163.com",
            )
        )
        sig = f"{name}\n{college}{grade}级本科生\n学号：{stuno}"
    elif roll < 0.7:
        grade = rng.choice((2023, 2024, 2025))
        addr = rng.choice(
            (f"{sur_py}.{given_py}@stu.example.edu.cn", f"{sur_py}{given_py}@126.com")
        )
        sig = f"{name}\n{college}{grade}级硕士研究生"
    elif roll < 0.85:
        addr = f"{sur_py}{given_py}@example.edu.cn"
        sig = f"{college}教师 {name}"
    elif roll < 0.95:
        addr = rng.choice(
            (
                f"{sur_py}{given_py}{rng.randrange(1960, 1980)}@163.com",
                f"{rng.randrange(10**8, 10**10)}@qq.com",
                f"{sur_py}_{given_py}@sina.com",
            )
        )
        sig = f"一名学生家长 {name}\n电话：1{rng.choice('3589')}{rng.randrange(10**9):09d}"
    else:
        addr = f"{sur_py}{given_py}@gmail.com"
        sig = f"{college}{rng.randrange(1995, 2020)}届校友 {name}"
    return _Person(name, addr, sig, college=college)


def _fill(text: str, rng: random.Random, person: _Person) -> str:
    return text.format(
        building=_pick(rng, _BUILDINGS),
        canteen=_pick(rng, _CANTEENS),
        course=_pick(rng, ("高等数学", "大学物理", "数据结构", "大学英语", "线性代数", "毛概")),
        days=rng.randrange(2, 15),
        college=person.college or _pick(rng, _COLLEGES),
    )


# --------------------------------------------------------------------------- MIME building


def _codec(label: str) -> str:
    return _CODEC.get(label.lower(), label)


def _encoded_words(text: str, label: str, q: bool = False) -> str:
    """RFC 2047 encoded words (each under 76 characters, never splitting a character)."""
    if text.isascii():
        return text
    codec = _codec(label)
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        # e.g. a Big5 client addressing 书记信箱 in simplified characters: that header goes UTF-8.
        label, codec = "utf-8", "utf-8"
    words: list[str] = []
    chunk = ""
    limit = 18 if q else 36  # encoded bytes per word
    for ch in text:
        if chunk and len((chunk + ch).encode(codec)) > limit:
            words.append(_one_word(chunk, label, codec, q))
            chunk = ""
        chunk += ch
    if chunk:
        words.append(_one_word(chunk, label, codec, q))
    return " ".join(words)


def _one_word(chunk: str, label: str, codec: str, q: bool) -> str:
    data = chunk.encode(codec)
    if q:
        enc = "".join(
            chr(b) if (chr(b).isalnum() and b < 128) else ("_" if b == 32 else f"={b:02X}")
            for b in data
        )
        return f"=?{label}?Q?{enc}?="
    return f"=?{label}?B?{base64.b64encode(data).decode('ascii')}?="


def _text_part(text: str, subtype: str, label: str, cte: Cte) -> Message:
    data = text.replace("\n", "\r\n").encode(_codec(label))
    part = MIMENonMultipart("text", subtype, charset=label)
    del part["MIME-Version"]
    if cte == "base64":
        part.set_payload(base64.encodebytes(data).decode("ascii"))
    elif cte == "quoted-printable":
        part.set_payload(quopri.encodestring(data).decode("ascii"))
    else:
        # Raw 8-bit body: surrogateescape lets BytesGenerator write the bytes unchanged.
        part.set_payload(data.decode("ascii", "surrogateescape"))
    part["Content-Transfer-Encoding"] = cte
    return part


def _html_of(text: str, mailer: str | None, label: str) -> str:
    if label == "big5":
        font = "新細明體"
    else:
        font = "微软雅黑" if mailer and "Foxmail" in mailer else "宋体"
    paras = "".join(
        f"<div>{html.escape(p).replace(chr(10), '<br>')}</div><div><br></div>"
        for p in text.split("\n\n")
    )
    return (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={label}">'
        f'</head><body><div style="font-family: {font}; font-size: 14px;">{paras}</div>'
        "</body></html>"
    )


def _attachment_part(att: _Attachment, label: str) -> Message:
    part = MIMEBase(att.maintype, att.subtype)
    del part["MIME-Version"]
    part.set_payload(att.payload)
    encoders.encode_base64(part)
    del part["Content-Type"]
    if att.name_style == "rfc2231":
        part.add_header(
            "Content-Type", f"{att.maintype}/{att.subtype}", name=("utf-8", "", att.filename)
        )
        part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", att.filename))
    else:
        # What QQ Mail / Foxmail do: an RFC 2047 word inside a quoted parameter.
        enc = _encoded_words(att.filename, label if label != "us-ascii" else "utf-8")
        part.add_header("Content-Type", f"{att.maintype}/{att.subtype}", name=enc)
        part.add_header("Content-Disposition", "attachment", filename=enc)
    return part


def _boundary(spec: _Spec, n: int) -> str:
    return f"----=_NextPart_{spec.boundary_seed:08X}_{n:04X}_{spec.date:%H%M%S}"


def _build(spec: _Spec) -> bytes:
    label = spec.charset
    body_subtype_parts: Message
    if spec.html == "only":
        body_subtype_parts = _text_part(
            _html_of(spec.body, spec.x_mailer, label), "html", label, spec.cte
        )
    elif spec.html in ("alternative", "related"):
        alt = MIMEMultipart("alternative", boundary=_boundary(spec, 1))
        del alt["MIME-Version"]
        alt.attach(_text_part(spec.body, "plain", label, spec.cte))
        html_text = _html_of(spec.body, spec.x_mailer, label)
        if spec.html == "related":
            html_text = html_text.replace(
                "</body>", '<div><img src="cid:screenshot001@qq.com"></div></body>'
            )
            rel = MIMEMultipart("related", boundary=_boundary(spec, 2))
            del rel["MIME-Version"]
            rel.attach(_text_part(html_text, "html", label, spec.cte))
            img = MIMEBase("image", "png")
            del img["MIME-Version"]
            img.set_payload(_png_bytes(spec.boundary_seed))
            encoders.encode_base64(img)
            img["Content-ID"] = "<screenshot001@qq.com>"
            img.add_header("Content-Disposition", "inline", filename="image001.png")
            rel.attach(img)
            alt.attach(rel)
        else:
            alt.attach(_text_part(html_text, "html", label, spec.cte))
        body_subtype_parts = alt
    else:
        body_subtype_parts = _text_part(spec.body, "plain", label, spec.cte)

    if spec.attachments:
        msg: Message = MIMEMultipart("mixed", boundary=_boundary(spec, 0))
        msg.attach(body_subtype_parts)
        for att in spec.attachments:
            msg.attach(_attachment_part(att, label))
    else:
        msg = body_subtype_parts
        msg["MIME-Version"] = "1.0"

    headers: list[tuple[str, str]] = []
    if spec.return_path is not None:
        headers.append(("Return-Path", f"<{spec.return_path}>"))
    domain = spec.sender_addr.rsplit("@", 1)[-1]
    ip = f"10.{spec.boundary_seed % 250}.8.{spec.boundary_seed % 199}"
    received = (
        f"from mail.{domain} (unknown [{ip}]) by mx.example.edu.cn (Postfix) with ESMTPS id "
        f"{spec.boundary_seed:X}; {format_datetime(spec.date + timedelta(seconds=3))}"
    )
    headers += [
        ("Received", received),
        (
            "From",
            f"{_encoded_words(spec.sender_name, _hdr_label(spec), spec.header_q)} "
            f"<{spec.sender_addr}>",
        ),
        ("To", _encode_to(spec.to, _hdr_label(spec), spec.header_q)),
        ("Subject", _encoded_words(spec.subject, _hdr_label(spec), spec.header_q)),
        ("Date", format_datetime(spec.date)),
        ("Message-ID", spec.message_id),
    ]
    if spec.x_mailer:
        headers.append(("X-Mailer", spec.x_mailer))
    headers += list(spec.extra_headers)
    # Content-* headers already set on the root part must come after the envelope headers.
    existing = list(msg.items())
    for key in list(msg.keys()):
        del msg[key]
    for key, value in headers + existing:
        msg[key] = value
    out = BytesIO()
    BytesGenerator(out, mangle_from_=False, policy=_POLICY).flatten(msg)
    return out.getvalue()


def _hdr_label(spec: _Spec) -> str:
    return "utf-8" if spec.charset == "us-ascii" else spec.charset


def _encode_to(to: str, label: str, q: bool) -> str:
    if "<" not in to:
        return to
    name, addr = to.split("<", 1)
    return f"{_encoded_words(name.strip(), label, q)} <{addr}"


def _pdf_bytes(seed: int, pages: int = 1) -> bytes:
    """A tiny but well-formed one-page PDF."""
    text = f"Scanned document {seed}".encode("ascii")
    stream = b"BT /F1 18 Tf 72 720 Td (" + text + b") Tj ET"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _jpeg_bytes(seed: int, size: int = 4096) -> bytes:
    """JPEG-looking bytes (SOI, JFIF APP0, noise, EOI): enough for type sniffing and hashing."""
    rng = random.Random(seed)
    head = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x48\x00\x48\x00\x00"
    return head + rng.randbytes(max(size - len(head) - 2, 0)) + b"\xff\xd9"


def _png_bytes(seed: int) -> bytes:
    """A valid 1x1 PNG (the same for every seed; `seed` kept for symmetry)."""
    del seed
    return base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYPj/HwADAgH/eL9GtQAAAABJRU5ErkJggg=="
    )


def _attachment(name: str, rng: random.Random, style: Literal["rfc2231", "rfc2047"]) -> _Attachment:
    seed = rng.randrange(2**31)
    if name.endswith(".pdf"):
        return _Attachment(name, "application", "pdf", _pdf_bytes(seed), style)
    if name.endswith(".png"):
        return _Attachment(name, "image", "png", _png_bytes(seed), style)
    return _Attachment(
        name, "image", "jpeg", _jpeg_bytes(seed, rng.randrange(2_000, 24_000)), style
    )


# --------------------------------------------------------------------------- public API


def sample_letter(i: int, *, seed: int = 0) -> bytes:
    """The `i`-th generated letter for `seed`: deterministic raw RFC 5322 bytes (CRLF).

    Senders, topics, charsets, transfer encodings, HTML and attachments vary with `i`; the
    Message-ID is unique per `(i, seed)` and the Date lies in 2026, in +0800.
    """
    rng = random.Random(f"xinxiang-sample:{seed}:{i}")
    person = _person(rng)
    roll = rng.random()
    charset: str
    cte: Cte
    if roll < 0.05:
        subject, body = _pick_pair(rng, _BIG5_LETTERS)
        charset, cte = "big5", rng.choice(("base64", "8bit"))
        name, local = _TRAD_NAMES[rng.randrange(len(_TRAD_NAMES))]
        person = _Person(name, f"{local}{rng.randrange(100)}@stu.example.edu.cn", name)
        text = body.format(building=_pick(rng, _BUILDINGS_TRAD)) + f"\n\n{person.name}"
    elif roll < 0.08:
        subject, body = _pick_pair(rng, _ENGLISH_LETTERS)
        charset, cte = "us-ascii", "7bit"
        name, local = _INTL_NAMES[rng.randrange(len(_INTL_NAMES))]
        person = _Person(name, f"{local}@stu.example.edu.cn", name)
        text = body.format(college=_pick(rng, _COLLEGES_EN)) + f"\n{name}"
    else:
        key = rng.choice(sorted(_TOPICS))
        subjects, paras, _ = _TOPICS[key]
        subject = _fill(_pick(rng, subjects), rng, person)
        chosen = [p for p in paras if rng.random() < 0.75] or [paras[0]]
        closing = _pick(rng, _CLOSINGS)
        parts = [_pick(rng, _GREETINGS), *(_fill(p, rng, person) for p in chosen)]
        if rng.random() < 0.06:
            parts.append("本人同意公开此信件及学校的答复。")
        parts += [p for p in (closing, person.signature) if p]
        text = "\n\n".join(parts)
        enc_roll = rng.random()
        if enc_roll < 0.40:
            charset, cte = "utf-8", "base64"
        elif enc_roll < 0.55:
            charset, cte = "utf-8", "quoted-printable"
        elif enc_roll < 0.65:
            charset, cte = "utf-8", "8bit"
        elif enc_roll < 0.83:
            charset, cte = "gb2312", "base64"
        elif enc_roll < 0.95:
            charset, cte = "gbk", rng.choice(("base64", "8bit"))
        else:
            charset, cte = "gb18030", "base64"
        if rng.random() < 0.08:
            subject = "【公开】" + subject
    attachments: tuple[_Attachment, ...] = ()
    if rng.random() < 0.15:
        names = _attachment_names(rng, subject)
        style: Literal["rfc2231", "rfc2047"] = "rfc2231" if rng.random() < 0.5 else "rfc2047"
        attachments = tuple(_attachment(n, rng, style) for n in names)
    html_roll = rng.random()
    html_mode: HtmlMode = (
        "only"
        if html_roll < 0.06
        else "alternative"
        if html_roll < 0.40
        else "related"
        if html_roll < 0.43
        else "none"
    )
    if charset == "us-ascii":
        html_mode = "none"
    minutes = (i * 7 + rng.randrange(7) + seed * 1440) % _DATE_SPAN_MINUTES
    date = (_BASE_DATE + timedelta(minutes=minutes, seconds=rng.randrange(60))).replace(
        microsecond=0
    )
    domain = person.addr.rsplit("@", 1)[1]
    spec = _Spec(
        sender_name=person.name,
        sender_addr=person.addr,
        subject=subject,
        body=text,
        date=date,
        message_id=f"<{date:%Y%m%d%H%M%S}.{seed:x}.{i:x}.{rng.randrange(16**8):08x}@{domain}>",
        to=_TO[i % 2],
        charset=charset,
        cte=cte,
        header_q=rng.random() < 0.2,
        html=html_mode,
        attachments=attachments,
        x_mailer=rng.choice(_MAILERS),
        boundary_seed=rng.randrange(2**32),
        return_path=person.addr,
    )
    return _build(spec)


def _pick_pair(rng: random.Random, items: Sequence[tuple[str, str]]) -> tuple[str, str]:
    return items[rng.randrange(len(items))]


def _attachment_names(rng: random.Random, subject: str) -> list[str]:
    for _key, (subjects, _paras, names) in _TOPICS.items():
        if names and any(s.split("{")[0][:4] in subject for s in subjects):
            return list(names)
    return [rng.choice(("情况说明.pdf", "现场照片.jpg", "相关材料.pdf"))]


def iter_sample_letters(n: int, seed: int = 0) -> Iterator[bytes]:
    """Stream `n` letters (`sample_letter(0..n-1, seed=seed)`), one at a time."""
    for i in range(n):
        yield sample_letter(i, seed=seed)


# --------------------------------------------------------------------------- demo mailbox


def _at(day: int, hour: int, minute: int) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=CST)


def _demo_spec(
    n: int, name: str, addr: str, subject: str, body: str, when: datetime, **kw: object
) -> _Spec:
    domain = addr.rsplit("@", 1)[1]
    return _Spec(
        sender_name=name,
        sender_addr=addr,
        subject=subject,
        body=body,
        date=when,
        message_id=f"<demo-{n:02d}.{when:%Y%m%d%H%M%S}@{domain}>",
        boundary_seed=0xD0 + n,
        return_path=addr,
        **kw,  # type: ignore[arg-type]
    )


def _bounce(n: int, when: datetime) -> bytes:
    date = format_datetime(when)
    text = f"""\
Return-Path: <>
Received: by mx.example.edu.cn (Postfix) id 4F2A81C0042; {date}
Date: {date}
From: MAILER-DAEMON@mx.example.edu.cn (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: xinxiang@example.edu.cn
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="4F2A81C0042.1772431200/mx.example.edu.cn"
Message-Id: <20260303054000.4F2A81C0042@mx.example.edu.cn>

This is a MIME-encapsulated message.

--4F2A81C0042.1772431200/mx.example.edu.cn
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.edu.cn.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

<wangfang1972@163.com>: host 163mx01.mxmail.netease.com[220.181.12.11] said:
    550 User not found: wangfang1972@163.com (in reply to RCPT TO command)

--4F2A81C0042.1772431200/mx.example.edu.cn
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.edu.cn
X-Postfix-Queue-ID: 4F2A81C0042
Arrival-Date: {date}

Final-Recipient: rfc822; wangfang1972@163.com
Original-Recipient: rfc822;wangfang1972@163.com
Action: failed
Status: 5.1.1
Remote-MTA: dns; 163mx01.mxmail.netease.com
Diagnostic-Code: smtp; 550 User not found: wangfang1972@163.com

--4F2A81C0042.1772431200/mx.example.edu.cn
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: =?utf-8?b?56S65L6L5aSn5a2m5Lmm6K6w5qCh6ZW/5L+h566x?= <xinxiang@example.edu.cn>
To: wangfang1972@163.com
Subject: =?utf-8?b?44CQ5Y+X55CG5Zue5omn44CR5oKo55qE5p2l5L+h5bey5Y+X55CG?=
Message-ID: <ack.2026-000003.demo@example.edu.cn>
Auto-Submitted: auto-replied
Date: {date}

--4F2A81C0042.1772431200/mx.example.edu.cn--
"""
    del n
    return text.replace("\n", "\r\n").encode("ascii")


def _malformed() -> bytes:
    """Not an e-mail: a truncated binary blob that a broken gateway dropped into the mailbox."""
    rng = random.Random("xinxiang-malformed")
    return b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00" + rng.randbytes(600) + b"\r\n\xff\xfe\x00"


def demo_mailbox() -> list[tuple[str, bytes]]:
    """About twenty named raw messages for `xinxiang demo`: letters plus typical noise.

    Includes an emergency, a praise, a legal-channel matter, an English and a Big5 letter,
    【公开】 and 同意公开 letters, an auto-reply, a bounce and one message that is not mail.
    """
    rng = random.Random("xinxiang-demo")
    att = _attachment
    specs: list[tuple[str, _Spec]] = [
        (
            "01-hot-water-gb2312.eml",
            _demo_spec(
                1,
                "李喆",
                "2023104233@stu.example.edu.cn",
                "西区3号楼热水已经停了5天",
                "尊敬的书记、校长：\n\n我是计算机学院2023级的学生李喆，住在西区3号楼。从本周一开始，"
                "宿舍楼的热水一直时有时无，晚上九点以后基本没有热水。\n\n我们已经在后勤报修系统报修了"
                "三次，每次都显示“已处理”，但问题始终没有解决。天气还很冷，很多同学洗冷水澡感冒了。\n\n"
                "恳请学校尽快安排维修，并告知修复时间。\n\n此致\n敬礼！\n\n李喆\n学号：2023104233",
                _at(2, 22, 14),
                charset="gb2312",
                cte="base64",
                x_mailer="Foxmail 7.2.25.228[cn]",
                attachments=(att("热水器故障照片.jpg", rng, "rfc2047"),),
            ),
        ),
        (
            "02-aircon-utf8-qp.eml",
            _demo_spec(
                2,
                "王镕",
                "wangrong@example.edu.cn",
                "教学楼A203空调坏了一个多月无人维修",
                "校长您好！\n\n我是材料科学与工程学院的教师王镕。教学楼A203教室的空调从上个月起就不制冷，"
                "报修后维修人员来看过一次，说要换压缩机，之后就没有下文了。\n\n"
                "这间教室每天有四个班上课，室温超过三十度，学生们意见很大。希望后勤尽快处理。\n\n"
                "王镕\n材料科学与工程学院",
                _at(3, 9, 5),
                cte="quoted-printable",
                x_mailer="Microsoft Outlook 16.0",
                html="alternative",
            ),
        ),
        (
            "03-canteen-html-only.eml",
            _demo_spec(
                3,
                "赵欣怡",
                "1823374455@qq.com",
                "第二食堂饭菜价格上涨太快",
                "书记、校长好！\n\n最近第二食堂的菜价明显上涨，一份青椒肉丝从8元涨到了12元，"
                "分量却变少了。很多家庭困难的同学只能吃米饭配咸菜。\n\n"
                "希望学校加强对食堂的监管，平抑价格，保障同学们吃得实惠。\n\n赵欣怡\n经济管理学院",
                _at(3, 12, 40),
                html="only",
                x_mailer="QQMail 2.x",
            ),
        ),
        (
            "04-course-selection-screenshot.eml",
            _demo_spec(
                4,
                "孙浩然",
                "2024211890@stu.example.edu.cn",
                "选课系统崩溃，数据结构没选上",
                "老师您好，\n\n今天中午十二点开放选课，系统一直显示“服务器繁忙”，等能登录的时候"
                "数据结构已经满了。这是我们专业的必修课，选不上会影响毕业。\n\n"
                "建议教务处增加课程容量，或者按年级分批选课。附件是报错截图。\n\n孙浩然",
                _at(4, 12, 31),
                attachments=(att("选课系统报错截图.jpg", rng, "rfc2231"),),
                html="related",
                x_mailer="QQMail 2.x",
            ),
        ),
        (
            "05-makeup-exam-gbk.eml",
            _demo_spec(
                5,
                "周静",
                "zhoujing@126.com",
                "补考时间与实习冲突怎么办",
                "尊敬的学校领导：\n\n我上学期高等数学没有通过，学院通知补考安排在开学第二周，"
                "但那时我在深圳实习，单位不同意请假。\n\n想问一下能否申请缓考，需要走什么流程？\n\n"
                "谢谢！\n\n周静\n外国语学院2022级",
                _at(4, 20, 2),
                charset="gbk",
                cte="8bit",
                x_mailer="NetEase Flash Mail 2.4.1.32",
            ),
        ),
        (
            "06-scholarship-pdf.eml",
            _demo_spec(
                6,
                "欧阳嘉懿",
                "ouyang.jiayi@stu.example.edu.cn",
                "对国家励志奖学金评审结果有异议",
                "尊敬的书记、校长：\n\n我的综合测评排名是班级第3名，但最终的奖学金名单里没有我。"
                "辅导员说是“综合考虑”，没有给出具体理由，加分明细也没有公示。\n\n"
                "附件是我的综合测评成绩表。恳请学校公开评审细则，给同学们一个公平的结果。\n\n"
                "欧阳嘉懿\n数学科学学院2023级硕士研究生",
                _at(5, 10, 18),
                attachments=(att("综合测评成绩表.pdf", rng, "rfc2231"),),
                x_mailer="iPhone Mail (21D61)",
            ),
        ),
        (
            "07-reimbursement-outlook.eml",
            _demo_spec(
                7,
                "陈伟",
                "chenwei@example.edu.cn",
                "差旅费报销三个月还没到账",
                "校长好！\n\n我去年十一月提交的差旅费报销单，到现在三个月了还没有到账，"
                "财务处电话一直打不通。现在报销一张发票要找四个人签字，网上系统和纸质单据要重复提交。\n\n"
                "建议简化报销流程，实现全程线上办理。\n\n机械工程学院 陈伟",
                _at(5, 16, 45),
                charset="gb2312",
                cte="quoted-printable",
                header_q=True,
                html="alternative",
                x_mailer="Microsoft Outlook 16.0",
            ),
        ),
        (
            "08-network-public.eml",
            _demo_spec(
                8,
                "刘一鸣",
                "liuyiming88@163.com",
                "【公开】校园网晚上经常断线",
                "校长您好！\n\n南区11号楼的校园网每天晚上八点到十二点几乎上不了网，"
                "网课和查资料都受到影响。希望网络中心扩容出口带宽。\n\n刘一鸣\n计算机学院2024级",
                _at(6, 23, 5),
                x_mailer="Coremail Webmail Server Version XT5.0.13 build 20210622(1d4788a8)",
            ),
        ),
        (
            "09-library-consent.eml",
            _demo_spec(
                9,
                "黄雨桐",
                "huangyutong@stu.example.edu.cn",
                "建议图书馆实行座位预约制",
                "尊敬的学校领导：\n\n期末复习期间，图书馆很多座位一大早就被书本占了，人却一整天都不来，"
                "真正想学习的同学只能在走廊里看书。\n\n建议图书馆上线座位预约系统，离座超过30分钟自动释放。"
                "\n\n本人同意公开此信件及学校的答复。\n\n黄雨桐",
                _at(7, 8, 12),
                cte="8bit",
            ),
        ),
        (
            "10-ebike-charging.eml",
            _demo_spec(
                10,
                "马强",
                "maqiang1999@qq.com",
                "电动车充电桩不够用",
                "书记、校长好！\n\n学校禁止在宿舍充电后，桃李园5号楼楼下只有十个充电桩，"
                "晚上排队要一个多小时。建议增设充电桩。\n\n马强",
                _at(8, 21, 30),
                attachments=(att("现场照片.jpg", rng, "rfc2047"),),
                x_mailer="QQMail 2.x",
            ),
        ),
        (
            "11-job-fair.eml",
            _demo_spec(
                11,
                "郭子涵",
                "guozihan@stu.example.edu.cn",
                "希望多举办专业对口的招聘会",
                "老师您好，\n\n今年春季双选会来的企业大部分是销售岗位，和我们化学化工学院的专业基本不对口。"
                "希望学校多联系行业企业来校招聘。\n\n郭子涵\n化学化工学院2022级本科生",
                _at(9, 14, 2),
                charset="gb18030",
            ),
        ),
        (
            "12-hardship-private.eml",
            _demo_spec(
                12,
                "何敏",
                "2025307712@stu.example.edu.cn",
                "家庭突发变故，申请临时困难补助",
                "尊敬的书记、校长：\n\n我家在农村，上个月父亲突发脑出血住院，家里已经花光了积蓄。"
                "这学期的学费和住宿费还没有交，我很担心会影响学籍。\n\n"
                "请问学校有没有临时困难补助可以申请？需要准备哪些材料？\n\n"
                "本人的家庭情况属于个人隐私，请不要公开。\n\n何敏\n联系电话：13912345678",
                _at(9, 23, 48),
                charset="gbk",
                cte="base64",
                attachments=(
                    att("困难补助申请表.pdf", rng, "rfc2231"),
                    att("医院诊断证明.jpg", rng, "rfc2231"),
                ),
            ),
        ),
        (
            "13-fever-night-clinic.eml",
            _demo_spec(
                13,
                "吴思远",
                "wusiyuan@stu.example.edu.cn",
                "宿舍同学发热39度，校医院夜间无人接诊",
                "书记、校长好！\n\n我室友昨晚开始发烧到39度，我们半夜送到校医院，值班室没有人。"
                "最后只能打车去市里的医院。\n\n希望校医院安排夜间值班医生。\n\n吴思远",
                _at(10, 2, 16),
                x_mailer="iPhone Mail (21D61)",
            ),
        ),
        (
            "14-emergency-fire.eml",
            _demo_spec(
                14,
                "杨磊",
                "yanglei2024@163.com",
                "紧急！东区7号楼楼道着火，有同学受伤",
                "紧急情况！东区7号楼3层楼道着火了，是有人把电动车电池拿上楼充电起火，"
                "浓烟很大，有一名同学吸入浓烟晕倒受伤，"
                "已经打了119和120，宿管阿姨的电话打不通！\n\n"
                "请学校马上派人来处理！！\n\n杨磊 15811112222",
                _at(10, 23, 41),
                cte="8bit",
                x_mailer="iPhone Mail (21D61)",
            ),
        ),
        (
            "15-praise.eml",
            _demo_spec(
                15,
                "林芳",
                "linfang1975@sina.com",
                "感谢后勤维修师傅及时修好空调",
                "尊敬的学校领导：\n\n我是一名学生家长。孩子宿舍的空调坏了，反映后第二天后勤的张师傅就上门"
                "修好了，还耐心讲解了使用注意事项。\n\n特此来信表示感谢，希望学校表扬这位师傅！\n\n"
                "学生家长 林芳",
                _at(11, 19, 3),
                charset="gb2312",
                cte="base64",
            ),
        ),
        (
            "16-legal-arbitration.eml",
            _demo_spec(
                16,
                "徐涛",
                "xutao@example.edu.cn",
                "关于解除聘用合同一事已申请劳动仲裁",
                "书记、校长：\n\n学校于上月单方面解除了与我的聘用合同，我认为不符合规定。"
                "我已向市劳动人事争议仲裁委员会申请仲裁，同时对学校的处分决定申请行政复议。\n\n"
                "在此向学校领导反映情况，希望学校依法依规处理。\n\n土木工程学院 徐涛",
                _at(12, 10, 22),
                x_mailer="Microsoft Outlook 16.0",
            ),
        ),
        (
            "17-english-international.eml",
            _demo_spec(
                17,
                "Ahmed Khan",
                "ahmed.khan@stu.example.edu.cn",
                "Request for help with residence permit documents",
                "Dear President,\n\nI am an international student from Pakistan in the School of "
                "Computer Science. My residence permit expires next month, and the International "
                "Office says I need a certificate of enrolment stamped by my school, but my school "
                "says the International Office must issue it.\n\n"
                "Could you please tell me which office is responsible? "
                "I am worried about overstaying my visa.\n\nBest regards,\nAhmed Khan",
                _at(12, 15, 9),
                charset="us-ascii",
                cte="7bit",
            ),
        ),
        (
            "18-big5-traditional.eml",
            _demo_spec(
                18,
                "陳嘉懿",
                "chan.kayi@stu.example.edu.cn",
                "關於宿舍熱水供應的問題",
                "校長您好：\n\n我是來自澳門的學生，住在研究生公寓B座。最近一個星期宿舍的熱水時有時無，"
                "晚上十點以後完全沒有熱水。\n\n我們已經向宿管反映過，但一直沒有得到回覆。"
                "希望學校儘快安排維修，謝謝！\n\n陳嘉懿",
                _at(13, 21, 37),
                charset="big5",
                cte="base64",
            ),
        ),
        (
            "19-auto-reply.eml",
            _demo_spec(
                19,
                "张伟",
                "zhangwei@example.edu.cn",
                "自动回复: 【受理回执】您的来信已受理（编号 2026-000001）",
                "您好，我正在外地出差，3月20日后回复邮件。急事请致电办公室。\n\n张伟",
                _at(13, 9, 1),
                x_mailer="Coremail Webmail Server Version XT5.0.13 build 20210622(1d4788a8)",
                to="xinxiang+t1@example.edu.cn",
                extra_headers=(
                    ("Auto-Submitted", "auto-replied"),
                    ("X-Autoreply", "yes"),
                    ("In-Reply-To", "<ack.2026-000001.demo@example.edu.cn>"),
                ),
            ),
        ),
    ]
    out = [(name, _build(spec)) for name, spec in specs]
    out.append(("20-bounce.eml", _bounce(20, _at(13, 13, 40))))
    out.append(("21-malformed.eml", _malformed()))
    return out
