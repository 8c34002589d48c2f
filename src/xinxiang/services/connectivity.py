"""Connectivity check (连通性检查): log in to every configured server with its credentials.

`xinxiang config check --connect` runs it, so a wrong password or a closed port is found at
installation, not after the 书记信箱 has gone unread for days. Each probe says in Chinese what
failed and which environment variable holds the credential involved.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from pathlib import Path

import aiosmtplib
from imapclient.exceptions import LoginError

from xinxiang.config import Config, SourceSection
from xinxiang.mailbox.imap import SourceUnavailable, connect


@dataclass(frozen=True)
class Probe:
    """One server's answer: `what` was tried, whether it worked, why not, which variable."""

    what: str
    ok: bool
    detail: str = ""
    env: str = ""


def _missing(what: str, env: str) -> Probe:
    return Probe(what, False, f"环境变量 {env or '（未配置 *_env）'} 未设置，无法登录", env)


def probe_source(cfg: Config, src: SourceSection, timeout: float = 10) -> Probe:
    """Log in to one IMAP mailbox (or look at a Maildir) and log out."""
    if src.kind == "maildir":
        root = Path(cfg.expand(src.path))
        root = root if root.is_absolute() else cfg.directory / root
        what = f"信箱 {src.name}（Maildir {root}）"
        ok = (root / "new").is_dir() or root.is_dir()
        return Probe(what, ok, "" if ok else "目录不存在")
    what = f"信箱 {src.name}（IMAP {src.username}@{src.host}:{src.port}）"
    password = cfg.secret("source", src.password_env, required=False)
    if not password:
        return _missing(what, src.password_env)
    try:
        client = connect(src, password, timeout=timeout)
    except SourceUnavailable as exc:
        if isinstance(exc.__cause__, LoginError):
            detail = f"登录失败：用户名或密码错误（密码取自环境变量 {src.password_env}）"
            return Probe(what, False, detail, src.password_env)
        return Probe(what, False, f"无法连接：{exc.__cause__ or exc}", src.password_env)
    client.logout()
    return Probe(what, True, env=src.password_env)


async def _smtp_login(cfg: Config, password: str, timeout: float) -> None:
    smtp = cfg.settings.smtp
    tls = None
    if smtp.security != "plain":
        tls = ssl.create_default_context(cafile=smtp.ca_file or None)
    client = aiosmtplib.SMTP(
        hostname=smtp.host,
        port=smtp.port,
        use_tls=smtp.security == "tls",
        start_tls=smtp.security == "starttls",
        tls_context=tls,
        timeout=timeout,
    )
    await client.connect()
    try:
        if smtp.username:
            await client.login(smtp.username, password)
    finally:
        await client.quit()


def probe_smtp(cfg: Config, timeout: float = 10) -> Probe | None:
    """Connect (and log in) to the SMTP server; None for the `.eml` directory transport."""
    smtp = cfg.settings.smtp
    if smtp.transport == "directory":
        return None
    what = f"发信服务器（SMTP {smtp.host}:{smtp.port}）"
    password = ""
    if smtp.username:
        password = cfg.secret("smtp", smtp.password_env, required=False)
        if not password:
            return _missing(what, smtp.password_env)
    try:
        asyncio.run(_smtp_login(cfg, password, timeout))
    except aiosmtplib.SMTPAuthenticationError:
        detail = f"登录失败：用户名或密码错误（密码取自环境变量 {smtp.password_env}）"
        return Probe(what, False, detail, smtp.password_env)
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        return Probe(what, False, f"无法连接：{exc}", smtp.password_env)
    return Probe(what, True, env=smtp.password_env)


def probe_oa(cfg: Config, timeout: float = 10) -> Probe | None:
    """Fetch an access token from the OA (the bridge's login); None when the bridge is off."""
    from xinxiang.oa_bridge.client import OaClient, OaError, OaRequestError
    from xinxiang.oa_bridge.config import load_oa_for, oa_file

    if not oa_file(cfg).exists():
        return None
    oa = load_oa_for(cfg).oa
    what = f"OA 信访模块（{oa.base_url}）"
    secret = cfg.secret("oa", oa.secret_env, required=False)
    if not secret:
        return _missing(what, oa.secret_env)
    body = {"app_id": oa.app_id, "secret": secret}
    status = 200
    try:
        with OaClient(oa.base_url, oa.app_id, secret, timeout=timeout, max_attempts=1) as client:
            status = client.request("POST", "/api/v1/token", json=body, auth=False).status_code
    except OaRequestError as exc:
        status = exc.status
    except OaError as exc:
        return Probe(what, False, f"无法连接：{exc}", oa.secret_env)
    if status in (401, 403):
        detail = f"登录失败：app_id 或密钥错误（密钥取自环境变量 {oa.secret_env}）"
        return Probe(what, False, detail, oa.secret_env)
    if status != 200:
        return Probe(what, False, f"OA 返回 HTTP {status}", oa.secret_env)
    return Probe(what, True, env=oa.secret_env)


def check_connections(cfg: Config, timeout: float = 10) -> list[Probe]:
    """Probe every mailbox, the SMTP server and the OA, in the order of the configuration."""
    probes = [probe_source(cfg, src, timeout) for src in cfg.settings.sources]
    for probe in (probe_smtp(cfg, timeout), probe_oa(cfg, timeout)):
        if probe is not None:
            probes.append(probe)
    return probes
