"""The office's work sections of `xinxiang.toml`: 回访 (revisit), 月度考评 (assessment),
周报/月报 (reports), hot topics (未诉先办) and the web console (网上工作台) with CAS login
(统一身份认证)."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from xinxiang.config.base import Strict, _email


class RevisitSection(Strict):
    """回访 (seeds 001/002: within `[policy] revisit_hours` of the formal answer, 48 by default).

    The mail goes `delay_minutes` after the answer (so the answer is read first); the rating
    window is `window_days`, then one reminder and `grace_days` more before 未评价. After
    `rounds` rounds a dissatisfied rating goes to the supervising leader (督办).
    """

    enabled: bool = True
    delay_minutes: int = Field(default=60, ge=0)
    window_days: int = Field(default=7, ge=1, le=60)
    grace_days: int = Field(default=3, ge=1, le=60)
    rounds: int = Field(default=2, ge=1, le=5)


class AssessmentSection(Strict):
    """月度考评 (seed 001 五4–5): weights of the 三率, the 满意率 tiers, freezing, 约谈."""

    response_weight: float = Field(default=0.10, ge=0, le=1)
    completion_weight: float = Field(default=0.50, ge=0, le=1)
    satisfaction_weight: float = Field(default=0.40, ge=0, le=1)
    # Points per rating level: 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意.
    tiers: dict[str, float] = Field(
        default_factory=lambda: {"5": 100.0, "4": 100.0, "3": 80.0, "2": 0.0, "1": 0.0}
    )
    freeze_days: int = Field(default=7, ge=0, le=60)
    interview_months: int = Field(default=3, ge=1, le=12)
    interview_bottom: int = Field(default=1, ge=1)

    @field_validator("tiers")
    @classmethod
    def _tiers(cls, value: dict[str, float]) -> dict[str, float]:
        if set(value) != {"1", "2", "3", "4", "5"}:
            raise ValueError('tiers needs exactly the levels "1" … "5"')
        if any(not 0 <= v <= 100 for v in value.values()):
            raise ValueError("tier points must be within 0–100")
        return value


class ReportsSection(Strict):
    """周报/月报 mailed to the office and the leaders; 每日零报告 for sensitive periods."""

    weekly: bool = True
    monthly: bool = True
    daily_zero_report: bool = False
    leaders: list[str] = Field(default_factory=list)  # extra recipients (school leaders)

    @field_validator("leaders")
    @classmethod
    def _leaders(cls, value: list[str]) -> list[str]:
        return [_email(v) for v in value]


class TopicsSection(Strict):
    """Hot topics (未诉先办): the window, the clustering cut and when the office is alerted."""

    window_days: int = Field(default=7, ge=1, le=90)
    distance: float = Field(default=0.85, gt=0, lt=1)
    # A cluster alerts at each size it reaches (5, then 10, then 20 letters), once per size,
    # when at least `alert_senders` different people wrote.
    alert_sizes: list[Annotated[int, Field(ge=2)]] = Field(
        default_factory=lambda: [5, 10, 20], min_length=1
    )
    alert_senders: int = Field(default=3, ge=1)
    rising_min_letters: int = Field(default=3, ge=1)
    rising_ratio: float = Field(default=1.5, ge=1)
    rising_alpha: float = Field(default=0.05, gt=0, lt=1)
    recurrence_days: int = Field(default=90, ge=7)
    recurrence_times: int = Field(default=3, ge=2)
    recurrence_gap_days: int = Field(default=3, ge=1)
    # Letters clustered at once (an n × n float32 matrix: 4,000 take 64 MB); a larger window
    # is clustered in blocks of this size (classify/clustering.py).
    block_letters: int = Field(default=4000, ge=100, le=20000)
    # A bound on the letters one pass loads (their texts in memory), not on the clustering.
    max_letters: int = Field(default=200_000, ge=100)


def _cas_url(value: str) -> str:
    """An absolute https URL, or plain http only to a loopback host (a CAS on the same machine)."""
    parts = urlsplit(value)
    if not parts.hostname or parts.query or parts.fragment:
        raise ValueError(f"not an absolute URL without query: {value!r}")
    if parts.scheme == "https":
        return value
    if parts.scheme == "http":
        host = parts.hostname
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if loopback:
            return value
    raise ValueError(f"needs https (plain http only on loopback): {value!r}")


class CasAccount(Strict):
    """The account a CAS user (or attribute value) becomes: role, department, leader mail."""

    role: Literal["office", "department", "leader", "auditor"]
    department: str | None = None
    email: str | None = None


class CasSection(Strict):
    """统一身份认证 (CAS 2.0/3.0 single sign-on) for the web console.

    `service_url` is this console's `/login/cas` as the CAS server knows it: the `service` sent
    to CAS is always this value, never built from a request's Host header. A user is found in
    `users` by CAS name first; else (CAS 3.0) the value of `attribute` is looked up in
    `attribute_map`. Anyone else is refused.
    """

    server_url: str
    service_url: str
    version: Literal[2, 3] = 3
    users: dict[str, CasAccount] = Field(default_factory=dict)
    attribute: str = ""
    attribute_map: dict[str, CasAccount] = Field(default_factory=dict)
    timeout_seconds: float = Field(default=10, gt=0, le=60)
    # Back-channel single logout: the addresses or networks the CAS server's `logoutRequest`
    # POSTs may come from (as the console sees the client); empty: from anywhere (the ticket
    # it names is the proof, as in the common CAS clients).
    logout_from: list[str] = Field(default_factory=list)

    @field_validator("server_url", "service_url")
    @classmethod
    def _urls(cls, value: str) -> str:
        return _cas_url(value)

    @field_validator("logout_from")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                ipaddress.ip_network(item.strip(), strict=False)
            except ValueError:
                raise ValueError(f"not an IP address or network: {item!r}") from None
        return [item.strip() for item in value]

    def logout_allowed_from(self, address: str) -> bool:
        """Whether a back-channel logout POST from client `address` is accepted."""
        if not self.logout_from:
            return True
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in ipaddress.ip_network(n, strict=False) for n in self.logout_from)

    @field_validator("users")
    @classmethod
    def _users(cls, value: dict[str, CasAccount]) -> dict[str, CasAccount]:
        return {k.strip().lower(): v for k, v in value.items()}


class WebSection(Strict):
    """The web console (网上工作台): its limits (evidence uploads, the petitioner's letter form);
    `cas` enables 统一身份认证 login beside local accounts."""

    cas: CasSection | None = None

    # 一支撑 evidence a department uploads: per file, and the types allowed (by extension).
    evidence_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    evidence_types: list[str] = Field(
        default_factory=lambda: [
            "pdf",
            "png",
            "jpg",
            "jpeg",
            "gif",
            "webp",
            "mp3",
            "m4a",
            "wav",
            "amr",
            "mp4",
            "doc",
            "docx",
            "xls",
            "xlsx",
            "txt",
        ]
    )
    # The petitioner's letter form (网上来信): text, attachments, and the abuse limits.
    letter_max_chars: int = Field(default=5000, ge=100)
    letter_attachment_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    letter_max_attachments: int = Field(default=3, ge=0, le=10)
    letter_attachment_types: list[str] = Field(
        default_factory=lambda: ["pdf", "png", "jpg", "jpeg", "gif", "webp", "txt", "docx"]
    )
    letters_per_ip_per_hour: int = Field(default=5, ge=1)
    letters_per_address_per_day: int = Field(default=3, ge=1)
    # The contact address is confirmed by a mailed link valid this long (确认邮箱).
    confirm_hours: int = Field(default=72, ge=1, le=24 * 14)

    @field_validator("evidence_types", "letter_attachment_types")
    @classmethod
    def _types(cls, value: list[str]) -> list[str]:
        # File name endings as written in the config (".PDF" or "pdf"): compared lower-case.
        return [v.strip().lstrip(".").lower() for v in value if v.strip().lstrip(".")]
