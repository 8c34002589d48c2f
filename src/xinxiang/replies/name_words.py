"""The word lists of name finding (人名识别): surnames (百家姓), titles, cue words, and words
that read like names but name no one. Data, and two checks of a word's neighbours in the segmenter's
output (`named_here`, `verb_at`); `replies.redact_names` uses them and
`redaction.toml` extends some (`[names]`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


COMPOUND_SURNAMES = _words(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 澹台 "
    "端木 申屠 独孤 南宫 西门 呼延 百里 东郭 闻人 万俟 赫连 拓跋 濮阳 单于 左丘 公冶 太叔 第五 "
    "公羊 仲孙 谷梁 乐正 漆雕 巫马 公良 梁丘 鲜于 司空 亓官 司寇 颛孙 公西 羊舌 宗政 夹谷 完颜 "
    # Round 18: the rarer ones of the 百家姓 (宰父, 段干, 壤驷 …).
    "宰父 段干 壤驷 归海 公仪 公户 公玉 公仲 商牟 伯赏 汝鄢 涂钦"
)

# The common single-character surnames (百家姓 by frequency), less those that are mostly ordinary
# words in letters (各位老师, 向老师反映, 和同学): 位 向 和 时 全 国 区 …
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖萧田董袁潘蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵"
    "万钱严覃武戴莫孔汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包"
    "宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳"
    "穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂佟臧闵苟邬边卞姬师仇栾隋商刁"
    "沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆冀郁胥班储栗燕楚鄢劳谌奚皮粟冼蔺楼盘满"
    "闻厉伊仝郜阚权帅屠豆朴盖练廉禹井祖漆巴丰卿狄计索晋扈晁芮鹿邸雍辜亓邰赫杭嵇尉冶束昝贝"
    "訾钭危宓幸赖哈阙酆贲郏钮鄂薄羊花占虞"
    # Rarer surnames (百家姓) whose characters are seldom ordinary words in letters (居: its
    # words 居然, 邻居, 居民 are dictionary words the title and slot rules already pass over).
    "蒯麹郗仉缑隗谯禤逄逯郦郄庹濮糜笪璩琚眭钦荀邴隆闾乜迮厍佴茹亢羿桓蔚"
    "伏湛蓬粱弓戎居"
    # Round 10 (the eighth writer): 揭, 宦, 诸 (诸处长; 诸位 takes no title).
    "揭宦诸"
    # Round 14 (the twelfth writer): 容 (辅导员容老师; 内容, 笑容 end a dictionary word).
    "容"
    # Round 19 (the seventeenth writer): 展, 戈 (发展, 展开, 戈壁 are dictionary words).
    "展戈"
    # Round 20 (the eighteenth writer): 裘 (裘皮 is a dictionary word).
    "裘"
)

# Titles and kinship words that follow a surname (张同学 …). One-character ones (X工, X总, X姐)
# are left out: 施工, 区总值班室 and 成绩占总评 read the same way.
TITLES = _words(
    "副处长 副院长 副校长 副书记 副主任 副教授 辅导员 班主任 老师 同学 师傅 阿姨 叔叔 大爷 "
    "大妈 大姐 大哥 经理 主任 处长 科长 院长 校长 书记 教授 医生 大夫 护士 警官 队长 主管 "
    "主席 教官 教练 部长 馆长 老板 总监 组长 班长 站长 所长 会计 律师 博士 师兄 师姐 师弟 "
    "师妹 姐姐 哥哥 奶奶 爷爷 先生 女士 同志 学长 学姐 学弟 学妹 讲师 助教 秘书 干事 导员 "
    "导师 工程师 研究员 司机 保安 宿管 店长 厨师 师父 大叔 大婶 婶婶 小姐 法官 "
    "干部 专员 老总 董事长 总经理 主编 编辑 教员 副科长 副部长 舅舅 姑姑 阿公 阿婆 大伯 伯伯 "
    "姥姥 姥爷 外婆 外公 嫂子 姐夫 表哥 表姐 堂哥 堂姐 博导 硕导 老爷子 老太太 "
    # Round 11: the officers of military training (军训的鲁排长).
    "排长 连长 营长"
    # Round 14: heads of a kindergarten, a press, a works (舒园长, 于社长, 厂长).
    " 园长 社长 厂长 副园长 副社长"
)

# The most common surnames, by frequency: the only ones trusted without a cue word before them.
COMMON_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏吕"
    "丁沈姚卢姜崔钟谭陆汪范廖贾夏韦傅方邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
)

# One-character titles (覃工, 张总, 刘姐, 李哥, 陈导, 张叔): used only with a dictionary
# (see `NameFinder._short_titled`).
SHORT_TITLES = "工总姐哥导叔姨伯队"

# Characters that are surnames only right before a title (于科长, 应老师, 全科长): elsewhere
# they are mostly words (关于, 应该, 全体).
# Round 19: 籍, 滑 (籍老师, 滑队长; 国籍, 书籍, 路滑 elsewhere). Round 20: 时, 秋, 宰
# (时老师, 秋经理, 宰红会计; 主宰, 屠宰 elsewhere).
TITLE_ONLY_SURNAMES = "于应全籍滑时秋宰"
# Round 20: 时 is a surname before a title only where a name may open (时老师 at a line's
# start, 和时老师, 的时老师), not after a verb or a noun (到时老师, 开会时主任).
OPENS_ONLY_SURNAMES = "时"
NAME_OPENERS = "的和跟找问叫给让被向请位与及、，,。！？；：“\"（( \n"

# Words after which a "surname" before a title is a noun (我们班同学, 这届学生, 全班同学).
DETERMINERS = (
    "我们",
    "你们",
    "他们",
    "她们",
    "咱们",
    "这",
    "那",
    "本",
    "该",
    "每",
    "各",
    "全",
    "整",
)

# "小" / "老" + surname words that are ordinary words (小时, 老师 …).
NOT_NICKNAMES = frozenset(
    _words(
        "小时 小钱 小说 小区 小型 小于 小心 小吃 小姐 小孩 小伙 小米 小康 小学 小组 小便 小车 小路 "
        "小麦 小丑 小费 小雨 小平 小明 小强 小朋 小商 小巷 小屋 小班 小卖 小超 小店 小刀 小队 "
        "小雪 小满 小寒 小暑 小桥 小燕 小白 小黑 小红 小花 小草 小鸟 小狗 小猫 小事 小节 小计 "
        "小数 小品 小题 小结 小将 小包 小龙 小号 小方 小宁 小安 小成 小金 小牛 小马 小羊 小鹿 "
        "小熊 小猪 小鱼 小虫 小国 小康 小林子 老师 老家 老人 老板 老乡 老大 老公 老婆 老化 老年 "
        "老旧 老是 老实 老虎 老鼠 老总 老百 老干 老城 老区 老校 老楼 老式 老同 老友 老伴 老少 "
        "老哥 老弟 老兄 老妈 老爸 老爷 老天 老乡 老将 老练 老牌 老字 老路 老汤 老窝 老底 老话 "
        "老套 老样 老些 老远 老早 老成 老高 老钱 老方 老常 老于 老和 老向 老时 老是 老花 老毛 "
        "老马 老牛 老黄 老白 老龙"
    )
)

# Words ending in a surname character that precede a title in ordinary text (班主任老师).
NOT_BEFORE_TITLE = (
    "主任", "责任", "信任", "担任", "兼任", "前任", "现任", "新任", "上任", "委任",
    "宿管", "主管", "分管", "保管", "监管", "托管", "不管", "只管", "尽管",
)  # fmt: skip

# Ordinary words that jieba's dictionary tags as person names (nr): 张贴, 阳光, 顾客 ….
JIEBA_NR_WORDS = _words(
    "武功 王朝 阳光 陆军 卫星 雷达 荣誉 古老 冷笑 武林 明星 权威 封锁 胡同 顾问 王爷 王公 "
    "齐声 祖先 文武 石英 金殿 高潮 黄金周 顾客 辛勤 米粉 古建筑 胡子 王府 叶子 安静 祖宗 白领 "
    "沙滩 师范 梅花 吉祥 范畴 周转 鹿角 孙子 陈述 荣获 丛林 马匹 关怀 林立 明珠 王子 温泉 "
    "白宫 陈列 宫城 宁静 金刚 左翼 师生 冷汗 安抚 高僧 许可 朱红 魏晋 柴禾 杜绝 沙丘 晋升 "
    "童子 祝贺 师母 兰花 岳父 史诗 谢恩 满清 白白 凌厉 沙皇 楚王 师娘 高三 荣耀 胡闹 满怀 "
    "桂花 高悬 马背 乔木 毛巾 麦子 郎中 白布 胡萝卜 张开 金石 朴素 马夫 陈设 华丽 燕子 金字塔 "
    "巴掌 练兵 白发 金黄 林子 林木 杨柳 梅子 安危 查明 胡涂 石柱 杜鹃 张贴 周旋 练功 白云 "
    "田园 高耸 孔雀 王宫 龙王 杜仲 朱砂 史实 张嘴 古文 高明 黎明 周密 高薪 康复 乔迁 苗圃 陈年 "
    "李子 柳树下"
)

# Words jieba's dictionary tags `nr` that say what a person does or is (室友过敏，脸肿了, 同学明白
# 了吗), or are words for people themselves (师傅, 老公).
STATE_WORDS = frozenset(
    _words(
        "过敏 明白 谢谢 康复 保健 冷笑 寻思 齐声 英勇 辛勤 宁可 陈述 荣获 修正 凌辱 关怀 公正 "
        "高明 光荣 宝贵 周转 林立 安静 古老 齐全 封锁 比武 顾问 顾客 师傅 师兄 师哥 老公 小姐 "
        "伯伯 相公 老汉 老夫 大侠 宝贝 白领 祖先 祖宗 子孙 孙子 和尚 明星 权威 智慧 道德 文明"
    )
)

# Public figures and words that segmenters tag as names but that name no one in the letter.
NOT_NAMES = frozenset(
    _words(
        "毛泽东 邓小平 周恩来 刘少奇 朱德 孙中山 鲁迅 孔子 孟子 老子 庄子 马克思 恩格斯 列宁 "
        "习近平 雷锋 李白 杜甫 苏轼 白居易 黄河 长江 华为 小米 高德 金山 马云 马化腾 王府井 文化 "
        "文明 高等 高校 高中 高考 高铁 高新 黄金 白天 白色 江湖 安全 安排 齐全 常规 常见 易于 "
        "成都 成立 明天 明白 明年 任务 任何 任课 任职 应该 应当 方便 方面 方法 方案 关于 关注 "
        "关键 全体 全部 全面 全校 全国 于是 单位 单元 单独 平时 平台 平等 时间 时候 强调 康复 过敏 "
        "申请 申报 宁可 尚未 向前 严重 严格 金额 程序 华南 秦皇岛 万元 云南 何时 何况 余额 钟头 "
        "邓氏 武汉 宋体 包括 管理 路上 伍佰 林业 石油 石家庄 江苏 江西 郑州 洪水 周末 周一 周二 "
        "周三 周四 周五 周六 周日 周年 周边 周围 周期 周到 费用 祝福 祝愿 曾经 解决 解释 宫殿 "
        "司机 司法 党委 党员 景区 师傅 班主任 宿舍楼 师兄 师姐 师弟 师妹 老师 同学 阿姨 叔叔 "
        "程序员 谢谢 感谢 多谢 谢意 欧阳修 司马迁 司马光 诸葛亮 王安石 苏东坡 李清照 辛弃疾 "
        "陶渊明 文天祥 林则徐 钱学森 袁隆平 屠呦呦 蔡元培 梁启超 "
        "王羲之 柳宗元 范仲淹 秦始皇 汉武帝 唐太宗 孔孟 孟冬 毛主席 "
        "金工 王老吉 温馨提示 张家口 张家界 潘家园 马家堡 魏公村 "
        # Literary forms named after a dynasty, brands and dishes that read as names.
        "唐诗 宋词 元曲 汉赋 康师傅 黄焖 "
        "李宁 王致和 王守义 张小泉 马应龙 李锦记 陈克明 老干妈 "
        "周黑鸭 张亮麻辣烫 杨国福麻辣烫 杨铭宇黄焖鸡 袁记云饺 陈香贵 马记永 张拉拉 古茗 钱大妈 "
        "周大福 周生生 今麦郎 李子柒 张君雅 徐福记 姚记 老乡鸡 "
        # Round 16: bike and ride brands (美团和哈啰).
        "哈啰 哈罗 青桔 滴滴 美团 "
        "宫保鸡丁 宫保虾球 麻婆豆腐 东坡肉 东坡肘子 左宗棠鸡 "
        # Round 10: a poet; the months of the old calendar by season (仲秋时节);
        # posts in a dorm (楼长说).
        "艾青 孟春 仲春 季春 孟夏 仲夏 季夏 孟秋 仲秋 季秋 仲冬 季冬 楼长 舍长 楼管 "
        "刘海 常言 常言道 宁夏 甘肃 青海 西藏 新疆 内蒙 广西 广东 山东 山西 河南 河北 湖南 湖北 "
        "安徽 福建 浙江 贵州 四川 辽宁 吉林 黑龙江 海南 陕西 台湾 香港 澳门 重庆 天津 上海 北京 "
    )
) | frozenset(JIEBA_NR_WORDS)

# Round 14: landmarks whose names read as names (东方明珠: 东方 is a surname) — dropped only with
# no word for a person next to them (a teacher may be called 东方明珠: 东方明珠老师).
LANDMARKS = frozenset(_words("东方明珠 东方明珠塔 黄鹤楼 岳阳楼 滕王阁 雷峰塔 白云山"))

# Round 14: figures of world-famous fiction, whole or by a part of a dotted name, and the places
# of their stories (哈利·波特和赫敏在霍格沃茨, 夏洛克·福尔摩斯住在贝克街): no letter writer.
# Only names no parent gives a child (not 郭靖, 华生, 柯南, nor a surname and a given name as
# 贾宝玉, 林黛玉 — letter writers bear those): a found name holding one is dropped.
FICTION = frozenset(
    _words(
        "哈利·波特 赫敏 邓布利多 伏地魔 霍格沃茨 斯内普 马尔福 "
        "夏洛克 福尔摩斯 夏洛克·福尔摩斯 莫里亚蒂 贝克街 "
        "哈姆雷特 罗密欧 堂吉诃德 简·爱 鲁滨逊 格列佛 匹诺曹 "
        "孙悟空 猪八戒 沙和尚 唐僧 白雪公主 灰姑娘 小红帽 哪吒 小龙女 名侦探柯南"
    )
)


# Words for a person, after which a name often follows (导师苏明哲, 我儿子孙浩然).
ROLE_CUES = _words(
    "儿子 女儿 孩子 导师 室友 舍友 同学 学生 新生 老伴 爱人 丈夫 妻子 母亲 父亲 妈妈 爸爸 "
    "职工 员工 骑手 实习生 师兄 师姐 师弟 师妹 教授 辅导员 班长 组长 家长 科长 处长 院长 主任 "
    "教师 外甥 侄子 侄女 徒弟 司机 保安 宿管员 保洁员 我叫 名叫 叫做 名字叫 本人 研究生 "
    "博士生 留学生 交换生 校友 老板 我是 找 和 与 跟 被 让 给 请 由 据 "
    "教官 教练 工友 同事 老乡 朋友 经理 会计 医生 律师 管理员 负责人 经办人 联系人 "
    "宿管 保洁 厨师 书记 校长 副院长 副校长 副处长 班主任 队长 老师叫 同学叫 "
    # Posts in student bodies and clubs, and people by sex or job (社长濮阳天宇, 女生禤慧).
    "社长 副社长 舍长 部长 副部长 会长 副会长 主席 副主席 委员 代表 候选人 干事 团支书 "
    "支书 学委 班委 课代表 女生 男生 门卫 电工 水电工 维修工 "
    # Round 10: who runs a business on campus (承包商丁满仓).
    "承包商 包工头 店主 "
    # Round 12: readers, villagers, partners, landlords (读者武大海, 代表人田守义, 前男友卜凡).
    "读者 村民 代表人 男友 女友 前男友 前女友 男朋友 女朋友 房东 租客 "
    # Round 13: words that say the full or real name follows (全名蒋明亮, 姓名：邰乐乐).
    "全名 真名 大名 姓名 本名 原名 中文名 汉语名 "
    # Round 14: members of a team, a group or a class (队员冀飞扬, 组员…, 学员…).
    "队员 组员 球员 学员 队友 "
    # Round 14: residents and stall holders (小区的居民冯建设), a parent as one calls them
    # (我爸钱永福), and someone of an office (保卫处的武建军).
    "居民 住户 业主 摊主 商户 我爸 我妈 老爸 老妈 处的 科的 办的"
)
# Words for a person right before a nickname (同事老翟, 楼长老鲍, 师姐晴晴, 同学阿强).
PERSON_CUES = _words(
    "同事 同学 室友 舍友 楼长 宿管 师傅 邻居 朋友 老乡 工友 师姐 师妹 师兄 师弟 队友 队员 "
    "宿舍长 班长 组长 孩子 儿子 女儿 战友 "
    # People by their job on campus (门卫老凌, 电工老隋, 社长小林).
    "门卫 电工 水电工 维修工 保安 司机 保洁 厨师 快递员 骑手 管理员 干事 部长 社长 会长 舍长 "
    "领班 店长 队长 团长 组长 帮厨 收银员 楼管 班主任"
)
# Cue words that are not themselves words for a person (找李雷, 由韩立新负责).
WEAK_CUES = frozenset(_words("我是 找 和 与 跟 被 让 给 请 由 据 我叫 名叫 叫做 名字叫 本人"))
# Characters that start the word after a name rather than end a given name (王芳在, 李雷说).
AFTER_NAME = frozenset("的在被说也和与是让把了跟给对从向将就都还又很已一长经等每去来")
# Characters that do not occur in given names but often between a surname-like character and a
# title (班的张同学): a candidate given name holding one is no name.
NOT_GIVEN = frozenset(
    "的了是在和与被把给向对让请找说叫问跟们个位名这那其该此每各有无不也都就还又很太最及或而我你他她它"
)

PINYIN_SURNAMES = frozenset(
    _words(
        "zhang wang li liu chen yang zhao huang zhou wu xu sun hu zhu gao lin he guo ma luo liang "
        "song zheng xie han tang feng yu dong xiao cheng cao yuan deng fu shen zeng peng lu lyu "
        "lv su jiang cai jia ding wei xue ye yan pan du dai xia zhong tian ren fan fang shi yao "
        "tan liao zou xiong jin hao kong bai cui kang mao qiu qin gu hou shao meng long wan duan "
        "lei qian yin yi chang qiao lai gong wen ouyang situ sima zhuge shangguan ge niu xing an "
        "qi pang ni zhuang nie yue zhai yin zhan shen ou geng guan lan jiao zuo liu gan zhu bao "
        "ning shang shu ruan ke ji mei tong ling bi shan pei huo tu miao sheng qu weng ran lou"
    )
)

# Last characters of words for places, bodies and roles, which segmenters now and then tag as
# names (宿舍楼, 师傅), of brands and plants (李宁牌, 常青藤) and of sentences (辛苦了): no given
# name ends so.
NOT_LAST = frozenset(
    "楼傅部处院堂馆室科系组队会局厅所站店厂场市省县区街路舍任师们了啦吧呀吗呢哦牌藤"
)


_SAID = frozenset(["说", "告诉", "认为", "表示", "反映", "同学", "老师", "他们", "她们"])
_NAMING = frozenset(["叫", "名叫", "叫做", "是", "找", "问", "和", "与", "跟"])


# Last characters of names of places (马驹桥, 黄村): listed with one, a word is a place too.
_PLACE_END = frozenset("村乡县屯寺坟街巷站桥庄镇湖")


def named_here(
    tokens: Sequence[tuple[str, str]],
    i: int,
    titles: Sequence[str],
    word: Callable[[str], bool] | None = None,
) -> bool:
    """Whether the words around `tokens[i]` say a person is meant: a word for a person or 叫
    before it, a title or 说 after it (室友吉祥, 吉祥同学, 吉祥说), or another name listed with
    it that is no common `word` itself (杨树、柳树 are two words, 高峰和石磊 two names)."""
    prev = tokens[i - 1][0] if i else ""
    nxt = tokens[i + 1][0] if i + 1 < len(tokens) else ""
    strong = prev in ROLE_CUES and prev not in WEAK_CUES

    def name_tag(k: int) -> str:
        other = tokens[k][0] if 0 <= k < len(tokens) else ""
        if not other or (word is not None and word(other)) or other[-1] in _PLACE_END:
            return ""
        return tokens[k][1]

    after, before = name_tag(i + 2), name_tag(i - 2)
    listed = (
        (nxt in "和与、及" and after.startswith("nr"))
        or (nxt[:1] in "和与、及" and len(nxt) > 1 and name_tag(i + 1).startswith("nr"))  # 和石磊
        or (prev in "和与、及" and before.startswith("nr"))
    )
    return strong or listed or prev in _NAMING or nxt in titles or nxt in _SAID or nxt[:1] in "（("


def verb_at(tokens: Sequence[tuple[str, str]] | None, start: int) -> bool:
    """Whether the segmenter reads the character at `start` as a one-character verb,
    preposition or adverb (戴 / 口罩)."""
    pos = 0
    for word, tag in tokens or ():
        if pos == start:
            return len(word) == 1 and tag[:1] in ("v", "p", "d", "c")
        if pos > start:
            break
        pos += len(word)
    return False


# Words of place and time after a noun (谷雨前后, 林荫道上): after a name they would say where
# someone is, which a letter says with 在 before it (在李明旁边).
_WHERE_AFTER = frozenset(_words("前后 上 上面 里 里面 外 外面 旁边 附近 对面 门口 一带 两旁 两侧"))
# Words for land after a region's old name (荆楚大地, 江淮地区): no person is meant.
_REGION_AFTER = frozenset(_words("大地 大地上 地区 地域 平原 腹地 山区 一带"))
# Round 13: words of a road after a name it is named by (卫东|路上的车站, 建国|路口, 向阳|大街):
# a road, not a person — wherever they stand but 路上, which also says where someone was
# (王强路上摔了): that one only where the word opens a clause.
_ROAD_AFTER = frozenset(
    _words("路 街 大街 大道 路口 路边 路旁 路段 路东 路西 路南 路北 街口 街道 胡同 路与 路和")
)
# Last characters of two-character names of places (黄村, 马镇): no given name is these.
PLACE_LAST = frozenset("村乡县屯寺坟街巷站")


# Round 12: what makes a building of an ordinary word (宿舍|楼, 图书|馆): no given name ends so
# after a word of the dictionary.
BUILDING_LAST = frozenset("楼馆厅舍房")
# Round 13: what makes a fitting or a piece of furniture of a word the dictionary counts often,
# whatever its tag (毛巾|架: jieba tags 毛巾 a name; 晾衣|杆, 饮水|机): no given name ends so.
THING_LAST = frozenset("架柜杆桌椅凳柄盒箱袋筐桶盆壶罩垫帘器机")
# Round 12: a question word that opens a word with what follows (江月何|年初照人 reads 何年):
# a line of verse, not a name ending in 何.
QUESTION_AFTER_HE = frozenset("年时处日以必况等方故尝曾")


def no_one_tagged(
    text: str,
    pos: int,
    word: str,
    lexicon: Callable[[str], bool] | None,
    common: Callable[[str], bool] | None = None,
) -> bool:
    """Round 12: whether `word`, tagged a name at `pos` of `text`, is a building named by an
    ordinary word (宿舍楼: `lexicon` holds 宿舍) or ends in 何 opening a word with what follows
    (江月何|年初); round 13: or a fitting named by a word `common` counts often (毛巾架)."""
    after = text[pos + len(word) : pos + len(word) + 1]
    if word.endswith("何") and len(word) >= 3 and after in QUESTION_AFTER_HE:
        return True
    if len(word) == 3 and word[-1] in THING_LAST and common is not None and common(word[:2]):
        return True
    return (
        len(word) == 3 and word[-1] in BUILDING_LAST and lexicon is not None and lexicon(word[:2])
    )


def thing_here(tokens: Sequence[tuple[str, str]], i: int) -> bool:
    """Whether the word `tokens[i]`, tagged a name, reads as a place or a thing: it opens a
    clause and a word of place follows (谷雨前后, 林荫道上的), or it ends as places do (黄村)."""
    word = tokens[i][0]
    if len(word) == 2 and word[-1] in PLACE_LAST:
        return True
    opens = i == 0 or not any(c.isalnum() for c in tokens[i - 1][0])
    nxt = tokens[i + 1][0] if i + 1 < len(tokens) else ""
    # Round 12: a region before a word for land (荆楚大地, 齐鲁地区), wherever it stands.
    # Round 13: a road named by the word (卫东路上的车站).
    return (
        (opens and nxt in _WHERE_AFTER | {"路上", "街上"})
        or nxt in _REGION_AFTER
        or nxt in _ROAD_AFTER
    )
