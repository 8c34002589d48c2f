"""Redaction of personal data (个人信息) from anything published: the board, the feed, public PDFs.

Pure functions over text. Default patterns cover mainland mobile and landline numbers, e-mail
addresses, ID-card numbers, dorm rooms and 8–12 digit student/staff numbers; a deployment can add
or replace patterns with a TOML file (`load_patterns`). Names (the petitioner's, plus any others the
caller knows) are matched literally, tolerating spaces between characters.

Patterns are written so that dates (2026-11-20, 20261120), times and ticket numbers (2026-000123)
survive: every number pattern refuses to start or end inside a longer run of digits or hyphens.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator

from xinxiang.config import Strict, load_model

NAME_MARK = "＊＊＊"

# A digit run is "whole" when no digit, hyphen, dot or ASCII letter touches it on either side;
# that keeps ticket numbers, dates, decimals, URLs and hex digests out of every number pattern.
_B = r"(?<![0-9A-Za-z\-－._/])"
_E = r"(?![0-9A-Za-z\-－_/]|\.\d)"

# YYYYMMDD for 1900–2099: an 8-digit date is not a student number.
_COMPACT_DATE = r"(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"

_SEP = r"[-－\s]?"


@dataclass(frozen=True, slots=True)
class RedactionPattern:
    """One kind of personal data: a compiled regular expression and what replaces each match.

    `replacement` is an `re.sub` template, so it may keep a labelling group (``\\g<1>``).
    """

    name: str
    regex: re.Pattern[str]
    replacement: str = "[已隐去]"

    @classmethod
    def of(cls, name: str, pattern: str, replacement: str = "[已隐去]") -> RedactionPattern:
        """Build a pattern from source text (raises `re.error` on a bad expression)."""
        return cls(name, re.compile(pattern), replacement)


def student_number_pattern(min_digits: int = 8, max_digits: int = 12) -> RedactionPattern:
    """Student and staff numbers (学号/工号): a whole run of `min_digits`–`max_digits` digits.

    An 8-digit run that reads as a date (20261120) and runs followed by a unit of money, time or
    count (元, 年, 人 …) are left alone.
    """
    if not 1 <= min_digits <= max_digits:
        raise ValueError("need 1 <= min_digits <= max_digits")
    unit = r"(?!\s?[元万亿年月日人次个份件台％%])"
    date = rf"(?!{_COMPACT_DATE}(?!\d))"
    return RedactionPattern.of(
        "student_number",
        rf"{_B}{date}(?:[A-Za-z]{{0,2}})?\d{{{min_digits},{max_digits}}}{_E}{unit}",
        "[学号/工号已隐去]",
    )


@lru_cache(maxsize=16)
def default_patterns(*, min_digits: int = 8, max_digits: int = 12) -> tuple[RedactionPattern, ...]:
    """The built-in patterns, in the order they are applied (longer, more specific kinds first)."""
    return (
        RedactionPattern.of(
            "email",
            r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}",
            "[邮箱已隐去]",
        ),
        RedactionPattern.of(
            "id_card",
            rf"{_B}[1-9]\d{{5}}{_COMPACT_DATE}\d{{3}}[\dXx](?![0-9A-Za-z])",
            "[身份证号已隐去]",
        ),
        RedactionPattern.of(
            "mobile",
            rf"(?:{_B}(?:\+|＋)?86{_SEP}|{_B})1[3-9]\d{_SEP}\d{{4}}{_SEP}\d{{4}}{_E}",
            "[电话已隐去]",
        ),
        RedactionPattern.of(
            "landline",
            rf"(?:{_B}0\d{{2,3}}[-－]|[(（]0\d{{2,3}}[)）]\s?)[2-9]\d{{6,7}}(?:[-－转]\d{{1,5}})?{_E}",
            "[电话已隐去]",
        ),
        RedactionPattern.of(
            "bank_card",
            rf"{_B}\d{{4}}(?:[ \-]\d{{4}}){{3}}(?:[ \-]\d{{1,4}})?{_E}",
            "[银行卡号已隐去]",
        ),
        RedactionPattern.of(
            # Bank cards (16–19 digits) and anything else too long to be a date or an amount.
            "long_number",
            rf"{_B}\d{{13,}}[Xx]?{_E}",
            "[号码已隐去]",
        ),
        RedactionPattern.of(
            "dorm_room",
            r"(?:[东西南北中][区院]\s?)?"
            r"(?:(?<![0-9A-Za-z\-－])\d{1,3}|[一二三四五六七八九十]{1,3}|(?<![A-Za-z])[A-Za-z])"
            r"\s?(?:号楼|号公寓|栋|幢|号宿舍楼|舍|斋)\s?(?:[A-Za-z]?\d{1,2}单元\s?)?"
            r"[A-Za-z]?\d{3,4}(?![0-9\-－])(?:室|房间|房|寝室|宿舍|号)?"
            r"|(?<![0-9A-Za-z\-－])\d{1,3}\s?[#＃]\s?[A-Za-z]?\d{3,4}(?![0-9\-－])"
            r"(?:室|房间|房|寝室|宿舍)?"
            r"|(?<![0-9A-Za-z\-－])\d{3,4}\s?(?:宿舍|寝室)",
            "[宿舍已隐去]",
        ),
        RedactionPattern.of(
            "labelled_number",
            r"((?:学号|工号|学工号|职工号|教工号|一卡通号?|校园卡号?|学籍号|考生号|准考证号)"
            r"\s?(?:是|为)?\s?[:：]?\s?)[A-Za-z]{0,2}\d{4,20}(?!\d)",
            r"\g<1>[学号/工号已隐去]",
        ),
        student_number_pattern(min_digits, max_digits),
    )


@lru_cache(maxsize=512)
def _name_regex(names: tuple[str, ...]) -> re.Pattern[str] | None:
    parts = []
    for name in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        chars = [re.escape(c) for c in name if not c.isspace()]
        # People type 张 伟 or 张　伟; a name of one character would redact too much.
        if len(chars) >= 2:
            parts.append(r"\s?".join(chars))
    if not parts:
        return None
    return re.compile("|".join(parts), re.IGNORECASE)


def name_variants(name: str) -> tuple[str, ...]:
    """The name itself and, for Chinese names of 3–4 characters, the given name (王小明 → 小明).

    Two-character given names are what classmates and letters use ("小明同学"); a single given
    character would match ordinary words, so it is not included.
    """
    name = "".join(name.split())
    if not name:
        return ()
    is_cjk = all("\u4e00" <= c <= "\u9fff" for c in name)
    if is_cjk and len(name) in (3, 4):
        return (name, name[-2:])
    return (name,)


def redact(
    text: str,
    *,
    names: Sequence[str] = (),
    patterns: Sequence[RedactionPattern] | None = None,
    name_mark: str = NAME_MARK,
) -> str:
    """Replace personal data in `text`: every pattern (default: `default_patterns()`), then names.

    `names` are matched literally (case-insensitive, spaces between characters tolerated); pass
    the petitioner's name, address and anything else known to identify them.
    """
    for pattern in default_patterns() if patterns is None else patterns:
        text = pattern.regex.sub(pattern.replacement, text)
    name_re = _name_regex(tuple(names))
    if name_re is not None:
        text = name_re.sub(name_mark, text)
    return text


class _PatternEntry(Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    regex: str = Field(min_length=1)
    replacement: str = "[已隐去]"

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            compiled = re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from exc
        if compiled.match(""):
            raise ValueError("the expression matches the empty string")
        return value


class RedactionFile(Strict):
    """`redaction.toml`: tune the defaults and add patterns of the deployment's own."""

    use_defaults: bool = True
    disable: list[str] = Field(default_factory=list)
    student_number_min_digits: int = Field(default=8, ge=4, le=20)
    student_number_max_digits: int = Field(default=12, ge=4, le=20)
    patterns: list[_PatternEntry] = Field(default_factory=list, alias="pattern")


def patterns_from(settings: RedactionFile) -> tuple[RedactionPattern, ...]:
    """The pattern list a validated `RedactionFile` describes (defaults first, then its own)."""
    lo, hi = settings.student_number_min_digits, settings.student_number_max_digits
    base = default_patterns(min_digits=lo, max_digits=max(lo, hi)) if settings.use_defaults else ()
    disabled = set(settings.disable)
    extra = tuple(RedactionPattern.of(p.name, p.regex, p.replacement) for p in settings.patterns)
    return tuple(p for p in base if p.name not in disabled) + extra


def load_patterns(path: Path) -> tuple[RedactionPattern, ...]:
    """Read a redaction TOML file; mistakes become `ConfigError(file, key, reason)`.

    Example::

        student_number_min_digits = 10      # 学号/工号 length range
        disable = ["dorm_room"]             # names of default patterns to switch off
        [[pattern]]
        name = "qq"
        regex = '(?i)QQ[:：\\s]*\\d{5,11}'
        replacement = "[QQ号已隐去]"
    """
    return patterns_from(load_model(path, RedactionFile))
