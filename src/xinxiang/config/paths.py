"""Where a deployment lives: the config directory (配置目录) and the data directory (数据目录),
FHS-style for a system service under /etc."""

from __future__ import annotations

import os
from pathlib import Path

SYSTEM_CONFIG_ROOT = Path("/etc")
SYSTEM_DATA_DIR = Path("/var/lib/xinxiang")


def is_system_config(directory: Path) -> bool:
    """True for a configuration installed under /etc (a system service, FHS layout)."""
    return directory == SYSTEM_CONFIG_ROOT or SYSTEM_CONFIG_ROOT in directory.parents


def resolve_data_dir(directory: Path, configured: str) -> Path:
    """Where the database, raw mail and records live (数据目录), for a config `directory`.

    An absolute `storage.data_dir` is taken as it is; a relative one is relative to the config
    directory. Unset, it is `/var/lib/xinxiang` for a config under /etc (data never belongs in
    /etc, which is often read-only for the service) and `var/` beside the files otherwise.
    """
    if configured:
        p = Path(configured)
        return p if p.is_absolute() else (directory / p).resolve()
    return SYSTEM_DATA_DIR if is_system_config(directory) else directory / "var"


def default_config_dir() -> Path:
    """`$XINXIANG_CONFIG`, else `./config`."""
    return Path(os.environ.get("XINXIANG_CONFIG", "config"))
