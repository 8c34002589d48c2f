"""Specification of learning from the office's corrections (从人工改派中学习).

Corrections become labelled examples; a model is trained only with enough of them, versioned on
disk, and its suggestion (with the n-grams that weighed most) is shown but never dispatches.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from inbound_helpers import context
from inbound_helpers import letter as letter_bytes
from office_helpers import route
from sweep_helpers import local, new_ticket, ticket
from xinxiang.classify import model_files
from xinxiang.classify.evaluate import compare_with_model, load_labelled
from xinxiang.classify.learn import (
    Example,
    LetterText,
    TrainingPolicy,
    examples_from,
    letter_text,
    predict,
    suggest,
    train,
    why_not_trainable,
)
from xinxiang.cli import main
from xinxiang.commands.inspect_cmd import _rules, inspect_dict
from xinxiang.services.learning import corrections, retrain, suggestion_for
from xinxiang.store.models import EventRow

TUNING = Path(__file__).parent / "data" / "eval" / "tuning"
T0 = local(2026, 12, 1, 9, 30)
NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
OFFICE = "dzb@example.edu.cn"


@dataclass
class Ev:
    ticket_id: int
    actor: str
    kind: str
    data: dict[str, Any] = field(default_factory=dict)


LETTERS = {
    1: LetterText("宿舍热水", "没有热水", "hqc", "后勤保障"),
    2: LetterText("奖学金", "评定不公", "xsc", None),
    3: LetterText("无人改过", "系统派的", "jwc", None),
}


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        # The system's own dispatch teaches nothing.
        ([Ev(1, "system", "dispatched", {"department": "hqc"})], []),
        # Routing from triage by the office is an example.
        ([Ev(2, OFFICE, "dispatched", {"department": "xsc"})], [(2, "xsc", None)]),
        # The last decision wins; the ticket's category comes along.
        (
            [
                Ev(1, "system", "dispatched", {"department": "jwc"}),
                Ev(1, OFFICE, "transferred", {"department": "xsc", "previous": "jwc"}),
                Ev(1, OFFICE, "transferred", {"department": "hqc", "previous": "xsc"}),
            ],
            [(1, "hqc", "后勤保障")],
        ),
        # An urgency change names no department: the ticket's current one is the label.
        ([Ev(3, OFFICE, "urgency_changed", {"urgency": "priority"})], [(3, "jwc", None)]),
        # A category named by a correction wins over the stored one.
        (
            [Ev(2, OFFICE, "reclassified", {"department": "xsc", "category": "学生事务"})],
            [(2, "xsc", "学生事务")],
        ),
        # Other kinds (notes, mails) and unknown tickets are ignored.
        ([Ev(1, OFFICE, "note"), Ev(9, OFFICE, "dispatched", {"department": "hqc"})], []),
    ],
)
def test_corrections_become_examples(events: list[Ev], expected: list[tuple[Any, ...]]) -> None:
    got = examples_from(events, LETTERS)
    assert [(e.ticket_id, e.department, e.category) for e in got] == expected
    for e in got:
        letter = LETTERS[e.ticket_id]
        assert e.text == letter_text(letter.subject, letter.body)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 4),
            st.sampled_from(["system", OFFICE]),
            st.sampled_from(["dispatched", "transferred", "note", "urgency_changed"]),
            st.sampled_from([None, "hqc", "xsc"]),
        ),
        max_size=12,
    )
)
def test_at_most_one_example_per_corrected_ticket(rows: list[tuple[Any, ...]]) -> None:
    events = [Ev(t, a, k, {"department": d} if d else {}) for t, a, k, d in rows]
    got = examples_from(events, LETTERS)
    ids = [e.ticket_id for e in got]
    assert ids == sorted(set(ids))
    corrected = {t for t, a, k, _ in rows if a != "system" and k != "note"}
    assert set(ids) <= corrected & set(LETTERS)


def test_letter_text_is_normalised() -> None:
    assert letter_text("宿舍熱水", "ＡＢＣ") == "宿舍热水\nabc"


@pytest.mark.parametrize(
    ("labels", "policy", "trainable"),
    [
        (["a"] * 30 + ["b"] * 19, TrainingPolicy(min_samples=50), False),
        (["a"] * 30 + ["b"] * 20, TrainingPolicy(min_samples=50), True),
        (["a"] * 60, TrainingPolicy(min_samples=50), False),
        (["a", "b", "c"], TrainingPolicy(min_samples=3, min_classes=3), True),
        (["a", "b", "b"], TrainingPolicy(min_samples=3, min_classes=3), False),
    ],
)
def test_minimum_sample_size(labels: list[str], policy: TrainingPolicy, trainable: bool) -> None:
    reason = why_not_trainable(labels, policy)
    assert (reason is None) is trainable
    examples = [
        Example(i, f"第{i}封 {label}{label}", label, None) for i, label in enumerate(labels)
    ]
    assert (train(examples, NOW, "v", policy) is not None) is trainable


PARROT = [("鹦鹉", f"楼里的鹦鹉羽毛到处都是，鸟笼第{i}次没有清理") for i in range(8)]
CACTUS = [("仙人掌", f"走廊的仙人掌花盆第{i}次倒了，盆土撒了一地") for i in range(8)]


def _synthetic(n: int = 8) -> list[Example]:
    rows = [(s, b, "xsc") for s, b in PARROT[:n]] + [(s, b, "hqc") for s, b in CACTUS[:n]]
    return [Example(i, letter_text(s, b), d, None) for i, (s, b, d) in enumerate(rows)]


def test_the_suggestion_names_its_evidence() -> None:
    model = train(_synthetic(), NOW, "v1", TrainingPolicy(min_samples=10))
    assert model is not None and sorted(model.classes) == ["hqc", "xsc"]
    p = predict(model, "又有鹦鹉", "鹦鹉的羽毛")
    assert p.department == "xsc" and p.probability > 0.5
    grams = [e.ngram for e in p.evidence]
    assert grams and any(g in "鹦鹉的羽毛" and g.strip() for g in grams[:3])
    weights = [e.weight for e in p.evidence]
    assert weights == sorted(weights, reverse=True) and all(w > 0 for w in weights)


@pytest.mark.parametrize(
    ("rules_dept", "disposition", "confidence", "reason"),
    [
        ("dzb", "triage", 0.0, "weak"),
        ("xsc", "dispatch", 0.2, "weak"),
        ("hqc", "dispatch", 0.9, "disagree"),
        ("xsc", "dispatch", 0.9, None),
        # Legal channel, illegal and praise are the rules' and the office's alone.
        ("dzb", "legal_channel", 0.1, None),
        ("dzb", "illegal", 0.1, None),
    ],
)
def test_when_a_suggestion_is_shown(
    rules_dept: str, disposition: str, confidence: float, reason: str | None
) -> None:
    model = train(_synthetic(), NOW, "v1", TrainingPolicy(min_samples=10))
    assert model is not None
    s = suggest(
        model,
        "鹦鹉",
        "鹦鹉羽毛鸟笼",
        rules_department=rules_dept,
        disposition=disposition,
        confidence=confidence,
    )
    assert (s["reason"] if s else None) == reason
    if s is not None:
        assert s["department"] == "xsc" and s["advisory"] is True and s["evidence"]
        assert s["model_version"] == "v1"


def test_versions_are_kept_newest_used(tmp_path: Path) -> None:
    directory = tmp_path / "models"
    policy = TrainingPolicy(min_samples=10, keep=2)
    made = []
    for minutes in (0, 0, 5):
        now = NOW + timedelta(minutes=minutes)
        model = train(_synthetic(), now, model_files.new_version(directory, now), policy)
        assert model is not None
        made.append(model_files.save(directory, model, policy.keep).stem)
    assert made == ["dept-20261207T0200", "dept-20261207T0200-2", "dept-20261207T0205"]
    assert [p.stem for p in model_files.versions(directory)] == made[1:]
    latest = model_files.load_latest(directory)
    assert latest is not None and latest.version == "20261207T0205"
    meta = model_files.metadata(directory)[-1]
    assert meta["version"] == "20261207T0205" and meta["n_samples"] == 16
    assert meta["classes"] == ["hqc", "xsc"] and "department_holdout_accuracy" in meta["metrics"]
    assert model_files.load_latest(tmp_path / "none") is None


def test_training_on_the_office_history_in_the_store(  # type: ignore[no-untyped-def]
    tmp_config, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_config(overrides={"dispatch": {"require_office_confirmation": True}})
    ctx = context(cfg)
    at = T0
    for i, ((s, b), dept) in enumerate(
        [(x, "xsc") for x in PARROT[:6]] + [(x, "hqc") for x in CACTUS[:6]]
    ):
        number = new_ticket(ctx, at, (s, b), sender=f"s{i}@stu.example.edu.cn")
        assert ticket(ctx, number).status == "triage"
        route(ctx, number, dept, None, OFFICE, at + timedelta(minutes=5))
        at += timedelta(minutes=10)
    with ctx.db.unit_of_work() as s:
        examples = corrections(s)
    assert Counter(e.department for e in examples) == {"xsc": 6, "hqc": 6}

    not_yet = retrain(ctx, NOW, TrainingPolicy(min_samples=50))
    assert not_yet.model is None and "样本不足" in (not_yet.reason or "")
    assert model_files.versions(model_files.models_dir(ctx.cfg.data_dir)) == []

    done = retrain(ctx, NOW, TrainingPolicy(min_samples=10))
    assert done.model is not None and done.path is not None and done.path.is_file()
    assert json.loads(done.path.with_suffix(".json").read_text("utf-8"))["n_samples"] == 12

    # A new letter the rules cannot route: the office sees the suggestion, nothing dispatches.
    letter = ("鹦鹉", "鹦鹉的羽毛又飘进了宿舍")
    number = new_ticket(ctx, at, letter, sender="new@stu.example.edu.cn")
    t = ticket(ctx, number)
    assert t.status == "triage"
    advice = suggestion_for(ctx, t, *letter)
    assert advice is not None and advice["department"] == "xsc" and advice["evidence"]
    assert ticket(ctx, number).status == "triage"
    with ctx.db.unit_of_work() as s:
        kinds = s.execute(select(EventRow.kind).where(EventRow.ticket_id == t.id)).scalars()
        assert not {"dispatched", "transferred"} & set(kinds)
        # The triage record keeps what the model advised when the letter came in.
        triage = s.execute(
            select(EventRow.data).where(EventRow.ticket_id == t.id, EventRow.kind == "triage")
        ).scalar_one()
        assert triage["suggestion"]["department"] == "xsc"

    # `tickets show` shows the suggestion to the office, in JSON and in words.
    assert main(["tickets", "show", number, "-c", str(cfg), "--json"]) in (0, None)
    shown = json.loads(capsys.readouterr().out)
    assert shown["suggestion"]["department"] == "xsc" and shown["status"] == "triage"
    assert main(["tickets", "show", number, "-c", str(cfg)]) in (0, None)
    assert "分办建议" in capsys.readouterr().out

    # `inspect --json` shows it too, next to the rules' decision it does not change.
    inspected = inspect_dict(letter_bytes(subject="鹦鹉", body="鹦鹉羽毛鸟笼"), ctx.cfg)
    assert inspected["classification"]["disposition"] == "triage"
    assert inspected["classification"]["suggestion"]["department"] == "xsc"

    # `rules evaluate` adds one line comparing rules alone with rules + suggestion.
    labelled = cfg / "labelled.toml"
    labelled.write_text(
        '[[letter]]\nid = "p1"\ndept = "xsc"\nsubject = "鹦鹉"\nbody = "鹦鹉羽毛"\n', "utf-8"
    )
    assert main(["rules", "evaluate", "--labelled", str(labelled), "-c", str(cfg)]) in (0, None)
    assert "规则+建议 100.0%（1/1）" in capsys.readouterr().out
    args = ["rules", "evaluate", "--labelled", str(labelled), "-c", str(cfg), "--json"]
    assert main(args) in (0, None)
    report = json.loads(capsys.readouterr().out)
    assert report["department_accuracy"] == 0.0  # the figures stay rules alone
    assert report["model"]["rules_with_suggestion_accuracy"] == 1.0


def test_evaluate_refuses_a_file_that_is_not_a_model(  # type: ignore[no-untyped-def]
    tmp_config, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_config()
    bogus = tmp_path / "x.joblib"
    bogus.write_bytes(b"junk")
    args = ["rules", "evaluate", "--labelled", str(TUNING), "-c", str(cfg), "--model", str(bogus)]
    assert main(args) not in (0, None)
    assert "不是可用的分办建议模型" in capsys.readouterr().err


def test_rules_learn_command(tmp_config, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    cfg = tmp_config()
    context(cfg)
    assert main(["rules", "learn", "-c", str(cfg), "--json"]) in (0, None)
    out = json.loads(capsys.readouterr().out)
    assert out["trained"] is False and out["examples"] == 0 and "样本不足" in out["reason"]


def _tuning_examples() -> list[tuple[Example, Any]]:
    letters = load_labelled([TUNING])
    return [
        (Example(i, letter_text(x.subject, x.body), x.dept, x.category), x)
        for i, x in enumerate(letters)
    ]


def test_tuning_letters_train_a_model_better_than_chance() -> None:
    rows = _tuning_examples()
    train_rows, test_rows = rows[::2], rows[1::2]
    model = train([e for e, _ in train_rows], NOW, "tuning", TrainingPolicy())
    assert model is not None
    right = sum(
        1 for e, x in test_rows if predict(model, x.subject, x.body).department == e.department
    )
    chance = max(Counter(e.department for e, _ in test_rows).values()) / len(test_rows)
    assert right / len(test_rows) > chance + 0.1
    # The rules-alone figure is unchanged by the comparison; it only adds rules + suggestion.
    comparison = compare_with_model([x for _, x in test_rows], _rules(None), model)
    assert comparison.letters == len(test_rows) and comparison.suggested >= 0


def test_a_damaged_model_never_stops_a_letter(tmp_config) -> None:  # type: ignore[no-untyped-def]
    ctx = context(tmp_config(overrides={"dispatch": {"require_office_confirmation": True}}))
    directory = model_files.models_dir(ctx.cfg.data_dir)
    directory.mkdir(parents=True)
    (directory / "dept-20261207T0200.joblib").write_bytes(b"not a model")
    number = new_ticket(ctx, T0, PARROT[0])
    t = ticket(ctx, number)
    assert t.status == "triage"
    assert suggestion_for(ctx, t, *PARROT[0]) is None
