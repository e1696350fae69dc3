# JouleTrace's Python runner: serves one candidate inside the sandboxed child.
#
# Embedded into the jouletrace binary (runner_blob.S) and started as
# `python -s -B -c <this file>`; stdlib only, Python 3.9+. The harness speaks
# JSON lines: commands arrive on fd $JOULETRACE_CMD_FD, one reply per command
# goes to fd $JOULETRACE_REPLY_FD (both moved to high fds at once, so the
# candidate's own files and fd juggling do not collide with them). The
# candidate's prints go to the real fds 1 and 2, which the harness captures.
#
#   {"cmd": "setup", "code", "filename", "function_name",
#    "mode": "call"|"method"|"script",
#    "test_cases": [{"test_id", "inputs": [...], "expected_output"?}]
#                  (mode script: [{"test_id", "script"}]),
#    "float_tolerance", "comparator": "exact"|"close"|"set"|"not_none"|"checker",
#    "atol", "rtol", "checker_code"?, "setup_code"?, "prelude", "reload_per_iteration",
#    "floor"}
#       -> {"ok": true} | {"ok": false, "error_type", "message", "traceback",
#                          "harness"?: true}
#   {"cmd": "validate"}
#       -> {"ok": true, "elapsed_ns", "results": [{"test_id", "passed",
#           "expected", "got", "error_type", "error_message", "checker_error"}]}
#   {"cmd": "run", "iterations": N}
#       -> {"ok": true, "iterations", "elapsed_ns", "cpu_ns"}
#        | {"ok": false, "error_type", "message"}
#   {"cmd": "outputs"}                        (modes call and method)
#       -> {"ok": true, "outputs": [<typed value> | {"__error__": "..."}, ...]}
# "load": true marks a failure while loading the candidate (setup, or a reload
# before validate/run/outputs with reload_per_iteration): load_error.
# "harness": true marks failures that are not the candidate's fault (a value
# the runner cannot decode, a checker that does not compile, an unknown
# command). EOF on the command fd: exit 0.
#
# Loading (at setup, and before every iteration with reload_per_iteration):
# a fresh module "__candidate__"; the prelude (if asked), the candidate's
# code, then setup_code, all exec'd in its namespace; then the entry point is
# looked up. With "floor" the entry point is replaced by a null function right
# after the code ran (method mode: a Solution class whose method is null; the
# code may be empty or define helpers the tests use, such as a HumanEval
# prompt) and, in script mode, each script runs in its tolerant form (see
# tolerant()), so the harness floor measures the same loop the candidates get.
import ast
import base64
import builtins
import copy
import io
import json
import linecache
import math
import numbers
import os
import reprlib
import resource
import sys
import time
import traceback
import types

REPR_MAX = 200
MESSAGE_MAX = 500
TRACEBACK_MAX = 2000
OUTPUT_MAX = 16 << 20        # one encoded output of the `outputs` command
OUTPUTS_TOTAL_MAX = 48 << 20  # all of them (the harness takes replies up to 64 MiB)

_repr = reprlib.Repr()
_repr.maxstring = _repr.maxother = _repr.maxlong = REPR_MAX
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 40
_repr.maxfrozenset = _repr.maxdeque = _repr.maxarray = 40
_repr.maxlevel = 6

if hasattr(sys, "set_int_max_str_digits"):
    sys.set_int_max_str_digits(0)  # 3.11+ refuses to parse or print huge ints


class HarnessError(Exception):
    """Not the candidate's fault: the suite or the protocol is wrong."""


class CheckerFailed(Exception):
    """The checker (comparator "checker") raised; wraps its exception."""

    def __init__(self, error):
        Exception.__init__(self)
        self.error = error


class LoadFailed(Exception):
    """Loading (prelude, candidate, setup code, entry point) raised."""

    def __init__(self, error, filename, what):
        Exception.__init__(self)
        self.error, self.filename, self.what = error, filename, what


