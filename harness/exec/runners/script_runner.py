# script_runner.py: mode script (pyrun.h, "Mode script";
# docs/design.md "Modes and comparators"): each test is a script (HumanEval's check(), an
# MBPP assert) exec'd in a fresh shallow copy of the candidate's module
# globals; it passes when it raises nothing. Loading is CallRunner's; with
# "floor" each script runs in its tolerant form (floor.py). These tests are
# judged in the candidate's own process, so a hostile candidate can defeat
# them: records of this mode say `judged_in_process` (docs/design.md
# "Judging"), and no output proof exists for them.
import time

from .call_runner import CallRunner
from .floor import tolerant
from .replies import (HarnessError, LoadFailed, cpu_ns, failure, flush_candidate_output,
                      load_failure, remember_source, script_message)


class ScriptTest:
    __slots__ = ("test_id", "code", "filename", "lines")

    def __init__(self, test_id, code, filename, lines):
        self.test_id, self.code, self.filename, self.lines = test_id, code, filename, lines


class ScriptRunner(CallRunner):
    has_outputs = False  # a script passes or raises: no floor outputs, no proof

    def setup_tests(self, msg):
        for t in msg["test_cases"]:  # no convert code in this mode
            self.tests.append(self.script_test(t))

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
        return ScriptTest(test_id, code, filename, source.splitlines())

    def warmup(self, msg):
        return {"ok": True}

    def eval(self, msg):
        """Every script once, judged here: passed when it raised nothing."""
        refused = self.reload_if_asked()
        if refused is not None:
            return refused
        results = self.validate_tests()
        flush_candidate_output()
        return {"ok": True, "results": results, "judged_in_process": True}

    def validate_tests(self):
        results = []
        ns = self.namespace
        for test in self.tests:
            r = {"test_id": test.test_id, "passed": False, "expected": None, "got": None,
                 "error_type": None, "error_message": None, "checker_error": False}
            try:
                exec(test.code, dict(ns))
                r["passed"] = True
            except BaseException as e:
                r["error_type"] = type(e).__name__
                r["error_message"] = script_message(e, test.filename, test.lines)
            results.append(r)
        return results

    def run(self, msg):
        n = int(msg["iterations"])
        ns, reload = self.namespace, self.reload
        scripts = [(t.code, t.filename, t.lines) for t in self.tests]
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

