"""Pure mapping between the OA's JSON, our `Petition` record, the `Letter`, and OA update payloads.

Nothing here does I/O: the adapter feeds JSON in, the sync logic and the store consume the
dataclasses, and the outbox writer turns our events into the payloads pushed back to the OA.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from xinxiang.domain.letter import Attachment, Letter
from xinxiang.oa_bridge.config import FieldNames, OaSettings

SYNTHETIC_DOMAIN = "oa.invalid"


class MappingError(ValueError):
    """An OA item or one of our events that cannot be mapped (the item is parked, not dropped)."""


@dataclass(frozen=True, slots=True, order=True)
class PetitionKey:
    """Position in the OA's change feed: (updated_at, petition_id), compared in that order."""

    updated_at: datetime
    petition_id: str

    def to_json(self) -> dict[str, str]:
        """Serialisable form (ISO 8601 with offset)."""
        return {"updated_at": self.updated_at.isoformat(), "petition_id": self.petition_id}

    @classmethod
    def from_json(cls, data: Mapping[str, str]) -> PetitionKey:
        """Inverse of `to_json`."""
        return cls(parse_time(data["updated_at"], "updated_at"), data["petition_id"])


@dataclass(frozen=True, slots=True)
class Submitter:
    """The petitioner as the OA knows them (any field may be empty)."""

    name: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True, slots=True)
class PetitionAttachment:
    """Attachment metadata; the bytes are fetched separately and checked against `sha256`."""

    name: str
    content_type: str
    sha256: str
    url: str


@dataclass(frozen=True, slots=True)
class Petition:
    """One OA petition (信访件) as we keep it; `category` is already mapped to our categories."""

    petition_id: str
    title: str
    description: str
    submitted_at: datetime
    updated_at: datetime
    submitter: Submitter = field(default_factory=Submitter)
    anonymous: bool = False
    public_consent: bool | None = None
    service_code: str = ""
    category: str = "其他"
    attachments: tuple[PetitionAttachment, ...] = ()
    status: str = ""
    # The OA's item as decoded, when mapped from JSON (not part of the petition's identity).
    source: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> PetitionKey:
        """This version's position in the change feed."""
        return PetitionKey(self.updated_at, self.petition_id)

    def content_hash(self) -> str:
        """Digest of everything the petitioner controls; equal hashes mean nothing to update."""
        return content_digest(petition_to_json(self))


def canonical_json(data: Mapping[str, Any]) -> bytes:
    """Canonical UTF-8 JSON (sorted keys, compact, CJK unescaped) of a contract document.

    orjson rather than the standard library: a full sync canonicalises every petition twice,
    and the standard encoder made that the largest cost of a pull (about 12x slower).
    """
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)


def content_json(data: Mapping[str, Any]) -> str:
    """Canonical JSON of what the petitioner controls (contract JSON minus status, updated_at)."""
    kept = {k: v for k, v in data.items() if k not in ("updated_at", "status")}
    return canonical_json(kept).decode()


def content_digest(data: Mapping[str, Any]) -> str:
    """`Petition.content_hash` from the petition's contract JSON."""
    kept = {k: v for k, v in data.items() if k not in ("updated_at", "status")}
    return hashlib.sha256(canonical_json(kept)).hexdigest()


@dataclass(frozen=True, slots=True)
class RejectedItem:
    """An OA item that could not be mapped; parked with the reason instead of being dropped."""

    petition_id: str
    updated_at: datetime | None
    reason: str
    raw: str


