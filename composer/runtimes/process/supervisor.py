"""The owner of a project's processes after `up -d`: a detached supervisor.

Health probes, restart policies and port relays run inside the ProcessBackend
object that started the processes, so some process must keep that object alive:
`up -d` starts this module as its own session (`python -m
composer.runtimes.process.supervisor`), which serves requests on a unix socket in
the project's state directory and exits once nothing of the project runs any more
(or after `down`). A foreground `up` serves the same socket from the CLI process,
so other shells always find "the owner" the same way.

Files in `<state root>/<project>/` (directory mode 0700):
  control.sock     the socket (mode 0600; peers must have our uid)
  supervisor.pid   pid of the owner
  supervisor.log   what the detached supervisor has to say (its stdout/stderr)
  .project.lock    flock held by whoever runs up/down/stop/... for the project
  project.json     the last project the owner was given (for `down -p NAME`)

Protocol: one JSON request per connection, `{"op": ..., "spec": ..., "args": ...}`;
the answer is JSON lines: any number of `{"event": {...}}`, then one
`{"ok": true, "result": ...}` or `{"ok": false, "error": {"message", "code", "hint"}}`.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import fcntl
import json
import logging
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from composer.errors import ComposerError
from composer.orchestrator.engine import Orchestrator
from composer.orchestrator.events import Event, UpOptions, ref_from_dict, ref_to_dict
from composer.runtimes.base import InstanceState, ProjectSpec, Publisher

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from composer.runtimes.protocol import Backend

SOCKET_NAME = "control.sock"
PID_NAME = "supervisor.pid"
LOG_NAME = "supervisor.log"
LOCK_NAME = ".project.lock"
SPEC_NAME = "project.json"

IDLE_GRACE = 2.0  # seconds with nothing running before the supervisor leaves
SPAWN_TIMEOUT = 20.0
_MAX_UNIX_PATH = 100  # sun_path is 108 bytes; longer paths go through /proc/self/fd

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- files and locks


def project_dir(root: Path | str, project: str) -> Path:
    """`<root>/<project>`, created owner-only."""
    path = Path(root) / project
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


@contextlib.contextmanager
def project_lock(root: Path | str, project: str, *, blocking: bool = True) -> Iterator[bool]:
    """Serialise up/down/stop/... on one project across processes (flock). Yields False
    when `blocking` is off and another holder has it."""
    fd = os.open(project_dir(root, project) / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def save_spec(root: Path | str, spec: ProjectSpec) -> None:
    path = project_dir(root, spec.name) / SPEC_NAME
    tmp = path.with_name(f".{SPEC_NAME}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(spec_to_dict(spec), handle)
    os.replace(tmp, path)


def load_spec(root: Path | str, project: str) -> ProjectSpec | None:
    """The project the last owner was given, if it left one."""
    try:
        data = json.loads((Path(root) / project / SPEC_NAME).read_text(encoding="utf-8"))
        return spec_from_dict(data)
    except (OSError, ValueError, TypeError, KeyError):
        return None


def forget_project(root: Path | str, project: str) -> None:
    """Remove what the owner left behind once the project is down."""
    directory = Path(root) / project
    for name in (SOCKET_NAME, PID_NAME, SPEC_NAME):
        with contextlib.suppress(FileNotFoundError):
            (directory / name).unlink()


# ---------------------------------------------------------------- serialisation


def spec_to_dict(spec: ProjectSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "working_dir": spec.working_dir,
        "config_files": list(spec.config_files),
        "project": spec.project,
        "environment": dict(spec.environment),
    }


def spec_from_dict(data: Mapping[str, Any]) -> ProjectSpec:
    return ProjectSpec(
        name=str(data["name"]),
        working_dir=str(data.get("working_dir") or ""),
        config_files=tuple(data.get("config_files") or ()),
        project=dict(data.get("project") or {}),
        environment=dict(data.get("environment") or {}),
    )


def state_to_dict(state: InstanceState) -> dict[str, Any]:
    data = state.as_dict()
    data["ref"] = ref_to_dict(state.ref)
    data["publishers"] = [p._asdict() for p in state.publishers]
    return data


def state_from_dict(data: Mapping[str, Any]) -> InstanceState:
    values = dict(data)
    values["ref"] = ref_from_dict(values["ref"])
    values["publishers"] = [Publisher(**p) for p in values.get("publishers") or []]
    known = InstanceState.record_fields()
    return InstanceState(**{k: v for k, v in values.items() if k in known})


def _error_dict(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, ComposerError):
        return {"message": exc.message, "code": exc.code, "hint": exc.hint}
    return {"message": f"{type(exc).__name__}: {exc}", "code": "supervisor", "hint": None}


# ---------------------------------------------------------------- socket addressing


@contextlib.contextmanager
def _address(path: Path) -> Iterator[str]:
    """A connectable name for `path`: itself, or /proc/self/fd/N/<name> when too long."""
    if len(os.fsencode(path)) < _MAX_UNIX_PATH:
        yield str(path)
        return
    fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        yield f"/proc/self/fd/{fd}/{path.name}"
    finally:
        os.close(fd)


def _peer_uid(conn: socket.socket) -> int | None:
    try:
        raw = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    except OSError:
        return None
    _pid, uid, _gid = struct.unpack("3i", raw)
    return int(uid)


# ---------------------------------------------------------------- client


class ControlClient:
    """Talks to the owner of one project over its socket."""

    def __init__(self, root: Path | str, project: str, *, timeout: float | None = None) -> None:
        self.root = Path(root)
        self.project = project
        self.path = self.root / project / SOCKET_NAME
        self.timeout = timeout

    def _connect(self, timeout: float | None) -> socket.socket:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            with _address(self.path) as address:
                sock.connect(address)
        except OSError:
            sock.close()
            raise
        return sock

    def ping(self, timeout: float = 2.0) -> dict[str, Any] | None:
        """The owner's pid and project, or None when nobody answers."""
        try:
            result = self.request("ping", timeout=timeout)
        except (OSError, ComposerError, ValueError):
            return None
        return result if isinstance(result, dict) else None

    def request(
        self,
        op: str,
        spec: ProjectSpec | None = None,
        args: Mapping[str, Any] | None = None,
        *,
        on_event: Callable[[Event], None] | None = None,
        timeout: float | None = None,
    ) -> Any:
        """Send one request; events go to `on_event`; the result or a ComposerError."""
        payload = {
            "op": op,
            "spec": spec_to_dict(spec) if spec is not None else None,
            "args": dict(args or {}),
        }
        with self._connect(timeout if timeout is not None else self.timeout) as sock:
            sock.sendall(json.dumps(payload).encode() + b"\n")
            with sock.makefile("r", encoding="utf-8") as reader:
                for line in reader:
                    message = json.loads(line)
                    if "event" in message:
                        if on_event is not None:
                            on_event(Event.from_dict(message["event"]))
                        continue
                    if message.get("ok"):
                        return message.get("result")
                    error = message.get("error") or {}
                    raise ComposerError(
                        str(error.get("message") or "the supervisor failed"),
                        code=str(error.get("code") or "supervisor"),
                        hint=error.get("hint"),
                    )
        raise ComposerError(
            f'the supervisor of project "{self.project}" closed the connection',
            code="supervisor-gone",
            hint=f"see {self.root / self.project / LOG_NAME}",
        )


