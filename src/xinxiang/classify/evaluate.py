"""Measuring the rules on labelled letters (规则评测): the figures behind `rules evaluate`.

A labelled file is TOML with `[[letter]]` tables: `id`, the expected department code `dept`
(the office for triage, legal-channel and illegal letters), optional `urgency` (``emergency``
marks an emergency; anything else is not one), `disposition` (default ``dispatch``) and
`category`, then `subject`, `body` and optional `attachments`. Other keys are ignored, so
notes may be kept next to a letter.

`evaluate` is pure: letters and rules in, a `Report` out. Emergencies are counted twice, as the
issue asks: classified ``emergency``, and caught as ``emergency`` or 疑似紧急; a false alarm is
either on a letter that is not an emergency.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xinxiang.classify.engine import Classification, classify
from xinxiang.classify.learn import Model, suggest_on
from xinxiang.classify.rules import RuleSet
from xinxiang.errors import ConfigError

ALERTING = ("emergency", "suspected_emergency")


@dataclass(frozen=True, slots=True)
class LabelledLetter:
    """One letter with what it should have been decided as."""

    id: str
    source: str
    dept: str
    urgency: str | None
    disposition: str
    category: str | None
    subject: str
    body: str
    attachments: tuple[str, ...] = ()

    @property
    def is_emergency(self) -> bool:
        """True when the letter is labelled an emergency."""
        return self.urgency == "emergency"


def _text(path: str, key: str, value: Any, *, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise ConfigError(path, key, "missing or not a string")
    return value


def load_labelled(paths: Iterable[Path]) -> list[LabelledLetter]:
    """Read labelled letters from TOML files and directories of them (`*.toml`, sorted)."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(p.glob("*.toml")))
        elif p.is_file():
            files.append(p)
        else:
            raise ConfigError(str(p), "", "no such file or directory")
    if not files:
        raise ConfigError(", ".join(str(p) for p in paths), "", "no labelled *.toml files")
    out: list[LabelledLetter] = []
    seen: set[str] = set()
    for f in files:
        try:
            data = tomllib.loads(f.read_text("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(str(f), "", f"not a UTF-8 TOML file: {exc}") from None
        letters = data.get("letter", [])
        if not isinstance(letters, list):
            raise ConfigError(str(f), "letter", "must be an array of tables ([[letter]])")
        for i, x in enumerate(letters):
            key = f"letter[{i}]"
            if not isinstance(x, dict):
                raise ConfigError(str(f), key, "must be a table")
            lid = _text(str(f), f"{key}.id", x.get("id"))
            dept = _text(str(f), f"{key}.dept", x.get("dept", x.get("department")))
            assert lid is not None and dept is not None
            if lid in seen:
                raise ConfigError(str(f), f"{key}.id", f"duplicate id {lid!r}")
            seen.add(lid)
            names = x.get("attachments", [])
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise ConfigError(str(f), f"{key}.attachments", "must be a list of strings")
            out.append(
                LabelledLetter(
                    id=lid,
                    source=f.name,
                    dept=dept,
                    urgency=_text(str(f), f"{key}.urgency", x.get("urgency"), required=False),
                    disposition=_text(
                        str(f), f"{key}.disposition", x.get("disposition", "dispatch")
                    )
                    or "dispatch",
                    category=_text(str(f), f"{key}.category", x.get("category"), required=False),
                    subject=_text(str(f), f"{key}.subject", x.get("subject", "")) or "",
                    body=_text(str(f), f"{key}.body", x.get("body", "")) or "",
                    attachments=tuple(names),
                )
            )
    return out


@dataclass(frozen=True, slots=True)
class DepartmentFigures:
    """Precision and recall of one department (承办单位)."""

    code: str
    expected: int
    predicted: int
    correct: int

    @property
    def precision(self) -> float | None:
        """Share of letters sent there that belonged there (None if none were sent)."""
        return self.correct / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        """Share of letters belonging there that were sent there (None if none belonged)."""
        return self.correct / self.expected if self.expected else None


def _ratio(n: int, d: int) -> float | None:
    return n / d if d else None


@dataclass(frozen=True)
class Report:
    """Every figure of one evaluation, with the ids behind each error."""

    letters: int
    department_correct: int
    departments: tuple[DepartmentFigures, ...]
    confusion: dict[str, dict[str, int]]
    category_checked: int
    category_correct: int
    disposition_correct: int
    emergencies: int
    emergencies_classified: int
    emergencies_caught: int
    non_emergencies: int
    false_alarms: tuple[str, ...]
    false_suspected: tuple[str, ...]
    missed: tuple[str, ...] = ()
    only_suspected: tuple[str, ...] = ()
    misrouted: tuple[tuple[str, str, str], ...] = ()
    wrong_disposition: tuple[tuple[str, str, str], ...] = ()
    wrong_category: tuple[tuple[str, str, str], ...] = field(default=())

    @property
    def false_alarm_rate(self) -> float | None:
        """Non-emergencies classified emergency or 疑似紧急, as a share of all non-emergencies."""
        return _ratio(len(self.false_alarms) + len(self.false_suspected), self.non_emergencies)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON (ratios are None where nothing was counted)."""
        return {
            "letters": self.letters,
            "department_accuracy": _ratio(self.department_correct, self.letters),
            "departments": [
                {
                    "code": d.code,
                    "expected": d.expected,
                    "predicted": d.predicted,
                    "correct": d.correct,
                    "precision": d.precision,
                    "recall": d.recall,
                }
                for d in self.departments
            ],
            "confusion": self.confusion,
            "category_accuracy": _ratio(self.category_correct, self.category_checked),
            "category_checked": self.category_checked,
            "disposition_accuracy": _ratio(self.disposition_correct, self.letters),
            "emergencies": self.emergencies,
            "emergency_recall": _ratio(self.emergencies_classified, self.emergencies),
            "emergency_caught": _ratio(self.emergencies_caught, self.emergencies),
            "non_emergencies": self.non_emergencies,
            "false_alarm_rate": self.false_alarm_rate,
            "false_alarms": list(self.false_alarms),
            "false_suspected": list(self.false_suspected),
            "missed_emergencies": list(self.missed),
            "emergencies_only_suspected": list(self.only_suspected),
            "misrouted": [list(t) for t in self.misrouted],
            "wrong_disposition": [list(t) for t in self.wrong_disposition],
            "wrong_category": [list(t) for t in self.wrong_category],
        }


def evaluate(letters: Sequence[LabelledLetter], rules: RuleSet) -> Report:
    """Classify every labelled letter with `rules` and count what was right."""
    results: list[tuple[LabelledLetter, Classification]] = [
        (x, classify(x.subject, x.body, x.attachments, rules)) for x in letters
    ]
    confusion: dict[str, dict[str, int]] = {}
    for x, c in results:
        row = confusion.setdefault(x.dept, {})
        got = c.department_code or "-"
        row[got] = row.get(got, 0) + 1
    order = {d.code: i for i, d in enumerate(rules.departments)}
    codes = sorted(
        {x.dept for x, _ in results} | {c.department_code or "-" for _, c in results},
        key=lambda code: (order.get(code, len(order)), code),
    )
    departments = tuple(
        DepartmentFigures(
            code,
            sum(1 for x, _ in results if x.dept == code),
            sum(1 for _, c in results if c.department_code == code),
            sum(1 for x, c in results if x.dept == code == c.department_code),
        )
        for code in codes
    )
    with_category = [(x, c) for x, c in results if x.category is not None]
    emergencies = [(x, c) for x, c in results if x.is_emergency]
    others = [(x, c) for x, c in results if not x.is_emergency]
    return Report(
        letters=len(results),
        department_correct=sum(1 for x, c in results if c.department_code == x.dept),
        departments=departments,
        confusion=confusion,
        category_checked=len(with_category),
        category_correct=sum(1 for x, c in with_category if c.category == x.category),
        disposition_correct=sum(1 for x, c in results if c.disposition == x.disposition),
        emergencies=len(emergencies),
        emergencies_classified=sum(1 for _, c in emergencies if c.urgency == "emergency"),
        emergencies_caught=sum(1 for _, c in emergencies if c.urgency in ALERTING),
        non_emergencies=len(others),
        false_alarms=tuple(x.id for x, c in others if c.urgency == "emergency"),
        false_suspected=tuple(x.id for x, c in others if c.urgency == "suspected_emergency"),
        missed=tuple(x.id for x, c in emergencies if c.urgency not in ALERTING),
        only_suspected=tuple(x.id for x, c in emergencies if c.urgency == "suspected_emergency"),
        misrouted=tuple(
            (x.id, x.dept, c.department_code or "-")
            for x, c in results
            if c.department_code != x.dept
        ),
        wrong_disposition=tuple(
            (x.id, x.disposition, c.disposition)
            for x, c in results
            if c.disposition != x.disposition
        ),
        wrong_category=tuple(
            (x.id, x.category or "", c.category)
            for x, c in with_category
            if c.category != x.category
        ),
    )


@dataclass(frozen=True, slots=True)
class ModelComparison:
    """Department accuracy of the rules alone and of rules + the model's suggestion (模型建议)."""

    version: str
    letters: int
    rules_correct: int
    combined_correct: int
    suggested: int

    def to_json(self) -> dict[str, Any]:
        """The comparison as JSON."""
        return {
            "version": self.version,
            "letters": self.letters,
            "suggested": self.suggested,
            "rules_accuracy": _ratio(self.rules_correct, self.letters),
            "rules_with_suggestion_accuracy": _ratio(self.combined_correct, self.letters),
        }


def compare_with_model(
    letters: Sequence[LabelledLetter], rules: RuleSet, model: Model
) -> ModelComparison:
    """Rules alone against rules whose department is replaced by the suggestion where shown.

    The issue's targets are always the rules-alone figures; this only says whether the model's
    advice would have helped the office.
    """
    rules_ok = combined_ok = suggested = 0
    for x in letters:
        c = classify(x.subject, x.body, x.attachments, rules)
        advice = suggest_on(model, x.subject, x.body, c)
        dept = c.department_code
        if advice is not None:
            suggested += 1
            dept = advice["department"]
        rules_ok += c.department_code == x.dept
        combined_ok += dept == x.dept
    return ModelComparison(model.version, len(letters), rules_ok, combined_ok, suggested)
