# main.py: the runner's command loop (docs/design.md "Runner protocol"). The
# loader (python_runner.py) imports this package from the command channel and
# calls main(). The harness speaks JSON lines: commands arrive on fd
# $JOULETRACE_CMD_FD, one reply per command goes to fd $JOULETRACE_REPLY_FD
# (both moved to high fds at once, so the candidate's own files and fd
# juggling do not collide with them). The candidate's prints go to the real
# fds 1 and 2, which the harness captures.
#
#   {"cmd": "hello", "protocol": PROTOCOL} -> {"ok": true, "protocol"}   before setup: the
#       runner's own imports are done; refused like setup for another protocol version
#   {"cmd": "setup", "protocol": PROTOCOL, "code", "filename", "function_name",
#    "mode": "call"|"method"|"script"|"command"|"judge", "prelude", "setup_code"?,
#    "convert_code"?, "reload_per_iteration", "floor", "timeout_seconds",
#    mode command also: "command": [argv template], "build"?, "source_name"}
#       -> {"ok": true, "protocol"}
#        | {"ok": false, "protocol", "error_type", "message", "traceback", "harness"?: true}
#          mode command also: error_type "BuildError" (the build failed; its
#          output in "traceback"), and {"ok": false, "timeout": true,
#          "message": "test 'ID'" | "the build"} from any command when the
#          runner had to kill a program at its deadline.
#      The candidate is loaded by setup, before any test input exists here.
#      Mode judge (judge.py) takes the test set with its expectations instead
#      and runs no candidate code.
#   {"cmd": "tests", "test_cases": [{"test_id", "inputs": [...], "floor_output"?}]}
#                  (mode script: [{"test_id", "script"}];
#                   mode command: [{"test_id", "stdin", "args": [...]}])
#       -> {"ok": true}       expected outputs are never sent here
#   {"cmd": "warmup"}  the eval and run paths once with a null function instead of
#       the candidate (the floor's cold cost, not the candidate's) -> {"ok": true, ...}
#   {"cmd": "eval"}
#       -> {"ok": true, "results": [{"test_id", "text"} | {"test_id",
#           "error_type", "error_message"}]}   (mode command: also "stderr_tail";
#           mode script: {"test_id", "passed", ...} judged here, "judged_in_process")
#   {"cmd": "run", "iterations": N, "nonce": "<hex>"}
#       -> {"ok": true, "iterations", "elapsed_ns", "cpu_ns", "proof": ["<hex>", ...],
#           "mismatch"?: {"iteration", "test_id"}}   (mode script: no proof)
#        | {"ok": false, "error_type", "message"}
#   {"cmd": "judge", "results": [...]}         (mode judge only; judge.py)
# "load": true marks a failure while loading the candidate (setup, or a reload
# before validate/run/outputs with reload_per_iteration): load_error.
# "harness": true marks failures that are not the candidate's fault (a value
# the runner cannot decode, a checker that does not compile, an unknown
# command). EOF on the command fd: exit 0.
# Every reply to setup carries "protocol": PROTOCOL; a setup whose "protocol"
# differs is refused (harness: true, error_type "ProtocolError") before
# anything is loaded, and the harness refuses a reply with another version.
import io
import json
import os
import resource

from .call_runner import CallRunner, MethodRunner
from .command_runner import CommandRunner
from .judge import JudgeRunner
from .replies import HarnessError, failure, lookup, message_of
from .script_runner import ScriptRunner

# The version of the protocol above; the harness's is JT_PYRUN_PROTOCOL
# (harness/exec/pyrun_priv.h). Bump both with any change to a command or reply.
PROTOCOL = 3

MODES = {"call": CallRunner, "method": MethodRunner, "script": ScriptRunner,
         "command": CommandRunner, "judge": JudgeRunner}
COMMANDS = {"tests": lambda runner, msg: runner.tests_command(msg),
            "eval": lambda runner, msg: runner.eval(msg),
            "run": lambda runner, msg: runner.run(msg),
            "warmup": lambda runner, msg: runner.warmup(msg),
            "judge": lambda runner, msg: runner.judge(msg)}


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


def protocol_refusal(msg):
    """None, or the reply refusing a harness of another protocol version."""
    if msg.get("protocol") == PROTOCOL:
        return None
    error = HarnessError("the harness speaks runner protocol %r, this runner %d"
                         % (msg.get("protocol"), PROTOCOL))
    reply = failure(error, harness=True)
    reply["error_type"] = "ProtocolError"
    return reply


def setup(msg):
    """A new runner for the setup command, and the reply to it."""
    refused = protocol_refusal(msg)
    if refused is not None:
        return None, refused
    runner = lookup(MODES, msg.get("mode") or "call", "mode")()
    return runner, runner.setup(msg)


def handler_name(cmd):
    return "tests_command" if cmd == "tests" else cmd


def handle(runner, msg):
    """(the runner from now on, the reply)"""
    cmd = msg.get("cmd")
    if cmd == "hello" and runner is None:  # the runner is up (its imports done)
        refused = protocol_refusal(msg)
        return None, refused or {"ok": True}
    ready = runner is not None and runner.ready
    if cmd == "setup" and not ready:
        return setup(msg)
    handler = COMMANDS.get(cmd)
    if handler is None or not ready or not hasattr(runner, handler_name(cmd)):
        raise HarnessError("unexpected command %r" % cmd)
    return runner, handler(runner, msg)


def main():
    cmd_fd = protocol_fd("JOULETRACE_CMD_FD", "3")
    reply_fd = protocol_fd("JOULETRACE_REPLY_FD", "4")
    commands = io.open(cmd_fd, "rb", buffering=65536, closefd=True)
    runner = None
    while True:
        line = commands.readline()
        if not line:
            return 0
        msg = None
        try:
            msg = json.loads(line)
            runner, reply = handle(runner, msg)
        except MemoryError as e:  # outside a candidate call, still the candidate's doing
            reply = failure(e)
        except Exception as e:
            reply = failure(HarnessError("%s: %s" % (type(e).__name__, message_of(e))),
                            harness=True)
        if isinstance(msg, dict) and msg.get("cmd") in ("hello", "setup"):
            reply["protocol"] = PROTOCOL  # a setup reply is never bytes
        if isinstance(reply, bytes):
            data = reply + b"\n"
        else:
            data = (json.dumps(reply, ensure_ascii=True, allow_nan=False) + "\n").encode("ascii")
        reply = None
        while data:
            data = data[os.write(reply_fd, data):]
