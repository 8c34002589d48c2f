"""Finding people's names (人名) in a letter or an answer, for redaction.

A name is found by any of four cues, each a pure function over the text:

- a segmenter's part-of-speech tag for person names (jieba's `posseg` `nr`, see `jieba_tagger`),
  kept only when it reads as a Chinese name (a known surname, 2–4 characters, not a public
  figure);
- a surname before a title or kinship word (张同学, 王老师, 李师傅, 刘阿姨, 赵处长) or after 小/老
  (小王, 老杨);
- the signature: the last short lines of a letter (王小明 / 学生：王小明 / 刘晓燕 敬上);
- a romanised name (Zhang San, WANG Fang, Liu, Guilan) whose surname and given name are pinyin.

`NameFinder.find` returns the names as strings; the redactor then hides every occurrence of each,
so a name found once (in the signature, say) is hidden wherever it appears.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

# Word and part-of-speech tag, as a segmenter yields them.
Tagger = Callable[[str], Iterable[tuple[str, str]]]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


COMPOUND_SURNAMES = _words(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 澹台 "
    "端木 申屠 独孤 南宫 西门 呼延 百里 东郭 闻人 万俟 赫连 拓跋"
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
)

# Titles and kinship words that follow a surname (张同学 …). One-character ones (X工, X总, X姐)
# are left out: 施工, 区总值班室 and 成绩占总评 read the same way.
TITLES = _words(
    "副处长 副院长 副校长 副书记 副主任 副教授 辅导员 班主任 老师 同学 师傅 阿姨 叔叔 大爷 "
    "大妈 大姐 大哥 经理 主任 处长 科长 院长 校长 书记 教授 医生 大夫 护士 警官 队长 主管 "
    "主席 教官 教练 部长 馆长 老板 总监 组长 班长 站长 所长 会计 律师 博士 师兄 师姐 师弟 "
    "师妹 姐姐 哥哥 奶奶 爷爷 先生 女士 同志 学长 学姐 学弟 学妹 讲师 助教 秘书 干事 导员 "
    "导师 工程师 研究员 司机 保安 宿管 店长 厨师 师父 大叔 大婶 婶婶"
)

# The most common surnames, by frequency: the only ones trusted without a cue word before them.
COMMON_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏吕"
    "丁沈姚卢姜崔钟谭陆汪范廖贾夏韦傅方邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
)

# One-character titles (覃工, 张总, 刘姐, 李哥): used only with a dictionary (see `_short_titled`).
SHORT_TITLES = "工总姐哥"

# "小" / "老" + surname words that are ordinary words (小时, 老师 …).
NOT_NICKNAMES = frozenset(
    _words(
        "小时 小说 小区 小型 小于 小心 小吃 小姐 小孩 小伙 小米 小康 小学 小组 小便 小车 小路 "
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
NOT_BEFORE_TITLE = ("主任", "责任", "信任", "担任", "兼任", "前任", "现任", "新任", "上任", "委任")

# Ordinary words that jieba's dictionary tags as person names (nr): 张贴, 阳光, 顾客 ….
_JIEBA_NR_WORDS = _words(
    "武功 王朝 阳光 陆军 卫星 雷达 荣誉 古老 冷笑 武林 明星 权威 封锁 胡同 顾问 王爷 王公 "
    "齐声 祖先 文武 石英 金殿 高潮 黄金周 顾客 辛勤 米粉 古建筑 胡子 王府 叶子 安静 祖宗 白领 "
    "沙滩 师范 梅花 吉祥 范畴 周转 鹿角 孙子 陈述 荣获 丛林 马匹 关怀 林立 明珠 王子 温泉 "
    "白宫 陈列 宫城 宁静 金刚 左翼 师生 冷汗 安抚 高僧 许可 朱红 魏晋 柴禾 杜绝 沙丘 晋升 "
    "童子 祝贺 师母 兰花 岳父 史诗 谢恩 满清 白白 凌厉 沙皇 楚王 师娘 高三 荣耀 胡闹 满怀 "
    "桂花 高悬 马背 乔木 毛巾 麦子 郎中 白布 胡萝卜 张开 金石 朴素 马夫 陈设 华丽 燕子 金字塔 "
    "巴掌 练兵 白发 金黄 林子 林木 杨柳 梅子 安危 查明 胡涂 石柱 杜鹃 张贴 周旋 练功 白云 "
    "田园 高耸 孔雀 王宫 龙王 杜仲 朱砂 史实 张嘴 古文 高明 黎明 周密 高薪 康复"
)

# Public figures and words that segmenters tag as names but that name no one in the letter.
NOT_NAMES = frozenset(
    _words(
        "毛泽东 邓小平 周恩来 刘少奇 朱德 孙中山 鲁迅 孔子 孟子 老子 庄子 马克思 恩格斯 列宁 "
        "习近平 雷锋 李白 杜甫 苏轼 白居易 黄河 长江 华为 小米 高德 金山 马云 马化腾 王府井 文化 "
        "文明 高等 高校 高中 高考 高铁 高新 黄金 白天 白色 江湖 安全 安排 齐全 常规 常见 易于 "
        "成都 成立 明天 明白 明年 任务 任何 任课 任职 应该 应当 方便 方面 方法 方案 关于 关注 "
        "关键 全体 全部 全面 全校 全国 于是 单位 单元 单独 平时 平台 平等 时间 时候 强调 康复 "
        "申请 申报 宁可 尚未 向前 严重 严格 金额 程序 华南 秦皇岛 万元 云南 何时 何况 余额 钟头 "
        "邓氏 武汉 宋体 包括 管理 路上 伍佰 林业 石油 石家庄 江苏 江西 郑州 洪水 周末 周一 周二 "
        "周三 周四 周五 周六 周日 周年 周边 周围 周期 周到 费用 祝福 祝愿 曾经 解决 解释 宫殿 "
        "司机 司法 党委 党员 景区 师傅 班主任 宿舍楼 师兄 师姐 师弟 师妹 老师 同学 阿姨 叔叔 "
        "程序员 谢谢 感谢 多谢 谢意"
    )
) | frozenset(_JIEBA_NR_WORDS)

_HAN = "\u4e00-\u9fff"
# Words for a person, after which a name often follows (导师苏明哲, 我儿子孙浩然).
ROLE_CUES = _words(
    "儿子 女儿 孩子 导师 室友 舍友 同学 学生 新生 老伴 爱人 丈夫 妻子 母亲 父亲 妈妈 爸爸 "
    "职工 员工 骑手 实习生 师兄 师姐 师弟 师妹 教授 辅导员 班长 组长 家长 科长 处长 院长 主任 "
    "教师 外甥 侄子 侄女 徒弟 司机 保安 宿管员 保洁员 我叫 名叫 叫做 名字叫 本人 研究生 "
    "博士生 留学生 交换生 校友 老板 我是 找 和 与 跟 被 让 给 请 由 据"
)
# Cue words that are not themselves words for a person (找李雷, 由韩立新负责).
_WEAK_CUES = frozenset(_words("我是 找 和 与 跟 被 让 给 请 由 据 我叫 名叫 叫做 名字叫 本人"))
# Characters that start the word after a name rather than end a given name (王芳在, 李雷说).
_AFTER_NAME = frozenset("的在被说也和与是让把了跟给对从向将就都还又很已一长经等每去来")
# Characters that do not occur in given names but often between a surname-like character and a
# title (班的张同学): a candidate given name holding one is no name.
_NOT_GIVEN = frozenset(
    "的了是在和与被把给向对让请找说叫问跟们个位名这那其该此每各有无不也都就还又很太最及或而我你他她它"
)
_ROLE_PREFIX = re.compile(
    rf"^(?:[{_HAN}]{{0,8}}?(?:学生|家长|父亲|母亲|教师|教职工|教工|职工|员工|校友|工友|署名|落款|"
    r"联系人|举报人|来信人|写信人|本人|我)\s*[:：]?\s*)"
)
_SIGN_HEAD = re.compile(rf"^([{_HAN}]{{2,4}})(?=[\s（(，,、\d]|$)")
_SIGN_OFF = re.compile(r"\s*(?:敬上|敬呈|谨上|拜上|敬启|上|谨呈|启)\s*$")
_PINYIN_SURNAMES = frozenset(
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
_PINYIN_SYLLABLE = (
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|van|ai|ei|ao|ou|an|en|in|un|vn|"
    r"er|ia|ie|iu|ua|uo|ui|ve|ue|a|o|e|i|u|v)"
)
_GIVEN = re.compile(rf"(?:{_PINYIN_SYLLABLE}){{1,2}}")
_HONORIFIC = re.compile(
    r"(?<![A-Za-z])(?:Prof|Dr|Mr|Ms|Mrs|Miss|Madam)\.?\s([A-Z][a-z]{1,7})(?![A-Za-z])"
)
# zhang san, written in lower case inside a Chinese sentence (not inside English words).
_ROMAN_LOWER = re.compile(
    r"(?<=[\u4e00-\u9fff（(“：:，,、])\s?(?P<sur>[a-z]{1,9}) (?P<given>[a-z]{1,12})"
    r"(?=\s?[\u4e00-\u9fff（()）”，,。、]|$)"
)
_ROMAN = re.compile(
    r"(?<![A-Za-z])(?:(?:Prof|Dr|Mr|Ms|Mrs|Miss)\.?\s)?"
    r"(?P<sur>[A-Z][a-z]{0,7}|[A-Z]{2,8})(?P<sep>,?\s)(?P<given>[A-Z][a-z]{1,11}|[A-Z]{2,12})"
    r"(?![A-Za-z])"
)


# Last characters of words for places, bodies and roles, which segmenters now and then tag as
# names (宿舍楼, 师傅): no given name ends so.
_NOT_LAST = frozenset("楼傅部处院堂馆室科系组队会局厅所站店厂场市省县街路舍任师们")


_LONG_TITLES = tuple(t for t in TITLES if len(t) >= 2)


def _looks_chinese_name(word: str) -> bool:
    """2–4 Han characters that start with a known surname and are not a known non-name."""
    if not 2 <= len(word) <= 4 or not all("\u4e00" <= c <= "\u9fff" for c in word):
        return False
    if word in NOT_NAMES or word[-1] in _NOT_LAST:
        return False
    if any(word.endswith(t) for t in _LONG_TITLES if len(word) > len(t)):
        return False  # 龚同学, 童医生: a surname and a title, not a name
    if word[:2] in COMPOUND_SURNAMES:
        return len(word) >= 3
    return word[0] in SURNAMES and len(word) <= 3


def roman_names(text: str) -> list[str]:
    """Romanised names: a pinyin surname and a pinyin given name (Zhang San, LIU, Guilan)."""
    found = [m.group(0) for m in _HONORIFIC.finditer(text) if m[1].lower() in _PINYIN_SURNAMES]
    for m in _ROMAN_LOWER.finditer(text):
        sur, given = m.group("sur"), m.group("given")
        if sur in _PINYIN_SURNAMES and _GIVEN.fullmatch(given):
            found.append(m.group(0))
    for m in _ROMAN.finditer(text):
        sur, given = m.group("sur").lower(), m.group("given").lower()
        if sur in _PINYIN_SURNAMES and _GIVEN.fullmatch(given):
            found.append(m.group("sur") + m.group("sep") + m.group("given"))
        elif given in _PINYIN_SURNAMES and _GIVEN.fullmatch(sur) and m.group("sep") == " ":
            # Given name first, as in English-language mail (Xiaoming Li).
            found.append(m.group("sur") + " " + m.group("given"))
    return found


def display_name_terms(display: str) -> tuple[str, ...]:
    """What of a mail's display name to hide as the petitioner's name: a name (王小明, and 小明),
    a nickname (小王) or a romanised name (Zhang San); nothing for a role or a pseudonym
    (家长, 匿名举报, 研究生会), which would otherwise be hidden wherever the word occurs."""
    display = display.strip()
    if _looks_chinese_name(display):
        given = display[-2:] if len(display) >= 3 else ""
        return (display, given) if given and given not in NOT_NAMES else (display,)
    if re.fullmatch(r"[小老][\u4e00-\u9fff]", display) and display[1] in SURNAMES:
        return (display,)
    if roman_names(display) == [display]:
        return (display,)
    return ()


def signature_names(text: str) -> list[str]:
    """Names in the signature (落款): the last three non-empty short lines of a letter.

    The name may stand alone, after a role (学生：王小明), before a sign-off (刘晓燕 敬上) or
    before what follows it on the line (王小明（计算机学院）, 罗丹 138…, —— 吴晓丽).
    """
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()][-3:]
    found = []
    for line in lines:
        if len(line) > 40:
            continue
        # Whatever stands before a colon is a role (教工：, 联系人:).
        line = re.split(r"[:：]", line)[-1]
        core = _SIGN_OFF.sub("", _ROLE_PREFIX.sub("", line.lstrip("—-－ "))).strip(" ，,。.:：")
        head = _SIGN_HEAD.match(core)
        if _looks_chinese_name(core):
            found.append(core)
        elif head and _looks_chinese_name(head.group(1)):
            found.append(head.group(1))
        elif roman := roman_names(core):
            found.extend(roman)
    return found


_LIST_AFTER = re.compile(
    rf"^(?:、|和|与|及|以及|，)([{_HAN}]{{2,3}}?)(?=、|和|与|及|等|[，,。（(）)]|都|也|$)"
)
_LIST_BEFORE = re.compile(rf"(?:[、，,的与和及]|^)([{_HAN}]{{2,3}})(?:、|和|与|及)$")


def _neighbours(segment: str, before: bool) -> list[str]:
    """The item next to a name in a list (、 和 与 及), on the side `segment` lies."""
    m = (_LIST_BEFORE if before else _LIST_AFTER).search(segment)
    return [m.group(1)] if m else []


def _transliterated(tokens: Sequence[tuple[str, str]]) -> list[str]:
    """A transliterated name right after a word for a person (学生阿卜杜拉, 留学生买买提江):
    nouns in a row, at least one tagged as a name, 3–6 Han characters in all."""
    run: list[tuple[str, str]] = []
    for word, tag in tokens:
        if not (tag.startswith("n") and all("\u4e00" <= c <= "\u9fff" for c in word)):
            break
        run.append((word, tag))
    while run:
        name = "".join(w for w, _ in run)
        if 3 <= len(name) <= 6 and any(t.startswith("nr") for _, t in run):
            return [name]
        run.pop()
    return []


def _word_ends(text: str, tokens: list[tuple[str, str]] | None) -> set[int] | None:
    """Offsets where the segmenter ends a word (None without a segmenter)."""
    if tokens is None:
        return None
    ends, pos = {len(text)}, 0
    for word, _ in tokens:
        pos += len(word)
        ends.add(pos)
    return ends


@dataclass(frozen=True)
class NameFinder:
    """Finds people's names in text; its word lists can be extended from `redaction.toml`."""

    tagger: Tagger | None = None
    titles: tuple[str, ...] = tuple(TITLES)
    surnames: frozenset[str] = SURNAMES
    not_names: frozenset[str] = NOT_NAMES
    not_nicknames: frozenset[str] = NOT_NICKNAMES
    not_before_title: tuple[str, ...] = NOT_BEFORE_TITLE
    lexicon: Callable[[str], bool] | None = None
    _title_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _short_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _cue_re: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        titles = "|".join(re.escape(t) for t in sorted(set(self.titles), key=len, reverse=True))
        after = "".join(sorted(_AFTER_NAME))
        compound = "|".join(COMPOUND_SURNAMES)
        single = "".join(sorted(self.surnames))
        pattern = (
            # 小王 / 老杨: a nickname, not inside a longer word.
            rf"(?P<nick>(?<![{_HAN}])[小老][{single}])(?![{_HAN}]{{2}}|们)"
            rf"|(?P<nick2>[小老][{single}])(?=同学|老师|师傅|可以|[{after}，,。、：:；;！!？?\s（()）“”]|$)"
            # 张同学 / 欧阳老师 / 王建国老师: the surname (and given name) before a title.
            rf"|(?P<sur>(?:{compound})|[{single}])(?P<given>[{_HAN}]{{0,2}}?)"
            rf"(?=(?:{titles})(?!们))"
        )
        object.__setattr__(self, "_title_re", re.compile(pattern))
        short = rf"(?P<sur>[{single}])(?P<t>[{SHORT_TITLES}])(?P<next>[{_HAN}]?)"
        object.__setattr__(self, "_short_re", re.compile(short))
        cues = "|".join(sorted(ROLE_CUES, key=len, reverse=True))
        cue = (
            rf"(?:{cues})(?P<sur>{compound}|[{single}])(?P<given>[{_HAN}]{{1,2}})"
            # A clause that opens with a name and goes on with a verb (。方圆也知道).
            rf"|(?:^|(?<=[。！？!?\n；;，,]))(?P<sur2>[{COMMON_SURNAMES}])(?P<given2>[{_HAN}]{{1,2}}?)"
            rf"(?=[{after}])"
        )
        object.__setattr__(self, "_cue_re", re.compile(cue, re.M))

    def cued(self, text: str, tokens: list[tuple[str, str]] | None = None) -> list[str]:
        """Names right after a word for a person (导师苏明哲, 我儿子孙浩然, 骑手易大军).

        Three characters unless the third reads as the next word (王芳在 → 王芳); a candidate
        the dictionary knows as an ordinary word (我是计算机学院), or that would end inside a
        word the segmenter sees (由党政办公室), is none.
        """
        found = []
        ends = _word_ends(text, tokens if tokens is not None else self.tokens(text))
        for m in self._cue_re.finditer(text):
            opening = m.group("sur") is None
            if opening and ends is None:
                continue  # without a segmenter the opening cue is too loose
            sur = m.group("sur2") if opening else m.group("sur")
            given = m.group("given2") if opening else m.group("given")
            if len(given) == 2 and given[1] in _AFTER_NAME:
                given = given[:1]
            start = m.start("sur2") if opening else m.start("sur")
            for word in (sur + given, sur + given[:1]) if len(given) == 2 else (sur + given,):
                if self.lexicon is not None and self.lexicon(word):
                    continue
                if ends is not None and start + len(word) not in ends:
                    continue
                if _looks_chinese_name(word) and word not in self.not_names:
                    found.append(word)
                break
        return found

    def titled(self, text: str) -> list[tuple[int, int]]:
        """Spans of surnames before a title (张同学 → 张) and of nicknames (小王).

        Spans, not strings: one surname character must not be hidden everywhere it occurs.
        """
        spans = []
        pos = 0
        while (m := self._title_re.search(text, pos)) is not None:
            pos = m.start() + 1
            nick = m.group("nick") or m.group("nick2")
            if nick:
                if nick not in self.not_nicknames:
                    spans.append(m.span("nick") if m.group("nick") else m.span("nick2"))
                    pos = m.end()
                continue
            bigram = text[max(0, m.start() - 1) : m.start() + 1]
            if (
                bigram in self.not_before_title
                or bigram in self.not_names
                or (len(bigram) == 2 and self.lexicon is not None and self.lexicon(bigram))
            ):
                continue  # 班主任老师, 谢谢老师: the "surname" ends an ordinary word
            if any(text.startswith(w, m.start()) for w in self.not_names if len(w) > 2):
                continue  # 班主任老师: the "surname" opens an ordinary word
            given = m.group("given")
            word = m.group("sur") + given
            if given and (set(given) & _NOT_GIVEN or not _looks_chinese_name(word)):
                continue
            if given and self.lexicon is not None and self.lexicon(word):
                continue  # 谢谢老师
            if word not in self.not_names:
                spans.append((m.start(), m.end()))
                pos = m.end()
        return spans + self._short_titled(text)

    def _short_titled(self, text: str) -> list[tuple[int, int]]:
        """Surnames before a one-character title (覃工, 张总, 刘姐), only with a dictionary.

        施工, 员工 and 总结, 工作 read the same way: neither the surname with the title nor the
        title with what follows may be an ordinary word.
        """
        if self.lexicon is None:
            return []
        spans = []
        for m in self._short_re.finditer(text):
            sur, title, nxt = m.group("sur"), m.group("t"), m.group("next")
            if self.lexicon(sur + title) or (nxt and self.lexicon(title + nxt)):
                continue
            if self.lexicon(text[max(0, m.start() - 1) : m.start() + 1]):
                continue
            spans.append(m.span("sur"))
        return spans

    def tokens(self, text: str) -> list[tuple[str, str]] | None:
        """The segmenter's words and tags for `text` (None without a segmenter)."""
        return None if self.tagger is None else list(self.tagger(text))

    def tagged(self, text: str, tokens: list[tuple[str, str]] | None = None) -> list[str]:
        """Names the segmenter tags `nr*`, filtered to plausible Chinese names.

        `tokens` are `self.tokens(text)` when the caller has them already (segmenting is the
        slow part of redaction).
        """
        if tokens is None:
            tokens = self.tokens(text)
        if tokens is None:
            return []
        found = []
        prev = ""
        for i, (word, tag) in enumerate(tokens):
            if word in ROLE_CUES and word not in _WEAK_CUES:
                found += _transliterated(tokens[i + 1 : i + 4])
            if tag.startswith("nr"):
                if _looks_chinese_name(word) and word not in self.not_names:
                    found.append(word)
                elif (
                    len(word) == 2
                    and len(prev) == 1
                    and prev in self.surnames
                    and _looks_chinese_name(prev + word)
                ):
                    # The segmenter split off the surname (祁 / 天宇).
                    found.append(prev + word)
            prev = word
        return found

    def listed(self, text: str, names: Iterable[str]) -> list[str]:
        """Names listed with a found one (李雷、韩梅梅和王芳): 2–3 characters from a surname."""
        found = []
        for name in names:
            if len(name) < 2:
                continue
            for m in re.finditer(re.escape(name), text):
                after, before = text[m.end() : m.end() + 8], text[max(0, m.start() - 8) : m.start()]
                for seg, is_before in ((after, False), (before, True)):
                    for cand in _neighbours(seg, is_before):
                        ordinary = self.lexicon is not None and self.lexicon(cand)
                        plausible = _looks_chinese_name(cand) and cand not in self.not_names
                        if plausible and not ordinary:
                            found.append(cand)
        return found

    def find(self, text: str, known: Sequence[str] = ()) -> list[str]:
        """Full names in `text` (plus `known` names), longest first, without duplicates.

        Surname + title spans are not here (see `titled`): only names of two or more characters,
        which can safely be hidden wherever they occur.
        """
        tokens = self.tokens(text)
        names = {
            *self.tagged(text, tokens),
            *self.cued(text, tokens),
            *signature_names(text),
            *roman_names(text),
            *known,
        }
        names.update(self.listed(text, list(names)))
        return sorted((n for n in names if n.strip()), key=len, reverse=True)
