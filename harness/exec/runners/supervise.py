# supervise.py: one program run to its end under the runner's supervision
# (mode command; docs/design.md "Sandbox"). Each program gets its own session
# (so a group kill reaches what it forks), the sandbox's environment, pipes
# for stdin, stdout and stderr, and the default action for SIGPIPE and
# SIGXFSZ (Python ignores them). When it exits, everything it left behind is
# killed: as PID 1 of the sandbox's PID namespace every other process of the
# namespace (kill(-1)), elsewhere its process group. Every wait is bounded by
# the caller's deadline.
import os
import resource
import select
import signal
import time

SIGDEF = tuple(getattr(signal, n) for n in ("SIGPIPE", "SIGXFSZ") if hasattr(signal, n))
PR_SET_DUMPABLE, PR_GET_DUMPABLE = 4, 3


def make_undumpable():
    """Roles apart (docs/design.md "Sandbox"): the programs run as our uid,
    so unless this process is not dumpable they could open our
    /proc/<pid>/mem (ptrace and process_vm_readv the seccomp filter refuses
    anyway). execve made us dumpable again, so it is set here, by the
    runner itself; the programs are exec'd afresh and cannot change it.
    OSError when it cannot be set: no program runs then."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    zero = ctypes.c_ulong(0)
    if libc.prctl(PR_SET_DUMPABLE, zero, zero, zero, zero) != 0 or \
            libc.prctl(PR_GET_DUMPABLE, zero, zero, zero, zero) != 0:
        err = ctypes.get_errno()
        raise OSError(err, "prctl(PR_SET_DUMPABLE, 0): %s" % os.strerror(err))


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

