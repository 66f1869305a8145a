"""The YAML reader: scalar types as the reference resolves them, positions, errors."""

from __future__ import annotations

import json
import resource

import pytest

from composer.errors import YamlError
from composer.loader.tags import RESET, Override
from composer.loader.yaml import parse_documents
from composer.source import Location, locate
from tests.reference import reference_binary, run_reference

SCALARS = {
    "a": "yes", "b": "no", "c": "on", "d": "off", "e": "0755", "f": "0o755", "g": "0x1F",
    "h": "1e3", "i": ".5", "j": "~", "k": "Null", "l": "TRUE", "m": "True", "n": "1_000",
    "o": "+1", "r": "y", "s": "1.0", "t": "-0", "u": "12:30", "v": "0b101", "w": "1.5e+3",
    "x": "NULL", "y": "FALSE", "z": "'0755'", "aa": '"true"', "ab": "-12", "ac": "3.25",
}


def _doc(text: str) -> dict:
    docs = parse_documents(text, "c.yaml")
    assert len(docs) == 1
    return docs[0]


def test_scalars_resolve_like_go_yaml() -> None:
    data = _doc("x-t:\n" + "".join(f"  {k}: {v}\n" for k, v in SCALARS.items()))["x-t"]
    assert data == {
        "a": "yes", "b": "no", "c": "on", "d": "off", "e": 493, "f": 493, "g": 31,
        "h": 1000.0, "i": 0.5, "j": None, "k": None, "l": True, "m": True, "n": 1000,
        "o": 1, "r": "y", "s": 1.0, "t": 0, "u": "12:30", "v": 5, "w": 1500.0, "x": None,
        "y": False, "z": "0755", "aa": "true", "ab": -12, "ac": 3.25,
    }


@pytest.mark.reference
@pytest.mark.skipif(reference_binary() is None, reason="reference binary not installed")
def test_scalars_match_reference(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = "services:\n  a:\n    image: x\nx-t:\n" + "".join(f"  {k}: {v}\n" for k, v in SCALARS.items())
    (tmp_path / "compose.yaml").write_text(text)
    result = run_reference(["-p", "p", "config", "--format", "json"], tmp_path)
    assert result.returncode == 0, result.stderr
    theirs = json.loads(result.stdout)["x-t"]
    assert _doc(text)["x-t"] == theirs


def test_positions_of_values_and_keys() -> None:
    data = _doc("services:\n  web:\n    image: nginx\n    ports:\n      - '80:80'\n")
    assert locate(data, ("services", "web", "image")) == Location("c.yaml", 3, 12)
    assert locate(data, ("services", "web", "ports", 0)) == Location("c.yaml", 5, 9)
    assert data["services"]["web"].key_locs["ports"] == Location("c.yaml", 4, 5)


def test_merge_keys_take_lists_earlier_wins() -> None:
    data = _doc(
        "x-a: &a {A: '1', B: '1'}\nx-b: &b {B: '2', C: '2'}\n"
        "env:\n  <<: [*a, *b]\n  D: '4'\n  A: '0'\n"
    )
    assert data["env"] == {"A": "0", "B": "1", "C": "2", "D": "4"}


def test_reset_and_override_tags() -> None:
    data = _doc("a: !reset []\nb: !override {c: 1}\n")
    assert data["a"] is RESET
    assert isinstance(data["b"], Override) and data["b"].value == {"c": 1}


def test_duplicate_key_names_both_lines() -> None:
    with pytest.raises(YamlError) as info:
        _doc("services:\n  s:\n    image: x\n    image: y\n")
    assert str(info.value.location) == "c.yaml:4:5"
    assert 'mapping key "image" already defined at line 3' in info.value.message


def test_syntax_error_points_at_the_real_line() -> None:
    # the reference says "line 1" for this file; the problem is on line 4
    with pytest.raises(YamlError) as info:
        _doc("services:\n  s:\n    image: x\n   foo: [\n")
    assert info.value.location is not None and info.value.location.line == 4


def test_non_string_key_rejected() -> None:
    with pytest.raises(YamlError, match="non-string key in services.s: 1"):
        _doc("services:\n  s:\n    1: 2\n")


def test_alias_bomb_is_refused_with_bounded_memory() -> None:
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    previous = "a"
    for name in "bcdefghi":
        bomb += f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
        previous = name
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(YamlError, match="alias bomb"):
        parse_documents(bomb, "bomb.yaml")
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 50_000


def test_several_documents_and_empty_ones() -> None:
    docs = parse_documents("a: 1\n---\n---\nb: 2\n", "c.yaml")
    assert docs == [{"a": 1}, {"b": 2}]


def test_colon_inside_flow_scalars_like_yaml_1_2() -> None:
    # libyaml (YAML 1.1) refuses these; the reference (YAML 1.2) accepts them
    data = _doc("services:\n  s:\n    volumes: [data:/data]\n    security_opt: [no-new-privileges:true]\n")
    assert data["services"]["s"]["volumes"] == ["data:/data"]
    assert data["services"]["s"]["security_opt"] == ["no-new-privileges:true"]
    assert locate(data, ("services", "s", "volumes", 0)) == Location("c.yaml", 3, 15)
