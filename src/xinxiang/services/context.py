"""The runtime context shared by services: config, database, blob store, secrets."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from xinxiang.classify.batch import ReadAhead, used_models
from xinxiang.classify.rules import RuleSet
from xinxiang.config import Config
from xinxiang.dispatch.calendar import ChineseWorkingCalendar
from xinxiang.domain.deadlines import DeadlinePolicy
from xinxiang.services.prepare import PreparePool, PrepareSettings, default_workers
from xinxiang.store.blobs import BlobStore
from xinxiang.store.db import Database


@dataclass
class AppContext:
    """Built once per process by the CLI or the worker; nothing here connects until used."""

    cfg: Config
    db: Database = field(init=False)

    def __post_init__(self) -> None:
        self.db = Database(self.cfg.database_url)

    @cached_property
    def blobs(self) -> BlobStore:
        """Raw messages, attachments and PDFs, content-addressed."""
        return BlobStore(self.cfg.data_dir / "blobs")

    @cached_property
    def token_key(self) -> bytes:
        """The reply-token HMAC key from the environment."""
        return self.cfg.token_key()

    @property
    def outgoing_dir(self) -> Path:
        """Where the directory transport writes `.eml` files."""
        return Path(self.cfg.expand(self.cfg.settings.smtp.directory))

    @cached_property
    def own_addresses(self) -> frozenset[str]:
        """Addresses that are ours (mail from them is a loop)."""
        return frozenset({self.cfg.settings.smtp.from_address})

    @property
    def msgid_domain(self) -> str:
        """The domain of our Message-IDs: a sub-domain no other sender uses, so a reply or a
        loop is recognised by it without mistaking colleagues' mail for ours."""
        return "xinxiang." + self.cfg.settings.smtp.from_address.rsplit("@", 1)[1]

    @cached_property
    def rules(self) -> RuleSet:
        """The compiled classification rules (`rules.toml`)."""
        from xinxiang.classify.rules import load_rules_for

        return load_rules_for(self.cfg)

    @cached_property
    def calendar(self) -> ChineseWorkingCalendar:
        """The working calendar with the deployment's overrides (`calendar.toml`)."""
        from xinxiang.dispatch.calendar import load_calendar_for

        return load_calendar_for(self.cfg)

    @cached_property
    def policy(self) -> DeadlinePolicy:
        """The deadline policy numbers (`calendar.toml` [policy])."""
        from xinxiang.dispatch.calendar import load_policy_for

        return load_policy_for(self.cfg)

    @cached_property
    def prepare_settings(self) -> PrepareSettings:
        """What worker processes need to prepare messages (no connections)."""
        settings = self.cfg.settings
        return PrepareSettings(
            blob_root=str(self.blobs.root),
            own_addresses=self.own_addresses,
            msgid_domain=self.msgid_domain,
            reply_base=settings.smtp.from_address,
            registered_addresses=self.cfg.registered_addresses(),
            max_attachment_bytes=settings.storage.max_attachment_bytes,
            max_letter_attachment_bytes=settings.storage.max_message_bytes,
            read_ahead=self._read_ahead_models(),
        )

    def _read_ahead_models(self) -> tuple[bool, bool]:
        # Only where there are worker processes: in-process it would only move the same work
        # from routing to ingest. Rules that do not load are routing's error, not ingest's.
        if default_workers() == 0 or not self.cfg.settings.queue.read_ahead:
            return (False, False)
        try:
            return used_models(self.rules)
        except Exception:
            return (False, False)

    @cached_property
    def read_ahead(self) -> ReadAhead:
        """The second reader's readings made by ingest's workers, until routing takes them."""
        return ReadAhead()

    @cached_property
    def prepare_pool(self) -> PreparePool:
        """Worker processes for parsing big batches (started on first use)."""
        return PreparePool(default_workers())

    def close(self) -> None:
        """Release database connections."""
        self.db.dispose()
        if "prepare_pool" in self.__dict__:
            self.prepare_pool.close()
