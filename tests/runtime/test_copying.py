"""The pure rules of `cp` (composer/runtimes/archive.py, copying.py and the command's
argument reading): Go's path functions as `docker cp` uses them, the placement
decision of PrepareArchiveCopy, entry renaming, which instances a copy takes, and
extraction's refusals. The end-to-end behaviour is checked against the reference
in tests/docker/test_cp.py and on the process runtime in test_cli_cp.py."""

from __future__ import annotations

import io
import os
import socket
import stat
import tarfile
from pathlib import Path

import pytest

from composer.cli.commands.cp import copy_targets, split_cp_arg
from composer.errors import ComposerError
from composer.runtimes import archive
from composer.runtimes.archive import ArchiveError, CopyInfo, Placement
from composer.runtimes.base import InstanceRef, InstanceState
from composer.runtimes.copying import (
    MODE_CHAR_DEVICE,
    MODE_DEVICE,
    MODE_DIR,
    MODE_SETUID,
    MODE_SYMLINK,
    CopyError,
    PathStat,
    go_file_mode,
    validate_output_path,
)


@pytest.mark.parametrize(
    ("path", "clean", "base", "folder"),
    [  # what Go's filepath.Clean, Base and Dir answer
        ("", ".", ".", "."),
        ("/", "/", "/", "/"),
        ("//a//b/", "/a/b", "b", "/a/b"),
        ("//a//b", "/a/b", "b", "/a"),
        ("a/../../b", "../b", "b", ".."),
        ("/a/b/.", "/a/b", ".", "/a/b"),
        ("./x", "x", "x", "."),
        ("/..", "/", "..", "/"),
    ],
)
def test_go_path_functions(path: str, clean: str, base: str, folder: str) -> None:
    assert archive.go_clean(path) == clean
    assert archive.go_base(path) == base
    assert archive.go_dir(path) == folder


def test_join_abs_and_trailing_marks() -> None:
    assert archive.go_join("/w", "/abs") == "/w/abs"  # Join does not restart at "/"
    assert archive.go_join("", "") == ""
    assert archive.go_abs("/abs/./x", "/w") == "/abs/x"
    assert archive.go_abs("rel/", "/w") == "/w/rel"
    assert archive.resolve_local_path("rel/", "/w") == "/w/rel/"
    assert archive.resolve_local_path("rel/.", "/w") == "/w/rel/."
    assert archive.resolve_local_path(".", "/w") == "/w/."
    assert archive.resolve_local_path("/", "/w") == "/"
    assert archive.split_path_dir_entry("/a/b/.") == ("/a/b", ".")
    assert archive.split_path_dir_entry("/a/b/") == ("/a", "b")
    assert archive.asserts_directory("x/") and archive.asserts_directory("x/.")
    assert not archive.asserts_directory("x")


def test_rebase_names_keep_what_was_asked_for() -> None:
    assert archive.rebase_name("/c/link/", "/c/dir") == ("/c/dir/", "link")
    assert archive.rebase_name("/c/link/.", "/c/dir") == ("/c/dir/.", "")
    assert archive.rebase_name("/c/same", "/c/same") == ("/c/same", "")
    assert archive.rename_entry("dir/a", "dir", "new") == "new/a"
    assert archive.rename_entry("./a", ".", "new") == "new/a"
    assert archive.rename_entry("etc/x", "/", "r") == "retc/x"  # Go's Replace of ""


FILE, DIR = CopyInfo("/s/f", True, False), CopyInfo("/s/d", True, True)


