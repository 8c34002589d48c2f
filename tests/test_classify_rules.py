"""Specification of `config/rules.toml` loading: the sample is valid, mistakes are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from xinxiang.classify.rules import RuleSet, load_rules, load_rules_for
from xinxiang.config import Config, DepartmentsFile, load_config, load_model
from xinxiang.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "config"
CATEGORIES = [
    "教育教学",
    "后勤保障",
    "安全管理",
    "学籍管理",
    "就业创业",
    "学团建设",
    "奖惩管理",
    "财务管理",
    "特殊关爱",
    "疫情防控",
    "其他",
]
DEPARTMENTS = load_model(CONFIG / "departments.toml", DepartmentsFile).departments

HEADER = 'categories = ["后勤保障", "其他"]\n'


@pytest.fixture(scope="module")
def sample() -> RuleSet:
    return load_rules_for(load_config(CONFIG))


def test_sample_has_exactly_the_eleven_categories(sample: RuleSet) -> None:
    assert list(sample.categories) == CATEGORIES


def test_sample_routes_to_every_department(sample: RuleSet) -> None:
    routed = {r.department for r in sample.rules if r.department}
    assert routed == {d.code for d in DEPARTMENTS}


def test_sample_has_several_hundred_keywords(sample: RuleSet) -> None:
    assert len(sample.keywords) >= 300


def test_sample_covers_every_disposition_and_urgency(sample: RuleSet) -> None:
    assert {r.disposition for r in sample.rules} >= {
        "dispatch",
        "legal_channel",
        "illegal",
        "praise",
    }
    assert {r.urgency for r in sample.rules} >= {"priority"}
    # Emergencies moved from keyword rules to the [emergency] section (danger terms in context).
    assert {g.name for g in sample.emergency.groups} >= {
        "fire",
        "gas",
        "electric",
        "collapse",
        "self-harm",
        "violence",
        "threat",
        "medical",
        "crowd",
        "lab",
        "lift",
        "structure",
        "missing",
    }


@pytest.mark.parametrize(
    "keyword",
    [
        "宿舍热水",
        "空调",
        "食堂",
        "垃圾车",
        "投影仪",
        "电动车",
        "消防通道",
        "校园网",
        "选课",
        "补考",
        "学籍异动",
        "奖学金",
        "报销",
        "职称",
        "占座",
        "招聘会",
        "团员",
        "困难补助",
        "发热",
    ],
)
def test_sample_knows_the_words_of_the_issue(sample: RuleSet, keyword: str) -> None:
    assert any(k in keyword or keyword in k for k in sample.keywords)


def test_load_rules_for_reads_the_config_directory(tmp_path: Path) -> None:
    for name in ("xinxiang.toml", "departments.toml"):
        (tmp_path / name).write_bytes((CONFIG / name).read_bytes())
    (tmp_path / "rules.toml").write_text(
        HEADER + '[[rule]]\nname = "x"\nany = ["熱水"]\ndepartment = "后勤管理处"\n',
        encoding="utf-8",
    )
    cfg: Config = load_config(tmp_path)
    rules = load_rules_for(cfg)
    assert rules.keywords == ("热水",)  # normalised to simplified
    assert rules.rules[0].department == "hqc"  # Chinese name resolved to the code


def test_same_file_compiles_to_same_version_and_automaton(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(HEADER + '[[rule]]\nname = "x"\nany = ["热水"]\n', encoding="utf-8")
    a, b = load_rules(path, DEPARTMENTS), load_rules(path, DEPARTMENTS)
    assert a.version == b.version and a.automaton is b.automaton
    path.write_text(HEADER + '[[rule]]\nname = "x"\nany = ["冷水"]\n', encoding="utf-8")
    assert load_rules(path, DEPARTMENTS).version != a.version


BAD_FILES = [
    (
        "unknown department",
        '[[rule]]\nname = "a"\nany = ["热水"]\ndepartment = "宣传部"\n',
        "rule[0].department",
        "unknown department '宣传部' (not in departments.toml)",
    ),
    (
        "no keywords at all",
        '[[rule]]\nname = "a"\nany = []\n',
        "rule[0].any",
        "empty keyword list: give at least one of any, all or regex",
    ),
    (
        "blank keyword",
        '[[rule]]\nname = "a"\nany = ["热水", "  "]\n',
        "rule[0].any[1]",
        "empty keyword",
    ),
    (
        "duplicate rule name",
        '[[rule]]\nname = "a"\nany = ["热水"]\n[[rule]]\nname = "a"\nany = ["空调"]\n',
        "rule[1].name",
        "duplicate rule name 'a'",
    ),
    (
        "bad regex",
        '[[rule]]\nname = "a"\nregex = ["(热水"]\n',
        "rule[0].regex[0]",
        "bad regular expression '(热水': missing ), unterminated subpattern at position 0",
    ),
    (
        "unknown category",
        '[[rule]]\nname = "a"\nany = ["热水"]\ncategory = "宿舍"\n',
        "rule[0].category",
        "unknown category '宿舍' (not in categories)",
    ),
    (
        "unknown key",
        '[[rule]]\nname = "a"\nany = ["热水"]\nkeywords = ["x"]\n',
        "rule[0].keywords",
        "unknown key",
    ),
    (
        "bad urgency",
        '[[rule]]\nname = "a"\nany = ["热水"]\nurgency = "urgent"\n',
        "rule[0].urgency",
        None,
    ),
    ("bad track", '[[rule]]\nname = "a"\nany = ["热水"]\ntrack = 4\n', "rule[0].track", None),
]


@pytest.mark.parametrize(
    ("case", "rules", "key", "reason"), BAD_FILES, ids=[c[0] for c in BAD_FILES]
)
def test_config_errors_name_file_key_and_reason(
    tmp_path: Path, case: str, rules: str, key: str, reason: str | None
) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(HEADER + rules, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_rules(path, DEPARTMENTS)
    assert exc.value.file == str(path)
    assert exc.value.key == key
    if reason is not None:
        assert exc.value.reason == reason
        assert str(exc.value) == f"{path}: {key}: {reason}"


def test_duplicate_category_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        'categories = ["其他", "其他"]\n[[rule]]\nname = "a"\nany = ["x"]\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"categories\[1\]: duplicate category '其他'"):
        load_rules(path, DEPARTMENTS)


def test_missing_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_rules(tmp_path / "rules.toml", DEPARTMENTS)
    bad = tmp_path / "bad.toml"
    bad.write_text("categories = [", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_rules(bad, DEPARTMENTS)
