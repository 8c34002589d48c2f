"""Learning from the office's corrections (从人工改派中学习): examples, training, suggestions.

Every correction the office makes — routing a letter out of triage, a transfer (改派) to another
department, a change of disposition, category or urgency — is a labelled example: the letter's
text and the department (and category, when known) a person decided on. A model trained on them
(character 1–3-gram TF-IDF over the normalised subject and body, logistic regression, whose
probabilities are calibrated enough to be shown as such) *suggests* a department and a category
when the rules are weak (triage or low confidence) or disagree with it, and names its evidence:
the n-grams that weighed most for the suggestion.

The rules stay first and explainable: a suggestion is shown to the office and never dispatches.
Everything here is pure except for scikit-learn's fitting; files live in `model_files.py`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from xinxiang.classify.engine import Classification
from xinxiang.classify.normalize import normalize

# Event kinds that record a person's decision about where or how a letter is handled. The
# system's own automatic dispatch has actor "system" and teaches nothing.
CORRECTION_KINDS = frozenset(
    {
        "dispatched",
        "transferred",
        "rerouted",
        "reclassified",
        "disposition_changed",
        "urgency_changed",
        "category_changed",
    }
)
SYSTEM_ACTOR = "system"
# Below this, the rules are "weak" and a suggestion is worth showing even when it agrees.
WEAK_CONFIDENCE = 0.5
# A suggestion that disagrees with confident rules is shown only when the model is this sure.
DISAGREE_PROBABILITY = 0.6
EVIDENCE_SIZE = 8
DEFAULT_MIN_SAMPLES = 50
DEFAULT_KEEP = 5


class EventLike(Protocol):
    """What `examples_from` needs of a stored event (the store's `EventRow` fits)."""

    @property
    def ticket_id(self) -> int: ...
    @property
    def actor(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def data(self) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class LetterText:
    """A ticket's letter as the model reads it, with the ticket's current labels."""

    subject: str
    body: str
    department: str | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled example (标注样本): letter text and what the office decided."""

    ticket_id: int
    text: str
    department: str
    category: str | None


def letter_text(subject: str, body: str) -> str:
    """The model's input: the normalised subject and body (see `normalize`)."""
    return normalize(f"{subject}\n{body}")


def examples_from(events: Iterable[EventLike], letters: Mapping[int, LetterText]) -> list[Example]:
    """One example per ticket a person corrected, labelled with the person's last decision.

    Events by the system are ignored. A correction that names no department (an urgency
    change) takes the ticket's current department; a category named by any correction wins
    over the ticket's stored one. Tickets whose letter is unknown are skipped.
    """
    dept: dict[int, str | None] = {}
    category: dict[int, str] = {}
    for e in events:
        if e.actor == SYSTEM_ACTOR or e.kind not in CORRECTION_KINDS:
            continue
        data = e.data or {}
        named = data.get("department")
        if isinstance(named, str) and named:
            dept[e.ticket_id] = named
        else:
            dept.setdefault(e.ticket_id, None)
        cat = data.get("category")
        if isinstance(cat, str) and cat:
            category[e.ticket_id] = cat
    out: list[Example] = []
    for tid in sorted(dept):
        letter = letters.get(tid)
        if letter is None:
            continue
        label = dept[tid] or letter.department
        if not label:
            continue
        out.append(
            Example(
                tid,
                letter_text(letter.subject, letter.body),
                label,
                category.get(tid, letter.category),
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class TrainingPolicy:
    """When a model may be trained and how many versions are kept (样本量下限、保留版本数)."""

    min_samples: int = DEFAULT_MIN_SAMPLES
    min_classes: int = 2
    keep: int = DEFAULT_KEEP


def why_not_trainable(labels: Sequence[str], policy: TrainingPolicy) -> str | None:
    """The reason (in Chinese, for the office) no model may be trained, or None if one may."""
    classes = len(set(labels))
    if len(labels) < policy.min_samples:
        return f"样本不足：{len(labels)} 条人工分办/改派记录，至少需要 {policy.min_samples} 条"
    if classes < policy.min_classes:
        return f"类别不足：样本只涉及 {classes} 个承办单位，至少需要 {policy.min_classes} 个"
    return None


@dataclass(frozen=True)
class Model:
    """A trained suggestion model: department classifier, optional category classifier."""

    version: str
    trained_at: datetime
    n_samples: int
    department: Any  # sklearn Pipeline
    category: Any | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    # The department vectoriser's n-grams by column, kept once: rebuilding them for every
    # letter's evidence costs more than the prediction itself.
    ngrams: Any = None

    @property
    def classes(self) -> list[str]:
        """Department codes the model can suggest."""
        return [str(c) for c in self.department.classes_]

    def metadata(self) -> dict[str, Any]:
        """The JSON kept next to the model file."""
        return {
            "version": self.version,
            "trained_at": self.trained_at.isoformat(),
            "n_samples": self.n_samples,
            "classes": self.classes,
            "categories": (
                [str(c) for c in self.category.classes_] if self.category is not None else []
            ),
            "metrics": self.metrics,
        }


def _pipeline() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    # Character n-grams need no word segmentation, which Chinese letters would otherwise need.
    return Pipeline(
        [
            (
                "tfidf",
                TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1),
            ),
            ("clf", LogisticRegression(C=10.0, solver="saga", max_iter=1000)),
        ]
    )


def _holdout_accuracy(texts: list[str], labels: list[str]) -> float | None:
    """Accuracy on a stratified quarter held out of training (None when too few to split)."""
    from sklearn.model_selection import train_test_split

    counts = Counter(labels)
    if len(labels) < 8 or min(counts.values()) < 2:
        return None
    try:
        x_tr, x_te, y_tr, y_te = train_test_split(
            texts, labels, test_size=0.25, random_state=0, stratify=labels
        )
    except ValueError:
        return None
    if len(set(y_tr)) < 2:
        return None
    pipe = _pipeline().fit(x_tr, y_tr)
    return float(sum(1 for p, y in zip(pipe.predict(x_te), y_te, strict=True) if p == y)) / len(
        y_te
    )


def train(
    examples: Sequence[Example], now: datetime, version: str, policy: TrainingPolicy
) -> Model | None:
    """Train on `examples`, or return None when `why_not_trainable` says no."""
    labels = [e.department for e in examples]
    if why_not_trainable(labels, policy) is not None:
        return None
    texts = [e.text for e in examples]
    department = _pipeline().fit(texts, labels)
    with_cat = [e for e in examples if e.category]
    category = None
    if len(with_cat) >= policy.min_classes and len({e.category for e in with_cat}) >= 2:
        category = _pipeline().fit([e.text for e in with_cat], [e.category for e in with_cat])
    metrics = {
        "department_holdout_accuracy": _holdout_accuracy(texts, labels),
        "class_counts": dict(sorted(Counter(labels).items())),
    }
    ngrams = department.named_steps["tfidf"].get_feature_names_out()
    return Model(version, now, len(examples), department, category, metrics, ngrams)


@dataclass(frozen=True, slots=True)
class Evidence:
    """One n-gram that weighed for a suggestion, with its weight (tf-idf × coefficient)."""

    ngram: str
    weight: float


@dataclass(frozen=True, slots=True)
class Prediction:
    """The model's reading of one letter: best department and category, and why."""

    department: str
    probability: float
    category: str | None
    category_probability: float | None
    evidence: tuple[Evidence, ...]


def _best(pipe: Any, text: str) -> tuple[str, float, Any]:
    probs = pipe.predict_proba([text])[0]
    i = int(probs.argmax())
    return str(pipe.classes_[i]), float(probs[i]), i


def _evidence(
    pipe: Any, names: Any, text: str, class_index: int, size: int
) -> tuple[Evidence, ...]:
    vec = pipe.named_steps["tfidf"]
    clf = pipe.named_steps["clf"]
    x = vec.transform([text]).tocsr()
    coef = clf.coef_
    # Binary logistic regression keeps one row of coefficients, for the second class.
    row = coef[0] * (1 if class_index == 1 else -1) if coef.shape[0] == 1 else coef[class_index]
    scored = [(float(v * row[j]), str(names[j])) for j, v in zip(x.indices, x.data, strict=True)]
    scored = [(w, g) for w, g in scored if w > 0 and g.strip()]
    scored.sort(key=lambda t: (-t[0], t[1]))
    return tuple(Evidence(g, round(w, 4)) for w, g in scored[:size])


def predict(model: Model, subject: str, body: str, size: int = EVIDENCE_SIZE) -> Prediction:
    """The model's department and category for a letter, with the n-grams that weighed most."""
    text = letter_text(subject, body)
    dept, p, i = _best(model.department, text)
    cat: str | None = None
    cat_p: float | None = None
    if model.category is not None:
        cat, cat_p, _ = _best(model.category, text)
    return Prediction(dept, p, cat, cat_p, _evidence(model.department, model.ngrams, text, i, size))


def suggestion_reason(
    prediction: Prediction, rules_department: str | None, disposition: str, confidence: float
) -> str | None:
    """Why a suggestion is shown — ``weak`` rules or ``disagree`` — or None to stay silent.

    Weak: the rules sent the letter to triage or decided with low confidence. Disagree: a
    dispatch the rules were sure of, against a model at least `DISAGREE_PROBABILITY` sure.
    Dispositions other than dispatch and triage (legal channel, illegal, praise) are the
    rules' and the office's alone.
    """
    if disposition == "triage" or (disposition == "dispatch" and confidence < WEAK_CONFIDENCE):
        return "weak"
    if (
        disposition == "dispatch"
        and prediction.department != rules_department
        and prediction.probability >= DISAGREE_PROBABILITY
    ):
        return "disagree"
    return None


def suggest(
    model: Model,
    subject: str,
    body: str,
    *,
    rules_department: str | None,
    disposition: str,
    confidence: float,
) -> dict[str, Any] | None:
    """The `"suggestion"` shown to the office (建议，仅供参考), or None when none is due.

    It never changes the ticket: the office decides, and its decision becomes the next
    training example.
    """
    prediction = predict(model, subject, body)
    reason = suggestion_reason(prediction, rules_department, disposition, confidence)
    if reason is None:
        return None
    return suggestion_json(model, prediction, reason)


def suggest_on(model: Model, subject: str, body: str, c: Classification) -> dict[str, Any] | None:
    """`suggest` against the rules' `Classification` of the same letter."""
    return suggest(
        model,
        subject,
        body,
        rules_department=c.department_code,
        disposition=c.disposition,
        confidence=c.confidence,
    )


def suggestion_json(model: Model, prediction: Prediction, reason: str) -> dict[str, Any]:
    """A prediction as shown in notices, `tickets show` and `inspect --json`."""
    return {
        "department": prediction.department,
        "probability": round(prediction.probability, 3),
        "category": prediction.category,
        "category_probability": (
            None
            if prediction.category_probability is None
            else round(prediction.category_probability, 3)
        ),
        "reason": reason,
        "evidence": [{"ngram": e.ngram, "weight": e.weight} for e in prediction.evidence],
        "model_version": model.version,
        "advisory": True,
    }
