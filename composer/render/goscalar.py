"""How yaml.v3 prints scalars: floats (strconv's text, see composer.golang, with its own
names for inf/nan), map key order (keyList) and whether it would read a plain string
back as something else (so must quote it); also encoding/json's map key order.

The reference marshals with go-yaml v3 and encoding/json; these helpers reproduce
their observable choices so the emitters can stay simple.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Hashable, Iterable

from composer.golang import format_float

# --- numbers ---------------------------------------------------------------------------


def go_float_g(value: float, bits: int = 64) -> str:
    """`strconv.FormatFloat(v, 'g', -1, bits)` with yaml.v3's names for inf/nan."""
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    return format_float(value, bits)


# --- yaml.v3 resolve: would this plain string be read back as a non-string? ------------

_OLD_BOOLS = frozenset("y Y yes Yes YES on On ON n N no No NO off Off OFF".split())
_RESOLVE_MAP = frozenset(
    "true True TRUE false False FALSE ~ null Null NULL .nan .NaN .NAN "
    ".inf .Inf .INF +.inf +.Inf +.INF -.inf -.Inf -.INF".split()
) | {""}
_BASE60 = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
_YAML_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_DOT_FLOAT = re.compile(r"\.[0-9](?:_?[0-9])*(?:[eE][-+]?[0-9](?:_?[0-9])*)?")
_GO_INT = re.compile(
    r"([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]*)|([1-9][0-9]*))"
)
_DATE = r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
_CLOCK = r"([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[.,][0-9]+)?"
_TIMESTAMPS = (
    re.compile(_DATE + "[Tt]" + _CLOCK + r"(?:Z|[+-]([0-9]{2}):([0-9]{2}))"),
    re.compile(_DATE + " " + _CLOCK),
    re.compile(_DATE),
)


def _is_int(text: str) -> bool:
    """strconv.ParseInt(s, 0, 64) or ParseUint(s, 0, 64) succeeds."""
    match = _GO_INT.fullmatch(text)
    if match is None:
        return False
    sign = match.group(1)
    hexa, octal, binary, zero_octal, decimal = match.groups()[1:]
    if hexa is not None:
        number = int(hexa, 16)
    elif octal is not None:
        number = int(octal, 8)
    elif binary is not None:
        number = int(binary, 2)
    elif decimal is not None:
        number = int(decimal)
    else:
        number = int(zero_octal, 8) if zero_octal else 0
    if sign == "-":
        return number <= 2**63
    if sign == "+":
        return number < 2**63
    return number < 2**64


def _is_timestamp(text: str) -> bool:
    """yaml.v3 parseTimestamp: Go's time.Parse with its four layouts (ranges checked)."""
    if len(text) < 5 or text[4] != "-" or not text[:4].isdigit():
        return False
    for pattern in _TIMESTAMPS:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        parts = [int(p) if p is not None else 0 for p in match.groups()]
        year, month, day = parts[0], parts[1], parts[2]
        if not 1 <= month <= 12 or not 1 <= day <= _days_in(year, month):
            continue
        if len(parts) >= 6 and (parts[3] >= 24 or parts[4] >= 60 or parts[5] >= 60):
            continue
        if len(parts) == 8 and (parts[6] > 24 or parts[7] > 60):
            continue
        return True
    return False


def resolves_to_non_string(text: str) -> bool:
    """True when yaml.v3 writes `text` double-quoted because, unquoted, it would read
    back as null/bool/int/float/timestamp (or an old YAML 1.1 bool or base-60 float)."""
    if text in _RESOLVE_MAP or text in _OLD_BOOLS:
        return True
    first = text[0]
    if first == ".":
        return _DOT_FLOAT.fullmatch(text) is not None
    if first in "+-0123456789":
        if _BASE60.fullmatch(text) or _is_timestamp(text):
            return True
        plain = text.replace("_", "")
        if _is_int(plain):
            return True
        if _YAML_FLOAT.fullmatch(plain):
            return not math.isinf(float(plain))
    return False


# --- yaml.v3 map key order (sorter.go keyList.Less) -----------------------------------

_NUMERIC_KIND = {bool: 1, int: 2, float: 14}


def _go_kind(value: object) -> int:
    return _NUMERIC_KIND.get(type(value), 24 if isinstance(value, str) else 25)


