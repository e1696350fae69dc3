/* `jouletrace leaderboard` end to end: it reproduces a run's own
 * leaderboard.csv from its results.csv, merges two runs (latest measurement
 * per candidate, or all with --all-runs) and marks ties, refuses to rank
 * different hosts together unless --mix-hosts, writes a valid HTML page,
 * and keeps its documented exit codes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jouletrace/report.h"
#include "support/testutil.h"

typedef struct env {
    char *dir, *run1;   /* a tmp dir; run1 = the basic fixture's run with its reports */
} env;

static void env_init(env *e)
{
    e->dir = jt_test_tmpdir();
    e->run1 = jt_xasprintf("%s/run1", e->dir);
    static const char *const files[] = {"run.json", "journal.jsonl"};
    for (size_t i = 0; i < 2; i++) {
        char *src = jt_xasprintf("%s/tests/fixtures/report/basic/%s", jt_test_srcdir(), files[i]);
        char *text = jt_test_read_file(src);
        ck_assert(text != NULL);
        free(jt_test_write_file(e->run1, files[i], text));
        free(text), free(src);
    }
    jt_err err = JT_ERR_INIT;
    ck_assert_msg(jt_reports_write(e->run1, &err) == 0, "%s", jt_err_msg(&err));
}

static void env_free(env *e)
{
    free(e->run1);
    jt_test_tmpdir_free(e->dir);
}

static int lb(const char *const *args, char **out, char **err)
{
    const char *argv[24] = {jt_test_binary(), "leaderboard"};
    size_t n = 2;
    for (; args[n - 2] && n < 23; n++) argv[n] = args[n - 2];
    argv[n] = NULL;
    return jt_test_run(argv, NULL, NULL, out, err);
}

static void read_table(const char *path, jt_csv_table *t)
{
    jt_err err = JT_ERR_INIT;
    ck_assert_msg(jt_csv_read_file(path, t, &err) == 0, "%s", jt_err_msg(&err));
}

static void parse_table(const char *text, jt_csv_table *t)
{
    jt_err err = JT_ERR_INIT;
    ck_assert_msg(jt_csv_parse(text, strlen(text), "stdout", t, &err) == 0, "%s", jt_err_msg(&err));
}

static void set(jt_csv_table *t, size_t r, const char *col, const char *v)
{
    long c = jt_csv_col(t, col);
    ck_assert_msg(c >= 0, "no column %s", col);
    jt_csv_set(t, r, (size_t)c, v);
}

static const char *get(const jt_csv_table *t, size_t r, const char *col)
{
    long c = jt_csv_col(t, col);
    ck_assert_msg(c >= 0, "no column %s", col);
    return jt_csv_get(t, r, (size_t)c);
}

/* A second run's results.csv holding only sort-b, re-measured at 0.299 mJ:
 * now next to sort-a's 0.3 mJ (samples overlap: a tie). host overrides the
 * host column. Returns the file's path. */
static char *second_run(const env *e, const char *name, const char *host)
{
    char *src = jt_xasprintf("%s/results.csv", e->run1);
    jt_csv_table all, t;
    read_table(src, &all);
    jt_csv_init(&t, (const char *const *)all.names, all.ncols);
    for (size_t r = 0; r < all.nrows; r++) {
        if (strcmp(get(&all, r, "candidate"), "sort-b")) continue;
        size_t o = jt_csv_add_row(&t);
        for (size_t c = 0; c < all.ncols; c++) jt_csv_set(&t, o, c, jt_csv_get(&all, r, c));
        set(&t, o, "run_started", "2026-02-01T00:00:00Z");
        set(&t, o, "finished", "2026-02-01T00:10:00Z");
        set(&t, o, "status", "completed");
        set(&t, o, "median_total_energy_joules", "0.000299");
        set(&t, o, "ci95_low_total_energy_joules", "0.00029302");
        set(&t, o, "ci95_high_total_energy_joules", "0.00030498");
        set(&t, o, "trial_total_energy_joules",
            "0.00029302;0.00029601;0.000299;0.00030199;0.00030498");
        if (host) set(&t, o, "host", host);
    }
    ck_assert_uint_eq(t.nrows, 1);
    char *path = jt_xasprintf("%s/%s", e->dir, name);
    jt_err err = JT_ERR_INIT;
    ck_assert_int_eq(jt_csv_write_file(path, &t, &err), 0);
    jt_csv_free(&t), jt_csv_free(&all);
    free(src);
    return path;
}

/* The same rows rank the same: leaderboard over a run's results.csv is that
 * run's leaderboard.csv, byte for byte. */
