"""`composer cp` on the process runtime end to end: real `composer` processes copying
between this host and process instances, whose files are this host's, relative
paths read against the instance's working directory. The rules are the Docker
CLI's (tests/docker/test_cp.py runs the same shapes against the reference on an
engine and against this runtime side by side)."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import tarfile
import textwrap
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.runtime.leftovers import tear_down

PY = sys.executable


@dataclass
class Project:
    """One Compose project in a temporary directory with its own state directory; its
    services run in `work/`, which holds the tree the copies read."""

    directory: Path
    state: Path
    name: str
    seen_pids: set[int] = field(default_factory=set)

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["COMPOSER_STATE_DIR"] = str(self.state)
        env["COMPOSER_RUNTIME"] = "process"
        return env

    @property
    def work(self) -> Path:
        return self.directory / "work"

    def write(self, text: str) -> None:
        (self.directory / "compose.yaml").write_text(textwrap.dedent(text), encoding="utf-8")

    def args(self, *args: str) -> list[str]:
        return [PY, "-m", "composer", "-p", self.name, "--progress", "plain", *args]

    def run(
        self, *args: str, cwd: Path | None = None, stdin: bytes = b""
    ) -> subprocess.CompletedProcess[bytes]:
        done = subprocess.run(
            self.args(*args),
            cwd=cwd or self.directory,
            env=self.env,
            input=stdin,
            capture_output=True,
            timeout=60,
        )
        self.remember()
        return done

    def cp(self, *args: str, cwd: Path | None = None, stdin: bytes = b"") -> tuple[int, bytes, str]:
        done = self.run("cp", *args, cwd=cwd, stdin=stdin)
        return done.returncode, done.stdout, done.stderr.decode()

    def remember(self) -> None:
        import json

        for path in (self.state / self.name).glob(f"{self.name}-*.json"):
            pid = json.loads(path.read_text()).get("pid")
            if isinstance(pid, int):
                self.seen_pids.add(pid)
        with contextlib.suppress(OSError, ValueError):
            self.seen_pids.add(int((self.state / self.name / "supervisor.pid").read_text()))


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    directory = tmp_path / "app"
    directory.mkdir()
    item = Project(directory, tmp_path / "state", f"cp-{uuid.uuid4().hex[:8]}")
    try:
        yield item
    finally:
        item.remember()
        tear_down(item.args("down", "-t", "1"), directory, item.env, item.seen_pids)


SERVICES = """
    services:
      app:
        image: unused
        command: ["sleep", "300"]
        working_dir: ./work
      pair:
        image: unused
        command: ["sleep", "300"]
        working_dir: ./work
        scale: 2
    """


def make_tree(project: Project) -> None:
    """work/data: a folder (a file, a sub-folder), a file, a link to the folder; and
    src/: the same shapes on the host side."""
    for root in (project.work / "data", project.directory / "src"):
        (root / "dir" / "sub").mkdir(parents=True)
        (root / "dir" / "a.txt").write_text("a\n")
        (root / "dir" / "sub" / "b.txt").write_text("b\n")
        (root / "file.txt").write_text("f\n")
        (root / "file.txt").chmod(0o640)
        os.utime(root / "file.txt", (1e9, 1e9))
        os.symlink("dir", root / "link")


@pytest.fixture
def created(project: Project) -> Project:
    """The project's instances created, not started: `cp` works on stopped instances,
    as the reference's on stopped containers."""
    project.write(SERVICES)
    project.work.mkdir()
    make_tree(project)
    done = project.run("create")
    assert done.returncode == 0, done.stderr
    return project


def case_folder(project: Project, name: str) -> Path:
    folder = project.directory / "cases" / name
    (folder / "existing_dir").mkdir(parents=True)
    (folder / "existing_dir" / "keep.txt").write_text("keep\n")
    (folder / "existing_file").write_text("old\n")
    return folder


def tree(root: Path) -> set[str]:
    """Every entry under `root`, `name/` for folders, `name -> target` for links."""
    found = set()
    for path in root.rglob("*"):
        name = str(path.relative_to(root))
        if path.is_symlink():
            found.add(f"{name} -> {os.readlink(path)}")
        elif path.is_dir():
            found.add(name + "/")
        else:
            found.add(name)
    return found


BEFORE = {"existing_dir/", "existing_dir/keep.txt", "existing_file"}
DIR = {"a.txt", "sub/", "sub/b.txt"}


