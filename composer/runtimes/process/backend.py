"""The built-in runtime: every service instance is a process on this host.

Each instance runs in its own session (so its process group can be signalled as a
whole), writes stdout and stderr to its log file, and is described by a state
record (pid, pgid, /proc start time, status, exit code, health, ...). Whatever
this object starts it also supervises from daemon threads while it lives: one
monitor per instance (reaps the process, records the exit code, applies the
restart policy with backoff, rotates the log), one health prober per running
process, one TCP proxy per published port that differs from its target. Another
ProcessBackend (another shell, or after the supervisor was SIGKILLed) finds the
instances through the records and can stop and remove them; only health, restarts
and proxies need the supervisor alive.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from composer.errors import ComposerError
from composer.runtimes.base import (
    CREATED,
    EXITED,
    PAUSED,
    RESTARTING,
    RUNNING,
    STARTING,
    Capabilities,
    InstanceProcesses,
    InstanceRef,
    InstanceState,
    Interactive,
    LogLine,
    ProjectSpec,
    ProjectSummary,
    Publisher,
)
from composer.runtimes.process import logs as logfiles
from composer.runtimes.process import state_root
from composer.runtimes.process.command import (
    build_environment,
    check_runnable,
    resolve_command,
    resolve_workdir,
)
from composer.runtimes.process.durations import seconds
from composer.runtimes.process.health import HealthProber, HealthSpec, parse_healthcheck

if TYPE_CHECKING:
    from composer.runtimes.copying import InstanceFiles
from composer.runtimes.process.proxy import PortBinding, TcpProxy, plan_ports, port_environment
from composer.runtimes.process.restart import Backoff, RestartPolicy, parse_restart
from composer.runtimes.process.state import (
    InstanceRecord,
    ProjectState,
    group_members,
    start_ticks,
)

log = logging.getLogger(__name__)

DEFAULT_GRACE = 10.0
KILL_WAIT = 5.0  # how long to wait for the group to vanish after SIGKILL
_POLL = 0.02

# Mount types a host process cannot honour: `volume` is refused (the process would
# write into the target path of the host itself), the others only warned about.
_REFUSED_MOUNTS = {"volume"}


def service_hash(name: str, service: Mapping[str, Any]) -> str:
    """Docker Compose's config hash of the service (`composer config --hash`), so `up`
    recreates exactly the instances whose configuration changed."""
    from composer.hashing import service_hash as compose_hash

    try:
        return compose_hash(name, dict(service))
    except Exception:  # a service the renderer cannot print still gets a hash
        return _fallback_hash(service)


def _fallback_hash(service: Mapping[str, Any]) -> str:
    """sha256 of the service's JSON without the replica count."""
    data = dict(service)
    data.pop("scale", None)
    if isinstance(data.get("deploy"), Mapping):
        deploy = dict(data["deploy"])
        deploy.pop("replicas", None)
        data["deploy"] = deploy
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


_SIGKILL = signal.SIGKILL


def parse_signal(service_name: str, value: Any, key: str = "stop_signal") -> signal.Signals:
    """`SIGTERM`, `TERM` or `15` as a signal; default SIGTERM."""
    if value is None or value == "":
        return signal.SIGTERM
    text = str(value).strip().upper()
    try:
        if text.isdigit():
            return signal.Signals(int(text))
        return signal.Signals[text if text.startswith("SIG") else "SIG" + text]
    except (KeyError, ValueError):
        where = ("services", service_name, "stop_signal") if key == "stop_signal" else ()
        raise ComposerError(
            f'service "{service_name}": unknown {key} "{value}"',
            code="process-stop-signal",
            path=where,
            hint="use a signal name such as SIGTERM, SIGINT or SIGQUIT",
        ) from None


def _exit_code(returncode: int) -> int:
    """Popen's -N (killed by signal N) as the shell and Docker report it: 128 + N."""
    return 128 - returncode if returncode < 0 else returncode


@dataclass
class _Launch:
    """Everything needed to start one instance, derived from the project."""

    argv: list[str]
    env: dict[str, str]
    cwd: str
    health: HealthSpec | None
    policy: RestartPolicy
    ports: list[PortBinding]
    stop_signal: signal.Signals
    grace: float
    config_hash: str
    # a one-off of `run -i` reads this process's stdin (it is spawned here)
    stdin: bool = False


