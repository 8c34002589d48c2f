"""The public board (`xinxiang.replies.board`): pages, feed, redaction, sanitising, atomic swap."""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinxiang.replies.board import (
    PAGE_SIZE,
    PublicItem,
    category_slug,
    publish_board,
    text_to_html,
)

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=TZ)
BASE = "https://xinxiang.example.edu.cn/board/"
A = "{http://www.w3.org/2005/Atom}"

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">点我</a>',
    "<svg onload=alert(1)>",
    '"><script>alert(2)</script>',
    "<iframe src=//evil.example>",
    "<style>body{display:none}</style>",
    "<!-- --><script>x</script>",
]


def _item(n: int, category: str = "后勤保障", **changes: object) -> PublicItem:
    item = PublicItem(
        number=f"2026-{n:06d}",
        category=category,
        department="后勤管理处",
        subject=f"关于东区热水问题（{n}）",
        letter_text=(
            "尊敬的校长：\n我是王小明，电话13812345678，邮箱 wxm@stu.example.edu.cn，"
            "住12号楼305。小明同学们都很着急。\n\n希望尽快处理。"
        ),
        answer_text="来信收悉。热水机组已于11月20日修复。\n如有问题请致电后勤服务热线。",
        received_at=NOW - timedelta(days=n + 2),
        answered_at=NOW - timedelta(days=n),
        petitioner_name="王小明",
        private_terms=("东区学生公寓",),
    )
    return dataclasses.replace(item, **changes)  # type: ignore[arg-type]


