"""OA mapping, configuration and back-off: pure functions, table-driven and property-tested."""

from __future__ import annotations

import hashlib
import shutil
import tomllib
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinxiang.config import load_config
from xinxiang.errors import ConfigError
from xinxiang.oa_bridge.client import backoff_delay, retryable
from xinxiang.oa_bridge.config import CATEGORIES, OaSettings, load_oa_for
from xinxiang.oa_bridge.mapping import (
    MappingError,
    OutboundEvent,
    Petition,
    PetitionAttachment,
    RecordPdf,
    Submitter,
    has_mail_address,
    letter_from_petition,
    petition_from_json,
    petition_to_json,
    update_payload,
)
from xinxiang.oa_bridge.sim_catalogue import SERVICE_CODES
from xinxiang.oa_bridge.sim_faults import Faults, parse_faults

REPO = Path(__file__).resolve().parents[1]
CST = timezone(timedelta(hours=8))


def sample_settings() -> OaSettings:
    """The shipped `config/oa.toml`."""
    with (REPO / "config" / "oa.toml").open("rb") as fh:
        return OaSettings.model_validate(tomllib.load(fh))


SETTINGS = sample_settings()


def item(**overrides: Any) -> dict[str, Any]:
    """A valid contract item with some fields replaced."""
    base: dict[str, Any] = {
        "petition_id": "XF00000001",
        "title": "第三食堂饭菜价格上涨问题",
        "description": "最近多个窗口涨价，分量却变少了。",
        "submitted_at": "2025-03-01T08:30:00+08:00",
        "submitter": {"name": "王芳", "phone": "13800000000", "email": "Wang@Stu.Example.edu.cn"},
        "anonymous": False,
        "public_consent": True,
        "service_code": "HQBZ",
        "attachments": [],
        "updated_at": "2025-03-01T08:31:00.123456+08:00",
        "status": "received",
    }
    base.update(overrides)
    return base


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"description": None}, "description: missing"),
        ({"petition_id": ""}, "petition_id: empty"),
        ({"updated_at": "2025-03-01T08:31:00"}, "without UTC offset"),
        ({"submitted_at": "昨天"}, "not ISO 8601"),
        ({"anonymous": "yes"}, "anonymous: expected true/false"),
        ({"submitter": "王芳"}, "submitter: expected an object"),
        ({"attachments": [{"name": "a.pdf"}]}, "sha256: missing"),
    ],
)
def test_malformed_items_are_refused_with_the_field(overrides: dict[str, Any], reason: str) -> None:
    """Each malformed field yields a MappingError naming it."""
    with pytest.raises(MappingError, match=reason):
        petition_from_json(item(**overrides), SETTINGS)


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("HQBZ", "后勤保障"),
        ("TSGA", "特殊关爱"),
        ("YQFK", "疫情防控"),
        ("UNKNOWN", "其他"),
        ("", "其他"),
    ],
)
def test_service_codes_map_to_our_categories(code: str, category: str) -> None:
    """Service codes map through oa.toml; unknown ones fall back to the default category."""
    assert petition_from_json(item(service_code=code), SETTINGS).category == category


def test_every_simulator_service_code_is_mapped_by_the_sample_config() -> None:
    """The shipped mapping covers the simulator and all eleven categories."""
    assert {SETTINGS.category_for(c) for c in SERVICE_CODES} == set(CATEGORIES)


def test_vendor_field_names_come_from_config() -> None:
    """A vendor OA that names fields differently is mapped by configuration alone."""
    data = SETTINGS.model_dump()
    data["fields"].update(petition_id="requestid", title="requestname", description="content")
    vendor = OaSettings.model_validate(data)
    raw = item()
    raw["requestid"] = raw.pop("petition_id")
    raw["requestname"] = raw.pop("title")
    raw["content"] = raw.pop("description")
    p = petition_from_json(raw, vendor)
    assert (p.petition_id, p.title) == ("XF00000001", "第三食堂饭菜价格上涨问题")


