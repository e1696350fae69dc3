/* The session directories of harness/exec/child_session.c: a harness
 * SIGKILLed with a child running leaves its session directory, and the
 * next start in the same TMPDIR removes it (chmod'ed contents too) while a
 * live session (ours), one being created (no lock yet) and, as root,
 * another user's stay; the last release removes our own; a candidate
 * cannot reach the lock. Runs as any user. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jouletrace/child.h"
#include "jouletrace/fsutil.h"
#include "support/testutil.h"

#define PYTHON "/usr/bin/python3"

#define setup jt_test_sandbox_setup
#define teardown jt_test_sandbox_teardown
#define check_clean jt_test_sandbox_check_clean

static const char *const sleeper[] = {"/bin/sleep", "300", NULL};

static void start(jt_child *c, const char *const *argv, bool no_namespaces)
{
    jt_err err = JT_ERR_INIT;
    jt_child_init(c);
    c->argv = argv;
    c->no_namespaces = no_namespaces;
    ck_assert_msg(jt_child_start(c, &err) == 0, "start: %s", jt_err_msg(&err));
    jt_err_clear(&err);
}

/* The session directory that holds a child's workdir. Caller frees. */
static char *session_of(const char *workdir)
{
    char *s = jt_xstrdup(workdir);
    *strrchr(s, '/') = '\0';
    const char *base = strrchr(s, '/') + 1;
    ck_assert_msg(!strncmp(base, "jouletrace-session.", 19), "%s", s);
    return s;
}

static bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

START_TEST(dead_sessions_go_live_ones_stay)
{
    jt_child live;
    start(&live, sleeper, false);
    char *own = session_of(live.workdir);
    struct stat st;
    ck_assert_int_eq(stat(own, &st), 0);
    ck_assert_uint_eq(st.st_mode & 07777, 0711);
    ck_assert_uint_eq(st.st_uid, geteuid());
    char *lock = jt_xasprintf("%s/lock", own);
    ck_assert_int_eq(lstat(lock, &st), 0);
    ck_assert(S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0600);
    int probe = open(lock, O_RDONLY | O_CLOEXEC);
    ck_assert_int_ge(probe, 0);
    ck_assert_int_eq(flock(probe, LOCK_EX | LOCK_NB), -1); /* held for our lifetime */
    ck_assert_int_eq(errno, EWOULDBLOCK);
    close(probe);

    /* a harness that started a child, then is SIGKILLed */
    int pfd[2];
    ck_assert_int_eq(pipe(pfd), 0);
    pid_t harness = fork();
    ck_assert_int_ge(harness, 0);
    if (harness == 0) {
        close(pfd[0]);
        jt_child c;
        jt_child_init(&c);
        c.argv = sleeper;
        jt_err err = JT_ERR_INIT;
        if (jt_child_start(&c, &err) < 0) _exit(1);
        if (write(pfd[1], c.workdir, strlen(c.workdir)) < 0) _exit(1);
        close(pfd[1]);
        for (;;) pause();
    }
    close(pfd[1]);
    char msg[4200] = "";
    ssize_t n = read(pfd[0], msg, sizeof msg - 1);
    close(pfd[0]);
    ck_assert_int_gt(n, 0);
    ck_assert_int_eq(kill(harness, SIGKILL), 0);
    int status;
    ck_assert_int_eq(waitpid(harness, &status, 0), harness);
    char *stale = session_of(msg);
    ck_assert_str_ne(stale, own);
    ck_assert(exists(stale)); /* nobody cleaned up after it */
    /* what a candidate of the fallback may leave: a tree chmod'ed to 0 */
    char *deep = jt_xasprintf("%s/a/b", msg);
    ck_assert_int_eq(jt_mkdirs(deep, 0755, NULL), 0);
    free(jt_test_write_file(deep, "f", "x"));
    char *a = jt_xasprintf("%s/a", msg);
    ck_assert_int_eq(chmod(deep, 0), 0);
    ck_assert_int_eq(chmod(a, 0), 0);

    /* a session being created (no lock yet) and, as root, another user's */
    const char *tmp = getenv("TMPDIR");
    char *young = jt_xasprintf("%s/jouletrace-session.young", tmp);
    ck_assert_int_eq(mkdir(young, 0711), 0);
    char *other = NULL;
    struct passwd *nobody = geteuid() == 0 ? getpwnam("nobody") : NULL;
    if (nobody) {
        other = jt_xasprintf("%s/jouletrace-session.other", tmp);
        ck_assert_int_eq(mkdir(other, 0711), 0);
        char *olock = jt_test_write_file(other, "lock", "");
        ck_assert_int_eq(chown(olock, nobody->pw_uid, nobody->pw_gid), 0);
        ck_assert_int_eq(chown(other, nobody->pw_uid, nobody->pw_gid), 0);
        free(olock);
    }

    jt_child next;
    start(&next, (const char *const[]){"/bin/true", NULL}, false);
    ck_assert_msg(!exists(stale), "%s survived the next start", stale);
    ck_assert(exists(own));
    ck_assert(exists(young));
    ck_assert(!other || exists(other));
    ck_assert_int_eq(kill(live.pid, 0), 0); /* untouched */
    jt_err err = JT_ERR_INIT;
    ck_assert_int_eq(jt_child_wait(&next, 30, &err), 0);
    jt_child_release(&next);
    ck_assert(exists(own)); /* still has a child */
    jt_child_release(&live);
    ck_assert_msg(!exists(own), "the last release leaves %s", own);

    ck_assert_int_eq(rmdir(young), 0);
    if (other) ck_assert_int_eq(jt_test_rmtree(other), 0);
    free(other), free(young), free(a), free(deep), free(stale), free(lock), free(own);
    check_clean();
}
END_TEST