START_TEST(reproduces_run_leaderboard)
{
    env e;
    env_init(&e);
    char *res = jt_xasprintf("%s/results.csv", e.run1), *own = jt_xasprintf("%s/leaderboard.csv", e.run1);
    char *out = NULL, *err = NULL, *want = jt_test_read_file(own);
    ck_assert_msg(lb((const char *const[]){res, NULL}, &out, &err) == 0, "%s", err);
    ck_assert_str_eq(out, want);
    free(out), free(err), free(want), free(res), free(own);
    env_free(&e);
}
END_TEST

START_TEST(two_runs_latest_and_ties)
{
    env e;
    env_init(&e);
    char *res = jt_xasprintf("%s/results.csv", e.run1), *res2 = second_run(&e, "run2.csv", NULL);
    char *out = NULL, *err = NULL;
    ck_assert_msg(lb((const char *const[]){res, res2, NULL}, &out, &err) == 0, "%s", err);
    jt_csv_table t;
    parse_table(out, &t);
    size_t first = t.nrows;
    for (size_t r = 0; r < t.nrows && first == t.nrows; r++)
        if (!strcmp(get(&t, r, "test_set"), "sort")) first = r;
    ck_assert_str_eq(get(&t, first, "candidate"), "sort-b");       /* the newer measurement */
    ck_assert_str_eq(get(&t, first, "run_started"), "2026-02-01T00:00:00Z");
    ck_assert_str_eq(get(&t, first + 1, "candidate"), "sort-a");
    ck_assert_str_eq(get(&t, first + 1, "rank"), "2");
    ck_assert_str_eq(get(&t, first + 1, "tie_group"), "1");         /* tied with sort-b */
    ck_assert_str_eq(get(&t, first + 1, "tie_method"), "ratio_ci");
    ck_assert_str_eq(get(&t, first + 2, "candidate"), "sort-crash");
    ck_assert_str_eq(get(&t, first + 2, "rank"), "");
    ck_assert_uint_eq(t.nrows, 19);
    jt_csv_free(&t);
    free(out), free(err);
    /* --all-runs keeps both measurements of sort-b. */
    ck_assert_msg(lb((const char *const[]){"--all-runs", res, res2, NULL}, &out, &err) == 0, "%s", err);
    parse_table(out, &t);
    ck_assert_uint_eq(t.nrows, 20);
    size_t ranked_b = 0;
    for (size_t r = 0; r < t.nrows; r++)
        ranked_b += !strcmp(get(&t, r, "candidate"), "sort-b") && *get(&t, r, "rank");
    ck_assert_uint_eq(ranked_b, 2);
    jt_csv_free(&t);
    free(out), free(err), free(res), free(res2);
    env_free(&e);
}
END_TEST

START_TEST(mixed_hosts_refused_unless_asked)
{
    env e;
    env_init(&e);
    char *res = jt_xasprintf("%s/results.csv", e.run1), *other = second_run(&e, "other.csv", "node-7");
    char *out = NULL, *err = NULL;
    ck_assert_int_eq(lb((const char *const[]){res, other, NULL}, &out, &err), 1);
    ck_assert_msg(strstr(err, "test set 'sort'") && strstr(err, "'node-7'") &&
                      strstr(err, "'lab-01'") && strstr(err, "--mix-hosts"), "%s", err);
    ck_assert_str_eq(out, "");
    free(out), free(err);
    char *html = jt_xasprintf("%s/mixed.html", e.dir);
    ck_assert_msg(lb((const char *const[]){"--mix-hosts", "-o", html, res, other, NULL}, &out, &err) == 0,
                  "%s", err);
    ck_assert_msg(strstr(err, "jouletrace: warning: ranked across machines"), "%s", err);
    char *page = jt_test_read_file(html);
    ck_assert_msg(page && strstr(page, "<!DOCTYPE html>") && strstr(page, "ranked across machines") &&
                      strstr(page, "node-7"), "-o FILE.html should write the HTML page");
    const char *argv[] = {"python3", NULL, html, "--expect", "Measurements", "--forbid", "<script",
                          NULL};
    char *script = jt_xasprintf("%s/tests/check_html.py", jt_test_srcdir()), *errs = NULL;
    argv[1] = script;
    ck_assert_msg(jt_test_run(argv, NULL, NULL, NULL, &errs) == 0, "%s", errs);
    free(errs), free(script), free(page), free(html), free(out), free(err), free(res), free(other);
    env_free(&e);
}
END_TEST

