"""The routing decision (分类转办): a pure function of a letter's text and a `RuleSet`.

Every fired rule, danger term and context cue is recorded as hits (rule, keyword, field,
position), and the decision carries an explanation naming the seed rule it follows. In order:

1. the `[emergency]` reading (see `emergency.py`: danger terms in context) or a rule with
   urgency ``emergency`` makes the letter an emergency, whatever else matched: it is dispatched
   to the danger group's department; a reading of 疑似紧急 (``suspected_emergency``) changes
   nothing else in the decision — the office alone is alerted;
2. otherwise illegal requests (违法、违背公序良俗), matters for legal channels (诉讼、仲裁、
   行政复议、信息公开、信访、纪检监察), another organisation's matter (``out_of_scope``, 004
   第八条(四)) and letters that triage rules recognise (several matters at once) go to the
   office with that disposition;
3. praise (表扬、感谢) that outweighs complaint signals is forwarded as ``praise``;
4. otherwise the department with the highest score is chosen if its score and confidence pass
   the thresholds of ``[settings]``; if not, the letter goes to the office for manual
   routing (``triage``) — never silently to a possibly wrong department. A report (举报) of
   misconduct goes to 纪委办公室 by its own rules, not to a legal channel.

A learned second reader (`reader.py`, when ``[settings]`` turns it on) reads next to the rules:
it may raise a letter the rules see no danger in to 疑似紧急, confirm a 疑似紧急 it is sure of as an
emergency (``reader_confirm``), silence a danger word it finds very unlikely (``reader_calm``;
self-harm, threats and ledges never below 疑似紧急), and route a letter the rules could not
route (or routed with low confidence). Its probability and evidence are named in the
explanation.

Positions are offsets into the normalised field text; attachment names are joined by newlines.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from xinxiang.classify.emergency import EMERGENCY as EMERGENCY_LEVEL
from xinxiang.classify.emergency import SUSPECTED as SUSPECTED_LEVEL
from xinxiang.classify.emergency import assess
from xinxiang.classify.normalize import normalize
from xinxiang.classify.reader import OFFICE_WORK, Reading, SecondReader, shipped_reader
from xinxiang.classify.rules import (
    FIELDS,
    URGENCY_RANK,
    Disposition,
    Rule,
    RuleSet,
    Track,
    Urgency,
)
from xinxiang.classify.scan import RuleState, fires, rule_score, scan
from xinxiang.domain.letter import Letter

OTHER_CATEGORY = "其他"
# 纪委办公室: a report (举报) of misconduct by staff or Party members goes there (seed 001).
DISCIPLINE_OFFICE = "jiwei"

# The seed rule each decision follows, named in its explanation (seeds in docs/ and the README).
BASIS: dict[str, str] = {
    "emergency": "紧急：依据001三级响应、004第六条(一)（突发事故、可能造成生命财产损失，1小时内"
    "反馈），立即通知党政办公室和承办单位",
    "suspected_emergency": "疑似紧急：只通知党政办公室立即甄别，不通知承办单位，按一般时限办理"
    "（004第六条(一)是否适用由人工确认）",
    "legal_channel": "依法依规渠道：依据004第八条(一)，依法应当通过或已进入诉讼、仲裁、纪检监察、"
    "行政复议、政府信息公开等法定途径或已进入信访渠道的事项，告知相应法定渠道",
    "illegal": "违法或违背公序良俗：依据004第八条(五)做好劝导解释；模板答复发出前由党政办公室"
    "甄别确认（004第十条(三)）",
    "praise": "表扬：转承办单位知悉，无办理时限",
    "dispatch": "转办：依据002第九条1-3、004第五条按职责派单，办理档次为1/2/3个工作日",
    "discipline": "转纪委办公室：依据001，师生反映的党员干部和公职人员违规违纪违法问题线索由"
    "纪检监察部门调查处置（举报不属于已进入法定途径的事项）",
    "out_of_scope": "不属于学校职责范围：依据004第八条(四)，其他单位的事项由党政办公室告知来信人"
    "向有权处理的单位反映",
    "triage": "待人工分办：依据004第五条、002第八条1，承办单位不明确的由党政办公室派单",
}
_FIELD_ORDER: dict[str, int] = {name: i for i, name in enumerate(FIELDS)}


@dataclass(frozen=True, slots=True)
class Hit:
    """One reason for a decision: `keyword` of `rule` found in `field` at `position`."""

    rule: str
    keyword: str
    field: str
    position: int

    def to_json(self) -> dict[str, Any]:
        """The hit as a JSON object."""
        return {
            "rule": self.rule,
            "keyword": self.keyword,
            "field": self.field,
            "position": self.position,
        }


@dataclass(frozen=True, slots=True)
class Classification:
    """The decision for one letter (department is the Chinese name, or None)."""

    department: str | None
    department_code: str | None
    category: str
    urgency: Urgency
    disposition: Disposition
    track: Track | None
    confidence: float
    hits: tuple[Hit, ...]
    explanation: tuple[str, ...] = ()

    @property
    def is_emergency(self) -> bool:
        """True when the office and the department must be alerted at once."""
        return self.urgency == "emergency"

    @property
    def is_suspected_emergency(self) -> bool:
        """True for 疑似紧急: only the office is alerted, to look at once; deadlines are normal."""
        return self.urgency == "suspected_emergency"

    def to_json(self) -> dict[str, Any]:
        """Exactly the keys published by `inspect --json` and `classify --json`."""
        return {
            "department": self.department,
            "category": self.category,
            "urgency": self.urgency,
            "disposition": self.disposition,
            "track": self.track,
            "confidence": self.confidence,
            "hits": [h.to_json() for h in self.hits],
            "explanation": list(self.explanation),
        }


# A letter with fewer Chinese characters than this is the rules' alone: with so few n-grams
# the model's probability is mostly place names (3号楼, 跑道), which emergencies name more often
# than other letters, and its character n-grams read English poorly (identifiers such as
# "!nothing_pending" came out at 0.76, since most English letters it learnt from are
# emergencies). English emergencies are the rules' English terms' to catch.
MIN_MODEL_HAN = 20
# The clause of seed 004 第八条 the office model names is taken when it is this sure; below, the
# letter waits in triage for the office to decide (an illegal-letter template goes out only
# after the office confirms it in any case, 004 第十条(三)).
OFFICE_CLAUSE_SURE = 0.7
# At least MIN_MODEL_HAN Chinese characters, anywhere: the match stops at the last one needed.
_ENOUGH_HAN = re.compile(rf"(?:[^\u3400-\u9fff]*[\u3400-\u9fff]){{{MIN_MODEL_HAN}}}")


def _model_reason(what: str, probability: float, evidence: Sequence[str]) -> str:
    because = f"；依据：{'、'.join(evidence)}" if evidence else ""
    return f"模型判断{what}（置信度 {probability:.2f}{because}）"


def classify(
    subject: str,
    body: str,
    attachment_names: Sequence[str],
    rules: RuleSet,
    *,
    reader: SecondReader | None = None,
) -> Classification:
    """Decide department, category, urgency, disposition, track and confidence for a letter.

    `reader` replaces the shipped second reader (for cross-validation); it is used only where
    ``[settings]`` turns the second reader on.
    """
    return classify_texts(normalized_fields(subject, body, attachment_names), rules, reader=reader)


def normalized_fields(subject: str, body: str, attachment_names: Sequence[str]) -> dict[str, str]:
    """The fields the rules read, normalised (`normalize`; attachment names one per line)."""
    return {
        "subject": normalize(subject),
        "body": normalize(body),
        "attachments": normalize("\n".join(attachment_names)),
    }


def reader_text(texts: dict[str, str]) -> str | None:
    """What the second reader reads of `normalized_fields` (subject and body), or None when
    the letter is too short for it (`MIN_MODEL_HAN`): such a letter is the rules' alone."""
    text = f"{texts['subject']}\n{texts['body']}"
    return text if _ENOUGH_HAN.match(text) is not None else None


