"""Specification of scale-out: two worker hosts on PostgreSQL + RedisHuey drain one mailbox
with nothing done twice, and a host that dies mid-read is taken over.

Two hosts are two network namespaces with their own hostnames, made by the test itself
(`netns_hosts.HostNetwork`); PostgreSQL, Redis, Dovecot and the SMTP server are instances of
their own on the test bridge's address, the only way the hosts reach them. 2,000 letters; the
host reading the mailbox is SIGKILLed (with its children) once a third of the tickets exist,
and started again. The long version, 20,000 letters, is `bench/bench_scaleout.py --netns`.

One thing is allowed to happen twice, and only at the SMTP level: a mail the killed host had
handed to the SMTP server but not yet recorded as sent is sent again by the other host with the
*same* Message-ID (the receiving side sees one message twice, never two messages). That is at
most the mails of one recording interval (50 ms) per sending thread of the killed host.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from netns_hosts import netns_unavailable, postgres_bin
from scaleout_hosts import TwoHostRun, run_two_hosts

N = 2000
# Sending threads of a host (smtp.send_workers 4) × mails one thread sends in 50 ms, generously.
REDELIVERED_AT_MOST = 4 * 10


@pytest.fixture(scope="module")
def two_host_run(tmp_path_factory: pytest.TempPathFactory) -> TwoHostRun:
    """One run of the scenario, shared by the specifications below."""
    reason = netns_unavailable()
    if reason is None and postgres_bin() is None:
        reason = "PostgreSQL server binaries (initdb, pg_ctl) are not installed"
    if reason is not None:
        if os.environ.get("XINXIANG_REQUIRE_SERVERS") == "1":
            pytest.fail(f"two-host test cannot run: {reason}")
        pytest.skip(reason)
    tmp: Path = tmp_path_factory.mktemp("two-hosts")
    return run_two_hosts(tmp, N, timeout=480)


@pytest.mark.timeout(600)  # the run is made in this test's setup: about a minute on 2 idle cores
def test_both_hosts_drain_the_mailbox_and_a_killed_host_is_taken_over(
    two_host_run: TwoHostRun,
) -> None:
    run = two_host_run
    facts = "\n".join(run.lines())
    assert run.killed_host, f"no host was reading when a third of the tickets existed\n{facts}"
    assert run.drained, f"not drained within the time limit\n{facts}"
    assert run.letters == run.tickets == N, facts
    assert run.still_received == 0, facts
    for host in ("w1", "w2"):
        assert run.created[host] > 0, f"{host} created no ticket\n{facts}"
        assert run.sent[host] > 0, f"{host} sent no mail\n{facts}"


def test_nothing_is_done_twice(two_host_run: TwoHostRun) -> None:
    run = two_host_run
    facts = "\n".join(run.lines())
    assert run.letters_stored_twice == 0, facts
    assert run.letters_with_two_tickets == 0, facts
    assert run.outbox_rows_twice == 0, facts  # no ticket has two receipts or two dispatch mails
    assert run.receipts_missing == 0, facts
    assert run.receipts_twice == 0, facts  # each petitioner got one receipt (one Message-ID)
    assert run.dispatched_tickets > N // 2, facts
    assert run.dispatch_mails == run.dispatched_tickets, facts
    assert run.outbox_unsent == 0 and run.sent_rows_not_received == 0, facts
    assert run.received_not_in_outbox == 0, facts
    assert run.redelivered <= REDELIVERED_AT_MOST, facts
