"""`composer config` as a command: its options, outputs and exit codes.

Where the reference (Docker Compose v2) prints the same thing, the test compares with
it; where the reference's order is random (it iterates Go maps: --networks, --volumes,
--images, --variables, --profiles, --services ties), the comparison is as sets.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.helpers import Outcome, clean_env, run_in_process
from tests.reference import reference_binary, run_reference

needs_reference = pytest.mark.skipif(
    reference_binary() is None, reason="reference docker-compose not installed"
)

COMPOSE = """\
name: shop
services:
  web:
    image: nginx:${NGINX_TAG:-1.27}
    depends_on: [api]
    ports: ["80:80"]
    networks: [front]
  api:
    build: ./api
    depends_on:
      db:
        condition: service_healthy
    networks: [front, back]
    environment:
      DB_URL: postgres://${DB_USER:?user required}@db/${DB_NAME-shop}
      FEATURE: ${FEATURE:+enabled}
    secrets: [api_key]
  db:
    image: postgres:16
    volumes: [pgdata:/var/lib/postgresql/data]
    networks: [back]
  worker:
    build:
      context: ./api
    command: ["worker"]
    networks: [back]
  debug:
    image: busybox
    profiles: [debug, tools]
    volumes: [scratch:/scratch]
    networks: [tools]
  docs:
    image: example/docs
    profiles: [docs]
networks:
  front: {}
  back: {}
  tools: {}
volumes:
  pgdata: {}
  scratch: {}
secrets:
  api_key:
    file: ./api_key.txt
"""

EXTRA = """\
services:
  web:
    environment:
      FROM_EXTRA: "1"
  cache:
    image: redis:${REDIS_TAG}
