# assert_kinds.py: per-test assert kinds (docs/design.md "Assert kinds"). A
# test case may carry `assert` (truthy, falsy, abs_lt, isclose) instead of
# being judged by its test set's comparator; KINDS maps each name to a
# factory that takes the test case (a dict as the suite encodes it) and
# returns judge(expected, got) -> bool. Judges work on decoded plain data
# (codec.py's decode() of an encoded output): nothing here calls code of the
# candidate's, so a judge process can use this module as it is.
import math

from .replies import HarnessError


def _real(v):
    """An int or a float (plain data), not a bool."""
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _number(v):
    return _real(v) or isinstance(v, complex)


def _param(test, key, default):
    """A tolerance of the test case: a finite number >= 0."""
    v = test.get(key, default)
    if v is None:
        raise HarnessError("test %r: assert %s needs %s" % (test.get("test_id"),
                                                            test.get("assert"), key))
    if not _real(v) or not math.isfinite(v) or v < 0:
        raise HarnessError("test %r: %s must be a finite number >= 0, not %r"
                           % (test.get("test_id"), key, v))
    return v


def _truthy(test):
    return lambda expected, got: bool(got)


def _falsy(test):
    return lambda expected, got: not bool(got)


def _abs_lt(test):
    """|got - expected| < tolerance; nan never passes."""
    tol = _param(test, "tolerance", None)

    def judge(expected, got):
        if not _number(got) or not _number(expected):
            return False
        try:
            d = abs(got - expected)
        except (OverflowError, ValueError):
            return False
        return not math.isnan(d) and d < tol
    return judge


def _isclose(test):
    """math.isclose(got, expected, rel_tol, abs_tol); defaults 1e-9 and 0."""
    rel, absolute = _param(test, "rel_tol", 1e-9), _param(test, "abs_tol", 0.0)

    def judge(expected, got):
        if not _real(got) or not _real(expected):
            return False
        try:
            return math.isclose(got, expected, rel_tol=rel, abs_tol=absolute)
        except (OverflowError, ValueError):  # an int beyond any float
            return False
    return judge


KINDS = {"truthy": _truthy, "falsy": _falsy, "abs_lt": _abs_lt, "isclose": _isclose}


def judge_for(test):
    """The judge of a test case dict with `assert`, None without one."""
    kind = test.get("assert")
    if kind is None:
        return None
    factory = KINDS.get(kind) if isinstance(kind, str) else None
    if factory is None:
        raise HarnessError("test %r: unknown assert %r (one of %s)"
                           % (test.get("test_id"), kind, ", ".join(KINDS)))
    return factory(test)
