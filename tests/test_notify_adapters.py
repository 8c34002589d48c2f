"""Each notifier against a local simulator of its API: token fetch and expiry, rate limits,
error codes, signatures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from notify_sims import Clock, Sim, SimServer, dingtalk_route, webhook_route, wecom_route
from xinxiang.config import DingtalkChannel, WebhookChannel, WecomChannel
from xinxiang.notify.base import Notifier, NotifyError
from xinxiang.notify.dingtalk import DingtalkNotifier
from xinxiang.notify.webhook import WebhookNotifier
from xinxiang.notify.wecom import WecomNotifier

T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as c:
        yield c


@pytest.fixture(params=["wecom", "dingtalk"])
def platform(
    request: pytest.FixtureRequest, clock: Clock, client: httpx.Client
) -> Iterator[tuple[Sim, Notifier]]:
    sim = Sim(clock)
    if request.param == "wecom":
        server = SimServer(sim, wecom_route)
        notifier: Notifier = WecomNotifier(
            WecomChannel(corp_id="ww-corp", agent_id=1000002, secret_env="X", base_url=server.url),
            "s3cret",
            client,
            clock,
        )
    else:
        server = SimServer(sim, dingtalk_route)
        notifier = DingtalkNotifier(
            DingtalkChannel(
                app_key="ding-key", agent_id=2001, app_secret_env="X", base_url=server.url
            ),
            "s3cret",
            client,
            clock,
        )
    try:
        yield sim, notifier
    finally:
        server.close()


def _content(msg: dict[str, object]) -> object:
    text = msg.get("text") or msg["msg"]["text"]  # type: ignore[index]
    return text["content"]  # type: ignore[index]


def test_token_is_fetched_once_and_reused(platform: tuple[Sim, Notifier], clock: Clock) -> None:
    sim, notifier = platform
    for _ in range(3):
        notifier.send("zhangsan", "工单 X1")
        clock.advance(seconds=30)
    assert sim.token_fetches == 1
    assert [_content(m) for m in sim.sent] == ["工单 X1"] * 3


def test_token_is_refetched_before_expiry(platform: tuple[Sim, Notifier], clock: Clock) -> None:
    sim, notifier = platform
    notifier.send("zhangsan", "a")
    clock.advance(seconds=7200 - 60)  # inside the margin: fetched again before it runs out
    notifier.send("zhangsan", "b")
    assert sim.token_fetches == 2
    assert len(sim.sent) == 2


def test_token_the_platform_calls_expired_is_refetched_once(
    platform: tuple[Sim, Notifier], clock: Clock
) -> None:
    sim, notifier = platform
    notifier.send("zhangsan", "a")
    sim.tokens.clear()  # the platform forgot it (restart, secret reset): 40014
    notifier.send("zhangsan", "b")
    assert sim.token_fetches == 2
    assert len(sim.sent) == 2


@pytest.mark.parametrize("code", [42001, 40014])
def test_token_expired_twice_is_a_retryable_error(
    platform: tuple[Sim, Notifier], code: int
) -> None:
    sim, notifier = platform
    sim.force_errcode = [code, code]
    with pytest.raises(NotifyError) as err:
        notifier.send("zhangsan", "a")
    assert err.value.retryable
    assert sim.token_fetches == 2  # once more, never in a loop


def test_per_member_rate_limit_backs_off(platform: tuple[Sim, Notifier], clock: Clock) -> None:
    sim, notifier = platform
    for i in range(30):
        notifier.send("zhangsan", f"m{i}")
    with pytest.raises(NotifyError) as err:
        notifier.send("zhangsan", "m30")
    assert err.value.retryable and err.value.retry_after == 60
    notifier.send("lisi", "other member is not limited")
    clock.advance(seconds=61)
    notifier.send("zhangsan", "after a minute")
    assert len(sim.sent) == 32


@pytest.mark.parametrize(
    ("wecom_code", "ding_code", "retryable"),
    [
        (45009, 90018, True),  # API frequency
        (-1, -1, True),  # 系统繁忙
        (60020, 33012, False),  # IP not allowed / invalid user
        (81013, 40000, False),  # user not found / bad parameter
    ],
)
def test_error_codes(
    platform: tuple[Sim, Notifier], wecom_code: int, ding_code: int, retryable: bool
) -> None:
    sim, notifier = platform
    code = wecom_code if notifier.channel == "wecom" else ding_code
    sim.force_errcode = [code]
    with pytest.raises(NotifyError) as err:
        notifier.send("zhangsan", "a")
    assert err.value.retryable is retryable
    assert f"errcode {code}" in str(err.value)


def test_wrong_secret_is_a_final_clear_error(platform: tuple[Sim, Notifier]) -> None:
    sim, notifier = platform
    sim.secret = "rotated"
    with pytest.raises(NotifyError) as err:
        notifier.send("zhangsan", "a")
    assert not err.value.retryable
    assert "gettoken" in str(err.value)


def test_dead_platform_is_retryable(clock: Clock, client: httpx.Client) -> None:
    sim = Sim(clock)
    server = SimServer(sim, wecom_route)
    url = server.url
    server.close()
    notifier = WecomNotifier(
        WecomChannel(corp_id="ww-corp", agent_id=1, secret_env="X", base_url=url),
        "s3cret",
        client,
        clock,
    )
    with pytest.raises(NotifyError) as err:
        notifier.send("zhangsan", "a")
    assert err.value.retryable


@pytest.fixture
def webhook(clock: Clock, client: httpx.Client) -> Iterator[tuple[Sim, SimServer]]:
    sim = Sim(clock, secret="hook-secret")
    server = SimServer(sim, webhook_route)
    try:
        yield sim, server
    finally:
        server.close()


def test_webhook_posts_signed_json(webhook: tuple[Sim, SimServer], clock: Clock, client) -> None:
    sim, server = webhook
    hook = WebhookNotifier(WebhookChannel(url=server.url + "/sms"), "hook-secret", client, clock)
    hook.send("13800000000", "工单 X1 逾期")
    assert sim.sent == [{"recipient": "13800000000", "text": "工单 X1 逾期"}]


def test_webhook_with_wrong_secret_is_refused_finally(
    webhook: tuple[Sim, SimServer], clock: Clock, client: httpx.Client
) -> None:
    _sim, server = webhook
    hook = WebhookNotifier(WebhookChannel(url=server.url), "forged", client, clock)
    with pytest.raises(NotifyError) as err:
        hook.send("x", "y")
    assert not err.value.retryable and "401" in str(err.value)


@pytest.mark.parametrize(("status", "retryable"), [(429, True), (503, True), (400, False)])
def test_webhook_statuses(
    webhook: tuple[Sim, SimServer], clock: Clock, client: httpx.Client, status: int, retryable: bool
) -> None:
    sim, server = webhook
    sim.force_status = [status]
    hook = WebhookNotifier(WebhookChannel(url=server.url), "hook-secret", client, clock)
    with pytest.raises(NotifyError) as err:
        hook.send("x", "y")
    assert err.value.retryable is retryable
