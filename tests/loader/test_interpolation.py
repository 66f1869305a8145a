"""Walking a parsed project: substitution everywhere but in keys, casts, errors, locations."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from composer.errors import InterpolationError
from composer.loader.interpolation import (
    CASTS,
    CastError,
    collect_variables,
    interpolate,
    to_boolean,
    to_float,
    to_float32,
    to_int,
    to_int64,
)
from composer.loader.tags import RESET, Override
from composer.loader.template import Variable
from composer.source import Location, YList, YMap
from tests.loader.test_template import escaped, warnings_of
from tests.reference import reference_binary, run_reference

needs_reference = pytest.mark.skipif(reference_binary() is None, reason="no reference binary")

ENV = {"SET": "value", "EMPTY": "", "TAG": "1.2", "PORT": "8080"}
NO_ENV: dict[str, str] = {}


def test_every_string_value_but_no_key() -> None:
    data = {
        "name": "${SET}",
        "x-ext": {"a": ["${TAG}", {"b": "$$SET"}], "$SET": 1},
        "services": {"web": {"image": "img:${TAG}", "labels": {"$SET": "${SET}"}, "n": 3}},
    }
    out = interpolate(data, ENV.get)
    assert out == {
        "name": "value",
        "x-ext": {"a": ["1.2", {"b": "$SET"}], "$SET": 1},
        "services": {"web": {"image": "img:1.2", "labels": {"$SET": "value"}, "n": 3}},
    }


def test_input_untouched_and_unchanged_parts_shared() -> None:
    data = {"services": {"a": {"image": "x", "env": ["A=${SET}"]}, "b": {"image": "y"}}}
    before = copy.deepcopy(data)
    out = interpolate(data, ENV.get)
    assert data == before
    assert out["services"]["b"] is data["services"]["b"]
    assert out["services"]["a"] is not data["services"]["a"]
    plain = {"services": {"a": {"image": "x"}}}
    assert interpolate(plain, ENV.get) is plain


def test_locations_survive() -> None:
    here = Location("c.yaml", 3, 12)
    env = YMap({"A": "${SET}", "B": "plain"})
    env.loc, env.locs, env.key_locs = (
        Location("c.yaml", 2, 5),
        {"A": here},
        {"A": Location("c.yaml", 3, 9)},
    )
    ports = YList(["${PORT}:80"])
    ports.loc, ports.locs = Location("c.yaml", 5, 5), [Location("c.yaml", 5, 7)]
    data = YMap({"services": YMap({"a": YMap({"environment": env, "ports": ports})})})
    out = interpolate(data, ENV.get)
    new_env, new_ports = out["services"]["a"]["environment"], out["services"]["a"]["ports"]
    assert isinstance(new_env, YMap) and isinstance(new_ports, YList)
    assert (new_env.loc, new_env.locs, new_env.key_locs) == (env.loc, env.locs, env.key_locs)
    assert (new_ports.loc, new_ports.locs) == (ports.loc, ports.locs)
    assert new_env == {"A": "value", "B": "plain"} and new_ports == ["8080:80"]


def test_override_descended_reset_kept() -> None:
    data = {
        "services": {
            "a": {"image": Override("img:${TAG}"), "privileged": Override("yes"), "x": RESET}
        }
    }
    out = interpolate(data, ENV.get)
    assert out["services"]["a"]["image"] == Override("img:1.2")
    assert out["services"]["a"]["privileged"] == Override(True)
    assert out["services"]["a"]["x"] is RESET


def test_warnings_in_document_order() -> None:
    data = {"services": {"a": {"image": "$A ${B}", "tty": "on", "labels": ["${SET:-$C}", "$A"]}}}
    warnings: list[str] = []
    out = interpolate(data, ENV.get, warnings=warnings)
    assert out["services"]["a"]["tty"] is True
    assert warnings == [
        'The "A" variable is not set. Defaulting to a blank string.',
        'The "B" variable is not set. Defaulting to a blank string.',
        '"on" for boolean is not supported by YAML 1.2, please use `true`',
        'The "C" variable is not set. Defaulting to a blank string.',
        'The "A" variable is not set. Defaulting to a blank string.',
    ]


def test_casts_apply_to_plain_strings_only_on_their_paths() -> None:
    data = {
        "services": {
            "a": {
                "privileged": "true",
                "deploy": {"replicas": "${R:-3}", "resources": {"limits": {"pids": "5"}}},
                "ports": [{"target": "80", "published": "8080"}, "81:81"],
                "ulimits": {"nofile": "1024", "nproc": {"soft": "1", "hard": "2"}},
                "cpus": "0.5",
                "x-privileged": {"privileged": "true"},
                "secrets": [{"source": "s", "mode": "0440"}],
            },
            "my.dotted": {"tty": "false"},
        },
        "networks": {"n": {"external": "false", "name": "true"}},
    }
    out = interpolate(data, NO_ENV.get)
    a = out["services"]["a"]
    assert a["privileged"] is True and a["deploy"]["replicas"] == 3 and a["cpus"] == 0.5
    assert a["deploy"]["resources"]["limits"]["pids"] == "5"
    assert a["ports"] == [{"target": 80, "published": "8080"}, "81:81"]
    assert a["ulimits"] == {"nofile": 1024, "nproc": {"soft": 1, "hard": 2}}
    assert a["x-privileged"] == {"privileged": "true"}
    assert a["secrets"] == [{"source": "s", "mode": "0440"}]
    assert out["services"]["my.dotted"]["tty"] is False
    assert out["networks"]["n"] == {"external": False, "name": "true"}


@pytest.mark.parametrize(
    ("caster", "text", "value"),
    [
        (to_int, "42", 42),
        (to_int, "+7", 7),
        (to_int, "-0", 0),
        (to_int64, "9223372036854775807", 2**63 - 1),
        (to_float, "1.5", 1.5),
        (to_float, ".5", 0.5),
        (to_float, "1.", 1.0),
        (to_float, "1e3", 1000.0),
        (to_float, "1_000.5", 1000.5),
        (to_float, "0x1p-2", 0.25),
        (to_float, "-Inf", float("-inf")),
        (to_float, "infinity", float("inf")),
        (to_float32, "0.5", 0.5),
        (to_boolean, "TRUE", True),
        (to_boolean, "False", False),
        (to_boolean, "Off", False),
        (to_boolean, "y", True),
    ],
)
def test_casters(caster: Any, text: str, value: Any) -> None:
    assert caster(text) == value


@pytest.mark.parametrize(
    ("caster", "text", "message"),
    [
        (to_int, "abc", 'strconv.Atoi: parsing "abc": invalid syntax'),
        (to_int, "", 'strconv.Atoi: parsing "": invalid syntax'),
        (to_int, " 1", 'strconv.Atoi: parsing " 1": invalid syntax'),
        (to_int, "1_000", 'strconv.Atoi: parsing "1_000": invalid syntax'),
        (to_int, "٣", 'strconv.Atoi: parsing "٣": invalid syntax'),
        (
            to_int,
            "9223372036854775808",
            'strconv.Atoi: parsing "9223372036854775808": value out of range',
        ),
        (to_int64, "1.5", 'strconv.ParseInt: parsing "1.5": invalid syntax'),
        (to_float, "zzz", 'strconv.ParseFloat: parsing "zzz": invalid syntax'),
        (to_float, "1e400", 'strconv.ParseFloat: parsing "1e400": value out of range'),
        (to_float, "0x1", 'strconv.ParseFloat: parsing "0x1": invalid syntax'),
        (to_float, "infin", 'strconv.ParseFloat: parsing "infin": invalid syntax'),
        (to_float, "1__0", 'strconv.ParseFloat: parsing "1__0": invalid syntax'),
        (to_float32, "1e39", 'strconv.ParseFloat: parsing "1e39": value out of range'),
        (to_boolean, "maybe", "invalid boolean: maybe"),
    ],
)
def test_caster_errors(caster: Any, text: str, message: str) -> None:
    with pytest.raises(CastError) as caught:
        caster(text)
    assert str(caught.value) == message


def test_error_messages_paths_and_locations() -> None:
    bad = Location("c.yaml", 9, 17)
    ports = YList([YMap({"target": "${P:-abc}"})])
    ports[0].locs = {"target": bad}
    data = YMap({"services": YMap({"a": YMap({"ports": ports})})})
    with pytest.raises(InterpolationError) as caught:
        interpolate(data, NO_ENV.get)
    error = caught.value
    assert error.message == (
        "error while interpolating services.a.ports.[].target: failed to cast to expected type: "
        'strconv.Atoi: parsing "abc": invalid syntax'
    )
    assert error.location == bad and error.path == "services.a.ports[0].target"
    assert error.code == "interpolation-cast"

    with pytest.raises(InterpolationError) as caught:
        interpolate({"services": {"a": {"command": ["ok", "${"]}}}, NO_ENV.get)
    assert caught.value.message == (
        "invalid interpolation format for services.a.command.[].\n"
        "You may need to escape any $ with another $.\n${"
    )
    assert caught.value.path == "services.a.command[1]"

    with pytest.raises(InterpolationError) as caught:
        interpolate({"services": {"a": {"image": Override("${X:?need X}")}}}, NO_ENV.get)
    assert caught.value.message == (
        "error while interpolating services.a.image: required variable X is missing a value: need X"
    )
    assert caught.value.code == "required-variable"


def test_collect_variables() -> None:
    data = {
        "services": {
            "a": {
                "image": "img:${TAG:-latest}",
                "labels": {"$KEY": "${REQ:?x}"},
                "ports": [{"published": "${P+alt}"}],
                "x": Override("$PLAIN"),
            }
        }
    }
    assert collect_variables(data) == {
        "TAG": Variable("TAG", default="latest"),
        "REQ": Variable("REQ", required=True),
        "P": Variable("P", alternate="alt"),
        "PLAIN": Variable("PLAIN"),
    }


# --- the reference as judge ---------------------------------------------------------

CAST_PROJECT: dict[str, Any] = {
    "services": {
        "a": {
            "image": "busybox",
            "cpu_count": "${TWO:-2}",
            "cpu_percent": "50",
            "cpu_period": "100000",
            "cpu_quota": "50000",
            "cpu_rt_period": "1000",
            "cpu_rt_runtime": "500",
            "cpus": "${HALF:-0.5}",
            "cpu_shares": "512",
            "init": "true",
            "deploy": {
                "replicas": "${THREE:-3}",
                "update_config": {"parallelism": "2", "max_failure_ratio": "0.25"},
                "rollback_config": {"parallelism": "3", "max_failure_ratio": "0.75"},
                "restart_policy": {"max_attempts": "4"},
                "placement": {"max_replicas_per_node": "2"},
            },
            "healthcheck": {"retries": "5", "disable": "${YES:-yes}"},
            "oom_kill_disable": "on",
            "oom_score_adj": "-100",
            "pids_limit": "100",
            "ports": [{"target": "${PORT:-80}", "published": "8080"}],
            "privileged": "TRUE",
            "read_only": "true",
            "stdin_open": "y",
            "tty": "true",
            "ulimits": {"nofile": "1024", "nproc": {"soft": "10", "hard": "${HARD:-20}"}},
            "volumes": [
                {
                    "type": "volume",
                    "source": "v",
                    "target": "/x",
                    "read_only": "true",
                    "volume": {"nocopy": "true"},
                },
            ],  # fmt: skip
            "networks": ["n", "m"],
            "secrets": ["s"],
            "configs": ["c"],
        },
        "b": {"image": "busybox", "scale": "2"},
    },
    "networks": {
        "n": {"external": "true"},
        "m": {
            "internal": "true",
            "attachable": "true",
            "enable_ipv6": "true",
            "enable_ipv4": "true",
        },
    },
    "volumes": {"v": {"external": "true"}},
    "secrets": {"s": {"external": "true"}},
    "configs": {"c": {"external": "true"}},
}


def _concrete_paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in _concrete_paths(v, (*prefix, k))]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in _concrete_paths(v, (*prefix, i))]
    return [prefix]


def _matches(path: tuple[Any, ...], pattern: str) -> bool:
    parts = pattern.split(".")
    return len(parts) == len(path) and all(
        want == "*" or (want == "[]" and isinstance(key, int)) or want == key
        for want, key in zip(parts, path, strict=True)
    )


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


def reference_config(tmp_path: Path, project: Any, env: dict[str, str], *extra: str) -> Any:
    (tmp_path / "compose.yaml").write_text(json.dumps(project))
    done = run_reference(["-p", "p", "-f", "compose.yaml", "config", *extra], tmp_path, env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), warnings_of(done.stderr)


@pytest.mark.reference
@needs_reference
def test_casts_against_reference(tmp_path: Path) -> None:
    """Every CASTS entry is exercised, and typed exactly as the reference types it."""
    env = {"HALF": "0.5"}
    theirs, their_warnings = reference_config(tmp_path, CAST_PROJECT, env, "--format", "json")
    warnings: list[str] = []
    mine = interpolate(CAST_PROJECT, env.get, warnings=warnings)
    covered = set()
    for path in _concrete_paths(CAST_PROJECT):
        pattern = next((p for p in CASTS if _matches(path, p)), None)
        if pattern is None:
            continue
        covered.add(pattern)
        ours, ref = _get(mine, path), _get(theirs, path)
        assert type(ours) is not str and ours == ref, path
    assert covered == set(CASTS)
    assert sorted(warnings) == sorted(their_warnings)


def _service(**fields: Any) -> dict[str, Any]:
    return {"services": {"a": {"image": "busybox", **fields}}}


BAD_PROJECTS = [
    _service(deploy={"replicas": "${X:-abc}"}),
    _service(cpu_count="1.5"),
    _service(cpus="zzz"),
    _service(cpus="1e39"),
    _service(cpu_percent="1e400"),
    _service(privileged="maybe"),
    _service(ulimits={"nofile": "99999999999999999999"}),
    _service(ports=[{"target": ""}]),
    _service(image="${NOPE:?is required}"),
    _service(command=["echo", "a ${B C}"]),
    {
        "services": {"a": {"image": "busybox", "networks": ["n"]}},
        "networks": {"n": {"external": "${E:-nope}"}},
    },
]


@pytest.mark.reference
@needs_reference
@pytest.mark.parametrize("project", BAD_PROJECTS)
def test_errors_against_reference(tmp_path: Path, project: dict[str, Any]) -> None:
    with pytest.raises(InterpolationError) as caught:
        interpolate(project, NO_ENV.get)
    (tmp_path / "compose.yaml").write_text(json.dumps(project))
    done = run_reference(["-p", "p", "-f", "compose.yaml", "config"], tmp_path, {})
    assert done.returncode != 0
    stderr = "\n".join(line for line in done.stderr.splitlines() if "level=" not in line)
    assert stderr == caught.value.message


@pytest.mark.reference
@needs_reference
def test_keys_and_dollars_against_reference(tmp_path: Path) -> None:
    project = {
        "services": {
            "a": {
                "image": "busybox:${TAG}",
                "labels": {"$$K": "v", "${SET}": "w", "x": "$$${SET}$"},
                "environment": ["A=${SET:-$UNSET}", "B=$$PLAIN"],
            }
        },
        "x-$${Y}": {"k": "${EMPTY:-d}"},
    }
    theirs, their_warnings = reference_config(tmp_path, project, ENV, "--format", "json")
    warnings: list[str] = []
    mine = interpolate(project, ENV.get, warnings=warnings)
    assert sorted(warnings) == sorted(their_warnings)
    labels = {escaped(k): escaped(v) for k, v in mine["services"]["a"]["labels"].items()}
    assert labels == theirs["services"]["a"]["labels"]
    assert theirs["services"]["a"]["environment"] == dict(
        escaped(item).split("=", 1) for item in mine["services"]["a"]["environment"]
    )
    assert theirs["services"]["a"]["image"] == escaped(mine["services"]["a"]["image"])
    assert theirs["x-$$$${Y}"] == {"k": "d"} == mine["x-$${Y}"]


VARIABLE_FORMS = [
    "img:${TAG:-latest}", "${REQ:?must}", "${REQ2?msg ${NOT_LISTED}}", "$PLAIN and ${BRACED}",
    "${NOCOLON-dflt}", "${ALT:+alt}", "${ALT2+alt2}", "${NEST:-${INNER:-x}}", "$$ESC",
    "${J:-$K}", "${E1B:-1} ${F:-{} $G-h ${H:+${I}}", "${O:-}", "${LISTED_IN_LIST}",
]  # fmt: skip


@pytest.mark.reference
@needs_reference
def test_variables_against_reference(tmp_path: Path) -> None:
    project = {
        "services": {
            "a": {
                "image": "busybox",
                "environment": {f"K{i}": t for i, t in enumerate(VARIABLE_FORMS[:-1])},
                "labels": {"$KEYVAR": "x"},
                "x-deep": [[{"k": VARIABLE_FORMS[-1]}]],
            }
        }
    }
    theirs, _ = reference_config(tmp_path, project, {}, "--variables", "--format", "json")
    mine = {
        name: {
            "Name": v.name,
            "DefaultValue": v.default or "",
            "PresenceValue": v.alternate or "",
            "Required": v.required,
        }
        for name, v in collect_variables(project).items()
    }
    assert mine == theirs


# --- the shared corpus ----------------------------------------------------------------


def corpus_case(name: str) -> Path:
    root = Path(
        os.environ.get("COMPOSER_CORPUS")
        or Path(__file__).resolve().parents[3] / "shared" / "corpus"
    )
    folder = root / name
    if not folder.is_dir():
        pytest.skip("shared corpus not available")
    return folder


def _load(folder: Path, name: str) -> Any:
    return YAML(typ="safe", pure=True).load((folder / name).read_text())


def test_corpus_interpolation_forms() -> None:
    folder = corpus_case("compose-spec__interpolation-forms-authored")
    env = json.loads((folder / "case.json").read_text())["env"]
    warnings: list[str] = []
    out = interpolate(_load(folder, "compose.yaml"), env.get, warnings=warnings)
    expected = json.loads((folder / "expected.json").read_text())["services"]["forms"]
    forms = out["services"]["forms"]
    assert {k: escaped(v) for k, v in forms["environment"].items()} == expected["environment"]
    assert {escaped(k): escaped(v) for k, v in forms["labels"].items()} == expected["labels"]
    assert forms["command"] == "echo value yes"
    expected_warnings = (folder / "expected_warnings.txt").read_text().splitlines()
    assert sorted(warnings) == sorted(warnings_of("\n".join(expected_warnings)))


def test_corpus_label_keys() -> None:
    folder = corpus_case("compose-spec__interpolation-label-keys-authored")
    env = json.loads((folder / "case.json").read_text())["env"]
    out = interpolate(_load(folder, "compose.yaml"), env.get)
    assert out["services"]["foo"]["labels"] == {"$VAR_NOT_INTERPOLATED_BY_COMPOSE": "BAR"}
    assert out["services"]["bar"]["labels"] == ["com.example.key=BAR"]


def test_corpus_required_variable_error() -> None:
    folder = corpus_case("podman-compose__interpolation-question-error")
    with pytest.raises(InterpolationError) as caught:
        interpolate(_load(folder, "docker-compose-question-error.yml"), NO_ENV.get)
    assert caught.value.message == (folder / "expected_error.txt").read_text().strip()
