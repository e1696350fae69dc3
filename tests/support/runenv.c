#include "support/runenv.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jouletrace/common.h"
#include "support/testutil.h"

#define MAX_ARGS 32

static void add_entry(jt_runenv *e, char *entry)
{
    size_t n = 0;
    while (e->envs[n]) n++;
    ck_assert_msg(n < JT_RUNENV_MAX_ENV, "jt_runenv: more than %d variables", JT_RUNENV_MAX_ENV);
    e->envs[n] = entry;
    e->envs[n + 1] = NULL;
}

void jt_runenv_init(jt_runenv *e, const char *suite_name, const char *suite_yaml,
                    const char *powercap_root)
{
    *e = (jt_runenv){0};
    e->dir = jt_test_tmpdir();
    if (suite_name && suite_yaml) e->suite = jt_test_write_file(e->dir, suite_name, suite_yaml);
    e->calib = jt_xasprintf("%s/calib.json", e->dir);
    e->lock = jt_xasprintf("%s/socket0.lock", e->dir);
    e->out = jt_xasprintf("%s/run", e->dir);
    add_entry(e, jt_xasprintf("JOULETRACE_CALIBRATION=%s", e->calib));
    add_entry(e, jt_xasprintf("JOULETRACE_LOCK_FILE=%s", e->lock));
    add_entry(e, jt_xasprintf("JOULETRACE_POWERCAP_ROOT=%s", powercap_root ? powercap_root : "/nonexistent"));
    /* the expected-output cache and state directory stay in the test's own directory */
    add_entry(e, jt_xasprintf("JOULETRACE_CACHE=%s/cache", e->dir));
    add_entry(e, jt_xasprintf("JOULETRACE_STATE_DIR=%s/state", e->dir));
}

void jt_runenv_add(jt_runenv *e, char *entry)
{
    add_entry(e, entry);
}

void jt_runenv_free(jt_runenv *e)
{
    for (size_t i = 0; e->envs[i]; i++) free(e->envs[i]);
    free(e->suite), free(e->calib), free(e->lock), free(e->out);
    jt_test_tmpdir_free(e->dir);
    *e = (jt_runenv){0};
}

int jt_runenv_run(const jt_runenv *e, const char *const *args, char **out, char **err)
{
    const char *argv[MAX_ARGS + 2] = {jt_test_binary()};
    size_t n = 0;
    while (args[n]) {
        ck_assert_msg(n < MAX_ARGS, "jt_runenv_run: more than %d arguments", MAX_ARGS);
        argv[n + 1] = args[n];
        n++;
    }
    argv[n + 1] = NULL;
    return jt_test_run(argv, (const char *const *)e->envs, NULL, out, err);
}

void jt_runenv_calibrate(const jt_runenv *e)
{
    char *out = NULL, *err = NULL;
    const char *a[] = {"calibrate", "--backend", "model", "--windows", "3", "--seconds", "0.05", NULL};
    int rc = jt_runenv_run(e, a, &out, &err);
    ck_assert_msg(rc == 0, "calibrate: %d\n%s\n%s", rc, out, err);
    free(out), free(err);
}

pid_t jt_runenv_spawn(const jt_runenv *e, const char *const *args, const char *log,
                      const int *pending)
{
    const char *argv[MAX_ARGS + 2] = {"jouletrace"};
    size_t n = 0;
    while (args[n]) {
        ck_assert_msg(n < MAX_ARGS, "jt_runenv_spawn: more than %d arguments", MAX_ARGS);
        argv[n + 1] = args[n];
        n++;
    }
    argv[n + 1] = NULL;
    pid_t pid = fork();
    ck_assert(pid >= 0);
    if (pid > 0) return pid;
    for (int i = 0; e->envs[i]; i++) putenv(e->envs[i]);
    int null = open("/dev/null", O_RDWR);
    int lfd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (null < 0 || lfd < 0) _exit(126);
    dup2(null, 0), dup2(null, 1), dup2(lfd, 2);
    jt_test_default_signals(); /* the signal tests must not inherit nohup's SIG_IGN */
    if (pending) {
        /* blocked, then raised: pending across execve, as when it comes
         * before the program could install anything */
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, *pending);
        sigprocmask(SIG_BLOCK, &set, NULL);
        raise(*pending);
    }
    execv(jt_test_binary(), (char *const *)(uintptr_t)argv);
    _exit(127);
}

int jt_runenv_children_with(pid_t parent, const char *marker)
{
    return jt_test_procs_matching((long)parent, marker, false);
}

int jt_runenv_await_runner(pid_t parent)
{
    for (int spins = 0; spins < 3000; spins++) {
        if (jt_runenv_children_with(parent, JT_RUNENV_RUNNER_MARKER) > 0) return 1;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return 0;
}
