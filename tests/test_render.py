"""The `config` renderer against the reference's own output.

Three layers: self-contained cases with the reference's answers written inline;
the shared corpus (each expected.json/expected.yaml turned back into a canonical
project with shuffled key order, rendered, compared byte for byte); and differential
runs of the reference binary on files written here (tricky strings and keys, every
attribute, zero values).
"""

from __future__ import annotations

import copy
import json
import os
import random
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from composer.golang import go_float_json
from composer.render import RenderError, dump_json, dump_yaml, render_json, render_yaml
from composer.render.goscalar import (
    go_float_g,
    resolves_to_non_string,
    yaml_key_less,
    yaml_sorted,
)
from tests.reference import reference_binary, run_reference

# --- helpers -------------------------------------------------------------------------------


def _shuffled(value: Any, rng: random.Random) -> Any:
    """The same data with every mapping's key order randomised."""
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _shuffled(v, rng) for k, v in items}
    if isinstance(value, list):
        return [_shuffled(v, rng) for v in value]
    return value


def _unescape(value: Any) -> Any:
    """Undo the output's `$$` (the canonical project holds single `$`)."""
    if isinstance(value, dict):
        return {_unescape(k): _unescape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unescape(v) for v in value]
    if isinstance(value, str):
        return value.replace("$$", "$")
    return value


def _merge(from_json: Any, from_yaml: Any, top: bool = False) -> Any:
    """JSON data (exact types) plus what only YAML shows (service `x-*`, models)."""
    if isinstance(from_json, dict) and isinstance(from_yaml, dict):
        out = dict(from_json)
        for key, value in from_yaml.items():
            if key not in out or (top and str(key).startswith("x-")):
                out[key] = value
            else:
                out[key] = _merge(out[key], value)
        return out
    if isinstance(from_json, list) and isinstance(from_yaml, list):
        if len(from_json) == len(from_yaml):
            return [_merge(a, b) for a, b in zip(from_json, from_yaml, strict=True)]
    return from_json


def _project_from_outputs(yaml_text: str, json_text: str | None) -> Any:
    data = _unescape(YAML(typ="safe").load(yaml_text))
    if json_text is not None:
        data = _merge(_unescape(json.loads(json_text)), data, top=True)
    return data


def _diff(expected: str, got: str) -> str:
    import difflib

    return "".join(
        list(difflib.unified_diff(expected.splitlines(True), got.splitlines(True), "ref", "ours"))[
            :60
        ]
    )


# --- self-contained: whole documents -------------------------------------------------------

SMALL_PROJECT = {
    "services": {
        "web": {
            "x-svc": {"b": 1, "a": [1.5, 1e20]},
            "ports": [{"published": "8080", "target": 80, "protocol": "tcp", "mode": "ingress"}],
            "image": "nginx:1.25",
            "environment": {"PASSWORD": "pa$word", "EMPTY": "", "UNSET": None},
            "networks": {"n": None},
            "command": ["sh", "-c", "echo hi\necho there\n"],
            "build": {"ssh": ["default"], "context": "/src"},
            "depends_on": {"db": {"required": True, "condition": "service_started"}},
            "deploy": {"replicas": 0},
        },
        "db": {"image": "postgres", "command": [], "ulimits": {"nofile": {"soft": 0, "hard": 5}}},
    },
    "name": "demo",
    "networks": {"n": {"name": "demo_n"}},
    "volumes": {},
    "x-top": "$HOME",
    "models": {"m": {"model": "ai/x"}},
}

SMALL_YAML = """\
name: demo
services:
  db:
    command: []
    image: postgres
    ulimits:
      nofile:
        soft: 0
        hard: 5
  web:
    build:
      context: /src
      ssh:
        - default
    command:
      - sh
      - -c
      - |
        echo hi
        echo there
    depends_on:
      db:
        condition: service_started
        required: true
    deploy:
      replicas: 0
    environment:
      EMPTY: ""
      PASSWORD: pa$$word
      UNSET: null
    image: nginx:1.25
    networks:
      "n": null
    ports:
      - mode: ingress
        target: 80
        published: "8080"
        protocol: tcp
    x-svc:
      a:
        - 1.5
        - 1e+20
      b: 1
networks:
  "n":
    name: demo_n
models:
  m:
    model: ai/x
x-top: $$HOME
"""

