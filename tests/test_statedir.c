/* Tests for harness/util/statedir.c and the calibration's location: where an
 * installed jouletrace keeps its calibration and cache for root and for
 * other users, what overrides what, and that `calibrate` and `status` say
 * where and create only what is missing. Nothing here reads or writes the
 * real /var/lib/jouletrace, /var/cache/jouletrace or ~: the defaults are
 * computed, never used, and the commands get a temporary state directory. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jouletrace/calibration.h"
#include "jouletrace/statedir.h"
#include "support/testutil.h"

static const char *const vars[] = {"JOULETRACE_STATE_DIR", "JOULETRACE_CACHE",
                                   "JOULETRACE_CALIBRATION", "XDG_STATE_HOME", "XDG_CACHE_HOME",
                                   "HOME", NULL};

/* Each test starts from a clean environment for the variables above. */
static void clear_env(void)
{
    for (size_t i = 0; vars[i]; i++) unsetenv(vars[i]);
}

typedef struct locate_job {
    uid_t euid;
    jt_dir_kind kind;
    const char *flag;
} locate_job;

static int locate_child(void *arg, int fd)
{
    const locate_job *job = arg;
    if (job->euid != geteuid() && seteuid(job->euid) != 0) return 2;
    const char *src = NULL;
    jt_err e = JT_ERR_INIT;
    char *d = jt_dir_locate(job->kind, job->flag, &src, &e);
    char *line = d ? jt_xasprintf("%s|%s", d, src) : jt_xasprintf("ERR|%s", jt_err_msg(&e));
    ssize_t n = write(fd, line, strlen(line));
    free(line);
    free(d);
    jt_err_clear(&e);
    return n > 0 ? 0 : 3;
}

/* "PATH|SOURCE" as jt_dir_locate computes it with effective uid `euid`
 * (in a child, so the test's own ids never change); "ERR|message" on
 * failure. Caller frees. */
static char *locate_as(uid_t euid, jt_dir_kind kind, const char *flag)
{
    int st;
    char *got = jt_test_fork_capture(NULL, locate_child, &(locate_job){euid, kind, flag}, &st);
    ck_assert_ptr_nonnull(got);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "locate child failed");
    return got;
}

static uid_t other_uid(void)
{
    if (geteuid() != 0) return geteuid(); /* we are the other user already */
    struct passwd *pw = getpwnam("nobody");
    ck_assert_ptr_nonnull(pw);
    return pw->pw_uid;
}

#define ASSERT_LOCATES(euid, kind, flag, want)                                  \
    do {                                                                        \
        char *got_ = locate_as((euid), (kind), (flag));                         \
        ck_assert_str_eq(got_, (want));                                         \
        free(got_);                                                             \
    } while (0)

START_TEST(state_dir_for_users_follows_xdg_then_home)
{
    clear_env();
    uid_t u = other_uid();
    setenv("HOME", "/home/someone", 1);
    ASSERT_LOCATES(u, JT_DIR_STATE, NULL,
                   "/home/someone/.local/state/jouletrace|default: ~/.local/state");
    ASSERT_LOCATES(u, JT_DIR_CACHE, NULL, "/home/someone/.cache/jouletrace|default: ~/.cache");
    setenv("XDG_STATE_HOME", "/xdg/state", 1);
    setenv("XDG_CACHE_HOME", "/xdg/cache", 1);
    ASSERT_LOCATES(u, JT_DIR_STATE, NULL, "/xdg/state/jouletrace|XDG_STATE_HOME");
    ASSERT_LOCATES(u, JT_DIR_CACHE, NULL, "/xdg/cache/jouletrace|XDG_CACHE_HOME");
    /* the XDG spec: relative values are invalid and ignored */
    setenv("XDG_STATE_HOME", "relative/state", 1);
    ASSERT_LOCATES(u, JT_DIR_STATE, NULL,
                   "/home/someone/.local/state/jouletrace|default: ~/.local/state");
    /* jouletrace's own variables and the flag come first */
    setenv("JOULETRACE_STATE_DIR", "/env/state", 1);
    setenv("JOULETRACE_CACHE", "/env/cache", 1);
    ASSERT_LOCATES(u, JT_DIR_STATE, NULL, "/env/state|JOULETRACE_STATE_DIR");
    ASSERT_LOCATES(u, JT_DIR_CACHE, NULL, "/env/cache|JOULETRACE_CACHE");
    ASSERT_LOCATES(u, JT_DIR_STATE, "/flag/state", "/flag/state|--state-dir");
    ASSERT_LOCATES(u, JT_DIR_CACHE, "/flag/ignored", "/env/cache|JOULETRACE_CACHE"); /* no cache flag */
    clear_env();
}
END_TEST

