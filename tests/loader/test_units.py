"""units.py against the reference: every expected value below was printed by the
reference binary (Docker Compose v2.40.3) for the same input.

The tables are literal so the tests run anywhere; `test_tables_match_reference`
(marked `reference`) regenerates each table from the binary and fails if one entry
drifted. Inputs go into one small compose file per table, one service per entry.
Working directory paths are spelled `/proj`, the home directory is `/tmp`.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any

import pytest

from composer.errors import ComposerError
from composer.golang import float32, format_float, go_sprint
from composer.loader.defaults import to_model
from composer.loader.paths import resolve_paths
from composer.loader.units import (
    clean_path,
    format_duration,
    normalize_bytes,
    normalize_duration,
    parse_bytes,
    parse_duration,
    parse_port,
    parse_volume,
    shell_split,
)
from tests.reference import reference_binary, run_reference

# fmt: off
DURATIONS = [('90s', '1m30s'),
 ('1h30m', '1h30m0s'),
 ('1.5s', '1.5s'),
 ('500ms', '500ms'),
 ('1d', '24h0m0s'),
 ('2w', '336h0m0s'),
 ('0', '0s'),
 ('0s', '0s'),
 ('1.5h', '1h30m0s'),
 ('100us', '100µs'),
 ('1µs', '1µs'),
 ('1μs', '1µs'),
 ('1ns', '1ns'),
 ('3h2m1.5s', '3h2m1.5s'),
 ('1m0.5s', '1m0.5s'),
 ('36h', '36h0m0s'),
 ('1000ms', '1s'),
 ('1500ms', '1.5s'),
 ('0.000001s', '1µs'),
 ('.5s', '500ms'),
 ('1.s', '1s'),
 ('+5s', '5s'),
 ('-1s', '-1s'),
 ('1.23456789s', '1.23456789s'),
 ('100000h', '100000h0m0s'),
 ('1h1m1s1ms1us1ns', '1h1m1.001001001s'),
 ('2562047h', '2562047h0m0s'),
 ('0.1ns', '0s'),
 ('5m', '5m0s'),
 ('60s', '1m0s'),
 ('3600s', '1h0m0s'),
 ('1d12h', '36h0m0s'),
 ('1.5d', '36h0m0s'),
 ('1w1d', '192h0m0s')]
DURATION_ERRORS = [('10x',
  '\'services[s].stop_grace_period\' time: unknown unit "x" in duration "10x"'),
 ('abc', '\'services[s].stop_grace_period\' time: invalid duration "abc"'),
 ('10',
  '\'services[s].stop_grace_period\' time: missing unit in duration "10"'),
 ('1..5s',
  '\'services[s].stop_grace_period\' time: missing unit in duration "1..5s"'),
 ('s', '\'services[s].stop_grace_period\' time: invalid duration "s"'),
 ('1e3s',
  '\'services[s].stop_grace_period\' time: unknown unit "e" in duration '
  '"1e3s"'),
 ('2562048h',
  '\'services[s].stop_grace_period\' time: invalid duration "2562048h"')]
SIZES = [('1.5G', '1610612736'),
 ('512m', '536870912'),
 ('1GiB', '1073741824'),
 ('100', '100'),
 ('1kb', '1024'),
 ('64M', '67108864'),
 ('1.5 GB', '1610612736'),
 ('10000Mb', '10485760000'),
 ('1b', '1'),
 ('1B', '1'),
 ('0.5k', '512'),
 ('1.7g', '1825361100'),
 ('2 k', '2048'),
 ('1Tb', '1099511627776'),
 ('1pb', '1125899906842624'),
 ('100mib', '104857600'),
 ('1K', '1024'),
 ('1000000', '1000000'),
 ('2.5', '2'),
 ('3 b', '3'),
 ('1.99999999999g', '2147483647'),
 ('1e3', '1000'),
 ('1_000', '1000'),
 ('1 kb', '1024')]
SIZE_ERRORS = [('1.5X', "'services[s].mem_limit' invalid suffix: 'x'"),
 ('abc', "'services[s].mem_limit' invalid size: 'abc'"),
 ('1kib2',
  '\'services[s].mem_limit\' strconv.ParseFloat: parsing "1kib2": invalid '
  'syntax'),
 ('-1', "'services[s].mem_limit' invalid size: '-1'"),
 ('1gb b',
  '\'services[s].mem_limit\' strconv.ParseFloat: parsing "1gb": invalid '
  'syntax'),
 ('1 2',
  '\'services[s].mem_limit\' strconv.ParseFloat: parsing "1 2": invalid '
  'syntax'),
 ('k', "'services[s].mem_limit' invalid size: 'k'"),
 ('1.5.5g',
  '\'services[s].mem_limit\' strconv.ParseFloat: parsing "1.5.5": invalid '
  'syntax'),
 ('1.5Gi', "'services[s].mem_limit' invalid suffix: 'gi'"),
 ('1__0',
  '\'services[s].mem_limit\' strconv.ParseFloat: parsing "1__0": invalid '
  'syntax'),
 (' 1g',
  '\'services[s].mem_limit\' strconv.ParseFloat: parsing " 1": invalid syntax'),
 ('1g ',
  '\'services[s].mem_limit\' strconv.ParseFloat: parsing "1g": invalid syntax')]
COMMANDS = [('echo "hello world" \'a b\' c\\ d', ['echo', 'hello world', 'a b', 'c d']),
 ('a && b', ['a']),
 ('x ""', ['x', '']),
 ("x ''", ['x', '']),
 ('a 2>&1', ['a']),
 ('a 2> /dev/null b', ['a']),
 ('a>b', ['a']),
 ('echo $$(date) x', ['echo', '$$(date)', 'x']),
 ('a | b', ['a']),
 ('a; b', ['a']),
 ('a < in', ['a']),
 ('a\tb\nc', ['a', 'b', 'c']),
 ('  lead  trail  ', ['lead', 'trail']),
 ('', []),
 ('a\\\\b', ['a\\b']),
 ('"a\\"b"', ['a"b']),
 ("'a\\\\b'", ['a\\\\b']),
 ('"a\\nb"', ['anb']),
 ('a#b #c', ['a#b', '#c']),
 ('x=`date`', ['x=`date`']),
 ('echo `a b`', ['echo', '`a b`']),
 ('echo "$$(a b)"', ['echo', '$$(a b)']),
 ('echo \'a\'"b"c', ['echo', 'abc']),
 ('a 12>x', ['a']),
 ('a 1a>x', ['a']),
 ('echo a\\ ', ['echo', 'a ']),
 ('a &b', ['a']),
 ('--flag=value --other="x y"', ['--flag=value', '--other=x y']),
 ('python -c "print(1)"', ['python', '-c', 'print(1)']),
 ('echo "a;b"', ['echo', 'a;b']),
 ('echo a\\;b', ['echo', 'a;b']),
 ('a\\\nb', ['a\nb'])]
COMMAND_ERRORS = [('echo $$(a (b))', "'services[s].command' invalid command line string"),
 ('echo "x', "'services[s].command' invalid command line string"),
 ("echo 'x", "'services[s].command' invalid command line string"),
 ('echo (x)', "'services[s].command' invalid command line string"),
 ('echo )', "'services[s].command' invalid command line string"),
 ('a\\', "'services[s].command' invalid command line string"),
 ('echo `x', "'services[s].command' invalid command line string"),
 ('echo $$(x', "'services[s].command' invalid command line string")]
PORTS = [('80', [{'mode': 'ingress', 'protocol': 'tcp', 'target': 80}]),
 ('80:80',
  [{'mode': 'ingress', 'protocol': 'tcp', 'published': '80', 'target': 80}]),
 ('8080:80/udp',
  [{'mode': 'ingress', 'protocol': 'udp', 'published': '8080', 'target': 80}]),
 ('3000-3002',
  [{'mode': 'ingress', 'protocol': 'tcp', 'target': 3000},
   {'mode': 'ingress', 'protocol': 'tcp', 'target': 3001},
   {'mode': 'ingress', 'protocol': 'tcp', 'target': 3002}]),
 ('127.0.0.1:5000-5001:6000-6001/udp',
  [{'host_ip': '127.0.0.1',
    'mode': 'ingress',
    'protocol': 'udp',
    'published': '5000',
    'target': 6000},
   {'host_ip': '127.0.0.1',
    'mode': 'ingress',
    'protocol': 'udp',
    'published': '5001',
    'target': 6001}]),
 ('[::1]:80:80',
  [{'host_ip': '::1',
    'mode': 'ingress',
    'protocol': 'tcp',
    'published': '80',
    'target': 80}]),
 ('::1:80:80',
  [{'host_ip': '::1',
    'mode': 'ingress',
    'protocol': 'tcp',
    'published': '80',
    'target': 80}]),
 ('0.0.0.0::80',
  [{'host_ip': '0.0.0.0', 'mode': 'ingress', 'protocol': 'tcp', 'target': 80}]),
 ('998-1001',
  [{'mode': 'ingress', 'protocol': 'tcp', 'target': 1000},
   {'mode': 'ingress', 'protocol': 'tcp', 'target': 1001},
   {'mode': 'ingress', 'protocol': 'tcp', 'target': 998},
   {'mode': 'ingress', 'protocol': 'tcp', 'target': 999}]),
 ('8000-8010:80',
  [{'mode': 'ingress',
    'protocol': 'tcp',
    'published': '8000-8010',
    'target': 80}]),
 ('9090-9091:8080-8081',
  [{'mode': 'ingress', 'protocol': 'tcp', 'published': '9090', 'target': 8080},
   {'mode': 'ingress',
    'protocol': 'tcp',
    'published': '9091',
    'target': 8081}]),
 ('80/TCP', [{'mode': 'ingress', 'protocol': 'tcp', 'target': 80}]),
 ('80/sctp', [{'mode': 'ingress', 'protocol': 'sctp', 'target': 80}]),
 ('80/', [{'mode': 'ingress', 'protocol': 'tcp', 'target': 80}]),
 ('1.2.3.4:80:80/Udp',
  [{'host_ip': '1.2.3.4',
    'mode': 'ingress',
    'protocol': 'udp',
    'published': '80',
    'target': 80}]),
 ('[fe80::1]::53/udp',
  [{'host_ip': 'fe80::1', 'mode': 'ingress', 'protocol': 'udp', 'target': 53}]),
 ('65535', [{'mode': 'ingress', 'protocol': 'tcp', 'target': 65535}]),
 ('00080:080',
  [{'mode': 'ingress', 'protocol': 'tcp', 'published': '80', 'target': 80}]),
 ('[1.2.3.4]:80:80',
  [{'host_ip': '1.2.3.4',
    'mode': 'ingress',
    'protocol': 'tcp',
    'published': '80',
    'target': 80}]),
 (':80', [{'mode': 'ingress', 'protocol': 'tcp', 'target': 80}]),
 ('::80', [{'mode': 'ingress', 'protocol': 'tcp', 'target': 80}])]
PORT_ERRORS = [('80:90:100:x', 'invalid IP address: 80:90'),
 ('a:80', 'invalid hostPort: a'),
 ('80-82:90-91',
  'invalid ranges specified for container and host Ports: 90-91 and 80-82'),
 ('1.2.3.4.5:80:80', 'invalid IP address: 1.2.3.4.5'),
 ('80/xyz', 'invalid proto: xyz'),
 ('80/XYZ', 'invalid proto: xyz'),
 ('99999', 'invalid containerPort: 99999'),
 ('', 'invalid proto:'),
 ('80-70', 'invalid containerPort: 80-70'),
 ('[::1:80:80',
  "invalid IP address [::1: address [::1:: missing ']' in address"),
 ('-80', 'invalid containerPort: -80'),
 ('80-', 'invalid containerPort: 80-'),
 ('/udp', 'invalid proto:'),
 ('80:', 'invalid proto:'),
 ('1.2.3.04:80:80', 'invalid IP address: 1.2.3.04'),
 ('[::1%eth0]:80:80', 'invalid IP address: ::1%eth0'),
 ('[::1]x:80:80',
  'invalid IP address [::1]x: address [::1]x:: missing port in address'),
 ('[::1]]:80:80',
  'invalid IP address [::1]]: address [::1]]:: missing port in address'),
 ('[[::1]:80:80',
  "invalid IP address [[::1]: address [[::1]:: unexpected '[' in address")]
VOLUMES = [('./data:/data:ro,z',
  {'bind': {'create_host_path': True, 'selinux': 'z'},
   'read_only': True,
   'source': '/proj/data',
   'target': '/data',
   'type': 'bind'}),
 ('vol:/v:nocopy',
  {'source': 'vol',
   'target': '/v',
   'type': 'volume',
   'volume': {'nocopy': True}}),
 ('/anon', {'target': '/anon', 'type': 'volume', 'volume': {}}),
 ('C:\\x:/y',
  {'bind': {'create_host_path': True},
   'source': 'C:\\x',
   'target': '/y',
   'type': 'bind'}),
 ('~/x:/home',
  {'bind': {'create_host_path': True},
   'source': '/tmp/x',
   'target': '/home',
   'type': 'bind'}),
 ('a:/b/../c/:rw',
  {'bind': {'create_host_path': True},
   'source': 'a:/b/../c/',
   'target': 'rw',
   'type': 'bind'}),
 ('vol:/v:ro,Z',
  {'bind': {'selinux': 'Z'},
   'read_only': True,
   'source': 'vol',
   'target': '/v',
   'type': 'volume',
   'volume': {}}),
 ('./a:/b:rshared',
  {'bind': {'create_host_path': True, 'propagation': 'rshared'},
   'source': '/proj/a',
   'target': '/b',
   'type': 'bind'}),
 ('./a:/b:nocopy',
  {'bind': {'create_host_path': True},
   'source': '/proj/a',
   'target': '/b',
   'type': 'bind',
   'volume': {'nocopy': True}}),
 ('/a:/b:rw,shared,Z',
  {'bind': {'create_host_path': True, 'propagation': 'shared', 'selinux': 'Z'},
   'source': '/a',
   'target': '/b',
   'type': 'bind'}),
 ('x', {'target': 'x', 'type': 'volume'}),
 ('ab', {'target': 'ab', 'type': 'volume'}),
 ('abc', {'target': 'abc', 'type': 'volume', 'volume': {}}),
 ('a:b', {'target': 'a:b', 'type': 'volume', 'volume': {}}),
 ('a:b:c',
  {'bind': {'create_host_path': True},
   'source': '/proj/a:b',
   'target': 'c',
   'type': 'bind'}),
 ('/a:/b:foo',
  {'bind': {'create_host_path': True},
   'source': '/a',
   'target': '/b',
   'type': 'bind'}),
 ('.:/cur',
  {'bind': {'create_host_path': True},
   'source': '/proj',
   'target': '/cur',
   'type': 'bind'}),
 ('~:/h',
  {'bind': {'create_host_path': True},
   'source': '/tmp',
   'target': '/h',
   'type': 'bind'}),
 ('~user/x:/h',
  {'bind': {'create_host_path': True},
   'source': '/tmp/user/x',
   'target': '/h',
   'type': 'bind'}),
 ('\\\\srv\\share:/s',
  {'bind': {'create_host_path': True},
   'source': '\\\\srv\\share',
   'target': '/s',
   'type': 'bind'}),
 ('c:/win:/w',
  {'bind': {'create_host_path': True},
   'source': 'c:/win',
   'target': '/w',
   'type': 'bind'}),
 ('D:\\d', {'target': 'D:\\d', 'type': 'volume', 'volume': {}}),
 ('/a:/b/',
  {'bind': {'create_host_path': True},
   'source': '/a',
   'target': '/b',
   'type': 'bind'}),
 ('vol:/v:z',
  {'bind': {'selinux': 'z'},
   'source': 'vol',
   'target': '/v',
   'type': 'volume',
   'volume': {}}),
 ('/a://b//c',
  {'bind': {'create_host_path': True},
   'source': '/a',
   'target': '/b/c',
   'type': 'bind'}),
 ('a:/b:ro,rw',
  {'bind': {'create_host_path': True},
   'source': 'a:/b',
   'target': 'ro,rw',
   'type': 'bind'}),
 ('./a/:/b',
  {'bind': {'create_host_path': True},
   'source': '/proj/a',
   'target': '/b',
   'type': 'bind'})]
VOLUME_ERRORS = [('', 'invalid empty volume spec'),
 ('::/x', 'invalid spec: ::/x: empty section between colons'),
 ('/a::/b', 'invalid spec: /a::/b: empty section between colons'),
 ('/a:/b:ro:z', 'invalid spec: /a:/b:ro:z: too many colons'),
 (':/x', 'invalid spec: :/x: empty section between colons'),
 ('/a:', 'invalid spec: /a:: empty section between colons'),
 ('./a:/b:', 'invalid spec: ./a:/b:: empty section between colons')]
FLOATS = [(1.1, '1.1'),
 (1000000.0, '1e+06'),
 (12345678.9, '1.23456789e+07'),
 (100000.0, '100000'),
 (123456.0, '123456'),
 (1234567.0, '1.234567e+06'),
 (0.0001, '0.0001'),
 (1e-05, '1e-05'),
 (1.5, '1.5'),
 (-2.25, '-2.25'),
 (3.0, '3'),
 (1e+21, '1e+21'),
 (1e-07, '1e-07'),
 (0.1, '0.1'),
 (100.0, '100'),
 (2.5e-05, '2.5e-05')]
# fmt: on


def _field_message(text: str) -> str:
    """`'services[s].mem_limit' invalid size` -> `invalid size` (decoder path prefix)."""
    if text.startswith("'"):
        return text.split("' ", 1)[1]
    return text


def _unescape(value: Any) -> Any:
    """The reference prints `$` as `$$`; inputs were written with `$$` for a literal `$`."""
    if isinstance(value, str):
        return value.replace("$$", "$")
    if isinstance(value, list):
        return [_unescape(v) for v in value]
    return value


@pytest.mark.parametrize(("text", "expected"), DURATIONS)
def test_duration(text: str, expected: str) -> None:
    assert normalize_duration(text) == expected


@pytest.mark.parametrize(("text", "expected"), DURATION_ERRORS)
def test_duration_error(text: str, expected: str) -> None:
    with pytest.raises(ComposerError) as caught:
        parse_duration(text)
    assert caught.value.message == _field_message(expected)


def test_duration_units() -> None:
    assert parse_duration("1h") == 3_600_000_000_000
    assert format_duration(1) == "1ns"
    assert format_duration(-90_000_000_000) == "-1m30s"
    assert format_duration((1 << 63) - 1) == "2562047h47m16.854775807s"


@pytest.mark.parametrize(("text", "expected"), SIZES)
def test_size(text: str, expected: str) -> None:
    assert normalize_bytes(text) == expected


@pytest.mark.parametrize(("text", "expected"), SIZE_ERRORS)
def test_size_error(text: str, expected: str) -> None:
    with pytest.raises(ComposerError) as caught:
        parse_bytes(text)
    assert caught.value.message == _field_message(expected)


def test_size_numbers() -> None:
    assert normalize_bytes(1073741824) == "1073741824"
    assert normalize_bytes(-1) == "-1"


@pytest.mark.parametrize(("text", "expected"), COMMANDS)
def test_shell_split(text: str, expected: list[str]) -> None:
    assert shell_split(_unescape(text)) == _unescape(expected)


@pytest.mark.parametrize(("text", "expected"), COMMAND_ERRORS)
def test_shell_split_error(text: str, expected: str) -> None:
    with pytest.raises(ComposerError) as caught:
        shell_split(_unescape(text))
    assert caught.value.message == _field_message(expected)


def _sorted_keys(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [dict(sorted(e.items())) for e in entries]


@pytest.mark.parametrize(("spec", "expected"), PORTS)
def test_port(spec: str, expected: list[dict[str, Any]]) -> None:
    assert _sorted_keys(parse_port(spec)) == _sorted_keys(expected)


@pytest.mark.parametrize(("spec", "expected"), PORT_ERRORS)
def test_port_error(spec: str, expected: str) -> None:
    with pytest.raises(ComposerError) as caught:
        parse_port(spec)
    assert caught.value.message.rstrip() == expected  # the table lost Go's trailing blank


def _volume_as_printed(spec: str) -> dict[str, Any]:
    project = {"services": {"s": {"volumes": [parse_volume(spec)]}}}
    resolve_paths(project, "/proj", home="/tmp")
    volume = project["services"]["s"]["volumes"][0]
    if "target" in volume:
        volume["target"] = clean_path(volume["target"])
    return volume  # type: ignore[no-any-return]


@pytest.mark.parametrize(("spec", "expected"), VOLUMES)
def test_volume(spec: str, expected: dict[str, Any]) -> None:
    assert _volume_as_printed(spec) == expected


@pytest.mark.parametrize(("spec", "expected"), VOLUME_ERRORS)
def test_volume_error(spec: str, expected: str) -> None:
    with pytest.raises(ComposerError) as caught:
        parse_volume(spec)
    assert caught.value.message == expected


@pytest.mark.parametrize(("value", "expected"), FLOATS)
def test_go_float(value: float, expected: str) -> None:
    assert format_float(value) == expected
    assert go_sprint(value) == expected


def test_go_sprint_scalars() -> None:
    assert [go_sprint(v) for v in (True, False, 7, "x")] == ["true", "false", "7", "x"]


def test_float32_shortest() -> None:
    assert float32(0.3) == 0.3
    assert float32(1 / 3) == 0.33333334
    assert float32(16777217.0) == 16777216.0


def test_model_prints_sizes_and_durations() -> None:
    project = {
        "services": {
            "a": {
                "mem_limit": "1.5G",
                "stop_grace_period": "90s",
                "command": "echo 'a b'",
                "privileged": False,
                "init": False,
            }
        }
    }
    service = to_model(project)["services"]["a"]
    assert service == {
        "mem_limit": "1610612736",
        "stop_grace_period": "1m30s",
        "command": ["echo", "a b"],
        "init": False,
    }


# ---------------------------------------------------------------- against the binary

_TABLES: dict[str, tuple[str, list[tuple[Any, Any]], bool]] = {
    # name: (service attribute, table, whether entries are errors)
    "durations": ("stop_grace_period", DURATIONS, False),
    "duration errors": ("stop_grace_period", DURATION_ERRORS, True),
    "sizes": ("mem_limit", SIZES, False),
    "size errors": ("mem_limit", SIZE_ERRORS, True),
    "commands": ("command", COMMANDS, False),
    "command errors": ("command", COMMAND_ERRORS, True),
    "ports": ("ports", PORTS, False),
    "port errors": ("ports", PORT_ERRORS, True),
    "volumes": ("volumes", VOLUMES, False),
    "volume errors": ("volumes", VOLUME_ERRORS, True),
    "floats": ("labels", FLOATS, False),
}
_WRAP = {"ports": lambda v: [v], "volumes": lambda v: [v], "labels": lambda v: {"k": v}}
_UNWRAP = {"ports": lambda v: v, "volumes": lambda v: v[0], "labels": lambda v: v["k"]}
_VOLUMES_TAIL = "volumes: {vol: {}, a: {}, x: {}, ab: {}, abc: {}}\n"


def _run(text: str) -> tuple[str, Any]:
    folder = tempfile.mkdtemp(prefix="composer-units-")
    with open(os.path.join(folder, "compose.yaml"), "w") as handle:
        handle.write(text)
    result = run_reference(
        ["-p", "proj", "-f", "compose.yaml", "config", "--format", "json"], folder
    )
    if result.returncode:
        return folder, result.stderr.strip().splitlines()[-1].replace(folder, "/proj")
    return folder, json.loads(result.stdout.replace(folder, "/proj"))


@pytest.mark.reference
@pytest.mark.skipif(reference_binary() is None, reason="reference binary not installed")
@pytest.mark.parametrize("name", list(_TABLES))
def test_tables_match_reference(name: str) -> None:
    field, table, errors = _TABLES[name]
    wrap = _WRAP.get(field, lambda v: v)
    unwrap = _UNWRAP.get(field, lambda v: v)
    if errors:
        for value, expected in table:
            _, got = _run(
                f"services:\n  s:\n    image: x\n    {field}: {json.dumps(wrap(value))}\n"
            )
            assert got == expected, value
        return
    text = "services:\n" + "".join(
        f"  s{i}:\n    image: x\n    {field}: {json.dumps(wrap(v))}\n"
        for i, (v, _) in enumerate(table)
    )
    if field == "volumes":
        text += _VOLUMES_TAIL
    _, data = _run(text)
    assert isinstance(data, dict), data
    for i, (value, expected) in enumerate(table):
        assert unwrap(data["services"][f"s{i}"].get(field)) == expected, value