def clean(text, limit):
    """One JSON-safe string: no lone surrogates, no NULs, at most `limit` chars."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\0", "\\x00")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def show(value):
    try:
        return clean(_repr.repr(value), REPR_MAX)
    except BaseException as e:  # a candidate's __repr__ may raise anything
        return "<unrepresentable %s: %s>" % (type(value).__name__, type(e).__name__)


def message_of(e):
    try:
        return clean(str(e), MESSAGE_MAX)
    except BaseException:
        return "<unprintable message>"


# Typed values (DESIGN §4): a one-key object with one of these keys is a
# Python value JSON has no word for; any other object is a plain dict.
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
    """The suite's comparison (DESIGN §4): ints exactly, floats by feq,
    bool/None only equal themselves, list == tuple."""
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


def traceback_tail(e, filename):
    """The candidate's frames only (the runner's own are noise)."""
    tb = e.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != filename:
        tb = tb.tb_next
    text = "".join(traceback.format_exception(type(e), e, tb))
    return clean(text[-TRACEBACK_MAX:], TRACEBACK_MAX)


def failure(e, filename=None, harness=False, message=None):
    reply = {"ok": False, "error_type": type(e).__name__,
             "message": message if message is not None else message_of(e)}
    if filename is not None:
        reply["traceback"] = traceback_tail(e, filename)
    if harness:
        reply["harness"] = True
    return reply


def load_failure(lf):
    e = lf.error
    message = message_of(e)
    if lf.what:
        message = clean("%s: %s" % (lf.what, message), MESSAGE_MAX)
    reply = failure(e, lf.filename, message=message)
    reply["load"] = True
    return reply


def script_message(e, filename, lines):
    """An AssertionError in a test script: the failing assert's line."""
    message = message_of(e)
    if not isinstance(e, AssertionError):
        return message
    lineno, tb = None, e.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            lineno = tb.tb_lineno
        tb = tb.tb_next
    if lineno is None or not 0 < lineno <= len(lines):
        return message
    text = "line %d: %s" % (lineno, lines[lineno - 1].strip())
    return clean(text + (": " + message if message else ""), MESSAGE_MAX)


# The harness floor of script mode: the same script against a null entry
# point, made tolerant so that a None result does not end it at the first
# assert: every `assert t, m` becomes the bare expression `t` (evaluated as
# a passing assert evaluates it; m is not), and every statement, at any
# depth, is wrapped in `try: ... except Exception: pass`.
_UNGUARDED = (ast.Pass, ast.Break, ast.Continue, ast.Global, ast.Nonlocal)


def _tolerant_body(stmts):
    out = []
    for s in stmts:
        if isinstance(s, _UNGUARDED) or (isinstance(s, ast.ImportFrom)
                                         and s.module == "__future__"):
            out.append(s)
            continue
        if isinstance(s, ast.Assert):
            s = ast.copy_location(ast.Expr(value=s.test), s)
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(s, field, None)
            if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                setattr(s, field, _tolerant_body(inner))
        for h in getattr(s, "handlers", None) or []:
            h.body = _tolerant_body(h.body)
        for c in getattr(s, "cases", None) or []:  # match (3.10+)
            c.body = _tolerant_body(c.body)
        handler = ast.ExceptHandler(type=ast.Name(id="Exception", ctx=ast.Load()), name=None,
                                    body=[ast.Pass()])
        out.append(ast.copy_location(ast.Try(body=[s], handlers=[handler], orelse=[],
                                             finalbody=[]), s))
    return out


def tolerant(source, filename):
    tree = ast.parse(source, filename)
    tree.body = _tolerant_body(tree.body)
    return compile(ast.fix_missing_locations(tree), filename, "exec", dont_inherit=True)