/* Without HOME the passwd entry's home is used, never the current
 * directory or a shared /tmp; without one either, the error names the fix.
 * (The passwd lookup is the child's own: it may not read what root can.) */
START_TEST(without_home_the_passwd_home_is_used)
{
    clear_env();
    uid_t u = other_uid();
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (u != geteuid() && seteuid(u) != 0) _exit(2);
        struct passwd *pw = getpwuid(u);
        char *want = pw && pw->pw_dir[0] == '/'
                         ? jt_xasprintf("%s/.local/state/jouletrace", pw->pw_dir)
                         : NULL;
        jt_err e = JT_ERR_INIT;
        char *got = jt_dir_locate(JT_DIR_STATE, NULL, NULL, &e);
        int ok = want ? got && !strcmp(got, want)
                      : !got && strstr(jt_err_msg(&e), "JOULETRACE_STATE_DIR") != NULL;
        if (!ok)
            fprintf(stderr, "want %s, got %s (%s)\n", want ? want : "an error", got ? got : "NULL",
                    jt_err_msg(&e));
        free(want), free(got);
        jt_err_clear(&e);
        _exit(ok ? 0 : 1);
    }
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "passwd fallback wrong (see the log)");
}
END_TEST

START_TEST(root_uses_var_whatever_xdg_says)
{
    clear_env();
    setenv("HOME", "/root", 1);
    setenv("XDG_STATE_HOME", "/xdg/state", 1);
    setenv("XDG_CACHE_HOME", "/xdg/cache", 1);
    ASSERT_LOCATES(0, JT_DIR_STATE, NULL, "/var/lib/jouletrace|default for root");
    ASSERT_LOCATES(0, JT_DIR_CACHE, NULL, "/var/cache/jouletrace|default for root");
    setenv("JOULETRACE_STATE_DIR", "/env/state", 1);
    ASSERT_LOCATES(0, JT_DIR_STATE, NULL, "/env/state|JOULETRACE_STATE_DIR");
    ASSERT_LOCATES(0, JT_DIR_STATE, "/flag/state", "/flag/state|--state-dir");
    clear_env();
}
END_TEST

/* The calibration file: command line before environment, a file before a
 * directory. */