def classify_texts(
    texts: dict[str, str], rules: RuleSet, *, reader: SecondReader | None = None
) -> Classification:
    """`classify` of a letter's `normalized_fields`."""
    states = scan(rules, texts)
    settings = rules.settings
    fired: list[tuple[int, Rule, RuleState, float]] = []
    for r_idx in sorted(states):
        rule = rules.rules[r_idx]
        st = states[r_idx]
        if fires(rule, st):
            fired.append((r_idx, rule, st, rule_score(rule, st, settings.subject_boost)))

    hits = sorted(
        (
            Hit(rule.name, kw, f, pos)
            for _, rule, st, _ in fired
            for kw, (f, pos) in (*st.any_hits.items(), *st.all_hits.items())
        ),
        key=lambda h: (_FIELD_ORDER[h.field], h.position, h.rule, h.keyword),
    )
    urgency: Urgency = "normal"
    dept_score: dict[str, float] = {}
    disp_score: dict[str, float] = {}
    complaint = 0.0  # dispatch rules that name no department: signals of a complaint or request
    track: Track | None = None
    for _, rule, _, score in fired:
        if rule.disposition == "dispatch" and rule.department is None:
            complaint += score
        if rule.urgency is not None and URGENCY_RANK[rule.urgency] > URGENCY_RANK[urgency]:
            urgency = rule.urgency
        if rule.department is not None:
            dept_score[rule.department] = dept_score.get(rule.department, 0.0) + score
        disp_score[rule.disposition] = disp_score.get(rule.disposition, 0.0) + score
        if rule.track is not None and (track is None or rule.track > track):
            track = rule.track

    praise = disp_score.get("praise", 0.0)
    is_praise = praise >= settings.min_score and praise > complaint * settings.praise_margin
    is_legal = disp_score.get("legal_channel", 0.0) >= settings.min_score
    # A thank-you for the ambulance or a lawsuit about an old injury lowers every danger term.
    letter_effect, letter_reason = 0, ""
    if is_praise or is_legal:
        letter_effect = -1
        letter_reason = "整封来信是表扬" if is_praise else "整封来信涉及法定途径"
    danger = assess(rules.emergency, texts, letter_effect, letter_reason, spare_steadfast=is_praise)
    hits.extend(Hit(m.name, m.term, m.field, m.position) for m in danger.marks)
    hits.sort(key=lambda h: (_FIELD_ORDER[h.field], h.position, h.rule, h.keyword))
    group = danger.group
    level = danger.level
    explanation: list[str] = list(danger.reasons) if level else []
    model_text = f"{texts['subject']}\n{texts['body']}"
    enough_text = reader_text(texts) is not None
    memo: list[Reading] = []

    def second() -> SecondReader:
        # Trained at the first letter that needs it (seconds), not at the first letter.
        return reader if reader is not None else shipped_reader()

    def danger_read() -> Reading:
        if not memo:
            memo.append(second().read_danger(model_text))
        return memo[0]

    dept_memo: list[Reading] = []

    def department_read() -> Reading:
        if not dept_memo:
            dept_memo.append(second().read_department(model_text))
        return dept_memo[0]

    if level and group is not None and settings.reader_calm > 0 and enough_text:
        # The rules read a danger word; a model that finds an emergency very unlikely reads the
        # context better (a course title, a drill, a joke, a past or hypothetical fire): no
        # alert. Self-harm, threats and ledges (steadfast) only drop from emergency to 疑似紧急.
        # A present danger among many other matters reads low too (0.17 for a fire next to
        # four complaints), so an emergency reading needs the model far surer than 疑似紧急.
        p = danger_read().probability
        calmed = SUSPECTED_LEVEL if group.steadfast else 0
        below = settings.reader_calm_emergency if level == EMERGENCY_LEVEL else settings.reader_calm
        if p < below and calmed < level:
            level = calmed
            explanation.append(
                f"模型判断不像紧急情况（紧急的概率 {p:.2f}），"
                + ("只提醒党政办公室" if calmed else "规则读到的危险词不作警报")
            )
            if not calmed:
                group = None
    if group is not None:
        # A suspected danger only nudges the routing: the letter's own matter decides.
        weight = group.weight if level == EMERGENCY_LEVEL else group.weight / 4
        dept_score[group.department] = dept_score.get(group.department, 0.0) + weight
        if level == EMERGENCY_LEVEL or URGENCY_RANK[urgency] < URGENCY_RANK["suspected_emergency"]:
            urgency = "emergency" if level == EMERGENCY_LEVEL else "suspected_emergency"

    if URGENCY_RANK[urgency] < URGENCY_RANK["suspected_emergency"] and enough_text:
        # Where the rules saw no danger term and no urgent matter, a confident model alerts the
        # office only (疑似紧急). Where they read a danger term in context (没有着火, 已经扑灭了)
        # or found a basic-living matter (停电: priority), only `reader_danger_over_context`
        # lets the model disagree.
        quiet = urgency == "normal" and not danger.considered
        threshold = settings.reader_danger if quiet else settings.reader_danger_over_context
        seen = danger_read() if threshold > 0 else None
        if seen is not None and seen.probability >= threshold:
            urgency = "suspected_emergency"
            what = "疑似紧急" if quiet else "疑似紧急（与规则的语境判断不同）"
            explanation.append(_model_reason(what, seen.probability, seen.evidence))
    if urgency == "suspected_emergency" and settings.reader_confirm > 0 and enough_text:
        # A 疑似紧急 the model is sure of is an emergency: the department is alerted at once too.
        seen = danger_read()
        if seen.probability >= settings.reader_confirm:
            urgency = "emergency"
            explanation.append(_model_reason("紧急", seen.probability, seen.evidence))

    # Departments in ranking order; ties are broken by the order of departments.toml.
    order = {d.code: i for i, d in enumerate(rules.departments)}
    ranked = sorted(dept_score.items(), key=lambda kv: (-kv[1], order[kv[0]]))
    best_code, best = ranked[0] if ranked else (None, 0.0)
    total = sum(dept_score.values())
    strength = 1.0 - math.exp(-best / settings.strength_scale)
    dept_conf = (best / total) * strength if total > 0 else 0.0

    def category_for(code: str | None) -> str:
        scored = [
            (score, r_idx, rule.category)
            for r_idx, rule, _, score in fired
            if rule.category is not None and (code is None or rule.department == code)
        ]
        if not scored:
            if code is not None:
                return category_for(None)
            # A letter that only names a danger takes the danger's category (安全管理…).
            return (group.category if group is not None else None) or OTHER_CATEGORY
        return max(scored, key=lambda t: (t[0], -t[1]))[2] or OTHER_CATEGORY

    def strength_of(disposition: str) -> float:
        return round(1.0 - math.exp(-disp_score.get(disposition, 0.0) / settings.strength_scale), 3)

    def rule_names(disposition: str) -> str:
        names = sorted({r.name for _, r, _, _ in fired if r.disposition == disposition})
        return "、".join(names)

    office = rules.office
    hit_tuple = tuple(hits)

    def decision(
        code: str,
        category: str,
        disposition: Disposition,
        track: Track | None,
        confidence: float,
        basis: str,
    ) -> Classification:
        return Classification(
            rules.department_name(code),
            code,
            category,
            urgency,
            disposition,
            track,
            round(confidence, 3),
            hit_tuple,
            (*explanation, basis),
        )

    if urgency == "emergency":
        code = group.department if group is not None else best_code
        basis = BASIS["emergency"]
        # Whose emergency it is follows the danger (fire, threats → 保卫处; water, lifts → 后勤;
        # a collapse → 校医院; self-harm → 学生处), not the place the letter names (图书馆). Where
        # no danger group of the rules says it (the model read the emergency), the model learnt
        # from emergencies decides; over a group's department (the first danger word read: 烟
        # for a burning socket, 摔倒 in a crowd crush) only when it is much surer, and never over
        # a steadfast group's (self-harm stays 学生处's, threats 保卫处's).
        threshold = (
            settings.reader_emergency_department
            if group is None
            else 0.0
            if group.steadfast
            else settings.reader_emergency_department_over_rules
        )
        if threshold > 0 and enough_text:
            named = second().read_emergency_department(model_text)
            if named.probability >= threshold and named.label != code:
                code = named.label
                reason = _model_reason(
                    f"紧急情况的承办单位为{rules.department_name(code)}",
                    named.probability,
                    named.evidence,
                )
                basis = f"{basis}（{reason}）"
        if code is not None:
            category = (group.category if group is not None else None) or category_for(code)
            return decision(code, category, "dispatch", 1, max(dept_conf, strength), basis)
    if urgency == "suspected_emergency":
        explanation.append(BASIS["suspected_emergency"])
    if urgency != "emergency":
        # After illegal and legal-channel matters and praise come the triage rules (several
        # matters in one letter, another organisation's matter): they send the letter to the
        # office like a weak score does, but say why.
        for special in ("illegal", "legal_channel", "praise", "out_of_scope", "triage"):
            if special == "praise":
                if is_praise:
                    return decision(
                        best_code if best_code is not None else office.code,
                        category_for(best_code),
                        "praise",
                        None,
                        strength_of("praise"),
                        f"{BASIS['praise']}（规则：{rule_names('praise')}）",
                    )
            elif disp_score.get(special, 0.0) >= settings.min_score:
                return decision(
                    office.code,
                    category_for(None),
                    special,
                    None,
                    strength_of(special),
                    f"{BASIS[special]}（规则：{rule_names(special)}）",
                )
    rules_office = best_code == office.code and best >= settings.min_score
    if settings.reader_office > 0 and enough_text and urgency != "emergency" and not rules_office:
        # Letters the office keeps (seed 004 第八条: advertising and cheating services, another
        # organisation's matter, a legal channel; several matters) name departments in passing
        # (a bank near 财务处, a private firm near 就业): a model sure the letter is the office's
        # own keeps it there, and a second model trained on the office's letters names the
        # clause; the office confirms before any template reply (004 第十条(三)).
        own = department_read()
        if own.label == office.code and own.probability >= settings.reader_office:
            clause = second().read_office_disposition(model_text)
            sure = clause.label in OFFICE_WORK and clause.probability >= OFFICE_CLAUSE_SURE
            kept: Disposition = clause.label if sure else "triage"  # type: ignore[assignment]
            reason = _model_reason(
                f"由党政办公室处理（{clause.label}，{clause.probability:.2f}）",
                own.probability,
                own.evidence,
            )
            return decision(
                office.code,
                category_for(None),
                kept,
                None,
                own.probability,
                f"{BASIS[kept]}（{reason}）",
            )
    routed = (
        best_code is not None
        and best >= settings.min_score
        and dept_conf >= settings.min_confidence
    )
    unsure = dept_conf < settings.reader_route_below and enough_text
    if settings.reader_department > 0 and (not routed or unsure):
        # The rules could not route the letter, or were unsure: a confident model routes it
        # (a routed note of a few words stays the rules': the model reads its place names).
        named = department_read()
        known = {d.code for d in rules.departments}
        # Where the rules found no department at all in a letter of some length, there is
        # nothing to weigh the model against: a lower probability routes it.
        needed = (
            settings.reader_department_unrouted
            if best_code is None and settings.reader_department_unrouted > 0 and enough_text
            else settings.reader_department
        )
        if (
            named.probability >= needed
            and named.label in known
            and named.label not in (office.code, best_code)
        ):
            basis = BASIS["discipline" if named.label == DISCIPLINE_OFFICE else "dispatch"]
            reason = _model_reason(
                f"承办单位为{rules.department_name(named.label)}",
                named.probability,
                named.evidence,
            )
            return decision(
                named.label,
                category_for(named.label),
                "dispatch",
                track or 1,
                named.probability,
                f"{basis}（{reason}，规则未能确定）",
            )
    if routed and best_code is not None:
        basis = BASIS["discipline" if best_code == DISCIPLINE_OFFICE else "dispatch"]
        return decision(
            best_code,
            category_for(best_code),
            "dispatch",
            track or 1,
            dept_conf,
            f"{basis}（{rules.department_name(best_code)} 得分 {best:.1f}，办理档次 {track or 1}）",
        )
    return decision(
        office.code, category_for(best_code), "triage", None, dept_conf, BASIS["triage"]
    )


def classify_letter(letter: Letter, rules: RuleSet) -> Classification:
    """Classify a parsed `Letter` (subject, plain-text body and attachment file names)."""
    return classify(
        letter.subject, letter.body, [a.filename for a in letter.attachments if a.filename], rules
    )
