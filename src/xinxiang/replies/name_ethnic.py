"""Names without a surname (少数民族人名): Tibetan, Uyghur, Kazakh and Mongolian names as chains
of their syllables (拉巴次仁, 帕提古丽, 其其格), for `replies.redact_names.NameFinder`. A pure
function over a letter's text.
"""

from __future__ import annotations

import re

from xinxiang.replies.name_extend import MORE_MORPHEMES

# Syllables of Tibetan, Uyghur, Kazakh and Mongolian names as written in Chinese (扎西, 次仁,
# 古丽, 买买提, 其其格): such names have no surname, but they are chains of these.
_MORPHEMES = sorted(
    [
        "扎西",
        "次仁",
        "卓玛",
        "多吉",
        "拉巴",
        "央金",
        "尼玛",
        "达瓦",
        "格桑",
        "旦增",
        "平措",
        "索朗",
        "德吉",
        "洛桑",
        "白玛",
        "曲珍",
        "措姆",
        "拉姆",
        "普布",
        "巴桑",
        "边巴",
        "顿珠",
        "次旦",
        "加措",
        "嘎玛",
        "强巴",
        "米玛",
        "益西",
        "罗布",
        "仁青",
        "泽仁",
        "才让",
        "卓嘎",
        "贡布",
        "阿布都",
        "阿不都",
        "阿卜杜",
        "买买提",
        "麦麦提",
        "艾力",
        "吐尔逊",
        "热依木",
        "热依",
        "古丽",
        "阿依",
        "努尔",
        "帕提",
        "迪丽",
        "热娜",
        "阿迪力",
        "艾合",
        "依明",
        "吾斯曼",
        "艾尔肯",
        "阿里木",
        "库尔班",
        "艾山",
        "提江",
        "热合曼",
        "阿曼",
        "木拉提",
        "巴图",
        "巴特尔",
        "其其格",
        "乌兰",
        "苏和",
        "格日勒",
        "斯琴",
        "那仁",
        "额尔敦",
        "图雅",
        "萨仁",
        "朝鲁",
        "宝音",
        "乌云",
        "孟和",
        "阿拉坦",
        "娜扎",
        "热巴",
        "古楞",
        "娜仁",
        # Round 13 (the eleventh writer): 旺堆, 旺姆.
        "旺堆",
        "旺姆",
        *MORE_MORPHEMES,
    ],
    key=len,
    reverse=True,
)
_CHAIN = re.compile(rf"(?:{'|'.join(_MORPHEMES)})+[江木]?")


# Round 13: a word for a person or a naming word right before a name (学生旺堆, 叫次仁).
_ETHNIC_CUE = re.compile(
    r"(?:学生|同学|室友|舍友|老师|师傅|同事|朋友|孩子|儿子|女儿|我叫|名叫|叫做|名字叫|真名|本名"
    r"|藏族|蒙古族|维吾尔族|哈萨克族|身份证上是)$"
)


def ethnic_names(text: str) -> list[str]:
    """Names without a surname made of the syllables above (拉巴次仁, 帕提古丽, 阿布都热依木):
    two syllables or more, or one of three characters (其其格), standing alone between words;
    round 13: one syllable of two, right after a word for a person (学生旺堆, 室友次仁)."""
    found = []
    for m in _CHAIN.finditer(text):
        name = m.group()
        syllables = re.findall("|".join(_MORPHEMES), name)
        cued = _ETHNIC_CUE.search(text, max(0, m.start() - 5), m.start())
        if len(syllables) >= 2 or len(name) >= 3 or cued:
            found.append(name)
    return found
