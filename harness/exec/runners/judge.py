# judge.py: mode "judge" (docs/design.md "Judging"): the trusted side of
# verdicts. A judge runs in a sandboxed process of its own in which no
# candidate code ever runs; it holds the test set as the suite wrote it
# (inputs, expected outputs, exit statuses, the comparator and the checker's
# code) and judges what a candidate's runner sent back for each test: the
# text of a strictly encoded output (call, method) or of a program's outcome
# (command), or why there was none. The candidate's process never sees any
# of this.
#
#   {"cmd": "setup", "mode": "judge", "judged_mode": "call"|"method"|"command",
#    "test_cases", "comparator", "float_tolerance", "atol", "rtol",
#    "checker_code"?, "prelude"}                      -> {"ok": true}
#   {"cmd": "judge", "results": [{"test_id", "text"} | {"test_id", "error_type",
#    "error_message"}, ...]}
#       -> {"ok": true, "results": [{"test_id", "passed", "expected", "got",
#           "error_type", "error_message", "checker_error"}]}
import base64
import json

from .assert_kinds import judge_for
from .codec import decode
from .compare import COMPARATORS, STDOUT_COMPARATORS
from .replies import (MESSAGE_MAX, REPR_MAX, CheckerFailed, HarnessError, clean, failure,
                      lookup, message_of, show)
from .supervise import describe_status


class JudgedTest:
    """A call/method test as the judge holds it (compare.py's judge(test, got))."""
    __slots__ = ("test_id", "inputs", "has_expected", "expected", "kind_judge")

    def __init__(self, t):
        self.test_id = str(t.get("test_id"))
        inputs = decode(t.get("inputs", []))
        if not isinstance(inputs, list):
            raise HarnessError("test %r: inputs must be a list" % self.test_id)
        self.inputs = tuple(inputs)
        self.has_expected = "expected_output" in t
        self.expected = decode(t["expected_output"]) if self.has_expected else None
        self.kind_judge = judge_for(t)  # the test's own `assert` kind, or None


class CommandJudgedTest:
    __slots__ = ("test_id", "has_expected", "expected", "exit_code")

    def __init__(self, t):
        self.test_id = str(t.get("test_id"))
        self.has_expected = "expected_stdout" in t
        expected = t.get("expected_stdout")
        if self.has_expected and not isinstance(expected, str):
            raise HarnessError("test %r: expected_stdout must be a string" % self.test_id)
        self.expected = expected.encode("utf-8") if self.has_expected else b""
        code = t.get("expected_exit_code", 0)
        if not isinstance(code, int) or isinstance(code, bool) or not 0 <= code <= 255:
            raise HarnessError("test %r: expected_exit_code must be 0..255" % self.test_id)
        self.exit_code = code


def blank(test_id, expected):
    return {"test_id": test_id, "passed": False, "expected": expected, "got": None,
            "error_type": None, "error_message": None, "checker_error": False}


def show_bytes(data):
    return show(bytes(data).decode("utf-8", "backslashreplace"))


class JudgeRunner:
    def __init__(self):
        self.ready = False

    def setup(self, msg):
        try:
            self.command = msg.get("judged_mode") == "command"
            if self.command:
                self.same, self.lines = lookup(STDOUT_COMPARATORS,
                                               msg.get("comparator") or "stdout",
                                               "mode command comparator")
                self.tests = [CommandJudgedTest(t) for t in msg["test_cases"]]
            else:
                factory = lookup(COMPARATORS, msg.get("comparator") or "exact", "comparator")
                self.tests = [JudgedTest(t) for t in msg["test_cases"]]
                self.judge_one = factory(msg)
        except HarnessError as e:
            return failure(e, harness=True)
        except Exception as e:
            return failure(HarnessError("cannot decode the test cases: %s: %s"
                                        % (type(e).__name__, message_of(e))), harness=True)
        self.ready = True
        return {"ok": True}

    def judge(self, msg):
        results = msg.get("results")
        if not isinstance(results, list) or len(results) != len(self.tests):
            raise HarnessError("judge: %d results for %d tests"
                               % (len(results) if isinstance(results, list) else -1,
                                  len(self.tests)))
        one = self.judge_command if self.command else self.judge_call
        return {"ok": True, "results": [one(t, r) for t, r in zip(self.tests, results)]}

    def judge_call(self, test, res):
        r = blank(test.test_id, show(test.expected) if test.has_expected else None)
        if "text" not in res:
            r["error_type"] = clean(str(res.get("error_type") or "Error"), 100)
            r["error_message"] = clean(str(res.get("error_message") or ""), MESSAGE_MAX)
            return r
        try:
            got = decode(json.loads(res["text"]))
        except Exception as e:  # the candidate's side sent what no encoder writes
            r["error_type"] = "MalformedOutput"
            r["error_message"] = clean("the output's text does not decode: %s"
                                       % message_of(e), MESSAGE_MAX)
            return r
        r["got"] = show(got)
        try:
            if test.kind_judge is not None:  # assert_kinds.py, on the decoded data
                r["passed"] = bool(test.kind_judge(test.expected, got))
            else:
                r["passed"] = bool(self.judge_one(test, got))
        except CheckerFailed as cf:
            r["error_type"], r["error_message"] = type(cf.error).__name__, message_of(cf.error)
            r["checker_error"] = True
        return r

    def judge_command(self, test, res):
        r = blank(test.test_id, show_bytes(test.expected) if test.has_expected else None)
        if "text" not in res:
            r["error_type"] = clean(str(res.get("error_type") or "Error"), 100)
            r["error_message"] = clean(str(res.get("error_message") or ""), MESSAGE_MAX)
            return r
        try:
            o = json.loads(res["text"])
            out = o["stdout"].encode("utf-8") if "stdout" in o else \
                base64.b64decode(o["stdout_b64"], validate=True)
            code, sig, flood = o["exit"], o["signal"], bool(o["flood"])
        except Exception as e:
            r["error_type"] = "MalformedOutput"
            r["error_message"] = clean("the outcome's text does not decode: %s"
                                       % message_of(e), MESSAGE_MAX)
            return r
        r["got"] = show_bytes(out)
        if flood:
            r["error_type"] = "OutputLimit"
            r["error_message"] = "output flood: more than 16 MiB on stdout"
        elif code != test.exit_code:
            r["error_type"] = "ExitStatus" if code is not None else "Signal"
            status = (code << 8) if code is not None else (sig or 0)
            text = describe_status(status)
            if code is not None or test.exit_code:
                text += ", expected exit status %d" % test.exit_code
            err = res.get("stderr_tail")
            if isinstance(err, str) and err:
                text += "; stderr: " + err
            r["error_message"] = clean(text, MESSAGE_MAX)
        elif test.has_expected and not self.same(test.expected, out):
            r["expected"], r["got"] = self.views(test, out)
        else:
            r["passed"] = True
        return r

    def views(self, test, out):
        """(expected, got) reprs; around the first differing line when the
        whole outputs would be cut short."""
        exp, got = show_bytes(test.expected), show_bytes(out)
        if len(exp) < REPR_MAX - 3 and len(got) < REPR_MAX - 3:
            return exp, got
        e_lines, g_lines = self.lines(test.expected), self.lines(out)
        i = 0
        while i < len(e_lines) and i < len(g_lines) and e_lines[i] == g_lines[i]:
            i += 1
        if i == 0:
            return exp, got

        def line(lines):
            return "line %d: %s" % (i + 1, show_bytes(lines[i]) if i < len(lines) else "(none)")
        return line(e_lines), line(g_lines)
