/* child — one sandboxed child process (in the spirit of git's run-command.h).
 *
 *   jt_child c;
 *   jt_child_init(&c);
 *   c.argv = argv; c.protocol = true; c.memory_limit_mb = 1024; ...
 *   if (jt_child_start(&c, &err) < 0) ...
 *   jt_child_send_line(&c, "...", timeout, &err);
 *   jt_child_recv_line(&c, timeout, &line, &err);
 *   ...
 *   jt_child_release(&c);      kills what is left, reaps, removes the workdir
 *
 * What the child gets (docs/design.md "Sandbox"): its own session and process group; fd 0 =
 * /dev/null, fds 1 and 2 = capture pipes, with `protocol` fd 3 = commands
 * (it reads), fd 4 = replies (it writes), named in its environment as
 * JOULETRACE_CMD_FD / JOULETRACE_REPLY_FD; no other fd. A fresh private
 * working directory (its cwd and $HOME), a minimal environment (PATH, HOME,
 * LANG=C.UTF-8, PYTHONHASHSEED=0, PYTHONDONTWRITEBYTECODE=1,
 * PYTHONIOENCODING=utf-8, plus `env`; nothing inherited), rlimits (address
 * space: the limit without a cgroup, a backstop with one; CPU backstop,
 * 64 MiB files, 64 fds, no core dumps), SIGKILL when the
 * thread that started it dies (PR_SET_PDEATHSIG), pinning to `cpu`.
 * Started as root it joins, before exec, a cgroup of its own (cgroup.h,
 * child_cgroup.c: memory_limit_mb for its whole tree, no swap, 64 tasks, the
 * cpuset of `cpu`), unless no_cgroup, JOULETRACE_SANDBOX_NO_CGROUP or the
 * host refuses (isolation and cgroup_why say which).
 * Started as root it also gets new network, mount, IPC and PID namespaces (it
 * is PID 1 there: everything it forks dies with it; only a down loopback
 * interface) and a private root (bubblewrap style: child_root.c): "/" is a
 * fresh read-only tmpfs (mode 0755, so it works where the host's "/" is
 * 0700) holding read-only, nosuid, nodev binds of the host's /usr, its
 * top-level bin, sbin and lib* directories (symlinks, as on merged-/usr
 * systems, are recreated as symlinks), the basics of /etc (child_root.c
 * lists them) and the `ro_dirs`; a minimal /dev (null, zero, full, random,
 * urandom, the fd and std* links, a fresh /dev/shm); a /proc of its PID
 * namespace; fresh tmpfs on /tmp, /var/tmp and /run (with /run/lock); its
 * work directory at JT_CHILD_SANDBOX_HOME, a size-capped tmpfs, as cwd and
 * HOME. Nothing else of the host (/home, /root, /srv, /opt, /var/lib, /mnt,
 * suites, run directories, the harness's TMPDIR) exists there. Then it
 * drops to `sandbox_user` with no_new_privs and RLIMIT_NPROC. Where the
 * private root cannot be built (root_off, root_errno, root_why say why) it
 * runs in the namespaces over the host's tree, with fresh tmpfs on /tmp,
 * /var/tmp, /dev/shm and /run and the same work directory; where
 * namespaces are refused (some containers, a chroot) it falls back to
 * rlimits + user drop; ns_off, ns_errno and ns_why say why,
 * jt_child_sandbox_desc() which one applied (sandbox.h turns that into a
 * level, a warning and the fix). The environment variable
 * JOULETRACE_SANDBOX_NO_NAMESPACES (any non-empty value) forces that
 * fallback, for tests: it can only weaken the sandbox, and is itself
 * reported as the reason. Last, right before execve, the seccomp filter
 * (seccomp.h) is installed; where the kernel refuses it the child starts
 * without (seccomp_why says why); JOULETRACE_SANDBOX_NO_SECCOMP forces that.
 * Host side, the workdir is TMPDIR/jouletrace-session.XXXXXX/jt-child-XXXXXX:
 * one session directory per harness process, holding an flock'ed lock file,
 * removed with its last child; each start removes the session directories
 * of harnesses that died without cleaning up (SIGKILL), found by their
 * lock, never by PID (child_session.c).
 * As PID 1 of its namespace the child ignores signals it sends itself whose
 * action is the default (a kernel rule); hardware faults still kill it.
 * Without namespaces two gaps remain: a descendant that calls setsid() leaves
 * the process group and escapes the group kill, and if the harness dies
 * without releasing the child only the child itself gets PR_SET_PDEATHSIG
 * (it is not inherited), so its descendants may live on. In namespaces the
 * kernel kills every process of the namespace with its PID 1.
 *
 * Ownership: argv, env and sandbox_user are borrowed and need to live only
 * until jt_child_start() returns. Every fd, the workdir and the buffers below
 * belong to the jt_child; the caller reads them and never closes or frees
 * them; jt_child_release() does. Not thread-safe; one thread per jt_child,
 * and PR_SET_PDEATHSIG fires when THAT thread exits. */
