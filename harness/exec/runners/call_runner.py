# call_runner.py: modes call and method
# (docs/design.md "Modes and comparators", "Judging"): the candidate is loaded
# into a fresh module, then (a separate command, so its top level never sees
# them) the tests' inputs arrive; its entry point is called on each test's
# inputs and what it returns is strictly encoded (codec.encode_text) and sent
# back: eval sends the texts, run proves them (proof.py). Nothing here judges:
# expected outputs and comparators never enter this process (judge.py runs in
# a process of its own). ScriptRunner (script_runner.py) builds on this class.
#
# Loading (at setup, and before every iteration with reload_per_iteration):
# a fresh module "__candidate__"; the prelude (if asked), the candidate's
# code, then setup_code, all exec'd in its namespace; then the entry point is
# looked up. With "floor" the entry point is replaced by a null function right
# after the code ran (method mode: a Solution class whose method is null; the
# code may be empty or define helpers the tests use, such as a HumanEval
# prompt) that returns the test's `floor_output` (the expected output, which
# the floor's process may hold: it runs no candidate code), so the harness
# floor measures the same loop, encoding and proof the candidates get
# (docs/design.md "Floor").
from builtins import (bool, bytes, dict, float, frozenset, int, isinstance, len, list,  # noqa: A004
                      set, str, tuple, type, zip)  # bound before any candidate code runs
import builtins
import copy
import sys
import time
import types

from .codec import Unencodable, decode, encode_text, immutable
from .floor import null_returning, null_solution
from .prelude import PRELUDE, PRELUDE_FILENAME
from .proof import Proof
from .replies import (MESSAGE_MAX, OUTPUTS_TOTAL_MAX, HarnessError, LoadFailed, clean, cpu_ns,
                      failure, flush_candidate_output, load_failure, message_of, remember_source)

SETUP_FILENAME = "<setup_code>"
CONVERT_FILENAME = "<convert>"


class CallTest:
    """One test case of modes call and method: its inputs only."""
    __slots__ = ("test_id", "inputs", "flags", "floor_output")

    def __init__(self, test_id, inputs, flags, floor_output):
        self.test_id = test_id
        self.inputs = inputs              # a tuple, converted once at setup
        self.flags = flags                # per input: may a call mutate it? None: none can
        self.floor_output = floor_output  # the floor's null function returns this


def output_error(e):
    """An eval result for a call that raised or returned what has no encoding."""
    if isinstance(e, Unencodable):
        return type(e).__name__ if type(e).__name__ == "NotPlainData" else "Unencodable", \
            clean(str(e), MESSAGE_MAX)
    return type(e).__name__, message_of(e)