def _str_less(a: str, b: str) -> bool:
    digits = False
    for i in range(min(len(a), len(b))):
        ca, cb = a[i], b[i]
        if ca == cb:
            digits = ca.isdecimal()
            continue
        al, bl = ca.isalpha(), cb.isalpha()
        if al and bl:
            return ca < cb
        if al or bl:
            return al if digits else bl
        an = bn = 0
        if ca == "0" or cb == "0":
            j = i - 1
            while j >= 0 and a[j].isdecimal():
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < len(a) and a[ai].isdecimal():
            an = an * 10 + ord(a[ai]) - 48
            ai += 1
        bi = i
        while bi < len(b) and b[bi].isdecimal():
            bn = bn * 10 + ord(b[bi]) - 48
            bi += 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return ca < cb
    return len(a) < len(b)


def yaml_key_less(a: Hashable, b: Hashable) -> bool:
    """yaml.v3's ordering of map keys: numbers first (by value), then strings in a
    "natural" order (digit runs compared as numbers, letters before other symbols)."""
    if isinstance(a, str) and isinstance(b, str):
        return _str_less(a, b)
    ka, kb = _go_kind(a), _go_kind(b)
    if ka < 24 and kb < 24:
        fa, fb = float(a), float(b)  # type: ignore[arg-type]
        if fa != fb:
            return fa < fb
        return ka < kb
    if ka != kb:
        return ka < kb
    return str(a) < str(b)


def _cmp(a: Hashable, b: Hashable) -> int:
    if yaml_key_less(a, b):
        return -1
    if yaml_key_less(b, a):
        return 1
    return 0


_CMP_KEY = functools.cmp_to_key(_cmp)

# Sort keys equivalent to keyList.Less for ASCII text. Without digits the rule is:
# every non-letter sorts before every letter, otherwise code point order; moving the
# letters above 0xFF keeps that order under a plain string comparison. With digits,
# each position becomes a tuple: symbol (0, cp) < digit run (1, value, length) <
# letter (2, cp); right after a digit run, letters sort before symbols.
_LETTERS_UP = {c: 0x100 + c for c in range(128) if chr(c).isalpha()}
_TOKEN = re.compile(r"[0-9]+|.", re.DOTALL)
_HAS_DIGIT = re.compile(r"[0-9]")
_LONG_RUN = re.compile(r"[0-9]{19}")
_NATURAL_CACHE: dict[str, tuple[tuple[int, ...], ...]] = {}


def _natural_key(key: str) -> tuple[tuple[int, ...], ...]:
    cached = _NATURAL_CACHE.get(key)
    if cached is not None:
        return cached
    parts: list[tuple[int, ...]] = []
    after_digit = False
    for token in _TOKEN.findall(key):
        if token[0].isdigit():
            parts.append((1, int(token), len(token)))
            after_digit = True
            continue
        letter = token.isalpha()
        if after_digit:
            parts.append((0 if letter else 1, ord(token)))
        else:
            parts.append((2 if letter else 0, ord(token)))
        after_digit = False
    result = tuple(parts)
    if len(_NATURAL_CACHE) < 100_000:
        _NATURAL_CACHE[key] = result
    return result


def yaml_sorted(keys: Iterable[Hashable]) -> list[Hashable]:
    """Keys in yaml.v3 order (natural order: digit runs compared as numbers, letters
    after other symbols). ASCII string keys use an equivalent sort key; anything else
    goes through a port of keyList.Less."""
    items = list(keys)
    if len(items) < 2:
        return items
    if all(type(k) is str for k in items):
        joined = "".join(items)  # type: ignore[arg-type]
        if joined.isascii():
            if _HAS_DIGIT.search(joined) is None:
                return sorted(items, key=lambda k: str(k).translate(_LETTERS_UP))
            if _LONG_RUN.search(joined) is None:
                return sorted(items, key=_natural_key)  # type: ignore[arg-type]
    return sorted(items, key=_CMP_KEY)


def json_sorted(keys: Iterable[Hashable]) -> list[Hashable]:
    """encoding/json's map key order: byte-wise on the UTF-8 text (= code point order)."""
    return sorted(keys, key=lambda k: k if isinstance(k, str) else str(k))


def _days_in(year: int, month: int) -> int:
    """Days in `month` of `year` (calendar is imported here only: ~2 ms at start-up)."""
    import calendar

    return calendar.monthrange(year, month)[1]
