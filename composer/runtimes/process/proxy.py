"""Published ports for host processes: which port each replica uses, and a TCP relay.

A host process listens on its own port (the `target`). When a port is published
under another number, a small TCP proxy in the supervisor listens on
`host_ip:published` (0.0.0.0 when no host_ip, like Docker) and relays each
connection to 127.0.0.1:target. With several replicas every process would bind
the same target, so that is refused unless `published` is a range with a port per
replica: replica i then listens on the i-th port of the range itself, no proxy,
and learns it from COMPOSER_PORT_<target>. UDP is not relayed.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import selectors
import socket
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from composer.errors import ComposerError
from composer.graph import declared_replicas
from composer.runtimes.base import Publisher

ANY_HOST = "0.0.0.0"
TARGET_HOST = "127.0.0.1"
_BUFFER = 64 * 1024


@dataclass(frozen=True)
class PortBinding:
    """One published port of one instance."""

    host_ip: str
    published: int
    target: int
    listen: int  # the port the process itself listens on
    protocol: str = "tcp"

    @property
    def proxied(self) -> bool:
        return self.published != self.listen

    def publisher(self) -> Publisher:
        return Publisher(self.host_ip, self.target, self.published, self.protocol)


def _range(text: str) -> tuple[int, int]:
    first, _, last = text.partition("-")
    return int(first), int(last or first)


def plan_ports(
    service_name: str, service: Mapping[str, Any], index: int, *, oneoff: bool = False
) -> list[PortBinding]:
    """The bindings of replica `index`; raises when they cannot work with host processes."""
    if oneoff:
        return []  # like `compose run` without --service-ports
    replicas = declared_replicas(service_name, service)
    replicas = 1 if replicas is None else replicas
    plan: list[PortBinding] = []
    for position, port in enumerate(service.get("ports") or []):
        path = ("services", service_name, "ports", position)
        target = int(port["target"])
        protocol = str(port.get("protocol") or "tcp")
        host_ip = str(port.get("host_ip") or ANY_HOST)
        if protocol != "tcp":
            raise ComposerError(
                f'service "{service_name}": {protocol} port {target} cannot be published by the process runtime',
                code="process-port-protocol",
                path=path,
                hint="the process listens on the host itself: drop the `ports` entry, or publish it with the same number so no relay is needed",
            )
        published = port.get("published")
        first, last = _range(str(published)) if published else (target, target)
        if replicas > 1:
            if last - first + 1 < replicas:
                raise ComposerError(
                    f'service "{service_name}" has {replicas} replicas that would all listen on port {target}',
                    code="process-port-clash",
                    path=path,
                    hint=f'publish a range with one port per replica, e.g. "{target + 1000}-{target + 1000 + replicas - 1}:{target}"; replica i then listens on the i-th port, given in $COMPOSER_PORT_{target}',
                )
            own = first + index - 1
            plan.append(PortBinding(host_ip, own, target, own, protocol))
        else:
            plan.append(PortBinding(host_ip, first, target, target, protocol))
    return plan


def port_environment(plan: list[PortBinding]) -> dict[str, str]:
    """COMPOSER_PORT_<target>=<port this process listens on>."""
    return {f"COMPOSER_PORT_{binding.target}": str(binding.listen) for binding in plan}


class TcpProxy:
    """Relays connections from `host:port` to `TARGET_HOST:target`, in daemon threads."""

    def __init__(self, host: str, port: int, target: int) -> None:
        self.host = host
        self.port = port
        self.target = target
        self._closed = threading.Event()
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()
        family = socket.AF_INET
        with contextlib.suppress(ValueError):
            if ipaddress.ip_address(host).version == 6:
                family = socket.AF_INET6
        self._listener = socket.socket(family, socket.SOCK_STREAM)
        self._thread = threading.Thread(
            target=self._accept_loop, name="composer-proxy", daemon=True
        )

    def start(self, service_name: str = "") -> TcpProxy:
        """Bind and listen; raises `process-port-in-use` when the address is taken."""
        try:
            self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._listener.bind((self.host, self.port))
            self._listener.listen(128)
        except OSError as exc:
            self._listener.close()
            taken = exc.errno in (errno.EADDRINUSE, errno.EACCES)
            raise ComposerError(
                f'service "{service_name}": cannot publish {self.host}:{self.port}: {exc.strerror or exc}',
                code="process-port-in-use" if taken else "process-port",
                hint="stop whatever listens there, or publish another port",
            ) from exc
        self._listener.setblocking(False)
        self._thread.start()
        return self

    def close(self) -> None:
        self._closed.set()
        if self._thread.is_alive():
            self._thread.join(timeout=1.0)
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            conns, self._conns = list(self._conns), set()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.close()

    def _accept_loop(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._listener, selectors.EVENT_READ)
            while not self._closed.is_set():
                if not selector.select(timeout=0.1):
                    continue
                try:
                    client, _ = self._listener.accept()
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    return
                threading.Thread(
                    target=self._relay, args=(client,), name="composer-proxy-conn", daemon=True
                ).start()

    def _relay(self, client: socket.socket) -> None:
        client.setblocking(True)
        try:
            upstream = socket.create_connection((TARGET_HOST, self.target), timeout=5)
        except OSError:
            client.close()  # nothing listens yet: the client sees the connection close
            return
        upstream.settimeout(None)
        with self._lock:
            if self._closed.is_set():
                client.close()
                upstream.close()
                return
            self._conns.update((client, upstream))
        peers = {client: upstream, upstream: client}
        open_reads = 2
        try:
            with selectors.DefaultSelector() as selector:
                for sock in peers:
                    selector.register(sock, selectors.EVENT_READ, sock)
                while open_reads and not self._closed.is_set():
                    for key, _ in selector.select(timeout=0.2):
                        source = key.data
                        data = source.recv(_BUFFER)
                        if data:
                            peers[source].sendall(data)
                            continue
                        # EOF one way: pass it on, keep relaying the other way.
                        selector.unregister(source)
                        open_reads -= 1
                        with contextlib.suppress(OSError):
                            peers[source].shutdown(socket.SHUT_WR)
        except OSError:
            pass
        finally:
            with self._lock:
                self._conns.discard(client)
                self._conns.discard(upstream)
            client.close()
            upstream.close()
