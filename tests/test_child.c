/* Tests for harness/exec/child.c: the sandbox a candidate runs in.
 * Loop tests run twice as root: _i == 0 with namespaces and the private
 * root, _i == 1 with the fallback (no namespaces, user drop only), and a
 * few a third time, _i == 2: namespaces without the private root (the
 * fallback when it cannot be built); once otherwise. test_child_root.c
 * checks what the private root hides, test_child_session.c the session
 * directories. Every test ends
 * with check_clean(): no process of ours left, no workdir left. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jouletrace/child.h"
#include "support/testutil.h"

#define PYTHON "/usr/bin/python3"

#define setup jt_test_sandbox_setup
#define teardown jt_test_sandbox_teardown
#define check_clean jt_test_sandbox_check_clean
#define now jt_test_now

static bool root(void)
{
    return geteuid() == 0;
}

/* Namespaces as the child gets them in loop mode _i (above). */
static bool namespaced(int mode)
{
    return root() && mode != 1;
}

/* Starts argv as loop mode `mode` says and returns once it is running. */
static void start(jt_child *c, const char *const *argv, int mode)
{
    jt_err err = JT_ERR_INIT;
    c->argv = argv;
    c->no_namespaces = mode == 1;
    c->no_private_root = mode == 2;
    ck_assert_msg(jt_child_start(c, &err) == 0, "start: %s", jt_err_msg(&err));
    jt_err_clear(&err);
}

static void run_to_end(jt_child *c, const char *const *argv, int mode, double timeout)
{
    jt_err err = JT_ERR_INIT;
    start(c, argv, mode);
    ck_assert_int_eq(jt_child_wait(c, timeout, &err), 0);
    jt_err_clear(&err);
}

START_TEST(env_is_minimal)
{
    setenv("JT_SECRET_TOKEN", "hunter2", 1);
    const char *argv[] = {"/usr/bin/env", NULL};
    const char *extra[] = {"EXTRA=yes", "PYTHONIOENCODING=ascii", NULL};
    jt_child c;
    jt_child_init(&c);
    c.env = extra;
    run_to_end(&c, argv, _i, 10);
    ck_assert_int_eq(c.end, JT_CHILD_EXITED);
    char *want = jt_xasprintf("PATH=/usr/local/bin:/usr/bin:/bin\nLANG=C.UTF-8\nPYTHONHASHSEED=0\n"
                              "PYTHONDONTWRITEBYTECODE=1\nPYTHONIOENCODING=ascii\nHOME=%s\n"
                              "EXTRA=yes\n",
                              namespaced(_i) ? JT_CHILD_SANDBOX_HOME : c.workdir);
    ck_assert_str_eq(jt_buf_str(&c.out.head), want);
    free(want);
    jt_child_release(&c);
    check_clean();
}
END_TEST

/* fds, stdin, rlimits as the child sees them. */
START_TEST(fds_stdin_and_limits)
{
    int leak = open("/dev/null", O_RDONLY); /* no O_CLOEXEC: must still not leak */
    ck_assert_int_ge(dup2(leak, 40), 0);
    const char *script =
        "import os, resource, sys\n"
        "fds = []\n"
        "for fd in range(256):\n"
        "    try: os.fstat(fd); fds.append(fd)\n"
        "    except OSError: pass\n"
        "R = resource\n"
        "print(fds, os.readlink('/proc/self/fd/0'), repr(sys.stdin.read()))\n"
        "print([R.getrlimit(r) for r in (R.RLIMIT_NOFILE, R.RLIMIT_FSIZE, R.RLIMIT_CORE,"
        " R.RLIMIT_AS, R.RLIMIT_CPU)])\n";
    const char *argv[] = {PYTHON, "-c", script, NULL};
    jt_child c;
    jt_child_init(&c);
    c.protocol = true;
    c.memory_limit_mb = 512;
    c.cpu_limit_seconds = 100;
    run_to_end(&c, argv, _i, 10);
    ck_assert_msg(c.end == JT_CHILD_EXITED && c.exit_status == 0, "%s", jt_buf_str(&c.err.head));
    /* with the cgroup's memory limit RLIMIT_AS is only a backstop: 4 x */
    bool cg = !strncmp(jt_child_isolation(&c), "cgroup-", 7);
    char *want = jt_xasprintf("[0, 1, 2, 3, 4] /dev/null ''\n"
                              "[(64, 64), (67108864, 67108864), (0, 0), (%lld, %lld), "
                              "(100, 101)]\n",
                              (512LL << 20) * (cg ? 4 : 1), (512LL << 20) * (cg ? 4 : 1));
    ck_assert_str_eq(jt_buf_str(&c.out.head), want);
    free(want);
    jt_child_release(&c);
    close(leak);
    close(40);
    check_clean();
}
END_TEST

