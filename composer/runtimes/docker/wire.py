"""A lean client for the Docker Engine API calls that `up`, `down` and `ps` repeat.

Importing the docker SDK (requests, urllib3, cookie jars, charset detection...)
takes ~40 ms, and each of its calls some CPU that a two-core machine also needs
for the engine: a visible share of a Docker `down`. `WireClient` sends the same
HTTP requests as the SDK's `APIClient` for the plain JSON calls (list, inspect,
create, start, stop, kill, remove, top; exec; networks, volumes, image inspect) over
the engine's unix socket or plain TCP, one HTTP/1.1 keep-alive connection per thread,
and returns what the SDK returns; `hijack` opens the raw streams of an exec or an
attach. Every other call (build, pull, logs, archives, network connect, ...) goes to
a real SDK client, created on first
use; engines behind TLS, SSH or a Docker context get the SDK for everything
(`lean_address`). tests/docker/test_wire.py checks the requests against the SDK's.
"""

from __future__ import annotations

import _socket
import json
import sys
import threading
from collections.abc import Callable, Mapping

from composer.runtimes.docker.connection import DEFAULT_HOST

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

DEFAULT_TIMEOUT = 60.0  # the SDK's default, seconds
NO_LIMIT = -1.0  # a request timeout meaning: wait for the answer however long it takes


class EngineAPIError(Exception):
    """The engine answered with an error status, like the SDK's APIError (same
    `status_code` and `explanation` attributes)."""

    def __init__(self, status_code: int, explanation: str) -> None:
        super().__init__(f"{status_code}: {explanation}")
        self.status_code = status_code
        self.explanation = explanation


class EngineConnectionError(ConnectionError):
    """The engine's address does not answer (no socket, refused, reset)."""


def is_api_error(exc: BaseException) -> bool:
    """An error answer of the engine, from this client or from the SDK (checked
    without importing the SDK when it was never loaded)."""
    if isinstance(exc, EngineAPIError):
        return True
    errors = sys.modules.get("docker.errors")
    return errors is not None and isinstance(exc, errors.APIError)


def is_connection_error(exc: BaseException) -> bool:
    """No engine at the address, from this client or from the SDK's requests."""
    if isinstance(exc, ConnectionError):
        return True
    found = sys.modules.get("requests.exceptions")
    return found is not None and isinstance(exc, found.ConnectionError)


def lean_address(env: Mapping[str, str], context_host: Callable[[], object]) -> str | None:
    """The engine address when the lean client can reach it (a unix socket, or TCP
    without TLS); None when the SDK must (TLS variables, a Docker context, ssh://).
    `context_host` tells whether a Docker context names the engine."""
    if env.get("DOCKER_TLS_VERIFY") or env.get("DOCKER_CERT_PATH"):
        return None
    host = env.get("DOCKER_HOST")
    if not host:
        if context_host() is not None:
            return None
        host = DEFAULT_HOST
    scheme, has_scheme, _ = host.partition("://")
    return host if has_scheme and scheme in ("unix", "tcp", "http") else None


# Percent-encoding as urllib.parse's quote and urlencode (quote_plus) write it:
# urllib.parse imports ipaddress, ~1.7 ms of every command's start. test_wire.py
# checks that this client and the SDK send the same bytes.
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")


def _quote(text: str, safe: str = "/", plus: bool = False) -> str:
    keep = _UNRESERVED | frozenset(safe.encode("ascii"))
    return "".join(
        chr(byte) if byte in keep else "+" if plus and byte == 0x20 else f"%{byte:02X}"
        for byte in text.encode("utf-8")
    )


def _urlencode(query: Mapping[str, Any]) -> str:
    return "&".join(
        f"{_quote(str(key), '', plus=True)}={_quote(str(value), '', plus=True)}"
        for key, value in query.items()
    )


def convert_filters(filters: Mapping[str, Any]) -> str:
    """Filters as the SDK encodes them: every value a list of strings, JSON."""
    result: dict[str, list[str]] = {}
    for key, value in filters.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        items = value if isinstance(value, list) else [value]
        result[key] = [item if isinstance(item, str) else str(item) for item in items]
    return json.dumps(result)


def _without_none(data: Mapping[str, Any]) -> dict[str, Any]:
    """Top-level None values dropped, as the SDK's _post_json does."""
    return {key: value for key, value in data.items() if value is not None}


class _Closed(ConnectionError):
    """The engine closed a kept-alive connection before answering."""