class LogStreams:
    """An instance's followed log as InstanceStreams (runtimes/protocol.py): output
    only, one stream (the log file holds stdout and stderr together)."""

    tty = False

    def __init__(self, lines: Iterator[LogLine]) -> None:
        self._lines = lines

    def send(self, data: bytes) -> None:
        """Nothing reads it: the instance's stdin is closed."""

    def close_input(self) -> None:
        """Nothing to end."""

    def output(self) -> Iterator[tuple[str, bytes]]:
        for line in self._lines:
            yield "stdout", (line.text + "\n").encode()

    def resize(self, rows: int, columns: int) -> None:
        """No pseudo-terminal to size."""

    def close(self) -> None:
        close = getattr(self._lines, "close", None)
        if callable(close):
            close()


@dataclass
class _Supervised:
    """This process's helpers for one instance it started."""

    ref: InstanceRef
    launch: _Launch
    log_path: Path
    backoff: Backoff
    proc: subprocess.Popen[bytes] | None = None
    ticks: int | None = None
    spawned: float = 0.0
    prober: HealthProber | None = None
    proxies: list[TcpProxy] = field(default_factory=list)
    cancel: threading.Event = field(default_factory=threading.Event)
    monitor: threading.Thread | None = None

    def close_helpers(self) -> None:
        if self.prober is not None:
            self.prober.stop()
            self.prober = None
        for proxy in self.proxies:
            proxy.close()
        self.proxies = []