class CallRunner:
    """Mode "call": the entry point is a function of the module."""
    has_outputs = True  # its tests return outputs (mode script's do not)

    def __init__(self):
        self.ready = False
        self.call = None        # the entry point as tests call it
        self.namespace = None   # the candidate's module globals
        self.tests = []
        self.floor_calls = None  # floor: per test, a null function returning its floor_output
        self.conv_in = self.conv_out = None

    def setup(self, msg):
        """Compiles and loads the candidate; its tests come later (tests())."""
        self.floor = bool(msg.get("floor"))
        self.reload = bool(msg.get("reload_per_iteration"))
        self.baseline = None  # the texts of the first eval pass
        self.convert_code = msg.get("convert_code")
        self.prelude_wanted = bool(msg.get("prelude"))
        self.name = msg["function_name"]
        self.filename = msg.get("filename") or "candidate.py"
        code = msg.get("code") or ""
        remember_source(self.filename, code)
        self.prelude = None
        if self.prelude_wanted:
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

    def tests_command(self, msg):
        """The tests' inputs, after the candidate's top level has run."""
        if self.tests:
            raise HarnessError("the tests were sent twice")
        try:
            self.setup_tests(msg)
        except HarnessError as e:
            return failure(e, harness=True)
        except Exception as e:
            return failure(HarnessError("cannot decode the test cases: %s: %s"
                                        % (type(e).__name__, message_of(e))), harness=True)
        if self.floor and self.has_outputs:
            self.floor_calls = [null_returning(t.floor_output) for t in self.tests]
        return {"ok": True}

    def setup_tests(self, msg):
        self.conv_in = self.conv_out = None
        if self.convert_code:
            self.conv_in, self.conv_out = self.compile_convert(self.convert_code,
                                                               self.prelude_wanted)
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
            floor_output = decode(t["floor_output"]) if "floor_output" in t else None
            self.tests.append(CallTest(str(t.get("test_id")), tuple(inputs),
                                       flags if any(flags) else None, floor_output))

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
        ns[self.name] = null_returning(None)

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

    def reload_if_asked(self):
        """None, or the failure reply of a reload (reload_per_iteration)."""
        if self.reload:
            try:
                self.load()
            except BaseException as e:
                return self.reload_failure(e)
        return None

    def calls(self):
        """Per test, what a test calls: the entry point, or the floor's null."""
        if self.floor_calls is not None:
            return self.floor_calls
        return [self.call] * len(self.tests)

    def output_of(self, call, test):
        got = call(*copy.deepcopy(test.inputs)) if test.flags else call(*test.inputs)
        if self.conv_out is not None:
            got = self.conv_out(got)
        return got

    def eval(self, msg):
        """Every test once: per test its output's text, or why there is none."""
        refused = self.reload_if_asked()
        if refused is not None:
            return refused
        results, texts, total = [], [], 0
        for test, call in zip(self.tests, self.calls()):
            r = {"test_id": test.test_id}
            try:
                text = encode_text(self.output_of(call, test))
                if total + len(text) > OUTPUTS_TOTAL_MAX:
                    raise Unencodable("outputs exceed %d MiB in total" % (OUTPUTS_TOTAL_MAX >> 20))
                total += len(text)
                r["text"] = text
            except BaseException as e:  # a candidate's failure is a result, not our end
                text = None
                r["error_type"], r["error_message"] = output_error(e)
            texts.append(text)
            results.append(r)
        if self.baseline is None:
            self.baseline = texts
        flush_candidate_output()
        return {"ok": True, "results": results}

    def warmup(self, msg):
        """The eval and run paths once with a null function in place of the
        candidate, so that the first eval pass holds the candidate's own
        cold cost and not the runner's (docs/design.md "Caches")."""
        null = null_returning(None)
        proof = Proof("00" * 16, ["null"] * len(self.tests))
        results = []
        for i, test in enumerate(self.tests):
            text = encode_text(null(*copy.deepcopy(test.inputs)) if test.flags else None)
            proof.add(0, i, text)
            results.append({"test_id": test.test_id, "text": text})
        return proof.reply({"ok": True, "results": results}, [t.test_id for t in self.tests])

    def run(self, msg):
        n = int(msg["iterations"])
        if self.baseline is None:
            raise HarnessError("run before eval")
        proof = Proof(msg["nonce"], self.baseline)
        add, reload, deepcopy = proof.add, self.reload, copy.deepcopy
        conv_out = self.conv_out
        work = list(enumerate(zip(self.tests, self.calls())))
        # Fresh inputs where a call could mutate them; every output is encoded
        # and proven, in the timed region (the floor does the same). With
        # reload_per_iteration the candidate is loaded afresh first.
        start_cpu = cpu_ns()
        start = time.perf_counter_ns()
        k, test = 0, None
        try:
            for k in range(n):
                if reload:
                    entry = self.load()
                    if self.floor_calls is None:
                        work = [(i, (t, entry)) for i, (t, _) in work]
                for i, (test, call) in work:
                    inputs, flags = test.inputs, test.flags
                    if flags:
                        got = call(*[deepcopy(v) if f else v for v, f in zip(inputs, flags)])
                    else:
                        got = call(*inputs)
                    if conv_out is not None:
                        got = conv_out(got)
                    add(k, i, encode_text(got))
            got = None
        except LoadFailed as lf:
            flush_candidate_output()
            return load_failure(lf)
        except BaseException as e:
            flush_candidate_output()
            where = " (iteration %d, test %r)" % (k + 1, test.test_id) if test else ""
            error_type, message = output_error(e)
            return {"ok": False, "error_type": error_type,
                    "message": clean(message, MESSAGE_MAX - len(where)) + where}
        elapsed = time.perf_counter_ns() - start
        cpu = cpu_ns() - start_cpu
        flush_candidate_output()
        return proof.reply({"ok": True, "iterations": n, "elapsed_ns": elapsed, "cpu_ns": cpu},
                           [t.test_id for t in self.tests])


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