SMALL_JSON = """\
{
  "name": "demo",
  "networks": {
    "n": {
      "name": "demo_n",
      "ipam": {}
    }
  },
  "services": {
    "db": {
      "command": [],
      "entrypoint": null,
      "image": "postgres",
      "ulimits": {
        "nofile": {
          "hard": 5
        }
      }
    },
    "web": {
      "build": {
        "context": "/src",
        "ssh": [
          "default"
        ]
      },
      "command": [
        "sh",
        "-c",
        "echo hi\\necho there\\n"
      ],
      "depends_on": {
        "db": {
          "condition": "service_started",
          "required": true
        }
      },
      "deploy": {
        "replicas": 0,
        "resources": {},
        "placement": {}
      },
      "entrypoint": null,
      "environment": {
        "EMPTY": "",
        "PASSWORD": "pa$$word",
        "UNSET": null
      },
      "image": "nginx:1.25",
      "networks": {
        "n": null
      },
      "ports": [
        {
          "mode": "ingress",
          "target": 80,
          "published": "8080",
          "protocol": "tcp"
        }
      ]
    }
  },
  "x-top": "$$HOME"
}"""


def test_small_project_yaml() -> None:
    assert render_yaml(SMALL_PROJECT) == SMALL_YAML


def test_small_project_json() -> None:
    assert render_json(SMALL_PROJECT) == SMALL_JSON


@pytest.mark.parametrize("seed", range(5))
def test_key_order_comes_from_the_tables_not_the_input(seed: int) -> None:
    shuffled = _shuffled(SMALL_PROJECT, random.Random(seed))
    assert render_yaml(shuffled) == SMALL_YAML
    assert render_json(shuffled) == SMALL_JSON


def test_empty_project() -> None:
    assert render_yaml({"name": "p"}) == "name: p\nservices: {}\n"
    assert render_json({"name": "p"}) == '{\n  "name": "p",\n  "services": {}\n}'


def test_unknown_keys_are_dropped_like_go_struct_marshalling() -> None:
    project = {"name": "p", "version": "3", "services": {"s": {"image": "x", "bogus": 1}}}
    assert render_yaml(project) == "name: p\nservices:\n  s:\n    image: x\n"


def test_json_value_structs_and_extensions() -> None:
    """JSON always prints value structs (ipam, resources, placement, watch exec) and
    never prints `x-*` below the top level; top-level empty lists in extensions are
    nil slices there (null)."""
    project = {
        "name": "p",
        "services": {
            "s": {
                "x-a": 1,
                "develop": {"watch": [{"path": "/p", "action": "rebuild"}]},
                "deploy": {"resources": {"limits": {}}},
            }
        },
        "x-list": [[], {}, [[]]],
    }
    assert render_yaml(project) == (
        "name: p\nservices:\n  s:\n    develop:\n      watch:\n        - path: /p\n"
        "          action: rebuild\n    deploy:\n      resources:\n        limits: {}\n"
        "    x-a: 1\nx-list:\n  - []\n  - {}\n  - - []\n"
    )
    data = json.loads(render_json(project))
    service = data["services"]["s"]
    assert service["develop"]["watch"][0]["exec"] == {"command": None}
    assert service["deploy"] == {"resources": {"limits": {}}, "placement": {}}
    assert "x-a" not in service
    assert data["x-list"] == [None, {}, [None]]


def test_secret_content_and_config_from_environment_are_not_printed() -> None:
    project = {
        "name": "p",
        "secrets": {"s": {"name": "p_s", "environment": "TOKEN", "content": "hunter2"}},
        "configs": {
            "a": {"name": "p_a", "environment": "HOME", "content": "/root"},
            "b": {"name": "p_b", "content": "inline"},
        },
    }
    text = render_yaml(project)
    assert "hunter2" not in text and "/root" not in text
    assert "    content: inline\n" in text


