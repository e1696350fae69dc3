# main.py: the runner's command loop (docs/design.md "Runner protocol"). The
# loader (python_runner.py) imports this package from the command channel and
# calls main(). The harness speaks JSON lines: commands arrive on fd
# $JOULETRACE_CMD_FD, one reply per command goes to fd $JOULETRACE_REPLY_FD
# (both moved to high fds at once, so the candidate's own files and fd
# juggling do not collide with them). The candidate's prints go to the real
# fds 1 and 2, which the harness captures.
#
#   {"cmd": "setup", "protocol": PROTOCOL, "code", "filename", "function_name",
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
#       -> {"ok": true, "protocol"}
#        | {"ok": false, "protocol", "error_type", "message", "traceback", "harness"?: true}
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
# Every reply to setup carries "protocol": PROTOCOL; a setup whose "protocol"
# differs is refused (harness: true, error_type "ProtocolError") before
# anything is loaded, and the harness refuses a reply with another version.
import io
import json
import os
import resource

from .call_runner import CallRunner, MethodRunner
from .command_runner import CommandRunner
from .replies import HarnessError, failure, lookup, message_of
from .script_runner import ScriptRunner

# The version of the protocol above; the harness's is JT_PYRUN_PROTOCOL
# (harness/exec/pyrun_priv.h). Bump both with any change to a command or reply.
PROTOCOL = 2

MODES = {"call": CallRunner, "method": MethodRunner, "script": ScriptRunner,
         "command": CommandRunner}
COMMANDS = {"validate": lambda runner, msg: runner.validate(msg),
            "run": lambda runner, msg: runner.run(msg),
            "outputs": lambda runner, msg: runner.outputs(msg)}


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


def setup(msg):
    """A new runner for the setup command, and the reply to it."""
    if msg.get("protocol") != PROTOCOL:
        error = HarnessError("the harness speaks runner protocol %r, this runner %d"
                             % (msg.get("protocol"), PROTOCOL))
        reply = failure(error, harness=True)
        reply["error_type"] = "ProtocolError"
        return None, reply
    runner = lookup(MODES, msg.get("mode") or "call", "mode")()
    return runner, runner.setup(msg)


def handle(runner, msg):
    """(the runner from now on, the reply)"""
    cmd = msg.get("cmd")
    ready = runner is not None and runner.ready
    if cmd == "setup" and not ready:
        return setup(msg)
    handler = COMMANDS.get(cmd)
    if handler is None or not ready:
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
        if isinstance(msg, dict) and msg.get("cmd") == "setup":
            reply["protocol"] = PROTOCOL  # a setup reply is never bytes
        if isinstance(reply, bytes):
            data = reply + b"\n"
        else:
            data = (json.dumps(reply, ensure_ascii=True, allow_nan=False) + "\n").encode("ascii")
        reply = None
        while data:
            data = data[os.write(reply_fd, data):]
