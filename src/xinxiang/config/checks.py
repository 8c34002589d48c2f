"""Checks across keys and files after validation: plaintext connections (loopback only unless
knowingly overridden), sources, duplicate departments, the one office, notification channels
and the health endpoint."""

from __future__ import annotations

import ipaddress
import logging
from pathlib import Path

from xinxiang.config.departments import DepartmentsFile
from xinxiang.config.paths import SYSTEM_DATA_DIR, is_system_config, resolve_data_dir
from xinxiang.config.settings import Settings
from xinxiang.errors import ConfigError

# The package's logger, as before the split (logging set-ups and tests name it).
log = logging.getLogger("xinxiang.config")


def is_loopback_host(host: str) -> bool:
    """True for a host name that can only mean this machine: `localhost`, 127.0.0.0/8, ::1.

    Decided on the text alone, never by resolving it (validation contacts nothing); 0.0.0.0,
    private addresses and every other name count as remote.
    """
    name = host.strip().lower().removeprefix("[").removesuffix("]").rstrip(".")
    if name == "localhost":
        return True
    try:
        addr = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped.is_loopback
    return addr.is_loopback


def check_plaintext(
    file: str,
    key: str,
    what: str,
    host: str,
    *,
    allow_plaintext: bool = True,
    insecure_remote: bool = False,
) -> None:
    """Refuse a plaintext connection (IMAP, SMTP, http://) to `host` unless it is allowed.

    Plaintext carries passwords and bearer tokens in clear, so it is for loopback test servers
    and local relays only; a remote host needs the explicit `insecure_remote_plaintext`
    override, which is logged as a warning every time the configuration is loaded (each start
    of the worker and of every command). Raises `ConfigError(file, key, reason)`.
    """
    if not allow_plaintext:
        raise ConfigError(file, key, f"plain {what} needs allow_plaintext = true (loopback only)")
    if is_loopback_host(host):
        return
    if not insecure_remote:
        raise ConfigError(
            file,
            key,
            f"plain {what} to {host!r}, which is not loopback, would send credentials in "
            "clear; use TLS (or, knowingly, set insecure_remote_plaintext = true)",
        )
    log.warning(
        "INSECURE: %s: %s: plaintext %s to remote host %s; passwords and tokens cross the "
        "network unencrypted (insecure_remote_plaintext = true)",
        file,
        key,
        what,
        host,
    )


def check_semantics(directory: Path, settings: Settings, deps: DepartmentsFile) -> None:
    main = str(directory / "xinxiang.toml")
    data_dir = resolve_data_dir(directory, settings.storage.data_dir)
    if settings.storage.data_dir and is_system_config(data_dir):
        raise ConfigError(
            main,
            "storage.data_dir",
            f"resolves to {data_dir}, inside /etc; give an absolute path such as "
            f"{SYSTEM_DATA_DIR}, or leave it unset (then {SYSTEM_DATA_DIR})",
        )
    seen: set[str] = set()
    for i, src in enumerate(settings.sources):
        key = f"source[{i}]"
        if src.name in seen:
            raise ConfigError(main, f"{key}.name", f"duplicate source name {src.name!r}")
        seen.add(src.name)
        if src.kind == "imap":
            if not src.host:
                raise ConfigError(main, f"{key}.host", "required for an IMAP source")
            if not src.username:
                raise ConfigError(main, f"{key}.username", "required for an IMAP source")
            if src.security == "plain":
                check_plaintext(
                    main,
                    f"{key}.security",
                    "IMAP",
                    src.host,
                    allow_plaintext=src.allow_plaintext,
                    insecure_remote=src.insecure_remote_plaintext,
                )
        elif not src.path:
            raise ConfigError(main, f"{key}.path", "required for a Maildir source")
    smtp = settings.smtp
    if smtp.transport == "smtp" and smtp.security == "plain":
        check_plaintext(
            main,
            "smtp.security",
            "SMTP",
            smtp.host,
            allow_plaintext=smtp.allow_plaintext,
            insecure_remote=smtp.insecure_remote_plaintext,
        )
    dfile = str(directory / "departments.toml")
    codes: set[str] = set()
    names: set[str] = set()
    for i, dep in enumerate(deps.departments):
        if dep.code in codes:
            raise ConfigError(dfile, f"department[{i}].code", f"duplicate code {dep.code!r}")
        if dep.name in names:
            raise ConfigError(dfile, f"department[{i}].name", f"duplicate name {dep.name!r}")
        codes.add(dep.code)
        names.add(dep.name)
    _check_notify(main, settings)
    offices = [d for d in deps.departments if d.office]
    if len(offices) != 1:
        raise ConfigError(dfile, "department.office", "exactly one department must be the office")


def _check_notify(main: str, settings: Settings) -> None:
    """Each enabled channel has its section; the health endpoint listens on loopback only."""
    notify = settings.notify
    for channel in notify.channels:
        if getattr(notify, channel) is None:
            raise ConfigError(main, f"notify.{channel}", f"channel {channel!r} is on but not set")
    listen = settings.health.listen
    if listen:
        host, _, port = listen.rpartition(":")
        if not port.isdigit() or not is_loopback_host(host):
            raise ConfigError(
                main, "health.listen", f"must be a loopback host:port, not {listen!r}"
            )
