"""Romanised and English names of people (罗马字/英文姓名) in a letter, for redaction.

A pinyin surname with a pinyin given name (Zhang San, WANG Fang, zhang san, Xiaoming Li), a name
after an honorific (Ms. Tsang, Mr. Huang), and an English first name where the words around it
say a person is meant (外教David, 我们都叫她Cindy). Pure functions over text.
"""

from __future__ import annotations

import re

from xinxiang.replies.name_words import PINYIN_SURNAMES

_PINYIN_SYLLABLE = (
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|van|ai|ei|ao|ou|an|en|in|un|vn|"
    r"er|ia|ie|iu|ua|uo|ui|ve|ue|a|o|e|i|u|v)"
)
_GIVEN = re.compile(rf"(?:{_PINYIN_SYLLABLE}){{1,2}}")
_HONORIFIC = re.compile(
    r"(?<![A-Za-z])(?:Professor|Prof|Dr|Mr|Ms|Mrs|Miss|Madam)\.?\s([A-Z][a-z]{1,11})(?![A-Za-z])"
    # Ms. xiaoli: a pinyin name in lower case after a short honorific with its full stop.
    r"|(?<![A-Za-z])(?:Mr|Ms|Mrs|Dr)\.\s(?P<lower>[a-z]{4,12})(?![A-Za-z])"
)
# One English first name after "my friend", "my classmate" … (My friend Dasha told her).
_MY_ONE = re.compile(
    # Round 19: his, her or their roommate too (His roommate Kwame says).
    r"(?<![A-Za-z])(?:[Mm]y|[Oo]ur|[Hh]is|[Hh]er|[Tt]heir)\s(?:friend|roommate|classmate|teacher|tutor|supervisor|"
    r"advisor|colleague|neighbou?r|coach"
    # Round 18: one's family (My husband Jonas is allergic).
    r"|husband|wife|son|daughter|brother|sister|partner|boyfriend|girlfriend)"
    r"\s(?P<name>[A-Z][a-z]{2,11})(?![A-Za-z])"
    # Round 18: a closing, then one first name ending the line (Best, Ethan. Thank you, Ada.).
    r"|(?m:(?:^|(?<=[.!?]\s))(?:Best(?: wishes| regards)?|(?:Kind |Best )?[Rr]egards|Sincerely|"
    r"Yours|Cheers|"
    r"Thanks|Thank you|Many thanks),?\s+(?P<signed>[A-Z][a-z]{2,11})[.!]?\s*$)"
)
# zhang san, written in lower case inside a Chinese sentence (not inside English words).
_ROMAN_LOWER = re.compile(
    r"(?<=[\u4e00-\u9fff（(“：:，,、])\s?(?P<sur>[a-z]{1,9}) (?P<given>[a-z]{1,12})"
    r"(?=\s?[\u4e00-\u9fff（()）”，,。、]|$)"
)
_ROMAN = re.compile(
    r"(?<![A-Za-z])(?:(?:Prof|Dr|Mr|Ms|Mrs|Miss)\.?\s)?"
    r"(?P<sur>[A-Z][a-z]{0,7}|[A-Z]{2,8})(?P<sep>,?\s)"
    # Tan Wei Lin: a given name of two syllables may be written as two words.
    r"(?P<given>[A-Z][a-z]{1,11}(?:\s[A-Z][a-z]{1,5}(?![A-Za-z]))?|[A-Z]{2,12})"
    r"(?![A-Za-z])"
)
# An English first name in an English sentence, between what takes a person and what a person
# does (taken by Oleg and he left, asked Priya who said).
_ENGLISH_ACTOR = re.compile(
    r"(?<![A-Za-z])(?:by|with|asked|told|and|to)\s(?P<name>[A-Z][a-z]{2,11})"
    r"\s(?:and (?:he|she)|who|said|says|told|left|took|has|had)(?![A-Za-z])"
)
_CALENDAR = frozenset(
    [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
)
# An English first name after a word for a person or a naming verb (外教David, 叫她Cindy,
# 英文名Kevin): Chinese text around it says it is someone's name.
_CUED_ENGLISH = re.compile(
    r"(?:外教|老师|同学|室友|舍友|学生|朋友|同事|教授|叫她|叫他|叫我|名叫|叫做|英文名(?:是|叫)?|"
    r"丈夫|妻子|太太|老公|老婆|爱人|儿子|女儿|导师|助教|队友|"
    r"[和跟找问、])\s?"
    r"(?P<name>[A-Z][a-z]{2,11})(?![A-Za-z])"
)
# Round 18: who a closing greets, not who signs (Thank you, Sir.).
_NOT_SIGNED = frozenset({"Sir", "Madam", "Team", "All", "Everyone", "Guys", "Friends", "Teachers"})
_NOT_ENGLISH_NAMES = frozenset(
    {
        "Thanks",
        "Thank",
        "Regards",
        "Best",
        "Sincerely",
        "Yours",
        "Dear",
        "Hello",
        "Hi",
        "Please",
        "Sorry",
        "Email",
        "Phone",
        "President",
        "Secretary",
        "Professor",
        "Teacher",
        "Student",
        "Office",
        "School",
        "University",
        "College",
    }
)


# O'Connor, D'Souza: an apostrophe after the first capital.
_CAP = r"(?:[A-ZÀ-Þ](?:'[A-ZÀ-Þ])?[a-zß-ÿ]+(?:-[A-ZÀ-Þ]?[a-zß-ÿ]+)?|[A-ZÀ-Þ]{2,})"
# 2–4 capitalised words after a word that says a person's name follows, in English or Chinese
# (my name is Anna Kowalski, My friend Aziz Karimov, 韩国同学KIM Minjun, Regards, Maria Garcia).
_CUED_FULL = re.compile(
    r"(?:(?<![A-Za-z])(?:[Mm]y name is|[Ii] am|I'm|[Ff]riend|[Dd]aughter|[Ss]on|[Ww]ife|"
    r"[Hh]usband|[Mm]other|[Ff]ather|[Cc]hild|[Rr]oommate|[Cc]lassmate|[Tt]eacher|"
    r"[Cc]oach|[Ss]upervisor|[Aa]dvisor|[Tt]utor|[Cc]olleague|[Nn]eighbou?r|[Ss]tudent|[Cc]ontact|"
    r"[Ll]ecturer|[Pp]rofessor|[Dd]octor|Mr\.?|Ms\.?|Mrs\.?|Miss|Dr\.?|Prof\.?|Regards|Best|"
    r"Sincerely|Yours|Cheers|[Tt]hanks)[,:]?\s+"
    r"|(?:外教|同学|室友|舍友|学生|留学生|交换生|老师|教授|朋友|同事|我叫|名叫|叫做|叫|是|和|跟|找|"
    # Round 12: a full name, a nationality, a parent (全名Luca Bianchi, 德国人Thomas Vogel).
    r"全名|英文名|本名|原名|[\u4e00-\u9fff]国人|爸爸|妈妈|父亲|母亲|丈夫|妻子|"
    # Round 13: a staff word (外籍教师Jean-Pierre Moreau, 访问学者Anna Berg).
    r"教师|专家|学者|外教|医生|"
    # Round 17: a coach, an alumnus, a company's people (外聘足球教练Marco Bianchi, HR Grace Lin).
    r"教练|校友|HR|经理|主管|客服|"
    r"问|[、（(])\s?)"
    rf"(?P<name>{_CAP}(?:\s{_CAP}){{1,3}})(?![A-Za-z])"
)
# An English or pinyin given name in lower case after 英文名/叫 (我的英文名是xiaoli).
_CUED_LOWER = re.compile(r"(?:英文名|名字)(?:是|叫)?\s?(?P<name>[a-z]{3,12})(?![A-Za-z])")
_NOT_FULL = frozenset({"The", "This", "That", "Dean", "Office", "University", "School"})


def cued_full_names(text: str) -> list[str]:
    """Full names in roman letters after a cue (see `_CUED_FULL`), and a lower-case given name
    after 英文名是; the run stops before words that open no name (The, University)."""
    found = []
    for m in _CUED_FULL.finditer(text):
        words = m.group("name").split()
        while words and words[0] in _NOT_ENGLISH_NAMES and words[0] not in _NOT_FULL:
            words.pop(0)  # 授课老师 Professor Martin Weber: the title is no part of the name
        if not words or words[0] in _NOT_FULL or words[0] in _NOT_ENGLISH_NAMES:
            continue
        while words and (words[-1] in _NOT_FULL or words[-1] in _NOT_ENGLISH_NAMES):
            words.pop()
        if len(words) >= 2:
            found.append(" ".join(words))
    found += [m.group("name") for m in _CUED_LOWER.finditer(text)]
    return found


def english_first_name(word: str) -> bool:
    """A capitalised word that may be an English first name (Jason, Cindy), not a greeting or
    a word of a letter's closing (Thanks, Regards)."""
    return re.fullmatch(r"[A-Z][a-z]{2,11}", word) is not None and word not in _NOT_ENGLISH_NAMES


_SURNAME_TITLED = re.compile(
    r"(?<![A-Za-z])([A-Z][a-z]{1,5})\s?(?:老师|教授|同学|师傅|阿姨|主任|处长|院长|科长|书记)"
)


def roman_names(text: str) -> list[str]:
    """Romanised names: a pinyin surname and a pinyin given name (Zhang San, LIU, Guilan), a
    name after an honorific (Ms. Tsang) and a cued English first name (外教David)."""
    # Ms. Tsang, Mr. Huang: after an honorific any capitalised surname.
    found = [
        m.group(0)  # with its honorific, as the labelled sets mark it (Prof. Liu)
        for m in _HONORIFIC.finditer(text)
        if not m.group("lower") or _GIVEN.fullmatch(m.group("lower"))  # not "Ms. and"
    ]
    found += [
        n
        for m in _MY_ONE.finditer(text)
        if english_first_name(n := m.group("name") or m.group("signed")) and n not in _NOT_SIGNED
    ]
    found += cued_full_names(text)
    # 外事办的 Liu 老师: a pinyin surname before a Chinese title, hidden with the title.
    titled = _SURNAME_TITLED.finditer(text)
    found += [m.group() for m in titled if m.group(1).lower() in PINYIN_SURNAMES]
    cued = (m.group("name") for m in _CUED_ENGLISH.finditer(text))
    found += [name for name in cued if english_first_name(name)]
    actors = (m.group("name") for m in _ENGLISH_ACTOR.finditer(text))
    found += [n for n in actors if english_first_name(n) and n not in _CALENDAR]
    for m in _ROMAN_LOWER.finditer(text):
        sur, given = m.group("sur"), m.group("given")
        if sur in PINYIN_SURNAMES and _GIVEN.fullmatch(given):
            found.append(m.group(0))
    for m in _ROMAN.finditer(text):
        sur, given = m.group("sur").lower(), m.group("given").lower()
        if sur in PINYIN_SURNAMES and _GIVEN.fullmatch(given.replace(" ", "")):
            found.append(m.group("sur") + m.group("sep") + m.group("given"))
        elif (
            given in PINYIN_SURNAMES
            and m.group("sep") == " "
            and (_GIVEN.fullmatch(sur) or english_first_name(m.group("sur")))
        ):
            # Given name first, as in English-language mail (Xiaoming Li, Kevin Zhang).
            found.append(m.group("sur") + " " + m.group("given"))
    return found


def given_of(name: str) -> str:
    """The given name of a romanised full name (Zhou Kaiwen → Kaiwen, Kevin Zhang → Kevin),
    which letters use alone; "" if there is none of three letters or more."""
    parts = name.replace(",", " ").split()
    if len(parts) != 2:
        return ""
    first, last = parts
    given = (
        first if last.lower() in PINYIN_SURNAMES and first.lower() not in PINYIN_SURNAMES else last
    )
    if first.lower() in PINYIN_SURNAMES and last.lower() not in PINYIN_SURNAMES:
        given = last
    return given if len(given) >= 3 and given[:1].isupper() else ""


def first_of(name: str) -> str:
    """Round 19: the first name of a full name in English order whose parts are no pinyin
    surnames (Chidi Bello → Chidi, which the letter then uses alone); "" otherwise."""
    parts = name.replace(",", " ").split()
    if len(parts) != 2 or "," in name:
        return ""
    first, last = parts
    if first.lower() in PINYIN_SURNAMES or last.lower() in PINYIN_SURNAMES:
        return ""
    return first if english_first_name(first) else ""
