"""The petitioner's reserved phone number (预留的联系方式, seed 002 第十条), for 电话回访.

A petitioner who left no e-mail address — an OA petition with a phone only, or a letter that
gives only a number — is still revisited: by phone, through the office. The number is read
where the petitioner left it, never stored anew: the OA petition's submitter phone (our
canonical petition JSON), else a 联系电话/手机/电话 line of the letter (the web form writes
one), else a mainland mobile number in the letter's text.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinxiang.oa_bridge.config import FieldNames
from xinxiang.store.models import LetterRow, TicketRow
from xinxiang.store.models_oa import OaPetitionRow

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

OA_SOURCE = "oa"
"""The letters' `source` of OA petitions (`services.oa_materialize`)."""

_LABELLED = re.compile(
    r"(?:联系电话|联系方式|手机号码|手机号|手机|电话)\s*[:：]?\s*"
    r"((?:\+?86[- ]?)?[0-9][0-9\- ]{4,18}[0-9])"
)
_MOBILE = re.compile(r"(?<![0-9])(1[3-9][0-9]{9})(?![0-9])")


def _clean(number: str) -> str | None:
    """The number as the office dials it (spaces dropped), or None when it is too short."""
    digits = re.sub(r"[\s]", "", number).strip("-")
    return digits if sum(c.isdigit() for c in digits) >= 5 else None


def phone_in_text(text: str) -> str | None:
    """The first phone number a letter's text reserves: a labelled line first, then a mobile."""
    flat = unicodedata.normalize("NFKC", text)
    if (m := _LABELLED.search(flat)) is not None and (found := _clean(m.group(1))):
        return found
    m = _MOBILE.search(flat)
    return m.group(1) if m else None


def _oa_phone(ctx: AppContext, session: Session, letter: LetterRow) -> str | None:
    """The submitter phone of the OA petition behind `letter`: its canonical JSON, kept on the
    petition row while staged and as the letter's raw blob (`.json`) once recorded."""
    raw = session.execute(
        select(OaPetitionRow.raw_json).where(OaPetitionRow.letter_id == letter.id).limit(1)
    ).scalar_one_or_none()
    try:
        doc = orjson.loads(raw or ctx.blobs.get(letter.raw_sha256, ".json"))
    except (OSError, orjson.JSONDecodeError):
        return None
    fields = FieldNames()  # the stored JSON is canonical (the contract's field names)
    submitter = doc.get(fields.submitter) if isinstance(doc, dict) else None
    phone = submitter.get(fields.submitter_phone) if isinstance(submitter, dict) else None
    return _clean(phone) if isinstance(phone, str) else None


def petitioner_phone(ctx: AppContext, session: Session, ticket: TicketRow) -> str | None:
    """The phone number the petitioner of `ticket` left, or None."""
    letter = session.get(LetterRow, ticket.letter_id)
    if letter is None:
        return None
    if letter.source == OA_SOURCE and (phone := _oa_phone(ctx, session, letter)) is not None:
        return phone
    return phone_in_text(f"{letter.subject}\n{letter.body}")
