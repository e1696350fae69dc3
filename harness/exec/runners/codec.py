# codec.py: typed values (docs/design.md "Typed values"). decode() turns the
# suite's JSON into Python values, encode() the other way for the `outputs`
# command. No candidate code runs here, so a judge outside the candidate's
# process can use it as it is.
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


# The inverse of decode() for the `outputs` command. Only values that decode
# back into something equal() accepts are encoded; the rest are refused.
class Unencodable(Exception):
    pass


INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1


def _encode_str(s):
    if "\0" in s:
        raise Unencodable("unencodable str (contains NUL)")
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        raise Unencodable("unencodable str (lone surrogate)") from None
    return str(s)


def encode(v, budget):
    """Typed encoding of v; budget[0] counts down a lower bound of its JSON size
    so a huge value is refused before it is built in full."""
    budget[0] -= 8
    if budget[0] < 0:
        raise Unencodable("output exceeds %d MiB encoded" % (OUTPUT_MAX >> 20))
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, int):
        if INT64_MIN <= v <= INT64_MAX:
            return int(v)
        budget[0] -= v.bit_length() * 30103 // 100000  # decimal digits, about
        if budget[0] < 0:
            raise Unencodable("output exceeds %d MiB encoded" % (OUTPUT_MAX >> 20))
        return {"__int__": str(int(v))}
    if isinstance(v, float):
        if math.isfinite(v):
            return float(v)
        return {"__float__": "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")}
    if isinstance(v, complex):
        return {"__complex__": [encode(v.real, budget), encode(v.imag, budget)]}
    if isinstance(v, str):
        budget[0] -= len(v)
        if budget[0] < 0:
            raise Unencodable("output exceeds %d MiB encoded" % (OUTPUT_MAX >> 20))
        return _encode_str(v)
    if isinstance(v, (bytes, bytearray)):
        budget[0] -= len(v) * 4 // 3
        if budget[0] < 0:
            raise Unencodable("output exceeds %d MiB encoded" % (OUTPUT_MAX >> 20))
        return {"__bytes__": base64.b64encode(bytes(v)).decode("ascii")}
    if isinstance(v, list):
        return [encode(x, budget) for x in v]
    if isinstance(v, tuple):
        return {"__tuple__": [encode(x, budget) for x in v]}
    if isinstance(v, (set, frozenset)):
        items = [encode(x, budget) for x in v]  # in a stable order:
        items.sort(key=lambda x: json.dumps(x, sort_keys=True, ensure_ascii=True))
        return {"__frozenset__" if isinstance(v, frozenset) else "__set__": items}
    if isinstance(v, dict):
        keys = list(v.keys())
        plain = all(isinstance(k, str) for k in keys)
        if plain and len(keys) == 1 and (keys[0] in TYPED or keys[0] == "__error__"):
            plain = False  # would read back as a typed value
        if plain:
            return {_encode_str(k): encode(x, budget) for k, x in v.items()}
        return {"__dict__": [[encode(k, budget), encode(x, budget)] for k, x in v.items()]}
    raise Unencodable("unencodable %s" % type(v).__name__)


def encode_output(v):
    """JSON text of one output: its typed encoding or an {"__error__": ...}."""
    try:
        text = json.dumps(encode(v, [OUTPUT_MAX]), ensure_ascii=True, allow_nan=False)
        if len(text) > OUTPUT_MAX:
            raise Unencodable("output exceeds %d MiB encoded" % (OUTPUT_MAX >> 20))
        return text
    except Unencodable as e:
        reason = str(e)
    except RecursionError:
        reason = "unencodable (nested too deeply, or cyclic)"
    except BaseException as e:  # a hostile __len__, __iter__, ... on a subclass
        reason = "unencodable (%s: %s)" % (type(e).__name__, message_of(e))
    return json.dumps({"__error__": clean(reason, MESSAGE_MAX)}, ensure_ascii=True)


def immutable(v):
    """True when no call can change v, so it need not be copied per call."""
    if v is None or isinstance(v, (bool, int, float, complex, str, bytes)):
        return True
    if isinstance(v, (tuple, frozenset)):
        return all(immutable(x) for x in v)
    return False

