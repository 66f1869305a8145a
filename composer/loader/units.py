"""Value syntaxes Compose borrows from Go libraries, reproduced exactly.

The reference prints durations the way Go's `time.Duration.String` does (`90s` ->
`1m30s`), parses them with go-str2duration (Go's grammar plus `d` and `w`), turns
byte sizes into counts with docker/go-units `RAMInBytes` (binary multiples),
splits string commands with mattn/go-shellwords (which stops at `;`, `&`, `|`, `<`,
`>`), expands port specs with docker/go-connections `nat.ParsePortSpec` and reads
short volume specs with compose-go's `format.ParseVolume`. Each function here is
one of those, written from their documented behaviour and checked against the
reference binary (tests/loader/test_units.py).
"""

from __future__ import annotations

import ipaddress
import posixpath
from typing import Any

from composer.errors import ComposerError
from composer.golang import go_sprint

# ---------------------------------------------------------------- durations

_NS = 1
_US = 1000
_MS = 1000 * _US
_S = 1000 * _MS
_M = 60 * _S
_H = 60 * _M
_DURATION_UNITS = {
    "ns": _NS,
    "us": _US,
    "µs": _US,  # U+00B5
    "μs": _US,  # U+03BC
    "ms": _MS,
    "s": _S,
    "m": _M,
    "h": _H,
    "d": 24 * _H,
    "w": 7 * 24 * _H,
}
_MAX_DURATION = (1 << 63) - 1


class DurationError(ComposerError):
    """A duration string Go's parser rejects."""


def parse_duration(text: str) -> int:
    """Nanoseconds in `text`, by go-str2duration's rules (Go's + `d`, `w`)."""
    orig = text
    quoted = '"' + orig + '"'
    s = text
    neg = False
    if s and s[0] in "+-":
        neg = s[0] == "-"
        s = s[1:]
    if s == "0":
        return 0
    if not s:
        raise DurationError(f"time: invalid duration {quoted}", code="duration")
    total = 0
    while s:
        if not (s[0] == "." or s[0].isdigit() and s[0].isascii()):
            raise DurationError(f"time: invalid duration {quoted}", code="duration")
        i = 0
        while i < len(s) and "0" <= s[i] <= "9":
            i += 1
        pre = i > 0
        whole = int(s[:i]) if pre else 0
        if whole > _MAX_DURATION + 1:
            raise DurationError(f"time: invalid duration {quoted}", code="duration")
        s = s[i:]
        frac, scale, post = 0, 1.0, False
        if s and s[0] == ".":
            s = s[1:]
            j = 0
            overflow = False
            while j < len(s) and "0" <= s[j] <= "9":
                if not overflow:
                    if frac > (_MAX_DURATION) // 10:
                        overflow = True
                    else:
                        frac = frac * 10 + int(s[j])
                        scale *= 10
                j += 1
            post = j > 0
            s = s[j:]
        if not pre and not post:
            raise DurationError(f"time: invalid duration {quoted}", code="duration")
        j = 0
        while j < len(s) and not (s[j] == "." or "0" <= s[j] <= "9"):
            j += 1
        if j == 0:
            raise DurationError(f"time: missing unit in duration {quoted}", code="duration")
        unit_name, s = s[:j], s[j:]
        unit = _DURATION_UNITS.get(unit_name)
        if unit is None:
            raise DurationError(
                f'time: unknown unit "{unit_name}" in duration {quoted}', code="duration"
            )
        if whole > (1 << 63) // unit:
            raise DurationError(f"time: invalid duration {quoted}", code="duration")
        value = whole * unit
        if frac > 0:
            value += int(float(frac) * (float(unit) / scale))
            if value > 1 << 63:
                raise DurationError(f"time: invalid duration {quoted}", code="duration")
        total += value
        if total > 1 << 63:
            raise DurationError(f"time: invalid duration {quoted}", code="duration")
    if neg:
        return -total
    if total > _MAX_DURATION:
        raise DurationError(f"time: invalid duration {quoted}", code="duration")
    return total


def _frac(value: int, prec: int) -> tuple[str, int]:
    """Go's fmtFrac: '.123' (trailing zeros dropped) and value // 10**prec."""
    scale = 10**prec
    digits = f"{value % scale:0{prec}d}".rstrip("0")
    return ("." + digits if digits else ""), value // scale


