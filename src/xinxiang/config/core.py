"""`Config`, a loaded deployment (settings, departments, secrets from the environment), and
`load_config`, which reads, validates and checks a config directory."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from xinxiang.config.checks import check_semantics
from xinxiang.config.departments import Department, DepartmentsFile
from xinxiang.config.paths import resolve_data_dir
from xinxiang.config.reading import load_model
from xinxiang.config.sections import SourceSection
from xinxiang.config.settings import Settings
from xinxiang.errors import ConfigError
from xinxiang.token_keys import TokenKeys, token_key_problem

# The package's logger, as before the split (logging set-ups and tests name it).
log = logging.getLogger("xinxiang.config")


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


def load_config(directory: Path | str) -> Config:
    """Load and validate `xinxiang.toml` and `departments.toml` from a config directory."""
    directory = Path(directory).resolve()
    if not directory.is_dir():
        raise ConfigError(str(directory), "", "configuration directory not found")
    settings = load_model(directory / "xinxiang.toml", Settings)
    deps = load_model(directory / "departments.toml", DepartmentsFile)
    check_semantics(directory, settings, deps)
    return Config(directory, settings, tuple(deps.departments))
