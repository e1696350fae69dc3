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
#    "mode": "call"|"method"|"script"|"command",
#    "test_cases": [{"test_id", "inputs": [...], "expected_output"?}]
#                  (mode script: [{"test_id", "script"}];
#                   mode command: [{"test_id", "stdin", "args": [...],
#                                   "expected_stdout"?, "expected_exit_code"}]),
#    "float_tolerance", "comparator": "exact"|"close"|"set"|"not_none"|"checker"
#                                     (mode command: "stdout"|"exact"),
#    "atol", "rtol", "checker_code"?, "setup_code"?, "prelude", "reload_per_iteration",
#    "floor", "timeout_seconds",
#    mode command: "command": [argv template], "build"?, "source_name"}
#       -> {"ok": true} | {"ok": false, "error_type", "message", "traceback",
#                          "harness"?: true}
#          mode command also: error_type "BuildError" (the build failed; its
#          output in "traceback"), and {"ok": false, "timeout": true,
#          "message": "test 'ID'" | "the build"} from any command when the
#          runner had to kill a program at its deadline.
#   {"cmd": "validate"}
#       -> {"ok": true, "elapsed_ns", "results": [{"test_id", "passed",
#           "expected", "got", "error_type", "error_message", "checker_error"}]}
#   {"cmd": "run", "iterations": N}
#       -> {"ok": true, "iterations", "elapsed_ns", "cpu_ns"}
#        | {"ok": false, "error_type", "message"}
#   {"cmd": "outputs"}                        (modes call, method and command)
#       -> {"ok": true, "outputs": [<typed value> | {"__error__": "..."}, ...]}
#          (mode command: each test's stdout as a string)
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
import select
import signal
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
CONVERT_FILENAME = "<convert>"
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
        self.conv_in = self.conv_out = None

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
            self.conv_in = self.conv_out = None
            if msg.get("convert_code") and self.mode != "script":
                self.conv_in, self.conv_out = self.compile_convert(msg["convert_code"],
                                                                   bool(msg.get("prelude")))
            for t in msg["test_cases"]:
                if self.mode == "script":
                    self.tests.append(self.script_test(t))
                    continue
                inputs = decode(t.get("inputs", []))
                if not isinstance(inputs, list):
                    raise HarnessError("test %r: inputs must be a list" % t.get("test_id"))
                if self.conv_in is not None:  # once, at setup: never measured
                    try:
                        inputs = list(self.conv_in(inputs))
                    except Exception as e:
                        raise HarnessError("test %r: convert_inputs raised %s: %s"
                                           % (t.get("test_id"), type(e).__name__, message_of(e)))
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

    def compile_convert(self, source, prelude):
        """The test set's convert code: convert_inputs(inputs) -> list turns
        the decoded inputs into what the entry point takes (e.g. ListNode
        from a list), once at setup; convert_output(output) -> value turns
        what it returns into something comparable with the expected value
        (e.g. a list from a ListNode), after each call that is judged."""
        remember_source(CONVERT_FILENAME, source)
        ns = {"__name__": "__convert__", "__builtins__": builtins}
        try:
            if prelude:
                exec(compile(PRELUDE, PRELUDE_FILENAME, "exec", dont_inherit=True), ns)
            exec(compile(source, CONVERT_FILENAME, "exec", dont_inherit=True), ns)
        except Exception as e:
            raise HarnessError("convert: %s: %s" % (type(e).__name__, message_of(e)))
        conv_in, conv_out = ns.get("convert_inputs"), ns.get("convert_output")
        if not callable(conv_in) and not callable(conv_out):
            raise HarnessError("convert code defines neither convert_inputs(inputs) nor "
                               "convert_output(output)")
        return (conv_in if callable(conv_in) else None,
                conv_out if callable(conv_out) else None)

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
                if self.conv_out is not None:
                    got = self.conv_out(got)
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
                if self.conv_out is not None:
                    got = self.conv_out(got)
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


# Mode "command": any program, fed a test's stdin and args, judged on its
# stdout and exit status. The runner is only the driver here: it writes the
# source into the workdir, runs the build once (at setup), then starts the
# command afresh for every test case (validate, outputs) and every iteration
# of a run. Each program gets its own session (so a group kill reaches what
# it forks), the sandbox's environment, pipes for stdin, stdout and stderr,
# and the default action for SIGPIPE and SIGXFSZ (Python ignores them). When
# it exits, everything it left behind is killed: as PID 1 of the sandbox's
# PID namespace every other process of the namespace (kill(-1)), elsewhere
# its process group. Every wait is bounded by the phase's deadline: the
# runner's share of timeout_seconds, a little less than the harness's, so
# that the runner kills a stuck program itself and answers "timeout".
PROGRAM_OUT_MAX = 16 << 20   # stdout kept per test; more is an output flood
PROGRAM_ERR_MAX = 4096       # stderr kept per test, for failure messages
BUILD_LOG_MAX = 64 << 10     # build output kept
BUILD_REASON_LINES = 3
SIGDEF = tuple(getattr(signal, n) for n in ("SIGPIPE", "SIGXFSZ") if hasattr(signal, n))
INLINE_BIN = "candidate.bin"