class _Tags(HTMLParser):
    """Collects every start tag and its attributes, as a browser's tokenizer would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


def _assert_inert(html: str) -> None:
    for tag, attrs in _tags(html):
        assert tag not in {"script", "iframe", "img", "svg", "object", "embed", "a"} or (
            tag == "a" and all(not (v or "").lower().startswith("javascript:") for _, v in attrs)
        ), tag
        for name, value in attrs:
            assert not name.lower().startswith("on"), (tag, name)
            if name in ("href", "src"):
                assert "//" not in (value or ""), (tag, value)  # no external resource


@pytest.fixture
def board(tmp_path: Path) -> Path:
    items = [_item(n, ["后勤保障", "教育教学", "校园安全"][n % 3]) for n in range(1, 8)]
    hostile = _item(
        99,
        "后勤保障",
        subject="主题" + HOSTILE[0],
        letter_text="\n".join(HOSTILE),
        answer_text="答复" + HOSTILE[1],
        department="后勤" + HOSTILE[2],
        answered_at=NOW,
    )
    publish_board([*items, hostile], tmp_path / "board", school="示例大学", base_url=BASE, now=NOW)
    return tmp_path / "board"


def test_board_files(board: Path) -> None:
    assert (board / "index.html").is_file()
    assert (board / "feed.xml").is_file()
    assert (board / "style.css").is_file()
    letters = sorted(p.name for p in (board / "letters").iterdir())
    assert letters == sorted([f"2026-{n:06d}.html" for n in range(1, 8)] + ["2026-000099.html"])
    assert {p.name for p in (board / "categories").iterdir()} == {
        f"{category_slug(c)}.html" for c in ("后勤保障", "教育教学", "校园安全")
    }


def test_index_is_newest_first_with_category_links(board: Path) -> None:
    html = (board / "index.html").read_text("utf-8")
    positions = [html.index(f"letters/2026-{n:06d}.html") for n in (99, 1, 2, 3, 7)]
    assert positions == sorted(positions)
    for name in ("全部（8）", "后勤保障（3）", "教育教学（3）", "校园安全（2）"):
        assert name in html


def test_category_page_lists_only_its_letters(board: Path) -> None:
    html = (board / "categories" / f"{category_slug('教育教学')}.html").read_text("utf-8")
    listed = {n for n in range(1, 100) if f"letters/2026-{n:06d}.html" in html}
    assert listed == {1, 4, 7}


def test_letter_page_shows_letter_and_answer_redacted(board: Path) -> None:
    html = (board / "letters" / "2026-000001.html").read_text("utf-8")
    assert "关于东区热水问题（1）" in html
    assert "热水机组已于11月20日修复" in html
    assert "2026-000001" in html
    assert "2026-11-27" in html  # received, in the board's zone
    assert "<p>来信收悉。热水机组已于11月20日修复。<br>如有问题请致电后勤服务热线。</p>" in html


def test_no_personal_data_anywhere(board: Path) -> None:
    for path in board.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml"):
            text = path.read_text("utf-8")
            for secret in ("王小明", "小明", "13812345678", "wxm@", "12号楼305", "东区学生公寓"):
                assert secret not in text, (path.name, secret)


def test_no_script_or_event_handler_survives(board: Path) -> None:
    for path in board.rglob("*.html"):
        _assert_inert(path.read_text("utf-8"))
    page = (board / "letters" / "2026-000099.html").read_text("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown as text, not dropped


def test_feed_is_valid_atom(board: Path) -> None:
    root = ET.parse(board / "feed.xml").getroot()
    assert root.tag == f"{A}feed"
    assert root.findtext(f"{A}id") == BASE
    assert root.findtext(f"{A}title")
    assert root.findtext(f"{A}updated") == NOW.isoformat(timespec="seconds")
    assert root.find(f"{A}author/{A}name") is not None
    assert root.find(f"{A}link[@rel='self']").get("href") == BASE + "feed.xml"  # type: ignore[union-attr]
    entries = root.findall(f"{A}entry")
    assert len(entries) == 8
    ids = [e.findtext(f"{A}id") for e in entries]
    assert len(set(ids)) == len(ids)
    first = entries[0]
    assert first.findtext(f"{A}id") == BASE + "letters/2026-000099.html"
    assert first.find(f"{A}link[@rel='alternate']").get("href") == first.findtext(f"{A}id")  # type: ignore[union-attr]
    for e in entries:
        for child in ("title", "updated", "published", "summary", "content"):
            assert e.findtext(f"{A}{child}"), child
        datetime.fromisoformat(e.findtext(f"{A}updated") or "")
    raw = (board / "feed.xml").read_text("utf-8")
    assert "<script" not in raw
    assert "13812345678" not in raw


def test_listing_is_paginated(tmp_path: Path) -> None:
    items = [_item(n) for n in range(1, PAGE_SIZE + 6)]
    result = publish_board(items, tmp_path / "b", school="示例大学", base_url=BASE, now=NOW)
    assert result.index_pages == 2
    assert result.letters == PAGE_SIZE + 5
    assert (tmp_path / "b" / "index-2.html").is_file()
    assert 'href="index-2.html"' in (tmp_path / "b" / "index.html").read_text("utf-8")
    slug = category_slug("后勤保障")
    assert (tmp_path / "b" / "categories" / f"{slug}-2.html").is_file()


def test_empty_board(tmp_path: Path) -> None:
    result = publish_board([], tmp_path / "b", school="示例大学", base_url=BASE, now=NOW)
    assert result.letters == 0
    assert "暂无公开答复" in (tmp_path / "b" / "index.html").read_text("utf-8")
    root = ET.parse(tmp_path / "b" / "feed.xml").getroot()
    assert root.findtext(f"{A}updated") == NOW.isoformat(timespec="seconds")


def test_republishing_replaces_the_board_at_once(tmp_path: Path) -> None:
    out = tmp_path / "board"
    publish_board([_item(1), _item(2)], out, school="示例大学", base_url=BASE, now=NOW)
    (out / "stray.txt").write_text("from an old run")
    publish_board([_item(3)], out, school="示例大学", base_url=BASE, now=NOW)
    assert sorted(p.name for p in (out / "letters").iterdir()) == ["2026-000003.html"]
    assert not (out / "stray.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["board"]  # no temp dirs left


def test_a_symlinked_board_directory_keeps_its_link(tmp_path: Path) -> None:
    real = tmp_path / "real"
    publish_board([_item(1)], real, school="示例大学", base_url=BASE, now=NOW)
    link = tmp_path / "public"
    link.symlink_to(real)
    publish_board([_item(2)], link, school="示例大学", base_url=BASE, now=NOW)
    assert link.is_symlink()
    assert sorted(p.name for p in (link / "letters").iterdir()) == ["2026-000002.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public", "real"]


BAD = [
    ([_item(1), _item(1)], "appears twice"),
    ([_item(1, number="../../etc/x")], "file name"),
    ([_item(1, number="")], "file name"),
]


@pytest.mark.parametrize(("items", "message"), BAD)
def test_bad_input_leaves_the_old_board(
    tmp_path: Path, items: list[PublicItem], message: str
) -> None:
    out = tmp_path / "board"
    publish_board([_item(5)], out, school="示例大学", base_url=BASE, now=NOW)
    with pytest.raises(ValueError, match=message):
        publish_board(items, out, school="示例大学", base_url=BASE, now=NOW)
    assert (out / "letters" / "2026-000005.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["board"]


def test_naive_now_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="timezone"):
        publish_board(
            [], tmp_path / "b", school="示例大学", base_url=BASE, now=datetime(2026, 1, 1)
        )


fragments = st.sampled_from([*HOSTILE, "正文", "\n", "\n\n", " ", "&amp;", "<", ">", '"', "'"])


@given(st.lists(st.one_of(fragments, st.text(max_size=8)), max_size=12))
@settings(max_examples=200, deadline=None)
def test_text_to_html_is_inert_and_keeps_the_text(parts: list[str]) -> None:
    text = "".join(parts)
    html = str(text_to_html(text))
    tags = _tags(html)
    assert {t for t, _ in tags} <= {"p", "br"}
    assert all(not attrs for _, attrs in tags)

    chunks: list[str] = []
    parser = HTMLParser(convert_charrefs=True)
    parser.handle_data = chunks.append  # type: ignore[method-assign,assignment]
    parser.feed(html)
    parser.close()
    # Visible text is the original, give or take whitespace and control characters.
    expected = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\s]", "", text)
    assert re.sub(r"\s", "", "".join(chunks)) == expected
