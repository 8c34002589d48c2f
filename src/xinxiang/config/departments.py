"""`departments.toml`: the departments (承办单位), their addresses, leaders and notifier ids."""

from __future__ import annotations

from pydantic import Field, field_validator

from xinxiang.config.base import Strict, _email


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
