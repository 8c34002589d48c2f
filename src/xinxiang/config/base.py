"""What every config model shares: the strict base class and the e-mail address check."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$")


class Strict(BaseModel):
    """Base for config sections: unknown keys are errors, values are not coerced loosely."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _email(value: str) -> str:
    if not EMAIL_RE.match(value):
        raise ValueError(f"not a valid e-mail address: {value!r}")
    return value.lower()


Email = Annotated[str, Field(min_length=3)]