def format_duration(ns: int) -> str:
    """Go's `time.Duration.String` (`1h30m0s`, `1.5s`, `500ms`, `0s`)."""
    if ns == 0:
        return "0s"
    neg = ns < 0
    u = -ns if neg else ns
    if u < _S:
        if u < _US:
            text = f"{u}ns"
        elif u < _MS:
            frac, whole = _frac(u, 3)
            text = f"{whole}{frac}µs"
        else:
            frac, whole = _frac(u, 6)
            text = f"{whole}{frac}ms"
    else:
        frac, secs = _frac(u, 9)
        text = f"{secs % 60}{frac}s"
        minutes = secs // 60
        if minutes:
            text = f"{minutes % 60}m" + text
            hours = minutes // 60
            if hours:
                text = f"{hours}h" + text
    return "-" + text if neg else text


def normalize_duration(value: Any) -> str:
    """A duration value as the reference prints it (`fmt.Sprint` then parse, String)."""
    return format_duration(parse_duration(go_sprint(value)))


# ---------------------------------------------------------------- byte sizes

_BINARY = {"k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4, "p": 1024**5}


class SizeError(ComposerError):
    """A byte size docker/go-units cannot read."""


def parse_bytes(text: str) -> int:
    """docker/go-units `RAMInBytes`: `1.5G` -> 1610612736, `512m`, `1GiB`, `100`."""
    sep = max(text.rfind(c) for c in "0123456789. ")
    if sep == -1:
        raise SizeError(f"invalid size: '{text}'", code="size")
    if text[sep] != " ":
        num, sfx = text[: sep + 1], text[sep + 1 :]
    else:
        num, sfx = text[:sep], text[sep + 1 :]
    try:
        if not num or num.strip() != num:
            raise ValueError(num)
        size = float(num)
    except ValueError:
        raise SizeError(
            f'strconv.ParseFloat: parsing "{num}": invalid syntax', code="size"
        ) from None
    if size < 0:
        raise SizeError(f"invalid size: '{text}'", code="size")
    if not sfx:
        return int(size)
    bad = SizeError(f"invalid suffix: '{sfx}'", code="size")
    if len(sfx) > 3:
        raise bad
    low = sfx.lower()
    if low[0] == "b":
        if len(low) > 1:
            raise SizeError(f"invalid suffix: '{low}'", code="size")
        return int(size)
    mul = _BINARY.get(low[0])
    if mul is None:
        raise SizeError(f"invalid suffix: '{low}'", code="size")
    size *= mul
    if (len(low) == 2 and low[1] != "b") or (len(low) == 3 and low[1:] != "ib"):
        raise SizeError(f"invalid suffix: '{low}'", code="size")
    return int(size)


def normalize_bytes(value: Any) -> str:
    """A byte size as the reference prints it: the count, as a string."""
    if isinstance(value, bool):
        raise SizeError(f"invalid size: '{go_sprint(value)}'", code="size")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value))
    return str(parse_bytes(str(value)))


# ---------------------------------------------------------------- shell words


class ShellSplitError(ComposerError):
    """go-shellwords rejected a command string."""


_SPACES = frozenset(" \t\r\n")


def shell_split(line: str) -> list[str]:
    """Split like mattn/go-shellwords `Parse` (no env, no backticks).

    Quotes group, backslash escapes outside single quotes, and an unquoted `;`,
    `&`, `|`, `<` or `>` ends the command: the rest of the line is dropped.
    """
    args: list[str] = []
    buf: list[str] = []
    escaped = double = single = back = dollar = False
    got = 0  # 0: no argument, 1: plain characters, 2: quoted (kept even if empty)
    for ch in line:
        if escaped:
            buf.append(ch)
            escaped = False
            got = 1
            continue
        if ch == "\\":
            if single:
                buf.append(ch)
            else:
                escaped = True
            continue
        if ch in _SPACES:
            if single or double or back or dollar:
                buf.append(ch)
            elif got:
                args.append("".join(buf))
                buf = []
                got = 0
            continue
        if ch == "`":
            if not single and not double and not dollar:
                back = not back
        elif ch == ")":
            if not single and not double and not back:
                dollar = not dollar
        elif ch == "(":
            if not single and not double and not back:
                if not dollar and buf and buf[-1] == "$":
                    dollar = True
                    buf.append("(")
                    continue
                raise ShellSplitError("invalid command line string", code="command")
        elif ch == '"':
            if not single and not dollar:
                if double:
                    got = 2
                double = not double
                continue
        elif ch == "'":
            if not double and not dollar:
                if single:
                    got = 2
                single = not single
                continue
        elif ch in ";&|<>":
            if not (single or double or back or dollar):
                if ch == ">" and buf and "0" <= buf[0] <= "9":
                    got = 0  # `2>` : the digits belong to the redirection
                break
        got = 1
        buf.append(ch)
    if got:
        args.append("".join(buf))
    if escaped or single or double or back or dollar:
        raise ShellSplitError("invalid command line string", code="command")
    return args


