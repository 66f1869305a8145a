"""The lean engine client against the docker SDK, on the real engine.

Both clients run the same calls through a recording proxy in front of the engine's
socket: the requests must be the same (method, path, query, JSON body) once the
names that must differ are mapped, and so must what each call returns. Errors,
delegation to the SDK and an unreachable address are checked too.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from composer.errors import ComposerError
from composer.runtimes.docker.connection import connect, connect_sdk
from composer.runtimes.docker.engine import DockerBackend
from composer.runtimes.docker.wire import (
    EngineAPIError,
    WireClient,
    is_api_error,
    is_connection_error,
    lean_address,
)
from tests.docker.support import BUSYBOX

pytestmark = pytest.mark.docker

ENGINE_SOCKET = "/var/run/docker.sock"


class RecordingProxy:
    """A unix socket that forwards to the engine and records each request's method,
    target and body (Content-Length framed, as both clients send them)."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)
        self.requests: list[tuple[str, str, bytes]] = []
        self._server = socket.socket(socket.AF_UNIX)
        self._server.bind(self.path)
        self._server.listen(64)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX)
            upstream.connect(ENGINE_SOCKET)
            threading.Thread(target=self._requests, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._answers, args=(upstream, client), daemon=True).start()

    def _requests(self, source: socket.socket, target: socket.socket) -> None:
        buffer = b""
        try:
            while True:
                chunk = source.recv(65536)
                if not chunk:
                    break
                buffer += chunk
                while b"\r\n\r\n" in buffer:
                    head, rest = buffer.split(b"\r\n\r\n", 1)
                    lines = head.decode().split("\r\n")
                    length = 0
                    for line in lines[1:]:
                        name, _, value = line.partition(":")
                        if name.strip().lower() == "content-length":
                            length = int(value)
                    if len(rest) < length:
                        break
                    method, target_path, _ = lines[0].split(" ", 2)
                    self.requests.append((method, target_path, rest[:length]))
                    buffer = rest[length:]
                # forwarded once recorded: the answer cannot overtake the record
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            target.close()

    def _answers(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            target.close()

    def close(self) -> None:
        self._server.close()


def _normal(request: tuple[str, str, bytes], names: dict[str, str]) -> tuple[Any, ...]:
    """A request with its query parsed and its body decoded, `names` mapped."""
    method, target, body = request
    for old, new in names.items():
        target = target.replace(old, new)
        body = body.replace(old.encode(), new.encode())
    parts = urlsplit(target)
    query = {k: sorted(v) for k, v in parse_qs(parts.query).items()}
    if "filters" in query:
        query["filters"] = [json.loads(f) for f in query["filters"]]
    payload = json.loads(body) if body else None
    return method, parts.path, query, payload


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[RecordingProxy]:
    if not os.path.exists(ENGINE_SOCKET):
        pytest.skip("the engine is not on the default socket")
    made = RecordingProxy(Path(f"/tmp/composer-wire-{uuid.uuid4().hex[:8]}.sock"))
    try:
        yield made
    finally:
        made.close()
        os.unlink(made.path)


Scenario = Callable[[Any, str], list[Any]]


def _scenario(client: Any, tag: str) -> list[Any]:
    """Every call the lean client implements, on resources named after `tag`."""
    results: list[Any] = []
    labels = {"composer.test.wire": tag}
    network = client.create_network(
        f"wire-{tag}",
        driver="bridge",
        labels=labels,
        check_duplicate=True,
        internal=True,
        attachable=True,
        ipam={
            "Driver": "default",
            "Config": [{"Subnet": "10.213.0.0/24"}]
            if tag == "a"
            else [{"Subnet": "10.214.0.0/24"}],
        },
    )
    results.append(sorted(network))
    results.append([n["Name"] for n in client.networks(names=[f"wire-{tag}"])])
    results.append(len(client.networks(filters={"label": [f"composer.test.wire={tag}"]})))
    results.append(client.inspect_network(network["Id"])["Name"])
    volume = client.create_volume(f"wire-{tag}", driver="local", labels=labels)
    results.append((volume["Name"], volume["Labels"]))
    results.append(client.inspect_volume(f"wire-{tag}")["Name"])
    found = client.volumes(filters={"label": [f"composer.test.wire={tag}"]})
    results.append([v["Name"] for v in found.get("Volumes") or []])
    results.append(client.inspect_image(BUSYBOX)["RepoTags"])
    config = {
        "Image": BUSYBOX,
        "Cmd": ["sleep", "60"],
        "Labels": labels,
        "StopSignal": "SIGKILL",
        "Hostname": None,
        "HostConfig": {"Init": True, "NetworkMode": f"wire-{tag}"},
    }
    created = client.create_container_from_config(config, f"wire-{tag}")
    results.append(sorted(created))
    client.start(created["Id"])
    listed = client.containers(all=True, filters={"label": [f"composer.test.wire={tag}"]})
    results.append([(c["Names"], c["State"]) for c in listed])
    results.append(client.inspect_container(created["Id"])["State"]["Running"])
    results.append(client.top(created["Id"])["Titles"])
    execution = client.exec_create(
        created["Id"], ["true"], environment={"A": "1"}, workdir="/tmp", user="nobody"
    )
    results.append(sorted(execution))
    results.append(client.exec_inspect(execution["Id"])["ProcessConfig"])
    client.kill(created["Id"], signal="SIGKILL")
    client.stop(created["Id"], timeout=1)
    client.remove_container(created["Id"], v=True, force=True)
    client.remove_network(network["Id"])
    # (not force=True: the SDK drops that parameter; the lean client sends it)
    client.remove_volume(f"wire-{tag}")
    try:
        client.inspect_container("wire-missing")
    except Exception as exc:  # noqa: BLE001 - both clients' errors are checked below
        results.append((is_api_error(exc), getattr(exc, "status_code", None)))
    return results


def test_the_lean_client_sends_what_the_sdk_sends(proxy: RecordingProxy) -> None:
    sdk = connect_sdk({"DOCKER_HOST": f"unix://{proxy.path}"})
    lean = WireClient(f"unix://{proxy.path}")
    try:
        start = len(proxy.requests)
        sdk_results = _scenario(sdk, "a")
        sdk_requests = proxy.requests[start:]
        start = len(proxy.requests)
        # negotiated as the Docker CLI does (HEAD /_ping), to the SDK's answer
        assert lean.api_version == sdk.api_version
        assert [r[:2] for r in proxy.requests[start:]] == [("HEAD", "/_ping")]
        start = len(proxy.requests)
        lean_results = _scenario(lean, "b")
        lean_requests = proxy.requests[start:]
    finally:
        sdk.close()
        lean.close()
    ids = {}
    assert len(sdk_requests) == len(lean_requests)
    for old, new in zip(sdk_requests, lean_requests, strict=True):
        # container and network ids differ between the runs; map b's onto a's
        for old_part, new_part in zip(old[1].split("/"), new[1].split("/"), strict=False):
            if len(old_part) == 64 and len(new_part) == 64:
                ids[new_part] = old_part
    names = {
        "wire-b": "wire-a",
        "10.214.0.0": "10.213.0.0",
        '"b"': '"a"',
        "=b": "=a",
        "%3Db": "%3Da",
        '-b"': '-a"',
        **ids,
    }
    assert [_normal(r, {}) for r in sdk_requests] == [_normal(r, names) for r in lean_requests]
    mapped = json.loads(json.dumps(lean_results).replace("wire-b", "wire-a").replace('"b"', '"a"'))
    assert json.loads(json.dumps(sdk_results)) == mapped
    assert sdk_results[-1] == (True, 404)


def test_calls_it_does_not_implement_go_to_the_sdk(proxy: RecordingProxy) -> None:
    made: list[Any] = []

    def make_sdk() -> Any:
        made.append(connect_sdk({"DOCKER_HOST": f"unix://{proxy.path}"}))
        return made[-1]

    lean = WireClient(f"unix://{proxy.path}", make_sdk=make_sdk)
    try:
        assert lean.ping()
        assert not made  # lean calls need no SDK
        assert lean.images(name=BUSYBOX)  # not lean: delegated
        assert len(made) == 1
        lean.images(name=BUSYBOX)
        assert len(made) == 1  # made once
    finally:
        lean.close()


def test_an_unreachable_address_is_a_connection_error(tmp_path: Path) -> None:
    lean = WireClient(f"unix://{tmp_path / 'nothing.sock'}", version="1.41")
    with pytest.raises(ConnectionError) as caught:
        lean.containers()
    assert is_connection_error(caught.value) and not is_api_error(caught.value)
    backend = DockerBackend(env={"DOCKER_HOST": f"unix://{tmp_path / 'nothing.sock'}"})
    with pytest.raises(ComposerError, match="cannot connect to the Docker engine at unix://"):
        backend.instances("whatever")


def test_engine_errors_carry_the_status_and_the_engine_s_words() -> None:
    lean = WireClient(f"unix://{ENGINE_SOCKET}")
    try:
        with pytest.raises(EngineAPIError) as caught:
            lean.inspect_container("composer-no-such-container")
    finally:
        lean.close()
    assert caught.value.status_code == 404
    assert "composer-no-such-container" in caught.value.explanation


@pytest.mark.parametrize(
    ("env", "lean"),
    [
        ({}, "unix:///var/run/docker.sock"),
        ({"DOCKER_HOST": "unix:///tmp/x.sock"}, "unix:///tmp/x.sock"),
        ({"DOCKER_HOST": "tcp://127.0.0.1:2375"}, "tcp://127.0.0.1:2375"),
        ({"DOCKER_HOST": "tcp://127.0.0.1:2376", "DOCKER_TLS_VERIFY": "1"}, None),
        ({"DOCKER_HOST": "tcp://127.0.0.1:2376", "DOCKER_CERT_PATH": "/certs"}, None),
        ({"DOCKER_HOST": "ssh://user@host"}, None),
    ],
)
def test_the_sdk_serves_engines_behind_tls_ssh_or_a_context(
    env: dict[str, str], lean: str | None
) -> None:
    assert lean_address(env, lambda: None) == lean
    assert lean_address({}, lambda: "a context") is None
    if lean is None:  # the SDK itself is made (and here refuses: no certificates, no ssh)
        with pytest.raises(ComposerError, match="cannot connect to the Docker engine"):
            connect(env)
        return
    client = connect({**env, "DOCKER_API_VERSION": "1.41"})  # no negotiation: no engine there
    try:
        assert isinstance(client, WireClient)
    finally:
        client.close()