#ifndef JOULETRACE_CHILD_H
#define JOULETRACE_CHILD_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "jouletrace/common.h"

/* Where the workdir is mounted inside the namespaces (the child's cwd/HOME). */
#define JT_CHILD_SANDBOX_HOME "/tmp/jouletrace-work"
/* Protocol fds as the child sees them. */
#define JT_CHILD_CMD_FD 3
#define JT_CHILD_REPLY_FD 4

/* How the child ended, once reaped. */
typedef enum jt_child_end {
    JT_CHILD_RUNNING = 0, /* not started, or still running */
    JT_CHILD_EXITED,      /* exited by itself with exit_status */
    JT_CHILD_SIGNALED,    /* died of a signal we did not send (term_signal): a crash */
    JT_CHILD_TIMED_OUT,   /* we killed it at a deadline, or the RLIMIT_CPU backstop did */
    JT_CHILD_KILLED,      /* we killed it for another reason (jt_child_kill, release) */
} jt_child_end;

/* Why a started child has no namespaces (JT_CHILD_NS_ON: it has them). */
typedef enum jt_child_ns_off {
    JT_CHILD_NS_ON = 0,
    JT_CHILD_NS_NOT_ROOT,  /* not root: neither namespaces nor a user drop were tried */
    JT_CHILD_NS_DISABLED,  /* the caller's no_namespaces */
    JT_CHILD_NS_ENV,       /* JOULETRACE_SANDBOX_NO_NAMESPACES is set */
    JT_CHILD_NS_CHROOT,    /* making / private failed: '/' is not a mount point */
    JT_CHILD_NS_REFUSED,   /* the kernel refused a step (ns_errno) */
} jt_child_ns_off;

/* Why a started child has no private root (JT_CHILD_ROOT_ON: it has one). */
typedef enum jt_child_root_off {
    JT_CHILD_ROOT_ON = 0,
    JT_CHILD_ROOT_NO_NS,    /* no namespaces at all (ns_off says why) */
    JT_CHILD_ROOT_DISABLED, /* the caller's no_private_root */
    JT_CHILD_ROOT_REFUSED,  /* a step failed (root_errno; 0 when the host could not be read) */
} jt_child_root_off;

/* Results of the protocol calls. */
typedef enum jt_child_io {
    JT_CHILD_IO_ERROR = -1, /* harness-side failure or protocol abuse; err set */
    JT_CHILD_IO_OK = 0,
    JT_CHILD_IO_TIMEOUT,    /* deadline passed; the child still runs (kill it) */
    JT_CHILD_IO_CLOSED,     /* the child is gone (reaped: see `end`) or closed the channel */
} jt_child_io;

/* One captured output stream: the first `output_cap` bytes are kept, the rest
 * counted and thrown away, and the pipe is always drained so the child never
 * blocks on it. */
typedef struct jt_child_capture {
    jt_buf head;
    size_t dropped;
    int fd; /* our read end; -1 once at EOF */
} jt_child_capture;

typedef struct jt_child {
    /* Set by the caller before jt_child_start() (borrowed). */
    const char *const *argv;  /* argv[0] is a path (contains '/'); no PATH search */
    const char *const *env;   /* extra "NAME=value"; replaces a minimal entry of that name */
    long memory_limit_mb;     /* the cgroup's memory limit (RLIMIT_AS without one); 0 = none */
    long cpu_limit_seconds;   /* RLIMIT_CPU backstop; 0 = none */
    int cpu;                  /* pin to this CPU; -1 (init's default) = no pinning */
    const char *sandbox_user; /* as root, the user to run as; NULL = "nobody" */
    size_t output_cap;        /* bytes kept per stream; 0 = 64 KiB */
    /* When set (by a SIGINT/SIGTERM handler) while we wait on the child, the
     * child's group is killed at once and the wait fails with EINTR: an
     * interrupted run never waits out a long trial. NULL = not watched. */
    const volatile sig_atomic_t *stop;
    bool protocol;            /* give the child fds 3 and 4 (see above) */
    bool no_namespaces;       /* as root: skip namespaces (the fallback, for tests) */
    bool no_private_root;     /* as root: namespaces without the private root (tests) */
    bool no_seccomp;          /* no seccomp filter (tests) */
    bool no_cgroup;           /* as root: no cgroup, rlimits only (tests) */
    /* Host directories the private root shows read-only at their own path
     * (an interpreter's or tool's outside /usr: jt_child_tool_dir);
     * NULL-terminated, or NULL. */
    const char *const *ro_dirs;

    /* Filled in by jt_child; read-only for the caller. */
    pid_t pid;                /* in our PID namespace; -1 when not running */
    char *workdir;            /* host path of the private working directory */
    jt_child_capture out, err;
    jt_child_end end;
    int exit_status;          /* JT_CHILD_EXITED */
    int term_signal;          /* JT_CHILD_SIGNALED, or the signal that ended a timeout */
    struct rusage rusage;     /* child + its reaped descendants, once ended */
    /* How it was isolated, once started: why there are no namespaces, the
     * errno of the refused step (0 when turned off on purpose) and one line
     * saying so ("make / private: Invalid argument: '/' is not a mount point
     * (a chroot?)"; NULL with namespaces or without root). */
    jt_child_ns_off ns_off;
    int ns_errno;
    char *ns_why;
    /* The same for the private root: "bind-mount read-only /usr: Operation
     * not permitted", "pivot_root to the new root: Invalid argument", ...
     * (NULL when it has one or without namespaces). */
    jt_child_root_off root_off;
    int root_errno;
    char *root_why;
    /* Why it runs without the seccomp filter (seccomp.h): "disabled", the
     * environment variable, a libseccomp error, "install the filter: ERRNO"
     * (seccomp_errno); NULL when it has the filter. */
    char *seccomp_why;
    int seccomp_errno;
    /* Its cgroup (docs/design.md "Sandbox"; child_cgroup.c): "cgroup-v2",
     * "cgroup-v1", or "rlimits: WHY" where none could be made (then
     * cgroup_why is WHY, else NULL). Once reaped: the peak memory of the
     * whole tree (0 = unknown) and how many of its processes the memory
     * limit's OOM killer ended. */
    char *isolation;
    char *cgroup_why;
    uint64_t peak_memory_bytes;
    uint64_t oom_kills;

    /* Private. */
    int cmd_fd, reply_fd, pidfd;
    jt_buf reply;             /* reply bytes read past the last complete line */
    struct jt_cgroup *cgroup; /* NULL: rlimits only */
    char *desc;
    bool namespaced;
} jt_child;

