"""Redaction by classes of written forms, ninth round (issue #13, branch h-redact9).

Classes the seventh writer's set (`tests/data/pii/heldout6`, seen since stop 25) showed and the
earlier tables did not cover. False alterations fixed: public, historical and fictional figures
said to be such (…是近代著名的实业家, …是《…》的主人公), a quality after a degree adverb that the
segmenter tags as a name (不够廉正), a 此致敬礼 line read as a signature. Names: a real name after
真名/本名, someone 叫 something in a clause of its own (我是…，叫X。, 有个学生叫X的, 叫我X就行,
叫他X哥), a word the segmenter tags as a name right after a word for a person (我院学生吉祥的,
我室友诺敏晚上), compound surnames missing from the list (鲜于, 司空). `KEPT`: ordinary sentences
of the same shapes. Names and numbers are made up.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from xinxiang.config import load_config
from xinxiang.replies.privacy import public_allowlist
from xinxiang.replies.redactor import Redactor, load_redactor

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    """The redactor the repository's sample deployment (`config/`) publishes with."""
    cfg = load_config(ROOT / "config")
    return load_redactor(cfg.directory / "redaction.toml").with_allowed(public_allowlist(cfg))


CALLED = [
    # A real name after 真名/本名/大名; someone 叫 something in a clause of its own.
    ("我是宿舍楼的保安老牛，真名牛守义。有件事想说。", "牛守义"),
    ("大家都喊他胖墩，胖墩本名温子涵，人挺好。", "温子涵"),
    ("叫我阿凯就行 真名巴特尔额尔敦 太长了", "巴特尔额尔敦"),
    ("我是化学学院大二学生，叫欢畅。想问宿舍的事。", "欢畅"),
    ("有个学生叫乐天的 在我店里欠了钱", "乐天"),
    ("他们说要去找一个叫晓彤的女同学。", "晓彤"),
    ("打人的还有一个，只知道叫二虎。", "二虎"),
    ("一个男的叫另一个石头，另一个叫他军哥。", "军哥"),
]

SLOTS = [
    # A word the segmenter tags as a name right after a word for a person.
    ("我室友诺敏晚上被咬了一口。", "诺敏"),
    ("我们班安然去问问题，被老师骂了。", "安然"),
    ("我媳妇翠花和我一起摆摊。", "翠花"),
    ("还有毛毛也是，每天走路去上课。", "毛毛"),
]

COMPOUND = [
    # Compound surnames the list lacked.
    ("我是施工单位的安全员鲜于明，在体育馆项目上。", "鲜于明"),
    ("我是一名家长，姓司空。孩子司空乐在校期间丢了钱。", "司空乐"),
]

PLACES = [
    # A direction after the road, a lane of flats (…东里), an estate after its 街道, a crossing
    # and a shop's number, a village's number after a district.
    ("我住隔壁，住学府路北乙9号院3号楼2门402，晚上很吵。", "402"),
    ("住址：西城区德胜路12号院桃李西里3楼2门201号", "桃李西里"),
    ("我住昌平区回龙观街道龙城花园B2-1503。", "1503"),
    ("店铺地址：学院路与成府路交叉口东北角底商8号", "底商8号"),
    ("家住大兴区西红门村乙7号", "西红门村"),
]

PHONES = [
    # A landline split 5-3, a local number after 分机.
    ("分机：010-66321 785", "785"),
    ("有事打我分机6677-2309。", "2309"),
]

EXTENDED = [
    # The other form of a found name beside it; syllables of Mongolian and Uyghur names; a
    # three-character name after a post whose surname is a word (于).
    ("我们的班长石头（雷石头）天天被催作业。", "石头（"),
    ("我们班艾力同学（艾力克里木·阿不都）家里遭了灾。", "阿不都"),
    ("Our teacher Mr. Brooks... sorry, Adam Brooks has no hot water.", "Adam"),
    ("Hi, this is Tran Van Nam (陈文南) from Vietnam.", "Tran"),
    ("我和室友乌云其木格都不回国。", "其木格"),
    ("副队长迪力夏提也很努力。", "迪力夏提"),
    ("副宿舍长于晓晓也可以联系。", "于晓晓"),
]

