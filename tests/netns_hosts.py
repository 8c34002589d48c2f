"""Separate hosts on one machine, for tests and benches: network namespaces, a bridge, and
PostgreSQL and Redis servers of their own on the bridge's address.

`HostNetwork` makes a Linux bridge in this (the server host's) namespace with one address, and
one network namespace per worker host joined to it by a veth pair, each with its own address
(all in a /24 of 10.0.0.0/8 chosen at random and checked unused, names unique per run). A
process started with `HostNetwork.popen` runs inside its host's namespace with a hostname of
its own (a UTS namespace from `unshare`), so to our code it is another machine: it reaches the
servers only over the bridge, and it cannot tell a process of another host by its pid.

The machine's own PostgreSQL and Redis listen on loopback only, which another namespace cannot
reach; `PostgresServer` (initdb + pg_ctl, as the `postgres` user when we are root) and
`RedisServer` start throwaway instances on the bridge's address instead. Everything is torn
down by `close()` (namespaces, links, server processes, directories), also after a failure.

Needs root (or CAP_NET_ADMIN and CAP_SYS_ADMIN) and iproute2; `netns_unavailable()` says why
not when they are missing.
"""

from __future__ import annotations

import contextlib
import glob
import ipaddress
import os
import pwd
import random
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from servers import free_port, port_open  # type: ignore[import-not-found]

IP = shutil.which("ip") or "/usr/sbin/ip"
UNSHARE = shutil.which("unshare") or "/usr/bin/unshare"


def _run(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, check=check, timeout=30)


def netns_unavailable() -> str | None:
    """None when this process may make network namespaces, bridges and UTS namespaces; else
    the reason (for a skip message)."""
    if not (os.access(IP, os.X_OK) and os.access(UNSHARE, os.X_OK)):
        return "iproute2 (ip) or util-linux (unshare) is not installed"
    tag = secrets.token_hex(3)
    ns, bridge = f"xx-probe-{tag}", f"xxpb{tag}"
    try:
        made = _run(IP, "netns", "add", ns, check=False)
        if made.returncode != 0:
            return f"`ip netns add` is not permitted here: {made.stderr.strip()}"
        uts = _run(IP, "netns", "exec", ns, UNSHARE, "--uts", "true", check=False)
        if uts.returncode != 0:
            return f"`unshare --uts` is not permitted here: {uts.stderr.strip()}"
        link = _run(IP, "link", "add", bridge, "type", "bridge", check=False)
        if link.returncode != 0:
            return f"`ip link add … type bridge` is not permitted here: {link.stderr.strip()}"
    finally:
        _run(IP, "link", "del", bridge, check=False)
        _run(IP, "netns", "del", ns, check=False)
    return None


def _used_networks() -> list[ipaddress.IPv4Network]:
    out = _run(IP, "-4", "-o", "addr", "show", check=False).stdout
    nets = []
    for line in out.splitlines():
        parts = line.split()
        if "inet" in parts:
            nets.append(ipaddress.IPv4Interface(parts[parts.index("inet") + 1]).network)
    routes = _run(IP, "-4", "route", "show", check=False).stdout
    for line in routes.splitlines():
        first = line.split()[0] if line.split() else ""
        with contextlib.suppress(ValueError):
            if first != "default":
                nets.append(ipaddress.IPv4Network(first, strict=False))
    return nets


def _free_subnet() -> ipaddress.IPv4Network:
    used = _used_networks()
    for _ in range(100):
        net = ipaddress.IPv4Network(f"10.{random.randint(200, 250)}.{random.randint(0, 255)}.0/24")
        if not any(net.overlaps(u) for u in used):
            return net
    raise RuntimeError("no unused /24 in 10.200.0.0–10.250.255.0 for the test network")


