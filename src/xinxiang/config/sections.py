"""The running parts' sections of `xinxiang.toml`: school, storage, queue, mailboxes, SMTP,
reply tokens, dispatch, outgoing caps (发信限额), sender authentication, backup, notification
channels (通知渠道) and health alerts (运行告警)."""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from xinxiang.config.base import Email, Strict, _email


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
