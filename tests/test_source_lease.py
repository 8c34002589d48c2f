"""Specification of source leases: one worker at a time reads a mailbox; a dead holder's lease
is taken over once it expires. Real processes compete on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from xinxiang.services.leases import acquire, release, renew
from xinxiang.store.db import Database
from xinxiang.store.migrate import upgrade

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
TTL = timedelta(seconds=60)


@pytest.fixture
def db(db_url: str) -> Database:
    database = Database(db_url)
    upgrade(database)
    return database


# (seconds after T0, worker, action, expected result)
STEPS = [
    (0, "A", "acquire", True),
    (0, "B", "acquire", False),  # A holds it
    (30, "A", "renew", True),  # now valid until 90
    (89, "B", "acquire", False),
    (91, "B", "acquire", True),  # A stopped renewing: expired, taken over
    (91, "A", "renew", False),  # A learns it lost the lease
    (92, "A", "acquire", False),
    (93, "B", "release", None),
    (93, "A", "acquire", True),  # released: free at once
    (94, "A", "acquire", True),  # acquiring what one holds renews it
]


def test_the_lease_goes_to_one_holder_and_over_on_expiry(tmp_path: Path) -> None:
    """The statements are plain SQL; the process tests below run them on PostgreSQL too."""
    db = Database(f"sqlite:///{tmp_path / 'lease.db'}")
    upgrade(db)
    for at, who, action, expected in STEPS:
        now = T0 + timedelta(seconds=at)
        if action == "acquire":
            got: bool | None = acquire(db, "shuji", who, now, TTL)
        elif action == "renew":
            got = renew(db, "shuji", who, now, TTL)
        else:
            release(db, "shuji", who)
            got = None
        assert got is expected, (at, who, action)
    assert acquire(db, "xiaozhang", "B", T0, TTL)  # one lease per source


def test_a_holder_that_died_on_this_host_is_taken_over_at_once(tmp_path: Path) -> None:
    """A worker killed and restarted on one host need not wait for its old lease to expire."""
    db = Database(f"sqlite:///{tmp_path / 'lease.db'}")
    upgrade(db)
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = f"{socket.gethostname()}:{gone.stdout.strip()}:0000"
    alive = f"{socket.gethostname()}:{os.getpid()}:0000"
    assert acquire(db, "shuji", alive, T0, TTL)
    assert not acquire(db, "shuji", "restarted", T0, TTL)  # a live holder keeps it
    release(db, "shuji", alive)
    assert acquire(db, "shuji", dead, T0, TTL)
    assert acquire(db, "shuji", "restarted", T0, TTL)  # its process is gone: taken at once


WORKER = textwrap.dedent(
    """
    import json, sys, time
    from xinxiang.services.leases import SourceLease
    from xinxiang.store.db import Database

    url, name, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    db = Database(url)
    print("ready", flush=True)
    sys.stdin.readline()  # go
    held = []
    stop, give_up = time.time() + seconds, time.time() + 30
    # Under load a process may get no turn in `seconds`: it goes on until its first turn.
    while time.time() < stop or (not held and time.time() < give_up):
        with SourceLease(db, "shuji", holder=name, seconds=5) as ok:
            if ok:
                t0 = time.time()
                time.sleep(0.02)  # reading the mailbox
                held.append((t0, time.time()))
        time.sleep(0.01)
    print(json.dumps(held), flush=True)
    if name == "worker-1":  # then, told to, holds the mailbox until killed (a 1-s lease)
        sys.stdin.readline()
        with SourceLease(db, "shuji", holder=name, seconds=1) as ok:
            print("held" if ok else "refused", flush=True)
            time.sleep(60)
    """
)


def _env() -> dict[str, str]:
    src = str(Path(__file__).resolve().parents[1] / "src")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}


def test_two_processes_take_turns_and_a_killed_holder_is_taken_over(
    db: Database, db_url: str
) -> None:
    """Two worker processes compete for one mailbox for 0.8 s: both get turns, never at once.
    Then worker 1 holds it and is SIGKILLed: nobody can take it while its renewals run, and
    once they stop the lease expires and another worker takes the mailbox over."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, db_url, name, "0.8"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        for name in ("worker-1", "worker-2")
    ]
    try:
        outs = [p.stdout for p in procs]
        assert all(o is not None and o.readline().strip() == "ready" for o in outs)
        for p in procs:
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        held = [json.loads(o.readline()) for o in outs if o is not None]
        assert held[0] and held[1], "both workers read the mailbox at some point"
        for a0, a1 in held[0]:
            for b0, b1 in held[1]:
                assert a1 <= b0 or b1 <= a0, "two holders at once"

        assert procs[1].wait(30) == 0
        assert procs[0].stdin is not None and outs[0] is not None
        procs[0].stdin.write("hold\n")
        procs[0].stdin.flush()
        assert outs[0].readline().strip() == "held"
        time.sleep(1.1)  # longer than the lease: only the holder's renewals keep it
        assert not acquire(db, "shuji", "survivor", datetime.now(UTC), TTL)
    finally:
        for p in procs:
            p.send_signal(signal.SIGKILL)
            p.wait(10)
    killed = time.monotonic()
    while not acquire(db, "shuji", "survivor", datetime.now(UTC), TTL):
        assert time.monotonic() - killed < 5, "the dead holder's lease never expired"
        time.sleep(0.05)
