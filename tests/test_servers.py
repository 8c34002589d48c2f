"""The test servers behave like the real services the system talks to."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import pytest
import sqlalchemy as sa

from servers import DovecotServer, ImapAccount, SmtpSink, tls_cert_available
from xinxiang.config import load_config

RAW = (
    b"From: =?utf-8?b?5byg5LiJ?= <zhangsan@stu.example.edu.cn>\r\n"
    b"To: mailbox@example.edu.cn\r\n"
    b"Subject: test\r\n"
    b"Message-ID: <t1@stu.example.edu.cn>\r\n"
    b"\r\n"
    b"hello\r\n"
)


def _raw(n: int) -> bytes:
    return RAW.replace(b"<t1@", f"<t{n}@".encode())


# --------------------------------------------------------------------------- Dovecot


def test_append_then_fetch_returns_the_same_bytes(imap_account: ImapAccount) -> None:
    uid = imap_account.append(RAW)
    assert imap_account.list_uids() == [uid]
    assert imap_account.fetch_all() == [RAW]


def test_a_fresh_account_has_empty_inbox_and_the_special_folders(
    imap_account: ImapAccount, dovecot: DovecotServer
) -> None:
    assert imap_account.folder_count("INBOX") == 0
    assert {"INBOX", "Processed", "Quarantine"} <= set(dovecot.folders(user=imap_account.user))


def test_server_offers_idle_move_and_uidplus(imap_account: ImapAccount) -> None:
    with imap_account.client() as c:
        assert {b"IDLE", b"MOVE", b"UIDPLUS"} <= set(c.capabilities())


def test_move_to_processed(imap_account: ImapAccount) -> None:
    uid = imap_account.append(RAW)
    with imap_account.client() as c:
        c.select_folder("INBOX")
        c.move([uid], "Processed")
    assert imap_account.folder_count("INBOX") == 0
    assert imap_account.fetch_all("Processed") == [RAW]


def test_fetch_all_does_not_mark_messages_seen(imap_account: ImapAccount) -> None:
    uid = imap_account.append(RAW)
    imap_account.fetch_all()
    with imap_account.client() as c:
        c.select_folder("INBOX", readonly=True)
        assert b"\\Seen" not in c.get_flags([uid])[uid]


def test_lmtp_delivery_lands_in_inbox(imap_account: ImapAccount) -> None:
    imap_account.deliver(RAW)
    [got] = imap_account.fetch_all()
    assert got.endswith(b"\r\n\r\nhello\r\n")
    assert b"Message-ID: <t1@stu.example.edu.cn>" in got


def test_restart_keeps_port_and_messages(imap_account: ImapAccount, dovecot: DovecotServer) -> None:
    imap_account.append(_raw(1))
    imap_account.append(_raw(2), "Processed")
    port = dovecot.imap_port
    dovecot.restart()
    assert dovecot.imap_port == port
    assert imap_account.fetch_all() == [_raw(1)]
    assert imap_account.fetch_all("Processed") == [_raw(2)]


def test_stopped_server_refuses_connections_until_started(
    imap_account: ImapAccount, dovecot: DovecotServer
) -> None:
    dovecot.stop()
    try:
        with pytest.raises(ConnectionRefusedError):
            imap_account.client()
    finally:
        dovecot.start()
    assert imap_account.folder_count() == 0


def test_accounts_are_isolated(dovecot: DovecotServer) -> None:
    a, b = dovecot.new_account(), dovecot.new_account()
    a.append(RAW)
    assert (a.folder_count(), b.folder_count()) == (1, 0)


def test_standalone_server_as_context_manager() -> None:
    with DovecotServer() as server:
        assert server.running
        server.append(RAW)
        assert server.folder_count() == 1
        directory = server.dir
    assert not server.running
    assert not directory.exists()


# --------------------------------------------------------------------------- SMTP sink


def _mail(to: str = "zhangsan@stu.example.edu.cn") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "xinxiang@example.edu.cn"
    msg["To"] = to
    msg["Subject"] = "受理回执"
    msg.set_content("您的来信已受理。")
    return msg


def _send(sink: SmtpSink, msg: EmailMessage, **kwargs: object) -> None:
    asyncio.run(
        aiosmtplib.send(msg, hostname=sink.host, port=sink.port, timeout=10, **kwargs)  # type: ignore[arg-type]
    )


def test_sink_records_envelope_and_raw_bytes(smtp_sink: SmtpSink) -> None:
    _send(smtp_sink, _mail(), start_tls=False)
    [got] = smtp_sink.wait_for(1)
    assert got.mail_from == "xinxiang@example.edu.cn"
    assert got.rcpt_tos == ("zhangsan@stu.example.edu.cn",)
    assert got.parsed()["Subject"] == "受理回执"
    assert "您的来信已受理" in got.parsed().get_content()
    assert smtp_sink.directory is not None
    assert [p.read_bytes() for p in sorted(smtp_sink.directory.iterdir())] == [got.data]


def test_sink_filters_by_recipient(smtp_sink: SmtpSink) -> None:
    _send(smtp_sink, _mail("a@example.com"), start_tls=False)
    _send(smtp_sink, _mail("b@example.com"), start_tls=False)
    smtp_sink.wait_for(2)
    assert [m.rcpt_tos for m in smtp_sink.messages(rcpt="B@example.com")] == [("b@example.com",)]


def test_sink_down_refuses_then_comes_back_on_the_same_port(smtp_sink: SmtpSink) -> None:
    port = smtp_sink.port
    smtp_sink.stop()
    with pytest.raises(aiosmtplib.SMTPConnectError):
        _send(smtp_sink, _mail(), start_tls=False)
    smtp_sink.start()
    assert smtp_sink.port == port
    _send(smtp_sink, _mail(), start_tls=False)
    assert len(smtp_sink.wait_for(1)) == 1


def test_sink_can_refuse_with_a_temporary_error(smtp_sink: SmtpSink) -> None:
    smtp_sink.failure = "451 4.3.0 Try again later"
    with pytest.raises(aiosmtplib.SMTPResponseException) as err:
        _send(smtp_sink, _mail(), start_tls=False)
    assert err.value.code == 451
    smtp_sink.failure = None
    _send(smtp_sink, _mail(), start_tls=False)
    assert len(smtp_sink.messages()) == 1


def test_wait_for_times_out_with_the_count(smtp_sink: SmtpSink) -> None:
    with pytest.raises(TimeoutError, match="0 of 1"):
        smtp_sink.wait_for(1, timeout=0.05)


@pytest.mark.skipif(not tls_cert_available(), reason="no cryptography package and no openssl CLI")
def test_sink_with_starttls_and_a_verified_self_signed_cert(tmp_path: Path) -> None:
    with SmtpSink(starttls=True, require_starttls=True) as sink:
        ctx = sink.client_tls_context()
        _send(sink, _mail(), start_tls=True, tls_context=ctx)
        assert len(sink.wait_for(1)) == 1
        with pytest.raises((aiosmtplib.SMTPException, ssl.SSLError)):
            # The default trust store does not know the self-signed certificate.
            _send(sink, _mail(), start_tls=True, tls_context=ssl.create_default_context())


# --------------------------------------------------------------------------- databases


def test_pg_url_is_a_fresh_database(pg_url: str) -> None:
    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(sa.text("select current_database()")).startswith("xx_test_")
            tables = conn.scalar(
                sa.text(
                    "select count(*) from information_schema.tables where table_schema='public'"
                )
            )
            assert tables == 0
    finally:
        engine.dispose()


def test_redis_url_is_an_empty_db(redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        assert client.dbsize() == 0
        client.set("xx-test", "1")
        assert client.get("xx-test") == b"1"
    finally:
        client.close()


def test_db_url_connects(db_url: str) -> None:
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(sa.text("select 1")) == 1
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- deployments


def test_tmp_config_builds_a_valid_deployment(
    tmp_config: Callable[..., Path], imap_account: ImapAccount, smtp_sink: SmtpSink
) -> None:
    cfg = load_config(tmp_config(imap=imap_account, smtp=smtp_sink))
    [src] = cfg.settings.sources
    assert (src.host, src.port, src.username) == (
        imap_account.host,
        imap_account.port,
        imap_account.user,
    )
    assert (src.security, src.allow_plaintext) == ("plain", True)
    assert cfg.source_password(src) == imap_account.password
    assert (cfg.settings.smtp.port, cfg.settings.smtp.security) == (smtp_sink.port, "plain")
    assert len(cfg.token_key()) >= 16
    assert len(cfg.departments) == 16
    assert cfg.database_url.startswith("sqlite:///")


def test_tmp_config_without_servers_writes_mail_to_a_directory(
    tmp_config: Callable[..., Path], tmp_path: Path
) -> None:
    cfg = load_config(
        tmp_config(maildir=tmp_path / "Maildir", overrides={"ack": {"max_per_sender_per_hour": 9}})
    )
    assert cfg.settings.smtp.transport == "directory"
    assert [s.kind for s in cfg.settings.sources] == ["maildir"]
    assert cfg.settings.ack.max_per_sender_per_hour == 9
