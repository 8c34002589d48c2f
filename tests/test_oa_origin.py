"""The OA bearer token (令牌) goes to the configured OA origin and nowhere else.

The OA simulator on 127.0.0.1 is the OA; two more loopback listeners play the attacker's
origin — one on another address with the simulator's own port (another host), one on another
port — and record every request and its Authorization header. Every way a feed, a link or a
redirect might name another origin is tried: none may reach them, with or without the token.
URL forms that cannot be served locally (IDN homoglyphs, other schemes) are refused before any
connection, which the pure resolution table shows.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import select

import xinxiang.store.models_oa  # its tables join Base.metadata before upgrade()
import xinxiang.store.models_replies  # noqa: F401
from xinxiang.config import load_config
from xinxiang.errors import ConfigError
from xinxiang.oa_bridge.client import (
    OaClient,
    OaOriginRefused,
    OaRequestError,
    same_origin_target,
)
from xinxiang.oa_bridge.config import load_oa_for
from xinxiang.oa_bridge.simulator import OaSimulator
from xinxiang.services.context import AppContext
from xinxiang.services.oa_tasks import oa_pull
from xinxiang.store.migrate import upgrade
from xinxiang.store.models import AttachmentRow, LetterRow

SECRET = "simulator-secret"
T0 = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
FAST: dict[str, Any] = {"sleep": lambda _s: None, "timeout": 2.0, "max_attempts": 2}
BLOB = "投诉材料：宿舍热水问题\n".encode()
SHA = hashlib.sha256(BLOB).hexdigest()
ATTACHMENT = f"/api/v1/attachments/{SHA}"


@dataclass
class Evil:
    """The attacker's origins: who called, on which path, with which Authorization."""

    other_host: str  # http://127.0.0.2:<the simulator's port>
    other_port: str  # http://127.0.0.1:<another port>
    seen: list[tuple[str, str, str]] = field(default_factory=list)


def _recording_server(host: str, port: int, seen: list[tuple[str, str, str]]) -> Any:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            seen.append(("GET", self.path, self.headers.get("Authorization", "")))
            body = b"evil bytes"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}).start()
    return server


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[OaSimulator]:
    """The OA, holding one attachment blob."""
    s = OaSimulator(tmp_path / "oa.db", secret=SECRET).start()
    assert s.store is not None
    with s.store.tx() as db:
        db.execute("INSERT INTO blobs VALUES (?,?,?)", (SHA, "text/plain", BLOB))
    yield s
    s.stop()


@pytest.fixture
def evil(sim: OaSimulator) -> Iterator[Evil]:
    seen: list[tuple[str, str, str]] = []
    servers = [_recording_server("127.0.0.2", sim.port, seen)]
    servers.append(_recording_server("127.0.0.1", 0, seen))
    yield Evil(
        f"http://127.0.0.2:{sim.port}", f"http://127.0.0.1:{servers[1].server_address[1]}", seen
    )
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def client(sim: OaSimulator) -> Iterator[OaClient]:
    c = OaClient(sim.url, "xinxiang", SECRET, **FAST)
    yield c
    c.close()


# Resolution (pure: nothing is contacted) ------------------------------------------------------

