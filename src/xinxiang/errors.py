"""Exceptions shared across packages; only the CLI turns them into exit codes."""

from __future__ import annotations


class XinxiangError(Exception):
    """Base class for errors that deserve a one-line message rather than a traceback."""


class ConfigError(XinxiangError):
    """A configuration mistake, always naming the file, the key and the reason."""

    def __init__(self, file: str, key: str, reason: str) -> None:
        self.file = file
        self.key = key
        self.reason = reason
        super().__init__(f"{file}: {key}: {reason}" if key else f"{file}: {reason}")


class UnparseableMail(XinxiangError):
    """Raw bytes that cannot be turned into a `Letter` at all (goes to quarantine)."""
