"""Specification of the reader cache (模型缓存): fitted models shared by a machine's processes.

A model loaded from the cache reads every letter exactly as the model fitted in memory (same
label, probability and evidence); a different training set, or changed code or libraries, is a
different key; a corrupt, partial or foreign file, a directory others can write, or a cache
that cannot be written never stops classification — the model is fitted instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
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


def _small() -> list[rd.Sample]:
    # Every 5th shipped letter: enough of each class for all four models, quick to fit.
    return rd.shipped_samples()[::5]


def _readings(reader: rd.Reader) -> list[object]:
    out: list[object] = []
    for letter in LETTERS:
        t = rd.model_text("", letter)
        out += [
            reader.read_danger(t),
            reader.read_department(t),
            reader.read_emergency_department(t),
            reader.read_office_disposition(t),
        ]
    return out


def test_a_cached_model_reads_exactly_as_a_fitted_one(tmp_path: Path) -> None:
    samples = _small()
    fitted = _readings(rd.Reader(samples))
    cache = ModelCache(tmp_path, "k1")
    first = _readings(rd.Reader(samples, cache))  # fits and writes
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(cache.path(m).name for m in MODELS)
    second = _readings(rd.Reader(samples, cache))  # loads
    assert first == fitted
    assert second == fitted


def test_the_second_process_loads_instead_of_fitting(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path, "k2")
    reader = rd.Reader(_small(), cache)
    reader.department  # noqa: B018 - fits and writes
    marker = cache.path("department").stat().st_mtime_ns
    again = rd.Reader(_small(), cache)
    again.department  # noqa: B018 - loads
    assert cache.path("department").stat().st_mtime_ns == marker


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(b"", id="empty file"),
        pytest.param(b"not a pickle at all", id="garbage"),
        pytest.param(None, id="half a file"),
    ],
)
def test_a_damaged_file_is_fitted_again_and_replaced(tmp_path: Path, damage: bytes | None) -> None:
    samples = _small()
    cache = ModelCache(tmp_path, "k3")
    expected = _readings(rd.Reader(samples, cache))
    for model in MODELS:
        path = cache.path(model)
        whole = path.read_bytes()
        path.write_bytes(whole[: len(whole) // 2] if damage is None else damage)
    assert _readings(rd.Reader(samples, cache)) == expected
    assert rd.Reader(samples, cache).cache is cache
    for model in MODELS:  # replaced by whole files again
        assert len(cache.path(model).read_bytes()) > 1000


def test_a_directory_others_can_write_is_neither_read_nor_written(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    samples = _small()
    expected = _readings(rd.Reader(samples))
    assert _readings(rd.Reader(samples, ModelCache(shared, "k4"))) == expected
    assert list(shared.iterdir()) == []


def test_a_symlinked_model_file_is_not_followed(tmp_path: Path) -> None:
    samples = _small()
    elsewhere = tmp_path / "elsewhere"
    good = ModelCache(elsewhere, "k5")
    rd.Reader(samples, good).danger  # noqa: B018
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir(mode=0o700)
    cache = ModelCache(cache_dir, "k5")
    cache.path("danger").symlink_to(good.path("danger"))
    # Loaded only from a regular file: the link is not read, the model is fitted and written.
    rd.Reader(samples, cache).danger  # noqa: B018
    assert not cache.path("danger").is_symlink()


def test_an_unwritable_cache_only_costs_the_fit(tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    samples = _small()
    assert _readings(rd.Reader(samples, ModelCache(blocked / "sub", "k6"))) == _readings(
        rd.Reader(samples)
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
        "print(r.read_danger(t), r.read_department(t))\n"
    )
    env = {**os.environ, ENV: str(tmp_path / "cache")}
    one = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    files = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert len(files) == 2 and all(f.startswith("reader-") for f in files)
    two = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert one.stdout == two.stdout and "Reading(" in one.stdout