BASE = httpx.URL("https://oa.example.edu.cn/xf/")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # Paths are under the base URL, as the contract says.
        ("/api/v1/attachments/1", "https://oa.example.edu.cn/xf/api/v1/attachments/1"),
        ("api/v1/attachments/1?x=1", "https://oa.example.edu.cn/xf/api/v1/attachments/1?x=1"),
        # Absolute URLs on the origin, however spelt.
        ("https://oa.example.edu.cn/files/1", "https://oa.example.edu.cn/files/1"),
        ("HTTPS://OA.Example.EDU.CN/files/1", "https://oa.example.edu.cn/files/1"),
        ("https://oa.example.edu.cn:443/files/1", "https://oa.example.edu.cn/files/1"),
        # Everything else is refused.
        ("https://evil.example/files/1", None),  # other host
        ("https://oa.example.edu.cn.evil.example/", None),  # our name as a prefix
        ("https://evil-oa.example.edu.cn/", None),  # a sibling
        ("https://oa.example.edu.cn./", None),  # trailing dot: another name to TLS and cookies
        ("https://oa.example.edu.cn:8443/files/1", None),  # other port
        ("http://oa.example.edu.cn/files/1", None),  # other scheme (the token in clear)
        ("ftp://oa.example.edu.cn/files/1", None),
        ("https://oa.example.edu.cn@evil.example/", None),  # userinfo trick
        ("https://user:pw@oa.example.edu.cn/files/1", None),  # userinfo, even on our host
        ("https://evil.example\\@oa.example.edu.cn/", None),  # parser differential bait
        ("https://evil.example#@oa.example.edu.cn/", None),
        ("https://оа.example.edu.cn/files/1", None),  # Cyrillic о and а: a homoglyph host
        ("https://xn--80a1a.example.edu.cn/files/1", None),  # the same, as punycode
        ("https://ｏａ.example.edu.cn/files/1", None),  # full-width: not a valid IDNA name
        ("//evil.example/files/1", None),  # protocol-relative
        ("//oa.example.edu.cn:8443/files/1", None),
        ("https://[::1]/files/1", None),
        ("https://127.0.0.1/files/1", None),
    ],
)  # fmt: skip
def test_which_urls_are_on_the_oa_origin(url: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(OaOriginRefused) as info:
            same_origin_target(BASE, url)
        assert info.value.code == "foreign_origin" and "拒绝访问 OA 以外的地址" in str(info.value)
    else:
        assert str(same_origin_target(BASE, url)) == expected


_PIECES = st.sampled_from(
    ["https:", "http:", "//", "/", "@", ":", "443", "8443", ".", "\\", "#", "?", "%40",
     "oa.example.edu.cn", "evil.example", "оа", "xn--80a1a", "user", "[::1]", "api", "..", " "]
)  # fmt: skip


@given(st.lists(_PIECES, max_size=8).map("".join) | st.text(max_size=40))
@example("https:////https:https:")  # resolving it once raised ValueError (a port "https:")
def test_a_resolved_url_is_always_on_the_origin(url: str) -> None:
    """Whatever the feed writes: refused, or a URL on the OA's origin with no user information."""
    try:
        target = same_origin_target(BASE, url)
    except OaOriginRefused:
        return
    assert (target.scheme, target.raw_host, target.port) == ("https", b"oa.example.edu.cn", None)
    assert not target.userinfo


# Against the simulator and the attacker's origins ---------------------------------------------


def test_same_origin_urls_carry_the_token(client: OaClient, sim: OaSimulator) -> None:
    assert client.get_bytes(ATTACHMENT) == BLOB
    assert client.get_bytes(f"{sim.url}{ATTACHMENT}") == BLOB
    assert client.get_bytes(f"http://127.0.0.1:{sim.port}{ATTACHMENT}?download=1") == BLOB


FOREIGN: list[Callable[[Evil, int], str]] = [
    lambda e, port: f"{e.other_host}{ATTACHMENT}",
    lambda e, port: f"{e.other_port}{ATTACHMENT}",
    lambda e, port: f"https://127.0.0.1:{port}{ATTACHMENT}",  # other scheme, our host and port
    lambda e, port: f"http://127.0.0.1:{port}@127.0.0.2:{port}{ATTACHMENT}",  # userinfo trick
    lambda e, port: f"http://127.0.0.1:{port}:x@127.0.0.2:{port}/",
    lambda e, port: f"http://user@127.0.0.1:{port}{ATTACHMENT}",
    lambda e, port: f"//127.0.0.2:{port}{ATTACHMENT}",  # protocol-relative
    lambda e, port: f"http://localhost:{port}{ATTACHMENT}",  # same machine, another name
    lambda e, port: f"http://[::1]:{port}{ATTACHMENT}",
    lambda e, port: f"http://127.0.0.1.:{port}{ATTACHMENT}",
    lambda e, port: f"http://оа.example:{port}{ATTACHMENT}",  # homoglyph host
]


@pytest.mark.parametrize("form", range(len(FOREIGN)))
def test_a_feed_url_on_another_origin_is_refused_and_reaches_nobody(
    client: OaClient, sim: OaSimulator, evil: Evil, form: int
) -> None:
    """An attachment URL or a paging link (`next`) the feed names, on another origin."""
    url = FOREIGN[form](evil, sim.port)
    with pytest.raises(OaOriginRefused):
        client.get_bytes(url)
    with pytest.raises(OaOriginRefused):
        client.request("GET", url, params={"page": 2})  # a `next` link
    assert evil.seen == []
    assert client.get_bytes(ATTACHMENT) == BLOB  # the OA itself still works


REDIRECTS: list[Callable[[Evil, int], str]] = [
    lambda e, port: f"{e.other_host}{ATTACHMENT}",
    lambda e, port: f"{e.other_port}{ATTACHMENT}",
    lambda e, port: f"//127.0.0.2:{port}{ATTACHMENT}",
    lambda e, port: f"https://127.0.0.1:{port}{ATTACHMENT}",  # the http→https upgrade httpx allows
    lambda e, port: f"http://127.0.0.1:{port}@127.0.0.2:{port}{ATTACHMENT}",
    lambda e, port: f"http://localhost:{port}{ATTACHMENT}",
]


@pytest.mark.parametrize("form", range(len(REDIRECTS)))
def test_a_redirect_to_another_origin_is_not_followed(
    client: OaClient, sim: OaSimulator, evil: Evil, form: int
) -> None:
    sim.redirects["/api/v1/files/1"] = REDIRECTS[form](evil, sim.port)
    with pytest.raises(OaOriginRefused):
        client.get_bytes("/api/v1/files/1")
    assert evil.seen == []


def test_a_redirect_within_the_origin_is_followed_with_the_token(
    client: OaClient, sim: OaSimulator, evil: Evil
) -> None:
    sim.redirects["/api/v1/files/1"] = "/api/v1/files/2"
    sim.redirects["/api/v1/files/2"] = f"{sim.url}{ATTACHMENT}"
    assert client.get_bytes("/api/v1/files/1") == BLOB
    assert evil.seen == []


def test_a_redirect_loop_ends(client: OaClient, sim: OaSimulator) -> None:
    sim.redirects["/api/v1/files/1"] = "/api/v1/files/1"
    with pytest.raises(OaRequestError, match="重定向"):
        client.get_bytes("/api/v1/files/1")


def test_the_recording_origins_do_record(evil: Evil) -> None:
    """The attacker's servers are real: a direct request with a header is seen."""
    httpx.get(f"{evil.other_host}/x", headers={"Authorization": "Bearer probe"})
    httpx.get(f"{evil.other_port}/y")
    assert evil.seen == [("GET", "/x", "Bearer probe"), ("GET", "/y", "")]


# End to end: a pull whose petition names an attachment elsewhere ------------------------------


def oa_deployment(tmp_config: Callable[..., Path], base_url: str, **kw: Any) -> Path:
    """A deployment whose oa.toml (the sample) points at `base_url`; returns oa.toml's path."""
    oa_toml = tmp_config(**kw) / "oa.toml"
    text = oa_toml.read_text("utf-8").replace("http://127.0.0.1:8711", base_url)
    oa_toml.write_text(text, "utf-8")
    return oa_toml


def test_pull_records_the_petition_without_the_foreign_attachment(
    sim: OaSimulator,
    evil: Evil,
    tmp_config: Callable[..., Path],
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert sim.store is not None
    sim.store.seed(3)
    attachments = [
        {"name": "好.txt", "content_type": "text/plain", "sha256": SHA, "url": ATTACHMENT},
        {
            "name": "坏.txt",
            "content_type": "text/plain",
            "sha256": hashlib.sha256(b"other bytes").hexdigest(),
            "url": f"http://127.0.0.1:{sim.port}@127.0.0.2:{sim.port}{ATTACHMENT}",
        },
        {
            "name": "远.txt",
            "content_type": "text/plain",
            "sha256": hashlib.sha256(b"evil bytes").hexdigest(),
            "url": f"{evil.other_port}/files/1",
        },
    ]
    with sim.store.tx() as db:
        db.execute(
            "UPDATE petitions SET attachments = ? WHERE petition_id = 'XF00000001'",
            (json.dumps(attachments, ensure_ascii=False),),
        )
    oa_toml = oa_deployment(tmp_config, sim.url, database_url=db_url)
    monkeypatch.setenv("XINXIANG_OA_SECRET", SECRET)
    cfg = load_config(oa_toml.parent)
    ctx = AppContext(cfg)
    upgrade(ctx.db)
    try:
        with caplog.at_level(logging.WARNING):
            result = oa_pull(ctx, T0, settings=load_oa_for(cfg), client_options=FAST)
        assert result.completed, result.error
        with ctx.db.unit_of_work() as s:
            letter = s.execute(
                select(LetterRow).where(LetterRow.external_id == "XF00000001")
            ).scalar_one()
            names = s.execute(
                select(AttachmentRow.filename).where(AttachmentRow.letter_id == letter.id)
            ).scalars()
            assert sorted(names) == ["好.txt"]
            assert "oa-attachment-missing: 坏.txt" in letter.defects
            assert "oa-attachment-missing: 远.txt" in letter.defects
    finally:
        ctx.close()
    assert evil.seen == []
    assert any("拒绝访问 OA 以外的地址" in r.getMessage() for r in caplog.records)


# http:// only to a loopback OA ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("base_url", "ok"),
    [
        ("http://127.0.0.1:8711", True),
        ("http://[::1]:8711", True),
        ("http://localhost:8711", True),
        ("http://127.5.5.5", True),
        ("https://oa.example.edu.cn", True),
        ("https://10.1.2.3:8443", True),
        ("http://0.0.0.0:8711", False),
        ("http://oa.example.edu.cn", False),
        ("http://10.1.2.3:8080", False),
    ],
)
def test_http_oa_only_on_loopback(tmp_config: Callable[..., Path], base_url: str, ok: bool) -> None:
    """Config validation: none of these is contacted."""
    oa_toml = oa_deployment(tmp_config, base_url)
    cfg = load_config(oa_toml.parent)
    if ok:
        assert load_oa_for(cfg).oa.base_url == base_url
        return
    with pytest.raises(ConfigError) as info:
        load_oa_for(cfg)
    assert (info.value.file, info.value.key) == (str(oa_toml), "oa.base_url")
    assert "not loopback" in info.value.reason


def test_http_to_a_remote_oa_needs_the_logged_override(
    tmp_config: Callable[..., Path], caplog: pytest.LogCaptureFixture
) -> None:
    oa_toml = oa_deployment(tmp_config, "http://oa.example.edu.cn")
    text = oa_toml.read_text("utf-8")
    assert "insecure_remote_plaintext = false" in text
    oa_toml.write_text(text.replace("remote_plaintext = false", "remote_plaintext = true"), "utf-8")
    with caplog.at_level(logging.WARNING, logger="xinxiang.config"):
        load_oa_for(load_config(oa_toml.parent))
    assert any(
        "INSECURE" in r.getMessage() and "oa.example.edu.cn" in r.getMessage()
        for r in caplog.records
    )
