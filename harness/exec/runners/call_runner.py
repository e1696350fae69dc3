# call_runner.py: modes call and method
# (docs/design.md "Modes and comparators"): the candidate is loaded into a fresh module, its entry point
# is called on each test's inputs, and what it returns is judged by the
# suite's comparator (compare.py). ScriptRunner (script_runner.py) builds on
# this class.
#
# Loading (at setup, and before every iteration with reload_per_iteration):
# a fresh module "__candidate__"; the prelude (if asked), the candidate's
# code, then setup_code, all exec'd in its namespace; then the entry point is
# looked up. With "floor" the entry point is replaced by a null function right
# after the code ran (method mode: a Solution class whose method is null; the
# code may be empty or define helpers the tests use, such as a HumanEval
# prompt), so the harness floor measures the same loop the candidates get
# (docs/design.md "Floor").
import builtins
import copy
import json
import sys
import time
import types

from .assert_kinds import in_process, judge_for
from .codec import decode, encode_output, immutable
from .compare import COMPARATORS
from .floor import null, null_solution
from .prelude import PRELUDE, PRELUDE_FILENAME
from .replies import (MESSAGE_MAX, OUTPUTS_TOTAL_MAX, CheckerFailed, HarnessError, LoadFailed,
                      clean, cpu_ns, failure, flush_candidate_output, load_failure, lookup,
                      message_of, remember_source, show)

SETUP_FILENAME = "<setup_code>"
CONVERT_FILENAME = "<convert>"


class CallTest:
    """One test case of modes call and method."""
    __slots__ = ("test_id", "inputs", "flags", "has_expected", "expected", "kind_judge")

    def __init__(self, test_id, inputs, flags, has_expected, expected, kind_judge=None):
        self.test_id = test_id
        self.inputs = inputs              # a tuple, converted once at setup
        self.flags = flags                # per input: may a call mutate it? None: none can
        self.has_expected = has_expected
        self.expected = expected
        self.kind_judge = kind_judge      # assert_kinds.py: the test's own `assert`, or None


class CallRunner:
    """Mode "call": the entry point is a function of the module."""

    def __init__(self):
        self.ready = False
        self.call = None        # the entry point as tests call it
        self.namespace = None   # the candidate's module globals
        self.tests = []
        self.judge = None       # compare.py: judge(test, got)
        self.conv_in = self.conv_out = None

    def setup(self, msg):
        self.floor = bool(msg.get("floor"))
        self.reload = bool(msg.get("reload_per_iteration"))
        try:
            comparator = lookup(COMPARATORS, msg.get("comparator") or "exact", "comparator")
            self.setup_tests(msg)
            self.judge = in_process(comparator(msg))  # tests with `assert` judge themselves
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

    def setup_tests(self, msg):
        self.conv_in = self.conv_out = None
        if msg.get("convert_code"):
            self.conv_in, self.conv_out = self.compile_convert(msg["convert_code"],
                                                               bool(msg.get("prelude")))
        for t in msg["test_cases"]:
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
            self.tests.append(CallTest(str(t.get("test_id")), tuple(inputs),
                                       flags if any(flags) else None, has_expected, expected,
                                       judge_for(t)))

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

    # The entry point: how the floor replaces it, and how tests call it.
    def null_entry(self, ns):
        ns[self.name] = null

    def bind_entry(self, ns):
        name = self.name
        fn = ns.get(name)
        if fn is None:
            raise NameError("function %r is not defined" % name)
        if not callable(fn):
            raise TypeError("%r is not callable (it is a %s)" % (name, type(fn).__name__))
        return fn

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
        try:
            exec(self.code, ns)
        except BaseException as e:
            raise LoadFailed(e, self.filename, None)
        if self.floor:  # the entry point becomes a null function, helpers stay
            self.null_entry(ns)
        if self.setup_code is not None:
            try:
                exec(self.setup_code, ns)
            except BaseException as e:
                raise LoadFailed(e, SETUP_FILENAME, "setup_code")
        try:
            self.call = self.bind_entry(ns)
        except Exception as e:
            raise LoadFailed(e, self.filename, None)
        self.namespace = ns
        return self.call

    def reload_failure(self, e):
        flush_candidate_output()
        if isinstance(e, LoadFailed):
            return load_failure(e)
        return failure(e)

    def validate(self, msg):
        if self.reload:
            try:
                self.load()
            except BaseException as e:
                return self.reload_failure(e)
        start = time.perf_counter_ns()
        results = self.validate_tests()
        elapsed = time.perf_counter_ns() - start
        flush_candidate_output()
        return {"ok": True, "elapsed_ns": elapsed, "results": results}

    def validate_tests(self):
        results = []
        call = self.call
        for test in self.tests:
            r = {"test_id": test.test_id, "passed": False,
                 "expected": show(test.expected) if test.has_expected else None,
                 "got": None, "error_type": None, "error_message": None,
                 "checker_error": False}
            try:
                inputs = test.inputs
                got = call(*copy.deepcopy(inputs)) if test.flags else call(*inputs)
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

    def run(self, msg):
        n = int(msg["iterations"])
        call, deepcopy, reload = self.call, copy.deepcopy, self.reload
        plain = [t.inputs for t in self.tests if t.flags is None]
        copied = [(t.inputs, t.flags) for t in self.tests if t.flags]
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

    def outputs(self, msg):
        if self.reload:
            try:
                self.load()
            except BaseException as e:
                return self.reload_failure(e)
        call, texts, total = self.call, [], 0
        for test in self.tests:
            try:
                got = call(*copy.deepcopy(test.inputs))
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


class MethodRunner(CallRunner):
    """Mode "method", LeetCode style: class Solution, a fresh Solution() per call."""

    def null_entry(self, ns):
        ns["Solution"] = null_solution(self.name)

    def bind_entry(self, ns):
        name = self.name
        cls = ns.get("Solution")
        if cls is None or not callable(getattr(cls, name, None)):
            raise NameError("class Solution with a method %r is not defined" % name)
        return lambda *args: getattr(cls(), name)(*args)