/* The candidate's view of its session: in the namespaces nothing (the
 * host's TMPDIR is out of sight); without them (root's fallback, as
 * nobody) neither the session directory's listing nor the lock. */
START_TEST(lock_out_of_reach)
{
    const char *script =
        "import os, sys\n"
        "def tries(f):\n"
        "    try:\n"
        "        f()\n"
        "        return 'ok'\n"
        "    except OSError as e:\n"
        "        return type(e).__name__\n"
        "print(os.path.exists(sys.argv[1]), tries(lambda: os.listdir('..')),\n"
        "      tries(lambda: open('../lock', 'r+')), tries(lambda: open('../lock')))\n";
    for (int no_ns = 0; no_ns < 2; no_ns++) {
        jt_child probe;
        start(&probe, sleeper, false); /* to know the session's path */
        char *own = session_of(probe.workdir);
        const char *argv[] = {PYTHON, "-c", script, own, NULL};
        jt_child c;
        start(&c, argv, no_ns);
        jt_err err = JT_ERR_INIT;
        ck_assert_int_eq(jt_child_wait(&c, 30, &err), 0);
        ck_assert_msg(c.end == JT_CHILD_EXITED && c.exit_status == 0, "%s",
                      jt_buf_str(&c.err.head));
        /* in the namespaces '..' is the sandbox's own /tmp, holding no lock */
        ck_assert_str_eq(jt_buf_str(&c.out.head),
                         no_ns ? "True PermissionError PermissionError PermissionError\n"
                               : "False ok FileNotFoundError FileNotFoundError\n");
        jt_child_release(&c);
        jt_child_release(&probe);
        free(own);
    }
    check_clean();
}
END_TEST

static Suite *child_session_suite(void)
{
    Suite *s = suite_create("child_session");
    TCase *tc = tcase_create("session");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, dead_sessions_go_live_ones_stay);
    /* as root it plays a candidate without namespaces: nobody on the host's tree */
    const char *blocked = geteuid() == 0 ? jt_test_nobody_blocked() : NULL;
    if (geteuid() != 0) jt_test_skip_case("lock_out_of_reach", "not root: candidates run as you");
    else if (blocked) jt_test_skip_case("lock_out_of_reach", blocked);
    else tcase_add_test(tc, lock_out_of_reach);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(child_session_suite)
