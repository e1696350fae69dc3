# command_runner.py: mode "command" (pyrun.h, "Mode command";
# docs/design.md "Modes and comparators"): any program, fed a test's stdin and
# args. The runner is only the driver here: it writes the source into the
# workdir, runs the build once (at setup, before any test input is here),
# then starts the command afresh for every test case (eval) and every
# iteration of a run, each under supervise.run_program(). What a program did
# is one text per test (its exit, signal, flood and stdout: outcome_text),
# sent back by eval and proven by run (proof.py); the expected stdout and
# exit status never enter this process, the judge compares. Every wait is
# bounded by the phase's deadline: the runner's share of timeout_seconds, a
# little less than the harness's, so that the runner kills a stuck program
# itself and answers "timeout".
import base64
import io
import json
import os
import time

from .proof import Proof
from .replies import (MESSAGE_MAX, OUTPUTS_TOTAL_MAX, TRACEBACK_MAX, HarnessError, clean,
                      cpu_ns, failure, message_of)
from .supervise import children_cpu_ns, describe_status, make_undumpable, run_program

PROGRAM_OUT_MAX = 16 << 20   # stdout kept per test; more is an output flood
PROGRAM_ERR_MAX = 4096       # stderr kept per test, for failure messages
BUILD_LOG_MAX = 64 << 10     # build output kept
BUILD_REASON_LINES = 3
INLINE_BIN = "candidate.bin"


def tail_lines(data, n):
    text = bytes(data).decode("utf-8", "backslashreplace")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(lines[-n:])


def outcome_text(res):
    """One test's outcome as the judge and the proof see it: JSON with
    "exit" (status, or null), "signal" (number, or null), "flood" and the
    stdout, as "stdout" when it is UTF-8 without NUL, else "stdout_b64"."""
    status = res.status
    out = {"exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
           "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
           "flood": res.flood}
    data = bytes(res.out)
    try:
        text = data.decode("utf-8")
        if "\0" in text:
            raise ValueError
        out["stdout"] = text
    except ValueError:
        out["stdout_b64"] = base64.b64encode(data).decode("ascii")
    return json.dumps(out, sort_keys=True, ensure_ascii=True)


class CommandTest:
    __slots__ = ("test_id", "stdin", "args")

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


class CommandRunner:
    """Mode "command" (see the comment above run_program)."""

    def __init__(self):
        self.ready = False
        self.tests = []
        self.baseline = None

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
            make_undumpable()
        except (OSError, AttributeError, ImportError) as e:
            return failure(HarnessError("cannot keep programs out of the runner's memory: %s"
                                        % message_of(e)), harness=True)
        try:
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

    def tests_command(self, msg):
        if self.tests:
            raise HarnessError("the tests were sent twice")
        try:
            self.tests = [CommandTest(t) for t in msg["test_cases"]]
        except HarnessError as e:
            return failure(e, harness=True)
        except Exception as e:
            return failure(HarnessError("cannot decode the test cases: %s: %s"
                                        % (type(e).__name__, message_of(e))), harness=True)
        return {"ok": True}

    def eval(self, msg):
        """Every test once: its outcome's text, and the tail of its stderr."""
        deadline = self.deadline()
        results, texts, total = [], [], 0
        for test in self.tests:
            r = {"test_id": test.test_id}
            text = None
            try:
                res = self.spawn(test, deadline)
            except (OSError, ValueError) as e:
                r["error_type"] = type(e).__name__
                r["error_message"] = clean("cannot start the command: " + message_of(e),
                                           MESSAGE_MAX)
            else:
                if res.timed_out:
                    return self.timeout_failure(test)
                text = outcome_text(res)
                if total + len(text) > OUTPUTS_TOTAL_MAX:
                    r["error_type"] = "OutputLimit"
                    r["error_message"] = "outputs exceed %d MiB in total" % (OUTPUTS_TOTAL_MAX >> 20)
                    text = None
                else:
                    total += len(text)
                    r["text"] = text
                    err = tail_lines(res.err, 1)  # a Python traceback's exception, ...
                    if err:
                        r["stderr_tail"] = clean(err, MESSAGE_MAX)
            texts.append(text)
            results.append(r)
        if self.baseline is None:
            self.baseline = texts
        return {"ok": True, "results": results}

    def warmup(self, msg):
        """Each test's stdin through /bin/true once: the spawn, pipe and
        encoding paths are warm before the first eval pass."""
        deadline = self.deadline()
        proof = Proof("00" * 16, [""] * len(self.tests))
        for i, test in enumerate(self.tests):
            try:
                res = run_program("/bin/true", ["/bin/true"], self.env, test.stdin, deadline,
                                  PROGRAM_OUT_MAX, PROGRAM_ERR_MAX, stop_at_cap=True)
            except (OSError, ValueError):
                continue
            proof.add(0, i, outcome_text(res))
        return {"ok": True}

    def spawn(self, test, deadline):
        return run_program(self.path, self.argv + test.args, self.env, test.stdin, deadline,
                           PROGRAM_OUT_MAX, PROGRAM_ERR_MAX, stop_at_cap=True)

    def run(self, msg):
        n = int(msg["iterations"])
        if self.baseline is None:
            raise HarnessError("run before eval")
        proof = Proof(msg["nonce"], self.baseline)
        deadline = self.deadline()
        tests = list(enumerate(self.tests))
        start_cpu = cpu_ns() + children_cpu_ns()
        start = time.perf_counter_ns()
        for k in range(n):
            for i, test in tests:
                try:
                    res = self.spawn(test, deadline)
                except (OSError, ValueError) as e:
                    return failure(e, message=clean("iteration %d, test %r: cannot start the "
                                                    "command: %s" % (k + 1, test.test_id,
                                                                     message_of(e)),
                                                    MESSAGE_MAX))
                if res.timed_out:
                    return self.timeout_failure(test)
                proof.add(k, i, outcome_text(res))
        elapsed = time.perf_counter_ns() - start
        cpu = cpu_ns() + children_cpu_ns() - start_cpu
        return proof.reply({"ok": True, "iterations": n, "elapsed_ns": elapsed, "cpu_ns": cpu},
                           [t.test_id for t in self.tests])