def under(prefix: str, names: set[str]) -> set[str]:
    return {f"{prefix}/{name}" for name in names} | {f"{prefix}/"}


# (options and source in the instance, host destination, what is added, or the error)
OUT = [
    (["data/dir"], "new", under("new", DIR)),
    (["data/dir/"], "new/", under("new", DIR)),
    (["data/dir"], "existing_dir", under("existing_dir/dir", DIR)),
    (["data/dir/."], "existing_dir", {f"existing_dir/{n}" for n in DIR}),
    (["data/dir"], "existing_file", "cannot copy directory"),
    (["data/file.txt"], "new", {"new"}),
    (["data/file.txt"], "new/", "no such directory"),
    (["data/file.txt"], "existing_dir/", {"existing_dir/file.txt"}),
    (["data/file.txt"], "existing_file", set()),  # replaced in place
    (["data/link"], "new", {"new -> dir"}),
    (["-L", "data/link"], "new", under("new", DIR)),
    (["data/link/"], "existing_dir", under("existing_dir/link", DIR)),
    (["data/nope"], "new", "Could not find the file data/nope in instance {name}-app-1"),
    (["data/file.txt/"], "new", "lstat {work}/data/file.txt/: not a directory"),
    (["data/file.txt"], "missing/deeper", 'invalid output path: directory "{folder}/missing" does not exist'),
]  # fmt: skip


@pytest.mark.parametrize(("options", "destination", "expected"), OUT)
def test_copies_out_of_an_instance_with_dockers_rules(
    created: Project, options: list[str], destination: str, expected: set[str] | str
) -> None:
    project = created
    *flags, source = options
    folder = case_folder(project, "out")
    code, _, stderr = project.cp(*flags, f"app:{source}", destination, cwd=folder)
    if isinstance(expected, str):
        message = expected.format(name=project.name, work=project.work, folder=folder)
        assert code == 1 and f"error: {message}\n" in stderr, stderr
        assert tree(folder) == BEFORE
        return
    assert code == 0, stderr
    assert tree(folder) == BEFORE | expected
    line = f" {project.name}-app-1 copy {project.name}-app-1:{source} to {destination} "
    assert stderr == f"{line}Copying\n{line}Copied\n"


INTO = [
    (["src/dir"], "incoming", under("incoming", DIR)),
    (["src/dir"], "data/dir", under("data/dir/dir", DIR)),
    (["src/dir/."], "data", {f"data/{n}" for n in DIR}),
    (["src/file.txt"], "data/dir/", {"data/dir/file.txt"}),
    (["src/file.txt"], "fresh.txt", {"fresh.txt"}),
    (["src/link"], "incoming", {"incoming -> dir"}),
    (["-L", "src/link"], "incoming", under("incoming", DIR)),
    (["src/dir"], "data/file.txt", "cannot copy directory"),
    (["src/file.txt"], "nodir/", "no such directory"),
    (["src/file.txt"], "missing/deeper", "Could not find the file missing in instance {name}-app-1"),
    (["src/nope"], "incoming", "lstat {directory}/src/nope: no such file or directory"),
]  # fmt: skip


@pytest.mark.parametrize(("options", "destination", "expected"), INTO)
def test_copies_into_an_instance_with_dockers_rules(
    created: Project, options: list[str], destination: str, expected: set[str] | str
) -> None:
    """Relative instance paths are read against the instance's working directory."""
    project = created
    *flags, source = options
    before = tree(project.work)
    code, _, stderr = project.cp(*flags, source, f"app:{destination}")
    if isinstance(expected, str):
        message = expected.format(name=project.name, directory=project.directory)
        assert code == 1 and f"error: {message}\n" in stderr, stderr
        assert tree(project.work) == before
        return
    assert code == 0, stderr
    assert tree(project.work) == before | expected


def test_modes_times_and_an_absolute_path_are_kept(created: Project, tmp_path: Path) -> None:
    """Modes and modification times travel with the files (as `docker cp` keeps
    them); an absolute instance path is this host's path."""
    project = created
    source = project.directory / "src" / "file.txt"
    target = tmp_path / "elsewhere"
    target.mkdir()
    code, _, stderr = project.cp("src/file.txt", f"app:{target}/")
    assert code == 0, stderr
    copied = (target / "file.txt").stat()
    assert copied.st_mode & 0o7777 == 0o640
    assert int(copied.st_mtime) == int(source.stat().st_mtime) == 1_000_000_000
    code, _, stderr = project.cp(f"app:{target}/file.txt", "back.txt")
    assert code == 0, stderr
    assert (project.directory / "back.txt").read_text() == "f\n"
    assert (project.directory / "back.txt").stat().st_mode & 0o7777 == 0o640


