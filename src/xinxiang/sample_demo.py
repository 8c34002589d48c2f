"""The demo mailbox (演示信箱): about twenty named raw messages for `xinxiang demo`.

Hand-written letters (an emergency, a praise, a legal-channel matter, English and Big5 letters,
【公开】 and 同意公开) built like the sample letters, plus the noise a real mailbox holds: an
auto-reply, a bounce and one message that is not mail at all. Deterministic bytes.
"""

from __future__ import annotations

import random
from datetime import datetime
from email.utils import format_datetime

from xinxiang.sample_mime import CST, Spec, attachment, build


def _at(day: int, hour: int, minute: int) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=CST)


def _demo_spec(
    n: int, name: str, addr: str, subject: str, body: str, when: datetime, **kw: object
) -> Spec:
    domain = addr.rsplit("@", 1)[1]
    return Spec(
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
    att = attachment
    specs: list[tuple[str, Spec]] = [
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
    out = [(name, build(spec)) for name, spec in specs]
    out.append(("20-bounce.eml", _bounce(20, _at(13, 13, 40))))
    out.append(("21-malformed.eml", _malformed()))
    return out
