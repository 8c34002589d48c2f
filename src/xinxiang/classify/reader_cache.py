"""The second reader's fitted models kept on disk, once per machine (模型缓存).

Fitting the shipped reader's models costs ~9 s of CPU (danger ~4.7 s, department ~3.6 s on a
2-core CI machine) in every process that classifies: each worker, each `xinxiang` command,
each test worker. The fit is deterministic, so its result depends only on what goes in: the
shipped letters, this package's code and the versions of the libraries that fit. `ModelCache`
keeps each fitted model in a joblib file named by the hash of all of those, so a process
loads in a fraction of a second what another process on the machine already fitted, and any
change of data, code or library version simply misses the cache.

joblib files are pickles: a file is loaded only from a directory owned by the user running the
process and writable by nobody else, and only when the file is owned by that user too (anyone
able to write there could already run code as that user). Every failure — a missing, partial,
corrupt or foreign file, a read-only disk — falls back to fitting in memory, and is never an
error: the cache is only ever a shortcut. ``XINXIANG_READER_CACHE=off`` turns it off; another
value names the directory (default: ``$XDG_CACHE_HOME/xinxiang`` or ``~/.cache/xinxiang``).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

ENV = "XINXIANG_READER_CACHE"
# Bump when what a cached file holds changes shape (the key also covers the code itself).
FORMAT = "1"
# The libraries whose versions decide what a fit produces or whether a pickle loads.
# (rjieba cuts the danger model's words; jieba itself no longer takes part in a fit.)
LIBRARIES = ("scikit-learn", "numpy", "scipy", "rjieba", "joblib")
# Files of other keys (other data, code or versions) are removed when unused this long.
STALE_DAYS = 14
# The modules whose code decides the fit (pipelines, normalisation of the text).
_CODE = ("reader.py", "normalize.py", "reader_cache.py")


def default_directory() -> Path | None:
    """Where the cache lives, or None when ``XINXIANG_READER_CACHE=off``."""
    value = os.environ.get(ENV, "").strip()
    if value.lower() in {"off", "0", "no", "false"}:
        return None
    if value:
        return Path(value)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "xinxiang"


def cache_key(parts: Iterable[bytes]) -> str:
    """A key over `parts` (the training data), this package's fitting code, the libraries'
    versions and Python's: any change to one of them is a different key."""
    h = hashlib.sha256(f"xinxiang-reader-cache {FORMAT}\n".encode())
    h.update(f"python {sys.version_info[:3]}\n".encode())
    for lib in LIBRARIES:
        try:
            version = metadata.version(lib)
        except metadata.PackageNotFoundError:
            version = "-"
        h.update(f"{lib} {version}\n".encode())
    here = Path(__file__).parent
    for name in _CODE:
        h.update(name.encode() + b"\0" + (here / name).read_bytes() + b"\0")
    for part in parts:
        h.update(len(part).to_bytes(8, "big") + part)
    return h.hexdigest()[:32]


def _trusted_directory(directory: Path) -> bool:
    """True when `directory` is ours alone: owned by this user, writable by nobody else."""
    try:
        st = directory.stat()
    except OSError:
        return False
    if not stat.S_ISDIR(st.st_mode):
        return False
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return False
    return not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _trusted_file(path: Path) -> bool:
    try:
        st = path.lstat()
    except OSError:
        return False
    if not stat.S_ISREG(st.st_mode):  # a symlink is not followed
        return False
    return not (hasattr(os, "getuid") and st.st_uid != os.getuid())


@dataclass(frozen=True, slots=True)
class ModelCache:
    """Fitted models of one training set in `directory`, named by `key` (see `cache_key`)."""

    directory: Path
    key: str

    def path(self, name: str) -> Path:
        """The file of model `name` (danger, department…)."""
        return self.directory / f"reader-{self.key}-{name}.joblib"

    def get_or_fit(self, name: str, fit: Callable[[], Any]) -> Any:
        """Model `name` from the cache, or `fit()` and keep it there (best effort)."""
        loaded = self._load(name)
        if loaded is not None:
            return loaded
        value = fit()
        self._save(name, value)
        return value

    def _load(self, name: str) -> Any:
        path = self.path(name)
        if not (_trusted_directory(self.directory) and _trusted_file(path)):
            return None
        try:
            import joblib

            return joblib.load(path)
        except Exception as exc:  # a pickle can fail in many ways: fit instead, say why
            log.info("reader cache: %s not used (%s: %s)", path, type(exc).__name__, exc)
            return None

    def _save(self, name: str, value: Any) -> None:
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not _trusted_directory(self.directory):
                log.info("reader cache: %s is not ours alone, not written", self.directory)
                return
            import joblib

            # Written under a temporary name and renamed: a reader never sees half a file,
            # and two processes fitting at once both leave a whole one.
            fd, tmp = tempfile.mkstemp(prefix=".reader-", dir=self.directory)
            try:
                with os.fdopen(fd, "wb") as out:
                    joblib.dump(value, out)
                os.replace(tmp, self.path(name))
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            self._prune()
        except Exception as exc:  # a full or read-only disk must not stop classification
            log.info(
                "reader cache: %s not written (%s: %s)", self.path(name), type(exc).__name__, exc
            )

    def _prune(self) -> None:
        """Drop other keys' files not used for `STALE_DAYS` (another checkout's may be live)."""
        cutoff = time.time() - STALE_DAYS * 86400
        for old in self.directory.glob("reader-*.joblib"):
            if not old.name.startswith(f"reader-{self.key}-"):
                with contextlib.suppress(OSError):
                    if old.stat().st_atime < cutoff and old.stat().st_mtime < cutoff:
                        old.unlink()
