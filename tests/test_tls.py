"""TLS is verified by default: a server whose certificate we do not trust is refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from servers import SmtpSink, tls_cert_available
from xinxiang.replies.transport import SmtpTransport, TransportError

pytestmark = pytest.mark.skipif(not tls_cert_available(), reason="no way to make a certificate")

RAW = (
    b"From: xinxiang@example.edu.cn\r\nTo: a@b.cn\r\nSubject: t\r\nMessage-ID: <t@x>\r\n\r\nhi\r\n"
)


@pytest.fixture
def tls_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink(starttls=True, require_starttls=True).start()
    try:
        yield sink
    finally:
        sink.close()


def test_starttls_to_an_untrusted_certificate_is_refused(tls_sink: SmtpSink) -> None:
    transport = SmtpTransport(tls_sink.host, tls_sink.port, "starttls", timeout=10)
    with pytest.raises(TransportError, match=r"(?i)certificate"):
        transport.send("xinxiang@example.edu.cn", ["a@b.cn"], RAW, "<t@x>")
    assert tls_sink.messages() == []


def test_starttls_with_the_configured_ca_delivers(tls_sink: SmtpSink) -> None:
    assert tls_sink.cert_path is not None
    transport = SmtpTransport(
        tls_sink.host, tls_sink.port, "starttls", ca_file=str(tls_sink.cert_path), timeout=10
    )
    transport.send("xinxiang@example.edu.cn", ["a@b.cn"], RAW, "<t@x>")
    assert len(tls_sink.wait_for(1)) == 1


def test_plaintext_is_refused_by_config_unless_explicitly_allowed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from xinxiang.config import load_config
    from xinxiang.errors import ConfigError

    (tmp_path / "xinxiang.toml").write_text(
        '[smtp]\nsecurity = "plain"\nhost = "smtp.example.edu.cn"\n', encoding="utf-8"
    )
    import shutil
    from pathlib import Path

    shutil.copy(Path(__file__).resolve().parents[1] / "config" / "departments.toml", tmp_path)
    with pytest.raises(ConfigError, match="allow_plaintext"):
        load_config(tmp_path)
