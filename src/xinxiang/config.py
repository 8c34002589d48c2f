"""Deployment configuration: TOML files validated once at start, secrets from the environment.

Every mistake becomes a `ConfigError` naming the file, the dotted key and the reason, so an
office administrator can fix it without reading a traceback.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from xinxiang.errors import ConfigError
from xinxiang.token_keys import TokenKeys, token_key_problem

log = logging.getLogger(__name__)

EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$")

M = TypeVar("M", bound=BaseModel)


class Strict(BaseModel):
    """Base for config sections: unknown keys are errors, values are not coerced loosely."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _email(value: str) -> str:
    if not EMAIL_RE.match(value):
        raise ValueError(f"not a valid e-mail address: {value!r}")
    return value.lower()


Email = Annotated[str, Field(min_length=3)]


class SchoolSection(Strict):
    name: str = "示例大学"
    office_name: str = "党政办公室"
    office_phone: str = ""
    office_hours: str = "工作日 8:00-17:30"
    timezone: str = "Asia/Shanghai"
    public_url: str = ""
    # 24-hour numbers (24小时值班/报警电话), named in emergency alerts and receipts.
    emergency_phone: str = ""
    security_phone: str = ""

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class StorageSection(Strict):
    data_dir: str = ""  # empty: `resolve_data_dir` picks ./var or /var/lib/xinxiang
    database_url: str = "sqlite:///{data_dir}/xinxiang.db"
    max_attachment_bytes: int = Field(default=20 * 1024 * 1024, gt=0)
    # Larger mail is fetched by part (headers and text); also the cap on a letter's attachments.
    max_message_bytes: int = Field(default=25 * 1024 * 1024, gt=0)

    @field_validator("database_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgresql://", "postgresql+psycopg://")):
            raise ValueError("must start with sqlite:// or postgresql://")
        return value


class QueueSection(Strict):
    url: str = "sqlite:///{data_dir}/queue.db"
    # Consumer threads. Polling, routing and sending each hold one while a pass runs; with
    # fewer than four, a long routing or sending pass leaves an IDLE notice (or a dead host's
    # mailbox) waiting for a free thread.
    workers: int = Field(default=4, ge=1, le=32)
    poll_interval_seconds: float = Field(default=60, ge=1)
    outbox_interval_seconds: float = Field(default=30, ge=1)
    source_lease_seconds: float = Field(default=60, ge=1)
    # Ingest's parse worker processes also read each new letter with the second reader's
    # danger and department models (handed over by this process once it has fitted them), and
    # routing takes those readings instead of making them (issue #17). Off by default: it moves
    # CPU from routing to the parse workers rather than saving it (end to end the same on two
    # cores, bench/RESULTS.md) and each worker holds the models (~250 MB); worth turning on
    # where ingest has cores to spare.
    read_ahead: bool = False
    # The worker routes in a process of its own, nudged by ingest after each committed batch
    # (`services.route_worker`), so that a large poll is routed on the second core while it is
    # still being ingested (issue #17). It holds the reader's models too (~250 MB) and does
    # not see readings made ahead (they stay in the polling process): false routes in the
    # polling process after each poll, as before. Off by default: measured on 2 cores it gains
    # 7 % (SQLite) to 15 % (PostgreSQL) end to end for ~320 MB more (bench/RESULTS.md, #17);
    # worth turning on where a backlog must not hold up the next poll and memory is plenty.
    routing_process: bool = False

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "redis://", "rediss://")):
            raise ValueError("must start with sqlite:// or redis://")
        return value


Security = Literal["tls", "starttls", "plain"]