PRELUDE = '''\
from typing import *
import bisect, collections, functools, heapq, itertools, math, operator, random, re, string
from bisect import bisect, bisect_left, bisect_right, insort, insort_left, insort_right
from collections import Counter, OrderedDict, defaultdict, deque, namedtuple
from functools import cache, cmp_to_key, lru_cache, reduce
from heapq import heapify, heappop, heappush, heappushpop, heapreplace, nlargest, nsmallest
from itertools import (accumulate, chain, combinations, count, groupby, permutations,
                       product, zip_longest)
from math import ceil, comb, factorial, floor, gcd, inf, isqrt, log, log2, sqrt


class ListNode:
    def __init__(self, val=0, next=None):
        self.val = val
        self.next = next

    def __repr__(self):
        return "ListNode(%s)" % listnode_to_list(self, 50)


class TreeNode:
    def __init__(self, val=0, left=None, right=None):
        self.val = val
        self.left = left
        self.right = right

    def __repr__(self):
        return "TreeNode(%r)" % (self.val,)


def list_to_listnode(values):
    head = None
    for v in reversed(list(values)):
        head = ListNode(v, head)
    return head


def listnode_to_list(node, limit=10 ** 7):
    out = []
    while node is not None and len(out) < limit:
        out.append(node.val)
        node = node.next
    return out


def list_to_treenode(values):
    """LeetCode's level order, None for a missing child."""
    values = list(values)
    if not values or values[0] is None:
        return None
    root = TreeNode(values[0])
    level, i = deque([root]), 1
    while level and i < len(values):
        node = level.popleft()
        for side in ("left", "right"):
            if i < len(values) and values[i] is not None:
                child = TreeNode(values[i])
                setattr(node, side, child)
                level.append(child)
            i += 1
    return root


def treenode_to_list(root):
    out, level = [], deque([root])
    while level:
        node = level.popleft()
        if node is None:
            out.append(None)
            continue
        out.append(node.val)
        level.append(node.left)
        level.append(node.right)
    while out and out[-1] is None:
        out.pop()
    return out
'''
PRELUDE_FILENAME = "<jouletrace-prelude>"
SETUP_FILENAME = "<setup_code>"
CHECKER_FILENAME = "<checker>"
COMPARATORS = ("exact", "close", "set", "not_none", "checker")


def _null(*args, **kwargs):
    return None