def parse_time(value: Any, name: str) -> datetime:
    """Parse an ISO 8601 timestamp that must carry a UTC offset."""
    if type(value) is not str and not isinstance(value, str):
        raise MappingError(f"{name}: expected an ISO 8601 string, got {type(value).__name__}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise MappingError(f"{name}: not ISO 8601: {value!r}") from exc
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise MappingError(f"{name}: time without UTC offset: {value!r}")
    return parsed


# The checks below run for every field of every petition in a sync: each tests the usual
# case (a str, a dict) by exact type first, and only then the general, slower `isinstance`.


def _is_mapping(value: Any) -> bool:
    return type(value) is dict or isinstance(value, Mapping)


def _str(obj: Mapping[str, Any], key: str, *, required: bool = True) -> str:
    value = obj.get(key)
    if type(value) is str:
        return value
    if value is None:
        if required:
            raise MappingError(f"{key}: missing")
        return ""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise MappingError(f"{key}: expected a string, got {type(value).__name__}")
    return str(value)


def _bool(obj: Mapping[str, Any], key: str) -> bool | None:
    value = obj.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise MappingError(f"{key}: expected true/false, got {value!r}")


def petition_from_json(obj: Any, settings: OaSettings) -> Petition:
    """Map one OA item (field names from `settings.fields`) to a `Petition`."""
    if not _is_mapping(obj):
        raise MappingError(f"item: expected an object, got {type(obj).__name__}")
    f: FieldNames = settings.fields
    pid = _str(obj, f.petition_id)
    if not pid:
        raise MappingError(f"{f.petition_id}: empty")
    sub_raw = obj.get(f.submitter) or {}
    if not _is_mapping(sub_raw):
        raise MappingError(f"{f.submitter}: expected an object")
    submitter = Submitter(
        name=_str(sub_raw, f.submitter_name, required=False),
        phone=_str(sub_raw, f.submitter_phone, required=False),
        email=_str(sub_raw, f.submitter_email, required=False).strip().lower(),
    )
    atts_raw = obj.get(f.attachments) or []
    if not isinstance(atts_raw, list):
        raise MappingError(f"{f.attachments}: expected a list")
    attachments = []
    for i, a in enumerate(atts_raw):
        if not _is_mapping(a):
            raise MappingError(f"{f.attachments}[{i}]: expected an object")
        attachments.append(
            PetitionAttachment(
                name=_str(a, f.attachment_name),
                content_type=_str(a, f.attachment_content_type, required=False)
                or "application/octet-stream",
                sha256=_str(a, f.attachment_sha256).lower(),
                url=_str(a, f.attachment_url),
            )
        )
    service_code = _str(obj, f.service_code, required=False)
    return Petition(
        petition_id=pid,
        title=_str(obj, f.title, required=False),
        description=_str(obj, f.description),
        submitted_at=parse_time(obj.get(f.submitted_at), f.submitted_at),
        updated_at=parse_time(obj.get(f.updated_at), f.updated_at),
        submitter=submitter,
        anonymous=bool(_bool(obj, f.anonymous)),
        public_consent=_bool(obj, f.public_consent),
        service_code=service_code,
        category=settings.category_for(service_code),
        attachments=tuple(attachments),
        status=_str(obj, f.status, required=False),
        source=obj,
    )


def rejected_from_json(obj: Any, settings: OaSettings, reason: str) -> RejectedItem:
    """Best-effort identity of an item that `petition_from_json` refused."""
    pid, updated = "", None
    if isinstance(obj, Mapping):
        pid = str(obj.get(settings.fields.petition_id) or "")
        try:
            updated = parse_time(obj.get(settings.fields.updated_at), "updated_at")
        except MappingError:
            updated = None
    return RejectedItem(pid, updated, reason, json.dumps(obj, ensure_ascii=False, default=str))


def petition_to_json(p: Petition) -> dict[str, Any]:
    """The generic contract's JSON for a petition (the inverse of `petition_from_json`)."""
    return {
        "petition_id": p.petition_id,
        "title": p.title,
        "description": p.description,
        "submitted_at": p.submitted_at.isoformat(),
        "submitter": {
            "name": p.submitter.name,
            "phone": p.submitter.phone,
            "email": p.submitter.email,
        },
        "anonymous": p.anonymous,
        "public_consent": p.public_consent,
        "service_code": p.service_code,
        "attachments": [
            {"name": a.name, "content_type": a.content_type, "sha256": a.sha256, "url": a.url}
            for a in p.attachments
        ],
        "updated_at": p.updated_at.isoformat(),
        "status": p.status,
    }


def synthetic_address(petition_id: str) -> str:
    """The placeholder sender for petitions without an e-mail address (never mailed)."""
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in petition_id)
    return f"oa-{safe}@{SYNTHETIC_DOMAIN}"