"""

ENV = {"DB_USER": "bob"}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("shop")
    (folder / "compose.yaml").write_text(COMPOSE)
    (folder / "extra.yml").write_text(EXTRA)
    (folder / "api_key.txt").write_text("k\n")
    (folder / "alt.env").write_text("REDIS_TAG=7-alpine\nNGINX_TAG=1.25\n")
    (folder / "sub").mkdir()
    return folder


def ours(argv: list[str], cwd: Path, env: dict[str, str] | None = None, stdin: str = "") -> Outcome:
    return run_in_process(argv, cwd, ENV if env is None else env, stdin)


def theirs(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> Outcome:
    done = run_reference(argv, cwd, ENV if env is None else env)
    return Outcome(done.returncode, done.stdout, done.stderr)


def lines(text: str) -> list[str]:
    return text.splitlines()


# --------------------------------------------------------------- project options


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (["-f", "compose.yaml", "config"], ["config", "-f", "compose.yaml"]),
        (["--file", "compose.yaml", "config"], ["config", "--file", "compose.yaml"]),
        (["-p", "other", "config"], ["config", "-p", "other"]),
        (["--project-name", "other", "config"], ["config", "--project-name", "other"]),
        (["--profile", "debug", "config"], ["config", "--profile", "debug"]),
        (
            ["-f", "compose.yaml", "-f", "extra.yml", "--env-file", "alt.env", "config"],
            ["config", "-f", "compose.yaml", "-f", "extra.yml", "--env-file", "alt.env"],
        ),
        (
            ["-f", "compose.yaml", "-f", "extra.yml", "--env-file", "alt.env", "config"],
            ["-f", "compose.yaml", "config", "-f", "extra.yml", "--env-file", "alt.env"],
        ),
        (
            ["--project-directory", "sub", "-f", "compose.yaml", "config"],
            ["config", "--project-directory", "sub", "-f", "compose.yaml"],
        ),
    ],
)
def test_project_options_before_or_after_subcommand(
    shop: Path, before: list[str], after: list[str]
) -> None:
    first, second = ours(before, shop), ours(after, shop)
    assert first.code == 0, first.stderr
    assert (second.code, second.stdout) == (first.code, first.stdout)


@pytest.mark.parametrize(
    "argv",
    [
        ["-f", "compose.yaml", "-f", "extra.yml", "--env-file", "alt.env", "config"],
        ["-p", "other", "--profile", "debug", "config"],
        ["--profile", "*", "config"],
        ["--project-directory", "sub", "-f", "compose.yaml", "config"],
    ],
    ids=["files+env-file", "name+profile", "all-profiles", "project-directory"],
)
@pytest.mark.reference
@needs_reference
def test_project_options_match_reference(shop: Path, argv: list[str]) -> None:
    mine, ref = ours(argv, shop), theirs(argv, shop)
    assert (mine.code, mine.stdout) == (ref.code, ref.stdout), mine.stderr


# --------------------------------------------------------------- formats and output


@pytest.mark.reference
@needs_reference
def test_format_json_matches_reference(shop: Path) -> None:
    mine = ours(["config", "--format", "json"], shop)
    ref = theirs(["config", "--format", "json"], shop)
    assert mine.code == ref.code == 0, mine.stderr
    assert json.loads(mine.stdout) == json.loads(ref.stdout)
    assert mine.stdout == ref.stdout


def test_format_json_is_the_yaml_data(shop: Path) -> None:
    as_yaml = ours(["config"], shop)
    as_json = ours(["config", "--format", "json"], shop)
    assert as_yaml.code == as_json.code == 0
    assert (
        YAML(typ="safe", pure=True).load(as_yaml.stdout)["services"].keys()
        == json.loads(as_json.stdout)["services"].keys()
    )
    assert json.loads(as_json.stdout)["name"] == "shop"


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_output_file(shop: Path, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"out.{fmt}"
    plain = ours(["config", "--format", fmt], shop)
    written = ours(["config", "--format", fmt, "-o", str(target)], shop)
    assert written.code == 0, written.stderr
    assert written.stdout == ""
    assert target.read_text() == plain.stdout
    long_form = ours(["config", "--format", fmt, "--output", str(target)], shop)
    assert long_form.code == 0 and target.read_text() == plain.stdout


@pytest.mark.reference
@needs_reference
def test_output_file_matches_reference(shop: Path, tmp_path: Path) -> None:
    assert ours(["config", "-o", str(tmp_path / "ours.yaml")], shop).code == 0
    ref = theirs(["config", "-o", str(tmp_path / "ref.yaml")], shop)
    assert ref.code == 0, ref.stderr
    assert (tmp_path / "ours.yaml").read_text() == (tmp_path / "ref.yaml").read_text()


def test_output_file_unwritable_is_an_error(shop: Path, tmp_path: Path) -> None:
    result = ours(["config", "-o", str(tmp_path / "missing-dir" / "out.yaml")], shop)
    assert result.code == 1
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr


def test_quiet_prints_nothing(shop: Path) -> None:
    result = ours(["config", "-q"], shop)
    assert (result.code, result.stdout, result.stderr) == (0, "", "")
    assert ours(["config", "--quiet"], shop).stdout == ""


def test_quiet_still_fails_on_errors(shop: Path) -> None:
    result = ours(["config", "-q"], shop, env={})  # DB_USER unset: ${DB_USER:?} fails
    assert result.code == 1
    assert result.stdout == ""
    assert "required variable DB_USER is missing a value: user required" in result.stderr


@pytest.mark.reference
@needs_reference
@pytest.mark.parametrize("env", [ENV, {}], ids=["valid", "invalid"])
def test_quiet_exit_status_matches_reference(shop: Path, env: dict[str, str]) -> None:
    mine, ref = ours(["config", "-q"], shop, env=env), theirs(["config", "-q"], shop, env=env)
    assert (mine.code == 0) == (ref.code == 0)
    assert mine.stdout == ref.stdout == ""


# --------------------------------------------------------------- listings


LISTINGS = [
    (["config", "--services"], "services"),
    (["--profile", "debug", "config", "--services"], "services+debug"),
    (["config", "--volumes"], "volumes"),
    (["--profile", "*", "config", "--volumes"], "volumes+all"),
    (["config", "--networks"], "networks"),
    (["--profile", "tools", "config", "--networks"], "networks+tools"),
    (["config", "--images"], "images"),
    (["-p", "renamed", "config", "--images"], "images+name"),
    (["config", "--profiles"], "profiles"),
    (
        ["-f", "compose.yaml", "-f", "extra.yml", "--env-file", "alt.env", "config", "--services"],
        "two-files",
    ),
]


@pytest.mark.reference
@needs_reference
@pytest.mark.parametrize("argv", [a for a, _ in LISTINGS], ids=[i for _, i in LISTINGS])
def test_listing_matches_reference_as_set(shop: Path, argv: list[str]) -> None:
    mine, ref = ours(argv, shop), theirs(argv, shop)
    assert mine.code == ref.code == 0, mine.stderr
    assert sorted(lines(mine.stdout)) == sorted(lines(ref.stdout))
    assert len(lines(mine.stdout)) == len(set(lines(mine.stdout)))


@pytest.mark.reference
@needs_reference
def test_models_lists_the_model_of_each_model_a_service_uses(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(
        "services:\n  app:\n    image: busybox\n    models: [llm, embed]\n"
        "models:\n  llm:\n    model: ai/zzz\n  embed:\n    model: ai/aaa\n"
        "  unused:\n    model: ai/unused\n"
    )
    mine, ref = ours(["config", "--models"], tmp_path), theirs(["config", "--models"], tmp_path)
    assert mine.code == ref.code == 0, mine.stderr
    assert sorted(lines(ref.stdout)) == ["ai/aaa", "ai/zzz"]  # (in a Go map's order)
    assert lines(mine.stdout) == ["ai/aaa", "ai/zzz"]  # by the models' names


def test_services_listed_in_dependency_order(shop: Path) -> None:
    order = lines(ours(["config", "--services"], shop).stdout)
    assert set(order) == {"web", "api", "db", "worker"}
    assert order.index("db") < order.index("api") < order.index("web")


def test_images_name_built_services_after_project(shop: Path) -> None:
    images = set(lines(ours(["-p", "renamed", "config", "--images"], shop).stdout))
    assert images == {"nginx:1.27", "postgres:16", "renamed-api", "renamed-worker"}


def test_profiles_listed_sorted_and_unique(shop: Path) -> None:
    assert lines(ours(["config", "--profiles"], shop).stdout) == ["debug", "docs", "tools"]


# --------------------------------------------------------------- hash


@pytest.mark.reference
@needs_reference
@pytest.mark.parametrize(
    "argv",
    [
        ["config", "--hash", "*"],
        ["config", "--hash", "web"],
        ["config", "--hash", "web,db"],
        ["config", "--hash=db,api"],
        ["--profile", "debug", "config", "--hash", "*"],
        ["-f", "compose.yaml", "-f", "extra.yml", "--env-file", "alt.env", "config", "--hash", "*"],
    ],
    ids=["all", "one", "two-unsorted", "equals-form", "with-profile", "two-files"],
)
def test_hash_matches_reference(shop: Path, argv: list[str]) -> None:
    """Same values, one `NAME HASH` line per service, sorted by name as the reference does."""
    mine, ref = ours(argv, shop), theirs(argv, shop)
    assert ref.code == 0, ref.stderr
    assert mine.code == 0, mine.stderr
    assert mine.stdout == ref.stdout


ENV_FILE_SERVICES = {
    "merged": 'environment: {A: "1"}\n    env_file: e.env',
    "bare-names": "environment: [FROM_SHELL, UNSET_NAME, B=2]\n    env_file: [e.env]",
    "optional": "env_file:\n      - path: e.env\n        required: false",
    "optional-missing": "env_file:\n      - path: missing.env\n        required: false",
    "required-raw": "env_file:\n      - path: e.env\n        format: raw",
    "optional-raw": "env_file:\n      - path: e.env\n        required: false\n        format: raw",
    "twice": "env_file:\n      - e.env\n      - path: e.env\n        required: false",
    "with-label-file": "env_file: e.env\n    label_file: e.env",
}


@pytest.mark.reference
@needs_reference
@pytest.mark.parametrize("service", list(ENV_FILE_SERVICES.values()), ids=list(ENV_FILE_SERVICES))
def test_hash_of_env_file_services_matches_reference(tmp_path: Path, service: str) -> None:
    """The reference's `config --hash` hashes a service with its env files unread (the
    list kept, in its JSON form); its `up` label hashes them read. Both are matched:
    this the `config --hash`, tests/docker/test_interop.py the label."""
    (tmp_path / "compose.yaml").write_text(f"services:\n  w:\n    image: i\n    {service}\n")
    (tmp_path / "e.env").write_text("X=1\nY=${FROM_SHELL:-d}\n")
    env = dict(ENV, FROM_SHELL="shell")
    argv = ["config", "--hash", "*"]
    mine, ref = ours(argv, tmp_path, env), theirs(argv, tmp_path, env)
    assert ref.code == 0, ref.stderr
    assert (mine.code, mine.stdout) == (0, ref.stdout), mine.stderr


def test_no_env_resolution_keeps_env_files(tmp_path: Path) -> None:
    """`--no-env-resolution` leaves `env_file` unread, as its help says (the reference
    v2.40.3 reads the files anyway): environment as written, bare names resolved."""
    (tmp_path / "compose.yaml").write_text(
        "services:\n  w:\n    image: i\n    environment: [FROM_SHELL]\n"
        "    env_file:\n      - e.env\n      - path: f.env\n        required: false\n"
        "        format: raw\n"
    )
    (tmp_path / "e.env").write_text("X=1\n")
    env = dict(ENV, FROM_SHELL="shell")
    result = ours(["config", "--no-env-resolution"], tmp_path, env)
    assert result.code == 0, result.stderr
    service = YAML(typ="safe").load(result.stdout)["services"]["w"]
    assert service["environment"] == {"FROM_SHELL": "shell"}
    assert service["env_file"] == [
        str(tmp_path / "e.env"),
        {"path": str(tmp_path / "f.env"), "required": False, "format": "raw"},
    ]
    resolved = YAML(typ="safe").load(ours(["config"], tmp_path, env).stdout)["services"]["w"]
    assert "env_file" not in resolved and resolved["environment"]["X"] == "1"


@pytest.mark.parametrize(
    "wanted", ["nope", "debug", "web, db"], ids=["unknown", "disabled", "space"]
)
def test_hash_of_missing_service_is_an_error(shop: Path, wanted: str) -> None:
    """Like the reference: `no such service` and exit 1 (for a disabled service too, and
    for ` db`, which the reference does not trim)."""
    result = ours(["config", "--hash", wanted], shop)
    assert result.code == 1, (result.code, result.stdout)
    assert result.stderr.startswith("error: ") and "no such service" in result.stderr


# --------------------------------------------------------------- variables, environment


def _rows(text: str) -> tuple[str, set[str]]:
    found = lines(text)
    return found[0], set(found[1:])


@pytest.mark.reference
@needs_reference
@pytest.mark.parametrize(
    "argv",
    [
        ["config", "--variables"],
        ["-f", "compose.yaml", "-f", "extra.yml", "config", "--variables"],
    ],
    ids=["one-file", "two-files"],
)
def test_variables_match_reference_as_set_of_rows(shop: Path, argv: list[str]) -> None:
    mine, ref = ours(argv, shop, env={}), theirs(argv, shop, env={})
    assert mine.code == ref.code == 0, mine.stderr
    assert _rows(mine.stdout) == _rows(ref.stdout)


def test_variables_table(shop: Path) -> None:
    header, rows = _rows(ours(["config", "--variables"], shop, env={}).stdout)
    assert header.split() == ["NAME", "REQUIRED", "DEFAULT", "VALUE", "ALTERNATE", "VALUE"]
    cells = {tuple(re.split(r"\s{2,}", row.rstrip())) for row in rows}
    assert cells == {
        ("NGINX_TAG", "false", "1.27"),
        ("DB_USER", "true"),
        ("DB_NAME", "false", "shop"),
        ("FEATURE", "false", "enabled"),
    }


@pytest.mark.reference
@needs_reference
@pytest.mark.parametrize(
    ("argv", "env"),
    [
        (["config", "--environment"], ENV),
        (["--env-file", "alt.env", "config", "--environment"], ENV),
        (["config", "--environment"], {**ENV, "PWD": "/somewhere/else", "EMPTY": ""}),
    ],
    ids=["plain", "env-file", "shell-pwd"],
)
def test_environment_matches_reference(shop: Path, argv: list[str], env: dict[str, str]) -> None:
    mine, ref = ours(argv, shop, env=env), theirs(argv, shop, env=env)
    assert mine.code == ref.code == 0, mine.stderr
    assert sorted(lines(mine.stdout)) == sorted(lines(ref.stdout))


def test_environment_lists_interpolation_variables(shop: Path) -> None:
    result = ours(["--env-file", "alt.env", "config", "--environment"], shop)
    listed = lines(result.stdout)
    assert listed == sorted(listed)
    assert {
        "DB_USER=bob",
        "NGINX_TAG=1.25",
        "REDIS_TAG=7-alpine",
        "COMPOSE_PROJECT_NAME=shop",
    } <= set(listed)
    assert f"PWD={shop}" in listed


# --------------------------------------------------------------- entry points


def spawned(
    command: list[str], cwd: Path, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`command` in a subprocess from `cwd`, with the clean environment plus ENV."""
    return subprocess.run(
        command,
        cwd=cwd,
        env=clean_env(ENV),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_python_dash_m_composer(shop: Path) -> None:
    done = spawned([sys.executable, "-m", "composer", "config"], shop)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ours(["config"], shop).stdout


def test_composer_console_script(shop: Path) -> None:
    script = Path(sys.executable).parent / "composer"
    if not script.is_file():
        pytest.skip("composer console script not installed (pip install -e .)")
    done = spawned([str(script), "config", "--services"], shop)
    assert done.returncode == 0, done.stderr
    assert set(lines(done.stdout)) == {"web", "api", "db", "worker"}


def test_stdin_file(shop: Path) -> None:
    piped = ours(["-f", "-", "config"], shop, stdin=COMPOSE)
    from_file = ours(["-f", "compose.yaml", "config"], shop)
    assert piped.code == 0, piped.stderr
    assert piped.stdout == from_file.stdout


def test_stdin_file_subprocess(shop: Path) -> None:
    done = spawned(
        [sys.executable, "-m", "composer", "-f", "-", "config", "--services"], shop, stdin=COMPOSE
    )
    assert done.returncode == 0, done.stderr
    assert set(lines(done.stdout)) == {"web", "api", "db", "worker"}


# --------------------------------------------------------------- errors and usage

BROKEN = {
    "yaml-syntax": "services:\n  a:\n    image: [nginx\n",
    "duplicate-key": "services:\n  a:\n    image: x\n    image: y\n",
    "schema": "services:\n  a:\n    image: x\n    ports: 80\n",
    "interpolation": "services:\n  a:\n    image: ${TAG:?need a tag}\n",
    "consistency": "services:\n  a:\n    image: x\n    networks: [nope]\n",
    "unknown-key": "services:\n  a:\n    image: x\n    imagee: y\n",
}
ERROR_LINE = re.compile(r"^error: (?P<file>/[^:]+\.yaml):(?P<line>\d+):(?P<col>\d+): \S")


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_errors_carry_file_line_column(tmp_path: Path, name: str) -> None:
    (tmp_path / "compose.yaml").write_text(BROKEN[name])
    result = ours(["config"], tmp_path, env={})
    assert result.code == 1, result.stdout
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    match = ERROR_LINE.match(result.stderr)
    assert match, result.stderr
    assert match["file"] == str(tmp_path / "compose.yaml")
    assert 1 <= int(match["line"]) <= BROKEN[name].count("\n") + 1  # +1: end of stream


@pytest.mark.reference
@needs_reference
@pytest.mark.parametrize("name", sorted(BROKEN))
def test_errors_are_errors_for_reference_too(tmp_path: Path, name: str) -> None:
    (tmp_path / "compose.yaml").write_text(BROKEN[name])
    assert theirs(["config"], tmp_path, env={}).code != 0


def test_errors_in_subprocess_have_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(BROKEN["schema"])
    done = spawned([sys.executable, "-m", "composer", "config"], tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr


def test_missing_file_is_an_error(shop: Path) -> None:
    result = ours(["-f", "missing.yaml", "config"], shop)
    assert result.code == 1
    assert result.stderr.startswith("error: ") and "missing.yaml" in result.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["config", "--bogus"],
        ["config", "--format", "xml"],
        ["no-such-command"],
        ["config", "-f"],
        ["--no-such-global", "config"],
    ],
    ids=["unknown-option", "bad-format", "unknown-command", "missing-value", "unknown-global"],
)
def test_bad_usage_exits_2(shop: Path, argv: list[str]) -> None:
    result = ours(argv, shop)
    assert result.code == 2, (result.code, result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.strip()


# --------------------------------------------------------------- the executable's fast path

SAME_EITHER_WAY = [
    ["config"],
    ["-f", "compose.yaml", "config", "--format", "json"],
    ["config", "-f", "compose.yaml", "-f", "extra.yml", "--env-file", "alt.env"],
    ["--profile", "debug", "config", "--services"],
    ["config", "--profiles"],
    ["config", "--hash", "*"],
    ["config", "--hash", "db,web"],
    ["config", "--hash", "nope"],
    ["config", "--variables"],
    ["config", "--environment"],
    ["config", "-q"],
    ["-p", "Bad Name", "config"],
    ["config", "--no-interpolate"],
    ["-f", "missing.yaml", "config"],
    ["config", "--bogus"],
]


@pytest.mark.parametrize("argv", SAME_EITHER_WAY, ids=[" ".join(a) for a in SAME_EITHER_WAY])
def test_executable_entry_matches_typer_app(shop: Path, argv: list[str]) -> None:
    """`composer` / `python -m composer` start in composer.cli.entry (a fast parser for
    `config`); it must behave exactly like the Typer application."""
    try:
        from composer.cli.entry import main as entry_main
    except ImportError:
        pytest.skip("no composer.cli.entry")
    fast = run_in_process(argv, shop, ENV, "", main=entry_main)
    full = ours(argv, shop)
    assert fast.code == full.code, (fast.stderr, full.stderr)
    if full.code != 2:  # usage messages may be worded by either parser
        assert (fast.stdout, fast.stderr) == (full.stdout, full.stderr)


@pytest.mark.reference
@pytest.mark.skipif(reference_binary() is None, reason="reference binary not installed")
@pytest.mark.parametrize(
    "selection", [["api"], ["debug"], ["web", "--format", "json"], ["api", "db"]]
)
def test_config_with_service_names_matches_reference(tmp_path: Path, selection: list[str]) -> None:
    """`config SERVICE...` keeps those services and their dependencies, switches on a
    named service's profile, and prunes resources only the others used."""
    (tmp_path / "compose.yaml").write_text(
        "services:\n"
        "  web: {image: nginx, depends_on: [api], networks: [front]}\n"
        "  api: {image: api, depends_on: [db], volumes: ['data:/data']}\n"
        "  db: {image: pg}\n"
        "  debug: {image: busybox, profiles: [debug], depends_on: [db]}\n"
        "  other: {image: x}\n"
        "networks: {front: {}}\nvolumes: {data: {}}\n"
    )
    theirs = run_reference(["-p", "p", "config", *selection], tmp_path)
    ours = subprocess.run(
        [sys.executable, "-m", "composer", "-p", "p", "config", *selection],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"], "HOME": "/tmp"},
    )
    assert (ours.returncode, ours.stdout) == (theirs.returncode, theirs.stdout)


def test_config_unknown_service_name(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text("services:\n  a: {image: x}\n")
    ours = subprocess.run(
        [sys.executable, "-m", "composer", "config", "nope"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert ours.returncode == 1 and "no such service: nope" in ours.stderr