@pytest.mark.parametrize("ssh", [{"default": None, "id1": "/k"}, ["default", "id1=/k"]])
def test_ssh_with_path_fails_in_json_like_the_reference(ssh: Any) -> None:
    project: dict[str, Any] = {
        "name": "p",
        "services": {"s": {"build": {"context": "/c", "ssh": ssh}}},
    }
    assert "      ssh:\n        - default\n        - 'id1: /k'\n" in render_yaml(project)
    with pytest.raises(RenderError, match="invalid character ':' after top-level value"):
        render_json(project)
    project["services"]["s"]["build"]["ssh"] = {"default": None}
    assert '"ssh": [\n          "default"\n        ]' in render_json(project)


def test_mode_and_sizes_are_printed_as_go_strings() -> None:
    project = {
        "name": "p",
        "services": {
            "s": {
                "secrets": [{"source": "x", "target": "/x", "mode": 0o440}],
                "shm_size": 67108864,
                "cpus": 2,
            }
        },
    }
    text = render_yaml(project)
    assert '        mode: "0440"\n' in text
    assert '    shm_size: "67108864"\n' in text
    assert "    cpus: 2\n" in text


# --- self-contained: scalars -----------------------------------------------------------
# Each line below is what the reference printed for that label value (see the
# differential test further down, which regenerates them).

SCALAR_LINES = [
    ("plain", "plain"),
    ("9000", '"9000"'),
    ("1e3", '"1e3"'),
    (".5", '".5"'),
    ("0x1F", '"0x1F"'),
    ("0755", '"0755"'),
    ("08", '"08"'),
    ("1_000", '"1_000"'),
    ("-", "'-'"),
    ("+", "+"),
    ("...", "'...'"),
    ("--- x", "'--- x'"),
    ("true", '"true"'),
    ("tRue", "tRue"),
    ("yes", '"yes"'),
    ("on", '"on"'),
    ("off", '"off"'),
    ("y", '"y"'),
    ("n", '"n"'),
    ("~", '"~"'),
    ("", '""'),
    (".inf", '".inf"'),
    ("inf", "inf"),
    ("<<", "<<"),
    ("12:30", '"12:30"'),
    ("8080:80", "8080:80"),
    ("2024-01-02", '"2024-01-02"'),
    ("2024-02-30", "2024-02-30"),
    ("a: b", "'a: b'"),
    ("key:", "'key:'"),
    ("a:b", "a:b"),
    ("?a", "?a"),
    ("- a", "'- a'"),
    ("a #b", "'a #b'"),
    ("a#b", "a#b"),
    ("*a", "'*a'"),
    ("&a", "'&a'"),
    ("!a", "'!a'"),
    ("%a", "'%a'"),
    ("@a", "'@a'"),
    ("`a", "'`a'"),
    ("'a", "'''a'"),
    ('"a', "'\"a'"),
    ("a'b", "a'b"),
    (" lead", "' lead'"),
    ("trail ", "'trail '"),
    ("a\tb", '"a\\tb"'),
    ("café", "café"),
    ("emoji \U0001f600", '"emoji \\U0001F600"'),
    ("bell\a", '"bell\\a"'),
    ("del\x7f", '"del\\x7F"'),
    ("bom\ufeffx", '"bom\\uFEFFx"'),
    ("nel\x85x", '"nel\\Nx"'),
    ("a\\b", "a\\b"),
    ("a \nb", '"a \\nb"'),
    ("a\nb ", '"a\\nb "'),
    ("x\r\ny", '"x\\r\\ny"'),
]


@pytest.mark.parametrize(("value", "expected"), SCALAR_LINES)
def test_scalar_style(value: str, expected: str) -> None:
    assert dump_yaml({"k": value}) == f"k: {expected}\n"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("line1\nline2", "|-\n  line1\n  line2\n"),
        ("line1\nline2\n", "|\n  line1\n  line2\n"),
        ("line1\nline2\n\n", "|+\n  line1\n  line2\n\n"),
        ("\nlead", "|2-\n\n  lead\n"),
        ("\n", "|2+\n\n"),
        (" a\nb", "|2-\n   a\n  b\n"),
        ("a\n\tb", "|-\n  a\n  \tb\n"),
    ],
)
def test_literal_blocks(value: str, expected: str) -> None:
    assert dump_yaml({"k": value}) == f"k: {expected}"