class ProcessBackend:
    """Runs service instances as host processes (see the module docstring)."""

    name = "process"
    capabilities = Capabilities(networks=False, volumes=False, build=False, supervises=True)

    def __init__(
        self,
        state_dir: str | Path | None = None,
        *,
        host_env: Mapping[str, str] | None = None,
        rotation: logfiles.Rotation | None = None,
        backoff_base: float = 0.1,
        backoff_cap: float = 10.0,
        backoff_reset: float = 10.0,
        poll_interval: float = 0.2,
    ) -> None:
        self.host_env = dict(os.environ if host_env is None else host_env)
        self.root = Path(state_dir) if state_dir is not None else state_root(self.host_env)
        self.rotation = rotation or logfiles.Rotation()
        self.backoff = (backoff_base, backoff_cap, backoff_reset)
        self.poll_interval = poll_interval
        self.warnings: list[str] = []
        self._lock = threading.RLock()  # guards _runs and _ref_locks
        self._ref_locks: dict[InstanceRef, threading.Lock] = {}
        self._runs: dict[InstanceRef, _Supervised] = {}
        self._closed = False
        self._pid = os.getpid()
        self._ticks = start_ticks(self._pid)

    # ------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Stop supervising (probes, proxies, restarts); the processes keep running."""
        with self._lock:
            self._closed = True
            runs = list(self._runs.values())
        for run in runs:
            run.cancel.set()
            run.close_helpers()

    def __enter__(self) -> ProcessBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _ref_lock(self, ref: InstanceRef) -> threading.Lock:
        """Serialises start of one instance; different instances start in parallel."""
        with self._lock:
            return self._ref_locks.setdefault(ref, threading.Lock())

    def state(self, project: str) -> ProjectState:
        return ProjectState(self.root, project)

    # ------------------------------------------------------------ networks / volumes

    def ensure_network(self, spec: ProjectSpec, key: str) -> bool:
        return False  # host processes share the host's network

    def ensure_volume(self, spec: ProjectSpec, key: str) -> bool:
        return False  # named volumes are refused at create time

    def remove_network(
        self, spec: ProjectSpec, key: str, removing: Callable[[], None] | None = None
    ) -> bool:
        return False

    def remove_volume(
        self, spec: ProjectSpec, key: str, removing: Callable[[], None] | None = None
    ) -> bool:
        return False

    # ------------------------------------------------------------ planning

    def _service(self, spec: ProjectSpec, ref: InstanceRef) -> Mapping[str, Any]:
        services: Mapping[str, Any] = spec.project.get("services") or {}
        service = services.get(ref.service)
        if service is None:
            raise ComposerError(
                f'no such service: "{ref.service}"',
                code="process-unknown-service",
                path=("services", ref.service),
            )
        return service

    def _warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)
            log.warning("%s", message)

    def _check_mounts(self, name: str, service: Mapping[str, Any]) -> None:
        for position, mount in enumerate(service.get("volumes") or []):
            kind = str(mount.get("type") or "volume")
            source, target = mount.get("source"), mount.get("target")
            if kind in _REFUSED_MOUNTS:
                what = f'volume "{source}"' if source else "an anonymous volume"
                raise ComposerError(
                    f'service "{name}" mounts {what} at {target}: the process runtime has no volumes, '
                    f"the process would read and write {target} on this host",
                    code="process-volume-unsupported",
                    path=("services", name, "volumes", position),
                    hint=(
                        "point the program at a host directory (e.g. through `environment`) and drop "
                        "the mount in an override file:\n"
                        f"    services:\n      {name}:\n        volumes: !reset []"
                    ),
                )
            if kind == "bind" and source == target:
                continue
            self._warn(
                f'service "{name}": {kind} mount {source or ""}:{target} is not applied by the '
                f"process runtime; the process sees this host's files as they are"
            )

    def _plan(self, spec: ProjectSpec, ref: InstanceRef) -> _Launch:
        service = self._service(spec, ref)
        name = ref.service
        argv = resolve_command(name, service)
        self._check_mounts(name, service)
        ports = plan_ports(name, service, ref.index, oneoff=ref.oneoff)
        env = build_environment(
            spec, service, ref, host=self.host_env, extra=port_environment(ports)
        )
        cwd = resolve_workdir(spec, service)
        check_runnable(name, service, argv, env, cwd)
        return _Launch(
            argv=argv,
            env=env,
            cwd=cwd,
            health=parse_healthcheck(name, service.get("healthcheck")),
            policy=RestartPolicy() if ref.oneoff else parse_restart(name, service),
            ports=ports,
            stop_signal=parse_signal(name, service.get("stop_signal")),
            grace=seconds(service.get("stop_grace_period"), DEFAULT_GRACE),
            config_hash=service_hash(name, service),
            stdin=ref.oneoff and bool(service.get("stdin_open")),
        )

    # ------------------------------------------------------------ create / start

    def create(self, spec: ProjectSpec, ref: InstanceRef) -> InstanceState:
        launch = self._plan(spec, ref)
        state = self.state(ref.project)
        with state.locked():
            existing = state.read(ref)
            if existing is not None and self._busy(existing):
                raise ComposerError(
                    f'instance "{ref.name}" is already running (pid {existing.pid})',
                    code="process-instance-exists",
                    hint="stop and remove it first",
                )
            log_path = state.log_path(ref)
            logfiles.remove_all(log_path, self.rotation)  # a new instance starts a new log
            record = InstanceRecord(
                project=ref.project,
                service=ref.service,
                index=ref.index,
                oneoff=ref.oneoff,
                slug=ref.slug,
                status=CREATED,
                config_hash=launch.config_hash,
                command=launch.argv,
                working_dir=launch.cwd,
                log_files=[str(log_path)],
                publishers=[_publisher_dict(p.publisher()) for p in launch.ports],
            )
            state.write(record)
        return self._observe(record)

    def _busy(self, record: InstanceRecord) -> bool:
        """Running, or between two runs of a live supervisor."""
        if record.alive():
            return True
        return record.status == RESTARTING and (record.ref in self._runs or record.supervised())

    def start(self, spec: ProjectSpec, ref: InstanceRef) -> InstanceState:
        state = self.state(ref.project)
        with self._ref_lock(ref):
            if self._closed:
                raise ComposerError("the process backend was closed", code="process-closed")
            record = state.read(ref)
            if record is None:
                self.create(spec, ref)
                record = state.read(ref)
            elif record.alive() or (self._busy(record) and ref not in self._runs):
                return self._observe(record)  # running, or restarting under another supervisor
            launch = self._plan(spec, ref)
            with self._lock:
                previous = self._runs.pop(ref, None)
            if previous is not None:
                previous.cancel.set()
                if previous.monitor is not None:
                    previous.monitor.join(timeout=2.0)
                previous.close_helpers()
            run = _Supervised(
                ref=ref,
                launch=launch,
                log_path=state.log_path(ref),
                backoff=Backoff(*self.backoff),
            )
            for binding in launch.ports:
                if binding.proxied:
                    try:
                        run.proxies.append(
                            TcpProxy(binding.host_ip, binding.published, binding.listen).start(
                                ref.service
                            )
                        )
                    except ComposerError:
                        run.close_helpers()
                        raise

            def reset(rec: InstanceRecord) -> None:
                rec.stopped = False
                rec.restart_count = 0
                rec.config_hash = launch.config_hash
                rec.command = launch.argv
                rec.working_dir = launch.cwd
                rec.log_files = [str(run.log_path)]
                rec.publishers = [_publisher_dict(p.publisher()) for p in launch.ports]
                rec.supervisor_pid, rec.supervisor_ticks = self._pid, self._ticks

            state.update(ref, reset)
            try:
                spawned = self._spawn(run)
            except BaseException:
                run.close_helpers()
                raise
            if not spawned:  # removed (or stopped) by another shell meanwhile
                run.close_helpers()
                raise ComposerError(
                    f'instance "{ref.name}" was stopped or removed while starting',
                    code="process-removed",
                )
            with self._lock:
                self._runs[ref] = run
            run.monitor = threading.Thread(
                target=self._monitor, args=(run,), name=f"composer-{ref.name}", daemon=True
            )
            run.monitor.start()
        record = state.read(ref)
        assert record is not None
        return self._observe(record)

    def _spawn(self, run: _Supervised, replaces: int | None = None) -> bool:
        """Start the process unless the instance was stopped, removed or (for a restart of
        pid `replaces`) started by someone else meanwhile."""
        state = self.state(run.ref.project)
        launch = run.launch
        with state.locked():
            record = state.read(run.ref)
            if record is None or record.stopped:
                return False
            if replaces is not None and record.pid != replaces:
                return False
            with contextlib.suppress(OSError):
                logfiles.rotate_if_needed(run.log_path, self.rotation)
            fd = logfiles.open_for_child(run.log_path)
            try:
                proc = subprocess.Popen(
                    launch.argv,
                    cwd=launch.cwd,
                    env=launch.env,
                    stdin=None if launch.stdin else subprocess.DEVNULL,
                    stdout=fd,
                    stderr=fd,
                    start_new_session=True,
                    close_fds=True,
                )
            except OSError as exc:
                record.status = EXITED
                record.exit_code = 127 if exc.errno == errno.ENOENT else 126
                record.finished_at = time.time()
                state.write(record)
                raise ComposerError(
                    f'service "{run.ref.service}": cannot start {launch.argv[0]}: {exc.strerror or exc}',
                    code="process-start-failed",
                    path=("services", run.ref.service),
                ) from exc
            finally:
                os.close(fd)
            # Not reaped yet, so /proc/<pid> exists even if the process already exited.
            record.pid = record.pgid = proc.pid
            record.start_ticks = start_ticks(proc.pid)
            record.started_at = time.time()
            record.finished_at = None
            record.exit_code = None
            record.status = RUNNING
            record.paused = False
            record.health = STARTING if launch.health is not None else None
            state.write(record)
        run.proc = proc
        run.ticks = record.start_ticks
        run.spawned = time.monotonic()
        if launch.health is not None:
            pid = proc.pid

            def on_change(status: str) -> None:
                self._set_health(run.ref, pid, status)

            run.prober = HealthProber(
                launch.health, env=launch.env, cwd=launch.cwd, on_change=on_change
            ).start()
        return True

    def _set_health(self, ref: InstanceRef, pid: int, status: str) -> None:
        def change(record: InstanceRecord) -> None:
            if record.pid == pid:
                record.health = status

        self.state(ref.project).update(ref, change)

    def _monitor(self, run: _Supervised) -> None:
        """Reap the process, record how it ended, restart it when the policy says so."""
        state = self.state(run.ref.project)
        while True:
            proc = run.proc
            assert proc is not None
            while True:
                try:
                    returncode = proc.wait(timeout=self.poll_interval)
                    break
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(OSError):
                        logfiles.rotate_if_needed(run.log_path, self.rotation)
            ran_for = time.monotonic() - run.spawned
            if run.ticks is not None and group_members(proc.pid, run.ticks):
                # Like a container whose main process ended: nothing of it lives on.
                _killpg(proc.pid, signal.SIGKILL)
            if run.prober is not None:
                run.prober.stop()
                run.prober = None
            code = _exit_code(returncode)
            restart = False
            with state.locked():
                record = state.read(run.ref)
                if record is None or record.pid != proc.pid:
                    run.close_helpers()
                    return  # removed, or started again by someone else
                restart = (
                    not self._closed
                    and not run.cancel.is_set()
                    and run.launch.policy.should_restart(code, record.restart_count, record.stopped)
                )
                record.exit_code = code
                record.finished_at = time.time()
                if restart:
                    record.status = RESTARTING
                    record.restart_count += 1
                else:
                    record.status = EXITED
                state.write(record)
            if not restart:
                run.close_helpers()
                return
            policy = run.launch.policy
            delay = policy.delay if policy.delay is not None else run.backoff.next_delay(ran_for)
            spawned = False
            if not run.cancel.wait(delay) and not self._closed:
                try:
                    spawned = self._spawn(run, replaces=proc.pid)
                except ComposerError as exc:
                    log.warning("%s", exc)
            if not spawned:

                def settle(rec: InstanceRecord) -> None:
                    if rec.status == RESTARTING:
                        rec.status = EXITED

                state.update(run.ref, settle)
                run.close_helpers()
                return

    # ------------------------------------------------------------ stop / remove

    def _stopped_by_hand(
        self, state: ProjectState, ref: InstanceRef, *, forget: bool = False
    ) -> tuple[InstanceRecord | None, _Supervised | None]:
        """Record the instance as stopped by hand (no restart policy revives it) and
        cancel its supervision here (`forget`: and drop it); the record, the run."""

        def mark(record: InstanceRecord) -> None:
            record.stopped = True

        record = state.update(ref, mark)
        with self._lock:
            run = self._runs.pop(ref, None) if forget else self._runs.get(ref)
        if run is not None:
            run.cancel.set()
        return record, run

    def stop(self, spec: ProjectSpec, ref: InstanceRef, timeout: float | None = None) -> None:
        state = self.state(ref.project)
        record, run = self._stopped_by_hand(state, ref)
        if record is None:
            return
        services: Mapping[str, Any] = spec.project.get("services") or {}
        service = services.get(ref.service) or {}
        sig = parse_signal(ref.service, service.get("stop_signal"))
        grace = (
            timeout
            if timeout is not None
            else seconds(service.get("stop_grace_period"), DEFAULT_GRACE)
        )
        killed = self._terminate(record, sig, grace)
        if run is not None:
            if run.monitor is not None:
                run.monitor.join(timeout=KILL_WAIT)
            run.close_helpers()
        elif record.supervised():
            # The supervising process reaps it and records the real exit code.
            deadline = time.monotonic() + 1.0
            while time.monotonic() < deadline:
                current = state.read(ref)
                if current is None or current.status not in (RUNNING, RESTARTING):
                    return
                time.sleep(_POLL)

        def settle(rec: InstanceRecord) -> None:
            if rec.status in (RUNNING, RESTARTING):
                rec.status = EXITED
                rec.finished_at = time.time()
                # Not our child: only a SIGKILL we sent to the live leader says how it ended.
                rec.exit_code = 128 + signal.SIGKILL if killed else None

        state.update(ref, settle)

    def kill(self, spec: ProjectSpec, ref: InstanceRef, signal: str = "SIGKILL") -> None:
        """Send a signal to the instance's process group. SIGKILL and the service's
        stop_signal end it for good (no restart policy brings it back), as the
        engine's kill marks a container stopped by hand; other signals only signal."""
        services: Mapping[str, Any] = spec.project.get("services") or {}
        service = services.get(ref.service) or {}
        sig = parse_signal(ref.service, signal, key="signal")
        state = self.state(ref.project)
        record = state.read(ref)
        if record is None or not record.pgid or record.start_ticks is None:
            return
        if not group_members(record.pgid, record.start_ticks):
            return
        if sig in (_SIGKILL, parse_signal(ref.service, service.get("stop_signal"))):
            self._stopped_by_hand(state, ref)
        _killpg(record.pgid, sig)

    def pause(self, spec: ProjectSpec, ref: InstanceRef) -> None:
        """SIGSTOP to the process group (what the engine's freezer does to a
        container's cgroup); its health probes are held meanwhile."""
        self._freeze(ref, True)

    def unpause(self, spec: ProjectSpec, ref: InstanceRef) -> None:
        """SIGCONT to the process group; its health probes go on."""
        self._freeze(ref, False)

    def _freeze(self, ref: InstanceRef, paused: bool) -> None:
        state = self.state(ref.project)
        with state.locked():
            record = state.read(ref)
            if record is None or record.status != RUNNING or not record.alive():
                raise ComposerError(
                    f"container {ref.name} is not running",
                    code="process-not-running",
                    hint=f"start it first: composer start {ref.service}",
                )
            if record.paused == paused:
                raise ComposerError(
                    f"container {ref.name} is {'already paused' if paused else 'not paused'}",
                    code="process-paused" if paused else "process-not-paused",
                )
            assert record.pgid is not None
            _killpg(record.pgid, signal.SIGSTOP if paused else signal.SIGCONT)
            record.paused = paused
            state.write(record)
        with self._lock:
            run = self._runs.get(ref)
        if run is not None and run.prober is not None:
            run.prober.hold(paused)

    def _terminate(self, record: InstanceRecord, sig: signal.Signals, grace: float) -> bool:
        """Signal the group, SIGKILL it after `grace`; True if the leader needed SIGKILL.
        A paused group is let go on after the signal, so that it can act on it."""
        pgid, ticks = record.pgid, record.start_ticks
        if not pgid or ticks is None or not group_members(pgid, ticks):
            return False
        _killpg(pgid, sig)
        if record.paused:
            _killpg(pgid, signal.SIGCONT)
        if _wait_gone(pgid, ticks, grace):
            return False
        leader_alive = record.alive()
        _killpg(pgid, signal.SIGKILL)
        _wait_gone(pgid, ticks, KILL_WAIT)
        return leader_alive

    def remove(self, spec: ProjectSpec, ref: InstanceRef) -> None:
        """Remove the record and logs; whatever still runs in the group is killed first."""
        state = self.state(ref.project)
        record, run = self._stopped_by_hand(state, ref, forget=True)
        if record is not None:
            self._terminate(record, signal.SIGKILL, 0)
        if run is not None:
            if run.monitor is not None:
                run.monitor.join(timeout=KILL_WAIT)
            run.close_helpers()
        with state.locked():
            state.delete(ref)
        logfiles.remove_all(state.log_path(ref), self.rotation)

    # ------------------------------------------------------------ observing

    def _observe(self, record: InstanceRecord) -> InstanceState:
        status = record.status
        ref = record.ref
        supervised_here = ref in self._runs and not self._closed
        if not supervised_here:
            # Nobody in this process keeps the record current: check the process itself.
            if status == RUNNING and not record.alive():
                status = EXITED
            elif status == RESTARTING and not record.supervised():
                status = EXITED
        if status == RUNNING and record.paused:
            status = PAUSED
        return InstanceState(
            ref=ref,
            status=status,
            health=record.health,
            exit_code=record.exit_code,
            pid=record.pid if status in (RUNNING, RESTARTING, PAUSED) else None,
            config_hash=record.config_hash,
            publishers=[_publisher(p) for p in record.publishers],
            started_at=record.started_at,
            restart_count=record.restart_count,
        )

    def inspect(self, spec: ProjectSpec, ref: InstanceRef) -> InstanceState | None:
        record = self.state(ref.project).read(ref)
        return None if record is None else self._observe(record)

    def instances(self, project: str, *, include_stopped: bool = True) -> list[InstanceState]:
        found = [self._observe(record) for record in self.state(project).records()]
        return [item for item in found if include_stopped or item.running]

    def projects(self, *, all: bool = False) -> list[ProjectSummary]:
        """`ls`: the projects with instances under this state root (running ones unless
        `all`), with the config files their owner last saved (`N/A` without)."""
        from composer.runtimes.process.supervisor import load_spec
        from composer.runtimes.stacks import NOT_RECORDED, combined_status

        names = sorted(os.listdir(self.root)) if self.root.is_dir() else []
        found = []
        for name in (n for n in names if (self.root / n).is_dir()):
            states = self.instances(name, include_stopped=all)
            if states:
                spec = load_spec(self.root, name)
                files = ",".join(spec.config_files) if spec is not None else NOT_RECORDED
                status = combined_status([s.status for s in states])
                found.append(ProjectSummary(name, status, files))
        return found

    def top(self, spec: ProjectSpec, ref: InstanceRef) -> InstanceProcesses | None:
        """Every process of the instance's group as `ps -ef` shows it; None when none runs."""
        from composer.runtimes.process.pstable import TITLES, process_rows

        record = self.state(ref.project).read(ref)
        if record is None or not record.pgid or record.start_ticks is None:
            return None
        rows = process_rows(record.pgid, record.start_ticks)
        return InstanceProcesses(ref.name, list(TITLES), rows) if rows else None

    def project_stats(
        self, project: str, service: str | None = None, *, all: bool = False, trunc: bool = True
    ) -> list[dict[str, str]]:
        """`stats --no-stream`: each instance's process group read from /proc
        (process/stats.py), in the Docker CLI's forms; stopped ones with `all`."""
        from composer.runtimes.process.stats import project_stats

        found = [(r, self._observe(r).running) for r in self.state(project).records()]
        wanted = [
            (r, running)
            for r, running in found
            if (all or running) and (service is None or r.service == service)
        ]
        return project_stats(wanted, trunc=trunc)

    # ------------------------------------------------------------ logs / exec

    def logs(
        self,
        spec: ProjectSpec,
        refs: list[InstanceRef],
        *,
        follow: bool = False,
        tail: int | None = None,
        since: float | None = None,
        until: float | None = None,
    ) -> Iterator[LogLine]:
        """Each instance's lines (the last `tail` of each), then new ones while any runs.
        The log files hold the programs' own bytes, without times: `since`/`until`
        cannot be honoured, so they are refused rather than ignored."""
        if since is not None or until is not None:
            raise ComposerError(
                "the process runtime's logs carry no timestamps: --since and --until "
                "cannot select lines from them",
                code="process-log-times",
                hint="use --tail N, or the Docker runtime (--runtime docker)",
            )
        followers: list[tuple[InstanceRef, logfiles.Follower]] = []
        for ref in refs:
            state = self.state(ref.project)
            record = state.read(ref)
            path = Path(record.log_files[0]) if record and record.log_files else state.log_path(ref)
            try:
                end = path.stat().st_size
            except FileNotFoundError:
                end = 0
            for text in logfiles.tail_lines(path, tail, self.rotation, end=end):
                yield LogLine(ref, text)
            if follow:
                followers.append((ref, logfiles.Follower(path, self.rotation, offset=end)))
        while followers:
            quiet = True
            for ref, follower in followers:
                for text in follower.poll():
                    quiet = False
                    yield LogLine(ref, text, timestamp=time.time())
            if not quiet:
                continue
            if not any(self._running(spec, ref) for ref, _ in followers):
                for ref, follower in followers:
                    for text in follower.flush():
                        yield LogLine(ref, text, timestamp=time.time())
                return
            time.sleep(0.05)

    def _running(self, spec: ProjectSpec, ref: InstanceRef) -> bool:
        current = self.inspect(spec, ref)
        return current is not None and current.running

    def exec(
        self,
        spec: ProjectSpec,
        ref: InstanceRef,
        command: list[str],
        *,
        environment: Mapping[str, str] | None = None,
        workdir: str | None = None,
        user: str | None = None,
        privileged: bool = False,
        interactive: Interactive | None = None,
        detach: bool = False,
        output: Callable[[str, bytes], None] | None = None,
    ) -> int:
        """Run `command` with the instance's environment and directory; its exit code.
        With `interactive` it has our own streams (stdin only when asked; a terminal
        when ours is one: it needs no relay); else it reads nothing and its output
        goes to `output(stream, data)` when given, else to our own. It runs
        as this user (another `user` is refused: no switching users here); there is
        nothing to make more privileged than a host process already is."""
        if detach:  # (checked first: nothing runs)
            raise ComposerError(
                "the process runtime cannot run a detached exec: the command would not be "
                "part of the instance, and stop and down would leave it running",
                code="process-exec-detach",
                hint="run it attached, or in the service's own command",
            )
        if user and user not in _this_user():
            raise ComposerError(
                f"the process runtime runs commands as this user: cannot exec as {user!r}",
                code="process-user",
                hint="leave out --user, or use the Docker runtime",
            )
        current = self.inspect(spec, ref)
        if current is None or not current.running:
            raise ComposerError(
                f'instance "{ref.name}" is not running',
                code="process-not-running",
                hint="start it first (composer up)",
            )
        if current.status == PAUSED:  # as the engine refuses exec into a paused container
            raise ComposerError(
                f"container {ref.name} is paused, unpause the container before exec",
                code="process-paused",
                hint=f"composer unpause {ref.service}",
            )
        service = self._service(spec, ref)
        ports = plan_ports(ref.service, service, ref.index, oneoff=ref.oneoff)
        env = build_environment(
            spec, service, ref, host=self.host_env, extra=port_environment(ports)
        )
        env.update(environment or {})
        base = resolve_workdir(spec, service)
        cwd = os.path.join(base, workdir) if workdir else base
        try:
            done = subprocess.run(
                command,
                cwd=cwd,
                env=env,
                check=False,
                stdin=None if interactive is not None and interactive.stdin else subprocess.DEVNULL,
                capture_output=output is not None and interactive is None,
            )
            if output is not None and interactive is None:
                for stream, data in (("stdout", done.stdout), ("stderr", done.stderr)):
                    if data:
                        output(stream, data)
            return _exit_code(done.returncode)
        except FileNotFoundError:
            return 127
        except PermissionError:
            return 126

    def attach(
        self, spec: ProjectSpec, ref: InstanceRef, *, stdin: bool, detach_keys: str | None = None
    ) -> LogStreams:
        """The instance's output from now on, ending when it stops. Its stdin cannot
        be reached: a process instance reads none (a `run -i` one-off reads ours
        directly), as a container without `stdin_open` takes none."""
        self._service(spec, ref)  # a service the project has
        if self.inspect(spec, ref) is None:
            raise ComposerError(
                f'no instance "{ref.name}"', code="process-no-instance", hint="composer ps -a"
            )
        return LogStreams(self.logs(spec, [ref], follow=True, tail=0))

    # ------------------------------------------------------------ cp

    def files(self, spec: ProjectSpec, ref: InstanceRef) -> InstanceFiles:
        """The instance's files for `cp`: host paths, relative ones against the
        directory it runs (or would run) in."""
        from composer.runtimes.process.copying import HostFiles

        record = self.state(ref.project).read(ref)
        if record is None:
            raise ComposerError(
                f"no instance {ref.name}",
                code="cp-no-container",
                hint="create it first (composer up)",
            )
        workdir = record.working_dir
        if not workdir:
            services: Mapping[str, Any] = spec.project.get("services") or {}
            workdir = resolve_workdir(spec, services.get(ref.service) or {})
        return HostFiles(ref.name, workdir)


def _this_user() -> set[str]:
    """The ways `--user` may name the user Composer runs as (name, uid, uid:gid)."""
    import pwd

    uid, gid = os.getuid(), os.getgid()
    names = {str(uid), f"{uid}:{gid}"}
    with contextlib.suppress(KeyError):
        name = pwd.getpwuid(uid).pw_name
        names |= {name, f"{name}:{gid}"}
    return names


def _killpg(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _wait_gone(pgid: int, ticks: int, timeout: float) -> bool:
    """Wait until no live process of our group is left; True if that happened in time."""
    deadline = time.monotonic() + max(timeout, 0.0)
    while True:
        if not group_members(pgid, ticks):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(_POLL)


def _publisher_dict(publisher: Publisher) -> dict[str, Any]:
    return {
        "url": publisher.url,
        "target_port": publisher.target_port,
        "published_port": publisher.published_port,
        "protocol": publisher.protocol,
    }


def _publisher(data: Mapping[str, Any]) -> Publisher:
    return Publisher(
        str(data.get("url", "")),
        int(data.get("target_port", 0)),
        int(data.get("published_port", 0)),
        str(data.get("protocol", "tcp")),
    )