START_TEST(identity_and_isolation)
{
    const char *script =
        "import os, socket\n"
        "st = open('/proc/self/status').read()\n"
        "nnp = [l.split()[1] for l in st.splitlines() if l.startswith('NoNewPrivs')][0]\n"
        "print('uid=%d gid=%d groups=%s nnp=%s'\n"
        "      % (os.getuid(), os.getgid(), os.getgroups(), nnp))\n"
        "print('pid1=%s if=%s' % (os.getpid() == 1, [n for _, n in socket.if_nameindex()]))\n"
        "print('cwd=%s home=%s' % (os.getcwd() == os.environ['HOME'], os.environ['HOME']))\n"
        "open('written', 'w').write('x')\n"
        "print('tmp=%s procs=%s' % (sorted(os.listdir('/tmp')),"
        " [p for p in os.listdir('/proc') if p.isdigit()]))\n"
        "import resource; print('nproc=%s' % (resource.getrlimit(resource.RLIMIT_NPROC),))\n";
    const char *argv[] = {PYTHON, "-c", script, NULL};
    jt_child c;
    jt_child_init(&c);
    run_to_end(&c, argv, _i, 10);
    ck_assert_msg(c.end == JT_CHILD_EXITED && c.exit_status == 0, "%s", jt_buf_str(&c.err.head));
    const char *out = jt_buf_str(&c.out.head);
    if (!root()) {
        ck_assert_str_eq(jt_child_sandbox_desc(&c),
                         "not root: no namespaces, no user drop; no_new_privs; seccomp; rlimits");
        ck_assert_ptr_nonnull(strstr(out, "nnp=1\npid1=False"));
    } else if (_i != 1) {
        ck_assert_str_eq(jt_child_sandbox_desc(&c),
                         _i == 0 ? "pid,net,mount,ipc namespaces; private root; user nobody; "
                                   "no_new_privs; seccomp; rlimits"
                                 : "pid,net,mount,ipc namespaces; no private root (disabled); "
                                   "user nobody; no_new_privs; seccomp; rlimits");
        ck_assert_str_eq(out, "uid=65534 gid=65534 groups=[] nnp=1\n"
                              "pid1=True if=['lo']\n"
                              "cwd=True home=" JT_CHILD_SANDBOX_HOME "\n"
                              "tmp=['jouletrace-work'] procs=['1']\n"
                              "nproc=(64, 64)\n");
    } else {
        ck_assert_ptr_nonnull(strstr(jt_child_sandbox_desc(&c), "no namespaces (disabled)"));
        ck_assert_ptr_nonnull(strstr(out, "uid=65534 gid=65534 groups=[] nnp=1\npid1=False"));
        ck_assert_ptr_nonnull(strstr(out, "cwd=True"));
        ck_assert_ptr_nonnull(strstr(out, "nproc=(64, 64)"));
    }
    /* Where its writes land: with namespaces a size-capped tmpfs of its own
     * (nothing reaches the host disk); without them, the workdir we own. */
    char *written = jt_xasprintf("%s/written", c.workdir);
    if (namespaced(_i))
        ck_assert_int_ne(access(written, F_OK), 0);
    else
        ck_assert_int_eq(access(written, F_OK), 0);
    free(written);
    jt_child_release(&c);
    check_clean();
}
END_TEST

