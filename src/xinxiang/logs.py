"""Logging (日志): plain lines on stderr, one `key=value` line per business event.

Business events (letter recorded, ticket routed, answer recorded, approved, mail sent or failed,
reconnected) go to the `xinxiang.events` logger as `event=NAME key=value ...`, carrying ticket
numbers, row ids and codes only: never a name, an address or a subject, so a log can be shipped
to a log server without becoming a register of petitioners. Third-party libraries (WeasyPrint's
progress steps, fontTools, httpx, Huey's per-task lines) are kept at WARNING.
"""

from __future__ import annotations

import logging
import re

EVENTS = logging.getLogger("xinxiang.events")

#: Libraries whose INFO/DEBUG chatter would drown the events (WeasyPrint alone wrote four lines
#: of five in a worker's log).
QUIET_LOGGERS = ("weasyprint", "fontTools", "httpx", "httpcore", "huey", "PIL", "asyncio")

_BARE = re.compile(r"^[A-Za-z0-9_.:/+\-]+$")


def setup_logging(verbose: bool = False) -> None:
    """Configure the root logger for a command or the worker: plain lines on stderr."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def _value(value: object) -> str:
    text = str(value)
    return text if _BARE.match(text) else '"' + text.replace('"', "'") + '"'


def event_line(name: str, **fields: object) -> str:
    """`event=NAME key=value ...` (None values left out; values with spaces quoted)."""
    parts = [f"event={name}"]
    parts += [f"{key}={_value(value)}" for key, value in fields.items() if value is not None]
    return " ".join(parts)


def log_event(name: str, *, level: int = logging.INFO, **fields: str | int | bool | None) -> None:
    """Log one business event. Pass ids, ticket numbers and codes only — no personal data."""
    EVENTS.log(level, "%s", event_line(name, **fields))
