"""The office's review of what a public letter hides (脱敏审核): numbered marks, 保留 and 隐去.

`review(redactor, item, decisions)` lists every redaction of a public item's subject, letter
and answer as a numbered `Mark`. The redactor's own marks are numbered first, in reading order
(subject, letter, answer), then what the office added — so adding never renumbers a mark the
office already saw. `Decisions` hold strings, not numbers: 保留 3 keeps the text of mark 3
visible wherever it occurs, 隐去：张老师 hides every occurrence of 张老师.

`Review.final()` is the public text (what the board publishes once approved);
`Review.marked()` the office's view, each mark numbered and showing what it hides.
Pure functions over a `Redactor`; no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from xinxiang.replies.board import PublicItem
from xinxiang.replies.redact import name_variants
from xinxiang.replies.redactor import Redactor, Span

FIELDS = ("subject", "letter", "answer")
FIELD_TITLES = {"subject": "主题", "letter": "来信", "answer": "答复"}
ADDED_LABEL = "[已隐去]"
KIND_TITLES = {
    "name": "姓名",
    "mobile": "手机号",
    "landline": "电话",
    "local_phone": "电话",
    "service_extension": "电话",
    "email": "邮箱",
    "id_card": "身份证号",
    "bank_card": "银行卡号",
    "spaced_digits": "号码",
    "long_number": "号码",
    "qq": "QQ号",
    "wechat": "微信号",
    "plate": "车牌号",
    "address": "地址",
    "address_forms": "地址",
    "dorm_room": "宿舍",
    "labelled_number": "学号/工号",
    "coded_number": "学号/工号",
    "phone_forms": "电话",
    "student_number": "学号/工号",
    "office": "办公室隐去",
}


@dataclass(frozen=True, slots=True)
class Decisions:
    """The office's decisions on one letter: strings kept visible, strings hidden besides."""

    lifted: tuple[str, ...] = ()
    added: tuple[str, ...] = ()

    def lift(self, texts: Iterable[str]) -> Decisions:
        """These strings stay visible (an added one is simply no longer hidden)."""
        lift = [t for t in texts if t]
        added = tuple(a for a in self.added if a not in lift)
        lifted = (*self.lifted, *(t for t in lift if t not in self.lifted and t not in self.added))
        return Decisions(lifted, added)

    def add(self, terms: Iterable[str]) -> Decisions:
        """These strings are hidden wherever they occur (a lifted one is hidden again)."""
        add = [t.strip() for t in terms if t.strip()]
        lifted = tuple(t for t in self.lifted if t not in add)
        return Decisions(lifted, (*self.added, *(t for t in add if t not in self.added)))


@dataclass(frozen=True, slots=True)
class Mark:
    """One redaction: number `number`, in `field` at `start:end`, hiding `original`."""

    number: int
    field: str
    start: int
    end: int
    kind: str
    label: str
    original: str
    lifted: bool = False

    @property
    def title(self) -> str:
        """What kind of data it hides, in Chinese (手机号, 姓名 …)."""
        return KIND_TITLES.get(self.kind, self.kind)


@dataclass(frozen=True, slots=True)
class Review:
    """An item's texts and every mark on them."""

    texts: dict[str, str]
    marks: tuple[Mark, ...] = field(default=())

    def mark(self, number: int) -> Mark | None:
        """The mark numbered `number`, if any."""
        return next((m for m in self.marks if m.number == number), None)

    def _render(self, name: str, office: bool) -> str:
        text, out, last = self.texts[name], [], 0
        for m in sorted((m for m in self.marks if m.field == name), key=lambda m: m.start):
            out.append(text[last : m.start])
            if office:
                state = "已保留" if m.lifted else "已隐去"
                out.append(f"【{m.number}·{state}：{m.title}｜{m.original}】")
            else:
                out.append(m.original if m.lifted else m.label)
            last = m.end
        return "".join(out) + text[last:]

    def final(self) -> tuple[str, str, str]:
        """The subject, letter and answer as the public reads them (lifted marks shown)."""
        subject, letter, answer = (self._render(n, office=False) for n in FIELDS)
        return subject, letter, answer

    def marked(self) -> dict[str, str]:
        """Each text with every mark numbered and what it hides shown (the office's view)."""
        return {n: self._render(n, office=True) for n in FIELDS}


def _term_spans(text: str, term: str, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    found = []
    for m in re.finditer(re.escape(term), text):
        s, e = m.span()
        if not any(s < te and ts < e for ts, te in taken):
            found.append((s, e))
            taken.append((s, e))
    return found


def review(redactor: Redactor, item: PublicItem, decisions: Decisions = Decisions()) -> Review:
    """Every redaction of `item` (subject, letter, answer), numbered, with `decisions` applied."""
    texts = dict(zip(FIELDS, (item.subject, item.letter_text, item.answer_text), strict=True))
    known = (*name_variants(item.petitioner_name), *item.private_terms)
    names = redactor.names_in(texts.values(), known)
    lifted = set(decisions.lifted)
    marks: list[Mark] = []
    taken: dict[str, list[tuple[int, int]]] = {n: [] for n in FIELDS}
    for name in FIELDS:
        text = texts[name]
        spans: list[Span] = redactor.spans(text, names)
        for s in spans:
            original = text[s.start : s.end]
            marks.append(
                Mark(
                    len(marks) + 1,
                    name,
                    s.start,
                    s.end,
                    s.kind,
                    s.label,
                    original,
                    original in lifted,
                )
            )
            taken[name].append((s.start, s.end))
    for term in decisions.added:
        for name in FIELDS:
            for start, end in _term_spans(texts[name], term, taken[name]):
                marks.append(Mark(len(marks) + 1, name, start, end, "office", ADDED_LABEL, term))
    return Review(texts, tuple(marks))


def office_view(rev: Review) -> str:
    """The marked texts under their titles, and how to decide (for the approval mail, the CLI)."""
    marked = rev.marked()
    parts = [f"【{FIELD_TITLES[n]}】\n{marked[n]}" for n in FIELDS if marked[n].strip()]
    return "\n\n".join(parts)