def cpu_ns():
    """The process's CPU time (all threads). Not time.process_time(): with
    RLIMIT_CPU set (the sandbox's backstop) Linux serves that clock from the
    tick-sampled group timer, so a few milliseconds of work can read as 0."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return round((r.ru_utime + r.ru_stime) * 1e9)


def flush_candidate_output():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass


def remember_source(filename, text):
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)


class Runner:
    def __init__(self):
        self.ready = False
        self.call = None        # the entry point as tests call it
        self.namespace = None   # the candidate's module globals
        # call/method: (test_id, inputs, mutable flags or None, has_expected, expected)
        # script: (test_id, code, filename, lines)
        self.tests = []
        self.feq = None
        self.comparator = "exact"
        self.checker = None

    def setup(self, msg):
        self.mode = msg.get("mode") or "call"
        if self.mode not in ("call", "method", "script"):
            return failure(HarnessError("mode %r is not supported by the Python runner"
                                        % self.mode), harness=True)
        self.floor = bool(msg.get("floor"))
        self.reload = bool(msg.get("reload_per_iteration"))
        try:
            self.comparator = msg.get("comparator") or "exact"
            if self.comparator not in COMPARATORS:
                raise HarnessError("unknown comparator %r" % self.comparator)
            if self.comparator == "close":
                self.feq = allclose_feq(float(msg.get("atol") or 0.0),
                                        float(msg.get("rtol") or 0.0))
            else:
                self.feq = relative_feq(float(msg.get("float_tolerance") or 0.0))
            for t in msg["test_cases"]:
                if self.mode == "script":
                    self.tests.append(self.script_test(t))
                    continue
                inputs = decode(t.get("inputs", []))
                if not isinstance(inputs, list):
                    raise HarnessError("test %r: inputs must be a list" % t.get("test_id"))
                flags = [not immutable(v) for v in inputs]
                has_expected = "expected_output" in t
                expected = decode(t["expected_output"]) if has_expected else None
                self.tests.append((str(t.get("test_id")), tuple(inputs),
                                   flags if any(flags) else None, has_expected, expected))
            if self.comparator == "checker":
                self.checker = self.compile_checker(msg.get("checker_code"),
                                                    bool(msg.get("prelude")))
        except HarnessError as e:
            return failure(e, harness=True)
        except Exception as e:
            return failure(HarnessError("cannot decode the test cases: %s: %s"
                                        % (type(e).__name__, message_of(e))), harness=True)

        self.name = msg["function_name"]
        self.filename = msg.get("filename") or "candidate.py"
        code = msg.get("code") or ""
        remember_source(self.filename, code)
        self.prelude = None
        if msg.get("prelude"):
            remember_source(PRELUDE_FILENAME, PRELUDE)
            self.prelude = compile(PRELUDE, PRELUDE_FILENAME, "exec", dont_inherit=True)
        self.code = self.setup_code = None
        try:
            try:
                self.code = compile(code, self.filename, "exec", dont_inherit=True)
            except BaseException as e:
                raise LoadFailed(e, self.filename, None)
            if msg.get("setup_code"):
                remember_source(SETUP_FILENAME, msg["setup_code"])
                try:
                    self.setup_code = compile(msg["setup_code"], SETUP_FILENAME, "exec",
                                              dont_inherit=True)
                except BaseException as e:
                    raise LoadFailed(e, SETUP_FILENAME, "setup_code")
            self.load()
        except LoadFailed as lf:  # SystemExit and KeyboardInterrupt included
            flush_candidate_output()
            return load_failure(lf)
        flush_candidate_output()
        self.ready = True
        return {"ok": True}

    def script_test(self, t):
        test_id, source = str(t.get("test_id")), t.get("script")
        if not isinstance(source, str):
            raise HarnessError("test %r: mode script needs a script" % test_id)
        filename = "<test:%s>" % test_id
        remember_source(filename, source)
        try:
            if self.floor:
                code = tolerant(source, filename)
            else:
                code = compile(source, filename, "exec", dont_inherit=True)
        except SyntaxError as e:
            raise HarnessError("test %r: the script does not compile: %s" % (test_id, e))
        return (test_id, code, filename, source.splitlines())

    def compile_checker(self, source, prelude):
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

    def load(self):
        """A fresh module namespace with prelude, candidate and setup code, and
        the entry point bound; LoadFailed or the candidate's exception."""
        module = types.ModuleType("__candidate__")  # `if __name__ == "__main__"` stays off
        module.__file__ = self.filename
        module.__builtins__ = builtins
        sys.modules["__candidate__"] = module
        ns = module.__dict__
        if self.prelude is not None:
            try:
                exec(self.prelude, ns)
            except BaseException as e:
                raise LoadFailed(e, PRELUDE_FILENAME, "prelude")
        name = self.name
        try:
            exec(self.code, ns)
        except BaseException as e:
            raise LoadFailed(e, self.filename, None)
        if self.floor:  # the entry point becomes a null function, helpers stay
            if self.mode == "method":
                ns["Solution"] = type("Solution", (), {name: lambda self, *a, **k: None})
            else:
                ns[name] = _null
        if self.setup_code is not None:
            try:
                exec(self.setup_code, ns)
            except BaseException as e:
                raise LoadFailed(e, SETUP_FILENAME, "setup_code")
        try:
            if self.mode == "method":  # LeetCode style: a fresh Solution() per call
                cls = ns.get("Solution")
                if cls is None or not callable(getattr(cls, name, None)):
                    raise NameError("class Solution with a method %r is not defined" % name)
                self.call = lambda *args: getattr(cls(), name)(*args)
            else:
                fn = ns.get(name)
                if fn is None:
                    raise NameError("function %r is not defined" % name)
                if not callable(fn):
                    raise TypeError("%r is not callable (it is a %s)"
                                    % (name, type(fn).__name__))
                self.call = fn
        except Exception as e:
            raise LoadFailed(e, self.filename, None)
        self.namespace = ns
        return self.call

    def reload_failure(self, e):
        flush_candidate_output()
        if isinstance(e, LoadFailed):
            return load_failure(e)
        return failure(e)

    def judge(self, test, got):
        """Whether `got` passes; CheckerFailed when the checker raised."""
        _, inputs, _, has_expected, expected = test
        c = self.comparator
        if c == "not_none":
            return got is not None
        if c == "checker":
            try:
                return bool(self.checker(copy.deepcopy(list(inputs)), copy.deepcopy(expected),
                                         got))
            except BaseException as e:
                raise CheckerFailed(e)
        if not has_expected:
            return True
        if c == "set":
            return set_equal(expected, got)
        return equal(expected, got, self.feq)

    def validate(self, msg):
        if self.reload:
            try:
                self.load()
            except BaseException as e:
                return self.reload_failure(e)
        start = time.perf_counter_ns()
        if self.mode == "script":
            results = self.validate_scripts()
        else:
            results = self.validate_calls()
        elapsed = time.perf_counter_ns() - start
        flush_candidate_output()
        return {"ok": True, "elapsed_ns": elapsed, "results": results}

    def validate_calls(self):
        results = []
        call = self.call
        for test in self.tests:
            test_id, inputs, flags, has_expected, expected = test
            r = {"test_id": test_id, "passed": False,
                 "expected": show(expected) if has_expected else None,
                 "got": None, "error_type": None, "error_message": None,
                 "checker_error": False}
            try:
                got = call(*copy.deepcopy(inputs)) if flags else call(*inputs)
                r["got"] = show(got)
                r["passed"] = self.judge(test, got)
            except CheckerFailed as cf:
                r["error_type"], r["error_message"] = type(cf.error).__name__, \
                    message_of(cf.error)
                r["checker_error"] = True
            except BaseException as e:  # a candidate's failure is a result, not our end
                r["error_type"], r["error_message"] = type(e).__name__, message_of(e)
            results.append(r)
        return results

    def validate_scripts(self):
        results = []
        ns = self.namespace
        for test_id, code, filename, lines in self.tests:
            r = {"test_id": test_id, "passed": False, "expected": None, "got": None,
                 "error_type": None, "error_message": None, "checker_error": False}
            try:
                exec(code, dict(ns))
                r["passed"] = True
            except BaseException as e:
                r["error_type"] = type(e).__name__
                r["error_message"] = script_message(e, filename, lines)
            results.append(r)
        return results

    def run(self, msg):
        n = int(msg["iterations"])
        if self.mode == "script":
            return self.run_scripts(n)
        call, deepcopy, reload = self.call, copy.deepcopy, self.reload
        plain = [inputs for _, inputs, flags, _, _ in self.tests if flags is None]
        copied = [(inputs, flags) for _, inputs, flags, _, _ in self.tests if flags]
        # Fresh inputs where a call could mutate them; results are assigned to
        # a local so nothing is optimised away, and never compared here.
        # Test order within an iteration does not matter to the measurement.
        # With reload_per_iteration the candidate is loaded afresh first, inside
        # the timed region.
        start_cpu = cpu_ns()
        start = time.perf_counter_ns()
        try:
            for _ in range(n):
                if reload:
                    call = self.load()
                for inputs in plain:
                    result = call(*inputs)
                for inputs, flags in copied:
                    result = call(*[deepcopy(v) if f else v for v, f in zip(inputs, flags)])
            result = None
        except LoadFailed as lf:
            flush_candidate_output()
            return load_failure(lf)
        except BaseException as e:
            flush_candidate_output()
            return failure(e)
        elapsed = time.perf_counter_ns() - start
        cpu = cpu_ns() - start_cpu
        flush_candidate_output()
        return {"ok": True, "iterations": n, "elapsed_ns": elapsed, "cpu_ns": cpu}

    def run_scripts(self, n):
        ns, reload = self.namespace, self.reload
        scripts = [(code, filename, lines) for _, code, filename, lines in self.tests]
        start_cpu = cpu_ns()
        start = time.perf_counter_ns()
        current = None
        try:
            for _ in range(n):
                if reload:
                    self.load()
                    ns = self.namespace
                for current in scripts:
                    exec(current[0], dict(ns))
        except LoadFailed as lf:
            flush_candidate_output()
            return load_failure(lf)
        except BaseException as e:
            flush_candidate_output()
            return failure(e, message=script_message(e, current[1], current[2])
                           if current else None)
        elapsed = time.perf_counter_ns() - start
        cpu = cpu_ns() - start_cpu
        flush_candidate_output()
        return {"ok": True, "iterations": n, "elapsed_ns": elapsed, "cpu_ns": cpu}

    def outputs(self, msg):
        if self.mode == "script":
            raise HarnessError("outputs: mode script has no outputs")
        if self.reload:
            try:
                self.load()
            except BaseException as e:
                return self.reload_failure(e)
        call, texts, total = self.call, [], 0
        for _, inputs, _, _, _ in self.tests:
            try:
                got = call(*copy.deepcopy(inputs))
            except BaseException as e:
                text = json.dumps({"__error__": clean("%s: %s" % (type(e).__name__,
                                                                  message_of(e)), MESSAGE_MAX)},
                                  ensure_ascii=True)
            else:
                text = encode_output(got)
                got = None
            if total + len(text) > OUTPUTS_TOTAL_MAX:
                text = json.dumps({"__error__": "outputs exceed %d MiB in total"
                                   % (OUTPUTS_TOTAL_MAX >> 20)})
            total += len(text)
            texts.append(text)
        flush_candidate_output()
        return ('{"ok": true, "outputs": [' + ", ".join(texts) + "]}").encode("ascii")


