"""Specification of the word search's bigram index (全文检索的二元索引, store/search.py).

Every ticket's subject and letter text are kept as a set of character bigrams (and single
characters) in the transaction that writes them; a search takes the tickets holding all the
query's grams and checks the substring on those only. So the answers are exactly LIKE's: a
two-character word (食堂), one character, ASCII and mixed words, a word in the subject or in the
letter; nothing that merely holds the same bigrams, nothing that only spans subject and letter.
Tickets made by mail, by the web form and by the OA are all found; an edit in the OA moves
the index with the text; the migration fills it for tickets that were there before it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from inbound_helpers import context
from sweep_helpers import new_ticket
from test_oa_integration import T0 as OA_T0
from test_oa_integration import Env, env  # noqa: F401  (the OA simulator fixture)
from test_web_letter import HOT, _form, _number, _post
from web_helpers import NOW, Site, login, make_site
from xinxiang.services.context import AppContext
from xinxiang.store.migrate import alembic_config, current_revision, upgrade
from xinxiang.store.models_search import TicketSearchRow
from xinxiang.store.search import answers_exactly, grams_of, query_grams
from xinxiang.web.permissions import Actor
from xinxiang.web.queries import TicketFilter, list_tickets

OFFICE = Actor("office1", "office")

# key → (subject, letter text)
LETTERS: dict[str, tuple[str, str]] = {
    "canteen": ("关于食堂的建议", "老师您好：第二食堂的饭菜价格上涨太快，希望关注。"),
    "dorm": ("宿舍热水问题", "12号楼热水已经三天没有了，食堂旁边的浴室也没有。"),
    "wifi": ("校园WiFi太慢", "图书馆三楼的WiFi信号很差，下载速度不到1MB/s。"),
    "decoy": ("堂食与食堂", "请问食堂的堂食时间能否延长？"),  # all grams of 食堂食, not the word
    "seats": ("图书馆座位", "图书馆占座现象严重，希望管理。"),
}

# (query, keys found) — the same answers on SQLite and PostgreSQL.
CASES: list[tuple[str, set[str]]] = [
    ("食堂", {"canteen", "dorm", "decoy"}),  # two characters: subject or letter
    ("热水", {"dorm"}),
    ("占座", {"seats"}),  # only in the letter
    ("堂", {"canteen", "dorm", "decoy"}),  # one character
    ("浴", {"dorm"}),
    ("食堂食", set()),  # 食堂 and 堂食 are in "decoy", the word is not
    ("饭菜价格", {"canteen"}),  # four characters, three bigrams
    ("饭菜价钱", set()),
    ("WiFi", {"wifi"}),  # ASCII
    ("校园WiFi", {"wifi"}),  # mixed
    ("1MB/s", {"wifi"}),  # digits, letters and punctuation
    ("MB", {"wifi"}),
    ("建议老师", set()),  # the end of the subject and the start of the letter: not one text
    ("图书馆", {"wifi", "seats"}),
    ("，", {"canteen", "dorm", "wifi", "seats"}),  # no gram: LIKE alone
    ("鲲", set()),  # a character no ticket has
]


@given(st.text(alphabet="食堂饭菜价aAbB1 ，_%Σσς", max_size=12), st.data())
def test_every_substring_s_grams_are_grams_of_the_text(text: str, data: st.DataObject) -> None:
    """The index is a superset: whatever contains the query holds all of its grams."""
    i = data.draw(st.integers(0, len(text)))
    j = data.draw(st.integers(i, len(text)))
    assert set(query_grams(text[i:j])) <= grams_of(text)


def test_grams_of_a_text() -> None:
    assert grams_of("食堂，WiFi") == {"食", "堂", "食堂", "w", "i", "f", "wi", "if", "fi"}
    assert query_grams("食堂 WiFi") == ["食堂", "wi", "if", "fi"]
    assert query_grams("堂") == ["堂"]
    assert query_grams("，%") == []
    # Holding the grams of these is containing them: no substring check needed.
    assert [answers_exactly(q) for q in ("食堂", "堂", "12", "食堂饭", "Wi", "食，", "")] == [
        True,
        True,
        True,
        False,
        False,
        False,
        False,
    ]


def _search(ctx: AppContext, q: str, actor: Actor = OFFICE) -> set[str]:
    with ctx.db.session() as s:
        rows, total = list_tickets(s, actor, TicketFilter(text=q), NOW, ctx.cfg.tz)
        assert total == len(rows)
        return {r.number for r in rows}


@pytest.fixture
def mailed(tmp_config: Callable[..., Path], db_url: str) -> tuple[AppContext, dict[str, str]]:
    ctx = context(tmp_config(database_url=db_url))
    upgrade(ctx.db)
    numbers = {
        key: new_ticket(ctx, NOW - timedelta(minutes=i), text, sender=f"p{i}@stu.example.edu.cn")
        for i, (key, text) in enumerate(LETTERS.items())
    }
    return ctx, numbers


def test_search_finds_exactly_the_tickets_holding_the_word(
    mailed: tuple[AppContext, dict[str, str]],
) -> None:
    ctx, numbers = mailed
    for q, keys in CASES:
        assert (q, _search(ctx, q)) == (q, {numbers[k] for k in keys})
    # A department searches subjects only, through the same index.
    hqc = Actor("hqc1", "department", frozenset({"hqc"}))
    with ctx.db.session() as s:
        mine = {
            t.number
            for t in list_tickets(s, hqc, TicketFilter(), NOW, ctx.cfg.tz)[0]
            if "食堂" in t.subject
        }
    assert mine  # the canteen's letters are 后勤's
    assert _search(ctx, "食堂", hqc) == mine


def test_migration_fills_the_index_and_goes_back_down(
    mailed: tuple[AppContext, dict[str, str]],
) -> None:
    """Down to 0014 drops the index; up again builds it from the tickets already there."""
    ctx, numbers = mailed
    cfg = alembic_config(ctx.db.url)
    with ctx.db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0014")
    assert current_revision(ctx.db) == "0014"
    upgrade(ctx.db)
    with ctx.db.session() as s:
        assert s.execute(select(func.count()).select_from(TicketSearchRow)).scalar_one() == 5
    for q, keys in CASES[:8]:
        assert (q, _search(ctx, q)) == (q, {numbers[k] for k in keys})


def test_a_letter_from_the_web_form_is_found(
    tmp_config: Callable[..., Path], tmp_path: Path
) -> None:
    site: Site = make_site(tmp_config, f"sqlite:///{tmp_path / 'web.db'}")
    petitioner = site.client()
    number = _number(_post(petitioner, _form(HOT, email="form@stu.example.edu.cn")).text)
    office = site.client()
    login(office, "office1")
    page = office.get("/tickets", params={"q": "热水"}).text
    assert f'href="/tickets/{number}"' in page
    assert number in _search(site.ctx, "三天没有")


def test_a_petition_from_the_oa_is_found_and_follows_its_edits(env: Env) -> None:  # noqa: F811
    env.oa.seed(5)
    assert env.pull().created == 5
    assert _search(env.ctx, "晚餐也涨价") == set()
    env.oa.edit("XF00000003", title="食堂价格问题（补充）", description="补充：晚餐也涨价了。")
    env.pull(OA_T0 + timedelta(hours=1))
    (found,) = _search(env.ctx, "晚餐也涨价")
    assert found in _search(env.ctx, "价格问题")