START_TEST(calibration_path_precedence)
{
    static const struct {
        const char *file, *state_dir, *env_file, *env_dir, *want, *source;
    } cases[] = {
        {"/f", "/d", "/ef", "/ed", "/f", "--calibration"},
        {NULL, "/d", "/ef", "/ed", "/d/socket0_calibration.json", "--state-dir"},
        {NULL, NULL, "/ef", "/ed", "/ef", "JOULETRACE_CALIBRATION"},
        {NULL, NULL, NULL, "/ed", "/ed/socket0_calibration.json", "JOULETRACE_STATE_DIR"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        clear_env();
        if (cases[i].env_file) setenv("JOULETRACE_CALIBRATION", cases[i].env_file, 1);
        if (cases[i].env_dir) setenv("JOULETRACE_STATE_DIR", cases[i].env_dir, 1);
        const char *src = NULL;
        jt_err e = JT_ERR_INIT;
        char *p = jt_calibration_path(cases[i].file, cases[i].state_dir, &src, &e);
        ck_assert_msg(p != NULL, "case %zu: %s", i, jt_err_msg(&e));
        ck_assert_str_eq(p, cases[i].want);
        ck_assert_str_eq(src, cases[i].source);
        free(p);
    }
    clear_env();
}
END_TEST

static int run_cmd(const char *const *args, const char *const *env, char **out, char **err)
{
    const char *argv[16] = {jt_test_binary()};
    size_t n = 1;
    for (; args[n - 1] && n < 15; n++) argv[n] = args[n - 1];
    argv[n] = NULL;
    return jt_test_run(argv, env, NULL, out, err);
}

/* `calibrate` writes into the state directory, creating only the missing
 * directories (an existing one keeps its mode), and says where; `status`
 * and `run`'s flag find it there, wherever they are started from. */
START_TEST(calibrate_and_status_use_and_name_the_state_dir)
{
    char *dir = jt_test_tmpdir();
    char *parent = jt_xasprintf("%s/existing", dir);
    ck_assert_int_eq(mkdir(parent, 0700), 0);
    char *state = jt_xasprintf("%s/new/state", parent);
    char *lock = jt_xasprintf("JOULETRACE_LOCK_FILE=%s/socket0.lock", dir);
    char *cache = jt_xasprintf("JOULETRACE_CACHE=%s/cache", dir);
    const char *env[] = {lock, cache, "JOULETRACE_CALIBRATION=", "JOULETRACE_STATE_DIR=",
                         "JOULETRACE_POWERCAP_ROOT=/nonexistent", NULL};
    char *out, *err;
    const char *cal[] = {"calibrate", "--backend", "model", "--windows", "3", "--seconds", "0.02",
                         "--state-dir", state, NULL};
    int rc = run_cmd(cal, env, &out, &err);
    ck_assert_msg(rc == 0, "calibrate: %d %s", rc, err);
    char *file = jt_xasprintf("%s/socket0_calibration.json", state);
    char *said = jt_xasprintf("calibration written to %s ", file);
    ck_assert_msg(strstr(out, said) && strstr(out, "location from: --state-dir"), "%s", out);
    struct stat sb;
    ck_assert_int_eq(stat(file, &sb), 0);
    ck_assert_int_eq(stat(parent, &sb), 0);
    ck_assert_int_eq(sb.st_mode & 07777, 0700); /* existing: untouched */
    ck_assert_int_eq(stat(state, &sb), 0);
    ck_assert(S_ISDIR(sb.st_mode) && (sb.st_mode & 0022) == 0);
    free(out), free(err);

    /* status finds it through the environment variable, and says so */
    char *env_dir = jt_xasprintf("JOULETRACE_STATE_DIR=%s", state);
    const char *env2[] = {lock, cache, "JOULETRACE_CALIBRATION=", env_dir,
                          "JOULETRACE_POWERCAP_ROOT=/nonexistent", NULL};
    const char *st[] = {"status", "--backend", "model", NULL};
    run_cmd(st, env2, &out, &err);
    char *line = jt_xasprintf("calibration file: %s (location from: JOULETRACE_STATE_DIR)", file);
    ck_assert_msg(strstr(out, line), "%s", out);
    ck_assert_msg(strstr(out, "package idle") && strstr(out, ": usable"), "%s", out);
    free(out), free(err), free(line);
    /* and --state-dir elsewhere wins over the variable */
    char *other = jt_xasprintf("%s/other", dir);
    const char *st2[] = {"status", "--backend", "model", "--state-dir", other, NULL};
    ck_assert_int_eq(run_cmd(st2, env2, &out, &err), 4);
    line = jt_xasprintf("no calibration at %s/socket0_calibration.json", other);
    ck_assert_msg(strstr(out, line) && strstr(out, "(location from: --state-dir)"), "%s", out);
    ck_assert_int_eq(access(other, F_OK), -1); /* status creates nothing */
    free(out), free(err), free(line), free(other);

    free(env_dir), free(said), free(file), free(state), free(parent), free(lock), free(cache);
    jt_test_tmpdir_free(dir);
}
END_TEST

static Suite *statedir_suite(void)
{
    Suite *s = suite_create("statedir");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    /* as root these play user nobody */
    const char *blocked = geteuid() == 0 ? jt_test_nobody_blocked() : NULL;
    if (blocked) {
        jt_test_skip_case("state_dir_for_users_follows_xdg_then_home", blocked);
        jt_test_skip_case("without_home_the_passwd_home_is_used", blocked);
    } else {
        tcase_add_test(tc, state_dir_for_users_follows_xdg_then_home);
        tcase_add_test(tc, without_home_the_passwd_home_is_used);
    }
    tcase_add_test(tc, calibration_path_precedence);
    tcase_add_test(tc, calibrate_and_status_use_and_name_the_state_dir);
    if (geteuid() == 0) tcase_add_test(tc, root_uses_var_whatever_xdg_says);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(statedir_suite)