MORE = [
    # 名字 in brackets, 老X家, a dorm's number before 全体 on its own line.
    ("卡包里有学生证（名字程子墨）和钥匙。", "程子墨"),
    ("楼下老蔺家装修半年了。", "老蔺"),
    ("    215全体\n2026年12月1日", "215"),
    # A pinyin surname before a Chinese title.
    ("学校外事办的 Qian 老师说材料还没交。", "Qian"),
    # A name signing before an e-mail address on its line.
    ("谢谢老师！\n——Nora nora_lee2005@gmail.com", "Nora"),
]

PUBLIC_KEPT = [
    # Public, historical and fictional figures said to be such.
    "林黛玉和贾宝玉是《红楼梦》的主人公。",
    "张謇是近代著名的实业家。",
    "鲁迅是现代著名的文学家。",
]

KEPT = [
    *PUBLIC_KEPT,
    # A quality after a degree adverb; a closing formula on one line.
    "这件事处理得不够廉正，群众有意见。",
    "老师讲得非常明白，谢谢。",
    "此致敬礼",
    "此致\n敬礼",
    # 叫 before an ordinary thing; a state after a person word.
    "他晕倒了，我们赶紧打电话，叫救护车。",
    "室友过敏 脸肿了喘不上气",
    "室友过敏，脸肿了。",
    "我同学明白了这个道理。",
    "这种事在食堂司空见惯了。",
    "我家在海淀区学院路南边。",
    "朝阳区的富力城很大。",
    "分机号是6021。",
    "我老家在河南，小区的老家具很多。",
    "我们2025全体新生都到了。",
    "用 Word 老师要求的格式，Excel 老师没教。",
    "Dear Building Manager, the heating in Room 301 is off.",
    # A near person said to be a figure's namesake is still no public figure: kept as before.
    "我们学校的图书馆很大。",
]


def _hidden(redactor: Redactor, text: str, secret: str) -> bool:
    return secret not in redactor.redact_all([text])[0]


HIDDEN = CALLED + SLOTS + COMPOUND + PLACES + PHONES + EXTENDED + MORE


@pytest.mark.parametrize(("text", "secret"), HIDDEN)
def test_each_new_class_is_hidden(redactor: Redactor, text: str, secret: str) -> None:
    assert _hidden(redactor, text, secret), redactor.redact_all([text])[0]


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_text_is_kept(redactor: Redactor, text: str) -> None:
    assert redactor.redact_all([text])[0] == text


def test_a_near_person_is_no_public_figure(redactor: Redactor) -> None:
    """The public-figure rule needs no near person in the sentence: 我室友… is redacted."""
    text = "我室友祁文博是我们班著名的实业家。"
    assert "祁文博" not in redactor.redact_all([text])[0]


def test_a_thing_after_a_link_is_kept(redactor: Redactor) -> None:
    """After 和/跟/还有 only a word the segmenter tags as a person's name is taken."""
    text = "语文、数学和英语都很重要。"
    assert redactor.redact_all([text])[0] == text


def test_a_word_before_an_address_signs_no_one(redactor: Redactor) -> None:
    """Only the address goes when a plain word stands before it on the last line."""
    text = "谢谢\n联系 office@example.edu.cn"
    assert redactor.redact_all([text])[0] == "谢谢\n联系 [邮箱已隐去]"


def test_a_short_surname_is_hidden_with_its_title_only(redactor: Redactor) -> None:
    """He 老师 goes as a whole; "he" inside other words stays."""
    out = redactor.redact_all(["the He 老师 said the theme"])[0]
    assert out == "the ＊＊＊ said the theme"