START_TEST(output_file_and_format)
{
    env e;
    env_init(&e);
    char *res = jt_xasprintf("%s/results.csv", e.run1), *dst = jt_xasprintf("%s/lb.csv", e.dir);
    char *out = NULL, *err = NULL;
    ck_assert_msg(lb((const char *const[]){res, "-o", dst, NULL}, &out, &err) == 0, "%s", err);
    ck_assert_str_eq(out, "");
    jt_csv_table t;
    read_table(dst, &t);
    ck_assert_str_eq(t.names[0], "csv_schema");
    ck_assert_uint_eq(t.nrows, 19);
    jt_csv_free(&t);
    free(out), free(err);
    ck_assert_msg(lb((const char *const[]){"--format", "html", res, NULL}, &out, &err) == 0, "%s", err);
    ck_assert_msg(!strncmp(out, "<!DOCTYPE html>", 15), "%.40s", out);
    free(out), free(err), free(dst), free(res);
    env_free(&e);
}
END_TEST

START_TEST(usage_and_input_errors)
{
    static const struct { const char *args[4]; int rc; const char *msg; } cases[] = {
        {{NULL}, 2, "missing RESULTS.CSV"},
        {{"--format", "xml", "x.csv", NULL}, 2, "neither csv nor html"},
        {{"--resamples", "5", "x.csv", NULL}, 2, "--resamples"},
        {{"--nope", "x.csv", NULL}, 2, "unknown or incomplete option"},
        {{"/nonexistent/results.csv", NULL}, 1, "/nonexistent/results.csv"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = NULL, *err = NULL;
        ck_assert_int_eq(lb(cases[i].args, &out, &err), cases[i].rc);
        ck_assert_msg(strstr(err, cases[i].msg), "case %zu: %s", i, err);
        free(out), free(err);
    }
    char *dir = jt_test_tmpdir(), *bad = jt_test_write_file(dir, "bad.csv", "a,b\n1,2,3\n");
    char *out = NULL, *err = NULL;
    ck_assert_int_eq(lb((const char *const[]){bad, NULL}, &out, &err), 1);
    ck_assert_msg(strstr(err, "record 2 has 3 fields"), "%s", err);
    free(out), free(err);
    ck_assert_int_eq(lb((const char *const[]){"--help", NULL}, &out, &err), 0);
    ck_assert_msg(strstr(out, "Exit status:") && strstr(out, "--mix-hosts"), "%s", out);
    free(out), free(err), free(bad);
    jt_test_tmpdir_free(dir);
}
END_TEST

/* An energy column that is missing, or not a number on a ranked row, is an
 * error naming the file and the column, never an empty ranking with exit 0. */
START_TEST(energy_column_missing_or_not_numeric)
{
    env e;
    env_init(&e);
    char *res = jt_xasprintf("%s/results.csv", e.run1);
    jt_csv_table t;
    read_table(res, &t);
    long mc = jt_csv_col(&t, "median_total_energy_joules"), sc = jt_csv_col(&t, "status");
    ck_assert(mc >= 0 && sc >= 0);
    size_t ranked = t.nrows;
    for (size_t r = 0; r < t.nrows && ranked == t.nrows; r++)
        if (jt_report_status_ranked(jt_csv_get(&t, r, (size_t)sc))) ranked = r;
    ck_assert(ranked < t.nrows);
    for (int variant = 0; variant < 3; variant++) {
        jt_csv_table v;
        read_table(res, &v);
        if (variant == 0) free(v.names[mc]), v.names[mc] = jt_xstrdup("renamed_energy");
        else jt_csv_set(&v, ranked, (size_t)mc, variant == 1 ? "abc" : "");
        jt_buf b = JT_BUF_INIT;
        jt_csv_format(&v, &b);
        char *path = jt_test_write_file(e.dir, "edited.csv", jt_buf_str(&b));
        char *out = NULL, *err = NULL;
        ck_assert_int_eq(lb((const char *const[]){path, NULL}, &out, &err), 1);
        ck_assert_msg(strstr(err, path) && strstr(err, "median_total_energy_joules") &&
                          strchr(err, '\n') == err + strlen(err) - 1,
                      "variant %d: %s", variant, err);
        ck_assert_str_eq(out, "");
        free(out), free(err), free(path);
        jt_buf_release(&b);
        jt_csv_free(&v);
    }
    jt_csv_free(&t);
    free(res);
    env_free(&e);
}
END_TEST

static Suite *report_cli_suite(void)
{
    Suite *s = suite_create("report_cli");
    TCase *tc = tcase_create("leaderboard");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, reproduces_run_leaderboard);
    tcase_add_test(tc, two_runs_latest_and_ties);
    tcase_add_test(tc, mixed_hosts_refused_unless_asked);
    tcase_add_test(tc, output_file_and_format);
    tcase_add_test(tc, usage_and_input_errors);
    tcase_add_test(tc, energy_column_missing_or_not_numeric);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(report_cli_suite)
