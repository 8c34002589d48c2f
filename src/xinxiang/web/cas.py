"""A small CAS 2.0/3.0 client (统一身份认证) and the mapping of CAS users to console accounts.

Hand-written rather than python-cas: that library is synchronous (requests), would block the
console's event loop, and parses the server's XML with lxml's defaults; the protocol part we
need is two URLs and one XML document. Here:
- `login_url` / `logout_url` build the CAS server's URLs; the `service` is always the configured
  `service_url`, never derived from the request.
- `validate` asks `/serviceValidate` (CAS 2.0) or `/p3/serviceValidate` (CAS 3.0, attributes)
  over httpx (TLS verified, no redirects, bounded body) and parses the answer with defusedxml,
  DTDs and entities forbidden, so an XXE or entity-bomb answer is just a failed login.
- `logout_ticket` reads the CAS server's back-channel `logoutRequest` (a SAML
  `<samlp:LogoutRequest>` whose `<samlp:SessionIndex>` is the service ticket), with the same
  defusedxml settings: it comes from outside, so anything but that one small document is None.
- `account_for` maps the CAS user (or a CAS 3.0 attribute) to role, department and leader mail;
  `provision` keeps a local account row for it (no password: it can only sign in through CAS).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

import httpx
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from sqlalchemy.orm import Session

from xinxiang.config import CasAccount, CasSection, Config
from xinxiang.errors import XinxiangError
from xinxiang.store.models_web import UserRow
from xinxiang.web.accounts import check_account, get_user, new_user_row

NS = "{http://www.yale.edu/tp/cas}"
CAS_PASSWORD = "!cas"  # marks an account that signs in through CAS only (no argon2 hash)
MAX_RESPONSE_BYTES = 64 * 1024
MAX_TICKET_CHARS = 256
SAMLP = "{urn:oasis:names:tc:SAML:2.0:protocol}"
MAX_LOGOUT_REQUEST_CHARS = 8 * 1024  # CAS sends about 400 bytes


@dataclass(frozen=True)
class CasResult:
    """A validation answer: the CAS user and attributes on success, else the failure code."""

    user: str | None
    attributes: dict[str, list[str]] = field(default_factory=dict)
    failure: str = ""


def login_url(cas: CasSection) -> str:
    """Where the browser goes to sign in at the CAS server."""
    return f"{cas.server_url.rstrip('/')}/login?{urlencode({'service': cas.service_url})}"


def logout_url(cas: CasSection) -> str:
    """The CAS server's single-logout URL (ends the CAS session for every service)."""
    return f"{cas.server_url.rstrip('/')}/logout"


def _validate_url(cas: CasSection, ticket: str) -> str:
    path = "/p3/serviceValidate" if cas.version == 3 else "/serviceValidate"
    query = urlencode({"service": cas.service_url, "ticket": ticket})
    return f"{cas.server_url.rstrip('/')}{path}?{query}"


def parse_response(body: bytes) -> CasResult:
    """Read a `<cas:serviceResponse>` document; anything malformed or unsafe is a failure."""
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, SyntaxError, ValueError) as exc:
        return CasResult(None, failure=f"bad-xml:{type(exc).__name__}")
    if root.tag != f"{NS}serviceResponse":
        return CasResult(None, failure="bad-xml:root")
    success = root.find(f"{NS}authenticationSuccess")
    if success is None:
        failure = root.find(f"{NS}authenticationFailure")
        code = failure.get("code", "UNKNOWN") if failure is not None else "UNKNOWN"
        return CasResult(None, failure=code[:40])
    user = (success.findtext(f"{NS}user") or "").strip()
    if not user:
        return CasResult(None, failure="no-user")
    attributes: dict[str, list[str]] = {}
    attrs = success.find(f"{NS}attributes")
    if attrs is not None:
        for child in attrs:
            if child.tag.startswith(NS):
                name = child.tag[len(NS) :]
                attributes.setdefault(name, []).append((child.text or "").strip())
    return CasResult(user, attributes)


def logout_ticket(document: str) -> str | None:
    """The service ticket a `logoutRequest` ends (its `SessionIndex`), or None for anything
    else: too long, malformed, a DTD or entity, another root, or no plausible ticket."""
    if not document or len(document) > MAX_LOGOUT_REQUEST_CHARS:
        return None
    try:
        root = fromstring(document, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, SyntaxError, ValueError):
        return None
    if root.tag != f"{SAMLP}LogoutRequest":
        return None
    indexes = root.findall(f"{SAMLP}SessionIndex")
    if len(indexes) != 1:
        return None
    ticket = (indexes[0].text or "").strip()
    if not ticket.startswith("ST-") or len(ticket) > MAX_TICKET_CHARS:
        return None
    if any(c.isspace() or not c.isprintable() for c in ticket):
        return None
    return ticket


async def validate(cas: CasSection, ticket: str) -> CasResult:
    """Ask the CAS server whether `ticket` was issued for our service; never raises."""
    if not ticket.startswith("ST-") or len(ticket) > MAX_TICKET_CHARS:
        return CasResult(None, failure="bad-ticket")
    try:
        async with (
            httpx.AsyncClient(timeout=cas.timeout_seconds, follow_redirects=False) as client,
            client.stream("GET", _validate_url(cas, ticket)) as response,
        ):
            if response.status_code != 200:
                return CasResult(None, failure=f"http-{response.status_code}")
            body = b""
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_RESPONSE_BYTES:
                    return CasResult(None, failure="too-large")
    except httpx.HTTPError as exc:
        return CasResult(None, failure=f"unreachable:{type(exc).__name__}")
    return parse_response(body)


def account_for(cas: CasSection, result: CasResult) -> tuple[str, CasAccount] | None:
    """The account name and mapping for a validated CAS user, or None (not allowed in)."""
    if result.user is None:
        return None
    name = result.user.strip().lower()
    mapped = cas.users.get(name)
    if mapped is None and cas.attribute:
        for value in result.attributes.get(cas.attribute, []):
            mapped = cas.attribute_map.get(value)
            if mapped is not None:
                break
    if mapped is None:
        return None
    return name, mapped


def provision(
    session: Session, cfg: Config, name: str, mapped: CasAccount, now: datetime
) -> UserRow:
    """The local row for CAS user `name`, created or brought in line with the mapping.

    Refused (XinxiangError): a name the console cannot hold, a mapping naming a missing
    department or leader, a local password account of the same name (CAS never takes one
    over), or a disabled account.
    """
    check_account(cfg, name, mapped.role, mapped.department, mapped.email)
    dept = cfg.department(mapped.department) if mapped.department else None
    dept_code = dept.code if dept else None
    email = mapped.email.strip().lower() if mapped.email else None
    user = get_user(session, name)
    if user is None:
        user = new_user_row(name, mapped.role, dept_code, email, CAS_PASSWORD, now)
        session.add(user)
    elif user.password_hash != CAS_PASSWORD:
        raise XinxiangError(f"{name!r} is a local password account")
    elif user.disabled:
        raise XinxiangError(f"account {name!r} is disabled")
    elif (user.role, user.department_code, user.email) != (mapped.role, dept_code, email):
        user.role, user.department_code, user.email = mapped.role, dept_code, email
        user.session_epoch += 1  # a changed mapping ends the sessions of the old role
    user.last_login_at = now
    session.flush()
    return user
