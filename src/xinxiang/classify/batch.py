"""Classifying a batch of letters at once (issue #17): the same readings as one at a time.

Routing classifies up to fifty letters per transaction. Asked one letter at a time, the second
reader (`reader.py`) pays scikit-learn's checks and conversions on every call, which cost more
than reading the letter; here every letter long enough for the models is vectorised once and
each of the two models it almost always asks (danger, department) predicts once for the batch.
The rules then decide each letter as `engine.classify` does, taking those readings from a table
(`PreRead`); the rare readings not made beforehand (whose emergency, the office's clause, a
short letter's department) are made when asked, as before.

A row's figures do not depend on the other rows of the batch (TF-IDF, the linear models and
their probabilities are computed row by row), so each letter's classification is the one
`classify` gives it alone (`tests/test_classify_batch.py`). A letter whose classification
raises gets its exception in its place; the others are classified all the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from xinxiang.classify.engine import (
    Classification,
    classify_texts,
    normalized_fields,
    reader_text,
)
from xinxiang.classify.reader import Reader, Reading, SecondReader, shipped_reader
from xinxiang.classify.rules import RuleSet
from xinxiang.domain.letter import Letter


@dataclass(frozen=True, slots=True)
class LetterFields:
    """What classification reads of a letter: subject, plain-text body, attachment names."""

    subject: str
    body: str
    attachment_names: tuple[str, ...] = ()

    @staticmethod
    def of(letter: Letter) -> LetterFields:
        """The fields of a parsed `Letter` (as `engine.classify_letter` reads them)."""
        names = tuple(a.filename for a in letter.attachments if a.filename)
        return LetterFields(letter.subject, letter.body, names)


@dataclass
class PreRead:
    """A second reader answering from readings made for the whole batch, else from `reader`."""

    reader: SecondReader
    danger: dict[str, Reading] = field(default_factory=dict)
    department: dict[str, Reading] = field(default_factory=dict)

    def read_danger(self, text: str) -> Reading:
        """The batch's reading of `text`, or the reader's."""
        found = self.danger.get(text)
        return found if found is not None else self.reader.read_danger(text)

    def read_department(self, text: str) -> Reading:
        """The batch's reading of `text`, or the reader's."""
        found = self.department.get(text)
        return found if found is not None else self.reader.read_department(text)

    def read_office_disposition(self, text: str) -> Reading:
        """Asked of few letters: the reader's."""
        return self.reader.read_office_disposition(text)

    def read_emergency_department(self, text: str) -> Reading:
        """Asked of few letters: the reader's."""
        return self.reader.read_emergency_department(text)


def classify_batch(
    letters: Sequence[LetterFields], rules: RuleSet, *, reader: Reader | None = None
) -> list[Classification | Exception]:
    """Each letter's `classify` result, in order; a letter that raises gets its exception.

    `reader` replaces the shipped second reader, as for `classify`.
    """
    fields: list[dict[str, str] | Exception] = []
    for x in letters:
        try:
            fields.append(normalized_fields(x.subject, x.body, x.attachment_names))
        except Exception as exc:  # the letter's own failure: the batch goes on
            fields.append(exc)
    texts = sorted(
        {t for f in fields if not isinstance(f, Exception) and (t := reader_text(f)) is not None}
    )
    pre = _pre_read(rules, reader, texts)
    out: list[Classification | Exception] = []
    for f in fields:
        if isinstance(f, Exception):
            out.append(f)
            continue
        try:
            out.append(classify_texts(f, rules, reader=pre))
        except Exception as exc:  # as above
            out.append(exc)
    return out


def _pre_read(rules: RuleSet, reader: Reader | None, texts: list[str]) -> SecondReader | None:
    """The batch's danger and department readings of `texts`, where the settings use them."""
    s = rules.settings
    uses_danger = max(
        s.reader_danger,
        s.reader_danger_over_context,
        s.reader_calm,
        s.reader_calm_emergency,
        s.reader_confirm,
    )
    uses_department = max(s.reader_department, s.reader_office)
    if not texts or (uses_danger <= 0 and uses_department <= 0):
        return reader  # the models are not fitted for nothing
    second = reader if reader is not None else shipped_reader()
    pre = PreRead(second)
    try:
        if uses_danger > 0:
            pre.danger = dict(zip(texts, second.read_danger_many(texts), strict=True))
        if uses_department > 0:
            pre.department = dict(zip(texts, second.read_department_many(texts), strict=True))
    except Exception:  # each letter is read alone instead, and fails alone
        return second
    return pre
