# codec.py: typed values (docs/design.md "Typed values"). decode() turns the
# suite's JSON into Python values, encode() the other way for the `outputs`
# command. No candidate code runs here, so a judge outside the candidate's
# process can use it as it is.
from builtins import (bool, bytes, dict, float, frozenset, int, isinstance, len, list,  # noqa: A004
                      set, str, tuple, type, zip)  # bound before any candidate code runs
import base64
import json
import math

from .replies import MESSAGE_MAX, OUTPUT_MAX, clean, message_of


# A one-key object with one of these keys is a Python value JSON has no word
# for; any other object is a plain dict.
def _typed_int(x):
    return int(x)


def _typed_float(x):
    if x not in ("inf", "-inf", "nan"):
        raise ValueError("__float__ must be inf, -inf or nan")
    return float(x)


TYPED = {
    "__int__": _typed_int,
    "__float__": _typed_float,
    "__tuple__": lambda x: tuple(decode(v) for v in x),
    "__set__": lambda x: set(decode(v) for v in x),
    "__frozenset__": lambda x: frozenset(decode(v) for v in x),
    "__bytes__": lambda x: base64.b64decode(x, validate=True),
    "__complex__": lambda x: complex(decode(x[0]), decode(x[1])),
    "__dict__": lambda x: {decode(k): decode(v) for k, v in x},
}


def decode(v):
    if isinstance(v, list):
        return [decode(x) for x in v]
    if isinstance(v, dict):
        if len(v) == 1:
            (key, inner), = v.items()
            if key in TYPED:
                return TYPED[key](inner)
        return {k: decode(x) for k, x in v.items()}
    return v


# The inverse of decode(): the strict encoder of every output the candidate's
# side sends (docs/design.md "Typed values", "Judging"). Only plain data is
# encoded, by exact type: None, bool, int, float, complex, str, bytes,
# bytearray, list, tuple, set, frozenset and dict. A subclass of any of them
# (an int whose __eq__ always says yes, a str with a lazy __repr__), or any
# other object, is refused with its type named: the judge outside the
# candidate's process only ever sees data, never an object that could act
# while it is judged. No method of the value is called: exact types are
# walked with the built-in operations only.
class Unencodable(Exception):
    pass


class NotPlainData(Unencodable):
    pass


INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
DEPTH_MAX = 200  # nesting of lists, tuples, sets and dicts
PLAIN = (type(None), bool, int, float, complex, str, bytes, bytearray, list, tuple, set,
         frozenset, dict)
PLAIN_NAMES = "None, bool, int, float, complex, str, bytes, list, tuple, set, frozenset, dict"


def describe_type(v):
    """'MyInt (a subclass of int)', 'Lazy', ... for a refusal."""
    t = type(v)
    name = getattr(t, "__qualname__", None) or "?"
    if not isinstance(name, str):
        name = "?"
    for base in PLAIN:
        if issubclass(t, base):
            return "%s (a subclass of %s)" % (name, base.__name__)
    return name


def _too_big():
    return Unencodable("output exceeds %d MiB encoded" % (OUTPUT_MAX >> 20))


def _encode_str(s):
    if "\0" in s:
        raise Unencodable("unencodable str (contains NUL)")
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        raise Unencodable("unencodable str (lone surrogate)") from None
    return s


def _key_text(x):
    return json.dumps(x, sort_keys=True, ensure_ascii=True, allow_nan=False)


