"""The learned name tagger as an option of the redactor (`[names] name_tagger`, issue #13).

`name_tagger = "rules"` (the built-in default) finds names by the rules alone; `"rules+crf"` (the
shipped files' setting since round 10) also hides the names the shipped CRF
(`replies/name_crf.crfsuite`) is sure of and the rules' lists allow. Tables of made-up sentences,
each run with the setting off and on: names both find, a name only the tagger finds, the
allowlisted hotlines and the departments' names never touched, ordinary sentences kept (also
those whose sure spans the shape gate drops), and the gate (a not-name the CRF is sure of stays).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from xinxiang.config import load_config
from xinxiang.errors import ConfigError
from xinxiang.replies.name_crf import MODEL, CrfNames
from xinxiang.replies.privacy import public_allowlist
from xinxiang.replies.redactor import Redactor, load_redactor, load_settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "src" / "xinxiang" / "sample_config" / "redaction.toml"


def _with_tagger(tmp: Path, value: str) -> Path:
    """A copy of the repository's `redaction.toml` with `name_tagger = value`."""
    text = (ROOT / "config" / "redaction.toml").read_text(encoding="utf-8")
    assert re.search(r'^name_tagger = "[^"]*"$', text, re.M)
    path = tmp / "redaction.toml"
    path.write_text(
        re.sub(r'^name_tagger = "[^"]*"$', f'name_tagger = "{value}"', text, flags=re.M)
    )
    return path


@pytest.fixture(scope="module")
def redactors(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Redactor]:
    """The sample deployment's redactor with the setting off ("rules") and on ("rules+crf")."""
    cfg = load_config(ROOT / "config")
    allowed = public_allowlist(cfg)
    tmp = tmp_path_factory.mktemp("tagger")
    on = load_redactor(_with_tagger(tmp, "rules+crf")).with_allowed(allowed)
    off = load_redactor(_with_tagger(tmp, "rules")).with_allowed(allowed)
    return {"rules": off, "rules+crf": on}


SETTINGS = ["rules", "rules+crf"]

BOTH_FIND = [
    # Names the rules find; the tagger changes nothing there.
    ("我们宿舍的卓一帆同学昨晚发烧了，请校医院派人看看。", "卓一帆"),
    ("这件事我跟班长邬晓岚反映过，没有下文。", "邬晓岚"),
    ("昨天晚上骆晨曦在实验室待到十二点，门卫不让她出去。", "骆晨曦"),
    ("篮球队的教练郜天翔一直没有发训练补贴。", "郜天翔"),
    ("我叫滕子墨，是机械学院的学生。", "滕子墨"),
    ("联系我：Lily Chen，计算机学院。", "Lily Chen"),
]

TAGGER_ONLY = [
    # A name after 我是 before a space and a post: no rule holds it, the tagger is sure of it.
    ("我是晓雯 英语课代表，想反映一下听力教室的问题。", "晓雯"),
]

ALLOWED = [
    # The departments' public hotlines, the school's address and the departments' names.
    "请联系保卫处 88561110 或学生处 88562335。",
    "教务处和研究生处的电话是88561873、88562791。",
    "学校地址：北京市海淀区学院路37号，邮编100083。",
    "总值班室电话 88561833，涿州校区 3827179。",
    "后勤管理处88562008说明天修。",
    "网络信息中心88562377的老师帮我重置了密码。",
    "资产管理处和人事处都说不归他们管。",
    "图书馆和校工会都在学院路37号。",
    "人事处 88561711，财务处 88562922，资产管理处 88561885。",
    "党政办公室的电话是010-12345678，图书馆是88561981，校工会是88561320。",
]

