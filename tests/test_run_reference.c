/* A suite with `reference:` run end to end (issue 12 point 1): the
 * reference reaches results.csv (test_set_reference), leaderboard.csv
 * (reference, ratio_to_reference and its CI, the Mann–Whitney p and BH q
 * against it) and index.html, and the ratios say what the candidates did:
 * the reference against itself is 1, a candidate doing a fraction of its
 * work is below 1 with a CI below 1, and with 5 trials each (an exact
 * one-sided Mann–Whitney p of 1/252 when every trial is cheaper; 3 each
 * could not get below 0.05) it is better than the reference. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jouletrace/report.h"
#include "support/runenv.h"
#include "support/testutil.h"

static const char suite[] =
    "suite: refs\n"
    "defaults: {min_trial_seconds: 0.02, min_trials: 5, energy_measurement_trials: 6,\n"
    "           timeout_seconds: 10}\n"
    "test_sets:\n"
    "  - id: sq\n"
    "    function_name: f\n"
    "    reference: slow\n"
    "    test_cases:\n"
    "      - {test_id: a, inputs: [3], expected_output: 9}\n"
    "      - {test_id: b, inputs: [4], expected_output: 16}\n"
    "candidates:\n"
    "  - {id: fast, candidate_code: 'def f(x): return x * x'}\n"
    "  - id: slow\n"
    "    candidate_code: |\n"
    "      def f(x):\n"
    "          s = 0\n"
    "          for _ in range(30000): s += 1\n"
    "          return x * x\n";

static jt_csv_table read_csv(const char *dir, const char *name)
{
    char *p = jt_xasprintf("%s/%s", dir, name);
    jt_csv_table t;
    jt_err err = JT_ERR_INIT;
    ck_assert_msg(jt_csv_read_file(p, &t, &err) == 0, "%s", jt_err_msg(&err));
    free(p);
    return t;
}

static const char *cell(const jt_csv_table *t, const char *cand, const char *col)
{
    long cc = jt_csv_col(t, "candidate"), c = jt_csv_col(t, col);
    ck_assert_msg(cc >= 0 && c >= 0, "no column %s", col);
    for (size_t r = 0; r < t->nrows; r++)
        if (!strcmp(jt_csv_get(t, r, (size_t)cc), cand)) return jt_csv_get(t, r, (size_t)c);
    ck_abort_msg("no row for %s", cand);
    return NULL;
}

static double num(const jt_csv_table *t, const char *cand, const char *col)
{
    double v = NAN;
    ck_assert_msg(jt_csv_parse_num(cell(t, cand, col), &v), "%s %s: '%s'", cand, col,
                  cell(t, cand, col));
    return v;
}

START_TEST(reference_columns_are_filled_and_right)
{
    jt_runenv e;
    jt_runenv_init(&e, "refs.yaml", suite, NULL);
    jt_runenv_calibrate(&e);
    char *out = NULL, *err = NULL;
    const char *a[] = {"run", e.suite, "-o", e.out, "--backend", "model", "--quiet", NULL};
    ck_assert_msg(jt_runenv_run(&e, a, &out, &err) == 0, "%s", err);

    jt_csv_table res = read_csv(e.out, "results.csv");
    ck_assert_str_eq(cell(&res, "fast", "test_set_reference"), "slow");
    ck_assert_str_eq(cell(&res, "slow", "test_set_reference"), "slow");
    jt_csv_free(&res);

    jt_csv_table lb = read_csv(e.out, "leaderboard.csv");
    ck_assert_str_eq(cell(&lb, "fast", "reference"), "slow");
    ck_assert_double_eq_tol(num(&lb, "slow", "ratio_to_reference"), 1.0, 1e-12);
    double r = num(&lb, "fast", "ratio_to_reference");
    double lo = num(&lb, "fast", "ci95_low_ratio_to_reference");
    double hi = num(&lb, "fast", "ci95_high_ratio_to_reference");
    ck_assert_msg(lo <= r && r <= hi && hi < 1.0, "fast/slow %g [%g, %g]", r, lo, hi);
    double p = num(&lb, "fast", "p_better_than_reference");
    double q = num(&lb, "fast", "bh_q_better_than_reference");
    ck_assert_msg(p >= 0 && p <= q && q <= 1, "p %g q %g", p, q);
    ck_assert_str_eq(cell(&lb, "fast", "better_than_reference"), "true");
    jt_csv_free(&lb);

    char *html_path = jt_xasprintf("%s/index.html", e.out);
    char *html = jt_test_read_file(html_path);
    ck_assert_msg(strstr(html, "slow (reference)") != NULL, "index.html names no reference");
    free(html);
    free(html_path);
    free(out);
    free(err);
    jt_runenv_free(&e);
}
END_TEST

static Suite *run_reference_suite(void)
{
    Suite *s = suite_create("run_reference");
    TCase *tc = tcase_create("e2e");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, reference_columns_are_filled_and_right);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(run_reference_suite)
