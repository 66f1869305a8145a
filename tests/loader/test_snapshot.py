"""Saved loads (composer/loader/snapshot.py): reused exactly when nothing the load
depends on changed, and equal to a fresh load when reused.

Each test changes one input on disk or in the environment between two loads and
checks that the second load sees the change; the corpus test checks that a reused
load of every valid corpus case equals what the pipeline gives.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from composer.cli.fastpath import parse_call
from composer.errors import ComposerError
from composer.loader import snapshot
from composer.loader.options import LoadOptions
from composer.loader.pipeline import load_project
from composer.source import loc_of
from tests.corpus import cases, corpus_dir
from tests.helpers import clean_process


class Loads:
    """Loads of one project folder through the snapshot, counting the real ones."""

    def __init__(self, folder: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.folder = folder
        self.cache = cache
        self.env: dict[str, str] = {"COMPOSER_CACHE_DIR": str(cache)}
        self.fresh = 0
        real = snapshot._load

        def counting(options: LoadOptions) -> Any:
            self.fresh += 1
            return real(options)

        monkeypatch.setattr(snapshot, "_load", counting)

    def options(self, files: list[str] | None = None) -> LoadOptions:
        return LoadOptions(files=files or [], environ=dict(self.env), cwd=str(self.folder))

    def load(self, files: list[str] | None = None) -> snapshot.SavedLoad:
        return snapshot.load(self.options(files))

    def saved_files(self) -> list[Path]:
        return sorted((self.cache / "loads").glob("*.pickle"))


@pytest.fixture
def loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Loads]:
    folder = tmp_path / "app"
    folder.mkdir()
    (folder / "compose.yaml").write_text(
        "services:\n  web:\n    image: nginx\n    environment:\n      A: ${A:-a}\n"
    )
    yield Loads(folder, tmp_path / "cache", monkeypatch)


def _env_a(loaded: snapshot.SavedLoad) -> Any:
    return loaded.project["services"]["web"]["environment"]["A"]


def test_second_load_is_reused_and_equal(loads: Loads) -> None:
    first = loads.load()
    second = loads.load()
    assert loads.fresh == 1
    (saved,) = loads.saved_files()
    assert saved.stat().st_mode & 0o077 == 0  # it holds the environment: owner only
    assert second.project == first.project
    assert (second.name, second.working_dir, second.files) == (
        "app",
        str(loads.folder),
        [str(loads.folder / "compose.yaml")],
    )
    # positions survive, so later errors still point into the file
    location = loc_of(second.project["services"], "web")
    assert location is not None and location == loc_of(first.project["services"], "web")
    assert (location.line, location.column) == (3, 5)


def test_edit_of_same_size_is_seen(loads: Loads) -> None:
    loads.load()
    compose = loads.folder / "compose.yaml"
    text = compose.read_text()
    stat = compose.stat()
    compose.write_text(text.replace("nginx", "apach"))
    os.utime(compose, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size and mtime
    assert loads.load().project["services"]["web"]["image"] == "apach"
    assert loads.fresh == 2


def test_new_override_file_is_seen(loads: Loads) -> None:
    loads.load()
    (loads.folder / "compose.override.yaml").write_text("services:\n  web:\n    image: x\n")
    assert loads.load().project["services"]["web"]["image"] == "x"
    (loads.folder / "compose.override.yaml").unlink()
    assert loads.load().project["services"]["web"]["image"] == "nginx"
    assert loads.fresh == 3


def test_dotenv_and_environment_changes_are_seen(loads: Loads) -> None:
    assert _env_a(loads.load()) == "a"
    (loads.folder / ".env").write_text("A=from-dotenv\n")
    assert _env_a(loads.load()) == "from-dotenv"
    loads.env["A"] = "from-shell"
    assert _env_a(loads.load()) == "from-shell"
    assert loads.fresh == 3
    assert _env_a(loads.load()) == "from-shell"
    assert loads.fresh == 3


def test_the_shells_underscore_variable_is_not_part_of_the_key(loads: Loads) -> None:
    """`_` (the program the shell started) differs between `composer` and `python -m
    composer`; a load is shared between them unless a file could read `${_}`."""
    loads.env["_"] = "/usr/bin/composer"
    loads.load()
    loads.env["_"] = "/usr/bin/python3"
    loads.load()
    assert loads.fresh == 1
    (loads.folder / "compose.yaml").write_text("services:\n  web:\n    image: ${_}\n")
    assert loads.load().project["services"]["web"]["image"] == "/usr/bin/python3"
    loads.env["_"] = "/usr/local/bin/composer"
    assert loads.load().project["services"]["web"]["image"] == "/usr/local/bin/composer"
    assert loads.fresh == 3


def test_env_file_extends_and_include_changes_are_seen(loads: Loads) -> None:
    folder = loads.folder
    (folder / "web.env").write_text("B=1\n")
    (folder / "base.yaml").write_text("services:\n  base:\n    image: base:1\n")
    (folder / "lib").mkdir()
    (folder / "lib" / "compose.yaml").write_text("services:\n  lib:\n    image: lib:1\n")
    (folder / "compose.yaml").write_text(
        "include:\n  - lib/compose.yaml\n"
        "services:\n"
        "  web:\n    extends: {file: base.yaml, service: base}\n    env_file: web.env\n"
    )
    first = loads.load()
    assert first.project["services"]["web"]["image"] == "base:1"
    assert first.project["services"]["web"]["environment"]["B"] == "1"
    assert first.project["services"]["lib"]["image"] == "lib:1"
    (folder / "web.env").write_text("B=2\n")
    assert loads.load().project["services"]["web"]["environment"]["B"] == "2"
    (folder / "base.yaml").write_text("services:\n  base:\n    image: base:2\n")
    assert loads.load().project["services"]["web"]["image"] == "base:2"
    (folder / "lib" / "compose.yaml").write_text("services:\n  lib:\n    image: lib:2\n")
    assert loads.load().project["services"]["lib"]["image"] == "lib:2"
    assert loads.fresh == 4


def test_removed_file_fails_like_a_fresh_load(loads: Loads) -> None:
    (loads.folder / "other.yaml").write_text("services:\n  o:\n    image: o\n")
    loads.load(["other.yaml"])
    (loads.folder / "other.yaml").unlink()
    with pytest.raises(ComposerError, match="other.yaml"):
        loads.load(["other.yaml"])


def test_warnings_are_given_again(loads: Loads) -> None:
    (loads.folder / "compose.yaml").write_text("services:\n  web:\n    image: nginx:${TAG}\n")
    first = loads.load()
    second = loads.load()
    assert loads.fresh == 1
    assert first.warnings and second.warnings == first.warnings


def test_turned_off_and_unwritable_caches_still_load(loads: Loads) -> None:
    loads.env["COMPOSER_NO_CACHE"] = "1"
    loads.load()
    loads.load()
    assert loads.fresh == 2 and not loads.saved_files()
    del loads.env["COMPOSER_NO_CACHE"]
    loads.cache.write_text("a file where the cache folder should be\n")
    assert loads.load().name == "app"
    assert loads.load().name == "app"
    assert loads.fresh == 4


def test_damaged_saved_file_is_a_miss(loads: Loads) -> None:
    loads.load()
    (saved,) = loads.saved_files()
    saved.write_bytes(b"not a pickle")
    assert loads.load().name == "app"
    assert loads.fresh == 2
    assert loads.load().name == "app"
    assert loads.fresh == 2


def test_a_saved_file_others_could_change_is_not_read(loads: Loads) -> None:
    loads.load()
    (saved,) = loads.saved_files()
    saved.chmod(0o666)  # unpickling runs code: only files nobody else can write count
    loads.load()
    assert loads.fresh == 2
    assert saved.stat().st_mode & 0o777 == 0o600  # written again, owner-only


def test_stdin_and_config_switches_are_never_saved(loads: Loads) -> None:
    options = loads.options()
    options.stdin_text = "services:\n  s:\n    image: x\n"
    options.files = ["-"]
    snapshot.load(options)
    options = loads.options()
    options.normalize = False
    snapshot.load(options)
    assert not loads.saved_files()


VALID = [c for c in cases() if not c.invalid]


@pytest.mark.corpus
@pytest.mark.skipif(corpus_dir() is None, reason="../shared/corpus not present")
@pytest.mark.parametrize("case", VALID, ids=[c.name for c in VALID])
def test_reused_corpus_load_equals_fresh_load(  # type: ignore[no-untyped-def]
    case, tmp_path: Path
) -> None:
    argv = ["-p", "corpus", *(case.meta.get("args") or [])]
    for file in case.meta["files"]:
        argv += ["-f", file]
    env = {**(case.meta.get("env") or {}), "COMPOSER_CACHE_DIR": str(tmp_path)}
    with clean_process(case.folder, env):
        call = parse_call([*argv, "ps"])
        assert call is not None
        try:
            fresh = load_project(call.project.load_options())
        except ComposerError as error:  # valid only with `config` switches (--no-consistency)
            with pytest.raises(ComposerError) as again:
                snapshot.load(call.project.load_options())
            assert str(again.value) == str(error)
            assert not list(tmp_path.glob("loads/*.pickle")), "a failed load was saved"
            return
        snapshot.load(call.project.load_options())
        assert list((tmp_path / "loads").glob("*.pickle")), "the load was not saved"
        reused = snapshot.load(call.project.load_options())
    assert reused.project == fresh.project
    assert reused.environment == fresh.environment
    assert reused.warnings == fresh.warnings
    assert reused.disabled_services == fresh.disabled_services
    assert (reused.name, reused.working_dir, reused.files) == (
        fresh.name,
        fresh.working_dir,
        fresh.files,
    )


def test_the_least_recently_used_loads_are_trimmed(
    loads: Loads, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshot, "MAX_SAVED", 2)
    loads.env["V"] = "a"
    loads.load()
    (first,) = loads.saved_files()
    os.utime(first, ns=(1, 1))  # long ago
    loads.env["V"] = "b"
    loads.load()
    (second,) = [p for p in loads.saved_files() if p != first]
    os.utime(second, ns=(2, 2))
    loads.env["V"] = "a"
    loads.load()  # used again: now the most recent
    assert loads.fresh == 2
    loads.env["V"] = "c"
    loads.load()  # a third: the least recently used one goes
    assert first in loads.saved_files() and second not in loads.saved_files()
