"""Mail transports: SMTP (aiosmtplib, TLS verified by default) and a directory of `.eml` files."""

from __future__ import annotations

import asyncio
import os
import re
import ssl
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import aiosmtplib

from xinxiang.config import Config


class TransportError(Exception):
    """Sending failed; `permanent` when retrying cannot help (e.g. 5xx recipient refused)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Transport(Protocol):
    """Sends one already-rendered message."""

    def send(self, sender: str, recipients: Sequence[str], raw: bytes, message_id: str) -> None:
        """Deliver or raise `TransportError`."""


class DirectoryTransport:
    """Writes each message to `<dir>/<message-id>.eml` (the embedded default and the demo)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, sender: str, recipients: Sequence[str], raw: bytes, message_id: str) -> None:
        """Atomic write; resending the same Message-ID overwrites the same file."""
        self.directory.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9._@-]", "_", message_id.strip("<>")) + ".eml"
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        os.replace(tmp, self.directory / name)


class SmtpTransport:
    """SMTP submission with implicit TLS, STARTTLS, or (explicitly allowed) plaintext."""

    def __init__(
        self,
        host: str,
        port: int,
        security: str,
        username: str = "",
        password: str = "",
        ca_file: str = "",
        timeout: float = 30,
    ) -> None:
        self.host, self.port, self.security = host, port, security
        self.username, self.password = username, password
        self.timeout = timeout
        self.tls_context: ssl.SSLContext | None = None
        if security != "plain":
            self.tls_context = ssl.create_default_context(cafile=ca_file or None)

    async def _send(self, sender: str, recipients: Sequence[str], raw: bytes) -> None:
        kwargs: dict[str, object] = {}
        if self.username:
            kwargs["username"] = self.username
            kwargs["password"] = self.password
        await aiosmtplib.send(
            raw,
            sender=sender,
            recipients=list(recipients),
            hostname=self.host,
            port=self.port,
            use_tls=self.security == "tls",
            start_tls=self.security == "starttls",
            tls_context=self.tls_context,
            timeout=self.timeout,
            **kwargs,  # type: ignore[arg-type]
        )

    def send(self, sender: str, recipients: Sequence[str], raw: bytes, message_id: str) -> None:
        """Send synchronously (the worker threads are synchronous)."""
        try:
            asyncio.run(self._send(sender, recipients, raw))
        except aiosmtplib.SMTPRecipientsRefused as exc:
            permanent = all(500 <= r.code < 600 for r in exc.recipients)
            raise TransportError(f"recipients refused: {exc}", permanent=permanent) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise TransportError(
                f"SMTP {exc.code}: {exc.message}",
                permanent=500 <= exc.code < 600 and exc.code != 554,
            ) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc


def transport_for(cfg: Config) -> Transport:
    """The transport the configuration asks for (reads the SMTP password from the environment)."""
    smtp = cfg.settings.smtp
    if smtp.transport == "directory":
        return DirectoryTransport(Path(cfg.expand(smtp.directory)))
    password = cfg.secret("smtp.password_env", smtp.password_env) if smtp.username else ""
    return SmtpTransport(
        smtp.host,
        smtp.port,
        smtp.security,
        smtp.username,
        password,
        smtp.ca_file,
        smtp.timeout_seconds,
    )