def has_mail_address(letter: Letter) -> bool:
    """Whether answers can also go out by mail (the petitioner gave a real address)."""
    return not letter.from_addr.endswith("@" + SYNTHETIC_DOMAIN)


def letter_from_petition(
    p: Petition, payloads: Mapping[str, bytes] | None = None, *, channel: str = "OA信访模块"
) -> Letter:
    """Turn a petition into the `Letter` that classification and dispatch already understand.

    `payloads` maps attachment sha256 → fetched bytes; an attachment that was not fetched or whose
    bytes do not match its digest is left out and recorded as a defect.
    """
    payloads = payloads or {}
    attachments: list[Attachment] = []
    defects: list[str] = []
    for a in p.attachments:
        data = payloads.get(a.sha256)
        if data is None:
            defects.append(f"oa-attachment-missing: {a.name}")
        elif hashlib.sha256(data).hexdigest() != a.sha256:
            defects.append(f"oa-attachment-digest-mismatch: {a.name}")
        else:
            attachments.append(Attachment(a.name, a.content_type, data))
    headers: list[tuple[str, str]] = [
        ("X-OA-Petition-Id", p.petition_id),
        ("X-OA-Updated-At", p.updated_at.isoformat()),
        ("X-OA-Service-Code", p.service_code),
        ("X-OA-Category", p.category),
        ("X-OA-Anonymous", "1" if p.anonymous else "0"),
        ("X-Xinxiang-Channel", channel),
    ]
    if p.submitter.phone:
        headers.append(("X-OA-Phone", p.submitter.phone))
    return Letter(
        message_id=f"<oa-{p.petition_id}@{SYNTHETIC_DOMAIN}>",
        from_addr=p.submitter.email or synthetic_address(p.petition_id),
        from_name="匿名" if p.anonymous else p.submitter.name,
        subject=p.title or "（无标题）",
        date=p.submitted_at,
        body=p.description,
        attachments=tuple(attachments),
        defects=tuple(defects),
        headers=tuple(headers),
        public_consent=p.public_consent,
    )


@dataclass(frozen=True, slots=True)
class RecordPdf:
    """The 一单一文 record PDF as the OA should link it."""

    name: str
    sha256: str
    url: str


@dataclass(frozen=True, slots=True)
class OutboundEvent:
    """One state change of an OA ticket, to be written to the OA outbox."""

    state: str
    occurred_at: datetime
    reply_text: str = ""
    reply_public: bool = False
    department: str = ""
    deadline: datetime | None = None
    record_pdf: RecordPdf | None = None
    note: str = ""


def update_payload(event: OutboundEvent, settings: OaSettings) -> dict[str, Any]:
    """The JSON body of `POST /api/v1/petitions/{id}/updates` for one of our events."""
    if event.occurred_at.utcoffset() is None:
        raise MappingError("occurred_at: time without UTC offset")
    if event.deadline is not None and event.deadline.utcoffset() is None:
        raise MappingError("deadline: time without UTC offset")
    try:
        code = settings.status_code_for(event.state)
    except KeyError:
        raise MappingError(
            f"state {event.state!r} has no OA status code in oa.toml [status]"
        ) from None
    body: dict[str, Any] = {"status": code, "occurred_at": event.occurred_at.isoformat()}
    if event.reply_text:
        body["reply"] = {"text": event.reply_text, "public": event.reply_public}
    if event.department:
        body["department"] = event.department
    if event.deadline is not None:
        body["deadline"] = event.deadline.isoformat()
    if event.record_pdf is not None:
        r = event.record_pdf
        body["record_pdf"] = {"name": r.name, "sha256": r.sha256, "url": r.url}
    if event.note:
        body["note"] = event.note
    return body
