"""Deployment configuration: TOML files validated once at start, secrets from the environment.

Every mistake becomes a `ConfigError` naming the file, the dotted key and the reason, so an
office administrator can fix it without reading a traceback.

The package re-exports every public name, so `from xinxiang.config import X` works whichever
module defines X: `base` (the strict model base), `sections` and `sections_office` (the
sections of `xinxiang.toml`), `settings` (the whole file), `departments` (`departments.toml`),
`reading` (one TOML file into a model), `paths` (config and data directories), `checks`
(checks across keys and files) and `core` (`Config`, `load_config`).
"""

from xinxiang.config.base import EMAIL_RE, Email, Strict
from xinxiang.config.checks import check_plaintext, is_loopback_host
from xinxiang.config.core import Config, load_config
from xinxiang.config.departments import Department, DepartmentsFile
from xinxiang.config.paths import (
    SYSTEM_CONFIG_ROOT,
    SYSTEM_DATA_DIR,
    default_config_dir,
    is_system_config,
    resolve_data_dir,
)
from xinxiang.config.reading import M, load_model, read_toml, validate_model
from xinxiang.config.sections import (
    AckSection,
    AuthenticationSection,
    BackupSection,
    DingtalkChannel,
    DispatchSection,
    HealthSection,
    NotifySection,
    OutgoingSection,
    QueueSection,
    RepliesSection,
    SchoolSection,
    Security,
    SecuritySection,
    SmtpSection,
    SourceSection,
    StorageSection,
    WebhookChannel,
    WecomChannel,
)
from xinxiang.config.sections_office import (
    AssessmentSection,
    CasAccount,
    CasSection,
    ReportsSection,
    RevisitSection,
    TopicsSection,
    WebSection,
)
from xinxiang.config.settings import Settings

__all__ = [
    "EMAIL_RE",
    "SYSTEM_CONFIG_ROOT",
    "SYSTEM_DATA_DIR",
    "AckSection",
    "AssessmentSection",
    "AuthenticationSection",
    "BackupSection",
    "CasAccount",
    "CasSection",
    "Config",
    "Department",
    "DepartmentsFile",
    "DingtalkChannel",
    "DispatchSection",
    "Email",
    "HealthSection",
    "M",
    "NotifySection",
    "OutgoingSection",
    "QueueSection",
    "RepliesSection",
    "ReportsSection",
    "RevisitSection",
    "SchoolSection",
    "Security",
    "SecuritySection",
    "Settings",
    "SmtpSection",
    "SourceSection",
    "StorageSection",
    "Strict",
    "TopicsSection",
    "WebSection",
    "WebhookChannel",
    "WecomChannel",
    "check_plaintext",
    "default_config_dir",
    "is_loopback_host",
    "is_system_config",
    "load_config",
    "load_model",
    "read_toml",
    "resolve_data_dir",
    "validate_model",
]