def connect(root: Path | str, project: str) -> ControlClient | None:
    """A client when the project's owner answers, else None."""
    client = ControlClient(root, project)
    if not client.path.exists():
        return None
    return client if client.ping() is not None else None


def spawn(
    root: Path | str,
    project: str,
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    timeout: float = SPAWN_TIMEOUT,
) -> ControlClient:
    """Start a detached supervisor for `project` and wait until it answers."""
    root = Path(root).absolute()  # the supervisor runs from "/"
    directory = project_dir(root, project)
    log_path = directory / LOG_NAME
    environ = dict(os.environ if env is None else env)
    environ["COMPOSER_STATE_DIR"] = str(root)
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "composer.runtimes.process.supervisor",
                "--state-dir",
                str(root),
                "--project",
                project,
            ],
            stdin=subprocess.DEVNULL,
            stdout=fd,
            stderr=fd,
            cwd=cwd or os.getcwd(),
            env=environ,
            start_new_session=True,
            close_fds=True,
        )
    finally:
        os.close(fd)
    client = ControlClient(root, project)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        if client.path.exists() and client.ping(timeout=1.0) is not None:
            return client
        time.sleep(0.05)
    tail = _tail(log_path)
    raise ComposerError(
        f'the supervisor of project "{project}" did not start'
        + (f" (exit code {proc.returncode})" if proc.returncode is not None else ""),
        code="supervisor-start",
        hint=(tail + "\n  " if tail else "") + f"log: {log_path}",
    )