def test_literal_block_in_a_sequence_and_nested_collections() -> None:
    value: dict[str, Any] = {"k": ["a\nb", [], {}, [["x"]], [{"a": 1}], None]}
    assert dump_yaml(value) == (
        "k:\n  - |-\n    a\n    b\n  - []\n  - {}\n  - - - x\n  - - a: 1\n  - null\n"
    )


def test_long_and_multiline_keys_use_the_explicit_form() -> None:
    long = "k" * 129
    assert dump_yaml({"k" * 128: 1}) == "k" * 128 + ": 1\n"
    assert dump_yaml({long: {"a": 1, "b": [1]}}) == f"? {long}\n: a: 1\n  b:\n    - 1\n"
    assert dump_yaml({"multi\nkey": "v"}) == "? |-\n  multi\n  key\n: v\n"


def test_quoted_keys() -> None:
    text = dump_yaml({"": 1, "true": 2, "yes": 3, "a: b": 4, "*x": 5, "a\tb": 6, "0755": 7})
    assert text == ('"": 1\n\'*x\': 5\n"0755": 7\n"a\\tb": 6\n\'a: b\': 4\n"true": 2\n"yes": 3\n')


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("123", True),
        ("-1.5e3", True),
        ("0o17", True),
        ("0b101", True),
        ("+.5e-3", True),
        ("1.", True),
        ("99999999999999999999", True),
        ("0xFFFFFFFFFFFFFFFFFF", False),
        ("2024-1-2", True),
        ("2024-01-02T10:00:00Z", True),
        ("2024-01-02 10:00:00.5", True),
        ("2024-13-02", False),
        ("1:2:3", True),
        ("190:20:30.15", True),
        ("1.2.3", False),
        ("-a", False),
        ("NaN", False),
    ],
)
def test_resolve(text: str, quoted: bool) -> None:
    assert resolves_to_non_string(text) is quoted


@pytest.mark.parametrize(
    ("value", "bits", "yaml_text", "json_text"),
    [
        (1.0, 64, "1", "1"),
        (1e20, 64, "1e+20", "100000000000000000000"),
        (1e21, 64, "1e+21", "1e+21"),
        (1e-7, 64, "1e-07", "1e-7"),
        (1e-6, 64, "1e-06", "0.000001"),
        (123456789.123, 64, "1.23456789123e+08", "123456789.123"),
        (-0.0, 64, "-0", "-0"),
        (100000.0, 64, "100000", "100000"),
        (1000000.0, 64, "1e+06", "1000000"),
        (0.001, 32, "0.001", "0.001"),
        (0.3, 32, "0.3", "0.3"),
        (1.5, 32, "1.5", "1.5"),
        (1e-5, 32, "1e-05", "0.00001"),
    ],
)
def test_floats(value: float, bits: int, yaml_text: str, json_text: str) -> None:
    assert go_float_g(value, bits) == yaml_text
    assert go_float_json(value, bits) == json_text


def test_yaml_key_order_is_yaml_v3_natural_order() -> None:
    keys = [
        "",
        " lead",
        "$key",
        "*star",
        "- dash",
        "-dash",
        "[x]",
        "~",
        "1e3",
        "0755",
        "9000",
        "a\tb",
        "a #b",
        "a#b",
        "a: b",
        "a:b",
        "café",
        "null",
        "plainkey",
        "true",
        "yes",
    ]
    assert yaml_sorted(reversed(keys)) == keys
    assert yaml_sorted(["a10", "a9", "a_", "ab", "A", "a1b", "a1_"]) == [
        "A",
        "a_",
        "a1b",
        "a1_",
        "a9",
        "a10",
        "ab",
    ]
    assert yaml_key_less(1, "a") and yaml_key_less(1, 2.5)


def test_yaml_sorted_fast_paths_agree_with_key_less() -> None:
    import functools

    def cmp(a: str, b: str) -> int:
        return -1 if yaml_key_less(a, b) else (1 if yaml_key_less(b, a) else 0)

    rng = random.Random(3)
    for alphabet in ("ab_-.0129AZ:~", "a0", "x1y2_.-", "aé1_"):
        for _ in range(500):
            keys = list(
                {
                    "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
                    for _ in range(rng.randint(2, 10))
                }
            )
            assert yaml_sorted(keys) == sorted(keys, key=functools.cmp_to_key(cmp))


