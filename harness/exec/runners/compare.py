# compare.py: the comparators of modes call and method
# (docs/design.md "Modes and comparators"). COMPARATORS maps each name to a factory that
# takes the setup command and returns judge(test, got) -> bool, where test
# has inputs, has_expected and expected; CheckerFailed when a checker raised.
# STDOUT_COMPARATORS does the same for mode command's stdout. Apart from the
# checker (suite code), nothing here runs code it is given.
import builtins
import copy
import math
import numbers

from .prelude import PRELUDE, PRELUDE_FILENAME
from .replies import CheckerFailed, HarnessError, message_of, remember_source

CHECKER_FILENAME = "<checker>"


# Comparison. equal() walks both values; `feq(expected, got)` compares two
# floats (the only thing in which comparators "exact" and "close" differ).
def relative_feq(tol):
    def feq(e, g):
        if math.isnan(e) or math.isnan(g):
            return math.isnan(e) and math.isnan(g)
        if math.isinf(e) or math.isinf(g):
            return e == g
        return math.isclose(e, g, rel_tol=tol, abs_tol=0.0)
    return feq


def allclose_feq(atol, rtol):
    """numpy.allclose / EvalPlus: |got - expected| <= atol + rtol * |expected|
    (not symmetric: the tolerance scales with the expected value)."""
    def feq(e, g):
        if math.isnan(e) or math.isnan(g):
            return math.isnan(e) and math.isnan(g)
        if math.isinf(e) or math.isinf(g):
            return e == g
        return abs(g - e) <= atol + rtol * abs(e)
    return feq


def is_number(v):
    return isinstance(v, numbers.Number) and not isinstance(v, bool)


def equal(exp, got, feq):
    """The suite's comparison (docs/design.md "Modes and comparators"): ints
    exactly, floats by feq, bool/None only equal themselves, list == tuple."""
    if isinstance(exp, bool) or isinstance(got, bool):
        return isinstance(exp, bool) and isinstance(got, bool) and exp == got
    if exp is None or got is None:
        return exp is None and got is None
    if is_number(exp) and is_number(got):
        if isinstance(exp, complex) or isinstance(got, complex):
            e, g = complex(exp), complex(got)
            return feq(e.real, g.real) and feq(e.imag, g.imag)
        if isinstance(exp, numbers.Integral) and isinstance(got, numbers.Integral):
            return int(exp) == int(got)
        try:
            return feq(float(exp), float(got))
        except OverflowError:  # an int beyond any float: only exact equality is left
            return exp == got
    if isinstance(exp, str) or isinstance(got, str):
        return type(exp) is type(got) and exp == got
    if isinstance(exp, (list, tuple)) and isinstance(got, (list, tuple)):
        return len(exp) == len(got) and all(equal(e, g, feq) for e, g in zip(exp, got))
    if isinstance(exp, dict) and isinstance(got, dict):
        return exp.keys() == got.keys() and all(equal(exp[k], got[k], feq) for k in exp)
    if isinstance(exp, (set, frozenset)) and isinstance(got, (set, frozenset)):
        return set(exp) == set(got)
    return bool(exp == got)


COLLECTIONS = (list, tuple, set, frozenset)


def canonical(v):
    """A string that is equal for values the set comparator treats as equal
    (used when elements are unhashable): lists and tuples alike, dicts and
    sets order-free, numbers as Python's set sees them (1 == 1.0 == True)."""
    if v is None:
        return "None"
    if isinstance(v, bool):
        return repr(int(v))
    if isinstance(v, float) and v.is_integer():
        return repr(int(v))
    if isinstance(v, (int, float, complex, str, bytes)):
        return repr(v)
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(canonical(x) for x in v) + "]"
    if isinstance(v, (set, frozenset)):
        return "set(" + ",".join(sorted(canonical(x) for x in v)) + ")"
    if isinstance(v, dict):
        return "{" + ",".join(sorted(canonical(k) + ":" + canonical(x)
                                     for k, x in v.items())) + "}"
    return "%s:%r" % (type(v).__name__, v)


def set_equal(exp, got):
    if not isinstance(exp, COLLECTIONS) or not isinstance(got, COLLECTIONS):
        return False
    try:
        return set(exp) == set(got)
    except TypeError:  # unhashable elements
        return {canonical(x) for x in exp} == {canonical(x) for x in got}


def compile_checker(source, prelude):
    """The suite's check(inputs, expected, output), compiled in a namespace of
    its own (with the prelude when the suite asks for it)."""
    if not isinstance(source, str) or not source:
        raise HarnessError("comparator checker needs checker_code")
    remember_source(CHECKER_FILENAME, source)
    ns = {"__name__": "__checker__", "__builtins__": builtins}
    try:
        if prelude:
            exec(compile(PRELUDE, PRELUDE_FILENAME, "exec", dont_inherit=True), ns)
        exec(compile(source, CHECKER_FILENAME, "exec", dont_inherit=True), ns)
    except Exception as e:
        raise HarnessError("checker_code: %s: %s" % (type(e).__name__, message_of(e)))
    check = ns.get("check")
    if not callable(check):
        raise HarnessError("checker_code does not define a function check(inputs, "
                           "expected, output)")
    return check


# The factories: setup command -> judge(test, got). Without an expected value
# "exact", "close" and "set" pass any output.
def _equal_judge(feq):
    def judge(test, got):
        return not test.has_expected or equal(test.expected, got, feq)
    return judge


def _exact(msg):
    return _equal_judge(relative_feq(float(msg.get("float_tolerance") or 0.0)))


def _close(msg):
    return _equal_judge(allclose_feq(float(msg.get("atol") or 0.0),
                                     float(msg.get("rtol") or 0.0)))


def _set(msg):
    def judge(test, got):
        return not test.has_expected or set_equal(test.expected, got)
    return judge


def _not_none(msg):
    def judge(test, got):
        return got is not None
    return judge


def _checker(msg):
    check = compile_checker(msg.get("checker_code"), bool(msg.get("prelude")))

    def judge(test, got):
        try:
            return bool(check(copy.deepcopy(list(test.inputs)), copy.deepcopy(test.expected),
                              got))
        except BaseException as e:
            raise CheckerFailed(e)
    return judge


COMPARATORS = {"exact": _exact, "close": _close, "set": _set, "not_none": _not_none,
               "checker": _checker}


# Mode command: a comparator is (same(expected, got), lines(data)); lines() is
# also what a failure message shows around the first differing line.
def stdout_lines(data):
    """Comparator "stdout": lines without trailing whitespace, trailing empty
    lines dropped."""
    lines = [line.rstrip() for line in bytes(data).split(b"\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _exact_lines(data):
    return bytes(data).splitlines(True)


STDOUT_COMPARATORS = {
    "stdout": (lambda expected, got: stdout_lines(expected) == stdout_lines(got), stdout_lines),
    "exact": (lambda expected, got: bytes(expected) == bytes(got), _exact_lines),
}
