"""How Go prints things, for text that must match the reference byte for byte.

The reference's messages and output are produced by Go's fmt, strconv and encoding/json;
this module is the one place that reproduces them for the values YAML decodes to:

* `go_type`: `%T` (`int`, `float64`, `map[string]interface {}`, `<nil>`);
* `go_sprint`: `%v` / `fmt.Sprint` (`true`, `1e+06`, `map[a:1]`, `[x y]`);
* `go_verb`: `%s` / `%d` given a value of the wrong type (`%!s(int=1)`);
* `go_quote`: `strconv.Quote`, i.e. `%q`;
* `format_float`: `strconv.FormatFloat(v, 'g', -1, bits)`, what `%v` prints for a float;
* `go_float_json`: encoding/json's float text;
* `float32`: the value a Go float32 holds;
* `parse_bool`: `strconv.ParseBool`, how a `--flag=VALUE` is read.
"""

from __future__ import annotations

import math
import struct

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

# ------------------------------------------------------------------ fmt


def go_type(value: Any) -> str:
    """Go's `%T` of a decoded YAML value."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "map[string]interface {}"
    if isinstance(value, list):
        return "[]interface {}"
    return type(value).__name__


def go_sprint(value: Any) -> str:
    """Go's `%v` (`fmt.Sprint`) of a decoded YAML value."""
    if isinstance(value, str):
        return value
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, dict):
        inner = " ".join(f"{k}:{go_sprint(value[k])}" for k in sorted(value, key=str))
        return f"map[{inner}]"
    if isinstance(value, list):
        return "[" + " ".join(go_sprint(item) for item in value) + "]"
    return str(value)


def go_verb(verb: str, value: Any) -> str:
    """Go's `%s`/`%d` of a value: the value itself when the verb fits, else `%!s(int=1)`."""
    if value is None:
        return f"%!{verb}(<nil>)"
    if verb == "s" and isinstance(value, str):
        return value
    if verb == "d" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return f"%!{verb}({go_type(value)}={go_sprint(value)})"


# ------------------------------------------------------------------ strconv.Quote

_QUOTE_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    '"': '\\"',
    "\\": "\\\\",
}


def go_quote(text: str) -> str:
    """Go's strconv.Quote (what `%q` and `%#v` print for a string)."""
    if text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    out = ['"']
    for char in text:
        code = ord(char)
        if char in _QUOTE_ESCAPES:
            out.append(_QUOTE_ESCAPES[char])
        elif 0xDC80 <= code <= 0xDCFF:  # an undecodable byte kept by surrogateescape
            out.append(f"\\x{code - 0xDC00:02x}")
        elif char.isprintable():
            out.append(char)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


# ------------------------------------------------------------------ floats


def float32(value: float) -> float:
    """The float a Go float32 field holds and prints: shortest decimal that round-trips
    through 32 bits (`0.3` stays `0.3`, not 0.30000001192092896)."""
    packed = struct.unpack("f", struct.pack("f", value))[0]
    for digits in range(1, 10):
        candidate = float(f"{packed:.{digits}g}")
        if struct.unpack("f", struct.pack("f", candidate))[0] == packed:
            return candidate
    return float(packed)


def _digits(value: float, bits: int) -> tuple[str, int]:
    """Shortest decimal digits that round-trip at `bits` precision, and the decimal point
    position `dp` (value == 0.DIGITS * 10**dp), as Go's strconv computes them."""
    if value == 0:
        return "", 0
    if bits == 32:
        target = struct.unpack("f", struct.pack("f", value))[0]
        text = ""
        for precision in range(1, 10):
            text = f"{target:.{precision - 1}e}"
            if struct.unpack("f", struct.pack("f", float(text)))[0] == target:
                break
    else:
        text = repr(abs(value))
    text = text.lstrip("-")
    mantissa, _, exponent = text.partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0")
    leading_zeros = len(whole + frac) - len((whole + frac).lstrip("0"))
    dp = len(whole) - leading_zeros + (int(exponent) if exponent else 0)
    return digits.rstrip("0"), dp


def _fmt_e(neg: bool, digits: str, dp: int) -> str:
    exp = dp - 1 if digits else 0
    head = digits[0] if digits else "0"
    tail = "." + digits[1:] if len(digits) > 1 else ""
    sign = "-" if exp < 0 else "+"
    return f"{'-' if neg else ''}{head}{tail}e{sign}{abs(exp):02d}"


def _fmt_f(neg: bool, digits: str, dp: int) -> str:
    if not digits:
        whole, frac = "0", ""
    elif dp <= 0:
        whole, frac = "0", "0" * -dp + digits
    elif dp >= len(digits):
        whole, frac = digits + "0" * (dp - len(digits)), ""
    else:
        whole, frac = digits[:dp], digits[dp:]
    return ("-" if neg else "") + whole + ("." + frac if frac else "")


def format_float(value: float, bits: int = 64) -> str:
    """`strconv.FormatFloat(v, 'g', -1, bits)`, which is also fmt's `%v`: shortest digits,
    exponent form when the decimal exponent is < -4 or >= 6 (`1e+06`, `1.5`, `100000`)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    neg = math.copysign(1.0, value) < 0
    digits, dp = _digits(value, bits)
    exp = dp - 1
    if digits and (exp < -4 or exp >= 6):
        return _fmt_e(neg, digits, dp)
    return _fmt_f(neg, digits, dp)


def go_float_json(value: float, bits: int = 64) -> str | None:
    """encoding/json's float text, or None for NaN/Inf (which it refuses)."""
    if math.isnan(value) or math.isinf(value):
        return None
    neg = math.copysign(1.0, value) < 0
    digits, dp = _digits(value, bits)
    magnitude = abs(value)
    if bits == 32:
        magnitude = struct.unpack("f", struct.pack("f", magnitude))[0]
    if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21):
        text = _fmt_e(neg, digits, dp)
        if text[-4:-1] == "e-0":  # e-07 -> e-7
            text = text[:-2] + text[-1]
        return text
    return _fmt_f(neg, digits, dp)


def parse_bool(text: str) -> bool | None:
    """`strconv.ParseBool`: True, False, or None for text it refuses."""
    if text in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if text in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    return None
