"""The public board (公开答复): a static site of approved public letters and their answers.

`publish_board` writes `index.html` (newest first, paginated, with a page per category), one page
per letter under `letters/`, an Atom feed `feed.xml` and a stylesheet. Every text is redacted
(`xinxiang.replies.redact`) and escaped by Jinja autoescape; the only HTML we generate from a
letter — paragraphs — passes through nh3 with an allow-list of `p` and `br`, so no script or event
handler from a letter can reach a reader. The site is built in a temporary directory next to
`out_dir` and swapped in at once, so a web server never serves a half-written board.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import os
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import nh3
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from xinxiang.replies.redact import RedactionPattern, name_variants
from xinxiang.replies.redactor import Redactor

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "board"

PAGE_SIZE = 50
FEED_ENTRIES = 50
EXCERPT_CHARS = 90
ATOM_NS = "http://www.w3.org/2005/Atom"
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


@dataclass(frozen=True, slots=True)
class PublicItem:
    """An approved public letter and its answer, as the service layer hands it to the board.

    `petitioner_name` and `private_terms` (address, contact, other identifying strings) are used
    only for redaction and never printed.
    """

    number: str
    category: str
    department: str
    subject: str
    letter_text: str
    answer_text: str
    received_at: datetime
    answered_at: datetime
    petitioner_name: str = ""
    private_terms: tuple[str, ...] = ()
    approved: tuple[str, str, str] | None = None
    """The subject, letter and answer as the office approved them (already redacted): when
    given, published as they are and never redacted again."""


@dataclass(frozen=True, slots=True)
class BoardResult:
    """What a publication wrote."""

    out_dir: Path
    letters: int
    index_pages: int
    categories: int
    feed: Path


@dataclass(frozen=True, slots=True)
class _Entry:
    number: str
    category: str
    category_slug: str
    department: str
    subject: str
    letter_html: Markup
    answer_html: Markup
    excerpt: str
    answer_text: str
    received: str
    answered: str
    answered_at: datetime
    received_at: datetime


def category_slug(category: str) -> str:
    """A stable ASCII file name for a category (Chinese names make awkward URLs)."""
    return "c" + hashlib.sha1(category.encode("utf-8")).hexdigest()[:10]


def text_to_html(text: str) -> Markup:
    """Plain text to paragraphs: escaped, then cleaned by nh3 to `p`/`br` with no attributes.

    Control characters (other than line breaks and tabs) are dropped: browsers would too.
    """
    text = _CONTROL_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    paras = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    html = "".join(
        "<p>" + "<br>".join(str(escape(line)) for line in para.split("\n")) + "</p>"
        for para in paras
    )
    return Markup(nh3.clean(html, tags={"p", "br"}, attributes={}, strip_comments=True))


def _one_line(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit].rstrip() + "…"


@cache
def _default_redactor(patterns: tuple[RedactionPattern, ...] | None) -> Redactor:
    # One per pattern list, so that its memory of redacted letters outlives a publication.
    return Redactor(patterns)


def redact_item(item: PublicItem, redactor: Redactor) -> tuple[str, str, str]:
    """The subject, letter and answer of `item` as the public may read them (脱敏后).

    Names are looked for in all three, and each name found is hidden in all three.
    """
    known = (*name_variants(item.petitioner_name), *item.private_terms)
    subject, letter, answer = redactor.redact_all(
        [item.subject, item.letter_text, item.answer_text], known
    )
    return subject, letter, answer


def _prepare(item: PublicItem, zone: ZoneInfo, redactor: Redactor) -> _Entry:
    if not _NUMBER_RE.match(item.number):
        raise ValueError(f"ticket number not usable as a file name: {item.number!r}")
    if item.approved is not None:
        subject, letter, answer = item.approved
    else:
        subject, letter, answer = redact_item(item, redactor)
    return _Entry(
        number=item.number,
        # Category and department are the school's own words: they are never redacted.
        category=item.category or "其他",
        category_slug=category_slug(item.category or "其他"),
        department=item.department,
        subject=subject or "（无主题）",
        letter_html=text_to_html(letter),
        answer_html=text_to_html(answer),
        excerpt=_one_line(letter, EXCERPT_CHARS),
        answer_text=answer,
        received=item.received_at.astimezone(zone).strftime("%Y-%m-%d"),
        answered=item.answered_at.astimezone(zone).strftime("%Y-%m-%d"),
        answered_at=item.answered_at,
        received_at=item.received_at,
    )


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _atom_time(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def _feed(entries: Sequence[_Entry], *, school: str, base_url: str, now: datetime) -> bytes:
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "zh-CN"})
    sub(feed, "id", base_url)
    sub(feed, "title", f"{school}书记校长信箱 · 公开答复")
    updated = max((e.answered_at for e in entries), default=now)
    sub(feed, "updated", _atom_time(updated))
    author = sub(feed, "author")
    sub(author, "name", school)
    sub(feed, "link", rel="self", href=urljoin(base_url, "feed.xml"))
    sub(feed, "link", rel="alternate", type="text/html", href=urljoin(base_url, "index.html"))
    for e in entries[:FEED_ENTRIES]:
        url = urljoin(base_url, f"letters/{e.number}.html")
        entry = sub(feed, "entry")
        sub(entry, "id", url)
        sub(entry, "title", f"{e.number} {e.subject}")
        sub(entry, "updated", _atom_time(e.answered_at))
        sub(entry, "published", _atom_time(e.received_at))
        sub(entry, "link", rel="alternate", type="text/html", href=url)
        sub(entry, "category", term=e.category)
        sub(entry, "summary", e.excerpt, type="text")
        sub(entry, "content", f"{e.department}答复：\n{e.answer_text}", type="text")
    data: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return data


def _pages(entries: Sequence[_Entry], size: int) -> list[Sequence[_Entry]]:
    return [entries[i : i + size] for i in range(0, len(entries), size)] or [[]]


def _listing_name(prefix: str, page: int) -> str:
    return f"{prefix}.html" if page == 1 else f"{prefix}-{page}.html"


def _write(path: Path, data: str | bytes) -> None:
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)


class _Writer:
    """Writes files on a few threads: creating thousands of small files is latency-bound."""

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self._pool = pool
        self._pending: list[Future[None]] = []

    def __call__(self, path: Path, data: str | bytes) -> None:
        self._pending.append(self._pool.submit(_write, path, data))
        if len(self._pending) >= 256:
            self.wait()

    def wait(self) -> None:
        """Wait for every submitted write; the first failure is raised."""
        pending, self._pending = self._pending, []
        for future in pending:
            future.result()


def _build(
    entries: Sequence[_Entry],
    site: Path,
    *,
    school: str,
    base_url: str,
    now: datetime,
    zone: ZoneInfo,
) -> tuple[int, int]:
    env = _environment()
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="board-write") as pool:
        write = _Writer(pool)
        result = _build_into(
            entries, site, env, write, school=school, base_url=base_url, now=now, zone=zone
        )
        write.wait()
    return result


def _build_into(
    entries: Sequence[_Entry],
    site: Path,
    env: Environment,
    write: _Writer,
    *,
    school: str,
    base_url: str,
    now: datetime,
    zone: ZoneInfo,
) -> tuple[int, int]:
    (site / "letters").mkdir()
    (site / "categories").mkdir()
    shutil.copyfile(TEMPLATES / "style.css", site / "style.css")

    categories: dict[str, tuple[str, list[_Entry]]] = {}
    for e in entries:
        categories.setdefault(e.category_slug, (e.category, []))[1].append(e)
    cat_list = sorted(
        ((slug, name, len(items)) for slug, (name, items) in categories.items()),
        key=lambda c: (-c[2], c[1]),
    )
    common: dict[str, Any] = {
        "school": school,
        "categories": cat_list,
        "generated": now.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "total": len(entries),
    }

    listing = env.get_template("index.html")

    def write_listing(items: Sequence[_Entry], prefix: str, root: str, **extra: Any) -> int:
        pages = _pages(items, PAGE_SIZE)
        for n, chunk in enumerate(pages, start=1):
            html = listing.render(
                common,
                root=root,
                entries=chunk,
                page=n,
                pages=len(pages),
                prev=_listing_name(prefix.rsplit("/", 1)[-1], n - 1) if n > 1 else None,
                next=_listing_name(prefix.rsplit("/", 1)[-1], n + 1) if n < len(pages) else None,
                **extra,
            )
            write(site / _listing_name(prefix, n), html)
        return len(pages)

    index_pages = write_listing(entries, "index", "", current=None)
    for slug, (name, items) in categories.items():
        write_listing(items, f"categories/{slug}", "../", current=slug, current_name=name)

    letter_tpl = env.get_template("letter.html")
    for e in entries:
        write(site / "letters" / f"{e.number}.html", letter_tpl.render(common, root="../", e=e))

    write(site / "feed.xml", _feed(entries, school=school, base_url=base_url, now=now))
    return index_pages, len(categories)


def _renameat2_exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    rc = fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EPERM, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _swap_in(new: Path, target: Path) -> None:
    if not target.exists():
        new.rename(target)
        return
    if not target.is_dir():
        raise NotADirectoryError(f"{target} exists and is not a directory")
    if _renameat2_exchange(new, target):
        shutil.rmtree(new)
        return
    # Without an atomic exchange, readers may briefly see no directory — never a partial one.
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    target.rename(old)
    new.rename(target)
    shutil.rmtree(old)


def publish_board(
    items: Sequence[PublicItem],
    out_dir: Path,
    *,
    school: str,
    base_url: str,
    now: datetime,
    tz: str = "Asia/Shanghai",
    patterns: Sequence[RedactionPattern] | None = None,
    redactor: Redactor | None = None,
) -> BoardResult:
    """Write the public board for `items` to `out_dir`, replacing any previous board at once.

    `base_url` is the public address of `out_dir` (used for the feed's ids and links); `now`
    stamps the pages and is the feed's `updated` when there are no items. `redactor` hides
    personal data (default: the built-in one, with `patterns` if given).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    zone = ZoneInfo(tz)
    base_url = base_url if base_url.endswith("/") else base_url + "/"
    if redactor is None:
        redactor = _default_redactor(None if patterns is None else tuple(patterns))
    entries = sorted(
        (_prepare(item, zone, redactor) for item in items),
        key=lambda e: (e.answered_at, e.number),
        reverse=True,
    )
    seen: set[str] = set()
    for e in entries:
        if e.number in seen:
            raise ValueError(f"ticket {e.number} appears twice")
        seen.add(e.number)

    out_dir = Path(out_dir).absolute()
    if out_dir.is_symlink():
        # Swap the directory the link points to and keep the link the web server knows.
        out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        index_pages, n_categories = _build(
            entries, tmp, school=school, base_url=base_url, now=now, zone=zone
        )
        # mkdtemp makes the directory 0700; a web server running as another user must read it.
        tmp.chmod(0o755)
        _swap_in(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return BoardResult(
        out_dir=out_dir,
        letters=len(entries),
        index_pages=index_pages,
        categories=n_categories,
        feed=out_dir / "feed.xml",
    )