void jt_child_init(jt_child *c);

/* Creates the workdir and starts argv in the sandbox. Returns 0, or -1 (err
 * set, nothing left behind) when the sandbox could not be set up or exec
 * failed; a child that starts and then fails is not an error here. */
int jt_child_start(jt_child *c, jt_err *err);

/* Sends `line` plus "\n" on the command channel, draining output meanwhile.
 * timeout_s < 0 waits without a deadline. */
jt_child_io jt_child_send_line(jt_child *c, const char *line, double timeout_s, jt_err *err);

/* Receives one reply line (without "\n"; *line malloc'd, caller frees),
 * draining stdout/stderr meanwhile. CLOSED when the child died or closed its
 * reply channel first: the child is then reaped and `end` says how. */
jt_child_io jt_child_recv_line(jt_child *c, double timeout_s, char **line, jt_err *err);

/* Closes the command channel and waits for the child to exit, draining its
 * output; at the deadline it is killed (end = TIMED_OUT). Always reaps.
 * Returns 0, or -1 on harness-side failure. */
int jt_child_wait(jt_child *c, double timeout_s, jt_err *err);

/* SIGKILLs the child's process group (its whole PID namespace as root) and
 * reaps it, recording `why` (TIMED_OUT or KILLED) unless it had already ended
 * by itself. No-op when not running. */
void jt_child_kill(jt_child *c, jt_child_end why);

/* Kills and reaps what still runs, closes every fd, removes the workdir
 * (recursively, whatever the child chmod'ed) and, with the process's last
 * child, its session directory; frees the buffers. Safe on an initialised,
 * never-started or already released jt_child. */
void jt_child_release(jt_child *c);

/* "pid,net,mount,ipc namespaces; private root; user nobody; no_new_privs;
 * seccomp; rlimits" ("no seccomp (WHY)" without the filter), or "...; no private root (WHY); ..." or the fallback with its
 * reason; "" before start. */
const char *jt_child_sandbox_desc(const jt_child *c);
/* "cgroup-v1", "cgroup-v2" or "rlimits: WHY"; "" before start. */
const char *jt_child_isolation(const jt_child *c);
/* Its cgroup while it lives (cpuacct reads its CPU there); NULL without. */
const struct jt_cgroup *jt_child_cgroup(const jt_child *c);
/* Peak memory of its cgroup so far, in bytes (0: unknown, no cgroup). */
uint64_t jt_child_peak_memory(const jt_child *c);
/* OOM kills in its cgroup so far (after the reap: in all). */
uint64_t jt_child_oom_kills(const jt_child *c);
/* user + system CPU seconds from rusage (0 until the child ended). */
double jt_child_cpu_seconds(const jt_child *c);
/* One line for reports: "exited with status 3", "killed by signal 11 (SIGSEGV)",
 * "timed out", ... Caller frees. */
char *jt_child_describe_end(const jt_child *c);

/* The directory to show in the private root for `program` (its real
 * directory, PREFIX for PREFIX/bin/PROG), or NULL when it is visible anyway
 * (below /usr, /bin, /lib...) or does not exist. Caller frees. */
char *jt_child_tool_dir(const char *program);

/* Does /proc/self/mountinfo text `mountinfo` list a mount at "/"? false in
 * a chroot whose root is a plain directory (mount(MS_PRIVATE) on "/" then
 * fails with EINVAL). */
bool jt_child_root_is_mountpoint(const char *mountinfo);

#endif
