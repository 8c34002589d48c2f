"""Specification of classifying a batch of letters at once (issue #17, `classify.batch`).

Routing classifies a batch's letters together so that the second reader vectorises and predicts
once per batch. That is only a change of speed: every letter of a batch gets exactly the
classification `classify` gives it alone — department, urgency, disposition, confidence, hits
and the explanation with the model's probability and evidence — whatever the other letters of
the batch, their order or repetitions, and whichever of the reader's settings are on. A letter
whose classification raises gets its exception in its place; the others are classified all the
same. The batch readings of the second reader are its single readings, and the evidence it
names is the n-grams that weighed most (weight, then n-gram, descending; distinct, longer than
one character).
"""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xinxiang.classify import reader as rd
from xinxiang.classify.batch import LetterFields, classify_batch
from xinxiang.classify.engine import classify
from xinxiang.classify.rules import RuleSet, load_rules_for
from xinxiang.config import load_config

REPO = Path(__file__).resolve().parents[1]
RULES: RuleSet = load_rules_for(load_config(REPO / "config"))


def _variant(**update: float) -> RuleSet:
    return dataclasses.replace(RULES, settings=RULES.settings.model_copy(update=update))


SETTINGS = {
    "shipped": RULES,
    "rules alone": _variant(
        reader_danger=0.0,
        reader_danger_over_context=0.0,
        reader_calm=0.0,
        reader_calm_emergency=0.0,
        reader_confirm=0.0,
        reader_department=0.0,
        reader_office=0.0,
        reader_emergency_department=0.0,
    ),
    "raising only": _variant(reader_calm=0.0, reader_calm_emergency=0.0, reader_confirm=0.0),
    "departments only": _variant(
        reader_danger=0.0, reader_calm=0.0, reader_calm_emergency=0.0, reader_confirm=0.0
    ),
}


def _labelled() -> list[LetterFields]:
    out: list[LetterFields] = []
    for path in sorted((REPO / "tests" / "data" / "labelled").glob("*.toml")):
        with path.open("rb") as fh:
            for x in tomllib.load(fh)["letter"]:
                out.append(LetterFields(x["subject"], x["body"], tuple(x.get("attachments", []))))
    return out


# Labelled letters of every department and disposition, and letters each branch of the reader
# reads: dangers in words the rules do not know, a danger the rules read in context, the
# office's own matters, short notes and English (the rules' alone), empty and traditional text.
LETTERS = [
    *_labelled(),
    LetterFields("", "五号楼走廊全是灰蒙蒙的东西，呛得大家直咳嗽，好像哪个房间在烧"),
    LetterFields("求助", "我同学刚在群里说对不起大家，以后再也不会麻烦任何人了，现在打电话不接"),
    LetterFields("", "宿舍没有烟味，也没有着火，只是有人在楼道里做饭，希望宿管阿姨管一管"),
    LetterFields("", "楼道里着火了，烟很大，好多同学还在宿舍里没有出来，请赶快派人"),
    LetterFields("", "我不想活了，今晚就从楼顶跳下去，谁也别来找我，这个世界没意思"),
    LetterFields("代写论文", "本公司专业代写论文、代考四六级，价格优惠，联系微信 abc123"),
    LetterFields("", "操场跑道破损"),
    LetterFields("power", "there is a power outage in dorm 5"),
    LetterFields("", ""),
    LetterFields("宿舍樓", "宿舍樓的熱水器壞了三天，洗澡只有冷水，請後勤盡快維修", ("照片.jpg",)),
]


@pytest.mark.parametrize("name", list(SETTINGS))
def test_every_letter_of_a_batch_is_classified_as_alone(name: str) -> None:
    rules = SETTINGS[name]
    alone = [classify(x.subject, x.body, x.attachment_names, rules) for x in LETTERS]
    assert classify_batch(LETTERS, rules) == alone


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(range(len(LETTERS))), min_size=1, max_size=12))
def test_the_other_letters_order_and_repetitions_change_nothing(picked: list[int]) -> None:
    batch = [LETTERS[i] for i in picked]
    expected = [classify(x.subject, x.body, x.attachment_names, RULES) for x in batch]
    assert classify_batch(batch, RULES) == expected


def test_a_letter_that_raises_gets_its_exception_and_the_others_go_on() -> None:
    broken = LetterFields("", None)  # type: ignore[arg-type]
    batch = [LETTERS[0], broken, LETTERS[-5]]
    got = classify_batch(batch, RULES)
    assert isinstance(got[1], TypeError)
    assert got[0] == classify(
        LETTERS[0].subject, LETTERS[0].body, LETTERS[0].attachment_names, RULES
    )
    assert got[2] == classify(LETTERS[-5].subject, LETTERS[-5].body, (), RULES)


def test_an_empty_batch_is_classified_without_the_models() -> None:
    assert classify_batch([], RULES) == []


def _evidence_as_specified(
    pipe: object, names: object, text: str, want: str | None
) -> tuple[str, ...]:
    """The n-grams that weighed most, every weight of the letter sorted in Python."""
    vec, clf = pipe.named_steps["tfidf"], pipe.named_steps["clf"]  # type: ignore[attr-defined]
    x = vec.transform([text]).tocsr()
    probs = clf.predict_proba(x)[0]
    classes = [str(c) for c in clf.classes_]
    i = classes.index(want) if want is not None else int(probs.argmax())
    row = clf.coef_[0] * (1 if i == 1 else -1) if clf.coef_.shape[0] == 1 else clf.coef_[i]
    scored = [(float(v * row[j]), str(names[j])) for j, v in zip(x.indices, x.data, strict=True)]  # type: ignore[index]
    evidence: list[str] = []
    for w, g in sorted(scored, reverse=True):
        gram = g.removeprefix("chars__").removeprefix("words__").strip()
        if w > 0 and len(gram) > 1 and gram not in evidence:
            evidence.append(gram)
        if len(evidence) == rd.EVIDENCE_SIZE:
            break
    return tuple(evidence)


@pytest.mark.parametrize(
    ("model", "want"),
    [
        ("danger", "1"),
        ("department", None),
        ("emergency_department", None),
        ("office_disposition", None),
    ],
)
def test_batch_readings_are_the_single_readings_with_the_strongest_evidence(
    model: str, want: str | None
) -> None:
    reader = rd.shipped_reader()
    pipe, names = getattr(reader, model)
    texts = [rd.model_text(x.subject, x.body) for x in LETTERS]
    many = rd._read_many(pipe, names, texts, want)
    for text, reading in zip(texts, many, strict=True):
        assert rd._read_many(pipe, names, [text], want) == [reading]
        assert reading.evidence == _evidence_as_specified(pipe, names, text, want)
    if model == "danger":
        assert many == reader.read_danger_many(texts)
        assert [reader.read_danger(t) for t in texts] == many
    if model == "department":
        assert [reader.read_department(t) for t in texts] == many
