# JouleTrace's Python runner: serves one candidate inside the sandboxed child.
#
# Embedded into the jouletrace binary (runner_blob.S) and started as
# `python -s -B -c <this file>`; stdlib only, Python 3.9+. The harness speaks
# JSON lines: commands arrive on fd $JOULETRACE_CMD_FD, one reply per command
# goes to fd $JOULETRACE_REPLY_FD (both moved to high fds at once, so the
# candidate's own files and fd juggling do not collide with them). The
# candidate's prints go to the real fds 1 and 2, which the harness captures.
#
#   {"cmd": "setup", "code", "filename", "function_name", "mode",
#    "test_cases": [{"test_id", "inputs": [...], "expected_output"?}],
#    "float_tolerance"}
#       -> {"ok": true} | {"ok": false, "error_type", "message", "traceback",
#                          "harness"?: true}
#   {"cmd": "validate"}
#       -> {"ok": true, "elapsed_ns", "results": [{"test_id", "passed",
#           "expected", "got", "error_type", "error_message"}]}
#   {"cmd": "run", "iterations": N}
#       -> {"ok": true, "iterations", "elapsed_ns", "cpu_ns"}
#        | {"ok": false, "error_type", "message"}
# "harness": true marks failures that are not the candidate's fault (a value
# the runner cannot decode, an unknown command). EOF on the command fd: exit 0.
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
import sys
import time
import traceback
import types

REPR_MAX = 200
MESSAGE_MAX = 500
TRACEBACK_MAX = 2000

_repr = reprlib.Repr()
_repr.maxstring = _repr.maxother = _repr.maxlong = REPR_MAX
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 40
_repr.maxfrozenset = _repr.maxdeque = _repr.maxarray = 40
_repr.maxlevel = 6

if hasattr(sys, "set_int_max_str_digits"):
    sys.set_int_max_str_digits(0)  # 3.11+ refuses to parse or print huge ints


class HarnessError(Exception):
    """Not the candidate's fault: the suite or the protocol is wrong."""


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


def immutable(v):
    """True when no call can change v, so it need not be copied per call."""
    if v is None or isinstance(v, (bool, int, float, complex, str, bytes)):
        return True
    if isinstance(v, (tuple, frozenset)):
        return all(immutable(x) for x in v)
    return False


def close_floats(a, b, tol):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=tol, abs_tol=0.0)


def is_number(v):
    return isinstance(v, numbers.Number) and not isinstance(v, bool)


def equal(exp, got, tol):
    """The suite's comparison (DESIGN §4): ints exactly, floats within a
    relative tolerance, bool/None only equal themselves, list == tuple."""
    if isinstance(exp, bool) or isinstance(got, bool):
        return isinstance(exp, bool) and isinstance(got, bool) and exp == got
    if exp is None or got is None:
        return exp is None and got is None
    if is_number(exp) and is_number(got):
        if isinstance(exp, complex) or isinstance(got, complex):
            e, g = complex(exp), complex(got)
            return close_floats(e.real, g.real, tol) and close_floats(e.imag, g.imag, tol)
        if isinstance(exp, numbers.Integral) and isinstance(got, numbers.Integral):
            return int(exp) == int(got)
        try:
            return close_floats(float(exp), float(got), tol)
        except OverflowError:  # an int beyond any float: only exact equality is left
            return exp == got
    if isinstance(exp, str) or isinstance(got, str):
        return type(exp) is type(got) and exp == got
    if isinstance(exp, (list, tuple)) and isinstance(got, (list, tuple)):
        return len(exp) == len(got) and all(equal(e, g, tol) for e, g in zip(exp, got))
    if isinstance(exp, dict) and isinstance(got, dict):
        return exp.keys() == got.keys() and all(equal(exp[k], got[k], tol) for k in exp)
    if isinstance(exp, (set, frozenset)) and isinstance(got, (set, frozenset)):
        return set(exp) == set(got)
    return bool(exp == got)


def traceback_tail(e, filename):
    """The candidate's frames only (the runner's own are noise)."""
    tb = e.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != filename:
        tb = tb.tb_next
    text = "".join(traceback.format_exception(type(e), e, tb))
    return clean(text[-TRACEBACK_MAX:], TRACEBACK_MAX)


def failure(e, filename=None, harness=False):
    reply = {"ok": False, "error_type": type(e).__name__, "message": message_of(e)}
    if filename is not None:
        reply["traceback"] = traceback_tail(e, filename)
    if harness:
        reply["harness"] = True
    return reply


def flush_candidate_output():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass


