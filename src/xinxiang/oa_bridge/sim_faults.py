"""Fault injection for the reference OA 信访 simulator: what goes wrong, and how often.

`Faults` holds the settings, given at start-up (`xinxiang oa simulate --faults`) or changed at
runtime through `POST /admin/faults`; `parse_faults` reads the command line's `name=value,…` form.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class Faults:
    """Fault injection settings; rates are probabilities per request."""

    error_rate: float = 0.0
    error_after_commit_rate: float = 0.0
    drop_rate: float = 0.0
    hang_rate: float = 0.0
    hang_seconds: float = 5.0
    slow_page_seconds: float = 0.0
    duplicate_rate: float = 0.0
    expire_every: int = 0
    token_ttl: int = 3600
    seed: int | None = None


def parse_faults(spec: str, base: Faults | None = None) -> Faults:
    """Parse `name=value,name=value` (e.g. `error_rate=0.1,expire_every=50`) into `Faults`."""
    base = base or Faults()
    types = {f.name: f.type for f in fields(Faults)}
    changes: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in types:
            raise ValueError(f"unknown fault {name!r}; known: {', '.join(types)}")
        kind = str(types[name])
        if "int" in kind:
            changes[name] = int(value)
        else:
            changes[name] = float(value)
    return replace(base, **changes)
