"""Signatures (落款): the name a letter is signed with, in its last short lines.

The name may stand alone, after a role (学生：王小明), before a sign-off (刘晓燕 敬上), before
what follows it on the line (王小明（计算机学院）, 罗丹 138…, —— 吴晓丽), or after the writer's
school, class or year and before a date (计算机学院2023级 蒯振华 / 2026年12月1日).
Used by `replies.redact_names.NameFinder.find`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from xinxiang.replies.name_words import COMPOUND_SURNAMES, NOT_LAST, NOT_NAMES, SURNAMES, TITLES
from xinxiang.replies.roman_names import english_first_name, roman_names

_HAN = "\u4e00-\u9fff"
_ROLE_PREFIX = re.compile(
    rf"^(?:[{_HAN}]{{0,8}}?(?:学生|家长|父亲|母亲|教师|教职工|教工|职工|员工|校友|工友|署名|落款|"
    r"联系人|举报人|来信人|写信人|本人|我)\s*[:：]?\s*)"
)
_SIGN_HEAD = re.compile(rf"^([{_HAN}]{{2,4}})(?=[\s（(，,、\d]|$)")
_SIGN_OFF = re.compile(r"\s*(?:敬上|敬呈|谨上|拜上|敬启|上|谨呈|启)\s*$")
_LONG_TITLES = tuple(t for t in TITLES if len(t) >= 2)


def looks_chinese_name(word: str) -> bool:
    """2–4 Han characters that start with a known surname and are not a known non-name."""
    if not 2 <= len(word) <= 4 or not all("\u4e00" <= c <= "\u9fff" for c in word):
        return False
    if word in NOT_NAMES or word[-1] in NOT_LAST:
        return False
    if any(word.endswith(t) for t in _LONG_TITLES if len(word) > len(t)):
        return False  # 龚同学, 童医生: a surname and a title, not a name
    if word[:2] in COMPOUND_SURNAMES:
        return len(word) >= 3
    return word[0] in SURNAMES and len(word) <= 3


# A date (2026年12月1日, 2026.12.3, 12月2日, 2026-12-01), a phone number, brackets.
_DATE = re.compile(
    r"\d{2,4}\s*[年./\-]\s*\d{1,2}\s*(?:[月./\-]\s*\d{1,2}\s*日?)?|\d{1,2}\s*月\s*\d{1,2}\s*[日号]"
    r"|[一二三四五六七八九十〇零]{2,4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日"
)
_PHONE = re.compile(r"[+\d][\d\s\-]{6,}\d")
_BRACKETS = re.compile(r"[（(][^）)]*[）)]")
_CLOSING = re.compile(
    r"^(?:此致|敬礼|此致敬礼|祝好|谢谢|感谢|致敬|顺祝|祝|盼复|期待回复|谢谢您|万分感谢)[！!，,。\s]*"
)
# What may follow the name at the end of the line: a sign-off, 同学, or a parent's word after the
# child's name (张扬妈妈: the child is named).
_SIGN_END = re.compile(
    r"(?:敬上|敬呈|谨上|拜上|敬启|谨呈|谨启|上|启|书|留|同学|同学敬上|妈妈|爸爸|家长|母亲|父亲)$"
)
# What stands before the name: a school, a major, a class, a year, a role.
_AFFILIATION = re.compile(
    r"^.*(?:学院|学部|书院|中心|系|专业|班|级|届|学生|家长|母亲|父亲|妈妈|爸爸|校友|职工|教工|"
    r"教师|员工|研究生|博士生|本科生|新生|大[一二三四五]|研[一二三]|博[一二三四]|[：:]|——|—|-)"
)


def signature_line(line: str) -> str:
    """What is left of a signature line for the name: `line` without a date, a phone number,
    brackets, a closing (此致敬礼), a sign-off (敬上) and an affiliation before the name
    (计算机学院2023级 蒯振华 → 蒯振华); "" when nothing is left."""
    core = _BRACKETS.sub(" ", _PHONE.sub(" ", _DATE.sub(" ", line)))
    core = _CLOSING.sub("", core.strip(" —-－·,，。.:："))
    parts = [p for p in re.split(r"[\s，,]+", core) if p]
    if not parts:
        return ""
    last = _AFFILIATION.sub("", parts[-1]) or (parts[-1] if len(parts) == 1 else "")
    last = _SIGN_END.sub("", last).strip("—-－·：:")
    if not last and len(parts) >= 2:
        last = _AFFILIATION.sub("", parts[-2]) or parts[-2]
    return last if re.fullmatch(rf"[{_HAN}]{{2,4}}", last) else ""


_EMAIL_AFTER = re.compile(r"(?<=[A-Za-z\u4e00-\u9fff])\s+[\w.+\-]+@[\w.\-]+\s*$")


def signature_names(text: str, known: Callable[[str], bool] | None = None) -> list[str]:
    """Names in the signature (落款): the last three non-empty short lines of a letter; `known`
    says a word is an ordinary one, which a given name signing alone (思源 谨上) is not.

    The name may stand alone, after a role (学生：王小明), before a sign-off (刘晓燕 敬上) or
    before what follows it on the line (王小明（计算机学院）, 罗丹 138…, —— 吴晓丽).
    """
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()][-3:]
    found = []
    # The last line with a name's room in it (not a date alone): a given name alone may sign it.
    final = max((i for i, ln in enumerate(lines) if signature_line(ln)), default=-1)
    for i, line in enumerate(lines):
        if len(line) > 40 or line.startswith("此致"):  # 此致敬礼 on one line signs no one
            continue
        line = _EMAIL_AFTER.sub("", line)  # ——Tina tina_cx@…: the name before an address
        # Whatever stands before a colon is a role (教工：, 联系人:) — unless what follows holds
        # no Han character: then the colon ends a contact label after the name (晓晓 扣扣：6752…).
        head_part, _, rest = line.rpartition("：") if "：" in line else line.rpartition(":")
        if head_part and not re.search(rf"[{_HAN}]", rest) and re.search(rf"[{_HAN}]", head_part):
            line = _CONTACT_LABEL.sub("", head_part).strip()
        else:
            line = re.split(r"[:：]", line)[-1]
        core = _SIGN_OFF.sub("", _ROLE_PREFIX.sub("", line.lstrip("—-－ "))).strip(" ，,。.:：")
        head = _SIGN_HEAD.match(core)
        sentence = re.search(r"[？?！!。]\s*$", line) is not None
        if together := _signed_together(core, known):
            found.extend(together)  # Round 19: 顾北辰 言志远, Mia & Leo
        elif looks_chinese_name(core):
            found.append(core)
        elif sentence:
            continue  # 高数、线代等课程的补考安排出来了吗？ is a sentence, not a signature
        elif head and looks_chinese_name(head.group(1)):
            found.append(head.group(1))
        elif roman := roman_names(core):
            found.extend(roman)
        elif english_first_name(core):
            found.append(core)  # Jason
        elif _SIGN_NICK.fullmatch(core) and core not in NOT_NAMES and not (known and known(core)):
            found.append(core)  # 晓晓, 阿杰, 杜先生
        elif i == len(lines) - 1 and _last_nick(nick := _last_word(line, core)):
            # —— 星星, 胖胖, 老四: a nickname alone signs the letter, even a word.
            found.append(nick)
        elif i == len(lines) - 1 and (pair := _last_pair(core)):
            found.extend(pair)  # ——518的小付和阿强: two nicknames sign together
        elif i == len(lines) - 1 and _INITIAL_NAME.fullmatch(core):
            found.append(core)  # K. Watanabe: an initial and a surname
        elif (bare := signature_line(line)) and _signed(bare, known, i == final):
            found.append(bare)  # 计算机学院2023级 蒯振华 / 2026年12月1日
    return found


def _signed(word: str, known: Callable[[str], bool] | None, last: bool) -> bool:
    """Whether what is left of a signature line is a name: a full name, 老X/小X, or on the last
    line a two-character word the dictionary does not hold (思源 谨上)."""
    if looks_chinese_name(word) or re.fullmatch(rf"[小老][{''.join(SURNAMES)}]", word):
        return True
    ordinary = word in NOT_NAMES or known is None or known(word)
    return last and len(word) == 2 and not ordinary


# The label of a contact that follows a name on a signature line (晓晓 扣扣：…).
_CONTACT_LABEL = re.compile(
    r"\s*(?:电话|手机|手机号|扣扣|QQ|qq|微信|微信号|邮箱|Tel|tel|E-mail|email)$"
)
# A doubled word, 老 and a number or 小 and one, alone on the last line, even a word (星星,
# 胖胖, 老四, 小满).
_LAST_NICK = re.compile(rf"(?:([{_HAN}])\1|老[二三四五六七八九十幺]|小[{_HAN}])")
# Doubled words that sign a letter but name no one: kin, thanks (妈妈, 谢谢).
_NOT_LAST_NICK = frozenset(
    [
        *("妈妈", "爸爸", "哥哥", "姐姐", "弟弟", "妹妹", "爷爷", "奶奶", "宝宝", "叔叔", "谢谢"),
        *("拜拜", "小孩", "小姐", "小组", "小区", "小时", "小心", "小学", "小说", "小结", "小事"),
    ]
)


def _last_word(line: str, core: str) -> str:
    """What may sign the last line: its name part, or what follows its last 的
    (住3号楼210的小满)."""
    return signature_line(line) or core.rsplit("的", 1)[-1]


# An initial and a surname in roman letters, alone on the last line (K. Watanabe).
_INITIAL_NAME = re.compile(r"[A-Z]\.\s?[A-Z][a-z]{2,15}")


def _last_pair(core: str) -> list[str]:
    """Two nicknames joined by 和 or 、 after the last 的 of the last line (518的小付和阿强)."""
    parts = re.split("和|、", core.rsplit("的", 1)[-1])
    ok = len(parts) == 2 and all(_last_nick(p) or re.fullmatch(f"阿[{_HAN}]", p) for p in parts)
    return parts if ok else []


def _last_nick(word: str) -> bool:
    """Whether `word` alone on the last line is a nickname that signs the letter (星星, 老四,
    住3号楼210的小满)."""
    return bool(_LAST_NICK.fullmatch(word)) and word not in NOT_NAMES | _NOT_LAST_NICK


_SIGN_NICK = re.compile(rf"([{_HAN}])\1|阿[{_HAN}]|[{''.join(sorted(SURNAMES))}](?:先生|女士)")


def _signed_together(core: str, known: Callable[[str], bool] | None) -> list[str]:
    """Round 19: several people signing one line, apart by spaces, & or 、 (顾北辰 言志远, Mia &
    Leo): every part a full name, a word the dictionary lacks, or an English first name; a
    role, a body or an ordinary word beside a name (家长 邬秀兰, 水电班 王强) signs no one."""
    parts = [p for p in re.split(r"\s*[&＆、]\s*|\s+", core) if p]
    if not 2 <= len(parts) <= 5:
        return []
    han = rf"[{_HAN}]{{2,3}}"
    if known is None:
        return []
    for p in parts:
        word = known(p) or p in NOT_NAMES or p.endswith(TITLES) or _BODY_END.search(p)
        named = (looks_chinese_name(p) and not word) or english_first_name(p)
        if word or not (named or re.fullmatch(han, p)):
            return []  # 居民 张先生, 水电班 王强: a word, a role or a body beside a name
    return parts if any(looks_chinese_name(p) or english_first_name(p) for p in parts) else []


# What ends the name of a body or a trade on a signature line (人事处, 水电班, 绿化工, 锅炉房).
_BODY_END = re.compile(r"[处部院班房工科室组队系所馆站厂社会委办局店]$|敬礼|中心")
