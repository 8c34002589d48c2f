"""Vocabulary of the sample letters (样例来信): names, colleges, buildings, mail clients, the
topics letters to the 书记校长信箱 are about (subjects, paragraphs, attachment names), Big5 and
English letters, greetings and closings. Data only; `samples` draws from it.

Order matters: `samples` picks by index with a seeded RNG, so adding, removing or reordering
entries changes the generated letters.
"""

from __future__ import annotations

SURNAMES = (
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
GIVEN = (
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
COLLEGES = (
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
BUILDINGS = (
    "西区3号楼",
    "东区7号楼",
    "紫荆公寓12栋",
    "桃李园5号楼",
    "研究生公寓B座",
    "南区11号楼",
)
CANTEENS = ("第一食堂", "第二食堂", "清真餐厅", "桃李园食堂", "学五食堂")
MAILERS = (
    "Foxmail 7.2.25.228[cn]",
    "QQMail 2.x",
    "Coremail Webmail Server Version XT5.0.13 build 20210622(1d4788a8)",
    "Microsoft Outlook 16.0",
    "iPhone Mail (21D61)",
    "NetEase Flash Mail 2.4.1.32",
    None,
)

# topic key -> (subjects, paragraphs, attachment names)
TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
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

BIG5_LETTERS: tuple[tuple[str, str], ...] = (
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

ENGLISH_LETTERS: tuple[tuple[str, str], ...] = (
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

BUILDINGS_TRAD = ("西區3號樓", "東區7號樓", "紫荊公寓12棟", "研究生公寓B座")
TRAD_NAMES = (
    ("陳嘉懿", "chan.kayi"),
    ("黃詠詩", "wong.wingsze"),
    ("林志偉", "lam.chiwai"),
    ("張家豪", "chang.chiahao"),
    ("劉曉彤", "lau.hiutung"),
)
INTL_NAMES = (
    ("Ahmed Khan", "ahmed.khan"),
    ("Maria Ivanova", "m.ivanova"),
    ("Kwame Mensah", "kwame.mensah"),
    ("Nguyen Thi Lan", "lan.nguyen"),
)
COLLEGES_EN = (
    "School of Computer Science",
    "School of Economics and Management",
    "School of Civil Engineering",
    "School of Foreign Languages",
)

GREETINGS = (
    "尊敬的书记、校长：",
    "校长您好！",
    "尊敬的学校领导：",
    "老师您好，",
    "书记、校长好！",
)
CLOSINGS = ("此致\n敬礼！", "谢谢！", "期待您的回复。", "盼复，谢谢！", "")
