"""Whole-deployment validation: every config file that exists is loaded by its owning package."""

from __future__ import annotations

import importlib

from xinxiang.config import Config

# (file name, module, function). Each function takes the Config and raises ConfigError.
_CHECKS: tuple[tuple[str, str, str], ...] = (
    ("rules.toml", "xinxiang.classify.rules", "load_rules_for"),
    ("calendar.toml", "xinxiang.dispatch.calendar", "load_calendar_for"),
    ("oa.toml", "xinxiang.oa_bridge.config", "load_oa_for"),
)


def check_all(cfg: Config, *, secrets: bool = True) -> list[str]:
    """Validate the optional files present next to xinxiang.toml; return the files checked."""
    checked = ["xinxiang.toml", "departments.toml"]
    if secrets:
        if cfg.settings.smtp.transport == "smtp" and cfg.settings.smtp.username:
            cfg.secret("smtp.password_env", cfg.settings.smtp.password_env)
        for src in cfg.settings.sources:
            if src.kind == "imap":
                cfg.source_password(src)
        cfg.token_key()
    for filename, module_name, func in _CHECKS:
        if not (cfg.directory / filename).exists():
            continue
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        getattr(module, func)(cfg)
        checked.append(filename)
    return checked
