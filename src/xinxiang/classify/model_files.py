"""Versioned suggestion models on disk (模型版本): `data_dir/models/dept-YYYYMMDDTHHMM.joblib`.

Each model file has a JSON twin with its metadata (version, trained_at, n_samples, classes,
metrics). The newest version is used; the `keep` newest are kept and older ones removed. The
files are written by our own worker only: joblib files are pickles and must never come from
elsewhere.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from xinxiang.classify.learn import Model

PREFIX = "dept-"


def models_dir(data_dir: Path) -> Path:
    """Where the models of a deployment live."""
    return data_dir / "models"


def new_version(directory: Path, now: datetime) -> str:
    """A version name from `now` (minutes), suffixed -2, -3… if that minute is taken."""
    base = now.strftime("%Y%m%dT%H%M")
    version, n = base, 1
    while (directory / f"{PREFIX}{version}.joblib").exists():
        n += 1
        version = f"{base}-{n}"
    return version


def _sort_key(path: Path) -> tuple[str, int]:
    version = path.stem.removeprefix(PREFIX)
    base, _, n = version.partition("-")
    return base, int(n) if n.isdigit() else 1


def versions(directory: Path) -> list[Path]:
    """Model files, oldest first."""
    if not directory.is_dir():
        return []
    return sorted(directory.glob(f"{PREFIX}*.joblib"), key=_sort_key)


def save(directory: Path, model: Model, keep: int) -> Path:
    """Write `model` and its metadata atomically, then remove all but the `keep` newest."""
    import joblib

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{PREFIX}{model.version}.joblib"
    tmp = path.with_suffix(".joblib.tmp")
    joblib.dump(model, tmp)
    meta_tmp = path.with_suffix(".json.tmp")
    meta_tmp.write_text(json.dumps(model.metadata(), ensure_ascii=False, indent=2), "utf-8")
    # Metadata first: a reader that finds the model file always finds its metadata too.
    os.replace(meta_tmp, path.with_suffix(".json"))
    os.replace(tmp, path)
    for old in versions(directory)[: -max(keep, 1)]:
        old.unlink(missing_ok=True)
        old.with_suffix(".json").unlink(missing_ok=True)
    return path


def load_latest(directory: Path) -> Model | None:
    """The newest model, or None when none has been trained yet."""
    files = versions(directory)
    if not files:
        return None
    return load(files[-1])


def load(path: Path) -> Model:
    """One model file (ValueError if it holds something else)."""
    return _load(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int) -> Model:
    # Cached by path and modification time: every incoming letter may ask for the model, and
    # unpickling it each time would cost more than classifying the letter.
    import joblib

    model = joblib.load(path)
    if not isinstance(model, Model):
        raise ValueError(f"{path} is not a suggestion model")
    return model


def metadata(directory: Path) -> list[dict[str, Any]]:
    """Metadata of every kept version, oldest first."""
    out: list[dict[str, Any]] = []
    for f in versions(directory):
        meta = f.with_suffix(".json")
        if meta.is_file():
            out.append(json.loads(meta.read_text("utf-8")))
    return out