def _tail(path: Path, lines: int = 5) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


# ---------------------------------------------------------------- server


class ControlServer:
    """Serves one project's socket for the process that owns its ProcessBackend."""

    def __init__(
        self,
        root: Path | str,
        project: str,
        backend: Backend,
        *,
        spec: ProjectSpec | None = None,
        on_down: Callable[[], None] | None = None,
    ) -> None:
        self.root = Path(root)
        self.project = project
        self.backend = backend
        self.spec = spec
        self.on_down = on_down
        self.path = project_dir(root, project) / SOCKET_NAME
        self.started = time.time()
        self.last_activity = time.monotonic()
        self.busy = 0
        self.finished = threading.Event()  # set after a `down` or `shutdown`
        self._ops_lock = threading.Lock()  # one mutating request at a time
        self._state_lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle
    def start(self) -> ControlServer:
        """Bind the socket (refusing when another owner answers on it) and serve."""
        if self.path.exists():
            if ControlClient(self.root, self.project).ping(timeout=1.0) is not None:
                raise ComposerError(
                    f'project "{self.project}" is already run by another composer process',
                    code="supervisor-exists",
                    hint="use `composer down` (or `composer stop`) on it first",
                )
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            with _address(self.path) as address:
                sock.bind(address)
        finally:
            os.umask(old)
        os.chmod(self.path, 0o600)
        sock.listen(16)
        sock.settimeout(0.5)
        self._sock = sock
        pid_path = self.path.with_name(PID_NAME)
        pid_path.write_text(f"{os.getpid()}\n", encoding="utf-8")
        os.chmod(pid_path, 0o600)
        if self.spec is not None:
            save_spec(self.root, self.spec)
        self._thread = threading.Thread(target=self._serve, name="composer-control", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving and remove the socket and pid file (if still ours)."""
        sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2.0)
        pid_path = self.path.with_name(PID_NAME)
        with contextlib.suppress(OSError, ValueError):
            if int(pid_path.read_text().strip()) == os.getpid():
                pid_path.unlink()
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()
                if self.finished.is_set():  # the project is down: nothing to remember
                    with contextlib.suppress(FileNotFoundError):
                        self.path.with_name(SPEC_NAME).unlink()

    def idle_for(self) -> float:
        with self._state_lock:
            if self.busy:
                return 0.0
            return time.monotonic() - self.last_activity

    # -- serving
    def _serve(self) -> None:
        while self._sock is not None:
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            if _peer_uid(conn) not in (None, os.getuid()):
                return
            conn.settimeout(None)
            writer = conn.makefile("w", encoding="utf-8")
            reader = conn.makefile("r", encoding="utf-8")
            send_lock = threading.Lock()

            def send(message: Mapping[str, Any]) -> None:
                with send_lock, contextlib.suppress(OSError):
                    writer.write(json.dumps(message) + "\n")
                    writer.flush()

            try:
                request = json.loads(reader.readline() or "{}")
            except ValueError:
                send({"ok": False, "error": {"message": "bad request", "code": "supervisor"}})
                return
            op = str(request.get("op") or "")
            with self._state_lock:
                self.busy += 1
            try:
                result = self._dispatch(op, request, lambda e: send({"event": e.to_dict()}))
                send({"ok": True, "result": result})
            except Exception as exc:  # noqa: BLE001 - every failure goes back to the client
                log.debug("request %s failed", op, exc_info=True)
                send({"ok": False, "error": _error_dict(exc)})
            finally:
                with self._state_lock:
                    self.busy -= 1
                    self.last_activity = time.monotonic()
                with contextlib.suppress(OSError):
                    writer.close()
                    reader.close()
            if op in ("down", "shutdown"):
                self.finished.set()
                if self.on_down is not None:
                    self.on_down()

    def _spec(self, request: Mapping[str, Any]) -> ProjectSpec:
        data = request.get("spec")
        if data:
            spec = spec_from_dict(data)
            if spec.project.get("services") is not None:
                self.spec = spec
                save_spec(self.root, spec)
            return spec
        if self.spec is not None:
            return self.spec
        return ProjectSpec(self.project, "", (), {})

    def _dispatch(self, op: str, request: Mapping[str, Any], emit: Callable[[Event], None]) -> Any:
        args: Mapping[str, Any] = request.get("args") or {}
        if op == "ping":
            return {"pid": os.getpid(), "project": self.project, "started": self.started}
        if op == "ps":
            states = self.backend.instances(self.project, include_stopped=bool(args.get("all")))
            return [state_to_dict(s) for s in states]
        if op == "shutdown":
            return None
        handler = _OPERATIONS.get(op)
        if handler is None:
            raise ComposerError(f"unknown supervisor request {op!r}", code="supervisor")
        with self._ops_lock:
            spec = self._spec(request)
            orchestrator = Orchestrator(self.backend, emit)
            return handler(orchestrator, spec, args)


def _refs(refs: list[Any]) -> list[dict[str, Any]]:
    return [ref_to_dict(r) for r in refs]


def _timeout(args: Mapping[str, Any]) -> float | None:
    value = args.get("timeout")
    return float(value) if value is not None else None


_OPERATIONS: dict[str, Callable[[Orchestrator, ProjectSpec, Mapping[str, Any]], Any]] = {
    "up": lambda o, spec, a: {
        "refs": _refs((result := o.up(spec, UpOptions.from_dict(a))).refs),
        "services": result.services,
    },
    "start": lambda o, spec, a: _refs(o.start(spec, a.get("services") or ())),
    "stop": lambda o, spec, a: _refs(o.stop(spec, a.get("services") or None, timeout=_timeout(a))),
    "kill": lambda o, spec, a: _refs(o.kill(spec, a.get("services") or None)),
    "rm": lambda o, spec, a: _refs(
        o.rm(
            spec,
            a.get("services") or None,
            stop=bool(a.get("stop")),
            volumes=bool(a.get("volumes")),
        )
    ),
    "signal": lambda o, spec, a: _refs(
        o.signal(
            spec,
            a.get("services") or None,
            str(a.get("signal") or "SIGKILL"),
            orphans=bool(a.get("orphans")),
        )
    ),
    "pause": lambda o, spec, a: _refs(
        o.pause(spec, a.get("services") or None, orphans=bool(a.get("orphans")))
    ),
    "unpause": lambda o, spec, a: _refs(
        o.unpause(spec, a.get("services") or None, orphans=bool(a.get("orphans")))
    ),
    "restart": lambda o, spec, a: _refs(
        o.restart(
            spec, a.get("services") or (), timeout=_timeout(a), no_deps=bool(a.get("no_deps"))
        )
    ),
    "down": lambda o, spec, a: _refs(
        o.down(
            spec,
            timeout=_timeout(a),
            remove_orphans=bool(a.get("remove_orphans")),
            volumes=bool(a.get("volumes")),
        )
    ),
}


# ---------------------------------------------------------------- detached main


def _anything_running(backend: Backend, project: str) -> bool:
    return any(state.running for state in backend.instances(project))


def serve_detached(root: Path, project: str) -> int:
    """Main loop of the detached supervisor: serve until down, or until idle."""
    from composer.runtimes.process.backend import ProcessBackend

    backend = ProcessBackend(root)
    server = ControlServer(root, project, backend, spec=load_spec(root, project))
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        server.start()
    except ComposerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    log.info("supervising project %s (pid %d)", project, os.getpid())
    try:
        while not stop.wait(0.5):
            if server.finished.is_set():
                break
            if server.idle_for() < IDLE_GRACE or _anything_running(backend, project):
                continue
            leaving = False
            with project_lock(root, project, blocking=False) as locked:
                # Someone holding the lock is about to talk to us: stay. Otherwise stop
                # answering before the lock is released, so nobody talks to a leaver.
                if (
                    locked
                    and server.idle_for() >= IDLE_GRACE
                    and not _anything_running(backend, project)
                ):
                    server.close()
                    leaving = True
            if leaving:
                break
    finally:
        server.close()
        backend.close()
    log.info("supervisor of %s exits", project)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="composer-supervisor", description=__doc__)
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--project", required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    with contextlib.suppress(OSError):
        os.chdir("/")  # never keep a project directory busy
    try:
        return serve_detached(Path(args.state_dir), args.project)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
