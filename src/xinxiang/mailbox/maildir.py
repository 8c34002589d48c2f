"""Maildir mail source (the embedded default): same contract as IMAP — commit, then move.

Processed messages are renamed into the `.Processed` sub-folder (Maildir++ layout), malformed
ones into `.Quarantine`; a rename is atomic and nothing is ever deleted.
"""

from __future__ import annotations

import mailbox
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from xinxiang.config import SourceSection


@dataclass(frozen=True, slots=True)
class MaildirMessage:
    """One message file in the inbox."""

    name: str
    path: Path
    raw: bytes


# handle(batch) -> "processed" | "quarantined" per message, after committing the batch.
Handler = Callable[[list[MaildirMessage]], list[str]]


@dataclass(frozen=True, slots=True)
class MaildirPassResult:
    """Counts of one pass."""

    processed: int = 0
    quarantined: int = 0


def ensure_layout(path: Path) -> None:
    """Create tmp/, new/ and cur/ (stdlib `Maildir` skips them when the directory exists)."""
    for sub in ("tmp", "new", "cur"):
        (path / sub).mkdir(parents=True, exist_ok=True)


def open_maildir(path: Path, *folders: str) -> mailbox.Maildir:
    """Open (creating if needed) a Maildir and its sub-folders."""
    ensure_layout(path)
    md = mailbox.Maildir(path, create=True)
    existing = set(md.list_folders())
    for name in folders:
        if name not in existing:
            md.add_folder(name)
    return md


def _folder_cur(root: Path, folder: str) -> Path:
    return root / f".{folder}" / "cur"


def _age(path: Path) -> tuple[float, str]:
    try:
        return (path.stat().st_mtime, path.name)
    except FileNotFoundError:
        return (0.0, path.name)


def poll_once(
    src: SourceSection, root: Path, handle: Handler, *, batch_size: int = 50
) -> MaildirPassResult:
    """Hand every inbox message (new/ and cur/) to `handle`, oldest first, then move it."""
    open_maildir(root, src.processed_folder, src.quarantine_folder)
    processed = quarantined = 0
    files: list[Path] = []
    for sub in ("new", "cur"):
        d = root / sub
        if d.is_dir():
            files.extend(p for p in d.iterdir() if p.is_file() and not p.name.startswith("."))
    files.sort(key=_age)
    for start in range(0, len(files), batch_size):
        batch: list[MaildirMessage] = []
        for path in files[start : start + batch_size]:
            try:
                batch.append(MaildirMessage(path.name, path, path.read_bytes()))
            except FileNotFoundError:  # moved by a concurrent pass
                continue
        results = handle(batch)
        for msg, result in zip(batch, results, strict=True):
            folder = src.quarantine_folder if result == "quarantined" else src.processed_folder
            try:
                os.replace(msg.path, _folder_cur(root, folder) / _cur_name(msg.name))
            except FileNotFoundError:
                continue
            if result == "quarantined":
                quarantined += 1
            else:
                processed += 1
    return MaildirPassResult(processed, quarantined)


def _cur_name(name: str) -> str:
    # Messages in cur/ carry an info suffix; mark them seen.
    return name if ":2," in name else name + ":2,S"


def deliver(root: Path, raw: bytes) -> str:
    """Drop a message into the inbox's new/ (used by the demo and tests)."""
    ensure_layout(root)
    md = mailbox.Maildir(root, create=True)
    return md.add(mailbox.MaildirMessage(raw))
