/* The bundled quickstart suite end to end on the model backend (what make
 * demo runs): verdicts, progress lines, and the reference columns in every
 * report. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "jouletrace/common.h"
#include "jouletrace/report.h"
#include "support/runenv.h"
#include "support/testutil.h"

/* The private environment around tests/fixtures/suites/mini.yaml: small
 * and quick, short trials, few of them. */
static void mini_init(jt_runenv *e)
{
    char *mini = jt_test_fixture("suites/mini.yaml");
    jt_runenv_init(e, "mini.yaml", mini, NULL);
    free(mini);
}

static json_t *load_json(const char *dir, const char *name)
{
    char *p = jt_xasprintf("%s/%s", dir, name);
    json_error_t je;
    json_t *j = json_load_file(p, 0, &je);
    ck_assert_msg(j != NULL, "%s: %s", p, je.text);
    free(p);
    return j;
}

/* The cell of column col in the row of candidate cand ("" when none). */
static const char *csv_cell(const jt_csv_table *t, const char *cand, const char *col)
{
    long c = jt_csv_col(t, "candidate"), k = jt_csv_col(t, col);
    ck_assert_msg(c >= 0 && k >= 0, "no column %s", col);
    for (size_t r = 0; r < t->nrows; r++)
        if (!strcmp(jt_csv_get(t, r, (size_t)c), cand)) return jt_csv_get(t, r, (size_t)k);
    return "";
}

/* The bundled example, end to end on the model backend: what make demo does. */
/* stderr is a pipe here, so with --progress-every 0 the log has one
 * "jouletrace: progress: k/n" line after each candidate, k = 1..n in order,
 * and no repeat at the end; the last counts add up to n and match the
 * quickstart's verdicts (3 incorrect, 2 load_error). */
static void check_progress_lines(const char *err, size_t n)
{
    static const char tag[] = "jouletrace: progress: ";
    size_t seen = 0;
    const char *last = NULL;
    for (const char *l = strstr(err, tag); l; l = strstr(l + 1, tag)) {
        size_t k = 0, total = 0;
        ck_assert_msg(sscanf(l + strlen(tag), "%zu/%zu", &k, &total) == 2, "%.80s", l);
        ck_assert_uint_eq(total, n);
        ck_assert_uint_eq(k, ++seen);
        ck_assert_msg(strstr(l, ", elapsed ") && strstr(l, ", ETA "), "%.120s", l);
        last = l;
    }
    ck_assert_uint_eq(seen, n);
    char *line = jt_xstrndup(last, strcspn(last, "\n"));
    ck_assert_msg(strstr(line, "incorrect 3") && strstr(line, "load_error 2"), "%s", line);
    size_t sum = 0;
    for (const char *p = strchr(line, ';'); p && *p; p++)
        if (*p == ' ' && p[1] >= '0' && p[1] <= '9') sum += strtoul(p + 1, NULL, 10);
    ck_assert_msg(sum == n, "counts add up to %zu: %s", sum, line);
    free(line);
}

START_TEST(quickstart_end_to_end_on_model)
{
    jt_runenv e;
    mini_init(&e);
    jt_runenv_calibrate(&e);
    char *suite = jt_xasprintf("%s/suites/examples/quickstart.yaml", jt_test_srcdir());
    char *out = NULL, *err = NULL;
    const char *a[] = {"run", suite, "-o", e.out, "--backend", "model", "--progress-every", "0",
                       NULL};
    ck_assert_msg(jt_runenv_run(&e, a, &out, &err) == 0, "%s", err);
    json_t *sum = load_json(e.out, "summary.json");
    json_t *cands = json_object_get(sum, "candidates");
    ck_assert_uint_eq(json_array_size(cands), 16);
    check_progress_lines(err, 16);
    size_t measured = 0, incorrect = 0, load_error = 0, i;
    json_t *c;
    json_array_foreach(cands, i, c) {
        const char *st = json_string_value(json_object_get(c, "status"));
        int m = !strcmp(st, "completed") || !strcmp(st, "unstable");
        measured += m;
        incorrect += !strcmp(st, "incorrect");
        load_error += !strcmp(st, "load_error");
        /* energy exactly for the measured ones */
        ck_assert_msg(m == json_is_object(json_object_get(c, "energy_metrics")), "%s",
                      json_string_value(json_object_get(c, "id")));
    }
    ck_assert_uint_eq(measured, 11);
    ck_assert_uint_eq(incorrect, 3);
    ck_assert_uint_eq(load_error, 2);
    ck_assert_uint_eq(json_array_size(json_object_get(sum, "floors")), 0); /* inside records */
    static const char *const files[] = {"run.json", "journal.jsonl", "summary.json", "results.csv",
                                        "trials.csv", "leaderboard.csv", "index.html", NULL};
    for (size_t k = 0; files[k]; k++) {
        char *p = jt_xasprintf("%s/%s", e.out, files[k]);
        ck_assert_msg(access(p, F_OK) == 0, "missing %s", files[k]);
        free(p);
    }
    /* the sort test set's reference reaches every report (issue 12) */
    json_t *refs = json_object_get(json_object_get(json_object_get(sum, "run"), "suite"),
                                   "references");
    ck_assert_str_eq(json_string_value(json_object_get(refs, "sort")), "sort-insertion");
    static const char *const sorts[] = {"sort-builtin", "sort-inplace", "sort-insertion"};
    jt_csv_table res, lb;
    char *rp = jt_xasprintf("%s/results.csv", e.out), *lp = jt_xasprintf("%s/leaderboard.csv", e.out);
    jt_err cerr = JT_ERR_INIT;
    ck_assert_msg(jt_csv_read_file(rp, &res, &cerr) == 0 && jt_csv_read_file(lp, &lb, &cerr) == 0,
                  "%s", jt_err_msg(&cerr));
    for (size_t k = 0; k < 3; k++) {
        ck_assert_str_eq(csv_cell(&res, sorts[k], "test_set_reference"), "sort-insertion");
        ck_assert_str_eq(csv_cell(&lb, sorts[k], "reference"), "sort-insertion");
        if (k == 2) continue; /* the reference itself: ratio 1, no CI or p (below) */
        ck_assert_msg(*csv_cell(&lb, sorts[k], "ratio_to_reference") &&
                          *csv_cell(&lb, sorts[k], "ci95_low_ratio_to_reference") &&
                          *csv_cell(&lb, sorts[k], "p_better_than_reference"),
                      "%s: empty reference columns in leaderboard.csv", sorts[k]);
    }
    ck_assert_str_eq(csv_cell(&lb, "sort-insertion", "ratio_to_reference"), "1");
    ck_assert_str_eq(csv_cell(&lb, "sort-insertion", "p_better_than_reference"), "");
    ck_assert_str_eq(csv_cell(&res, "lcs-dp", "test_set_reference"), ""); /* none given */
    char *hp = jt_xasprintf("%s/index.html", e.out), *html = jt_test_read_file(hp);
    ck_assert_msg(strstr(html, "sort-insertion (reference)") != NULL, "index.html names no reference");
    free(html), free(hp), free(rp), free(lp);
    jt_csv_free(&res), jt_csv_free(&lb);
    json_decref(sum);
    free(out), free(err), free(suite);
    jt_runenv_free(&e);
}
END_TEST

static Suite *quickstart_suite(void)
{
    Suite *s = suite_create("run_quickstart");
    TCase *tc = tcase_create("e2e");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, quickstart_end_to_end_on_model);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(quickstart_suite)
