"""Patterns for personal data (个人信息) in anything published: the board, the feed, public PDFs.

Pure functions over text. Default patterns cover phones (mobile however grouped, landline,
+86/0086, foreign numbers, dots, spaces, dashes, full-width and Chinese digits, a number told in
parts), e-mail addresses (also written [at] or with ＠), ID-card numbers and bank cards however
grouped, QQ numbers (QQ/扣扣/企鹅号), WeChat ids, licence plates, home addresses (district or
住/地址 + road and number, villages), dorm rooms and buildings (16-309, 3号楼402,
3号学生公寓一单元502, 住竹园9号楼) and student/staff numbers; a deployment can add or replace
patterns with a TOML file (`load_patterns`). Patterns match the text with full-width forms,
dashes and Chinese digits folded (`fold_for_patterns`).
Names given by the caller are matched literally, tolerating spaces between characters; finding
people's names, the allowlist and the board's use of all this are in `xinxiang.replies.redactor`.

Patterns are written so that dates (2026-11-20, 20261120), times and ticket numbers (2026-000123)
survive: every number pattern refuses to start or end inside a longer run of digits or hyphens.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator

from xinxiang.config import Strict, load_model
from xinxiang.replies.number_forms import CODED_NUMBER, PHONE_FORMS
from xinxiang.replies.redact_places import ADDRESS, ADDRESS_FORMS, DORM, DORM_BUILDING
from xinxiang.replies.redact_places import H as _H

NAME_MARK = "＊＊＊"

# Full-width digits, letters and signs (１３８, ＠, －) and the ideographic space read as
# their ASCII forms. One character for one, so a span found in the folded text is the same
# span in the text.
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0x30FB: 0xB7, 0x2022: 0xB7}
# What the patterns see besides: dashes (—, –) as hyphens and Chinese digits written one by one
# (一三九 二七一六, 五〇三) as ASCII digits.
_FOLD_PATTERNS = _FOLD | {0x2014: 0x2D, 0x2013: 0x2D}
# Traditional characters of addresses, rooms and labels (號, 樓, 區, 電話) as their simplified
# forms, one for one, so that letters from Hong Kong, Macao and Taiwan match the same patterns.
_TRAD = str.maketrans(
    "號樓區縣鄉鎮單門廈園灣東們層棟莊陽農廣島蘇臺雲電話碼機聯繫郵編學證寢室號館縣鐵齊龍衛嶺灘橋",
    "号楼区县乡镇单门厦园湾东们层栋庄阳农广岛苏台云电话码机联系邮编学证寝室号馆县铁齐龙卫岭滩桥",
)
_FOLD_PATTERNS = {**_FOLD_PATTERNS, **_TRAD}
_CN_FOLD = {ord(c): ord(str(i)) for i, c in enumerate("零一二三四五六七八九")} | {
    ord("十"): 0x31,
    ord("〇"): 0x30,
    ord("幺"): 0x31,
}


def fold_width(text: str) -> str:
    """`text` with full-width ASCII forms made half-width, character for character (全角转半角)."""
    return text.translate(_FOLD)


# Round 12: 十 read as 1 where it opens a run of digits (十三五 零一二三: a mobile's 135).
_CN_DIGITS = re.compile(
    r"十[三四五六七八九][零〇幺一二三四五六七八九]+|[零〇幺一二三四五六七八九]{3,}"
)


def fold_for_patterns(text: str) -> str:
    """`fold_width`, and dashes made hyphens and Chinese digits written one by one (一三九,
    五〇三; runs of three or more, not 一直) ASCII digits, character for character: what the
    patterns match."""
    text = text.translate(_FOLD_PATTERNS)
    return _CN_DIGITS.sub(lambda m: m.group(0).translate(_CN_FOLD), text)


# A digit run is "whole" when no digit, hyphen, dot or ASCII letter touches it on either side;
# that keeps ticket numbers, dates, decimals, URLs and hex digests out of every number pattern.
# Patterns see folded text (`fold_width`), so full-width forms need no classes of their own.
_B = r"(?<![0-9A-Za-z\-._/])"
_E = r"(?![0-9A-Za-z\-_/]|\.\d)"
# Numbers people group with spaces, dashes or dots: no other group may touch them either, or a
# bank card's inner digits would read as a phone number.
_BS = r"(?<![0-9A-Za-z\-._/·])(?<!\d[ \-.·])"
# Round 12: a double dash after a number is punctuation (——, folded to --), not a group.
_ES = r"(?![0-9A-Za-z_/]|-(?!-)|[ .\-]\d)"
_G = r"[ \-.·]?"  # Round 19: a middle dot too (183·7302·6549)

# YYYYMMDD for 1900–2099: an 8-digit date is not a student number.
_COMPACT_DATE = r"(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"

_SEP = r"[-\s]?"
_UNIT = r"(?!\s?[元万亿年月日人次个份件台分秒岁级届周天％%])"


def is_id_number(text: str) -> bool:
    """18 characters of a 居民身份证号 whose birth date is a real date (separators ignored)."""
    value = re.sub(r"[\s\-.]", "", fold_width(text)).upper()
    if not re.fullmatch(r"[1-9]\d{16}[\dX]", value):
        return False
    year, month, day = int(value[6:10]), int(value[10:12]), int(value[12:14])
    return 1900 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31


def is_card_number(text: str) -> bool:
    """15–19 digits, not an ID number: a 银行卡号 however it is grouped."""
    if re.search(r"\d{4}-[01]?\d-[0-3]?\d(?!\d)", text):
        return False  # dates in a row (2026-11-20 2026-12-05)
    return 15 <= len(re.sub(r"\D", "", text)) <= 19 and not is_id_number(text)


def _not_a_date(text: str) -> bool:
    return re.fullmatch(_COMPACT_DATE, re.sub(r"\D", "", text)) is None


@dataclass(frozen=True, slots=True)
class RedactionPattern:
    """One kind of personal data: a compiled regular expression and what replaces each match.

    `replacement` is an `re.sub` template, so it may keep a labelling group (``\\g<1>``).
    """

    name: str
    regex: re.Pattern[str]
    replacement: str = "[已隐去]"
    check: Callable[[str], bool] | None = None

    @classmethod
    def of(
        cls,
        name: str,
        pattern: str,
        replacement: str = "[已隐去]",
        check: Callable[[str], bool] | None = None,
    ) -> RedactionPattern:
        """Build a pattern from source text (raises `re.error` on a bad expression)."""
        return cls(name, re.compile(pattern), replacement, check)

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """Where this kind occurs in `text`: the `pii` group if the pattern has one, else all.

        A label around the value (学号：, QQ) stays outside the span, so it stays readable.
        """
        groups = [g for g in self.regex.groupindex if g.startswith("pii")]  # pii, pii2 …
        for m in self.regex.finditer(text):
            group: str | int = next((g for g in groups if m.start(g) >= 0), 0)
            start, end = m.span(group)
            if start < end and (self.check is None or self.check(m.group(group))):
                yield start, end

    def label(self) -> str:
        """The replacement without group references: what a hidden value is shown as."""
        return re.sub(r"\\g<\w+>|\\\d", "", self.replacement)

    def apply(self, text: str) -> str:
        """Replace every occurrence (the `pii` group only, when there is one) in `text`.

        Built-in patterns match the folded text (`fold_width`); a deployment's own pattern with a
        template replacement (``\\g<1>``) runs on the text as written.
        """
        if "pii" not in self.regex.groupindex and self.check is None and "\\" in self.replacement:
            return self.regex.sub(self.replacement, text)
        out, last = [], 0
        for start, end in self.spans(fold_for_patterns(text)):
            out += [text[last:start], self.replacement]
            last = end
        return "".join(out) + text[last:]


def student_number_pattern(min_digits: int = 8, max_digits: int = 12) -> RedactionPattern:
    """Student and staff numbers (学号/工号): a whole run of `min_digits`–`max_digits` digits.

    Runs may be grouped by spaces when they start with a year (2021 0100 66). An 8-digit run that
    reads as a date (20261120) and runs followed by a unit of money, time or count (元, 年, 人 …)
    are left alone.
    """
    if not 1 <= min_digits <= max_digits:
        raise ValueError("need 1 <= min_digits <= max_digits")
    lo, hi = min_digits, max_digits
    date = rf"(?!{_COMPACT_DATE}(?!\d))"
    plain = rf"{_B}{date}(?:[A-Za-z]{{0,2}})?\d{{{lo},{hi}}}{_E}{_UNIT}"
    grouped = rf"{_BS}(?:19|20)\d{{2}}(?:[ \-]\d{{2,4}}){{1,3}}{_ES}{_UNIT}"

    def check(value: str) -> bool:
        # 2025-2026 is a school year, not a number.
        years = re.fullmatch(r"(?:19|20)\d\d[ \-](?:19|20)\d\d", value)
        dated = re.match(r"\d{4}[ \-][01]?\d[ \-][0-3]?\d(?!\d)", value)
        digits = len(re.sub(r"\D", "", value))
        return lo <= digits <= hi and _not_a_date(value) and not years and not dated

    return RedactionPattern.of(
        "student_number", rf"(?P<pii>{plain}|{grouped})", "[学号/工号已隐去]", check=check
    )


# Round 15: the at sign spoken in Chinese (艾特) or swapped for # (…#126.com（#换成@）), and
# the dot spoken (点com).
_AT = r"(?:\s?(?:@|\[at\]|\(at\)|\[AT\]|\(AT\)|（at）|艾特|#)\s?|\s(?:at|AT)\s)"
_DOT = r"(?:\.|\s?(?:\[dot\]|\(dot\)|\[DOT\]|\(DOT\)|点)\s?|\s(?:dot|DOT)\s)"
# What stands between a label and its value: 是, 为, a colon, or English "is" (My WeChat is …).
_LABEL = r"\s?(?:是|为|:|is\s)?\s?:?\s?"
# Round 13: a word of doubt between a label and its value (QQ好像是…).
_HEDGE = r"(?:好像|应该|大概|可能|估计|似乎|据说)?"


@lru_cache(maxsize=16)
def default_patterns(*, min_digits: int = 8, max_digits: int = 12) -> tuple[RedactionPattern, ...]:
    """The built-in patterns, in the order they are applied (longer, more specific kinds first).

    Each sees the folded text (`fold_width`); where a label names the value (学号：, QQ), only the
    `pii` group is replaced and the label stays.
    """
    return (
        RedactionPattern.of(
            "email",
            # Round 12: the local part may be spoken too (xianyufeng dot 2019 at gmail dot com).
            rf"[A-Za-z0-9._%+\-]+(?:\s(?:dot|DOT)\s[A-Za-z0-9._%+\-]+)*{_AT}[A-Za-z0-9\-]+(?:{_DOT}[A-Za-z0-9\-]+)*{_DOT}[A-Za-z]{{2,6}}(?![A-Za-z])"
            # (me at f.benali[at]outlook.com: the spoken "at" is not the address's own)
            r"(?!\s?(?:@|\[at\]|\(at\)|\[AT\]|\(AT\)|（at）))"
            # Round 18: spaces after the @ and the dots, as typed (li@ pku. edu. cn).
            r"|[A-Za-z0-9._%+\-]+@\s?[A-Za-z0-9\-]+(?:\.\s?[A-Za-z0-9\-]+)*\.\s?"
            r"(?:com|cn|net|org|edu|gov|ac|io|hk|tw|uk|de|jp)(?![A-Za-z])",
            "[邮箱已隐去]",
        ),
        RedactionPattern.of(
            "id_card",
            rf"{_BS}[1-9](?:[ \-]?\d){{16}}[ \-]?[\dXx](?![0-9A-Za-z]|[ \-]\d)",
            "[身份证号已隐去]",
            check=is_id_number,
        ),
        RedactionPattern.of(
            "mobile",
            # (+86)189…: the country code in brackets too.
            # Round 14: and without its plus ((86)157 …).
            rf"(?:[(（]\s?(?:\+|00)?\s?86\s?[)）]\s?(?=1[3-9]))?"
            # Round 17: full-width brackets round the first three ((152)3312-0478), slashes
            # between the groups (157/1208/3349), a dash before a line break (183-3120-⏎7764), a
            # line break after the bracket ((152)⏎3312-0478).
            rf"{_BS}(?:(?:\+|00)\s?86\s?[\-.]?\s?|86[\- ])?(?:[(（]\s?)?1[3-9]\d(?:\s?[)）])?"
            rf"(?:{_G}\d{{4}}{_G}\d{{4}}|/\d{{4}}/\d{{4}}|{_G}\d{{4}}-\n\d{{4}}"
            rf"|(?<=[)）])\n\d{{4}}{_G}\d{{4}}"
            rf"|(?:(?:[ \-.]|,\s?)?\d){{8}}){_ES}",
            "[电话已隐去]",
        ),
        RedactionPattern.of(
            "landline",
            rf"(?:{_BS}(?:\+|00)\s?86[\s\-.]?(?:\(\s?0?[1-9]\d{{1,2}}\s?\)|\(0\)\s?[1-9]\d{{1,2}}"
            r"|0?[1-9]\d{1,2})"
            rf"|[(（]0\d{{2,3}}[)）]|{_BS}0\d{{2,3}})"
            # Round 12: spaces either side of the dash (010 - 8843 5627).
            rf"\s?{_G}\s?(?:[2-9]\d{{2,3}}{_G}\d{{4}}|[2-9]\d{{3,4}}{_G}\d{{3}})"  # 010-88562 614
            rf"(?:(?:转|-|ext\.?)\d{{1,5}})?{_ES}",
            "[电话已隐去]",
        ),
        RedactionPattern.of("phone_forms", PHONE_FORMS, "[电话已隐去]"),  # round 20
        RedactionPattern.of(
            # Round 13: a service number with the extension of someone behind it
            # (400-810-5588转6021): the extension reaches a person. Without one it stays.
            "service_extension",
            rf"{_BS}[48]00{_G}\d{{3}}{_G}\d{{4}}\s?(?:转|-|ext\.?\s?)\s?\d{{2,5}}(?!\d)",
            "[电话已隐去]",
        ),
        RedactionPattern.of(
            # +1 (415) 555-0187, +44 20 7946 0958: a foreign number after its country code.
            "foreign_phone",
            r"(?<![0-9A-Za-z])\+(?!86)\d{1,3}[ \-.]?(?:\(\d{1,4}\)|\d{1,4})"
            r"(?:[ \-.]?\d{3,4}[ \-.]?\d{3,4}|(?:[ \-.]?\d{2,4}){2,4})"
            r"(?![0-9A-Za-z])"
            # Round 15: the country code after 00 instead of the plus (00852-9173 4402), with a
            # separator after it (a run of digits from 00 is a serial number).
            r"|(?<![0-9A-Za-z])00(?!86)[1-9]\d{1,2}[ \-]\d{3,4}[ \-]?\d{3,6}(?![0-9A-Za-z])",
            "[电话已隐去]",
        ),
        RedactionPattern.of(
            # 159开头，中间6701，最后是2288: a mobile number told in parts.
            "phone_in_parts",
            r"1[3-9]\d\s?(?:开头|打头)[^。；;\n]{0,12}?\d{4}[^。；;\n\d]{0,10}?\d{4}(?!\d)"
            # 开头是158，中间是0107，最后是3326 / 前三位158
            r"|(?:(?<=开头)|(?<=打头)|(?<=前三位))(?:是|为)?\s?1[3-9]\d[^。；;\n\d]{1,12}?\d{4}"
            r"[^。；;\n\d]{0,10}?\d{4}(?!\d)",
            "[电话已隐去]",
        ),
        RedactionPattern.of(
            # A local number alone on its line, as under a signature (６８４５ ３３０１).
            "phone_line",
            r"(?m)^[ \t]*(?P<pii>[2-9]\d{3}[ \-]?\d{4})[ \t]*$",
            "[电话已隐去]",
        ),
        RedactionPattern.of(
            # Round 18: a mobile after its label, broken anywhere by a line or spaces (电话1352⏎0…).
            "labelled_mobile",
            rf"(?:电话|手机|手机号|[Pp]hone){_LABEL}(?P<pii>1[3-9]\d(?:\s?\d){{8}}){_ES}",
            "[电话已隐去]",
        ),
        RedactionPattern.of(
            "local_phone",
            rf"(?:电话|座机|手机|热线|分机|联系方式|tel|Tel|TEL)(?:号码|号)?{_LABEL}"
            rf"(?P<pii>[2-9]\d{{2,3}}{_G}\d{{4}}(?:\s?(?:转|-)\s?\d{{1,5}})?){_ES}",
            "[电话已隐去]",
        ),
        RedactionPattern.of(
            "bank_card",
            rf"{_BS}\d(?:[ \-]?\d){{14,18}}{_ES}",
            "[银行卡号已隐去]",
            check=is_card_number,
        ),
        RedactionPattern.of(
            # 对公账户：1304 0150 0400 0288 6716 — an account of up to 20 digits after its label.
            "account_number",
            rf"(?:账户|账号|帐号|卡号)(?:号码|号)?{_LABEL}(?P<pii>\d(?:[ \-]?\d){{15,19}}){_ES}",
            "[银行卡号已隐去]",
        ),
        RedactionPattern.of(
            # 1 3 8 1 2 3 4 …: digits typed one by one, as people do to slip past filters.
            "spaced_digits",
            r"(?<![0-9A-Za-z])\d(?: (?:- )?\d){6,}(?![0-9A-Za-z])",
            "[号码已隐去]",
        ),
        RedactionPattern.of(
            # Anything else too long to be a date or an amount.
            "long_number",
            rf"{_B}\d{{13,}}[Xx]?{_E}",
            "[号码已隐去]",
        ),
        RedactionPattern.of(
            "qq",
            # Round 13: the label hedged (QQ好像是…, 微信大概是…).
            rf"(?:QQ|qq|Qq|扣扣|企鹅号?|Q号)(?:号码|号)?{_HEDGE}{_LABEL}"
            r"(?P<pii>[1-9](?:[ \-]?\d){4,11})(?!\d)",
            "[QQ号已隐去]",
        ),
        RedactionPattern.of(
            "wechat",
            rf"(?:微信|weixin|WeChat|wechat|VX|vx|Vx|V信|v信|威信)(?:号|ID|id)?{_HEDGE}{_LABEL}"
            r"(?P<pii>[A-Za-z][A-Za-z0-9_\-]{5,19})(?![A-Za-z0-9_\-])",
            "[微信号已隐去]",
        ),
        RedactionPattern.of(
            # 换了一个号sima_jun_0412来加我: an account id with an underscore after a word for one.
            "account",
            r"(?:账号|帐号|小号|新号|个号|ID|id)\s?(?:是|为|:|is\s)?\s?:?\s?"
            r"(?P<pii>[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_\-]{2,18})(?![A-Za-z0-9_\-])",
            "[账号已隐去]",
        ),
        RedactionPattern.of(
            # wxid_hr9z2k7m1q22, hyn_kaoyan2027, Vivian_Wei-2021: a handle with an underscore
            # and digits is someone's account wherever it stands.
            "handle",
            r"(?<![A-Za-z0-9_\-./@:#])(?P<pii>wxid_[A-Za-z0-9_\-]{4,24}"
            r"|[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_\-]*\d[A-Za-z0-9_\-]*)(?![A-Za-z0-9_\-@]|\.[A-Za-z])",
            "[账号已隐去]",
        ),
        RedactionPattern.of(
            # Round 10: a letter may stand before the dot as well (京AD·71325).
            "plate",
            r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]\s?[A-Z]{1,2}"
            r"[ ·\-.]?[A-Z0-9]{4,6}(?![A-Za-z0-9])",
            "[车牌号已隐去]",
        ),
        RedactionPattern.of("address", ADDRESS, "[地址已隐去]"),
        RedactionPattern.of("address_forms", ADDRESS_FORMS, "[地址已隐去]"),  # round 19
        RedactionPattern.of(
            "village",
            rf"[{_H}]{{2,6}}?(?:省|自治区)?[{_H}]{{1,6}}?(?:市|州|盟)?[{_H}]{{1,5}}?(?:县|区|旗)"
            rf"[{_H}]{{1,6}}?(?:镇|乡)(?:[{_H}]{{1,6}}?|[\d一二三四五六七八九十]{{1,2}})村"
            r"(?:[\d一二三四五六七八九十]{1,3}[组社队号])?(?:[甲乙丙丁]?\d{1,4}号)?"
            # 安定区中川村三社: a village and its group, without the township.
            rf"|[{_H}]{{2,6}}?(?:省|自治区)?[{_H}]{{1,6}}?(?:市|州|盟)?[{_H}]{{1,5}}?(?:县|区|旗)"
            rf"[{_H}]{{1,6}}?村[\d一二三四五六七八九十]{{1,3}}[组社队号](?:[甲乙丙丁]?\d{{1,4}}号)?"
            # Round 12: a township's village and its house number (玉渊潭乡定慧寺村东里14号).
            # Round 15: and its group before the number (…镇东庄村三队47号).
            rf"|[{_H}]{{2,5}}(?:镇|乡)[{_H}]{{1,6}}?村(?:[东西南北]?[里头])?"
            r"(?:[\d一二三四五六七八九十]{1,3}[组社队])?[甲乙丙丁]?\d{1,4}号",
            "[地址已隐去]",
        ),
        RedactionPattern.of("dorm_room", f"{DORM}|{DORM_BUILDING}", "[宿舍已隐去]"),
        RedactionPattern.of(
            "labelled_number",
            # Round 14: a passport's number right after the word (my passport P6640218).
            r"(?:学号|工号|护照号码?|(?<![身份])证号|[Pp]assport(?: (?:[Nn]o\.?|[Nn]umber))?"
            r"|学工号|职工号|教工号|一卡通号?|校园卡号?|学籍号|考生号|准考证号"
            # Round 11: a learner's and a rider's number (学员号CJ2025-1187, 骑手号MT8820391).
            r"|学员号|骑手号|员工号"
            # Round 14: a person's 编号 by the word for the person (员工编号BW-2019-…, 骑手编号…).
            r"|(?:员工|骑手|职工|工作人员|保安|队员|快递员|外卖员|司机)编号"
            # Round 13: an examinee's and a meal card's number (考试号HS2024-3307, 饭卡号2023…).
            r"|考试号|考号|饭卡号?|餐卡号?|借书卡号|图书证号"
            r"|[Ss]tudent (?:ID|[Nn]umber|[Nn]o\.?)|[Cc]ampus card"
            # Round 18: staff no., and 编号 opening a clause (…，编号BSH2024033).
            r"|(?:[Ss]taff|[Ee]mployee|[Mm]ember) (?:ID|[Nn]umber|[Nn]o\.?)|(?<=[，,；;])编号"
            # Round 15: a card's 卡号 right after the card's name (校园卡（卡号C2024…）).
            r"|(?:校园卡|饭卡|餐卡|一卡通|借书卡|学生卡|图书证)[（( ,，]?的?卡号)"
            # Round 13: two letters inside the number too (a passport's 19FV44721).
            # Round 15: two groups of letters before it (ST-A1022).
            # Round 18: three digits after letters (工号SG-118).
            rf"{_LABEL}(?P<pii>(?:[A-Za-z]{{1,3}}[ \-]?){{0,2}}"
            r"\d(?:[ \-]?[A-Za-z]{0,2}\d){3,19}(?:[A-Za-z](?![A-Za-z]))?"  # round 19: K3917264A
            r"|(?:[A-Za-z]{1,3}[ \-]?){1,2}\d{3})(?!\d)",
            "[学号/工号已隐去]",
        ),
        RedactionPattern.of("coded_number", CODED_NUMBER, "[学号/工号已隐去]"),
        student_number_pattern(min_digits, max_digits),
    )


@lru_cache(maxsize=512)
def _name_regex(names: tuple[str, ...]) -> re.Pattern[str] | None:
    parts = []
    for name in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        chars = [re.escape(c) for c in name if not c.isspace()]
        # People type 张 伟 or 张　伟; a name of one character would redact too much.
        if len(chars) >= 2:
            parts.append(r"\s?".join(chars))
    if not parts:
        return None
    return re.compile("|".join(parts), re.IGNORECASE)


def name_variants(name: str) -> tuple[str, ...]:
    """The name itself and, for Chinese names of 3–4 characters, the given name (王小明 → 小明).

    Two-character given names are what classmates and letters use ("小明同学"); a single given
    character would match ordinary words, so it is not included.
    """
    name = "".join(name.split())
    if not name:
        return ()
    is_cjk = all("\u4e00" <= c <= "\u9fff" for c in name)
    if is_cjk and len(name) in (3, 4):
        return (name, name[-2:])
    return (name,)


def redact(
    text: str,
    *,
    names: Sequence[str] = (),
    patterns: Sequence[RedactionPattern] | None = None,
    name_mark: str = NAME_MARK,
) -> str:
    """Replace personal data in `text`: every pattern (default: `default_patterns()`), then names.

    `names` are matched literally (case-insensitive, spaces between characters tolerated); pass
    the petitioner's name, address and anything else known to identify them.
    """
    for pattern in default_patterns() if patterns is None else patterns:
        text = pattern.apply(text)
    name_re = _name_regex(tuple(names))
    if name_re is not None:
        text = name_re.sub(name_mark, text)
    return text


class _PatternEntry(Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    regex: str = Field(min_length=1)
    replacement: str = "[已隐去]"

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            compiled = re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from exc
        if compiled.match(""):
            raise ValueError("the expression matches the empty string")
        return value


class RedactionFile(Strict):
    """`redaction.toml`: tune the defaults and add patterns of the deployment's own."""

    use_defaults: bool = True
    disable: list[str] = Field(default_factory=list)
    student_number_min_digits: int = Field(default=8, ge=4, le=20)
    student_number_max_digits: int = Field(default=12, ge=4, le=20)
    patterns: list[_PatternEntry] = Field(default_factory=list, alias="pattern")


def patterns_from(settings: RedactionFile) -> tuple[RedactionPattern, ...]:
    """The pattern list a validated `RedactionFile` describes (defaults first, then its own)."""
    lo, hi = settings.student_number_min_digits, settings.student_number_max_digits
    base = default_patterns(min_digits=lo, max_digits=max(lo, hi)) if settings.use_defaults else ()
    disabled = set(settings.disable)
    extra = tuple(RedactionPattern.of(p.name, p.regex, p.replacement) for p in settings.patterns)
    return tuple(p for p in base if p.name not in disabled) + extra


def load_patterns(path: Path) -> tuple[RedactionPattern, ...]:
    """Read a redaction TOML file; mistakes become `ConfigError(file, key, reason)`.

    Example::

        student_number_min_digits = 10      # 学号/工号 length range
        disable = ["dorm_room"]             # names of default patterns to switch off
        [[pattern]]
        name = "qq"
        regex = '(?i)QQ[:：\\s]*\\d{5,11}'
        replacement = "[QQ号已隐去]"
    """
    return patterns_from(load_model(path, RedactionFile))
