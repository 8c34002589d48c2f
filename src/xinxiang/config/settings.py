"""`Settings`: the whole of `xinxiang.toml`, one field per section."""

from __future__ import annotations

from pydantic import Field

from xinxiang.config.base import Strict
from xinxiang.config.sections import (
    AckSection,
    AuthenticationSection,
    BackupSection,
    DispatchSection,
    HealthSection,
    NotifySection,
    OutgoingSection,
    QueueSection,
    RepliesSection,
    SchoolSection,
    SecuritySection,
    SmtpSection,
    SourceSection,
    StorageSection,
)
from xinxiang.config.sections_office import (
    AssessmentSection,
    ReportsSection,
    RevisitSection,
    TopicsSection,
    WebSection,
)


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