/* A grandchild must die with the child when the deadline kills it. */
START_TEST(timeout_kills_the_group)
{
    char marker[64];
    snprintf(marker, sizeof marker, "jt-grandchild-%d", (int)getpid());
    /* the marker is assembled at run time, so the child's own cmdline lacks it */
    char *script = jt_xasprintf(
        "import os, subprocess, time\n"
        "p = subprocess.Popen(['" PYTHON "', '-c', 'import time; print(1, flush=True); "
        "time.sleep(300)', 'jt-grand' + 'child-%d'], stdout=subprocess.PIPE)\n"
        "p.stdout.readline()\n" /* the grandchild runs (and has its marker) */
        "os.write(4, b'ready\\n')\n"
        "time.sleep(300)\n",
        (int)getpid());
    const char *argv[] = {PYTHON, "-c", script, NULL};
    jt_child c;
    jt_child_init(&c);
    c.protocol = true;
    jt_err err = JT_ERR_INIT;
    start(&c, argv, _i);
    char *line = NULL;
    ck_assert_int_eq(jt_child_recv_line(&c, 10, &line, &err), JT_CHILD_IO_OK);
    ck_assert_str_eq(line, "ready");
    free(line);
    /* the child (our child) + the marked grandchild: the check below can see both */
    ck_assert_int_eq(jt_test_count_procs(marker), 2);
    double t0 = now();
    ck_assert_int_eq(jt_child_wait(&c, 0.3, &err), 0);
    /* the child sleeps 300 s: only the deadline can have ended the wait (a
     * lower bound is exact; how soon after it the wait returns depends on the
     * load, and the test case's timeout is the hang guard) */
    ck_assert_double_ge(now() - t0, 0.3);
    ck_assert_int_eq(c.end, JT_CHILD_TIMED_OUT);
    ck_assert_int_eq(jt_test_count_procs(marker), 0);
    jt_child_release(&c);
    free(script);
    check_clean();
}
END_TEST

START_TEST(workdir_removed_despite_chmod)
{
    const char *argv[] = {"/bin/sh", "-c",
                          "mkdir -p a/b/c && echo x > a/b/c/f && ln -s /etc/passwd a/link && "
                          "chmod 0 a/b/c a/b a && (chmod 500 . 2>/dev/null || true)",
                          NULL};
    jt_child c;
    jt_child_init(&c);
    run_to_end(&c, argv, _i, 10);
    ck_assert_msg(c.end == JT_CHILD_EXITED && c.exit_status == 0, "%s", jt_buf_str(&c.err.head));
    char *dir = jt_xstrdup(c.workdir);
    struct stat st;
    ck_assert_int_eq(stat(dir, &st), 0);
    jt_child_release(&c);
    ck_assert_int_eq(stat(dir, &st), -1);
    ck_assert_int_eq(errno, ENOENT);
    ck_assert_int_eq(access("/etc/passwd", F_OK), 0); /* the link was not followed */
    free(dir);
    check_clean();
}
END_TEST

/* Per-file limits do not cap many files: the sandbox's work directory is a
 * size-capped tmpfs, so a candidate cannot fill the host disk. */
START_TEST(workdir_space_is_capped)
{
    if (!root()) return; /* without namespaces the host directory is used (README) */
    const char *argv[] = {"/bin/sh", "-c",
                          "for i in 1 2 3 4 5 6; do head -c 60000000 /dev/zero > f$i || exit 3; done",
                          NULL};
    jt_child c;
    jt_child_init(&c);
    run_to_end(&c, argv, 0, 30);
    ck_assert_msg(c.end == JT_CHILD_EXITED && c.exit_status == 3, "end %d status %d: %s", c.end,
                  c.exit_status, jt_buf_str(&c.err.head));
    ck_assert_ptr_nonnull(strstr(jt_buf_str(&c.err.head), "No space left on device"));
    jt_child_release(&c);
    check_clean();
}
END_TEST

START_TEST(output_is_capped_and_drained)
{
    const char *argv[] = {"/bin/sh", "-c",
                          "head -c 1048576 /dev/zero; head -c 300000 /dev/zero >&2; echo done >&2",
                          NULL};
    jt_child c;
    jt_child_init(&c);
    c.output_cap = 1000;
    run_to_end(&c, argv, _i, 10);
    ck_assert_int_eq(c.end, JT_CHILD_EXITED);
    ck_assert_int_eq(c.exit_status, 0);
    ck_assert_uint_eq(c.out.head.len, 1000);
    ck_assert_uint_eq(c.out.dropped, 1048576 - 1000);
    ck_assert_uint_eq(c.err.head.len, 1000);
    ck_assert_uint_eq(c.err.dropped, 300000 + 5 - 1000);
    jt_child_release(&c);
    check_clean();
}
END_TEST

