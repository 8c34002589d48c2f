"""Finding people's names (人名) in a letter or an answer, for redaction.

A name is found by any of four cues, each a pure function over the text:

- a segmenter's part-of-speech tag for person names (jieba's `posseg` `nr`), kept only when it
  reads as a Chinese name (a known surname, 2–4 characters, not a public figure);
- a surname before a title or kinship word (张同学, 王老师, 赵处长) or after 小/老 (小王, 老杨);
- the signature: the last short lines of a letter (王小明 / 学生：王小明 / 刘晓燕 敬上);
- a romanised name (Zhang San, WANG Fang, Liu, Guilan) whose surname and given name are pinyin.

Names listed before people (江子墨、常乐两位同学), a surname after 姓 (老板姓黄): `name_words`.

Besides, names given away by their context only (`replies.name_context`: 师姐晴晴, 辅导员阳光，,
化工学院的黄子健，) and English first names (`replies.roman_names`: 外教David); names by the
slot they stand in, given names alone, 老X/小X, names that are words, names one is called and
names without a surname, and the filter of names that are no one's (`replies.name_slots`).

`NameFinder.find` returns the names, hidden wherever they occur; `name_public` drops figures.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from xinxiang.replies.name_apposition import settle
from xinxiang.replies.name_context import after_particle, nicknames, word_names
from xinxiang.replies.name_display import display_name_terms as display_name_terms
from xinxiang.replies.name_ethnic import ethnic_names
from xinxiang.replies.name_extend import dotted_whole
from xinxiang.replies.name_forms import called_names, surname_spelled
from xinxiang.replies.name_lists import grouped, listed
from xinxiang.replies.name_public import drop_public, not_a_person
from xinxiang.replies.name_roles import person_slot_names
from xinxiang.replies.name_slots import (
    after_tags,
    given_names,
    in_name_word,
    nick_slots,
    no_ones,
    slot_names,
    surname_said,
    word_names_in_slots,
)
from xinxiang.replies.name_things import self_introduced
from xinxiang.replies.name_tokens import bracketed_after, transliterated, word_ends, word_starts
from xinxiang.replies.name_words import (
    AFTER_NAME,
    COMMON_SURNAMES,
    COMPOUND_SURNAMES,
    DETERMINERS,
    NAME_OPENERS,
    NOT_BEFORE_TITLE,
    NOT_GIVEN,
    NOT_NAMES,
    NOT_NICKNAMES,
    OPENS_ONLY_SURNAMES,
    PERSON_CUES,
    ROLE_CUES,
    SHORT_TITLES,
    SURNAMES,
    TITLE_ONLY_SURNAMES,
    TITLES,
    WEAK_CUES,
    named_here,
    no_one_tagged,
    thing_here,
    verb_at,
)
from xinxiang.replies.roman_names import roman_names
from xinxiang.replies.signatures import looks_chinese_name as _looks_chinese_name
from xinxiang.replies.signatures import signature_names

# Word and part-of-speech tag, as a segmenter yields them.
Tagger = Callable[[str], Iterable[tuple[str, str]]]


_HAN = "\u4e00-\u9fff"


_DOTTED = re.compile(rf"([{_HAN}]{{2,6}})[·・]([{_HAN}]{{2,6}})")
_BRACKETED = re.compile(rf"[A-Za-z]\s?[（(]([{_HAN}]{{2,4}})[）)]")


# Units that end a number word (一分, 两块, 三次), not a given name (一文, 一鸣).
_UNITS = frozenset("分元块角个次天年月日点号些半百千万亿")


# Round 16: words a title's last character opens (校长|期 → 高校 长期以来): no title there.
_TITLE_TORN = frozenset(("长期", "长久", "长远", "长达", "长年", "长时", "长此"))


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
    # Whether a word is frequent in the dictionary whatever its tag (盖章, 张扬, 王道): tagged a
    # name, it counts only where the context says a person is meant (see `_named_here`).
    frequent: Callable[[str], bool] | None = None
    # Whether the dictionary holds a word at all, other than as a name (车位, 阿姨).
    known: Callable[[str], bool] | None = None
    # Whether the dictionary counts a name often (袁隆平, 卢沟桥): a public figure or a place.
    famous: Callable[[str], bool] | None = None
    # Whether the dictionary counts a word 500 times or more (老师, 小姐): never a nickname.
    everyday: Callable[[str], bool] | None = None
    # Whether the dictionary holds a word at all, whatever its tag (常青藤, 李宁牌).
    in_dictionary: Callable[[str], bool] | None = None
    _title_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _short_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _cue_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _nick_re: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        titles = "|".join(re.escape(t) for t in sorted(set(self.titles), key=len, reverse=True))
        after = "".join(sorted(AFTER_NAME))
        compound = "|".join(COMPOUND_SURNAMES)
        single = "".join(sorted(self.surnames))
        pattern = (
            # 小王 / 老杨: a nickname, not inside a longer word.
            rf"(?P<nick>(?<![{_HAN}])[小老][{single}])(?![{_HAN}]{{2}}|们)"
            rf"|(?P<nick2>[小老][{single}])(?=同学|老师|师傅|可以|家(?![具长里])|[{after}，,。、：:；;！!？?\s（()）“”]|$)"
            # 张同学 / 欧阳老师 / 王建国老师: the surname (and given name) before a title.
            # 于, 应, 全 read as surnames only right before a title (于科长, 应老师).
            rf"|(?P<sur>(?:{compound})|[{single}{TITLE_ONLY_SURNAMES}])(?P<given>[{_HAN}]{{0,2}}?)"
            rf"(?=(?:{titles})(?!们))"
        )
        object.__setattr__(self, "_title_re", re.compile(pattern))
        # 同事老翟, 楼长老鲍; 自称老黑: 老X / 小X right after a word for a person or 自称/叫.
        nick = (
            rf"(?:{'|'.join(PERSON_CUES)})(?P<a>[小老][{single}])(?!们)"
            rf"|(?:自称|外号|绰号|叫他|叫她|都叫)(?:是|叫)?(?P<b>[小老阿][{_HAN}])(?![{_HAN}]|们)"
        )
        object.__setattr__(self, "_nick_re", re.compile(nick))
        short = rf"(?P<sur>[{single}])(?P<t>[{SHORT_TITLES}])(?P<next>[{_HAN}]?)"
        object.__setattr__(self, "_short_re", re.compile(short))
        cues = "|".join(sorted(ROLE_CUES, key=len, reverse=True))
        cue = (
            # Round 13: 叫 between the word for the person and the name (房东叫姬有财).
            rf"(?:{cues})叫?[:：]?(?P<sur>{compound}|[{single}])(?P<given>[{_HAN}]{{1,2}})"
            # A clause that opens with a name and goes on with a verb (。方圆也知道).
            rf"|(?:^|(?<=[。！？!?\n；;，,]))(?P<sur2>[{COMMON_SURNAMES}])(?P<given2>[{_HAN}]{{1,2}}?)"
            rf"(?=[{after}])"
        )
        object.__setattr__(self, "_cue_re", re.compile(cue, re.M))

    def cued(self, text: str, tokens: list[tuple[str, str]] | None = None) -> list[str]:
        """Names right after a word for a person (导师苏明哲, 我儿子孙浩然, 骑手易大军).

        Three characters unless the third reads as the next word (王芳在 → 王芳); none that the
        dictionary knows as a word (我是计算机学院) or that ends inside a word (由党政办公室).
        """
        found = []
        tokens = tokens if tokens is not None else self.tokens(text)
        ends = word_ends(text, tokens)
        starts = word_starts(tokens)
        for m in self._cue_re.finditer(text):
            opening = m.group("sur") is None
            if opening and ends is None:
                continue  # without a segmenter the opening cue is too loose
            if opening and verb_at(tokens, m.start("sur2")):
                continue  # 戴口罩的要求: the "surname" is a verb of its own
            sur = m.group("sur2") if opening else m.group("sur")
            given = m.group("given2") if opening else m.group("given")
            if len(given) == 2 and given[1] in AFTER_NAME:
                given = given[:1]
            start = m.start("sur2") if opening else m.start("sur")
            first = starts.get(start)
            after = starts.get(start + len(first[0])) if first is not None else None
            if opening and not self._opens_with_name(first, after):
                continue
            if starts and first is None and len(given) == 1 and not in_name_word(starts, start):
                continue  # 被车撞: the segmenter reads the cue and the "name" as one word
            if first and first[1] == "v" and after and after[1] in ("ug", "ul", "uz"):
                continue  # 处长谈过: a verb and its aspect particle (过, 了, 着)
            for word in (sur + given, sur + given[:1]) if len(given) == 2 else (sur + given,):
                if self.lexicon is not None and self.lexicon(word):
                    continue
                if opening and self.frequent is not None and self.frequent(word):
                    continue  # 。王道和霸道: a frequent word opening a clause
                if opening and len(word) == 3 and self._word_then(word, first, after):
                    continue  # 程度好的学生, 丁香开了: an ordinary word and one more character
                if ends is not None and start + len(word) not in ends:
                    continue
                if first == (word, "v") and self.known is not None and self.known(word):
                    continue  # 请查收: the segmenter reads a verb the dictionary holds
                verbal = first is not None and first[0] == word[:2] and first[1] in ("vn", "d")
                if len(word) == 3 and verbal and self._common(word[:2]):
                    continue  # 学生管理作了规定: a verbal noun and one more character
                if _looks_chinese_name(word) and word not in self.not_names:
                    found.append(word)
                break
        return found

    def _opens_with_name(
        self, first: tuple[str, str] | None, after: tuple[str, str] | None
    ) -> bool:
        """Whether a clause's first words (`first`, then `after`) can open a name: not an
        ordinary word tagged a name, a verb or adverb after it (叶子 / 落了, 刘海 / 太长), nor a
        surname alone before a number with its unit (钱 / 一分都没有) — 毛一, 邵一文 are names."""
        if first is None or after is None:
            return True  # the dictionary and the word ends decide (`cued`)
        if first[0] in self.not_names and after[1][:1] in "vd" and len(after[0]) == 1:
            return False
        word = after[0]
        number = after[1][:1] in ("m", "q") and len(word) > 1 and word[-1] in _UNITS
        return not (first[0] in self.surnames and number)

    def _word_then(
        self, word: str, first: tuple[str, str] | None, after: tuple[str, str] | None
    ) -> bool:
        """Whether `word` (3 characters) opens with an ordinary word (程度) or with the first
        word of the clause followed by a one-character verb or adjective (丁香 / 开)."""
        if self.lexicon is not None and self.lexicon(word[:2]):
            return True
        if first is None or after is None or first[0] != word[:2]:
            return False
        return len(after[0]) == 1 and after[1][:1] in ("v", "a")

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
                span = m.span("nick") if m.group("nick") else m.span("nick2")
                if nick not in self.not_nicknames and not self._in_not_name(text, *span):
                    spans.append(span)
                    pos = m.end()
                continue
            bigram = text[max(0, m.start() - 1) : m.start() + 1]
            if (
                bigram in self.not_before_title
                or bigram in self.not_names
                or (
                    len(bigram) == 2
                    and self.lexicon is not None
                    and self.lexicon(bigram)
                    and not self._word_starts_at(text, m.start())
                )
                or text[: m.start()].endswith(DETERMINERS)
                or (m.group("sur") in OPENS_ONLY_SURNAMES and bigram[:-1] not in NAME_OPENERS)
            ):
                continue  # 班主任老师, 谢谢老师, 我们班同学: the "surname" ends a word
            given = m.group("given")
            sur_end = m.end("sur")
            title_end = sur_end + max(
                (len(t) for t in self.titles if text.startswith(t, sur_end)), default=0
            )
            if (
                not given
                and m.group("sur") + text[sur_end : sur_end + 1] in self.not_names
                and text[title_end - 1 : title_end + 1] in _TITLE_TORN
            ):
                continue  # Round 16: 高校|长期以来: a word, then one the title's end opens
            word = m.group("sur") + given
            if any(
                text.startswith(w, m.start())
                for w in self.not_names
                if len(w) > 2 and len(w) >= len(word)
            ):
                continue  # 班主任老师: the "surname" opens an ordinary word (not 司马光明老师)
            if given and (set(given) & NOT_GIVEN or not _looks_chinese_name(word)):
                continue
            if given and self.lexicon is not None and self.lexicon(word):
                continue  # 谢谢老师
            if word not in self.not_names:
                spans.append((m.start(), m.end()))
                pos = m.end()
        for m in self._nick_re.finditer(text):
            group = "a" if m.group("a") else "b"
            if m.group(group) not in self.not_nicknames:
                spans.append(m.span(group))
        spelled = surname_spelled(text)  # Round 12: （单读shàn）, 我姓滑，
        return spans + self._short_titled(text) + surname_said(text, self.surnames) + spelled

    def _word_starts_at(self, text: str, pos: int) -> bool:
        """Whether the segmenter starts a word at `pos` (教务处 / 方 / 老师: 处方 is a word, but
        not here), reading a few characters around it."""
        if self.tagger is None:
            return False
        lo = max(0, pos - 6)
        return pos - lo in word_starts(list(self.tagger(text[lo : pos + 4])))

    def _in_not_name(self, text: str, start: int, end: int) -> bool:
        """Whether `text[start:end]` starts inside a longer word that is no one's name (老吉 in
        王老吉, 温馨 in 温馨提示, 丁卖 in 宫保鸡丁卖)."""
        for w in self.not_names:
            if len(w) > end - start:
                found = text.find(w, max(0, start - len(w) + 1), start + len(w))
                if found != -1 and found <= start:
                    return True
        return False

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
            if sur + title in self.not_names:
                continue  # 金工实习
            if (sur, title) == ("占", "总") or text[m.start() - 1 : m.start()] in ("·", "・"):
                continue  # 成绩占总评; 马克思·韦伯: a transliteration
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
        prev, prev_tag, pos = "", "", 0  # pos: where `word` starts in `text`
        for i, (word, tag) in enumerate(tokens):
            if word in ROLE_CUES and word not in WEAK_CUES:
                after = pos + len(word)  # Round 12: not 男生|宿舍楼, a building
                found += [
                    n
                    for n in transliterated(tokens[i + 1 : i + 4])
                    if not no_one_tagged(text, after, n, self.lexicon)
                ]
            if (
                prev_tag == "nr"
                and len(prev) == 1
                and prev in self.surnames
                and len(word) == 2
                and tag in ("nr", "nz", "n", "ng")
                and not set(word) & NOT_GIVEN
                and _looks_chinese_name(prev + word)
                and prev + word not in self.not_names
                and not (self.lexicon is not None and self.lexicon(prev + word))
            ):
                # The surname alone tagged a name, its given name a noun (郭 / 振华, 夏 / 春生).
                found.append(prev + word)
            elif tag.startswith("nr"):
                if self._in_not_name(text, pos, pos + len(word)):
                    pass  # 温馨提示: part of a longer ordinary phrase
                elif no_one_tagged(text, pos, word, self.lexicon, self.frequent):
                    pass  # 宿舍楼, 江月何|年: a building, a line of verse
                elif (
                    _looks_chinese_name(word)
                    and (bool(self.frequent and self.frequent(word)) or thing_here(tokens, i))
                    and not named_here(tokens, i, self.titles, self.frequent)
                ):
                    pass  # 学院盖章, 从不张扬, 谷雨前后: a word or a place, no person in sight
                elif _looks_chinese_name(word) and word not in self.not_names:
                    found.append(word)
                elif (
                    len(word) == 2
                    and len(prev) == 1
                    and prev in self.surnames
                    and _looks_chinese_name(prev + word)
                ):
                    # The segmenter split off the surname (祁 / 天宇).
                    found.append(prev + word)
            prev, prev_tag, pos = word, tag, pos + len(word)
        return found

    def listed(self, text: str, names: Iterable[str]) -> list[str]:
        """Names listed with a found one (李雷、韩梅梅和王芳): see `name_lists.listed`."""
        return listed(text, names, self.lexicon, self.not_names, self.known)

    def grouped(self, text: str) -> list[str]:
        """Names listed before a word for the people they are: see `name_lists.grouped`."""
        return grouped(text, self.lexicon, self.not_names)

    def _rare_word(self, word: str) -> bool:
        """A word the dictionary does not count 500 times (小钱, 老马; not 老师, 小姐)."""
        return self.everyday is not None and not self.everyday(word)

    def _common(self, word: str) -> bool:
        """An ordinary word, or one the dictionary counts often whatever its tag (王道)."""
        lexicon, frequent = self.lexicon, self.frequent
        return bool(lexicon and lexicon(word)) or bool(frequent and frequent(word))

    def _plausible(self, word: str) -> bool:
        return _looks_chinese_name(word) and word not in self.not_names

    def find(self, text: str, known: Sequence[str] = ()) -> list[str]:
        """Full names in `text` (plus `known` names), longest first, without duplicates.

        Surname + title spans are not here (see `titled`): only names of two or more characters,
        which can safely be hidden wherever they occur.
        """
        tokens = self.tokens(text)
        nr, tagged_names = {w for w, t in tokens or () if t[:2] == "nr"}, self.tagged(text, tokens)
        names = {
            *tagged_names,
            *self_introduced(text, self.everyday),  # Round 18: 我是应天。
            *self.cued(text, tokens),
            *signature_names(text, self.lexicon),
            *self.grouped(text),
            *(n for n in nicknames(text, self.lexicon) if n not in self.not_names),
            # 阳光, 吉祥 are no names in NOT_NAMES' sense, but 阿姨 is a title here too.
            *(n for n in word_names(text, self.lexicon, tokens) if n not in self.titles),
            # Round 18: not a word tagged a name that `tagged` found no one by (分析的范文).
            *(
                n
                for n in after_particle(text, self._plausible, self.known, word_ends(text, tokens))
                if n not in nr or n in tagged_names
            ),
            *(roman := roman_names(text)),
            *(called := called_names(text)),  # 我叫安静，: even a word of NOT_NAMES
            # Kevin Zhang（张凯文）: the Chinese name in brackets after a romanised one.
            *(n for n in _BRACKETED.findall(text) if _looks_chinese_name(n)),
            # Round 14: any Chinese name in brackets after a roman name found (Tenzin Norbu
            # (丹增诺布)): the same person's name, however its characters read.
            *bracketed_after(text, roman),
        }
        known_word = self.known
        if self.lexicon is not None and known_word is not None and tokens is not None:
            ends = word_ends(text, tokens) or set()
            tagged = {w for w, t in tokens if t.startswith("nr")}
            slots = [
                *slot_names(
                    text,
                    self._plausible,
                    self._common,
                    known_word,
                    ends,
                    tagged.__contains__,
                    after_tags(tokens, ("t", "p", "c")),
                ),
                *given_names(text, known_word, lambda w: w in tagged or not known_word(w)),
                *nick_slots(text, self.surnames, known_word, self.not_nicknames, self._rare_word),
                *ethnic_names(text),
                *word_names_in_slots(text, tokens, self.surnames),
            ]
            names.update(n for n in slots if n not in self.not_names)
            by_role = (self._common, self.not_names, known_word, self._rare_word)  # 团长计添去
            names.update(person_slot_names(text, tokens, *by_role))
        if (famous := self.famous) is not None:
            entry = self.in_dictionary or famous
            plain = self.lexicon or famous
            # A full name alone on the last line signs the letter, even a well-known one (何振东);
            # one says one is called what one is called (my Chinese name is 阿齐兹).
            lines = text.strip().splitlines()
            signed = lines[-1].strip(" —-－") if lines else ""
            names = {
                n
                for n in names
                if n == signed
                or n in called
                or not no_ones(n, text, famous, self._common, entry, plain)
            }
        names = drop_public(names, text, self.in_dictionary, self.not_names)  # 张謇是…实业家
        names.update(k for k in known)
        names.update(self.listed(text, list(names)))
        names = settle(text, names)  # 阿木（木子轩）, “禤”, 可乐妈妈; not a motto's words
        # 努尔艾力·买买提: a name and the father's name after a middle dot are one name.
        # Round 13: and each part of it is the person's name wherever it stands alone
        # (阿依古丽·吐尔洪 … 是吐尔洪……).
        names.update(dotted_whole(text, names, _DOTTED))  # round 19: 同学买买提江·艾力
        for name in [n for n in names if _DOTTED.fullmatch(n)]:
            names.update(p for p in re.split("[·・]", name) if p not in self.not_names)
        # Round 14: a full name whose given name a found nickname calls (我是向葵，…叫我小葵).
        for nick in [n for n in names if len(n) == 2 and n[0] in "小阿"]:
            given = re.escape(nick[1])
            said = rf"(?:(?<=我是)|(?<=我叫))([{_HAN}]{given})(?=[，,。；;！!]|$)"
            for full in re.findall(said, text):
                if full not in self.not_names and not (self.lexicon and self.lexicon(full)):
                    names.add(full)
        names = {n for n in names if n in known or not not_a_person(n, text, self.frequent)}
        return sorted((n for n in names if n.strip()), key=len, reverse=True)