class Program:
    """What one run of a program came to."""
    __slots__ = ("status", "out", "out_dropped", "err", "timed_out", "flood")

    def __init__(self):
        self.status = None       # os.waitpid status, None when it never ran
        self.out = bytearray()
        self.out_dropped = 0
        self.err = bytearray()
        self.timed_out = False
        self.flood = False

    def describe_end(self):
        """None for exit status 0, else how it ended ("exited with status 3")."""
        return describe_status(self.status)


def describe_status(status):
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = "signal %d" % sig
        return "killed by signal %d (%s)" % (sig, name)
    if os.WIFEXITED(status):
        return "exited with status %d" % os.WEXITSTATUS(status)
    return "ended with wait status %d" % status


def exit_code_of(status):
    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else None


def sweep(pid):
    """Kills whatever is left of program `pid` (which has exited or is to be
    killed) and reaps it. As PID 1 of a namespace: every other process of
    the namespace, and every zombie reparented to us."""
    if os.getpid() == 1:
        try:
            os.kill(-1, signal.SIGKILL)  # all but ourselves, this namespace only
        except OSError:
            pass
    else:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass


def reap_all(blocking):
    """Reaps our children that are gone (all of them, waiting, when
    `blocking`: only after sweep() in a namespace, where nothing survives)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, 0 if blocking else os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def run_program(path, argv, env, stdin_data, deadline, out_cap, err_cap, merge_err=False,
                stop_at_cap=False):
    """Starts `path` with argv, feeds it stdin_data, collects stdout (the first
    out_cap bytes; the rest counted) and stderr (err_cap), until it exits and
    its pipes close, or the deadline passes (then it is killed: timed_out),
    or, with stop_at_cap, stdout passes out_cap (killed: flood). OSError when
    it cannot be started."""
    res = Program()
    fds = []
    pid = pidfd = None

    def close(fd):
        if fd in fds:
            fds.remove(fd)
            os.close(fd)

    try:
        in_r, in_w = os.pipe()
        fds += [in_r, in_w]
        out_r, out_w = os.pipe()
        fds += [out_r, out_w]
        if merge_err:
            err_r, err_w = None, out_w
        else:
            err_r, err_w = os.pipe()
            fds += [err_r, err_w]
        actions = [(os.POSIX_SPAWN_DUP2, in_r, 0), (os.POSIX_SPAWN_DUP2, out_w, 1),
                   (os.POSIX_SPAWN_DUP2, err_w, 2)]
        pid = os.posix_spawn(path, argv, env, file_actions=actions, setsid=True,
                             setsigdef=SIGDEF)
        for fd in (in_r, out_w, err_w):
            close(fd)
        try:
            pidfd = os.pidfd_open(pid)
            fds.append(pidfd)
        except (AttributeError, OSError):
            pidfd = None
        poll = select.poll()
        readers = {out_r: (res.out, out_cap)}
        if err_r is not None:
            readers[err_r] = (res.err, err_cap)
        for fd in readers:
            os.set_blocking(fd, False)
            poll.register(fd, select.POLLIN)
        pos = 0
        if stdin_data:
            os.set_blocking(in_w, False)
            poll.register(in_w, select.POLLOUT)
        else:
            close(in_w)
        if pidfd is not None:
            poll.register(pidfd, select.POLLIN)
        exited = False
        while not exited or readers:
            left = deadline - time.monotonic()
            if left <= 0:
                res.timed_out = True
                break
            if not readers and pidfd is None:  # no pidfd: poll for the exit
                got, status = os.waitpid(pid, os.WNOHANG)
                if got:
                    res.status, exited = status, True
                    break
                time.sleep(min(left, 0.001))
                continue
            for fd, ev in poll.poll(max(1, min(int(left * 1000) + 1, 1000))):
                if fd == in_w:
                    try:
                        pos += os.write(in_w, stdin_data[pos:pos + 65536])
                    except BlockingIOError:
                        pass
                    except BrokenPipeError:  # it stopped reading: fine
                        pos = len(stdin_data)
                    if pos >= len(stdin_data) or ev & (select.POLLERR | select.POLLHUP):
                        poll.unregister(in_w)
                        close(in_w)
                elif fd == pidfd:
                    exited = True
                    poll.unregister(pidfd)
                    close(pidfd)
                    sweep(pid)  # leftovers holding the pipes die with it
                    if in_w in fds:
                        poll.unregister(in_w)
                        close(in_w)
                elif fd in readers:
                    try:
                        chunk = os.read(fd, 65536)
                    except BlockingIOError:
                        continue
                    if not chunk:
                        poll.unregister(fd)
                        del readers[fd]
                        close(fd)
                        continue
                    buf, cap = readers[fd]
                    room = cap - len(buf)
                    if room > 0:
                        buf += chunk[:room]
                    if len(chunk) > room:
                        dropped = len(chunk) - max(room, 0)
                        if fd == out_r:
                            res.out_dropped += dropped
                            if stop_at_cap:
                                res.flood = True
                                break
            if res.flood:
                break
        if pidfd is None and exited:
            sweep(pid)  # status already collected above
        else:
            if not exited:
                sweep(pid)  # the program too
            _, res.status = os.waitpid(pid, 0)
        pid = None
        if os.getpid() == 1:
            reap_all(True)
        else:
            reap_all(False)
        return res
    finally:
        if pid is not None:  # an exception on our side: do not leave it running
            sweep(pid)
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        for fd in list(fds):
            close(fd)


def children_cpu_ns():
    """CPU time of our children that have been reaped (the programs)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return round((r.ru_utime + r.ru_stime) * 1e9)


