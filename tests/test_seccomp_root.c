/* End to end as root (tests/fixtures/seccomp/suite.yaml on the model
 * backend): a Python function candidate and a command-mode C program try
 * unshare, mount, ptrace of the runner, process_vm_readv, the runner's
 * /proc/PID/mem, sched_setaffinity, perf_event_open and keyctl; each gets an
 * ordinary error, so both are judged correct and measured. With the filter
 * off the same probes get through and are judged incorrect (the test can
 * fail), and the run warns once. Hostile error messages reach results.csv
 * and leaderboard.csv as safe cells, and `jouletrace leaderboard` re-reading
 * results.csv writes them unchanged. Skips (77) without root or without the
 * full sandbox. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jouletrace/report.h"
#include "jouletrace/sandbox.h"
#include "jouletrace/seccomp.h"
#include "support/runenv.h"
#include "support/testutil.h"

#define FORMULA_CELL "'=HYPERLINK(\"http://x\",\"y\")"
#define ESCAPE_CELL                                                                          \
    "test 'sq3' raised ValueError: \\x1b[31mred\\nsecond line\\r\\n\\u009bend (2 of 2 tests " \
    "failed)"

static void read_csv(const char *path, jt_csv_table *t)
{
    jt_err err = JT_ERR_INIT;
    ck_assert_msg(jt_csv_read_file(path, t, &err) == 0, "%s", jt_err_msg(&err));
}

/* The cell of candidate `id` in column `col`; a failed assertion when absent. */
static const char *cell(const jt_csv_table *t, const char *id, const char *col)
{
    long ci = jt_csv_col(t, "candidate"), cc = jt_csv_col(t, col);
    ck_assert_msg(ci >= 0 && cc >= 0, "no column '%s'", col);
    for (size_t r = 0; r < t->nrows; r++)
        if (!strcmp(jt_csv_get(t, r, (size_t)ci), id)) return jt_csv_get(t, r, (size_t)cc);
    ck_abort_msg("no row for '%s'", id);
    return NULL;
}

static bool measured(const char *status)
{
    return !strcmp(status, "completed") || !strcmp(status, "unstable");
}

/* Runs the suite (with `extra_env` when not NULL); returns stderr. */
static char *run_suite(jt_runenv *e, const char *extra_env)
{
    jt_runenv_init(e, NULL, NULL, NULL);
    if (extra_env) jt_runenv_add(e, jt_xstrdup(extra_env));
    jt_runenv_calibrate(e);
    char *path = jt_xasprintf("%s/tests/fixtures/seccomp/suite.yaml", jt_test_srcdir());
    const char *a[] = {"run", path, "-o", e->out, "--backend", "model", "--quiet", NULL};
    char *out = NULL, *errs = NULL;
    int rc = jt_runenv_run(e, a, &out, &errs);
    ck_assert_msg(rc == 0, "run: exit %d\n%s", rc, errs);
    free(out), free(path);
    return errs;
}

