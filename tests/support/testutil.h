/* Shared helpers for JouleTrace's Check tests.
 *
 * Each tests/test_<module>.c is its own binary (they mirror harness/ modules)
 * and ends with JT_TEST_MAIN(<module>_suite). Tests that need root or real
 * hardware call jt_test_skip() from main's suite builder, which exits 77 with
 * the reason (tests/run-tests.sh counts it as skipped, never as passed). */
#ifndef JT_TESTUTIL_H
#define JT_TESTUTIL_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>

/* Path of the source tree (tests read fixtures from it) and of the build
 * directory (tests run the built binary). Set by tests/run-tests.sh;
 * default to "." and "build". */
const char *jt_test_srcdir(void);
const char *jt_test_builddir(void);
/* "<builddir>/jouletrace" */
const char *jt_test_binary(void);

/* The shared public datasets: "<srcdir>/../shared/corpora" (CI lays shared/
 * beside the clone), else /work/shared/corpora. Caller frees. */
char *jt_test_corpora(void);

/* A fresh temporary directory; removed recursively by jt_test_tmpdir_free. */
char *jt_test_tmpdir(void);
void jt_test_tmpdir_free(char *dir);
/* Removes a tree (no symlink following). Returns 0 or -1. */
int jt_test_rmtree(const char *path);

/* Writes `content` to dir/name (creating parent dirs); returns the malloc'd path. */
char *jt_test_write_file(const char *dir, const char *name, const char *content);
/* Reads a whole file; NULL when unreadable. Caller frees. */
char *jt_test_read_file(const char *path);
/* The text of "<srcdir>/tests/fixtures/<name>"; a failed Check assertion
 * when unreadable. Caller frees. */
char *jt_test_fixture(const char *name);

/* Runs argv (argv[0] is looked up in PATH unless it has a '/') with stdin
 * from `input` (may be NULL), capturing stdout and stderr (malloc'd, caller
 * frees; pass NULL to discard). Returns the exit status, 128+signal when
 * killed, -1 when it could not run. `env` entries ("K=V") are added. */
int jt_test_run(const char *const *argv, const char *const *env, const char *input,
                char **out, char **err);

/* Number of processes (other than ourselves) whose parent is us or whose
 * command line contains `marker`; used to prove nothing is left behind. */
int jt_test_count_procs(const char *marker);
/* The /proc walk behind it: processes (other than ourselves) whose command
 * line contains `marker`; with or_child_of_parent, also every live child of
 * `parent`; without, only children of `parent` that have the marker. */
int jt_test_procs_matching(long parent, const char *marker, bool or_child_of_parent);

/* The sandbox fixture of test_child and test_pyrun (tcase_add_checked_fixture
 * with setup/teardown): a private TMPDIR where the children's workdirs go,
 * and the number of open fds at setup; check_clean asserts that nothing is
 * left: no process of ours, no workdir, no fd. */
void jt_test_sandbox_setup(void);
void jt_test_sandbox_teardown(void);
void jt_test_sandbox_check_clean(void);
/* CLOCK_MONOTONIC in seconds. */
double jt_test_now(void);

void jt_test_skip(const char *why) __attribute__((noreturn));

/* Forks a child that exits with fn(arg, fd), fd being the write end of a
 * pipe (close-on-exec); with `pw` non-NULL the child first becomes that
 * user (setgroups(0), setgid, setuid: exit 126 when one fails). Returns
 * everything written to the pipe (malloc'd) and the child's wait status in
 * *status; NULL when it could not fork. */
struct passwd;
char *jt_test_fork_capture(const struct passwd *pw, int (*fn)(void *arg, int fd), void *arg,
                           int *status);

/* NULL when a process dropped to user nobody can run /bin/true on this host;
 * else why not (e.g. a tree whose '/' is mode 0700: nobody can reach nothing).
 * Cases that play an unprivileged user outside the sandbox's private root
 * need it; where it fails they are left out with jt_test_skip_case(). */
const char *jt_test_nobody_blocked(void);
/* In a forked child before exec: SIGINT, SIGTERM and SIGHUP back to their
 * default action and unblocked. A test run from cron, nohup or a background
 * job inherits them ignored, and the program under test would inherit that. */
void jt_test_default_signals(void);
/* Prints "SKIP-CASE: <name>: <why>"; run-tests.sh counts these lines. */
void jt_test_skip_case(const char *name, const char *why);

#define JT_TEST_MAIN(suite_fn)                                         \
    int main(void)                                                     \
    {                                                                  \
        SRunner *sr = srunner_create(suite_fn());                      \
        srunner_run_all(sr, CK_NORMAL);                                \
        int failed = srunner_ntests_failed(sr);                        \
        srunner_free(sr);                                              \
        return failed == 0 ? 0 : 1;                                    \
    }

#endif