def encode(v, budget, depth=0):
    """Typed encoding of v (plain JSON values); budget[0] counts down a lower
    bound of its JSON size so a huge value is refused before it is built."""
    budget[0] -= 8
    if budget[0] < 0:
        raise _too_big()
    t = type(v)
    if v is None or t is bool:
        return v
    if t is int:
        if INT64_MIN <= v <= INT64_MAX:
            return v
        budget[0] -= v.bit_length() * 30103 // 100000  # decimal digits, about
        if budget[0] < 0:
            raise _too_big()
        return {"__int__": str(v)}
    if t is float:
        if math.isfinite(v):
            return v
        return {"__float__": "nan" if v != v else ("inf" if v > 0 else "-inf")}
    if t is str:
        budget[0] -= len(v)
        if budget[0] < 0:
            raise _too_big()
        return _encode_str(v)
    if t is complex:
        return {"__complex__": [encode(v.real, budget), encode(v.imag, budget)]}
    if t is bytes or t is bytearray:
        budget[0] -= len(v) * 4 // 3
        if budget[0] < 0:
            raise _too_big()
        return {"__bytes__": base64.b64encode(v).decode("ascii")}
    if t not in _CONTAINERS:
        raise NotPlainData("the output is of type %s, not plain data (%s)"
                           % (describe_type(v), PLAIN_NAMES))
    if depth >= DEPTH_MAX:
        raise Unencodable("unencodable (nested more than %d deep, or cyclic)" % DEPTH_MAX)
    depth += 1
    if t is list:
        return [encode(x, budget, depth) for x in v]
    if t is tuple:
        return {"__tuple__": [encode(x, budget, depth) for x in v]}
    if t is set or t is frozenset:
        items = [encode(x, budget, depth) for x in v]  # in a stable order:
        items.sort(key=_key_text)
        return {"__frozenset__" if t is frozenset else "__set__": items}
    keys = list(dict.keys(v))
    plain = all(type(k) is str for k in keys)
    if plain and len(keys) == 1 and (keys[0] in TYPED or keys[0] == "__error__"):
        plain = False  # would read back as a typed value
    if plain:
        return {_encode_str(k): encode(x, budget, depth) for k, x in dict.items(v)}
    return {"__dict__": [[encode(k, budget, depth), encode(x, budget, depth)]
                         for k, x in dict.items(v)]}


_CONTAINERS = (list, tuple, set, frozenset, dict)
_NUMBER_TYPES = frozenset((int, float))


def _flat_numbers(v):
    """v (a list) holds only exact ints within int64 and exact floats, so
    json.dumps writes what encode() would (json reads the values through the
    C API of their exact types, never a method a subclass could override)."""
    if len(v) > (OUTPUT_MAX >> 5) or not all(type(x) in _NUMBER_TYPES for x in v):
        return False
    return not v or (min(v) >= INT64_MIN and max(v) <= INT64_MAX)


def encode_text(v):
    """The JSON text of one output's typed encoding; Unencodable (NotPlainData
    for objects that are not plain data) when it has none."""
    t = type(v)
    if t is int and INT64_MIN <= v <= INT64_MAX:  # the common case, fast
        return str(v)
    if t is list and _flat_numbers(v):  # a list of plain numbers: json's C encoder
        try:
            return json.dumps(v, allow_nan=False)
        except ValueError:  # inf or nan: the typed form below
            pass
    try:
        text = json.dumps(encode(v, [OUTPUT_MAX]), ensure_ascii=True, allow_nan=False)
    except RecursionError:
        raise Unencodable("unencodable (nested too deeply, or cyclic)") from None
    if len(text) > OUTPUT_MAX:
        raise _too_big()
    return text


def encode_output(v):
    """JSON text of one output: its typed encoding or an {"__error__": ...}."""
    try:
        return encode_text(v)
    except Unencodable as e:
        reason = str(e)
    except BaseException as e:  # MemoryError, ...
        reason = "unencodable (%s: %s)" % (type(e).__name__, message_of(e))
    return json.dumps({"__error__": clean(reason, MESSAGE_MAX)}, ensure_ascii=True)


def immutable(v):
    """True when no call can change v, so it need not be copied per call."""
    if v is None or isinstance(v, (bool, int, float, complex, str, bytes)):
        return True
    if isinstance(v, (tuple, frozenset)):
        return all(immutable(x) for x in v)
    return False