class SourceSection(Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    channel: str = "书记校长信箱"
    kind: Literal["imap", "maildir"] = "imap"
    # IMAP
    host: str = ""
    port: int = Field(default=993, gt=0, lt=65536)
    security: Security = "tls"
    allow_plaintext: bool = False
    insecure_remote_plaintext: bool = False
    username: str = ""
    password_env: str = ""
    ca_file: str = ""
    folder: str = "INBOX"
    processed_folder: str = "Processed"
    quarantine_folder: str = "Quarantine"
    idle: bool = True
    batch_size: int = Field(default=200, ge=1, le=1000)
    # Maildir
    path: str = ""


class SmtpSection(Strict):
    transport: Literal["smtp", "directory"] = "smtp"
    host: str = "localhost"
    port: int = Field(default=465, gt=0, lt=65536)
    security: Security = "tls"
    allow_plaintext: bool = False
    insecure_remote_plaintext: bool = False
    username: str = ""
    password_env: str = ""
    ca_file: str = ""
    directory: str = "{data_dir}/outgoing"
    from_address: Email = "xinxiang@example.edu.cn"
    from_name: str = "书记校长信箱"
    timeout_seconds: float = Field(default=30, gt=0)
    max_attempts: int = Field(default=20, ge=1)
    retry_base_seconds: float = Field(default=60, gt=0)
    retry_max_seconds: float = Field(default=3600, gt=0)
    send_lease_seconds: float = Field(default=300, ge=1)
    send_workers: int = Field(default=4, ge=1, le=32)

    @field_validator("from_address")
    @classmethod
    def _from(cls, value: str) -> str:
        return _email(value)


class SecuritySection(Strict):
    token_key_env: str = "XINXIANG_TOKEN_KEY"
    previous_keys_env: str = "XINXIANG_PREVIOUS_TOKEN_KEYS"


class AckSection(Strict):
    max_per_sender_per_hour: int = Field(default=3, ge=1)
    quote_chars: int = Field(default=120, ge=20)


class DispatchSection(Strict):
    auto: bool = True
    require_office_confirmation: bool = False
    duplicate_window_days: int = Field(default=7, ge=0)
    duplicate_threshold: float = Field(default=0.5, gt=0, le=1)
    attach_files_up_to_bytes: int = Field(default=10 * 1024 * 1024, ge=0)
    # Past this many letters from one sender in an hour, further ones go to the office's triage
    # (no dispatch mail each); emergencies are alerted and dispatched all the same.
    flood_letters_per_hour: int = Field(default=10, ge=2)


class OutgoingSection(Strict):
    """Per-address caps of the automatic mail we send (发信限额).

    An address outside the school (not registered, not in `school_domains`) gets at most
    `outside_per_hour` automatic mails an hour; more are held in the outbox and the office is
    told. Staff addresses are never capped: past `staff_per_hour` mails an hour, further ones
    are coalesced into one digest mail per address at the end of the hour.
    """

    school_domains: list[str] = Field(default_factory=list)
    outside_per_hour: int = Field(default=20, ge=1)
    staff_per_hour: int = Field(default=200, ge=1)

    @field_validator("school_domains")
    @classmethod
    def _domains(cls, value: list[str]) -> list[str]:
        return [d.strip().lower().lstrip("@") for d in value if d.strip()]


class RepliesSection(Strict):
    """How answers by mail are handled (答复).

    ``token_in`` says where our mails carry the reply token: ``plus`` in the plus-address of
    Reply-To (``xinxiang+<token>@…``), ``subject`` as a ``[XX-<token>]`` tag in the Subject with
    the bare address as Reply-To (for receiving servers without plus-addressing, some Exchange
    and Coremail set-ups), or ``both``. Replies are read both ways whatever the setting.
    """

    approve_all_answers: bool = False
    token_in: Literal["plus", "subject", "both"] = "plus"


class AuthenticationSection(Strict):
    """Which receiving servers' Authentication-Results are believed (发件认证).

    ``trusted_authserv_ids`` are the authserv-ids our own receiving server writes; with none,
    no mail can prove its sender and every staff action by mail goes to the holding pen.
    """

    trusted_authserv_ids: list[str] = Field(default_factory=list)
    accept_spf: bool = False
    # A staff command that could not prove itself waits this long for its confirmation.
    confirm_hours: int = Field(default=72, ge=1, le=24 * 14)
    # At most this many confirmation challenges per address and hour (more are only held).
    max_challenges_per_hour: int = Field(default=10, ge=1)
    # Ticket-only reply tokens from mails sent before tokens named their recipient's role still
    # identify their ticket (never authorise: an action through one takes the confirmation
    # round trip) until this many days after our last mail about that ticket; 0: never.
    legacy_token_days: int = Field(default=30, ge=0, le=365)

    @field_validator("trusted_authserv_ids")
    @classmethod
    def _ids(cls, value: list[str]) -> list[str]:
        for item in value:
            if not item.strip() or any(c.isspace() or c in ";()" for c in item.strip()):
                raise ValueError(
                    f"not an authserv-id (a host name such as mx.example.edu.cn): {item!r}"
                )
        return [item.strip().lower() for item in value]


class BackupSection(Strict):
    """`xinxiang backup --out DIR` keeps only the newest `keep` backups in DIR (保留份数)."""

    keep: int = Field(default=14, ge=1)


class WecomChannel(Strict):
    """企业微信 application messages (应用消息): corp id, agent id, the secret's variable."""

    corp_id: str = Field(min_length=1)
    agent_id: int
    secret_env: str = Field(min_length=1)
    base_url: str = "https://qyapi.weixin.qq.com"


class DingtalkChannel(Strict):
    """钉钉 work notices (工作通知): app key, agent id, the app secret's variable."""

    app_key: str = Field(min_length=1)
    agent_id: int
    app_secret_env: str = Field(min_length=1)
    base_url: str = "https://oapi.dingtalk.com"


class WebhookChannel(Strict):
    """A generic JSON webhook (an SMS gateway sits behind one), optionally HMAC-signed."""

    url: str = Field(pattern=r"^https?://")
    secret_env: str = ""
    timeout_seconds: float = Field(default=10, gt=0)


class NotifySection(Strict):
    """Notifications beyond mail (通知渠道): which channels are on, and how to reach them."""

    channels: list[Literal["wecom", "dingtalk", "webhook"]] = Field(default_factory=list)
    wecom: WecomChannel | None = None
    dingtalk: DingtalkChannel | None = None
    webhook: WebhookChannel | None = None
    max_attempts: int = Field(default=10, ge=1)
    retry_base_seconds: float = Field(default=30, gt=0)
    retry_max_seconds: float = Field(default=3600, gt=0)


class HealthSection(Strict):
    """When a failing component becomes an incident the office is told about (运行告警)."""

    mailbox_alert_minutes: float = Field(default=30, gt=0)
    smtp_alert_minutes: float = Field(default=30, gt=0)
    oa_alert_minutes: float = Field(default=10, gt=0)
    # `/healthz` and `/metrics` of the worker: loopback only (empty: not served).
    listen: str = "127.0.0.1:9464"


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


class Settings(Strict):
    school: SchoolSection = SchoolSection()
    storage: StorageSection = StorageSection()
    queue: QueueSection = QueueSection()
    sources: list[SourceSection] = Field(default_factory=list, alias="source")
    smtp: SmtpSection = SmtpSection()
    security: SecuritySection = SecuritySection()
    ack: AckSection = AckSection()
    dispatch: DispatchSection = DispatchSection()
    replies: RepliesSection = RepliesSection()
    outgoing: OutgoingSection = OutgoingSection()
    authentication: AuthenticationSection = AuthenticationSection()
    backup: BackupSection = BackupSection()
    notify: NotifySection = NotifySection()
    health: HealthSection = HealthSection()
    revisit: RevisitSection = RevisitSection()
    assessment: AssessmentSection = AssessmentSection()
    reports: ReportsSection = ReportsSection()
    topics: TopicsSection = TopicsSection()
    web: WebSection = WebSection()


class Department(Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    name: str = Field(min_length=1)
    emails: list[str] = Field(min_length=1)
    leader: str
    office: bool = False
    # The department's public contact (办公电话), printed on the petitioner's 答复函.
    phone: str = ""
    # Notifier recipients (企业微信/钉钉 user ids, a webhook's recipient such as a phone number).
    wecom_userid: list[str] = Field(default_factory=list)
    dingtalk_userid: list[str] = Field(default_factory=list)
    webhook_recipient: list[str] = Field(default_factory=list)
    # The same for the department's supervising leader (分管领导), who receives 督办.
    leader_wecom_userid: list[str] = Field(default_factory=list)
    leader_dingtalk_userid: list[str] = Field(default_factory=list)
    leader_webhook_recipient: list[str] = Field(default_factory=list)

    @field_validator("emails")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        return [_email(v) for v in value]

    @field_validator("leader")
    @classmethod
    def _leader(cls, value: str) -> str:
        return _email(value)


class DepartmentsFile(Strict):
    departments: list[Department] = Field(min_length=1, alias="department")


def _format_loc(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file, turning I/O and syntax errors into `ConfigError`."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(str(path), "", "file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), "", f"invalid TOML: {exc}") from exc


def validate_model(path: Path, model: type[M], data: dict[str, Any]) -> M:
    """Validate `data` against `model`; the first error names file, key and reason."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = _format_loc(err["loc"])
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        elif msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        raise ConfigError(str(path), loc, msg) from None


def load_model(path: Path, model: type[M]) -> M:
    """Read and validate one TOML file."""
    return validate_model(path, model, read_toml(path))


@dataclass(frozen=True)
class Config:
    """A loaded deployment: settings plus departments, rooted at `directory`."""

    directory: Path
    settings: Settings
    departments: tuple[Department, ...]

    @property
    def data_dir(self) -> Path:
        """Absolute data directory (数据目录), by the rule of `resolve_data_dir`."""
        return resolve_data_dir(self.directory, self.settings.storage.data_dir)

    def expand(self, value: str) -> str:
        """Substitute `{data_dir}` in a configured path or URL."""
        return value.replace("{data_dir}", str(self.data_dir))

    @property
    def database_url(self) -> str:
        return self.expand(self.settings.storage.database_url)

    @property
    def queue_url(self) -> str:
        return self.expand(self.settings.queue.url)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.settings.school.timezone)

    @property
    def office(self) -> Department:
        return next(d for d in self.departments if d.office)

    def department(self, code_or_name: str) -> Department | None:
        """Find a department by code or Chinese name."""
        for d in self.departments:
            if code_or_name in (d.code, d.name):
                return d
        return None

    def secret(self, section: str, env_name: str, *, required: bool = True) -> str:
        """Read a secret from the environment variable named by a `*_env` key."""
        value = os.environ.get(env_name, "") if env_name else ""
        if required and not value:
            raise ConfigError(
                str(self.directory / "xinxiang.toml"),
                section,
                f"environment variable {env_name or '(none configured)'} is not set",
            )
        return value

    def token_key(self) -> TokenKeys:
        """The HMAC key ring for reply tokens: the current key (at least 32 random bytes, see
        `token_key_problem`), with the previous keys of a rotation for verifying only."""
        env = self.settings.security.token_key_env
        key = self.secret("security.token_key_env", env)
        problem = token_key_problem(key)
        if problem is not None:
            raise ConfigError(
                str(self.directory / "xinxiang.toml"),
                "security.token_key_env",
                f"the key in {env} is too weak: it {problem}",
            )
        return TokenKeys(key.encode(), self.previous_token_keys())

    def previous_token_keys(self) -> tuple[bytes, ...]:
        """Keys of earlier rotations (comma-separated in the variable named by
        `security.previous_keys_env`; unset or empty when no rotation is under way).

        They only verify tokens already sent, so a key that the old 16-character rule accepted
        is taken (with a warning): refusing it would turn every outstanding token into a
        forgery, which is what a rotation must not do.
        """
        env = self.settings.security.previous_keys_env
        raw = self.secret("security.previous_keys_env", env, required=False)
        keys: list[bytes] = []
        for i, item in enumerate(k.strip() for k in raw.split(",")):
            if not item:
                continue
            if len(item) < 16:
                raise ConfigError(
                    str(self.directory / "xinxiang.toml"),
                    "security.previous_keys_env",
                    f"previous key #{i + 1} in {env} is shorter than 16 characters "
                    "(no key this deployment ever accepted)",
                )
            if token_key_problem(item) is not None:
                log.warning(
                    "previous reply-token key #%d in %s is weak; remove it from %s once the "
                    "tokens sent under it have expired",
                    i + 1,
                    env,
                    env,
                )
            keys.append(item.encode())
        return tuple(keys)

    def source_password(self, source: SourceSection) -> str:
        idx = self.settings.sources.index(source)
        return self.secret(f"source[{idx}].password_env", source.password_env)

    def registered_addresses(self) -> frozenset[str]:
        """Every department and office address allowed to act on tickets."""
        return frozenset(a for d in self.departments for a in d.emails)


SYSTEM_CONFIG_ROOT = Path("/etc")
SYSTEM_DATA_DIR = Path("/var/lib/xinxiang")


def is_system_config(directory: Path) -> bool:
    """True for a configuration installed under /etc (a system service, FHS layout)."""
    return directory == SYSTEM_CONFIG_ROOT or SYSTEM_CONFIG_ROOT in directory.parents


def resolve_data_dir(directory: Path, configured: str) -> Path:
    """Where the database, raw mail and records live (数据目录), for a config `directory`.

    An absolute `storage.data_dir` is taken as it is; a relative one is relative to the config
    directory. Unset, it is `/var/lib/xinxiang` for a config under /etc (data never belongs in
    /etc, which is often read-only for the service) and `var/` beside the files otherwise.
    """
    if configured:
        p = Path(configured)
        return p if p.is_absolute() else (directory / p).resolve()
    return SYSTEM_DATA_DIR if is_system_config(directory) else directory / "var"


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


def _check_semantics(directory: Path, settings: Settings, deps: DepartmentsFile) -> None:
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


def load_config(directory: Path | str) -> Config:
    """Load and validate `xinxiang.toml` and `departments.toml` from a config directory."""
    directory = Path(directory).resolve()
    if not directory.is_dir():
        raise ConfigError(str(directory), "", "configuration directory not found")
    settings = load_model(directory / "xinxiang.toml", Settings)
    deps = load_model(directory / "departments.toml", DepartmentsFile)
    _check_semantics(directory, settings, deps)
    return Config(directory, settings, tuple(deps.departments))


def default_config_dir() -> Path:
    """`$XINXIANG_CONFIG`, else `./config`."""
    return Path(os.environ.get("XINXIANG_CONFIG", "config"))
