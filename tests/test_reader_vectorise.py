"""Specification: the second reader counts each letter's n-grams once for the models that
analyse it alike (issue #17), and that changes nothing — the very matrices scikit-learn's
`transform` makes, so the very readings (probabilities and evidence), whatever order the
models are asked in and whatever texts the previous call held."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

import numpy as np
import pytest

from xinxiang.classify import reader as rd
from xinxiang.samples import iter_sample_letters

MODELS = ["danger", "department", "emergency_department", "office_disposition"]


def _texts(n: int, seed: int) -> list[str]:
    out = []
    for raw in iter_sample_letters(n, seed=seed):
        m = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(m, EmailMessage)
        body = m.get_body(preferencelist=("plain",))
        out.append(rd.model_text(str(m["subject"]), body.get_content() if body else ""))
    return [*out, "", "火", "ＡＢＣ abc 123"]  # empty, one character, width and case


@pytest.mark.parametrize("model", MODELS)
def test_the_matrix_is_scikit_learns(model: str) -> None:
    pipe, _ = getattr(rd.shipped_reader(), model)
    vec = pipe.named_steps["tfidf"]
    texts = _texts(60, seed=21)
    grams: dict[tuple[object, ...], dict[str, object]] = {}
    for batch in (texts[:40], texts[20:], texts):  # half of each batch counted before
        ours = rd._vectorise(vec, batch, grams).tocsr()  # type: ignore[arg-type]
        theirs = vec.transform(batch).tocsr()
        assert ours.shape == theirs.shape
        assert ours.data.dtype == theirs.data.dtype
        assert np.array_equal(ours.indptr, theirs.indptr)
        assert np.array_equal(ours.indices, theirs.indices)
        assert np.array_equal(ours.data, theirs.data)  # bit for bit, not approximately


def test_readings_in_either_order_are_the_readings_of_a_fresh_reader() -> None:
    texts = _texts(50, seed=22)
    shipped = rd.shipped_reader()
    alone = {
        "danger": rd._read_many(*shipped.danger, texts, want="1"),
        "department": rd._read_many(*shipped.department, texts, want=None),
    }
    assert shipped.read_danger_many(texts) == alone["danger"]
    assert shipped.read_department_many(texts) == alone["department"]
    assert shipped.read_department_many(texts[10:]) == alone["department"][10:]
    assert shipped.read_danger_many(texts[:30]) == alone["danger"][:30]