class HostNetwork:
    """A bridge (the server host, this namespace) and one network namespace per named host."""

    def __init__(self, hosts: Sequence[str]) -> None:
        self.tag = secrets.token_hex(3)
        self.subnet = _free_subnet()
        addrs = list(self.subnet.hosts())
        self.bridge = f"xxbr{self.tag}"
        self.server_address = str(addrs[0])
        """The servers' address (the bridge, in the namespace that runs this code)."""
        self.hosts = list(hosts)
        self.address = {h: str(addrs[i + 1]) for i, h in enumerate(self.hosts)}
        self.netns = {h: f"xx-{self.tag}-{h}" for h in self.hosts}
        self.hostname = {h: f"{h}-{self.tag}" for h in self.hosts}
        self._made: list[tuple[str, str]] = []

    def start(self) -> HostNetwork:
        """Make the bridge, the namespaces and their links (undone again if a step fails)."""
        prefix = self.subnet.prefixlen
        try:
            _run(IP, "link", "add", self.bridge, "type", "bridge")
            self._made.append(("link", self.bridge))
            _run(IP, "addr", "add", f"{self.server_address}/{prefix}", "dev", self.bridge)
            _run(IP, "link", "set", self.bridge, "up")
            for i, host in enumerate(self.hosts):
                ns, veth = self.netns[host], f"xxv{self.tag}{i}"
                _run(IP, "netns", "add", ns)
                self._made.append(("netns", ns))
                _run(IP, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns)
                self._made.append(("link", veth))
                _run(IP, "link", "set", veth, "master", self.bridge, "up")
                _run(IP, "-n", ns, "addr", "add", f"{self.address[host]}/{prefix}", "dev", "eth0")
                _run(IP, "-n", ns, "link", "set", "eth0", "up")
                _run(IP, "-n", ns, "link", "set", "lo", "up")
        except BaseException:
            self.close()
            raise
        return self

    def command(self, host: str, argv: Sequence[str]) -> list[str]:
        """`argv` run on `host`: in its network namespace, under its own hostname."""
        return [
            IP, "netns", "exec", self.netns[host],
            UNSHARE, "--uts", "--",
            "sh", "-c", 'hostname "$0" && exec "$@"', self.hostname[host], *argv,
        ]  # fmt: skip

    def popen(self, host: str, argv: Sequence[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        """Start `argv` on `host` in a new session (so `kill_host` reaches its children)."""
        return subprocess.Popen(self.command(host, argv), start_new_session=True, **kwargs)

    def close(self) -> None:
        """Kill whatever still runs in the namespaces, delete them and the links (idempotent)."""
        for kind, name in reversed(self._made):
            if kind == "netns":
                pids = _run(IP, "netns", "pids", name, check=False).stdout.split()
                for pid in pids:
                    with contextlib.suppress(ProcessLookupError, ValueError):
                        os.kill(int(pid), signal.SIGKILL)
                _run(IP, "netns", "del", name, check=False)
            else:
                _run(IP, "link", "del", name, check=False)
        self._made.clear()

    def __enter__(self) -> HostNetwork:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


def kill_host(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL a process started by `HostNetwork.popen` and its children, as a host dying."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """SIGINT (the worker's orderly stop), then SIGKILL of its group if it hangs."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        kill_host(proc)


# --------------------------------------------------------------------------- PostgreSQL


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL server's bin directory (Debian layout), if any."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3])
    )
    return Path(found[-1]).parent if found else None


class PostgresServer:
    """A throwaway PostgreSQL cluster listening on `host` (trust auth for `network`).

    As root, initdb and the server run as the `postgres` user (initdb refuses root). The
    cluster is for tests: fsync is off (only worker processes are killed, never the server).
    """

    def __init__(self, host: str, network: str, database: str = "xinxiang") -> None:
        bindir = postgres_bin()
        if bindir is None:
            raise RuntimeError("PostgreSQL server binaries not found under /usr/lib/postgresql")
        self.bindir, self.host, self.network, self.database = bindir, host, network, database
        self.port = 0
        self.dir = Path(tempfile.mkdtemp(prefix="xx-pg-"))
        self._as: list[str] = []
        if os.geteuid() == 0:
            self._as = ["runuser", "-u", "postgres", "--"]
            os.chown(self.dir, pwd.getpwnam("postgres").pw_uid, -1)

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the database, as the worker hosts reach it."""
        return f"postgresql+psycopg://postgres@{self.host}:{self.port}/{self.database}"

    def _ctl(self, *args: str) -> None:
        _run(*self._as, str(self.bindir / "pg_ctl"), "-D", str(self.dir / "data"), *args)

    def start(self) -> PostgresServer:
        """initdb, allow the test network, start, create the database."""
        try:
            _run(
                *self._as, str(self.bindir / "initdb"), "-D", str(self.dir / "data"),
                "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync",
            )  # fmt: skip
            with (self.dir / "data" / "pg_hba.conf").open("a") as hba:
                hba.write(f"host all all {self.network} trust\n")
            self.port = free_port()
            opts = (
                f"-c listen_addresses={self.host} -p {self.port} -k {self.dir} "
                "-c fsync=off -c max_connections=300"
            )
            self._ctl("-o", opts, "-l", str(self.dir / "server.log"), "-w", "-t", "60", "start")
            import psycopg

            dsn = f"host={self.host} port={self.port} user=postgres dbname=postgres"
            with psycopg.connect(dsn, autocommit=True, connect_timeout=10) as conn:
                conn.execute(f'CREATE DATABASE "{self.database}"')
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        """Stop the server at once and delete the cluster."""
        if (self.dir / "data" / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.SubprocessError):
                self._ctl("-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


# --------------------------------------------------------------------------- Redis


class RedisServer:
    """A throwaway redis-server on `host` that keeps nothing on disk."""

    def __init__(self, host: str) -> None:
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            raise RuntimeError("redis-server is not installed")
        self.host, self.port = host, 0
        self.dir = Path(tempfile.mkdtemp(prefix="xx-redis-"))
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The queue URL, as the worker hosts reach it."""
        return f"redis://{self.host}:{self.port}/0"

    def start(self) -> RedisServer:
        """Start and wait until it accepts connections."""
        assert self.binary is not None
        self.port = free_port()
        log = (self.dir / "redis.log").open("ab")
        self._proc = subprocess.Popen(
            [self.binary, "--bind", self.host, "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.dir), "--protected-mode", "no"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + 15
        while not port_open(self.host, self.port):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"redis-server did not start: {self.log_tail()}")
            time.sleep(0.02)
        return self

    def log_tail(self) -> str:
        p = self.dir / "redis.log"
        return p.read_text(errors="replace")[-2000:] if p.exists() else ""

    def close(self) -> None:
        """Stop it and delete its directory."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
