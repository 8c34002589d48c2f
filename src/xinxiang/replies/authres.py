"""Reading Authentication-Results (发件认证结果, RFC 8601) the way a careful receiver must.

A From header proves nothing: anyone can write ``From: 党政办公室 <dzb@…>``. What can prove
the sender is the deployment's own receiving server, which checks DKIM, DMARC, SPF or an SMTP
login and writes the outcome into ``Authentication-Results`` headers under its own
*authserv-id*. So this module:

* reads **every** Authentication-Results header, not only the first;
* ignores any header whose authserv-id is not in the configured trusted list (a sender can write
  such headers itself; the trusted server removes forged ones bearing its own id);
* passes a message only on a positive, aligned result: ``dmarc=pass`` for the From domain,
  ``dkim=pass`` with a signing domain aligned to the From domain, ``auth=pass`` whose
  ``smtp.auth`` identity is the From address (a login to the campus server), or — only where
  configured — ``spf=pass`` with an aligned ``smtp.mailfrom``;
* fails it on any explicit failure reported by a trusted header, and when two trusted headers
  disagree about one method (a sign of a header injected below the server's own).

A missing header, an untrusted one, ``none``, ``neutral``, ``softfail``, ``temperror`` and
``permerror`` are never a pass. Pure functions, standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "AuthVerdict",
    "MethodResult",
    "ResultsHeader",
    "authenticate",
    "parse_results",
]

_COMMENT = re.compile(r"\([^()]*\)")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
# method[/version] = result, then ptype.property=value pairs (reason=... is a property too).
_TOKEN = re.compile(r"([A-Za-z0-9_.\-/]+)\s*=\s*(\S+)")

_PASS_METHODS = ("dmarc", "dkim", "auth", "spf")
_FAIL_RESULTS = frozenset({"fail", "hardfail"})


@dataclass(frozen=True, slots=True)
class MethodResult:
    """One ``method=result`` with its properties (``header.d`` → ``example.edu.cn`` …)."""

    method: str
    result: str
    properties: tuple[tuple[str, str], ...] = ()

    def prop(self, *names: str) -> str | None:
        """The first of the properties ``names`` present, lowercased, or None."""
        for wanted in names:
            for key, value in self.properties:
                if key == wanted:
                    return value.lower()
        return None


@dataclass(frozen=True, slots=True)
class ResultsHeader:
    """One Authentication-Results header: who wrote it and what it says."""

    authserv_id: str
    results: tuple[MethodResult, ...]


@dataclass(frozen=True, slots=True)
class AuthVerdict:
    """Whether the receiving server proved the From address (认证通过与否), and why.

    ``method`` names what proved it (``dkim``, ``dmarc``, ``auth``, ``spf``) when ``passed``;
    ``reason`` says in Chinese why not otherwise.
    """

    passed: bool
    reason: str
    method: str | None = None


def _strip_comments(text: str) -> str:
    while True:
        stripped = _COMMENT.sub(" ", text)
        if stripped == text:
            return text
        text = stripped


def parse_results(value: str) -> ResultsHeader | None:
    """Parse one Authentication-Results value; None when it has no authserv-id at all."""
    # Quoted strings may contain ';' or '(': take them out before splitting.
    quoted: list[str] = []

    def _hide(match: re.Match[str]) -> str:
        quoted.append(match.group(1).replace('\\"', '"'))
        return f"\x00{len(quoted) - 1}\x00"

    text = _strip_comments(_QUOTED.sub(_hide, value))
    parts = [p.strip() for p in text.split(";")]
    head = parts[0].split()
    if not head:
        return None
    authserv_id = head[0].lower()
    results: list[MethodResult] = []
    for part in parts[1:]:
        tokens = _TOKEN.findall(part)
        if not tokens:
            continue
        method, result = tokens[0]
        props = tuple(
            (key.lower(), re.sub(r"\x00(\d+)\x00", lambda m: quoted[int(m.group(1))], val))
            for key, val in tokens[1:]
        )
        results.append(MethodResult(method.split("/")[0].lower(), result.lower().strip(), props))
    return ResultsHeader(authserv_id, tuple(results))


def _domain_of(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().strip("<>").lower()
    return value.rpartition("@")[2] or None


def _aligned(domain: str | None, from_domain: str) -> bool:
    """Relaxed alignment: the same domain, or one a subdomain of the other (DMARC ``r``)."""
    if not domain:
        return False
    return (
        domain == from_domain
        or from_domain.endswith("." + domain)
        or domain.endswith("." + from_domain)
    )


def _proves(result: MethodResult, from_addr: str, from_domain: str, accept_spf: bool) -> bool:
    if result.result != "pass":
        return False
    if result.method == "dmarc":
        # header.from is what DMARC evaluated; when absent, trust the server's own alignment.
        claimed = result.prop("header.from")
        return claimed is None or _domain_of(claimed) == from_domain
    if result.method == "dkim":
        return _aligned(_domain_of(result.prop("header.d", "header.i")), from_domain)
    if result.method == "auth":
        # A login proves the From address only when the logged-in identity is that address
        # (or its local part, as servers that log bare user names write it).
        identity = result.prop("smtp.auth")
        if not identity:
            return False
        if "@" in identity:
            return identity == from_addr
        return identity == from_addr.partition("@")[0]
    if result.method == "spf" and accept_spf:
        return _aligned(_domain_of(result.prop("smtp.mailfrom")), from_domain)
    return False


def _fails(result: MethodResult, from_domain: str, accept_spf: bool) -> bool:
    if result.result not in _FAIL_RESULTS:
        return False
    if result.method == "dkim":
        # A broken signature of some other domain says nothing about the From address.
        domain = _domain_of(result.prop("header.d", "header.i"))
        return domain is None or _aligned(domain, from_domain)
    return result.method in {"dmarc", "auth"} or (result.method == "spf" and accept_spf)


def authenticate(
    from_addr: str,
    header_values: Iterable[str],
    trusted_ids: Sequence[str],
    *,
    accept_spf: bool = False,
) -> AuthVerdict:
    """Decide whether the trusted receiving server proved ``from_addr``.

    ``header_values`` are all Authentication-Results values of the message, in order;
    ``trusted_ids`` the configured authserv-ids of the deployment's own receiving servers.
    """
    address = from_addr.strip().lower()
    from_domain = _domain_of(address)
    if not address or not from_domain:
        return AuthVerdict(False, "邮件没有可识别的发件人地址，无法认证")
    trusted = {t.strip().lower() for t in trusted_ids if t.strip()}
    if not trusted:
        return AuthVerdict(
            False,
            "本系统未配置可信的收信服务器（authentication.trusted_authserv_ids），"
            "邮件发件人无法得到认证",
        )
    headers = [h for h in (parse_results(v) for v in header_values) if h is not None]
    mine = [h for h in headers if h.authserv_id in trusted]
    if not mine:
        if headers:
            ids = "、".join(sorted({h.authserv_id for h in headers}))
            return AuthVerdict(
                False, f"邮件的认证结果不是本校收信服务器添加的（{ids}），不能作为认证依据"
            )
        return AuthVerdict(False, "邮件缺少本校收信服务器添加的认证结果（Authentication-Results）")
    results = [r for h in mine for r in h.results]
    failed = sorted({r.method.upper() for r in results if _fails(r, from_domain, accept_spf)})
    if failed:
        return AuthVerdict(False, f"邮件未通过 {'、'.join(failed)} 验证，可能是冒用地址")
    by_method: dict[str, set[str]] = {}
    for r in results:
        if r.method == "dkim":
            # Signatures of other domains (a mailing list's, say) may fail beside ours.
            signer = _domain_of(r.prop("header.d", "header.i"))
            if signer is not None and not _aligned(signer, from_domain):
                continue
        by_method.setdefault(r.method, set()).add(r.result)
    conflicting = sorted(
        m.upper() for m, seen in by_method.items() if "pass" in seen and len(seen) > 1
    )
    if conflicting:
        return AuthVerdict(
            False, f"邮件的认证结果自相矛盾（{'、'.join(conflicting)}），可能被插入了伪造的认证头"
        )
    for method in _PASS_METHODS:
        for r in results:
            if r.method == method and _proves(r, address, from_domain, accept_spf):
                return AuthVerdict(True, f"本校收信服务器已验证发件人（{method}=pass）", method)
    seen = "、".join(f"{r.method}={r.result}" for r in results) or "无"
    return AuthVerdict(False, f"本校收信服务器未能证明发件人身份（{seen}）")