START_TEST(protocol_roundtrip_and_timeout)
{
    const char *script = "import os\n"
                         "f = os.fdopen(3, 'rb')\n"
                         "for line in f:\n"
                         "    if not line.startswith(b'silent'):\n"
                         "        data = line.upper()\n"
                         "        while data: data = data[os.write(4, data):]\n";
    const char *argv[] = {PYTHON, "-c", script, NULL};
    jt_child c;
    jt_child_init(&c);
    c.protocol = true;
    jt_err err = JT_ERR_INIT;
    start(&c, argv, _i);
    char *line = NULL;
    ck_assert_int_eq(jt_child_send_line(&c, "hello", 5, &err), JT_CHILD_IO_OK);
    ck_assert_int_eq(jt_child_recv_line(&c, 5, &line, &err), JT_CHILD_IO_OK);
    ck_assert_str_eq(line, "HELLO");
    free(line);
    /* larger than any pipe or socket buffer in both directions */
    char *big = jt_xmalloc(1 << 20);
    memset(big, 'a', (1 << 20) - 1);
    big[(1 << 20) - 1] = '\0';
    ck_assert_int_eq(jt_child_send_line(&c, big, 10, &err), JT_CHILD_IO_OK);
    ck_assert_int_eq(jt_child_recv_line(&c, 10, &line, &err), JT_CHILD_IO_OK);
    ck_assert_uint_eq(strlen(line), (1 << 20) - 1);
    ck_assert_int_eq(line[0], 'A');
    free(line);
    free(big);
    ck_assert_int_eq(jt_child_send_line(&c, "silent", 5, &err), JT_CHILD_IO_OK);
    double t0 = now();
    ck_assert_int_eq(jt_child_recv_line(&c, 0.2, &line, &err), JT_CHILD_IO_TIMEOUT);
    ck_assert_double_ge(now() - t0, 0.2); /* it waited out the deadline, no more is asserted */
    ck_assert_int_eq(c.end, JT_CHILD_RUNNING);
    /* EOF on the commands: it exits by itself */
    ck_assert_int_eq(jt_child_wait(&c, 10, &err), 0);
    ck_assert_int_eq(c.end, JT_CHILD_EXITED);
    ck_assert_int_eq(c.exit_status, 0);
    ck_assert_int_eq(jt_child_recv_line(&c, 1, &line, &err), JT_CHILD_IO_CLOSED);
    jt_child_release(&c);
    check_clean();
}
END_TEST

START_TEST(reply_then_death_is_closed)
{
    const char *argv[] = {PYTHON, "-c", "import os; os.write(4, b'bye\\n'); os._exit(3)", NULL};
    jt_child c;
    jt_child_init(&c);
    c.protocol = true;
    jt_err err = JT_ERR_INIT;
    start(&c, argv, _i);
    char *line = NULL;
    ck_assert_int_eq(jt_child_recv_line(&c, 5, &line, &err), JT_CHILD_IO_OK);
    ck_assert_str_eq(line, "bye");
    free(line);
    ck_assert_int_eq(jt_child_recv_line(&c, 5, &line, &err), JT_CHILD_IO_CLOSED);
    ck_assert_int_eq(c.end, JT_CHILD_EXITED);
    ck_assert_int_eq(c.exit_status, 3);
    jt_child_release(&c);
    check_clean();
}
END_TEST

/* A real fault kills even PID 1 of a namespace. */
START_TEST(segfault_is_a_crash)
{
    const char *argv[] = {PYTHON, "-c", "import ctypes; ctypes.string_at(0)", NULL};
    jt_child c;
    jt_child_init(&c);
    run_to_end(&c, argv, _i, 10);
    ck_assert_int_eq(c.end, JT_CHILD_SIGNALED);
    ck_assert_int_eq(c.term_signal, SIGSEGV);
    char *how = jt_child_describe_end(&c);
    ck_assert_str_eq(how, "killed by signal 11 (SIGSEGV)");
    free(how);
    jt_child_release(&c);
    check_clean();
}
END_TEST

START_TEST(cpu_limit_is_a_timeout)
{
    const char *argv[] = {PYTHON, "-c", "while True: pass", NULL};
    jt_child c;
    jt_child_init(&c);
    c.cpu_limit_seconds = 1;
    /* The wall deadline is far beyond what 1-2 CPU seconds take on a loaded
     * machine: the kernel's RLIMIT_CPU must be what ends the loop. Its
     * tick-sampled clock may fire before rusage's precise CPU time reaches the
     * limit, so the figure itself is not compared with the limit. */
    run_to_end(&c, argv, _i, 600);
    ck_assert_int_eq(c.end, JT_CHILD_TIMED_OUT);
    /* SIGXCPU at the soft limit; as PID 1 of its namespace it ignores that and
     * the hard limit's SIGKILL ends it */
    ck_assert_int_eq(c.term_signal, namespaced(_i) ? SIGKILL : SIGXCPU);
    ck_assert_double_gt(jt_child_cpu_seconds(&c), 0);
    char *how = jt_child_describe_end(&c);
    ck_assert_str_eq(how, "hit the CPU time limit (1 s)");
    free(how);
    jt_child_release(&c);
    check_clean();
}
END_TEST