@pytest.mark.parametrize(
    ("source", "destination", "placed"),
    [
        (DIR, CopyInfo("/t/dir", True, True), Placement("/t/dir")),
        (FILE, CopyInfo("/t/dir/", True, True), Placement("/t/dir/")),
        (DIR, CopyInfo("/t/file", True, False), CANNOT := archive.CANNOT_COPY_DIR),
        (FILE, CopyInfo("/t/file", True, False), Placement("/t", "f", "file")),
        (DIR, CopyInfo("/t/new"), Placement("/t", "d", "new")),
        (DIR, CopyInfo("/t/new/"), Placement("/t", "d", "new")),
        (FILE, CopyInfo("/t/new/"), archive.DIR_NOT_EXISTS),
        (FILE, CopyInfo("/t/new/."), archive.DIR_NOT_EXISTS),
        (FILE, CopyInfo("/t/new"), Placement("/t", "f", "new")),
        (CopyInfo("/s/d/.", True, True), CopyInfo("/t/new"), Placement("/t", ".", "new")),
        (CopyInfo("/s/x", True, True, "link"), CopyInfo("/t/n"), Placement("/t", "link", "n")),
    ],
)
def test_where_a_copy_lands(source: CopyInfo, destination: CopyInfo, placed: object) -> None:
    """PrepareArchiveCopy's table."""
    if isinstance(placed, str):
        with pytest.raises(ArchiveError, match=placed):
            archive.place(source, destination)
    else:
        assert archive.place(source, destination) == placed


@pytest.mark.parametrize(
    ("arg", "split"),
    [
        ("web:/tmp/x", ("web", "/tmp/x")),
        ("web:", ("web", "")),
        ("web:rel/x", ("web", "rel/x")),
        ("/abs/a:b", ("", "/abs/a:b")),
        ("./a:b", ("", "./a:b")),
        ("../a:b", ("", "../a:b")),
        ("plain", ("", "plain")),
        ("-", ("", "-")),
    ],
)
def test_which_side_names_a_service(arg: str, split: tuple[str, str]) -> None:
    assert split_cp_arg(arg) == split


def _states() -> list[InstanceState]:
    refs = [
        InstanceRef("p", "web", 2),
        InstanceRef("p", "web", 1),
        InstanceRef("p", "web", 1, oneoff=True, slug="abc"),
        InstanceRef("p", "db", 1),
    ]
    return [InstanceState(ref, "exited") for ref in refs]


def test_which_instances_a_copy_takes() -> None:
    web1, web2 = InstanceRef("p", "web", 1), InstanceRef("p", "web", 2)
    oneoff = InstanceRef("p", "web", 1, oneoff=True, slug="abc")
    states = _states()
    assert copy_targets(states, "web", index=0, oneoffs=False, into=True) == [web1, web2]
    assert copy_targets(states, "web", index=0, oneoffs=True, into=True) == [web1, web2, oneoff]
    assert copy_targets(states, "web", index=0, oneoffs=True, into=False) == [web1]
    assert copy_targets(states, "web", index=2, oneoffs=True, into=False) == [web2]
    only_oneoff = [s for s in states if s.ref.oneoff]
    assert copy_targets(only_oneoff, "web", index=0, oneoffs=True, into=False) == [oneoff]
    with pytest.raises(ComposerError, match='no container found for service "web"'):
        copy_targets(only_oneoff, "web", index=0, oneoffs=False, into=False)
    with pytest.raises(ComposerError, match='service "web" is not running container #3'):
        copy_targets(states, "web", index=3, oneoffs=False, into=True)


def test_stats_in_gos_modes() -> None:
    assert go_file_mode(stat.S_IFDIR | 0o755) == MODE_DIR | 0o755
    assert go_file_mode(stat.S_IFLNK | 0o777) == MODE_SYMLINK | 0o777
    assert go_file_mode(stat.S_IFCHR | 0o666) == MODE_DEVICE | MODE_CHAR_DEVICE | 0o666
    assert go_file_mode(stat.S_IFREG | stat.S_ISUID | 0o755) == MODE_SETUID | 0o755
    header = {"name": "d", "size": 4096, "mode": 2147484141, "linkTarget": ""}
    found = PathStat.from_header(header)
    assert found is not None and found.is_dir and not found.is_symlink
    assert PathStat.from_header(None) is None


def test_output_paths_are_validated(tmp_path: Path) -> None:
    validate_output_path(str(tmp_path / "new"))
    validate_output_path(str(tmp_path))
    with pytest.raises(CopyError, match=r'directory ".*/nodir" does not exist'):
        validate_output_path(str(tmp_path / "nodir" / "x"))
    with pytest.raises(
        CopyError, match='"/dev/null" must be a directory or a regular file: got a device'
    ):
        validate_output_path("/dev/null")


