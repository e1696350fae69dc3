# command_runner.py: mode "command" (pyrun.h, "Mode command";
# docs/design.md "Modes and comparators"): any program, fed a test's stdin and args, judged
# on its stdout and exit status. The runner is only the driver here: it
# writes the source into the workdir, runs the build once (at setup), then
# starts the command afresh for every test case (validate, outputs) and every
# iteration of a run, each under supervise.run_program(). Every wait is
# bounded by the phase's deadline: the runner's share of timeout_seconds, a
# little less than the harness's, so that the runner kills a stuck program
# itself and answers "timeout".
import io
import json
import os
import time

from .codec import encode_output
from .compare import STDOUT_COMPARATORS
from .replies import (MESSAGE_MAX, OUTPUT_MAX, OUTPUTS_TOTAL_MAX, REPR_MAX, TRACEBACK_MAX,
                      HarnessError, clean, cpu_ns, failure, lookup, message_of, show)
from .supervise import children_cpu_ns, describe_status, exit_code_of, run_program

PROGRAM_OUT_MAX = 16 << 20   # stdout kept per test; more is an output flood
PROGRAM_ERR_MAX = 4096       # stderr kept per test, for failure messages
BUILD_LOG_MAX = 64 << 10     # build output kept
BUILD_REASON_LINES = 3
INLINE_BIN = "candidate.bin"


def show_bytes(data):
    return show(bytes(data).decode("utf-8", "backslashreplace"))


def tail_lines(data, n):
    text = bytes(data).decode("utf-8", "backslashreplace")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(lines[-n:])


class CommandTest:
    __slots__ = ("test_id", "stdin", "args", "has_expected", "expected", "exit_code")

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
            self.same, self.lines = lookup(STDOUT_COMPARATORS, msg.get("comparator") or "stdout",
                                           "mode command comparator")
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
        elif test.has_expected and not self.same(test.expected, res.out):
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