START_TEST(memory_limit_applies)
{
    const char *argv[] = {PYTHON, "-c", "b = bytearray(200 << 20)", NULL};
    jt_child c;
    jt_child_init(&c);
    c.memory_limit_mb = 100;
    run_to_end(&c, argv, _i, 10);
    if (!strncmp(jt_child_isolation(&c), "cgroup-", 7)) {
        /* the cgroup's limit: the OOM killer ends it, and says so */
        ck_assert_int_eq(c.end, JT_CHILD_SIGNALED);
        ck_assert_int_eq(c.term_signal, SIGKILL);
        ck_assert_uint_ge(jt_child_oom_kills(&c), 1);
        ck_assert_uint_le(c.peak_memory_bytes, 100u << 20);
    } else { /* RLIMIT_AS */
        ck_assert_int_eq(c.end, JT_CHILD_EXITED);
        ck_assert_int_eq(c.exit_status, 1);
        ck_assert_ptr_nonnull(strstr(jt_buf_str(&c.err.head), "MemoryError"));
    }
    jt_child_release(&c);
    check_clean();
}
END_TEST

/* Without the cgroup RLIMIT_AS stays the limit, and the record says why. */
START_TEST(memory_limit_without_cgroup_is_rlimit_as)
{
    const char *argv[] = {PYTHON, "-c", "b = bytearray(200 << 20)", NULL};
    jt_child c;
    jt_child_init(&c);
    c.memory_limit_mb = 100;
    c.no_cgroup = true;
    run_to_end(&c, argv, _i, 10);
    ck_assert_str_eq(jt_child_isolation(&c), geteuid() == 0 ? "rlimits: disabled" : "rlimits: not root");
    ck_assert_int_eq(c.end, JT_CHILD_EXITED);
    ck_assert_int_eq(c.exit_status, 1);
    ck_assert_ptr_nonnull(strstr(jt_buf_str(&c.err.head), "MemoryError"));
    ck_assert_uint_eq(c.peak_memory_bytes, 0);
    jt_child_release(&c);
    check_clean();
}
END_TEST

START_TEST(pinned_to_the_cpu)
{
    cpu_set_t set;
    ck_assert_int_eq(sched_getaffinity(0, sizeof set, &set), 0);
    int cpu = -1;
    for (int i = 0; i < CPU_SETSIZE; i++)
        if (CPU_ISSET(i, &set)) cpu = i;
    const char *argv[] = {PYTHON, "-c", "import os; print(sorted(os.sched_getaffinity(0)))", NULL};
    jt_child c;
    jt_child_init(&c);
    c.cpu = cpu;
    run_to_end(&c, argv, _i, 10);
    char *want = jt_xasprintf("[%d]\n", cpu);
    ck_assert_str_eq(jt_buf_str(&c.out.head), want);
    free(want);
    jt_child_release(&c);
    check_clean();
}
END_TEST

START_TEST(exec_failure_leaves_nothing)
{
    const char *argv[] = {"/nonexistent/program", NULL};
    jt_child c;
    jt_child_init(&c);
    c.argv = argv;
    c.no_namespaces = _i == 1;
    c.no_private_root = _i == 2;
    jt_err err = JT_ERR_INIT;
    ck_assert_int_eq(jt_child_start(&c, &err), -1);
    ck_assert_str_eq(jt_err_msg(&err),
                     "cannot start '/nonexistent/program': execve: No such file or directory");
    ck_assert_ptr_null(c.workdir);
    ck_assert_int_eq(c.pid, -1);
    jt_child_release(&c); /* harmless after a failed start */
    jt_err_clear(&err);
    const char *bare[] = {"python3", NULL};
    c.argv = bare;
    ck_assert_int_eq(jt_child_start(&c, &err), -1);
    jt_err_clear(&err);
    check_clean();
}
END_TEST