class Runner:
    def __init__(self):
        self.call = None
        self.tests = []  # (test_id, inputs, mutable flags or None, has_expected, expected)
        self.tolerance = 0.0

    def setup(self, msg):
        try:
            self.tolerance = float(msg.get("float_tolerance") or 0.0)
            for t in msg["test_cases"]:
                inputs = decode(t.get("inputs", []))
                if not isinstance(inputs, list):
                    raise HarnessError("test %r: inputs must be a list" % t.get("test_id"))
                flags = [not immutable(v) for v in inputs]
                has_expected = "expected_output" in t
                expected = decode(t["expected_output"]) if has_expected else None
                self.tests.append((str(t.get("test_id")), tuple(inputs),
                                   flags if any(flags) else None, has_expected, expected))
        except Exception as e:
            return failure(HarnessError("cannot decode the test cases: %s: %s"
                                        % (type(e).__name__, message_of(e))), harness=True)
        code, filename = msg["code"], msg.get("filename") or "candidate.py"
        name, mode = msg["function_name"], msg.get("mode") or "call"
        if mode not in ("call", "method"):
            return failure(HarnessError("mode %r is not supported by the Python runner" % mode),
                           harness=True)
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        module = types.ModuleType("__candidate__")  # `if __name__ == "__main__"` stays off
        module.__file__ = filename
        module.__builtins__ = builtins
        sys.modules["__candidate__"] = module
        try:
            exec(compile(code, filename, "exec", dont_inherit=True), module.__dict__)
            if mode == "call":
                fn = module.__dict__.get(name)
                if fn is None:
                    raise NameError("function %r is not defined" % name)
                if not callable(fn):
                    raise TypeError("%r is not callable (it is a %s)" % (name, type(fn).__name__))
                self.call = fn
            else:  # LeetCode style: a fresh Solution() per call
                cls = module.__dict__.get("Solution")
                if cls is None or not callable(getattr(cls, name, None)):
                    raise NameError("class Solution with a method %r is not defined" % name)
                self.call = lambda *args: getattr(cls(), name)(*args)
        except BaseException as e:  # SystemExit and KeyboardInterrupt included
            flush_candidate_output()
            return failure(e, filename)
        flush_candidate_output()
        return {"ok": True}

    def validate(self, msg):
        results = []
        call, tol = self.call, self.tolerance
        start = time.perf_counter_ns()
        for test_id, inputs, flags, has_expected, expected in self.tests:
            r = {"test_id": test_id, "passed": False,
                 "expected": show(expected) if has_expected else None,
                 "got": None, "error_type": None, "error_message": None}
            try:
                got = call(*copy.deepcopy(inputs)) if flags else call(*inputs)
                r["got"] = show(got)
                r["passed"] = equal(expected, got, tol) if has_expected else True
            except BaseException as e:  # a candidate's failure is a result, not our end
                r["error_type"], r["error_message"] = type(e).__name__, message_of(e)
            results.append(r)
        elapsed = time.perf_counter_ns() - start
        flush_candidate_output()
        return {"ok": True, "elapsed_ns": elapsed, "results": results}

    def run(self, msg):
        n = int(msg["iterations"])
        call, deepcopy = self.call, copy.deepcopy
        plain = [inputs for _, inputs, flags, _, _ in self.tests if flags is None]
        copied = [(inputs, flags) for _, inputs, flags, _, _ in self.tests if flags]
        # Fresh inputs where a call could mutate them; results are assigned to
        # a local so nothing is optimised away, and never compared here.
        # Test order within an iteration does not matter to the measurement.
        start_cpu = time.process_time_ns()
        start = time.perf_counter_ns()
        try:
            for _ in range(n):
                for inputs in plain:
                    result = call(*inputs)
                for inputs, flags in copied:
                    result = call(*[deepcopy(v) if f else v for v, f in zip(inputs, flags)])
            result = None
        except BaseException as e:
            flush_candidate_output()
            return failure(e)
        elapsed = time.perf_counter_ns() - start
        cpu = time.process_time_ns() - start_cpu
        flush_candidate_output()
        return {"ok": True, "iterations": n, "elapsed_ns": elapsed, "cpu_ns": cpu}


def protocol_fd(env_name, default):
    """Moves a protocol fd high (CLOEXEC), below the fd limit the sandbox sets."""
    import fcntl
    import resource
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
    handlers = {"setup": runner.setup, "validate": runner.validate, "run": runner.run}
    while True:
        line = commands.readline()
        if not line:
            return 0
        try:
            msg = json.loads(line)
            handler = handlers.get(msg.get("cmd"))
            if handler is None or (msg["cmd"] != "setup" and runner.call is None):
                raise HarnessError("unexpected command %r" % msg.get("cmd"))
            reply = handler(msg)
        except MemoryError as e:  # outside a candidate call, still the candidate's doing
            reply = failure(e)
        except Exception as e:
            reply = failure(HarnessError("%s: %s" % (type(e).__name__, message_of(e))),
                            harness=True)
        data = (json.dumps(reply, ensure_ascii=True, allow_nan=False) + "\n").encode("ascii")
        while data:
            data = data[os.write(reply_fd, data):]


if __name__ == "__main__":
    sys.exit(main())