def test_dump_json_is_go_marshal_indent() -> None:
    value = {"b": [], "a": {"<tag>": "x & y\u2028", "n": 1.0}, "c": [None, True, 3]}
    assert dump_json(value) == (
        '{\n  "a": {\n    "\\u003ctag\\u003e": "x \\u0026 y\\u2028",\n    "n": 1\n  },\n'
        '  "b": [],\n  "c": [\n    null,\n    true,\n    3\n  ]\n}'
    )


def test_dump_yaml_indent_four() -> None:
    assert dump_yaml({"a": {"b": [1, {"c": 2, "d": 3}]}}, indent=4) == (
        "a:\n    b:\n        - 1\n        - c: 2\n          d: 3\n"
    )


def test_nan_in_json_is_an_error() -> None:
    with pytest.raises(RenderError):
        render_json({"name": "p", "x-f": float("nan")})


# --- performance -------------------------------------------------------------------------


def _big_project(count: int) -> dict[str, Any]:
    service: dict[str, Any] = {
        "image": "registry.example.com/team/app:1.2.3",
        "command": ["python", "-m", "app", "--port", "8000"],
        "environment": {f"VAR_{i}": f"value-{i}" for i in range(10)},
        "labels": {"com.example.team": "core", "com.example.tier": "backend"},
        "ports": [{"mode": "ingress", "target": 8000, "published": "8000", "protocol": "tcp"}],
        "volumes": [
            {
                "type": "bind",
                "source": "/srv/data",
                "target": "/data",
                "bind": {"create_host_path": True},
            },
            {"type": "volume", "source": "cache", "target": "/cache", "volume": {}},
        ],
        "healthcheck": {"test": ["CMD", "curl", "-f", "http://localhost"], "interval": "30s"},
        "depends_on": {"db": {"condition": "service_healthy", "required": True}},
        "networks": {"default": None},
        "deploy": {"resources": {"limits": {"cpus": 0.5, "memory": "536870912"}}},
    }
    services = {}
    for index in range(count):
        copy_ = copy.deepcopy(service)
        copy_["environment"]["INDEX"] = str(index)
        services[f"svc-{index}"] = copy_
    return {
        "name": "big",
        "services": services,
        "networks": {"default": {"name": "big_default"}},
        "volumes": {"cache": {"name": "big_cache"}},
    }


def test_thousand_services_render() -> None:
    """Speed is measured in benchmarks/, not asserted here; this checks a big render's shape."""
    project = _big_project(1000)
    assert render_yaml(project).count("\n  svc-") == 1000
    assert json.loads(render_json(project))["services"].keys() == project["services"].keys()


# --- the shared corpus -----------------------------------------------------------------------


def _corpus_dir() -> Path | None:
    override = os.environ.get("COMPOSER_CORPUS")
    folder = (
        Path(override) if override else Path(__file__).resolve().parents[2] / "shared" / "corpus"
    )
    return folder if folder.is_dir() else None


def _corpus_cases() -> list[str]:
    folder = _corpus_dir()
    if folder is None:
        return []
    return sorted(p.parent.name for p in folder.glob("*/expected.yaml"))


@pytest.mark.corpus
@pytest.mark.parametrize("case", _corpus_cases() or ["<no corpus>"])
def test_corpus_case(case: str) -> None:
    folder = _corpus_dir()
    if folder is None:
        pytest.skip("shared corpus not available")
    root = folder / case
    case_dir = "/work/case"
    yaml_text = (root / "expected.yaml").read_text().replace("${CASE_DIR}", case_dir)
    json_path = root / "expected.json"
    json_text = (
        json_path.read_text().replace("${CASE_DIR}", case_dir) if json_path.exists() else None
    )
    project = _shuffled(_project_from_outputs(yaml_text, json_text), random.Random(case))
    got = render_yaml(project)
    assert got == yaml_text, _diff(yaml_text, got)
    if json_text is not None:
        got_json = render_json(project)
        assert got_json == json_text, _diff(json_text, got_json)
    else:
        expected_error = (root / "expected_json_error.txt").read_text()
        with pytest.raises(RenderError) as raised:
            render_json(project)
        assert raised.value.message in expected_error


