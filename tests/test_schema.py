"""compose-spec schema: extraction from the reference, validation and reference wording."""

from __future__ import annotations

import copy
import importlib.util
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from composer import schema as S
from composer.errors import SchemaError
from composer.loader.tags import Override, Reset
from composer.loader.yaml import parse_documents
from tests.reference import reference_binary, run_reference

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "extract_schema.py"
CORPUS = ROOT.parent / "shared" / "corpus"

needs_reference = pytest.mark.skipif(reference_binary() is None, reason="no reference binary")


def load(text: str, file: str = "compose.yaml") -> Any:
    return parse_documents(text, file)[0]


def first(text: str) -> S.SchemaViolation:
    errors = S.schema_errors(load(text), file="compose.yaml")
    assert errors, "expected a schema error"
    error = errors[0]
    assert isinstance(error, S.SchemaViolation)
    return error


def _extractor() -> Any:
    spec = importlib.util.spec_from_file_location("extract_schema", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- extraction


def test_balanced_object_ignores_braces_inside_strings() -> None:
    extract = _extractor()
    data = b'junk{"a": "}{\\"}", "b": {"c": 1}} trailing }'
    assert extract.balanced_object(data, 4) == b'{"a": "}{\\"}", "b": {"c": 1}}'


def test_find_schema_in_fake_binary() -> None:
    extract = _extractor()
    schema = {"$schema": "x", "$id": "compose_spec.json", "properties": {"a": {"pattern": "{"}}}
    blob = b"\x00\x01{not json" + json.dumps(schema, indent=2).encode() + b"\x00garbage}"
    found, offset = extract.find_schema(blob)
    assert found == schema
    assert blob[offset : offset + 1] == b"{"


@pytest.mark.reference
@needs_reference
def test_extraction_round_trip(tmp_path: Path) -> None:
    run = [sys.executable, str(SCRIPT)]
    done = subprocess.run([*run, "--out-dir", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    fresh = (tmp_path / "compose-spec.json").read_text()
    assert fresh == (ROOT / "schemas" / "compose-spec.json").read_text()
    readme = (tmp_path / "README.md").read_text()
    assert "v2.9.1" in readme and "Apache" in readme
    assert subprocess.run([*run, "--check"], capture_output=True).returncode == 0
    (tmp_path / "compose-spec.json").write_text(fresh.replace('"string"', '"strings"', 1))
    drift = subprocess.run([*run, "--check", "--out-dir", str(tmp_path)], capture_output=True)
    assert drift.returncode == 1


def test_committed_schema_is_the_compose_spec() -> None:
    schema = S.load_schema()
    assert schema["$id"] == "compose_spec.json"
    assert {"services", "networks", "volumes", "secrets", "configs"} <= set(schema["properties"])


# --------------------------------------------------------------------------- messages

# (yaml, reference message text after "validating <file>: ", 1-based line, column)
CASES: list[tuple[str, str, int, int]] = [
    (
        "services:\n  web:\n    image: x\n    foo: 1\n",
        "services.web additional properties 'foo' not allowed",
        4,
        5,
    ),
    (
        "services:\n  web:\n    image: x\n    foo: 1\n    bar: 2\n",
        "services.web additional properties 'foo', 'bar' not allowed",
        4,
        5,
    ),
    ("services:\n  web:\n    image: x\nfoo: 1\n", " additional properties 'foo' not allowed", 4, 1),
    ("services:\n  web:\n    image: 3\n", "services.web.image must be a string", 3, 12),
    (
        "services:\n  web:\n    image: x\n    ports: '80:80'\n",
        "services.web.ports must be a array",
        4,
        12,
    ),
    (
        "services:\n  web:\n    image: x\n    environment: 3\n",
        "services.web.environment must be a mapping",
        4,
        18,
    ),
    ("services:\n  web:\n", "services.web must be a mapping", 2, 7),
    (
        "services:\n  web:\n    image: x\nnetworks:\n  n: 3\n",
        "networks.n must be a mapping or null",
        5,
        6,
    ),
    (
        "services:\n  web:\n    image: x\n    cgroup: foo\n",
        "services.web.cgroup value must be one of 'host', 'private'",
        4,
        13,
    ),
    (
        "services:\n  web:\n    image: x\n    gpus: some\n",
        "services.web.gpus value must be 'all'",
        4,
        11,
    ),
    (
        "services:\n  web:\n    image: x\n    container_name: '-'\n",
        "services.web.container_name '-' does not match pattern '[a-zA-Z0-9][a-zA-Z0-9_.-]+'",
        4,
        21,
    ),
    (
        "services:\n  web:\n    image: x\n    develop:\n      watch:\n        - {}\n",
        "services.web.develop.watch.0 missing properties 'path', 'action'",
        6,
        11,
    ),
    (
        "services:\n  web:\n    image: x\n    security_opt: [a, b, a]\n",
        "services.web.security_opt items at 0 and 2 are equal",
        4,
        19,
    ),
    (
        "services:\n  web:\n    image: x\n    volumes:\n      - type: tmpfs\n        target: /x\n"
        "        tmpfs:\n          size: -1\n",
        "services.web.volumes.0.tmpfs.size must be greater than or equal to 0",
        8,
        17,
    ),
    (
        "services:\n  web:\n    image: x\n    logging:\n      options:\n        a: [1]\n",
        "services.web.logging.options.a must be a null, number or string",
        6,
        12,
    ),
    (
        'services:\n  web:\n    image: x\n    "a\'b\\"c\\\\": 1\n',
        "services.web additional properties 'a\\'b\"c\\' not allowed",
        4,
        5,
    ),
]


@pytest.mark.parametrize(("text", "message", "line", "column"), CASES)
def test_first_error_message_and_position(text: str, message: str, line: int, column: int) -> None:
    error = first(text)
    assert S.reference_line(error, "f.yaml") == f"validating f.yaml: {message}"
    assert error.message == message.lstrip()
    assert error.location is not None
    assert (error.location.file, error.location.line, error.location.column) == (
        "compose.yaml",
        line,
        column,
    )


def test_error_fields_path_code_hint() -> None:
    error = first("services:\n  web:\n    image: x\n    ports:\n      - true\n")
    assert error.path == "services.web.ports[0]"
    assert error.ref_path == "services.web.ports.0"
    assert error.code == "schema.type"
    assert error.message == "services.web.ports.0 must be a number"
    assert error.hint == "accepted forms: mapping, number, string"
    enum = first("services:\n  web:\n    image: x\n    cgroup: foo\n")
    assert enum.hint == "allowed values: host, private"


def test_unknown_property_suggests_the_close_name() -> None:
    error = first("services:\n  web:\n    imgae: x\n    helthcheck: {}\n")
    assert error.message == "services.web additional properties 'imgae', 'helthcheck' not allowed"
    assert error.hint == "did you mean: imgae -> image, helthcheck -> healthcheck"


def test_all_errors_most_specific_first_document_order_on_ties() -> None:
    text = (
        "services:\n"
        "  a:\n    image: x\n    foo: 1\n"  # additional: depth 2 + 1
        "  b:\n    image: 3\n"  # type at depth 3
        "  c:\n    depends_on:\n      d:\n        condition: never\n"  # enum at depth 5
        "  d:\n    image: x\n"
    )
    errors = S.schema_errors(load(text))
    assert [e.message for e in errors] == [
        "services.c.depends_on.d.condition value must be one of 'service_started', "
        "'service_healthy', 'service_completed_successfully'",
        "services.a additional properties 'foo' not allowed",
        "services.b.image must be a string",
    ]
    assert all(isinstance(e, SchemaError) for e in errors)


def test_one_of_reports_the_best_branch_with_all_its_errors() -> None:
    text = "services:\n  web:\n    build:\n      context: 3\n      dockerfile: 4\n      foo: 1\n"
    messages = [e.message for e in S.schema_errors(load(text))]
    assert messages == [
        "services.web.build.context must be a string",
        "services.web.build.dockerfile must be a string",
        "services.web.build additional properties 'foo' not allowed",
    ]


def test_check_schema_raises_first_and_accepts_valid() -> None:
    S.check_schema(load("services:\n  web:\n    image: x\n    x-anything: [1]\nx-top: {}\n"))
    with pytest.raises(SchemaError) as caught:
        S.check_schema(load("services:\n  web:\n    image: 3\n"), file="compose.yaml")
    assert caught.value.message == "services.web.image must be a string"


def test_plain_dicts_without_positions_use_the_file() -> None:
    errors = S.schema_errors({"services": {"web": {"image": 3}}}, file="x.yaml")
    assert errors[0].location is not None and errors[0].location.file == "x.yaml"
    assert S.schema_errors({"services": {"web": {"image": "x"}}}) == []


def test_json_semantics_bool_is_not_a_number_and_float_integers() -> None:
    assert S.is_valid({"services": {"w": {"image": "x", "cpu_count": 2.0}}})
    assert not S.is_valid({"services": {"w": {"image": "x", "cpu_count": True}}})
    # unique items: true and 1 differ, 1 and 1.0 do not
    assert S.is_valid({"services": {"w": {"image": "x", "security_opt": ["1", "true"]}}})
    assert not S.is_valid({"services": {"w": {"image": "x", "group_add": [1, 1.0]}}})


def test_end_anchor_does_not_accept_a_trailing_newline() -> None:
    assert not S.is_valid({"services": {"web\n": {"image": "x"}}})


def test_unknown_schema_keyword_is_refused() -> None:
    with pytest.raises(ValueError, match="not supported"):
        S._Compiler({}).compile({"type": "string", "minLength": 2})


# --------------------------------------------------------------------------- differential


def _mutations(base: dict[str, Any], count: int, seed: int) -> list[dict[str, Any]]:
    """Random single-point edits of a valid project: replace a value or add a key."""
    pool: list[Any] = [3, -5, 1.5, "x", "", None, True, [], {}, [1], ["a", "a"], {"a": 1}]
    pool += ["service_healthy", "host", {"target": 80}, {"type": "bind", "source": "/a"}]
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        doc = copy.deepcopy(base)
        node: Any = doc
        while True:
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            if not keys:
                break
            key = rng.choice(keys)
            child = node[key]
            if isinstance(child, (dict, list)) and child and rng.random() < 0.75:
                node = child
                continue
            if isinstance(node, dict) and rng.random() < 0.2:
                node[rng.choice(["foo", "x-ok", "image", "ports", "name"])] = rng.choice(pool)
            else:
                node[key] = copy.deepcopy(rng.choice(pool))
            break
        out.append(doc)
    return out


BASE: dict[str, Any] = {
    "name": "p",
    "services": {
        "web": {
            "image": "nginx",
            "build": {"context": ".", "args": {"A": "1"}},
            "ports": ["80:80", {"target": 443, "published": "8443"}],
            "volumes": ["./a:/a", {"type": "volume", "source": "v", "target": "/v"}],
            "environment": {"A": "1", "B": None},
            "depends_on": {"db": {"condition": "service_healthy"}},
            "healthcheck": {"test": ["CMD", "true"], "retries": 3},
            "deploy": {
                "resources": {"limits": {"cpus": "1"}},
                "update_config": {"order": "start-first"},
            },
            "ulimits": {"nofile": {"soft": 1, "hard": 2}, "nproc": 3},
            "logging": {"options": {"a": "b"}},
            "cpu_percent": 50,
        },
        "db": {"image": "postgres", "networks": {"back": {"aliases": ["d"]}}},
    },
    "networks": {"back": {"external": True}},
    "volumes": {"v": None},
    "secrets": {"s": {"file": "./s"}},
}


def test_verdicts_agree_with_jsonschema_draft7() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    reference = jsonschema.Draft7Validator(S.load_schema())
    assert S.is_valid(BASE) and reference.is_valid(BASE)
    invalid = 0
    for doc in _mutations(BASE, 600, seed=7):
        expected = reference.is_valid(doc)
        assert S.is_valid(doc) == expected, json.dumps(doc)
        errors = S.schema_errors(doc)
        assert bool(errors) != expected
        invalid += not expected
    assert invalid > 100  # the mutations do exercise the error paths


def test_thousand_services_validate_clean() -> None:
    """Speed is measured in benchmarks/, never asserted here; this checks a big clean project."""
    services = {f"s{i}": copy.deepcopy(BASE["services"]["web"]) for i in range(1000)}
    services["db"] = {"image": "postgres"}
    project = {"services": services, "volumes": {"v": {}}}
    assert S.schema_errors(project) == []
    assert S.is_valid(project)


# --------------------------------------------------------------------------- reference

# Small invalid files; the reference's error line must equal ours.
WEB = "services:\n  web:\n    image: x\n"
REFERENCE_CASES = {
    "unknown-service-property": WEB + "    foo: 1\n",
    "top-level-property": WEB + "foo: 1\n",
    "wrong-type": "services:\n  web:\n    image: [a]\n",
    "ports-not-list": WEB + "    ports: '80:80'\n",
    "port-long-extra": WEB + "    ports:\n      - target: 80\n        foo: 1\n",
    "port-bool": WEB + "    ports:\n      - true\n",
    "enum": WEB + "    cgroup: foo\n",
    "depends-on-condition": (
        WEB + "    depends_on:\n      db:\n        condition: stopped\n  db:\n    image: y\n"
    ),
    "pattern": WEB + "    pull_policy: sometimes\n",
    "required": WEB + "    develop:\n      watch:\n        - action: sync\n",
    "null-service": "services:\n  web:\n",
    "volume-type": WEB + "    volumes:\n      - type: foo\n        target: /x\n",
    "minimum": (
        WEB + "    volumes:\n      - type: tmpfs\n        target: /x\n"
        "        tmpfs:\n          size: -1\n"
    ),
    "unique": WEB + "    security_opt: [a, a]\n",
    "multi-type": WEB + "    logging:\n      options:\n        a: [1]\n",
    "network-type": WEB + "networks:\n  n: 3\n",
    "service-name": "services:\n  'web app':\n    image: x\n",
    "nested-extra": WEB + "    deploy:\n      resources:\n        limits:\n          foo: 1\n",
    "quoting": WEB + '    container_name: "-\'\\"\\\\"\n',
    "quoting-key": WEB + '    "a\'b\\"c\\\\\\te": 1\n',
}


@pytest.mark.reference
@needs_reference
@pytest.mark.parametrize("name", sorted(REFERENCE_CASES))
def test_messages_equal_the_reference(name: str, tmp_path: Path) -> None:
    text = REFERENCE_CASES[name]
    compose = tmp_path / "compose.yaml"
    compose.write_text(text)
    done = run_reference(["-p", "proj", "-f", str(compose), "config"], cwd=tmp_path)
    assert done.returncode != 0
    expected = done.stderr.strip().splitlines()[-1]
    errors = S.schema_errors(load(text, str(compose)), file=str(compose))
    assert errors
    assert isinstance(errors[0], S.SchemaViolation)
    assert S.reference_line(errors[0], str(compose)) == expected


@pytest.mark.reference
@needs_reference
def test_valid_file_passes_both(tmp_path: Path) -> None:
    text = "services:\n  web:\n    image: x\n    x-a: 1\n    restart: sometimes\n"
    (tmp_path / "compose.yaml").write_text(text)
    done = run_reference(["-p", "proj", "-f", "compose.yaml", "config"], cwd=tmp_path)
    assert done.returncode == 0
    assert S.schema_errors(load(text)) == []


# --------------------------------------------------------------------------- corpus


def _untag(value: Any) -> Any:
    """Drop `!reset` entries and unwrap `!override` (the merge stage's job) for a raw file."""
    if isinstance(value, Override):
        return _untag(value.value)
    if isinstance(value, dict):
        for key in [k for k, v in value.items() if isinstance(v, Reset)]:
            del value[key]
        for key in value:
            value[key] = _untag(value[key])
    elif isinstance(value, list):
        value[:] = [_untag(v) for v in value if not isinstance(v, Reset)]
    return value


def _corpus_cases() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.iterdir() if (p / "case.json").is_file())


def _normalise(line: str) -> str:
    """Additional-property lists come in Go map order: compare them as sorted sets."""
    head, sep, tail = line.partition(" additional properties ")
    if not sep:
        return line
    names = tail.removesuffix(" not allowed").split(", ")
    return head + sep + ", ".join(sorted(names)) + " not allowed"


@pytest.mark.corpus
@pytest.mark.parametrize("case", _corpus_cases(), ids=lambda p: p.name)
def test_corpus_schema_verdicts(case: Path) -> None:
    """Valid cases raise no schema error; schema-rejected cases give the reference's line.

    Files are checked one by one without interpolation or merging, so only cases whose
    verdict does not depend on those stages are compared.
    """
    meta = json.loads((case / "case.json").read_text())
    error_file = case / "expected_error.txt"
    expected = error_file.read_text().strip().splitlines()[-1] if error_file.is_file() else None
    if expected is not None and not expected.startswith("validating "):
        pytest.skip("not a schema error")
    lines: list[str] = []
    for name in meta["files"]:
        path = case / name
        for doc in parse_documents(path.read_text(), str(path)):
            errors = S.schema_errors(_untag(doc), file=str(path))
            assert all(isinstance(e, S.SchemaViolation) for e in errors)
            lines += [
                S.reference_line(e, str(path)) for e in errors if isinstance(e, S.SchemaViolation)
            ]
    if expected is None:
        assert lines == []
        return
    expected = _normalise(expected.replace("${CASE_DIR}", str(case)))
    if meta.get("nondeterministic_error"):
        assert expected in {_normalise(line) for line in lines}
    else:
        assert lines and _normalise(lines[0]) == expected


def test_extracted_schema_passes_the_metaschema_and_a_broken_one_does_not() -> None:
    extract = _extractor()
    assert extract.metaschema_problem(S.load_schema()) is None
    assert extract.metaschema_problem({"type": 12}) is not None
