"""Mail transports: SMTP (aiosmtplib, TLS verified by default) and a directory of `.eml` files.

A sending worker opens one `connection()` and sends many mails over it: the SMTP session is
reused (one TCP/TLS handshake and login per worker, not per mail). A reused session the server
dropped is reopened and the mail retried once, but only when the failure came before DATA (the
server cannot have taken the mail); after DATA the error goes back to the outbox, whose row
state decides what is sent again.
"""

from __future__ import annotations

import asyncio
import os
import re
import ssl
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from pathlib import Path
from typing import Protocol

import aiosmtplib

from xinxiang.config import Config

IDLE_CHECK_SECONDS = 10.0
"""A session idle for longer is checked with NOOP before it is reused."""


class TransportError(Exception):
    """Sending failed; `permanent` when retrying cannot help (e.g. 5xx recipient refused)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Sender(Protocol):
    """Sends one already-rendered message."""

    def send(self, sender: str, recipients: Sequence[str], raw: bytes, message_id: str) -> None:
        """Deliver or raise `TransportError`."""


class Transport(Sender, Protocol):
    """A sender that can also hand out a connection reused across many mails."""

    def connection(self) -> AbstractContextManager[Sender]:
        """A sender for one thread, its session closed when the block ends."""


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

    @contextmanager
    def connection(self) -> Iterator[Sender]:
        """Nothing to keep open: the transport itself."""
        yield self


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

    def send(self, sender: str, recipients: Sequence[str], raw: bytes, message_id: str) -> None:
        """Send one mail over a session of its own (opened and closed here)."""
        with self.connection() as conn:
            conn.send(sender, recipients, raw, message_id)

    @contextmanager
    def connection(self) -> Iterator[Sender]:
        """A session reused for every mail sent in the block (use it from one thread)."""
        conn = SmtpConnection(self)
        try:
            yield conn
        finally:
            conn.close()


class SmtpConnection:
    """One SMTP session on its own event loop, opened on first use and reopened when lost."""

    def __init__(self, transport: SmtpTransport) -> None:
        self.t = transport
        self.loop = asyncio.new_event_loop()
        self.client: aiosmtplib.SMTP | None = None
        self.last_used = 0.0
        self.sent = 0
        """Mails accepted over this object (all sessions)."""
        self.in_data = False

    async def _open(self) -> aiosmtplib.SMTP:
        t = self.t
        client = aiosmtplib.SMTP(
            hostname=t.host,
            port=t.port,
            use_tls=t.security == "tls",
            start_tls=t.security == "starttls",
            tls_context=t.tls_context,
            timeout=t.timeout,
        )
        await client.connect()
        if t.username:
            await client.login(t.username, t.password)
        self.client = client
        return client

    def _drop(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            client.close()

    async def _session(self) -> tuple[aiosmtplib.SMTP, bool]:
        """The open session (checked with NOOP after a pause) and whether it was reused."""
        client = self.client
        if client is not None and client.is_connected:
            if time.monotonic() - self.last_used < IDLE_CHECK_SECONDS:
                return client, True
            try:
                await client.noop()
                return client, True
            except (aiosmtplib.SMTPException, OSError):
                pass
        self._drop()
        return await self._open(), False

    async def _transaction(
        self, client: aiosmtplib.SMTP, sender: str, recipients: Sequence[str], raw: bytes
    ) -> None:
        """MAIL, RCPT…, DATA; `in_data` tells afterwards whether DATA was begun."""
        if client.is_ehlo_or_helo_needed:
            await client.ehlo()
        options = [f"size={len(raw)}"] if client.supports_extension("size") else []
        await client.mail(sender, options=options)
        refused: list[aiosmtplib.SMTPRecipientRefused] = []
        for rcpt in recipients:
            try:
                await client.rcpt(rcpt)
            except aiosmtplib.SMTPRecipientRefused as exc:
                refused.append(exc)
        if len(refused) == len(recipients):
            raise aiosmtplib.SMTPRecipientsRefused(refused)
        self.in_data = True
        await client.data(raw)

    async def _send(self, sender: str, recipients: Sequence[str], raw: bytes) -> None:
        for attempt in (1, 2):
            client, reused = await self._session()
            self.in_data = False
            try:
                await self._transaction(client, sender, recipients, raw)
            except (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPResponseException) as exc:
                if not isinstance(exc, aiosmtplib.SMTPResponseException) or exc.code != 421:
                    try:  # reset the envelope so that the session can carry the next mail
                        await client.rset()
                    except (aiosmtplib.SMTPException, OSError):
                        self._drop()
                    raise
                self._drop()  # 421: the server is closing this session
                if not (reused and attempt == 1 and not self.in_data):
                    raise
            except (aiosmtplib.SMTPException, OSError):
                self._drop()
                # A reused session found dead before DATA: the server has nothing; try anew.
                if not (reused and attempt == 1 and not self.in_data):
                    raise
            else:
                self.last_used = time.monotonic()
                self.sent += 1
                return

    def send(self, sender: str, recipients: Sequence[str], raw: bytes, message_id: str) -> None:
        """Send synchronously (the sending workers are threads)."""
        try:
            self.loop.run_until_complete(self._send(sender, recipients, raw))
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

    def close(self) -> None:
        """QUIT (politely, errors ignored) and close the event loop."""
        client = self.client
        if client is not None and client.is_connected:
            with suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
                self.loop.run_until_complete(client.quit(timeout=5))
        self._drop()
        self.loop.close()


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
