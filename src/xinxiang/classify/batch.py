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

import pickle
from collections.abc import Callable, Iterable, Sequence
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
    letters: Sequence[LetterFields],
    rules: RuleSet,
    *,
    reader: Reader | None = None,
    ahead: ReadAhead | None = None,
) -> list[Classification | Exception]:
    """Each letter's `classify` result, in order; a letter that raises gets its exception.

    `reader` replaces the shipped second reader, as for `classify`. `ahead`: readings of the
    shipped reader made beforehand (`read_ahead`, in ingest's worker processes), taken from
    there for the texts it holds (never with another `reader`).
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
    pre = _pre_read(rules, reader, texts, ahead if reader is None else None)
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


def used_models(rules: RuleSet) -> tuple[bool, bool]:
    """Whether the rules' settings ask the danger and the department model of (nearly) every
    letter long enough for them."""
    s = rules.settings
    uses_danger = max(
        s.reader_danger,
        s.reader_danger_over_context,
        s.reader_calm,
        s.reader_calm_emergency,
        s.reader_confirm,
    )
    return uses_danger > 0, max(s.reader_department, s.reader_office) > 0


def _pre_read(
    rules: RuleSet, reader: Reader | None, texts: list[str], ahead: ReadAhead | None
) -> SecondReader | None:
    """The batch's danger and department readings of `texts`, where the settings use them."""
    danger, department = used_models(rules)
    if not texts or not (danger or department):
        return reader  # the models are not fitted for nothing
    second = reader if reader is not None else shipped_reader()
    pre = PreRead(second)
    known = ahead.take(texts) if ahead is not None else {}
    try:
        if danger:
            pre.danger = _readings(texts, known, 0, second.read_danger_many)
        if department:
            pre.department = _readings(texts, known, 1, second.read_department_many)
    except Exception:  # each letter is read alone instead, and fails alone
        return second
    return pre


def _readings(
    texts: list[str],
    known: dict[str, tuple[Reading | None, Reading | None]],
    which: int,
    read_many: Callable[[Sequence[str]], list[Reading]],
) -> dict[str, Reading]:
    """Each text's reading: made beforehand (`known`), else read now, the rest at once."""
    out: dict[str, Reading] = {}
    for t in texts:
        found = known.get(t, (None, None))[which]
        if found is not None:
            out[t] = found
    rest = [t for t in texts if t not in out]
    if rest:  # (asking for none would still fit the model)
        out.update(zip(rest, read_many(rest), strict=True))
    return out


# -- reading ahead, where ingest prepares letters ---------------------------------------------

Ahead = tuple[str, "Reading | None", "Reading | None"]
"""A text the second reader reads, and its danger and department readings (None: not made)."""


_AHEAD_MODELS = ("danger", "department")


def models_fitted(wanted: tuple[bool, bool] = (True, True)) -> bool:
    """Whether this process's shipped reader has fitted the `wanted` ones of the danger and
    department models."""
    fitted = vars(shipped_reader())
    return all(m in fitted for m, w in zip(_AHEAD_MODELS, wanted, strict=True) if w)


def fit_models(rules: RuleSet) -> None:
    """Fit the shipped reader's models routing asks of every letter under `rules` (a start-up
    cost of seconds, paid once per process)."""
    for model, used in zip(_AHEAD_MODELS, used_models(rules), strict=True):
        if used:
            getattr(shipped_reader(), model)


def fitted_models(wanted: tuple[bool, bool] = (True, True)) -> bytes | None:
    """This process's fitted danger and/or department models (`wanted`), pickled for ingest's
    worker processes (`install_models`; ~14 MB for both, 0.05 s each way), or None when they
    are not all fitted here."""
    if not any(wanted) or not models_fitted(wanted):
        return None
    fitted = vars(shipped_reader())
    chosen = {m: fitted[m] for m, w in zip(_AHEAD_MODELS, wanted, strict=True) if w}
    return pickle.dumps(chosen, protocol=pickle.HIGHEST_PROTOCOL)


def install_models(blob: bytes | None) -> None:
    """In a worker process: take the models the main process fitted (`fitted_models`), so the
    worker reads ahead with the very same models and never fits them itself (seconds)."""
    if blob is not None:
        vars(shipped_reader()).update(pickle.loads(blob))  # our own parent process's


def read_ahead(
    letters: Sequence[LetterFields], danger: bool, department: bool
) -> list[Ahead | None]:
    """For each letter long enough for the shipped reader, its text and danger and/or
    department readings, made at once (ingest's worker processes make them while the main
    process records the previous batch, so routing takes them instead of making them); None
    for the others. Only with models already fitted in this process (`install_models`): it
    never fits them. Never raises: a letter or a batch that fails is not read ahead (routing
    reads it as before, and meets its failure there)."""
    if not (danger or department) or not models_fitted((danger, department)):
        return [None] * len(letters)
    texts: list[str | None] = []
    for x in letters:
        try:
            texts.append(reader_text(normalized_fields(x.subject, x.body, x.attachment_names)))
        except Exception:  # routing meets the letter's failure itself
            texts.append(None)
    unique = sorted({t for t in texts if t is not None})
    if not unique:
        return [None] * len(letters)
    try:
        reader = shipped_reader()
        d = dict(zip(unique, reader.read_danger_many(unique), strict=True)) if danger else {}
        p = (
            dict(zip(unique, reader.read_department_many(unique), strict=True))
            if department
            else {}
        )
    except Exception:  # routing reads these letters itself
        return [None] * len(letters)
    return [None if t is None else (t, d.get(t), p.get(t)) for t in texts]


class ReadAhead:
    """Readings made ahead by ingest, kept until routing takes them (one process: the poll
    imports, then routes, `services.poll`). Keyed by the very text the reader reads, so a
    reading is used only for that text; at most `limit` texts are kept (the oldest dropped),
    so a process that ingests without routing keeps no more."""

    def __init__(self, limit: int = 20_000) -> None:
        """An empty store of at most `limit` texts."""
        self.limit = limit
        self._readings: dict[str, tuple[Reading | None, Reading | None]] = {}

    def __len__(self) -> int:
        """How many texts are held."""
        return len(self._readings)

    def add(self, found: Iterable[Ahead]) -> None:
        """Keep readings made ahead (`read_ahead`)."""
        for text, danger, department in found:
            self._readings.pop(text, None)
            self._readings[text] = (danger, department)
        while len(self._readings) > self.limit:
            del self._readings[next(iter(self._readings))]

    def take(self, texts: Iterable[str]) -> dict[str, tuple[Reading | None, Reading | None]]:
        """The readings held for `texts`, no longer held."""
        out = {}
        for t in texts:
            found = self._readings.pop(t, None)
            if found is not None:
                out[t] = found
        return out