KEPT = [
    # Ordinary sentences: nothing to hide, whichever the setting.
    "食堂的饭菜价格又涨了，希望学校管一管。",
    "宿舍楼的热水从周一开始就没有了。",
    "同学们都觉得老师讲得很好。",
    "毛泽东思想概论课的老师很好。",
    "鲁迅是我最喜欢的作家，我常读他的书。",
    # Spans the CRF is sure of that the shape gate drops: the start of a longer dictionary
    # word, a famous part of a dotted name, Han mixed with Latin.
    "欧阳修是唐宋八大家之一。",
    "我最近在读马克思·韦伯的书。",
    "研一的专业课和本科几乎一样，有的老师连PPT都没换。",
]


@pytest.mark.parametrize("setting", SETTINGS)
@pytest.mark.parametrize(("text", "name"), BOTH_FIND)
def test_names_the_rules_find_are_hidden_either_way(
    redactors: dict[str, Redactor], setting: str, text: str, name: str
) -> None:
    out = redactors[setting].redact_all([text])[0]
    assert name not in out and "＊＊＊" in out


@pytest.mark.parametrize(("text", "name"), TAGGER_ONLY)
def test_the_tagger_adds_names_only_when_on(
    redactors: dict[str, Redactor], text: str, name: str
) -> None:
    assert name in redactors["rules"].redact_all([text])[0]
    assert name not in redactors["rules+crf"].redact_all([text])[0]


@pytest.mark.parametrize("setting", SETTINGS)
@pytest.mark.parametrize("text", ALLOWED)
def test_hotlines_and_departments_are_never_touched(
    redactors: dict[str, Redactor], setting: str, text: str
) -> None:
    assert redactors[setting].redact_all([text])[0] == text


@pytest.mark.parametrize("setting", SETTINGS)
@pytest.mark.parametrize("text", KEPT)
def test_ordinary_text_is_kept(redactors: dict[str, Redactor], setting: str, text: str) -> None:
    assert redactors[setting].redact_all([text])[0] == text


def test_the_gate_drops_a_sure_not_name(redactors: dict[str, Redactor]) -> None:
    crf = redactors["rules+crf"].crf
    assert isinstance(crf, CrfNames)
    # Round 12: the model rebuilt with heldout9 is no longer sure of the brand 李宁 here; a
    # tree of a list is the example now (the class `listed`).
    text = "我和杨树、柳树一起拍照。"
    assert "杨树" in [text[s:e] for s, e in crf.sure_spans(text)]  # sure, but a tree
    assert "杨树" not in crf.names(text)
    assert crf.names("") == [] and crf.names("。") == []


def test_the_setting_is_read_and_kept_by_clones(redactors: dict[str, Redactor]) -> None:
    assert redactors["rules"].crf is None
    on = redactors["rules+crf"]
    assert isinstance(on.crf, CrfNames)
    assert on.with_allowed(["88560000"]).crf is on.crf
    assert on.with_crf(None).crf is None


def test_shipped_setting_is_rules_crf_and_the_files_agree() -> None:
    # On in the shipped files since round 10 (bench/RESULTS.md, issue #13); a deployment
    # without a redaction.toml keeps the built-in default, the rules alone.
    repo = ROOT / "config" / "redaction.toml"
    assert repo.read_bytes() == SAMPLE.read_bytes()
    shipped = tomllib.loads(SAMPLE.read_text(encoding="utf-8"))["names"]["name_tagger"]
    assert shipped == "rules+crf"
    assert load_settings(SAMPLE).names.name_tagger == "rules+crf"
    assert load_settings(ROOT / "no-such-file.toml").names.name_tagger == "rules"


def test_an_unknown_tagger_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        load_settings(_with_tagger(tmp_path, "crf-only"))


def test_the_model_ships_with_the_package() -> None:
    assert MODEL.is_file() and 0 < MODEL.stat().st_size < 2_000_000
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = pyproject["tool"]["setuptools"]["package-data"]["xinxiang"]
    assert "replies/name_crf.crfsuite" in shipped
    assert any(d.startswith("python-crfsuite") for d in pyproject["project"]["dependencies"])