def _tar(*entries: tarfile.TarInfo, data: bytes = b"") -> io.BytesIO:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as made:
        for entry in entries:
            made.addfile(entry, io.BytesIO(data) if entry.isreg() else None)
    buffer.seek(0)
    return buffer


def _entry(
    name: str, kind: bytes = tarfile.REGTYPE, link: str = "", size: int = 0
) -> tarfile.TarInfo:
    entry = tarfile.TarInfo(name)
    entry.type, entry.linkname, entry.size, entry.mode = kind, link, size, 0o644
    return entry


def test_extraction_keeps_inside_its_folder(tmp_path: Path) -> None:
    """Nothing lands outside the folder: not by name, not through a link."""
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(ArchiveError, match="is outside of"):
        archive.extract(_tar(_entry("../evil", size=1), data=b"x"), str(dest))
    with pytest.raises(ArchiveError, match="invalid symlink"):
        archive.extract(_tar(_entry("out", tarfile.SYMTYPE, "../../etc")), str(dest))
    with pytest.raises(ArchiveError, match="invalid hardlink"):
        archive.extract(_tar(_entry("h", tarfile.LNKTYPE, "../x")), str(dest))
    assert not (tmp_path / "evil").exists() and os.listdir(dest) == []


def test_extraction_never_swaps_a_folder_and_a_file(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "f").write_text("old")
    with pytest.raises(ArchiveError, match="cannot overwrite directory"):
        archive.extract(_tar(_entry("d", size=1), data=b"x"), str(tmp_path))
    with pytest.raises(ArchiveError, match="cannot overwrite non-directory"):
        archive.extract(_tar(_entry("f", tarfile.DIRTYPE)), str(tmp_path))
    archive.extract(_tar(_entry("f", size=3), data=b"new"), str(tmp_path))
    assert (tmp_path / "f").read_text() == "new"
    archive.extract(io.BytesIO(b""), str(tmp_path))  # an empty stream: nothing to do


def test_a_tar_made_and_extracted_keeps_the_tree(tmp_path: Path) -> None:
    """write_tar then extract (renamed to a new name): contents, modes, times, links,
    hard links kept; sockets left out."""
    source = tmp_path / "src"
    (source / "sub").mkdir(parents=True)
    (source / "a.txt").write_text("a")
    (source / "a.txt").chmod(0o4751)
    os.utime(source / "a.txt", (1e9, 1e9))
    os.link(source / "a.txt", source / "hard.txt")
    os.symlink("a.txt", source / "sub" / "ln")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(source / "sock"))
    buffer = io.BytesIO()
    info = archive.source_info(str(source), follow_link=False)
    archive.write_tar(info, buffer, Placement(str(tmp_path), "src", "copy"))
    buffer.seek(0)
    names = tarfile.open(fileobj=io.BytesIO(buffer.getvalue())).getnames()
    assert sorted(names) == ["copy", "copy/a.txt", "copy/hard.txt", "copy/sub", "copy/sub/ln"]
    archive.extract(buffer, str(tmp_path))
    copied = tmp_path / "copy"
    assert (copied / "a.txt").read_text() == "a"
    assert (copied / "a.txt").stat().st_mode & 0o7777 == 0o4751
    assert int((copied / "a.txt").stat().st_mtime) == 1_000_000_000
    assert (copied / "a.txt").stat().st_ino == (copied / "hard.txt").stat().st_ino
    assert os.readlink(copied / "sub" / "ln") == "a.txt"
    assert not (copied / "sock").exists()


def test_missing_sources_are_named_as_go_names_them(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match=f"^lstat {tmp_path}/nope: no such file or directory$"):
        archive.source_info(f"{tmp_path}/nope", follow_link=False)
    with pytest.raises(ArchiveError, match=f"^lstat {tmp_path}/nodir: no such file or directory$"):
        archive.source_info(f"{tmp_path}/nodir/x", follow_link=False)
    with pytest.raises(ArchiveError, match="^lstat //nope-composer-test: no such file"):
        archive.source_info("/nope-composer-test", follow_link=False)
