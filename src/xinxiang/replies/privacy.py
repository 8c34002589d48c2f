"""The deployment's privacy settings in use: identity confidentiality and hiding the petitioner.

`redaction.toml` in the config directory is read once per change of the file. A letter whose
writer asks for identity confidentiality (身份保密, `xinxiang.mailbox.confidential`) goes to the
office's triage instead of automatic dispatch, and what a department is sent about it carries no
name, address or contact of the petitioner (`for_department`).
"""

from __future__ import annotations

import dataclasses
import os
import stat
from functools import lru_cache
from pathlib import Path

from xinxiang.config import Config
from xinxiang.domain.letter import Letter
from xinxiang.mailbox.confidential import DEFAULT_PHRASES, Confidential, identity_confidential
from xinxiang.replies.redact import name_variants
from xinxiang.replies.redact_names import display_name_terms
from xinxiang.replies.redactor import Redactor, RedactorFile, load_settings, redactor_from

HIDDEN_PETITIONER = "（来信人要求身份保密，由党政办公室转达）"


@lru_cache(maxsize=8)
def _settings(path: Path, mtime_ns: int) -> RedactorFile:
    return load_settings(path)


def _mtime(path: str) -> int:
    """The file's modification time in ns, 0 when it is missing or not a regular file."""
    try:
        st = os.stat(path)
    except OSError:
        return 0
    return st.st_mtime_ns if stat.S_ISREG(st.st_mode) else 0


def privacy_settings(cfg: Config) -> RedactorFile:
    """The deployment's `redaction.toml` (defaults without it), re-read when it changes."""
    path = cfg.directory / "redaction.toml"
    return _settings(path, _mtime(str(path)))


@lru_cache(maxsize=8)
def _phrases(path: Path, mtime_ns: int) -> tuple[str, ...]:
    return (*DEFAULT_PHRASES, *_settings(path, mtime_ns).confidential.phrases)


@lru_cache(maxsize=8)
def _redactor(path: Path, mtime_ns: int, allow: tuple[str, ...]) -> Redactor:
    return redactor_from(_settings(path, mtime_ns)).with_allowed(allow)


def deployment_redactor(cfg: Config) -> Redactor:
    """The redactor `redaction.toml` describes, never hiding the deployment's public terms:
    the departments' registered addresses, the school's office phone and the mailbox."""
    path = cfg.directory / "redaction.toml"
    mtime = path.stat().st_mtime_ns if path.is_file() else 0
    return _redactor(path, mtime, public_allowlist(cfg))


def public_allowlist(cfg: Config) -> tuple[str, ...]:
    """What is public anyway and never redacted: the departments' registered addresses, the
    school's office phone and the mailbox's own address (added to `redaction.toml`'s `allow`)."""
    terms = [e for d in cfg.departments for e in d.emails]
    terms += [cfg.settings.school.office_phone, cfg.settings.smtp.from_address]
    return tuple(t for t in terms if t)


def confidential_of(cfg: Config, subject: str, body: str) -> Confidential:
    """Whether a letter asks for identity confidentiality, by the deployment's phrase table."""
    path = _redaction_path(cfg.directory)
    return _confidential(subject, body, _phrases(path, _mtime(str(path))))


@lru_cache(maxsize=8)
def _redaction_path(directory: Path) -> Path:
    # one Path object per directory: its hash, which the caches above compute, is kept
    return directory / "redaction.toml"


@lru_cache(maxsize=64)
def _confidential(subject: str, body: str, phrases: tuple[str, ...]) -> Confidential:
    # Routing asks twice of each letter (the ticket, then its dispatch mail): read it once.
    return identity_confidential(subject, body, phrases)


def for_department(cfg: Config, letter: Letter, petitioner_name: str = "") -> Letter:
    """The letter as a department may read it when its writer asked for confidentiality:
    no sender name or address, and the text with names, contacts and numbers hidden."""
    known = (
        *name_variants(petitioner_name),
        *display_name_terms(letter.from_name, letter.body),
        letter.from_addr,
    )
    subject, body = deployment_redactor(cfg).redact_all([letter.subject, letter.body], known)
    return dataclasses.replace(
        letter,
        from_name="",
        from_addr=HIDDEN_PETITIONER,
        subject=subject,
        body=body,
        html=None,
        attachments=(),
        headers=(),
    )
