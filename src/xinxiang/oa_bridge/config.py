"""`config/oa.toml`: where the OA is, how its JSON is named, and how states and categories map.

Loaded once through `load_oa_for(cfg)`; every mistake is a `ConfigError(file, key, reason)`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from xinxiang.config import Config, Strict, check_plaintext, load_model
from xinxiang.domain.categories import CATEGORIES as CATEGORIES
from xinxiang.domain.categories import Category
from xinxiang.errors import ConfigError


class OaSection(Strict):
    """Connection and behaviour of the bridge."""

    adapter: str = Field(default="generic-rest", pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    base_url: str
    insecure_remote_plaintext: bool = False
    app_id: str = Field(min_length=1)
    secret_env: str = Field(default="XINXIANG_OA_SECRET", min_length=1)
    channel: str = "OA信访模块"
    page_size: int = Field(default=500, ge=1, le=5000)
    paging: Literal["keyset", "requery"] = "keyset"
    overlap_seconds: int = Field(default=0, ge=0, le=86400)
    timeout_seconds: float = Field(default=10.0, gt=0, le=600)
    max_attempts: int = Field(default=8, ge=1, le=50)
    backoff_base_seconds: float = Field(default=0.5, ge=0)
    backoff_cap_seconds: float = Field(default=60.0, ge=0)
    push_backoff_base_seconds: float = Field(default=30.0, ge=0)
    push_backoff_cap_seconds: float = Field(default=3600.0, ge=0)
    push_batch: int = Field(default=500, ge=1)

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"must be an http:// or https:// URL, got {value!r}")
        if parts.query or parts.fragment:
            raise ValueError("must not contain a query or fragment")
        return value.rstrip("/")


class FieldNames(Strict):
    """The OA's JSON field name for each of our petition fields (defaults: the contract)."""

    petition_id: str = "petition_id"
    title: str = "title"
    description: str = "description"
    submitted_at: str = "submitted_at"
    updated_at: str = "updated_at"
    submitter: str = "submitter"
    submitter_name: str = "name"
    submitter_phone: str = "phone"
    submitter_email: str = "email"
    anonymous: str = "anonymous"
    public_consent: str = "public_consent"
    service_code: str = "service_code"
    attachments: str = "attachments"
    attachment_name: str = "name"
    attachment_content_type: str = "content_type"
    attachment_sha256: str = "sha256"
    attachment_url: str = "url"
    status: str = "status"


DEFAULT_STATUS_MAP: dict[str, str] = {
    "accepted": "accepted",
    "dispatched": "dispatched",
    "in_progress": "in_progress",
    "preliminary_reply": "replied_preliminary",
    "formal_reply": "replied",
    "extended": "extended",
    "returned": "returned",
    "closed": "closed",
    "rejected": "rejected",
    "revisit": "revisit",
    "rated": "rated",
    "rework": "rework",
    "supervised": "supervised",
    "settled": "settled",
}


#: Our ticket events → the states of `[status]`; an event kind not listed is not pushed to the OA.
#: `answered` is split by the answer's intent (`answered_preliminary`, `answered_formal`).
DEFAULT_EVENT_MAP: dict[str, str] = {
    "received": "accepted",
    "triage": "in_progress",
    "dispatched": "dispatched",
    "transferred": "dispatched",
    "accepted": "in_progress",
    "returned": "returned",
    "answered_preliminary": "preliminary_reply",
    "answered_formal": "formal_reply",
    "extension_granted": "extended",
    "closed_by_template": "closed",
    "duplicate_linked": "closed",
    "praise_forwarded": "closed",
    "closed": "closed",
    "revisit_sent": "revisit",
    "revisit_rated": "rated",
    "rework_requested": "rework",
    "rework_dispatched": "dispatched",
    "supervised": "supervised",
    "settled": "settled",
}


class OaSettings(Strict):
    """The whole of `oa.toml`."""

    oa: OaSection
    fields: FieldNames = FieldNames()
    status: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_STATUS_MAP))
    events: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_EVENT_MAP))
    service_codes: dict[str, Category] = Field(default_factory=dict)
    default_category: Category = "其他"

    @model_validator(mode="after")
    def _status_codes(self) -> OaSettings:
        for state, code in self.status.items():
            if not code:
                raise ValueError(f"status.{state}: empty OA status code")
        for kind, state in self.events.items():
            if state not in self.status:
                raise ValueError(f"events.{kind}: state {state!r} is not a key of [status]")
        return self

    def category_for(self, service_code: str) -> str:
        """Our category for an OA service code (the default when unmapped)."""
        return self.service_codes.get(service_code, self.default_category)

    def state_for_event(self, kind: str) -> str | None:
        """Our state reported to the OA for a ticket event kind; None when not pushed."""
        return self.events.get(kind)

    def status_code_for(self, state: str) -> str:
        """The OA status code for one of our states; `KeyError` when the state is unmapped."""
        return self.status[state]


def oa_file(cfg: Config) -> Path:
    """Path of the deployment's `oa.toml`."""
    return cfg.directory / "oa.toml"


def load_oa_for(cfg: Config) -> OaSettings:
    """Load and validate `oa.toml` next to `xinxiang.toml`; an http:// OA must be on loopback
    (the app secret and the bearer token travel in every request) unless overridden."""
    path = oa_file(cfg)
    settings = load_model(path, OaSettings)
    parts = urlsplit(settings.oa.base_url)
    if parts.scheme == "http":
        check_plaintext(
            str(path),
            "oa.base_url",
            "HTTP",
            parts.hostname or "",
            insecure_remote=settings.oa.insecure_remote_plaintext,
        )
    return settings


def oa_secret(cfg: Config, settings: OaSettings) -> str:
    """The OA app secret from the environment variable named by `oa.secret_env`."""
    value = os.environ.get(settings.oa.secret_env, "")
    if not value:
        raise ConfigError(
            str(oa_file(cfg)),
            "oa.secret_env",
            f"environment variable {settings.oa.secret_env} is not set",
        )
    return value