def protocol_fd(env_name, default):
    """Moves a protocol fd high (CLOEXEC), below the fd limit the sandbox sets."""
    import fcntl
    fd = int(os.environ.pop(env_name, default))
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft == resource.RLIM_INFINITY or soft > 1024:
        soft = 1024
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, max(soft - 8, 10))
    os.close(fd)
    return high


def main():
    cmd_fd = protocol_fd("JOULETRACE_CMD_FD", "3")
    reply_fd = protocol_fd("JOULETRACE_REPLY_FD", "4")
    commands = io.open(cmd_fd, "rb", buffering=65536, closefd=True)
    runner = Runner()
    handlers = {"setup": runner.setup, "validate": runner.validate, "run": runner.run,
                "outputs": runner.outputs}
    while True:
        line = commands.readline()
        if not line:
            return 0
        try:
            msg = json.loads(line)
            handler = handlers.get(msg.get("cmd"))
            if handler is None or (msg["cmd"] != "setup") != runner.ready:
                raise HarnessError("unexpected command %r" % msg.get("cmd"))
            reply = handler(msg)
        except MemoryError as e:  # outside a candidate call, still the candidate's doing
            reply = failure(e)
        except Exception as e:
            reply = failure(HarnessError("%s: %s" % (type(e).__name__, message_of(e))),
                            harness=True)
        if isinstance(reply, bytes):
            data = reply + b"\n"
        else:
            data = (json.dumps(reply, ensure_ascii=True, allow_nan=False) + "\n").encode("ascii")
        reply = None
        while data:
            data = data[os.write(reply_fd, data):]


if __name__ == "__main__":
    sys.exit(main())