class _Connection:
    """One HTTP/1.1 keep-alive connection to the engine: requests with a
    Content-Length body, answers framed by Content-Length, chunks or close.

    Why by hand: http.client imports ssl and the email package (~13 ms of every
    command), and even the `socket` module turns its constants into enums at import
    (~2.5 ms); a unix-socket connection needs only the `_socket` type underneath it,
    and reading needs only a buffer."""

    def __init__(self, address: str) -> None:
        self._unix: str | None = None
        self._host, self._port, self._host_header = "localhost", 2375, "localhost"
        if address.startswith("unix://"):
            self._unix = address[len("unix://") :]
        else:
            from urllib.parse import urlsplit

            parts = urlsplit(address)
            self._host = parts.hostname or "localhost"
            self._port = parts.port or 2375
            self._host_header = parts.netloc or self._host
        self.sock: _socket.socket | None = None
        self._buffer = bytearray()

    def _open(self, timeout: float) -> None:
        if self._unix is not None:
            sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
            sock.settimeout(timeout)
            try:
                sock.connect(self._unix)
            except OSError:
                sock.close()
                raise
        else:
            import socket

            sock = socket.create_connection((self._host, self._port), timeout=timeout)
        self.sock = sock
        self._buffer.clear()

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock = None
        self._buffer.clear()

    def exchange(
        self, method: str, target: str, body: bytes | None, timeout: float
    ) -> tuple[int, bytes, dict[bytes, bytes]]:
        """One request and its answer: status, body, headers (lower-case names)."""
        if self.sock is None:
            self._open(timeout if timeout >= 0 else DEFAULT_TIMEOUT)
        assert self.sock is not None
        self.sock.settimeout(None if timeout < 0 else timeout)
        head = [f"{method} {target} HTTP/1.1", f"Host: {self._host_header}", "User-Agent: composer"]
        if body is not None:
            head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        elif method in ("POST", "PUT"):
            head.append("Content-Length: 0")
        self.sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + (body or b""))
        status, headers = self._head()
        if status in (204, 304) or status < 200 or method == "HEAD":
            data = b""
        elif b"chunked" in headers.get(b"transfer-encoding", b"").lower():
            data = self._chunks()
        elif b"content-length" in headers:
            data = self._exactly(int(headers[b"content-length"]))
        else:
            data = self._rest()
            headers[b"connection"] = b"close"
        if headers.get(b"connection", b"").lower() == b"close":
            self.close()
        return status, data, headers

    def upgrade(self, target: str, body: bytes | None, timeout: float) -> tuple[int, bytes]:
        """Send a POST that asks for the raw streams; its status (and, for an error,
        the answer's body). On success the connection carries the streams."""
        self._open(timeout)
        assert self.sock is not None
        head = [
            f"POST {target} HTTP/1.1",
            f"Host: {self._host_header}",
            "User-Agent: composer",
            "Connection: Upgrade",
            "Upgrade: tcp",
            "Content-Type: application/json",
            f"Content-Length: {len(body or b'')}",
        ]
        self.sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + (body or b""))
        status, headers = self._head()
        if status < 400:
            return status, b""
        if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
            return status, self._chunks()
        if b"content-length" in headers:
            return status, self._exactly(int(headers[b"content-length"]))
        return status, self._rest()

    def _head(self) -> tuple[int, dict[bytes, bytes]]:
        """An answer's status and headers (lower-case names)."""
        status_line = self._line()
        if not status_line:
            raise _Closed("the engine closed the connection")
        status = int(status_line.split(b" ", 2)[1])
        headers: dict[bytes, bytes] = {}
        while (line := self._line()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        return status, headers

    def detach(self) -> tuple[_socket.socket, bytes]:
        """The socket, blocking with no timeout, and what the buffer holds beyond the
        answer's head; this connection lets go of both."""
        assert self.sock is not None
        sock, rest = self.sock, bytes(self._buffer)
        sock.settimeout(None)
        self.sock = None
        self._buffer.clear()
        return sock, rest

    def _fill(self) -> bool:
        """Read what the engine sent next into the buffer; False at its end."""
        assert self.sock is not None
        data = self.sock.recv(65536)
        self._buffer += data
        return bool(data)

    def _line(self) -> bytes:
        """The next line with its end (b"" when the connection ended first; a line
        longer than 64 KiB is cut there, as http.client's readline limit cuts it)."""
        while True:
            end = self._buffer.find(b"\n", 0, 65537)
            if end >= 0 or len(self._buffer) >= 65537:
                size = end + 1 if end >= 0 else 65537
                break
            if not self._fill():
                size = len(self._buffer)
                break
        line = bytes(self._buffer[:size])
        del self._buffer[:size]
        return line

    def _exactly(self, size: int) -> bytes:
        while len(self._buffer) < size:
            if not self._fill():
                raise _Closed("the engine closed the connection mid-answer")
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def _rest(self) -> bytes:
        """Everything up to the end of the connection (an answer framed by close)."""
        while self._fill():
            pass
        data = bytes(self._buffer)
        self._buffer.clear()
        return data

    def _chunks(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int(self._line().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                break
            parts.append(self._exactly(size))
            self._line()  # the CRLF after each chunk
        while self._line() not in (b"\r\n", b"\n", b""):
            pass  # trailers
        return b"".join(parts)


class WireClient:
    """The SDK APIClient's methods for the JSON calls; anything else is delegated
    to an SDK client made by `make_sdk` on first use."""

    def __init__(
        self,
        address: str,
        *,
        version: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        make_sdk: Callable[[], Any] | None = None,
    ) -> None:
        self.address = address
        self.timeout = timeout
        self._version = version if version and version != "auto" else None
        self._make_sdk = make_sdk
        self._sdk: Any = None
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[_Connection] = []

    # ------------------------------------------------------------ transport
    def _connection(self) -> _Connection:
        connection: _Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = _Connection(self.address)
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    def _send(
        self, method: str, url: str, body: bytes | None, timeout: float
    ) -> tuple[int, bytes, dict[bytes, bytes]]:
        for attempt in (1, 2):
            connection = self._connection()
            reused = connection.sock is not None
            try:
                return connection.exchange(method, url, body, timeout)
            except TimeoutError:
                connection.close()
                raise EngineConnectionError(f"no answer within {timeout:g} s") from None
            except (_Closed, BrokenPipeError, ConnectionResetError) as exc:
                connection.close()
                if not reused or attempt == 2:  # a kept-alive connection may have gone idle
                    raise EngineConnectionError(str(exc)) from None
            except (OSError, ValueError, IndexError) as exc:
                connection.close()
                raise EngineConnectionError(str(exc) or type(exc).__name__) from None
        raise AssertionError("unreachable")

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        versioned: bool = True,
        timeout: float | None = None,
        as_json: bool = True,
    ) -> Any:
        url = self._url(path, params, versioned=versioned)
        payload = json.dumps(body).encode() if body is not None else None
        status, data, _ = self._send(method, url, payload, timeout or self.timeout)
        if status >= 400:
            raise EngineAPIError(status, _explanation(data))
        if not as_json:
            return data.decode(errors="replace")
        return json.loads(data) if data.strip() else None

    def _url(self, path: str, params: Mapping[str, Any] | None, *, versioned: bool = True) -> str:
        """The request target: the API version's prefix, the path, the parameters
        that are set."""
        url = f"/v{self.api_version}{path}" if versioned else path
        query = {k: v for k, v in (params or {}).items() if v is not None}
        return url + "?" + _urlencode(query) if query else url

    @staticmethod
    def _path(template: str, *args: str) -> str:
        return template.format(*(_quote(arg, safe="/:") for arg in args))

    # ------------------------------------------------------------ the SDK for the rest
    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or self._make_sdk is None:
            raise AttributeError(name)
        return getattr(self.sdk(), name)

    def sdk(self) -> Any:
        """The SDK client behind this one, made on first use: for the calls it alone
        makes, such as the archive API's streams (`cp`)."""
        if self._make_sdk is None:
            raise AttributeError("sdk")
        with self._lock:
            if self._sdk is None:
                self._sdk = self._make_sdk()
        return self._sdk

    def close(self) -> None:
        with self._lock:
            connections, self._connections = self._connections, []
            sdk, self._sdk = self._sdk, None
        for connection in connections:
            connection.close()
        if sdk is not None:
            sdk.close()

    # ------------------------------------------------------------ system
    @property
    def api_version(self) -> str:
        """The engine's API version, from the `Api-Version` header of `HEAD /_ping`
        as the Docker CLI reads it (the SDK's `GET /version` takes the engine ~4 ms
        longer to answer); `/version` where the header is missing."""
        if self._version is None:
            status, data, headers = self._send("HEAD", "/_ping", None, self.timeout)
            if status >= 400:
                raise EngineAPIError(status, _explanation(data))
            announced = headers.get(b"api-version", b"").decode("ascii", "replace").strip()
            if not announced:
                announced = str(self._request("GET", "/version", versioned=False)["ApiVersion"])
            self._version = announced
        return self._version

    def version(self, api_version: bool = True) -> Any:
        return self._request("GET", "/version", versioned=api_version)

    def ping(self) -> bool:
        return self._request("GET", "/_ping", versioned=False, as_json=False) == "OK"

    # ------------------------------------------------------------ containers
    def containers(
        self, all: bool = False, filters: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"limit": -1, "all": 1 if all else 0, "size": 0, "trunc_cmd": 0}
        if filters:
            params["filters"] = convert_filters(filters)
        found: list[dict[str, Any]] = self._request("GET", "/containers/json", params=params)
        return found

    def inspect_container(self, container: str) -> dict[str, Any]:
        info: dict[str, Any] = self._request("GET", self._path("/containers/{0}/json", container))
        return info

    def top(self, container: str, ps_args: str | None = None) -> dict[str, Any]:
        params = {"ps_args": ps_args} if ps_args is not None else None
        found: dict[str, Any] = self._request(
            "GET", self._path("/containers/{0}/top", container), params=params
        )
        return found

    def create_container_from_config(
        self, config: Mapping[str, Any], name: str | None = None, platform: str | None = None
    ) -> dict[str, Any]:
        params = {"name": name, "platform": platform or None}
        created: dict[str, Any] = self._request(
            "POST", "/containers/create", params=params, body=_without_none(config)
        )
        return created

    def start(self, container: str) -> None:
        self._request("POST", self._path("/containers/{0}/start", container))

    # Without a timeout, `stop` waits as long as the container's own StopTimeout
    # takes (the engine always answers after it), where the SDK gives up after 70 s.
    waits_for_stop_timeout = True

    def stop(self, container: str, timeout: int | None = None) -> None:
        params = {"t": timeout} if timeout is not None else {}
        wait = self.timeout + timeout if timeout is not None else NO_LIMIT
        self._request(
            "POST", self._path("/containers/{0}/stop", container), params=params, timeout=wait
        )

    def kill(self, container: str, signal: str | int | None = None) -> None:
        params = {"signal": signal} if signal is not None else {}
        self._request("POST", self._path("/containers/{0}/kill", container), params=params)

    def pause(self, container: str) -> None:
        self._request("POST", self._path("/containers/{0}/pause", container))

    def unpause(self, container: str) -> None:
        self._request("POST", self._path("/containers/{0}/unpause", container))

    def remove_container(
        self, container: str, v: bool = False, link: bool = False, force: bool = False
    ) -> None:
        params = {"v": v, "link": link, "force": force}
        self._request("DELETE", self._path("/containers/{0}", container), params=params)

    # ------------------------------------------------------------ networks
    def networks(
        self,
        names: list[str] | None = None,
        ids: list[str] | None = None,
        filters: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        wanted = dict(filters or {})
        if names:
            wanted["name"] = names
        if ids:
            wanted["id"] = ids
        found: list[dict[str, Any]] = self._request(
            "GET", "/networks", params={"filters": convert_filters(wanted)}
        )
        return found

    def create_network(
        self,
        name: str,
        driver: str | None = None,
        options: Mapping[str, str] | None = None,
        ipam: Mapping[str, Any] | None = None,
        check_duplicate: bool | None = None,
        internal: bool = False,
        labels: Mapping[str, str] | None = None,
        enable_ipv6: bool = False,
        attachable: bool | None = None,
        scope: str | None = None,
        ingress: bool | None = None,
    ) -> dict[str, Any]:
        data: dict[str, Any] = {
            "Name": name,
            "Driver": driver,
            "Options": options,
            "IPAM": ipam,
            "CheckDuplicate": check_duplicate,
        }
        optional = {
            "Labels": labels,
            "EnableIPv6": True if enable_ipv6 else None,
            "Internal": True if internal else None,
            "Attachable": attachable,
            "Ingress": ingress,
            "Scope": scope,
        }
        data.update({key: value for key, value in optional.items() if value is not None})
        created: dict[str, Any] = self._request(
            "POST", "/networks/create", body=_without_none(data)
        )
        return created

    def inspect_network(self, net_id: str) -> dict[str, Any]:
        info: dict[str, Any] = self._request("GET", self._path("/networks/{0}", net_id))
        return info

    def remove_network(self, net_id: str) -> None:
        self._request("DELETE", self._path("/networks/{0}", net_id))

    # ------------------------------------------------------------ volumes
    def volumes(self, filters: Mapping[str, Any] | None = None) -> dict[str, Any]:
        params = {"filters": convert_filters(filters) if filters else None}
        found: dict[str, Any] = self._request("GET", "/volumes", params=params)
        return found

    def create_volume(
        self,
        name: str | None = None,
        driver: str | None = None,
        driver_opts: Mapping[str, str] | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        data = {"Name": name, "Driver": driver, "DriverOpts": driver_opts, "Labels": labels}
        created: dict[str, Any] = self._request("POST", "/volumes/create", body=_without_none(data))
        return created

    def inspect_volume(self, name: str) -> dict[str, Any]:
        info: dict[str, Any] = self._request("GET", self._path("/volumes/{0}", name))
        return info

    def remove_volume(self, name: str, force: bool = False) -> None:
        params = {"force": force} if force else {}
        self._request("DELETE", self._path("/volumes/{0}", name), params=params)

    # ------------------------------------------------------------ exec and attach
    def exec_create(
        self,
        container: str,
        cmd: list[str],
        stdout: bool = True,
        stderr: bool = True,
        stdin: bool = False,
        tty: bool = False,
        privileged: bool = False,
        user: str = "",
        environment: Mapping[str, str] | None = None,
        workdir: str | None = None,
    ) -> dict[str, Any]:
        body = {
            "Container": container,
            "User": user,
            "Privileged": privileged,
            "Tty": tty,
            "AttachStdin": stdin,
            "AttachStdout": stdout,
            "AttachStderr": stderr,
            "Cmd": cmd,
            "Env": [f"{k}={v}" for k, v in environment.items()] if environment else None,
            "WorkingDir": workdir,
        }
        created: dict[str, Any] = self._request(
            "POST", self._path("/containers/{0}/exec", container), body=_without_none(body)
        )
        return created

    def exec_start(self, exec_id: str, detach: bool = False, tty: bool = False, **more: Any) -> Any:
        """Detached (`exec -d`) here; an attached start is the SDK's (composer hijacks
        the connection itself: docker/hijack.py)."""
        if not detach:
            return self.sdk().exec_start(exec_id, detach=detach, tty=tty, **more)
        path = self._path("/exec/{0}/start", exec_id)
        return self._request("POST", path, body={"Tty": tty, "Detach": True}, as_json=False)

    def exec_inspect(self, exec_id: str) -> dict[str, Any]:
        info: dict[str, Any] = self._request("GET", self._path("/exec/{0}/json", exec_id))
        return info

    def exec_resize(self, exec_id: str, height: int, width: int) -> None:
        params = {"h": height, "w": width}
        self._request("POST", self._path("/exec/{0}/resize", exec_id), params=params)

    def resize(self, container: str, height: int, width: int) -> None:
        params = {"h": height, "w": width}
        self._request("POST", self._path("/containers/{0}/resize", container), params=params)

    def hijack(
        self, path: str, *, params: Mapping[str, Any] | None = None, body: Any = None
    ) -> tuple[_socket.socket, bytes]:
        """POST `path` asking the engine to turn the connection into the raw streams
        (`Upgrade: tcp`, as the SDK's attach_socket and exec_start(socket=True) do):
        a connection of its own, and the stream bytes that came with the answer's head
        (which the SDK's buffered reader can swallow)."""
        url = self._url(path, params)
        connection = _Connection(self.address)
        try:
            status, explanation = connection.upgrade(
                url, json.dumps(body).encode() if body is not None else None, self.timeout
            )
        except (OSError, ValueError, IndexError) as exc:
            connection.close()
            raise EngineConnectionError(str(exc) or type(exc).__name__) from None
        if status >= 400:
            connection.close()
            raise EngineAPIError(status, _explanation(explanation))
        return connection.detach()

    # ------------------------------------------------------------ images
    def inspect_image(self, image: str) -> dict[str, Any]:
        info: dict[str, Any] = self._request("GET", self._path("/images/{0}/json", image))
        return info


def _explanation(data: bytes) -> str:
    """The engine's `message`, or its text (as the SDK's APIError.explanation)."""
    try:
        answer = json.loads(data)
    except ValueError:
        return data.decode(errors="replace").strip()
    if isinstance(answer, dict) and "message" in answer:
        return str(answer["message"])
    return data.decode(errors="replace").strip()