# --- differential runs of the reference -------------------------------------------------------

needs_reference = pytest.mark.skipif(reference_binary() is None, reason="reference not installed")


def _yaml_string(text: str) -> str:
    """A double-quoted YAML scalar for `text` that the reference reads back exactly
    (with `$` doubled so interpolation leaves it alone)."""
    out = []
    for char in text.replace("$", "$$"):
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif 32 <= code < 127:
            out.append(char)
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def _reference_outputs(
    folder: Path, *args: str, config_args: tuple[str, ...] = ()
) -> tuple[str, str]:
    outputs = []
    for fmt in ("yaml", "json"):
        run = run_reference(
            ["-p", "proj", *args, "-f", "compose.yaml", "config", *config_args, "--format", fmt],
            folder,
        )
        assert run.returncode == 0, run.stderr
        outputs.append(run.stdout)
    return outputs[0], outputs[1]


TRICKY_VALUES = [value for value, _ in SCALAR_LINES] + [
    "0o17",
    "0b101",
    "-1",
    "+1",
    ".",
    "a---",
    "True",
    "FALSE",
    "Null",
    "NULL",
    ".NaN",
    "nan",
    "=",
    "1:2:3",
    "190:20:30.15",
    "2024-01-02T10:00:00Z",
    "2024-01-02 10:00:00",
    "2024-13-02",
    "1.2.3",
    "1.",
    "1.e5",
    "-.5",
    ":a",
    ": a",
    "? a",
    "a?",
    "a ?b",
    "-a",
    "a - b",
    "#a",
    ",a",
    "a,b",
    "[a",
    "a[b]",
    "{a}",
    "|a",
    "a|b",
    ">a",
    "a%b",
    "a`b",
    " both ",
    "\tlead",
    "trail\t",
    "a  b",
    "日本",
    "nbsp\xa0x",
    "\u2028ls",
    "esc\x1b",
    "line1\nline2",
    "line1\nline2\n",
    "line1\nline2\n\n",
    "\nlead",
    "\n",
    "\n\n",
    "a\n",
    " a\nb",
    "a\n b",
    "a\n\tb",
    "a\tb\nc",
    "a\n#b",
    "a\n- b",
    "trailing\n  ",
    "$dollar",
    "a$b$",
    "${X}",
    "€",
    "a<b>&c",
    "x" * 150,
    "long words " * 20,
    "a\u2028b\nc\u2029",
    "\x00nul",
    "\x08\x0c",
]
TRICKY_KEYS = [
    "plainkey",
    "9000",
    "true",
    "yes",
    "",
    "a: b",
    "a:b",
    " lead",
    "trail ",
    "multi\nline",
    "*star",
    "-dash",
    "- dash",
    "k" * 130,
    "k" * 128,
    "k" * 129,
    "café",
    "emoji\U0001f600",
    "a#b",
    "a #b",
    "null",
    "~",
    "1e3",
    "0755",
    "[x]",
    "a\tb",
    "a\u2028b",
    "v10",
    "v9",
    "v_1",
    "V1",
    "v1a",
    "v1_",
    "<key>",
]


@pytest.mark.reference
@needs_reference
def test_tricky_strings_and_keys_match_the_reference(tmp_path: Path) -> None:
    lines = ["services:", "  s:", "    image: img", "    labels:"]
    lines += [
        f"      {_yaml_string(f'v{i:03d}')}: {_yaml_string(v)}" for i, v in enumerate(TRICKY_VALUES)
    ]
    lines.append("x-keys:")
    lines += [f"  {_yaml_string(k)}: {_yaml_string(f'val{i}')}" for i, k in enumerate(TRICKY_KEYS)]
    lines.append("x-dollar-key:")
    lines.append('  "$$raw": 1')  # keys are not interpolated: the key stays `$$raw`
    (tmp_path / "compose.yaml").write_text("\n".join(lines) + "\n")
    ref_yaml, ref_json = _reference_outputs(tmp_path)
    project = {
        "name": "proj",
        "services": {
            "s": {
                "image": "img",
                "labels": {f"v{i:03d}": v for i, v in enumerate(TRICKY_VALUES)},
                "networks": {"default": None},
            }
        },
        "networks": {"default": {"name": "proj_default"}},
        "x-keys": {k: f"val{i}" for i, k in enumerate(TRICKY_KEYS)},
        "x-dollar-key": {"$$raw": 1},
    }
    project = _shuffled(project, random.Random(11))
    got = render_yaml(project)
    assert got == ref_yaml, _diff(ref_yaml, got)
    got_json = render_json(project)
    assert got_json == ref_json, _diff(ref_json, got_json)


