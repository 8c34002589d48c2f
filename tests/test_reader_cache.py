"""Specification of the reader cache (模型缓存): fitted models shared by a machine's processes.

A model loaded from the cache reads every letter exactly as the model fitted in memory (same
label, probability and evidence); a different training set, or changed code or libraries, is a
different key; a corrupt, partial or foreign file, a directory others can write, or a cache
that cannot be written never stops classification — the model is fitted instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from xinxiang.classify import reader as rd
from xinxiang.classify.reader_cache import ENV, ModelCache, cache_key, default_directory

LETTERS = [
    "五号楼走廊全是灰蒙蒙的东西，呛得大家直咳嗽，好像哪个房间在烧",
    "宿舍的热水器坏了一个星期了，一直没人来修",
    "食堂的菜价最近涨得太厉害了，希望学校管一管",
    "研究生奖学金评定的名单什么时候公示？",
]
MODELS = ("danger", "department", "emergency_department", "office_disposition")


_SMALL: list[rd.Sample] = []


def _small() -> list[rd.Sample]:
    # Every 10th shipped letter: enough of each class for all four models, quick to fit.
    if not _SMALL:
        _SMALL.extend(rd.shipped_samples()[::10])
    return _SMALL


def _readings(reader: rd.Reader, models: tuple[str, ...] = MODELS) -> list[object]:
    read = {
        "danger": reader.read_danger,
        "department": reader.read_department,
        "emergency_department": reader.read_emergency_department,
        "office_disposition": reader.read_office_disposition,
    }
    return [read[m](rd.model_text("", letter)) for letter in LETTERS for m in models]


@dataclass(frozen=True)
class Fitted:
    """A cache written by one fit of the four models, and the readings of an uncached fit."""

    directory: Path
    expected: list[object]

    def copy_to(self, target: Path) -> ModelCache:
        target.mkdir(mode=0o700)
        for f in self.directory.iterdir():
            shutil.copy2(f, target / f.name)
        return ModelCache(target, KEY)


KEY = "k"


@pytest.fixture(scope="module")
def fitted(tmp_path_factory: pytest.TempPathFactory) -> Fitted:
    directory = tmp_path_factory.mktemp("cache")
    directory.chmod(0o700)
    written = _readings(rd.Reader(_small(), ModelCache(directory, KEY)))
    expected = _readings(rd.Reader(_small()))
    assert written == expected
    return Fitted(directory, expected)


def test_a_cached_model_reads_exactly_as_a_fitted_one(fitted: Fitted) -> None:
    cache = ModelCache(fitted.directory, KEY)
    assert sorted(p.name for p in fitted.directory.iterdir()) == sorted(
        cache.path(m).name for m in MODELS
    )
    assert _readings(rd.Reader(_small(), cache)) == fitted.expected


def test_the_second_process_loads_instead_of_fitting(fitted: Fitted, tmp_path: Path) -> None:
    cache = fitted.copy_to(tmp_path / "c")
    before = {m: cache.path(m).stat().st_mtime_ns for m in MODELS}
    _readings(rd.Reader(_small(), cache))
    assert {m: cache.path(m).stat().st_mtime_ns for m in MODELS} == before


@pytest.mark.parametrize(
    ("model", "damage"),
    [
        pytest.param("office_disposition", b"", id="empty file"),
        pytest.param("emergency_department", b"not a pickle at all", id="garbage"),
        pytest.param("office_disposition", None, id="half a file"),
    ],
)
def test_a_damaged_file_is_fitted_again_and_replaced(
    fitted: Fitted, tmp_path: Path, model: str, damage: bytes | None
) -> None:
    cache = fitted.copy_to(tmp_path / "c")
    path = cache.path(model)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2] if damage is None else damage)
    assert _readings(rd.Reader(_small(), cache)) == fitted.expected
    assert len(path.read_bytes()) > 1000  # replaced by a whole file again


def test_a_directory_others_can_write_is_neither_read_nor_written(
    fitted: Fitted, tmp_path: Path
) -> None:
    cache = fitted.copy_to(tmp_path / "shared")
    cache.directory.chmod(0o777)
    poisoned = cache.path("office_disposition")
    poisoned.write_bytes(b"planted by someone else")
    readings = _readings(rd.Reader(_small(), cache), ("office_disposition",))
    assert readings == _readings(
        rd.Reader(_small(), ModelCache(fitted.directory, KEY)), ("office_disposition",)
    )
    assert poisoned.read_bytes() == b"planted by someone else"  # neither loaded nor replaced


def test_a_symlinked_model_file_is_not_followed(fitted: Fitted, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir(mode=0o700)
    cache = ModelCache(cache_dir, KEY)
    cache.path("office_disposition").symlink_to(
        ModelCache(fitted.directory, KEY).path("office_disposition")
    )
    # Loaded only from a regular file: the link is not read, the model is fitted and written.
    rd.Reader(_small(), cache).office_disposition  # noqa: B018
    assert not cache.path("office_disposition").is_symlink()


def test_an_unwritable_cache_only_costs_the_fit(fitted: Fitted, tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    reader = rd.Reader(_small(), ModelCache(blocked / "sub", KEY))
    both = _readings(reader, ("office_disposition",))
    assert both == _readings(
        rd.Reader(_small(), ModelCache(fitted.directory, KEY)), ("office_disposition",)
    )


def test_the_key_changes_with_the_data_and_only_with_it() -> None:
    a = cache_key([b"one", b"two"])
    assert a == cache_key([b"one", b"two"])
    assert a != cache_key([b"one", b"two!"])
    assert a != cache_key([b"onetwo"])  # boundaries count
    assert a != cache_key([b"two", b"one"])


def test_the_environment_chooses_the_directory_or_turns_it_off(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(ENV, "off")
    assert default_directory() is None
    monkeypatch.setenv(ENV, str(tmp_path / "c"))
    assert default_directory() == tmp_path / "c"
    monkeypatch.delenv(ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_directory() == tmp_path / "xdg" / "xinxiang"


def test_the_shipped_reader_is_shared_between_processes(tmp_path: Path) -> None:
    """Two processes: the first fits and writes, the second loads and reads the same."""
    code = (
        "from xinxiang.classify import reader as rd\n"
        f"t = rd.model_text('', {LETTERS[0]!r})\n"
        "r = rd.shipped_reader()\n"
        "print(r.read_department(t))\n"
    )
    env = {**os.environ, ENV: str(tmp_path / "cache")}
    one = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    files = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert len(files) == 1 and all(f.startswith("reader-") for f in files)
    two = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert one.stdout == two.stdout and "Reading(" in one.stdout