START_TEST(probes_get_errors_and_are_judged)
{
    jt_runenv e;
    char *errs = run_suite(&e, NULL);
    ck_assert_msg(!strstr(errs, "sandbox"), "%s", errs);
    char *res = jt_xasprintf("%s/results.csv", e.out), *lb = jt_xasprintf("%s/leaderboard.csv", e.out);
    jt_csv_table t, b;
    read_csv(res, &t);
    read_csv(lb, &b);
    static const char *const probes[] = {"py-probe", "cmd-probe"};
    for (size_t i = 0; i < 2; i++) {
        ck_assert_msg(measured(cell(&t, probes[i], "status")), "%s: %s: %s", probes[i],
                      cell(&t, probes[i], "status"), cell(&t, probes[i], "error"));
        ck_assert_str_eq(cell(&t, probes[i], "is_correct"), "true");
        ck_assert_str_eq(cell(&t, probes[i], "error"), "");
    }
    /* safe cells, the same in both files; the '-' of an id stays */
    ck_assert_str_eq(cell(&t, "csv-formula", "status"), "load_error");
    ck_assert_str_eq(cell(&t, "csv-formula", "error"), FORMULA_CELL);
    ck_assert_str_eq(cell(&b, "csv-formula", "error"), FORMULA_CELL);
    ck_assert_str_eq(cell(&t, "-csv-escape", "status"), "incorrect");
    ck_assert_str_eq(cell(&t, "-csv-escape", "error"), ESCAPE_CELL);
    ck_assert_str_eq(cell(&b, "-csv-escape", "error"), ESCAPE_CELL);
    char *text = jt_test_read_file(res);
    ck_assert_msg(text && !strchr(text, '\x1b') && !strchr(text, '\r') &&
                      !strstr(text, "\xC2\x9B") && !strstr(text, ",=HYPERLINK"),
                  "%s", text);
    free(text);

    /* leaderboard re-reads results.csv: nothing neutralised twice */
    char *lb2 = jt_xasprintf("%s/again.csv", e.dir);
    const char *a[] = {"leaderboard", res, "-o", lb2, NULL};
    char *out = NULL, *errs2 = NULL;
    ck_assert_msg(jt_runenv_run(&e, a, &out, &errs2) == 0, "%s", errs2);
    jt_csv_table b2;
    read_csv(lb2, &b2);
    ck_assert_str_eq(cell(&b2, "csv-formula", "error"), FORMULA_CELL);
    ck_assert_str_eq(cell(&b2, "-csv-escape", "error"), ESCAPE_CELL);

    jt_csv_free(&t), jt_csv_free(&b), jt_csv_free(&b2);
    free(out), free(errs2), free(lb2), free(res), free(lb), free(errs);
    jt_runenv_free(&e);
}
END_TEST

/* Without the filter: the probes see their attacks work and answer wrong;
 * the run warns once, naming the filter. */
START_TEST(without_filter_probes_get_through)
{
    jt_runenv e;
    char *errs = run_suite(&e, JT_SECCOMP_OFF_ENV "=1");
    size_t warnings = 0;
    for (const char *p = errs; (p = strstr(p, "jouletrace: warning: sandbox weakened: ")); p++)
        warnings++;
    ck_assert_msg(warnings == 1 && strstr(errs, "no seccomp filter"), "%s", errs);
    char *res = jt_xasprintf("%s/results.csv", e.out);
    jt_csv_table t;
    read_csv(res, &t);
    static const char *const probes[] = {"py-probe", "cmd-probe"};
    for (size_t i = 0; i < 2; i++) {
        ck_assert_str_eq(cell(&t, probes[i], "status"), "incorrect");
        ck_assert_msg(strstr(cell(&t, probes[i], "error"), "not refused: "),
                      "%s: %s", probes[i], cell(&t, probes[i], "error"));
    }
    jt_csv_free(&t);
    free(res), free(errs);
    jt_runenv_free(&e);
}
END_TEST

static Suite *seccomp_root_suite(void)
{
    if (geteuid() != 0)
        jt_test_skip("needs root: the probes are judged against the full sandbox (private "
                     "root, PID namespace, user nobody, seccomp)");
#if !defined(__x86_64__)
    jt_test_skip("the probes use x86_64 system call numbers");
#endif
    jt_sandbox sb;
    jt_sandbox_probe(NULL, &sb);
    if (sb.level != JT_SANDBOX_FULL) {
        char *why = jt_sandbox_warning(&sb), msg[1024];
        snprintf(msg, sizeof msg, "needs the full sandbox: %s", why ? why : "?");
        free(why);
        jt_sandbox_release(&sb);
        jt_test_skip(msg);
    }
    jt_sandbox_release(&sb);
    Suite *s = suite_create("seccomp_root");
    TCase *tc = tcase_create("run");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, probes_get_errors_and_are_judged);
    tcase_add_test(tc, without_filter_probes_get_through);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(seccomp_root_suite)