EVERY_ATTRIBUTE = Path(__file__).parent / "render_fixtures" / "every_attribute.yaml"
ZERO_VALUES = Path(__file__).parent / "render_fixtures" / "zero_values.yaml"


@pytest.mark.reference
@needs_reference
@pytest.mark.parametrize(
    ("fixture", "args"),
    [(EVERY_ATTRIBUTE, ("--profile", "a")), (ZERO_VALUES, ())],
    ids=["every-attribute", "zero-values"],
)
def test_struct_order_and_omitempty_match_the_reference(
    tmp_path: Path, fixture: Path, args: tuple[str, ...]
) -> None:
    """The reference prints a file using every attribute (and one full of zero values);
    its own output, turned back into a shuffled canonical project, must print the same."""
    (tmp_path / "compose.yaml").write_text(fixture.read_text())
    for name in ("secret.txt", "config.txt"):
        (tmp_path / name).write_text("data\n")
    (tmp_path / "e.env").write_text("A=1\n")
    (tmp_path / "l.env").write_text("L=1\n")
    ref_yaml, ref_json = _reference_outputs(tmp_path, *args)
    project = _shuffled(_project_from_outputs(ref_yaml, ref_json), random.Random(5))
    got = render_yaml(project)
    assert got == ref_yaml, _diff(ref_yaml, got)
    got_json = render_json(project)
    assert got_json == ref_json, _diff(ref_json, got_json)


@pytest.mark.reference
@needs_reference
def test_extension_numbers_and_empty_collections_match_the_reference(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(
        "services:\n  a:\n    image: x\n"
        "x-list: [[1, 2], [], {}, {a: [b]}, null, 1.0, 1e20, 1e21, 1e-7, 0.000001,"
        " 123456789.123, 3, -0.0, 2.5e-5, 100000.0, 1000000.0, .5]\n"
        "x-b: {c: [], d: {}, e: [[]], f: [[1]]}\n"
        "x-str: ['.inf', '0.1', 'yes']\n"
    )
    ref_yaml, ref_json = _reference_outputs(tmp_path)
    project = {
        "name": "proj",
        "services": {"a": {"image": "x", "networks": {"default": None}}},
        "networks": {"default": {"name": "proj_default"}},
        "x-list": [
            [1, 2],
            [],
            {},
            {"a": ["b"]},
            None,
            1.0,
            1e20,
            1e21,
            1e-7,
            0.000001,
            123456789.123,
            3,
            -0.0,
            2.5e-5,
            100000.0,
            1000000.0,
            0.5,
        ],
        "x-b": {"c": [], "d": {}, "e": [[]], "f": [[1]]},
        "x-str": [".inf", "0.1", "yes"],
    }
    assert render_yaml(project) == ref_yaml, _diff(ref_yaml, render_yaml(project))
    assert render_json(project) == ref_json, _diff(ref_json, render_json(project))


@pytest.mark.reference
@needs_reference
def test_dump_matches_the_reference_no_interpolate_output(tmp_path: Path) -> None:
    """`config --no-interpolate` prints the raw model (a Go map: every key sorted, no
    `$` escaping); dump_yaml/dump_json of the same data print the same text."""
    (tmp_path / "compose.yaml").write_text(EVERY_ATTRIBUTE.read_text())
    for name in ("secret.txt", "config.txt", "e.env", "l.env"):
        (tmp_path / name).write_text("A=1\n")
    ref_yaml, ref_json = _reference_outputs(
        tmp_path, "--profile", "a", config_args=("--no-interpolate",)
    )
    data = _shuffled(json.loads(ref_json), random.Random(2))
    assert dump_yaml(data) == ref_yaml, _diff(ref_yaml, dump_yaml(data))
    assert dump_json(data) == ref_json, _diff(ref_json, dump_json(data))