# ---------------------------------------------------------------- ports


class PortError(ComposerError):
    """A short port spec nat.ParsePortSpec rejects."""


def _port_range(text: str) -> tuple[int, int]:
    if text == "":
        raise ValueError("empty string specified for ports")
    if "-" not in text:
        start = _parse_uint16(text)
        return start, start
    parts = text.split("-")
    start = _parse_uint16(parts[0])
    end = _parse_uint16(parts[1])
    if end < start:
        raise ValueError(f"invalid range specified for port: {text}")
    return start, end


def _parse_uint16(text: str) -> int:
    if not text or not text.isascii() or not text.isdigit():
        raise ValueError(text)
    value = int(text)
    if value > 0xFFFF:
        raise ValueError(text)
    return value


def _valid_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        # Go's net.ParseIP also accepts IPv4 with leading zeros? (it does not since 1.17)
        return False
    return "%" not in text


def _bracketed_host(ip: str) -> str:
    """Go's net.SplitHostPort(ip + ":") for a `[v6]` host, with its error texts."""
    hostport = ip + ":"
    last = len(hostport) - 1

    def fail(why: str) -> PortError:
        return PortError(f"invalid IP address {ip}: address {hostport}: {why}", code="port")

    end = hostport.find("]")
    if end < 0:
        raise fail("missing ']' in address")
    if end + 1 == len(hostport):
        raise fail("missing port in address")
    if end + 1 != last:
        raise fail(
            "too many colons in address" if hostport[end + 1] == ":" else "missing port in address"
        )
    if "[" in hostport[1:]:
        raise fail("unexpected '[' in address")
    if "]" in hostport[end + 1 :]:
        raise fail("unexpected ']' in address")
    return hostport[1:end]


def parse_port(spec: str) -> list[dict[str, Any]]:
    """Expand one short port spec into long-syntax entries, in the reference's order.

    `[ip:][host[-range]:]container[-range][/proto]`; the entries come sorted by
    the string `"<port>/<proto>"` (so `998-1001` yields 1000, 1001, 998, 999).
    """
    parts = spec.split(":")
    container = parts[-1]
    if len(parts) == 1:
        ip, host = "", ""
    elif len(parts) == 2:
        ip, host = "", parts[0]
    else:
        ip, host = ":".join(parts[:-2]), parts[-2]
    proto_parts = container.split("/")
    if not container or not proto_parts[0]:
        proto, container = "", ""
    elif len(proto_parts) == 1:
        proto = "tcp"
    elif not proto_parts[1]:
        proto, container = "tcp", proto_parts[0]
    else:
        proto, container = proto_parts[1], proto_parts[0]
    low = proto.lower()
    if low not in ("tcp", "udp", "sctp"):
        raise PortError(f"invalid proto: {low}", code="port")
    if ip and ip[0] == "[":
        ip = _bracketed_host(ip)
    if ip and not _valid_ip(ip):
        raise PortError(f"invalid IP address: {ip}", code="port")
    if container == "":
        raise PortError(f"no port specified: {spec}<empty>", code="port")
    try:
        start, end = _port_range(container)
    except ValueError:
        raise PortError(f"invalid containerPort: {container}", code="port") from None
    host_start = host_end = 0
    if host:
        try:
            host_start, host_end = _port_range(host)
        except ValueError:
            raise PortError(f"invalid hostPort: {host}", code="port") from None
    if host and (end - start) != (host_end - host_start) and end != start:
        raise PortError(
            f"invalid ranges specified for container and host Ports: {container} and {host}",
            code="port",
        )
    entries: list[tuple[str, dict[str, Any]]] = []
    for i in range(end - start + 1):
        target = start + i
        published = ""
        if host:
            published = str(host_start + i)
            if start == end and host_start != host_end:
                published = f"{published}-{host_end}"
        entry: dict[str, Any] = {"mode": "ingress"}
        if ip:
            entry["host_ip"] = ip
        entry["target"] = target
        if published:
            entry["published"] = published
        entry["protocol"] = low
        entries.append((f"{target}/{low}", entry))
    entries.sort(key=lambda item: item[0])
    return [entry for _, entry in entries]


# ---------------------------------------------------------------- volumes


class VolumeSpecError(ComposerError):
    """A short volume spec format.ParseVolume rejects."""