def stdout_lines(data):
    """Comparator "stdout": lines without trailing whitespace, trailing empty
    lines dropped."""
    lines = [line.rstrip() for line in bytes(data).split(b"\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def show_bytes(data):
    return show(bytes(data).decode("utf-8", "backslashreplace"))


def tail_lines(data, n):
    text = bytes(data).decode("utf-8", "backslashreplace")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(lines[-n:])


class CommandTest:
    __slots__ = ("test_id", "stdin", "args", "has_expected", "expected", "expected_lines",
                 "exit_code")

    def __init__(self, t):
        self.test_id = str(t.get("test_id"))
        stdin, args = t.get("stdin", ""), t.get("args", [])
        if not isinstance(stdin, str):
            raise HarnessError("test %r: stdin must be a string" % self.test_id)
        if not isinstance(args, list) or not all(isinstance(a, str) and "\0" not in a
                                                 for a in args):
            raise HarnessError("test %r: args must be a list of strings without NUL"
                               % self.test_id)
        self.stdin, self.args = stdin.encode("utf-8"), args
        self.has_expected = "expected_stdout" in t
        expected = t.get("expected_stdout")
        if self.has_expected and not isinstance(expected, str):
            raise HarnessError("test %r: expected_stdout must be a string" % self.test_id)
        self.expected = expected.encode("utf-8") if self.has_expected else b""
        self.expected_lines = stdout_lines(self.expected)
        code = t.get("expected_exit_code", 0)
        if not isinstance(code, int) or isinstance(code, bool) or not 0 <= code <= 255:
            raise HarnessError("test %r: expected_exit_code must be 0..255" % self.test_id)
        self.exit_code = code


class CommandRunner:
    """Mode "command" (see the comment above run_program)."""

    def __init__(self):
        self.ready = False

    def deadline(self):
        # the whole timeout_seconds; the harness waits a grace period longer
        return time.monotonic() + self.timeout

    def timeout_failure(self, test):
        reply = {"ok": False, "error_type": "Timeout", "timeout": True,
                 "message": clean("test %r" % test.test_id if test else "the build", MESSAGE_MAX)}
        return reply

    def setup(self, msg):
        self.floor = bool(msg.get("floor"))
        self.timeout = float(msg.get("timeout_seconds") or 10.0)
        deadline = self.deadline()
        self.env = dict(os.environ)
        self.dir = os.getcwd()
        try:
            self.comparator = msg.get("comparator") or "stdout"
            if self.comparator not in ("stdout", "exact"):
                raise HarnessError("mode command compares with 'stdout' or 'exact', not %r"
                                   % self.comparator)
            self.tests = [CommandTest(t) for t in msg["test_cases"]]
            template, build, name = ["/bin/true"], None, None
            if not self.floor:
                template, build = msg.get("command"), msg.get("build")
                if not isinstance(template, list) or not template or \
                        not all(isinstance(a, str) and a and "\0" not in a for a in template):
                    raise HarnessError("mode command needs 'command', a list of non-empty strings")
                if build is not None and not isinstance(build, str):
                    raise HarnessError("'build' must be a string")
                name = msg.get("source_name") or "candidate.src"
                if not isinstance(name, str) or "/" in name or "\0" in name or \
                        name in (".", "..", INLINE_BIN):
                    raise HarnessError("source_name %r is not a plain file name" % (name,))
        except HarnessError as e:
            return failure(e, harness=True)
        except Exception as e:
            return failure(HarnessError("cannot decode the test cases: %s: %s"
                                        % (type(e).__name__, message_of(e))), harness=True)
        if not self.floor:
            src = os.path.join(self.dir, name)
            words = {"{src}": src, "{bin}": os.path.join(self.dir, INLINE_BIN),
                     "{dir}": self.dir}
            try:
                fd = os.open(src, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                             | os.O_CLOEXEC, 0o600)
                with io.open(fd, "wb") as f:
                    f.write((msg.get("code") or "").encode("utf-8"))
            except OSError as e:
                reply = failure(e, message="cannot write the source: %s" % message_of(e))
                reply["load"] = True
                return reply
            template = [self.expand(a, words, False) for a in template]
            if build:
                reply = self.build(self.expand(build, words, True), deadline)
                if reply is not None:
                    return reply
        path = self.resolve(template[0])
        if path is None:
            if "/" not in template[0]:
                message = "command not found: %r (PATH %s)" % (template[0],
                                                              self.env.get("PATH", ""))
            elif template[0] == os.path.join(self.dir, INLINE_BIN):
                message = "{bin} is not an executable file (the build did not write it?)"
            else:
                message = "%r is not an executable file" % template[0]
            return {"ok": False, "error_type": "FileNotFoundError", "load": True,
                    "message": clean(message, MESSAGE_MAX)}
        self.path, self.argv = path, template
        self.ready = True
        return {"ok": True}

    @staticmethod
    def expand(text, words, shell):
        if shell:
            import shlex
            words = {k: shlex.quote(v) for k, v in words.items()}
        for k, v in words.items():
            text = text.replace(k, v)
        return text

    def resolve(self, cmd):
        """The path the command runs from, once (no PATH search per run)."""
        if "/" in cmd:
            path = os.path.join(self.dir, cmd)  # as is when absolute
            return path if os.path.isfile(path) and os.access(path, os.X_OK) else None
        import shutil
        return shutil.which(cmd, path=self.env.get("PATH", os.defpath))

    def build(self, line, deadline):
        """Runs the build; None when it succeeded, else the reply."""
        try:
            res = run_program("/bin/sh", ["/bin/sh", "-c", line], self.env, b"", deadline,
                              BUILD_LOG_MAX, 0, merge_err=True)
        except (OSError, ValueError) as e:
            return failure(HarnessError("cannot start the build: %s" % message_of(e)),
                           harness=True)
        if res.timed_out:
            return self.timeout_failure(None)
        if res.status == 0:
            return None
        log = bytes(res.out).decode("utf-8", "backslashreplace").replace(self.dir + "/", "")
        lines = [x.strip() for x in log.splitlines() if x.strip()]
        head = " | ".join(lines[:BUILD_REASON_LINES])
        message = "build %s%s" % (describe_status(res.status),
                                  ": " + head if head else " (no output)")
        return {"ok": False, "error_type": "BuildError", "message": clean(message, MESSAGE_MAX),
                "traceback": clean(log, TRACEBACK_MAX)}

    def spawn(self, test, deadline, out_cap, stop_at_cap):
        return run_program(self.path, self.argv + test.args, self.env, test.stdin, deadline,
                           out_cap, PROGRAM_ERR_MAX, stop_at_cap=stop_at_cap)

    def same(self, test, out):
        if self.comparator == "exact":
            return bytes(out) == test.expected
        return stdout_lines(out) == test.expected_lines

    def views(self, test, out):
        """(expected, got) reprs; around the first differing line when the
        whole outputs would be cut short."""
        exp, got = show_bytes(test.expected), show_bytes(out)
        if len(exp) < REPR_MAX - 3 and len(got) < REPR_MAX - 3:
            return exp, got
        if self.comparator == "exact":
            e_lines, g_lines = test.expected.splitlines(True), bytes(out).splitlines(True)
        else:
            e_lines, g_lines = test.expected_lines, stdout_lines(out)
        i = 0
        while i < len(e_lines) and i < len(g_lines) and e_lines[i] == g_lines[i]:
            i += 1
        if i == 0:
            return exp, got

        def line(lines):
            return "line %d: %s" % (i + 1, show_bytes(lines[i]) if i < len(lines) else "(none)")
        return line(e_lines), line(g_lines)

    def judge(self, test, res):
        r = {"test_id": test.test_id, "passed": False,
             "expected": show_bytes(test.expected) if test.has_expected else None,
             "got": show_bytes(res.out), "error_type": None, "error_message": None,
             "checker_error": False}
        code = exit_code_of(res.status)
        if res.flood:
            r["error_type"] = "OutputLimit"
            r["error_message"] = "output flood: more than %d MiB on stdout" \
                % (PROGRAM_OUT_MAX >> 20)
        elif code != test.exit_code:
            r["error_type"] = "ExitStatus" if code is not None else "Signal"
            text = describe_status(res.status)
            if code is not None or test.exit_code:
                text += ", expected exit status %d" % test.exit_code
            err = tail_lines(res.err, 1)  # a Python traceback's exception, ...
            r["error_message"] = clean(text + ("; stderr: " + err if err else ""), MESSAGE_MAX)
        elif test.has_expected and not self.same(test, res.out):
            r["expected"], r["got"] = self.views(test, res.out)
        else:
            r["passed"] = True
        return r

    def validate(self, msg):
        deadline = self.deadline()
        start = time.perf_counter_ns()
        results = []
        for test in self.tests:
            try:
                res = self.spawn(test, deadline, PROGRAM_OUT_MAX, True)
            except (OSError, ValueError) as e:
                results.append({"test_id": test.test_id, "passed": False,
                                "expected": show_bytes(test.expected)
                                if test.has_expected else None, "got": None,
                                "error_type": type(e).__name__,
                                "error_message": "cannot start the command: " + message_of(e),
                                "checker_error": False})
                continue
            if res.timed_out:
                return self.timeout_failure(test)
            results.append(self.judge(test, res))
        return {"ok": True, "elapsed_ns": time.perf_counter_ns() - start, "results": results}

    def run(self, msg):
        n = int(msg["iterations"])
        deadline = self.deadline()
        tests, floor = self.tests, self.floor
        start_cpu = cpu_ns() + children_cpu_ns()
        start = time.perf_counter_ns()
        for _ in range(n):
            for test in tests:
                try:
                    res = self.spawn(test, deadline, 0, False)
                except (OSError, ValueError) as e:
                    return failure(e, message=clean("test %r: cannot start the command: %s"
                                                    % (test.test_id, message_of(e)),
                                                    MESSAGE_MAX))
                if res.timed_out:
                    return self.timeout_failure(test)
                if not floor and exit_code_of(res.status) != test.exit_code:
                    return {"ok": False, "error_type": "ExitStatus",
                            "message": clean("test %r: %s, expected exit status %d"
                                             % (test.test_id, describe_status(res.status),
                                                test.exit_code), MESSAGE_MAX)}
        elapsed = time.perf_counter_ns() - start
        cpu = cpu_ns() + children_cpu_ns() - start_cpu
        return {"ok": True, "iterations": n, "elapsed_ns": elapsed, "cpu_ns": cpu}

    def outputs(self, msg):
        deadline = self.deadline()
        texts, total = [], 0
        for test in self.tests:
            error = None
            try:
                res = self.spawn(test, deadline, OUTPUT_MAX, True)
            except (OSError, ValueError) as e:
                error = "cannot start the command: %s: %s" % (type(e).__name__, message_of(e))
            else:
                if res.timed_out:
                    return self.timeout_failure(test)
                if res.flood:
                    error = "output exceeds %d MiB" % (OUTPUT_MAX >> 20)
                elif exit_code_of(res.status) != test.exit_code:
                    error = "%s, expected exit status %d" % (describe_status(res.status),
                                                             test.exit_code)
            if error is None:
                try:
                    text = encode_output(bytes(res.out).decode("utf-8"))
                except UnicodeDecodeError:
                    error = "stdout is not valid UTF-8"
            if error is not None:
                text = json.dumps({"__error__": clean(error, MESSAGE_MAX)}, ensure_ascii=True)
            if total + len(text) > OUTPUTS_TOTAL_MAX:
                text = json.dumps({"__error__": "outputs exceed %d MiB in total"
                                   % (OUTPUTS_TOTAL_MAX >> 20)})
            total += len(text)
            texts.append(text)
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
    while True:
        line = commands.readline()
        if not line:
            return 0
        try:
            msg = json.loads(line)
            if msg.get("cmd") == "setup" and not runner.ready and msg.get("mode") == "command":
                runner = CommandRunner()
            handler = {"setup": runner.setup, "validate": runner.validate, "run": runner.run,
                       "outputs": runner.outputs}.get(msg.get("cmd"))
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