/* Whether `pid` is gone or a zombie, waiting up to `seconds` for it. */
static bool dies_within(pid_t pid, double seconds)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    for (double end = now() + seconds; now() < end;) {
        char *stat = jt_test_read_file(path);
        char *rp = stat ? strrchr(stat, ')') : NULL;
        bool dead = !rp || rp[2] == 'Z' || rp[2] == 'X';
        free(stat);
        if (dead) return true;
        struct timespec ts = {0, 10000000L}; /* polling an event, not pacing the test */
        nanosleep(&ts, NULL);
    }
    return false;
}

/* A harness that dies without releasing its child takes the child along
 * (PR_SET_PDEATHSIG; in namespaces, everything the child forked too). */
START_TEST(harness_death_kills_the_child)
{
    int pfd[2];
    ck_assert_int_eq(pipe(pfd), 0);
    pid_t harness = fork();
    ck_assert_int_ge(harness, 0);
    if (harness == 0) { /* plays a harness that crashes */
        const char *argv[] = {PYTHON, "-c", "import time; time.sleep(300)", NULL};
        jt_child c;
        jt_child_init(&c);
        c.argv = argv;
        c.no_namespaces = _i == 1;
        jt_err err = JT_ERR_INIT;
        if (jt_child_start(&c, &err) < 0) _exit(1);
        char msg[4200];
        int n = snprintf(msg, sizeof msg, "%d %s", (int)c.pid, c.workdir);
        if (write(pfd[1], msg, (size_t)n) != n) _exit(1);
        _exit(0);
    }
    close(pfd[1]);
    char msg[4200] = "";
    ssize_t n = read(pfd[0], msg, sizeof msg - 1);
    close(pfd[0]);
    int status;
    ck_assert_int_eq(waitpid(harness, &status, 0), harness);
    ck_assert_int_gt(n, 0);
    msg[n] = '\0';
    int pid = atoi(msg);
    ck_assert_int_gt(pid, 1);
    ck_assert_msg(dies_within(pid, 5), "child %d outlived its harness", pid);
    /* a dead harness cannot clean up its session directory: the next start does */
    char *session = jt_xstrdup(strchr(msg, ' ') + 1);
    *strrchr(session, '/') = '\0';
    struct stat st;
    ck_assert_int_eq(stat(session, &st), 0);
    const char *argv[] = {"/bin/true", NULL};
    jt_child c;
    jt_child_init(&c);
    run_to_end(&c, argv, _i, 10);
    jt_child_release(&c);
    ck_assert_int_eq(stat(session, &st), -1);
    free(session);
    check_clean();
}
END_TEST

static Suite *child_suite(void)
{
    Suite *s = suite_create("child");
    TCase *tc = tcase_create("sandbox");
    int modes = root() ? 2 : 1, all_modes = root() ? 3 : 1;
    /* Modes 1 and 2 run the child as nobody on the host's own tree: where
     * nobody cannot run programs there, only the private root (mode 0) can. */
    const char *blocked = root() ? jt_test_nobody_blocked() : NULL;
    if (blocked) {
        jt_test_skip_case("loop modes 1 (no namespaces) and 2 (no private root)", blocked);
        modes = all_modes = 1;
    }
    tcase_set_timeout(tc, 30);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, env_is_minimal, 0, all_modes);
    tcase_add_loop_test(tc, fds_stdin_and_limits, 0, modes);
    tcase_add_loop_test(tc, identity_and_isolation, 0, all_modes);
    tcase_add_loop_test(tc, timeout_kills_the_group, 0, modes);
    tcase_add_test(tc, workdir_space_is_capped);
    tcase_add_loop_test(tc, workdir_removed_despite_chmod, 0, all_modes);
    tcase_add_loop_test(tc, output_is_capped_and_drained, 0, modes);
    tcase_add_loop_test(tc, protocol_roundtrip_and_timeout, 0, modes);
    tcase_add_loop_test(tc, reply_then_death_is_closed, 0, modes);
    tcase_add_loop_test(tc, segfault_is_a_crash, 0, modes);
    tcase_add_loop_test(tc, cpu_limit_is_a_timeout, 0, modes);
    tcase_add_loop_test(tc, memory_limit_applies, 0, modes);
    tcase_add_loop_test(tc, memory_limit_without_cgroup_is_rlimit_as, 0, modes);
    tcase_add_loop_test(tc, pinned_to_the_cpu, 0, modes);
    tcase_add_loop_test(tc, exec_failure_leaves_nothing, 0, all_modes);
    tcase_add_loop_test(tc, harness_death_kills_the_child, 0, modes);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(child_suite)