_BIND_OPTIONS = {
    "rprivate": "propagation",
    "private": "propagation",
    "rshared": "propagation",
    "shared": "propagation",
    "rslave": "propagation",
    "slave": "propagation",
    "z": "selinux",
    "Z": "selinux",
}


def _is_windows_drive(buffer: list[str], char: str) -> bool:
    return char == ":" and len(buffer) == 1 and buffer[0].isalpha()


def is_file_path(source: str) -> bool:
    """Whether a short volume source names a host path (bind) rather than a volume."""
    if not source:
        return False
    if source[0] in "./~":
        return True
    if source.startswith("\\\\"):
        return True
    return len(source) > 1 and _is_windows_drive([source[0]], source[1])


def _split_sections(spec: str) -> list[str]:
    """The colon-separated sections of a spec, a one-letter drive (`C:`) kept whole.

    Inside `${...}` (left there by --no-interpolate) colons do not separate."""
    if "${" not in spec:
        parts = spec.split(":")
        sections = []
        i = 0
        while i < len(parts):
            section = parts[i]
            if len(section) == 1 and section.isalpha() and i + 1 < len(parts):
                i += 1
                section += ":" + parts[i]
            sections.append(section)
            i += 1
        return sections
    sections = []
    buffer: list[str] = []
    depth = 0
    for i, char in enumerate(spec):
        if char == "$" and i + 1 < len(spec) and spec[i + 1] == "{":
            depth += 1
        elif char == "}" and depth > 0:
            depth -= 1
        elif char == ":" and depth == 0 and not _is_windows_drive(buffer, char):
            sections.append("".join(buffer))
            buffer = []
            continue
        buffer.append(char)
    sections.append("".join(buffer))
    return sections


def _volume_sections(spec: str) -> tuple[str | None, str | None, str | None]:
    """(source, target, options) of a short volume spec, format.ParseVolume's way."""
    source = target = options = None
    sections = _split_sections(spec)
    last = len(sections) - 1
    for i, section in enumerate(sections):
        if not section:
            raise VolumeSpecError(
                f"invalid spec: {spec}: empty section between colons", code="volume"
            )
        if source is None and i == last:
            target = section
        elif source is None:
            source = section
        elif target is None:
            target = section
        elif i != last:
            raise VolumeSpecError(f"invalid spec: {spec}: too many colons", code="volume")
        else:
            options = section
    return source, target, options


def parse_volume(spec: str) -> dict[str, Any]:
    """compose-go `format.ParseVolume` + target cleaning: short spec -> long syntax."""
    volume: dict[str, Any] = {}
    if not spec:
        raise VolumeSpecError("invalid empty volume spec", code="volume")
    if len(spec) <= 2:
        return {"type": "volume", "target": spec}
    source, target, options = _volume_sections(spec)
    read_only = False
    nocopy = False
    bind: dict[str, Any] = {}
    if options is not None:
        for option in options.split(","):
            if option == "ro":
                read_only = True
            elif option == "rw":
                read_only = False
            elif option == "nocopy":
                nocopy = True
            elif option in _BIND_OPTIONS:
                bind[_BIND_OPTIONS[option]] = option
    src = source or ""
    if is_file_path(src):
        volume["type"] = "bind"
    else:
        volume["type"] = "volume"
    if src:
        volume["source"] = src
    if target:
        volume["target"] = clean_path(target)
    if read_only:
        volume["read_only"] = True
    if volume["type"] == "bind":
        bind["create_host_path"] = True
        volume["bind"] = {
            k: bind[k] for k in ("selinux", "propagation", "create_host_path") if k in bind
        }
        if nocopy:
            volume["volume"] = {"nocopy": True}
    else:
        if bind:
            volume["bind"] = {k: bind[k] for k in ("selinux", "propagation") if k in bind}
        volume["volume"] = {"nocopy": True} if nocopy else {}
    return volume


def clean_path(target: str) -> str:
    """Go's `path.Clean` (POSIX, no filesystem access)."""
    if target == "":
        return "."
    cleaned = posixpath.normpath(target)
    if cleaned.startswith("//"):
        cleaned = "/" + cleaned.lstrip("/")
    return cleaned


# ---------------------------------------------------------------- paths


def is_windows_abs(path: str) -> bool:
    """An absolute Windows path (`C:\\x`, `C:/x`, `\\\\server\\share`)."""
    if len(path) >= 3 and path[0].isascii() and path[0].isalpha() and path[1] == ":":
        return path[2] in "\\/"
    return path.startswith("\\\\")