@pytest.mark.skipif(os.geteuid() != 0, reason="changing owners needs root")
def test_archive_mode_keeps_the_owner(created: Project) -> None:
    """Without `-a` what is copied in belongs to the user running composer (the
    instances' user); with `-a` it keeps the uid/gid it had."""
    project = created
    source = project.directory / "src" / "owned.txt"
    source.write_text("owned\n")
    os.chown(source, 1234, 2345)
    assert project.cp("src/owned.txt", "app:plain.txt")[0] == 0
    assert project.cp("-a", "src/owned.txt", "app:kept.txt")[0] == 0
    plain, kept = (project.work / "plain.txt").stat(), (project.work / "kept.txt").stat()
    assert (plain.st_uid, plain.st_gid) == (os.geteuid(), os.getegid())
    assert (kept.st_uid, kept.st_gid) == (1234, 2345)


def test_tar_streams_on_stdin_and_stdout(created: Project) -> None:
    """`-` as the destination writes a tar of the path (named as the engine names
    it); `-` as the source extracts one into a folder, and refuses anything else."""
    project = created
    code, stdout, stderr = project.cp("app:data/dir", "-")
    assert code == 0, stderr
    names = tarfile.open(fileobj=io.BytesIO(stdout)).getnames()
    assert sorted(names) == ["dir", "dir/a.txt", "dir/sub", "dir/sub/b.txt"]
    code, stdout, _ = project.cp("app:data/dir/.", "-")
    assert sorted(tarfile.open(fileobj=io.BytesIO(stdout)).getnames())[:2] == [".", "./a.txt"]
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:  # compressed is fine too
        entry = tarfile.TarInfo("streamed/x.txt")
        entry.size, entry.mode = 3, 0o600
        archive.addfile(entry, io.BytesIO(b"xyz"))
    code, _, stderr = project.cp("-", "app:data", stdin=buffer.getvalue())
    assert code == 0, stderr
    assert (project.work / "data" / "streamed" / "x.txt").read_text() == "xyz"
    code, _, stderr = project.cp("-", "app:data/file.txt", stdin=buffer.getvalue())
    assert code == 1
    assert f'error: destination "{project.name}-app-1:data/file.txt" must be a directory' in stderr


def test_which_instances_and_the_refusals(created: Project) -> None:
    """Into a service: every instance, one after the other (they share this host's
    files); `--index`: one; a missing instance or service, copying between services
    or with no service at all are the reference's refusals, exit 1."""
    project = created
    code, _, stderr = project.cp("src/file.txt", "pair:copied.txt")
    assert code == 0, stderr
    assert (project.work / "copied.txt").read_text() == "f\n"
    lines = stderr.splitlines()
    assert [line.split()[0] for line in lines] == [f"{project.name}-pair-{i}" for i in (1, 1, 2, 2)]
    assert [line.split()[-1] for line in lines] == ["Copying", "Copied"] * 2
    code, _, stderr = project.cp("--index", "2", "pair:copied.txt", "-")
    assert code == 0 and f"{project.name}-pair-2 copy" in stderr
    for args, message in (
        (["--index", "3", "src/file.txt", "pair:x"], 'service "pair" is not running container #3'),
        (["nosuch:/x", "y"], 'no container found for service "nosuch"'),
        (["app:/x", "pair:/y"], "copying between services is not supported"),
        (["src/file.txt", "elsewhere"], "unknown copy direction"),
        (["", "app:/y"], "source can not be empty"),
        (["src/file.txt", ""], "destination can not be empty"),
    ):
        code, _, stderr = project.cp(*args)
        assert code == 1 and stderr.startswith(f"error: {message}\n"), (args, stderr)


def test_a_running_instance_and_a_file_name_with_a_colon(project: Project) -> None:
    """A running instance copies alike; `./a:b` is a host path, not service `.`."""
    project.write(SERVICES)
    project.work.mkdir()
    (project.directory / "a:b").write_text("colon\n")
    done = project.run("up", "-d", "app")
    assert done.returncode == 0, done.stderr
    code, _, stderr = project.cp("./a:b", "app:copied")
    assert code == 0, stderr
    assert (project.work / "copied").read_text() == "colon\n"