aware = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(CST)
)
text = st.text(max_size=40)
petitions = st.builds(
    Petition,
    petition_id=st.text(min_size=1, max_size=20),
    title=text,
    description=text,
    submitted_at=aware,
    updated_at=aware,
    submitter=st.builds(Submitter, name=text, phone=text, email=st.emails().map(str.lower)),
    anonymous=st.booleans(),
    public_consent=st.none() | st.booleans(),
    service_code=st.sampled_from(sorted(SERVICE_CODES)),
    category=st.just("其他"),
    attachments=st.lists(
        st.builds(
            PetitionAttachment,
            name=st.text(min_size=1, max_size=10),
            content_type=st.just("text/plain"),
            sha256=st.text("0123456789abcdef", min_size=64, max_size=64),
            url=st.text(min_size=1, max_size=20),
        ),
        max_size=2,
    ).map(tuple),
    status=st.sampled_from(["received", "accepted"]),
)


@given(petitions)
def test_contract_json_round_trips(p: Petition) -> None:
    """petition_from_json inverts petition_to_json (category is re-derived from the code)."""
    back = petition_from_json(petition_to_json(p), SETTINGS)
    assert back == Petition(**{**_fields(p), "category": SETTINGS.category_for(p.service_code)})
    assert back.content_hash() == p.content_hash()


def _fields(p: Petition) -> dict[str, Any]:
    return {name: getattr(p, name) for name in Petition.__slots__}


def test_content_hash_ignores_status_and_timestamp() -> None:
    """Only what the petitioner controls counts as a change of the letter."""
    p = petition_from_json(item(), SETTINGS)
    later = petition_from_json(
        item(status="closed", updated_at="2025-03-09T00:00:00+08:00"), SETTINGS
    )
    edited = petition_from_json(item(description="补充：问题依旧。"), SETTINGS)
    assert p.content_hash() == later.content_hash() != edited.content_hash()


def test_letter_from_petition() -> None:
    """Subject, body, sender, consent and verified attachments become a Letter."""
    data = b"%PDF-1.4 test"
    good = hashlib.sha256(data).hexdigest()
    p = petition_from_json(
        item(
            attachments=[
                {
                    "name": "照片.pdf",
                    "content_type": "application/pdf",
                    "sha256": good,
                    "url": "/a",
                },
                {"name": "缺失.jpg", "content_type": "image/jpeg", "sha256": "0" * 64, "url": "/b"},
            ]
        ),
        SETTINGS,
    )
    letter = letter_from_petition(p, {good: data})
    assert (letter.subject, letter.body) == (p.title, p.description)
    assert (letter.from_addr, letter.from_name) == ("wang@stu.example.edu.cn", "王芳")
    assert letter.public_consent is True
    assert letter.date == datetime(2025, 3, 1, 0, 30, tzinfo=UTC)
    assert [a.filename for a in letter.attachments] == ["照片.pdf"]
    assert letter.defects == ("oa-attachment-missing: 缺失.jpg",)
    assert letter.header("X-OA-Petition-Id") == "XF00000001"
    assert letter.header("X-OA-Category") == "后勤保障"
    assert has_mail_address(letter)


def test_letter_without_email_gets_a_synthetic_sender() -> None:
    """No address: a synthetic, never-mailed sender; anonymous petitions hide the name."""
    p = petition_from_json(
        item(submitter={"name": "", "phone": "", "email": ""}, anonymous=True), SETTINGS
    )
    letter = letter_from_petition(p)
    assert letter.from_addr == "oa-XF00000001@oa.invalid"
    assert letter.from_name == "匿名"
    assert not has_mail_address(letter)


def test_update_payload_maps_states_and_keeps_offsets() -> None:
    """Our event becomes the OA's update body; times keep their offset."""
    at = datetime(2025, 3, 2, 10, 0, tzinfo=CST)
    event = OutboundEvent(
        state="formal_reply",
        occurred_at=at,
        reply_text="已协调食堂恢复原价。",
        reply_public=True,
        department="后勤处",
        deadline=at + timedelta(days=3),
        record_pdf=RecordPdf("XF00000001.pdf", "ab" * 32, "https://x.example/r.pdf"),
    )
    assert update_payload(event, SETTINGS) == {
        "status": "replied",
        "occurred_at": "2025-03-02T10:00:00+08:00",
        "reply": {"text": "已协调食堂恢复原价。", "public": True},
        "department": "后勤处",
        "deadline": "2025-03-05T10:00:00+08:00",
        "record_pdf": {
            "name": "XF00000001.pdf",
            "sha256": "ab" * 32,
            "url": "https://x.example/r.pdf",
        },
    }
    with pytest.raises(MappingError, match="no OA status code"):
        update_payload(OutboundEvent(state="teleported", occurred_at=at), SETTINGS)
    with pytest.raises(MappingError, match="offset"):
        update_payload(OutboundEvent(state="closed", occurred_at=datetime(2025, 1, 1)), SETTINGS)


@given(
    attempt=st.integers(min_value=0, max_value=10_000),
    base=st.floats(min_value=0, max_value=100),
    cap=st.floats(min_value=0, max_value=10_000),
    u=st.floats(min_value=0, max_value=1, exclude_max=True),
)
def test_backoff_is_bounded_by_the_cap(attempt: int, base: float, cap: float, u: float) -> None:
    """Full jitter never waits longer than the cap nor less than zero."""
    assert 0 <= backoff_delay(attempt, base, cap, u) <= cap


@given(st.integers(min_value=0, max_value=30), st.floats(min_value=0, max_value=1))
def test_backoff_ceiling_doubles_until_the_cap(attempt: int, u: float) -> None:
    """Without jitter the delay doubles per attempt up to the cap."""
    assert backoff_delay(attempt, 0.5, 60.0, 1.0) == min(60.0, 0.5 * 2**attempt)


@pytest.mark.parametrize(
    ("status", "retry"),
    [(200, False), (400, False), (401, False), (404, False), (408, True), (409, False),
     (422, False), (429, True), (500, True), (501, False), (502, True), (503, True), (504, True)],
)  # fmt: skip
def test_which_answers_are_retried(status: int, retry: bool) -> None:
    """Transient statuses are retried; refusals are parked."""
    assert retryable(status) is retry


def deployment(tmp_path: Path, oa_toml: str) -> Path:
    """A config directory with the sample files and the given oa.toml."""
    for name in ("xinxiang.toml", "departments.toml"):
        shutil.copy(REPO / "config" / name, tmp_path / name)
    (tmp_path / "oa.toml").write_text(oa_toml, encoding="utf-8")
    return tmp_path


def test_sample_oa_toml_loads(tmp_path: Path) -> None:
    """The shipped file validates through load_oa_for."""
    cfg = load_config(deployment(tmp_path, (REPO / "config" / "oa.toml").read_text("utf-8")))
    assert load_oa_for(cfg).oa.page_size == 500


OA = '[oa]\nbase_url = "https://oa.example"\napp_id = "x"\n'


@pytest.mark.parametrize(
    ("toml", "key", "reason"),
    [
        ('[oa]\nbase_url = "ftp://oa.example"\napp_id = "x"\n', "oa.base_url", "http"),
        ('[oa]\nbase_url = "https://oa.example"\n', "oa.app_id", "Field required"),
        (OA + "page_size = 0\n", "oa.page_size", ""),
        (OA + 'secret = "s"\n', "oa.secret", "unknown key"),
        (OA + '[service_codes]\nX = "体育"\n', "service_codes.X", ""),
        (OA + '[status]\nclosed = ""\n', "", "empty"),
    ],
)  # fmt: skip
def test_oa_toml_mistakes_name_file_key_and_reason(
    tmp_path: Path, toml: str, key: str, reason: str
) -> None:
    """Every mistake in oa.toml is a ConfigError with file, key and reason."""
    cfg = load_config(deployment(tmp_path, toml))
    with pytest.raises(ConfigError) as err:
        load_oa_for(cfg)
    assert err.value.file.endswith("oa.toml")
    assert err.value.key == key
    assert reason in err.value.reason


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("", Faults()),
        ("error_rate=0.1", Faults(error_rate=0.1)),
        ("expire_every=50, slow_page_seconds=0.2", Faults(expire_every=50, slow_page_seconds=0.2)),
    ],
)
def test_fault_specs(spec: str, expected: Faults) -> None:
    """`--faults` parses into Faults."""
    assert parse_faults(spec) == expected


def test_unknown_fault_is_refused() -> None:
    """A typo in --faults is an error, not a silently healthy OA."""
    with pytest.raises(ValueError, match="unknown fault"):
        parse_faults("eror_rate=0.1")
