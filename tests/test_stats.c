/* Tests for harness/stats/: summaries, CIs of the median (their coverage in
 * test_stats_coverage.c, the ratio bootstrap in test_stats_bootstrap.c), outliers, the stop rule, comparisons and
 * baseline-noise flags.
 *
 * Every expected number below was computed independently of this code, with
 * python3's stdlib (statistics, math, fractions, itertools; no scipy) or by
 * hand; each table says how. The python used is quoted where it is more than
 * one call, so a reader can rerun it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jouletrace/stats.h"
#include "support/ckmath.h"
#include "support/testutil.h"


/* ---- summaries --------------------------------------------------------- */

/* python3: statistics.median/mean/stdev on the list; mad = statistics.median
 * of |x − median|; cv = stdev/mean; robust cv = 1.4826·mad/median. */
static const struct {
    const double *x;
    size_t n;
    double median, mean, sd, cv, robust_cv, min, max, mad;
} summary_cases[] = {
    /* odd n */
    {SAMPLE(3.1, 1.2, 5.5, 2.4, 4.0), 3.1, 3.24, 1.6257306049896458, 0.5017687052437179,
     0.43043225806451607, 1.2, 5.5, 0.9},
    /* even n: median is the mean of the middle two (3 and 4) */
    {SAMPLE(4.0, 1.0, 3.0, 2.0, 10.0, 6.0), 3.5, 4.333333333333333, 3.265986323710904,
     0.7536891516255934, 0.8472, 1.0, 10.0, 2.0},
    /* n = 1: SD and CV are undefined (NAN), never 0 */
    {SAMPLE(7.25), 7.25, 7.25, NAN, NAN, 0.0, 7.25, 7.25, 0.0},
};

START_TEST(summary_table)
{
    const __typeof__(summary_cases[0]) *c = &summary_cases[_i];
    double *copy = malloc(c->n * sizeof(double));
    memcpy(copy, c->x, c->n * sizeof(double));
    jt_stats_summary s;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_stats_summarize(copy, c->n, &s, &e), 0);
    ck_assert_uint_eq(s.n, c->n);
    ck_near(s.median, c->median, 1e-12);
    ck_near(s.mean, c->mean, 1e-12);
    ck_near(s.sd, c->sd, 1e-12);
    ck_near(s.cv, c->cv, 1e-12);
    ck_near(s.robust_cv, c->robust_cv, 1e-12);
    ck_near(s.min, c->min, 0);
    ck_near(s.max, c->max, 0);
    ck_near(s.mad, c->mad, 1e-12);
    /* the caller's array is never reordered */
    ck_assert_mem_eq(copy, c->x, c->n * sizeof(double));
    free(copy);
}
END_TEST

/* Large clustered values (1e9 J ± tens of mJ). Reference: python3
 * statistics.stdev, which is exact (Fraction arithmetic) on these floats:
 *   x = [1e9 + e for e in (0.013, -0.021, 0.007, 0.031, -0.004, 0.018, -0.027, 0.002)]
 *   statistics.stdev(x) == 0.019449105558054854
 * The one-pass formula (Σx² − (Σx)²/n)/(n − 1) gives 146.28571428571428 in
 * python floats — a variance 4e5 times too large — so a regression to it
 * fails this test by orders of magnitude. */
START_TEST(summary_two_pass_on_clustered_values)
{
    const double d[] = {0.013, -0.021, 0.007, 0.031, -0.004, 0.018, -0.027, 0.002};
    double x[8];
    for (size_t i = 0; i < 8; i++) x[i] = 1e9 + d[i];
    jt_stats_summary s;
    ck_assert_int_eq(jt_stats_summarize(x, 8, &s, NULL), 0);
    ck_assert_msg(fabs(s.sd - 0.019449105558054854) <= 1e-6 * 0.019449105558054854,
                  "sd = %.17g", s.sd);
    ck_near(s.mean, 1000000000.002375, 1e-15);
}
END_TEST

START_TEST(summary_rejects_bad_input)
{
    jt_err e = JT_ERR_INIT;
    jt_stats_summary s;
    ck_assert_int_eq(jt_stats_summarize(A(1.0), 0, &s, &e), -1);
    ck_assert_str_eq(jt_err_msg(&e), "empty sample");
    ck_assert_int_eq(jt_stats_summarize(SAMPLE(1.0, NAN, 2.0), &s, &e), -1);
    ck_assert_str_eq(jt_err_msg(&e), "sample value 1 is not finite (nan)");
    ck_assert_int_eq(jt_stats_summarize(SAMPLE(1.0, 2.0, INFINITY), &s, &e), -1);
    jt_err_clear(&e);
}
END_TEST

/* ---- order-statistic CI ------------------------------------------------ */

/* python3, coverage of [x_(l), x_(n+1−l)] from exact binomial counts:
 *   cov = lambda n, l: 1 - 2 * sum(math.comb(n, k) for k in range(l)) / 2**n
 *   l = 1; while l + 1 <= n // 2 and cov(n, l + 1) >= 0.975: l += 1
 * (the median level, JT_STATS_MEDIAN_LEVEL; n = 1000 is the tightest here:
 * 0.97529…, and n = 13 below 21: 0.97754…, where l = 4 would give 0.9077.)
 * From n = 20 on, the values were found by bisection on l with the same
 * cov(), so they also check the search that starts at the normal
 * approximation. */
static const struct {
    size_t n, l, u;
    double coverage;
} rank_cases[] = {
    {1, 1, 1, 0.0},         {2, 1, 2, 0.5},
    {3, 1, 3, 0.75},        {4, 1, 4, 0.875},
    {5, 1, 5, 0.9375},      {6, 1, 6, 0.96875},
    {7, 1, 7, 0.984375},    {8, 1, 8, 0.9921875},
    {9, 1, 9, 0.99609375},  {10, 2, 9, 0.978515625},
    {11, 2, 10, 0.98828125}, {12, 2, 11, 0.99365234375},
    {13, 3, 11, 0.9775390625}, {14, 3, 12, 0.987060546875},
    {15, 3, 13, 0.99261474609375}, {16, 4, 13, 0.978729248046875},
    {17, 4, 14, 0.987274169921875}, {18, 4, 15, 0.992462158203125},
    {19, 5, 15, 0.9807891845703125}, {20, 5, 16, 0.9881820678710938},
    {21, 5, 17, 0.992802619934082}, {30, 9, 22, 0.983875198289752},
    {50, 17, 34, 0.9846533221673699}, {100, 39, 62, 0.9790212643221483},
    {1000, 465, 536, 0.9752943545484305}, {4999, 2420, 2580, 0.9763719238975067},
    {10000, 4888, 5113, 0.9755558903960575},
};

START_TEST(order_ci_ranks_table)
{
    size_t lo, hi;
    double cov;
    bool below;
    ck_assert_int_eq(jt_stats_order_ci_ranks(rank_cases[_i].n, &lo, &hi, &cov, &below, NULL), 0);
    ck_assert_uint_eq(lo, rank_cases[_i].l);
    ck_assert_uint_eq(hi, rank_cases[_i].u);
    ck_near(cov, rank_cases[_i].coverage, 1e-9);
    ck_assert(below == (rank_cases[_i].n <= 6));
}
END_TEST

START_TEST(order_ci_on_samples)
{
    jt_stats_ci ci;
    /* n = 10 → ranks (2, 9) per the table; sorted by hand: 99.7 99.8 99.9
     * 100.0 100.0 100.1 100.2 100.3 100.4 100.5, median 100.05. */
    const double *x10 = A(100.0, 100.4, 99.7, 100.2, 99.9, 100.1, 100.3, 99.8, 100.0, 100.5);
    ck_assert_int_eq(jt_stats_median_ci(x10, 10, 99, 0, &ci, NULL), 0);
    ck_assert_int_eq(ci.method, JT_STATS_CI_ORDER_STATISTIC);
    ck_assert_str_eq(jt_stats_ci_method_name(ci.method), "order_statistic");
    ck_near(ci.median, 100.05, 1e-14);
    ck_near(ci.lo, 99.8, 0);
    ck_near(ci.hi, 100.4, 0);
    ck_near(ci.coverage, 0.978515625, 1e-12);
    ck_assert(!ci.below_level);
    /* max(0.25, 0.35) / 100.05 */
    ck_near(ci.rel_half_width, 0.35 / 100.05, 1e-12);
    ck_assert_uint_eq(ci.seed, 0);
    ck_assert_uint_eq(ci.resamples, 0);

    /* n = 5: no pair reaches the level; [min, max] with 1 − 2/32 coverage, flagged */
    ck_assert_int_eq(jt_stats_median_ci(SAMPLE(3.1, 1.2, 5.5, 2.4, 4.0), 1, 0, &ci, NULL), 0);
    ck_near(ci.lo, 1.2, 0);
    ck_near(ci.hi, 5.5, 0);
    ck_near(ci.coverage, 0.9375, 1e-12);
    ck_assert(ci.below_level);
}
END_TEST

/* python3: r = sum((x[i]-m)*(x[i+1]-m)) / sum((v-m)**2) with m the mean:
 * 5 6 5 7 6 8 6 5 4 5 6 7 5 4 6 5 → 0.1329225352112676; the n = 10 sample
 * of order_ci_on_samples → −0.4665024630541888; 1..10 → 0.7. */
START_TEST(lag1_autocorrelation)
{
    ck_near(jt_stats_lag1(SAMPLE(5, 6, 5, 7, 6, 8, 6, 5, 4, 5, 6, 7, 5, 4, 6, 5)),
            0.1329225352112676, 1e-12);
    ck_near(jt_stats_lag1(SAMPLE(100.0, 100.4, 99.7, 100.2, 99.9, 100.1, 100.3, 99.8, 100.0, 100.5)),
            -0.4665024630541888, 1e-12);
    ck_near(jt_stats_lag1(SAMPLE(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)), 0.7, 1e-12);
    /* the same values shuffled: only the order tells a drift */
    ck_assert(jt_stats_lag1(SAMPLE(6, 2, 9, 4, 1, 8, 3, 10, 5, 7)) < 0.7);
    ck_assert(isnan(jt_stats_lag1(SAMPLE(1.0, 2.0))));
    ck_assert(isnan(jt_stats_lag1(SAMPLE(2.0, 2.0, 2.0, 2.0))));
}
END_TEST

/* ---- outliers ---------------------------------------------------------- */

/* python3: z = [0.6745*abs(v - m)/mad for v in x] with m, mad from
 * statistics.median. clean: max z = 1.686; dirty: z(15.0) = 33.39, others
 * ≤ 1.686. MAD-zero fallback: six 5s and a 50: mean|x − 5| = 45/7, z(50) =
 * 45/(1.253314·45/7) = 5.585 > 3.5. Near the cut: median 10, MAD 1, so
 * z(15.4) = 0.6745·5.4 = 3.642 (flagged) and z(15.1) = 3.440 (not). */
static const struct {
    const double *x;
    size_t n;
    size_t count;
    int flagged; /* index of the single flagged value, or −1 */
    bool mad_zero;
} outlier_cases[] = {
    {SAMPLE(10.0, 10.2, 9.9, 10.1, 10.3, 9.8, 10.0, 10.1), 0, -1, false},
    {SAMPLE(10.0, 10.2, 9.9, 10.1, 15.0, 9.8, 10.0, 10.1), 1, 4, false},
    {SAMPLE(10.0, 11.0, 9.0, 10.0, 12.0, 8.0, 10.0, 15.4), 1, 7, false},
    {SAMPLE(10.0, 11.0, 9.0, 10.0, 12.0, 8.0, 10.0, 15.1), 0, -1, false},
    {SAMPLE(5.0, 5.0, 5.0, 50.0, 5.0, 5.0, 5.0), 1, 3, true},
    {SAMPLE(5.0, 5.0, 5.0, 5.0), 0, -1, true},
};

START_TEST(outliers_table)
{
    const __typeof__(outlier_cases[0]) *c = &outlier_cases[_i];
    bool flags[16];
    jt_stats_outlier_info info;
    ck_assert_int_eq(jt_stats_find_outliers(c->x, c->n, flags, &info, NULL), 0);
    ck_assert_uint_eq(info.count, c->count);
    ck_assert(info.mad_zero == c->mad_zero);
    for (size_t i = 0; i < c->n; i++) ck_assert(flags[i] == ((int)i == c->flagged));
    ck_assert_int_eq(jt_stats_find_outliers(c->x, c->n, NULL, &info, NULL), 0);
    ck_assert_uint_eq(info.count, c->count);
}
END_TEST

/* ---- stop rule --------------------------------------------------------- */

/* python3 (statistics) for the numbers quoted:
 *   X10 = the n = 10 sample above: order CI (99.8, 100.4), rel half-width
 *         0.0035, CV 0.0026.
 *   X5  = its first 5 values: CV 0.0027; [min, max] rel half-width 0.004
 *         but coverage 0.9375 < 0.975, so neither rule may fire.
 *   WOBBLY = 10 values around 100: CV 0.03367, its upper bound
 *         0.03367·sqrt(9/χ²₀.₀₅(9) = 9/3.325113) = 0.05539; order CI (96,
 *         104), rel half-width 0.04.
 *   NOISY = 20 values 55…148: CV 0.2798 (first 10: CV 0.306, order CI
 *         (66, 139), rel half-width 0.404). */
#define X10 100.0, 100.4, 99.7, 100.2, 99.9, 100.1, 100.3, 99.8, 100.0, 100.5
#define WOBBLY 96.0, 104.0, 100.0, 95.0, 105.0, 99.0, 101.0, 97.0, 103.0, 100.0
#define NOISY                                                                                \
    72.0, 131.0, 95.0, 148.0, 60.0, 117.0, 88.0, 139.0, 103.0, 66.0, 125.0, 81.0, 142.0, 97.0, \
        55.0, 113.0, 129.0, 74.0, 108.0, 90.0

static const struct {
    const char *what;
    const double *x;
    size_t n;
    jt_stats_stop_rule rule;
    jt_stats_stop want;
} stop_cases[] = {
    {"below min_trials", A(X10), 3, {5, 20, 0.02, 0.05}, JT_STATS_CONTINUE},
    {"precision (checked before cv)", A(X10), 10, {5, 20, 0.02, 0.05}, JT_STATS_STOP_PRECISION},
    {"precision at max_trials", A(X10), 10, {5, 10, 0.02, 0.05}, JT_STATS_STOP_PRECISION},
    {"cv when precision is too strict", A(X10), 10, {5, 20, 0.001, 0.05},
     JT_STATS_STOP_CV_TARGET},
    {"cv, n = 5: the CI is below its level, no stop", A(X10), 5, {5, 20, 0.02, 0.05},
     JT_STATS_CONTINUE},
    {"cv 0.034 < 0.05 but its upper bound 0.055 is not", A(WOBBLY), 10, {5, 20, 0.02, 0.05},
     JT_STATS_CONTINUE},
    {"the same, a looser cv target", A(WOBBLY), 10, {5, 20, 0.02, 0.06}, JT_STATS_STOP_CV_TARGET},
    {"cv strict: CV 0 is not < 0", A(5.0, 5.0, 5.0, 5.0, 5.0), 5, {5, 20, 0.02, 0.0},
     JT_STATS_CONTINUE},
    {"all equal, n = 5: below the level, no stop", A(5.0, 5.0, 5.0, 5.0, 5.0), 5,
     {5, 20, 0.02, 0.05}, JT_STATS_CONTINUE},
    {"all equal, n = 6: still below it", A(5.0, 5.0, 5.0, 5.0, 5.0, 5.0), 6, {5, 20, 0.02, 0.0},
     JT_STATS_CONTINUE},
    {"all equal, n = 7: [5, 5] is precise", A(5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0), 7,
     {5, 20, 0.02, 0.0}, JT_STATS_STOP_PRECISION},
    {"noisy keeps going", A(NOISY), 10, {5, 20, 0.02, 0.05}, JT_STATS_CONTINUE},
    {"noisy hits max_trials", A(NOISY), 20, {5, 20, 0.02, 0.05}, JT_STATS_STOP_MAX_TRIALS},
    {"n above max_trials", A(NOISY), 20, {5, 12, 0.02, 0.05}, JT_STATS_STOP_MAX_TRIALS},
    {"noisy, loose precision", A(NOISY), 10, {5, 20, 0.5, 0.05}, JT_STATS_STOP_PRECISION},
    {"nothing yet", A(0.0), 0, {5, 20, 0.02, 0.05}, JT_STATS_CONTINUE},
};

START_TEST(stop_rule_table)
{
    const __typeof__(stop_cases[0]) *c = &stop_cases[_i];
    jt_stats_stop_result r;
    jt_err e = JT_ERR_INIT;
    ck_assert_msg(jt_stats_stop_check(c->x, c->n, &c->rule, 42, &r, &e) == 0, "%s: %s", c->what,
                  jt_err_msg(&e));
    ck_assert_msg(r.decision == c->want, "%s: got %s, want %s", c->what,
                  jt_stats_stop_name(r.decision), jt_stats_stop_name(c->want));
    ck_assert(r.evaluated == (c->n >= c->rule.min_trials));
    if (r.evaluated) ck_assert_uint_eq(r.summary.n, c->n);
    jt_err_clear(&e);
}
END_TEST

START_TEST(stop_rule_details)
{
    jt_stats_stop_rule rule = JT_STATS_STOP_RULE_DEFAULT;
    jt_stats_stop_result r;
    ck_assert_int_eq(jt_stats_stop_check(A(NOISY), 20, &rule, 2024, &r, NULL), 0);
    /* n = 20 is exact too (l = 5, u = 16 per the rank table): sorted NOISY
     * has x_(5) = 74, x_(16) = 129 and median (97 + 103)/2 = 100, so the
     * relative half-width is max(26, 29)/100; nothing is drawn. */
    ck_assert_int_eq(r.ci.method, JT_STATS_CI_ORDER_STATISTIC);
    ck_near(r.ci.lo, 74.0, 0);
    ck_near(r.ci.hi, 129.0, 0);
    ck_near(r.ci.rel_half_width, 0.29, 1e-15);
    ck_near(r.ci.coverage, 0.9881820678710938, 1e-12);
    ck_assert_uint_eq(r.ci.seed, 0);
    ck_near(r.summary.cv, 0.27982645698011954, 1e-12);
    /* CV · sqrt(19 / χ²₀.₀₅(19)), χ²₀.₀₅(19) = 10.117013 (tables) */
    ck_near(r.cv_upper, 0.27982645698011954 * sqrt(19.0 / 10.117013063859044), 1e-9);

    ck_assert_str_eq(jt_stats_stop_name(JT_STATS_STOP_PRECISION), "precision");
    ck_assert_str_eq(jt_stats_stop_name(JT_STATS_STOP_CV_TARGET), "cv_target");
    ck_assert_str_eq(jt_stats_stop_name(JT_STATS_STOP_MAX_TRIALS), "max_trials");
    ck_assert_str_eq(jt_stats_stop_name(JT_STATS_CONTINUE), "continue");

    jt_err e = JT_ERR_INIT;
    jt_stats_stop_rule bad = {5, 4, 0.02, 0.05};
    ck_assert_int_eq(jt_stats_stop_check(A(X10), 10, &bad, 1, &r, &e), -1);
    ck_assert_str_eq(jt_err_msg(&e), "max_trials (4) must be >= min_trials (5)");
    bad = (jt_stats_stop_rule){0, 4, 0.02, 0.05};
    ck_assert_int_eq(jt_stats_stop_check(A(X10), 10, &bad, 1, &r, &e), -1);
    bad = (jt_stats_stop_rule){5, 20, NAN, 0.05};
    ck_assert_int_eq(jt_stats_stop_check(A(X10), 10, &bad, 1, &r, &e), -1);
    bad = (jt_stats_stop_rule){5, 20, 0.02, -1};
    ck_assert_int_eq(jt_stats_stop_check(A(X10), 10, &bad, 1, &r, &e), -1);
    ck_assert_str_eq(jt_err_msg(&e), "cv_target must be finite and >= 0 (got -1)");
    /* a negative mean gives a negative CV: never "stable" */
    ck_assert_int_eq(jt_stats_stop_check(SAMPLE(-10.0, -10.1, -9.9, -10.2, -9.8), &rule, 1, &r,
                                         NULL),
                     0);
    ck_assert_int_eq(r.decision, JT_STATS_CONTINUE);
    jt_err_clear(&e);
}
END_TEST

/* ---- Mann–Whitney U ---------------------------------------------------- */

/* Exact references by brute force over every split of the pooled values
 * (python3, itertools; independent of the counting recurrence in C):
 *   U_of = lambda a, b: sum((x > y) + 0.5*(x == y) for x in a for y in b)
 *   us = [U_of(chosen, rest) for every len(a)-subset of pooled indices]
 *   umin = min(U, na*nb - U); p = min(1, 2*sum(u <= umin for u in us)/len(us))
 * Normal references by hand (python3, math):
 *   midranks over the sorted pool; ties = Σ(t³ − t) over runs of equal values
 *   var = na*nb/12*((N+1) - ties/(N*(N-1)))
 *   z = max(0, abs(U - na*nb/2) - 0.5)/sqrt(var); p = min(1, math.erfc(z/sqrt(2))) */
static const struct {
    const char *what;
    const double *a;
    size_t na;
    const double *b;
    size_t nb;
    double u, p;
    bool exact;
} mwu_cases[] = {
    {"separated (2/C(9,4))", SAMPLE(1.1, 2.3, 3.5, 4.2), SAMPLE(5.0, 6.1, 7.7, 8.2, 9.9), 0.0,
     0.015873015873015872, true},
    {"interleaved", SAMPLE(1.0, 4.0, 6.0, 9.0, 12.0), SAMPLE(2.0, 3.0, 5.0, 7.0, 8.0, 10.0), 16.0,
     0.9307359307359307, true},
    {"a larger, unequal n", SAMPLE(8.5, 9.1, 7.2, 6.9, 10.4, 11.0, 9.9),
     SAMPLE(3.3, 5.1, 4.4, 7.0), 27.0, 0.012121212121212121, true},
    {"8 vs 9, C(17,8) splits", SAMPLE(12.1, 14.3, 11.8, 15.2, 13.9, 16.4, 12.7, 14.8),
     SAMPLE(11.2, 10.9, 13.1, 12.4, 10.3, 13.6, 11.5, 14.1, 9.8), 60.0, 0.02064993829699712,
     true},
    {"U = mn/2 caps at 1", SAMPLE(1.0, 4.0), SAMPLE(2.0, 3.0), 2.0, 1.0, true},
    {"ties: normal + tie correction", SAMPLE(1.0, 2.0, 2.0, 3.0, 4.0, 4.0, 5.0),
     SAMPLE(2.0, 3.0, 3.0, 4.0, 6.0, 6.0, 7.0, 8.0), 14.0, 0.11392892811978717, false},
};

START_TEST(mann_whitney_table)
{
    const __typeof__(mwu_cases[0]) *c = &mwu_cases[_i];
    jt_stats_mwu r;
    ck_assert_int_eq(jt_stats_mann_whitney(c->a, c->na, c->b, c->nb, &r, NULL), 0);
    ck_assert_msg(r.exact == c->exact, "%s: exact = %d", c->what, r.exact);
    ck_near(r.u, c->u, 0);
    ck_near(r.p, c->p, 1e-10);
    /* swapping the samples: U → na·nb − U, same two-sided p */
    ck_assert_int_eq(jt_stats_mann_whitney(c->b, c->nb, c->a, c->na, &r, NULL), 0);
    ck_near(r.u, (double)(c->na * c->nb) - c->u, 0);
    ck_near(r.p, c->p, 1e-10);
}
END_TEST

/* 50 vs 55 distinct values: at the exact limit, so the normal approximation
 * (no ties). python3 as above with
 *   a = [10.0 + 0.37*((i*17) % 50) for i in range(50)]
 *   b = [11.003 + 0.41*((j*13) % 55) for j in range(55)]
 * → U = 1011, z = 2.3322535278160244, p = 0.019687357727046013. */
START_TEST(mann_whitney_large_normal)
{
    double a[50], b[55];
    for (int i = 0; i < 50; i++) a[i] = 10.0 + 0.37 * ((i * 17) % 50);
    for (int j = 0; j < 55; j++) b[j] = 11.003 + 0.41 * ((j * 13) % 55);
    jt_stats_mwu r;
    ck_assert_int_eq(jt_stats_mann_whitney(a, 50, b, 55, &r, NULL), 0);
    ck_assert(!r.exact);
    ck_near(r.u, 1011.0, 0);
    ck_near(r.z, 2.3322535278160244, 1e-12);
    ck_near(r.p, 0.019687357727046013, 1e-10);
    /* the first 49 of each: exact path (both < 50), the largest table the C
     * recurrence builds. Reference from a different exact method, python3
     * big-int Gaussian binomial [98 choose 49]_q = Π_{i=1..49} (1 − q^(49+i)) /
     * (1 − q^i), whose coefficient k counts splits with U = k (it reproduces
     * the brute-forced 8-vs-9 case above): U = 887, p = 0.025695725998589974. */
    ck_assert_int_eq(jt_stats_mann_whitney(a, 49, b, 49, &r, NULL), 0);
    ck_assert(r.exact);
    ck_near(r.u, 887.0, 0);
    ck_near(r.p, 0.025695725998589974, 1e-10);
    /* all values equal: no evidence either way */
    ck_assert_int_eq(jt_stats_mann_whitney(SAMPLE(3.0, 3.0, 3.0), SAMPLE(3.0, 3.0), &r, NULL), 0);
    ck_near(r.p, 1.0, 0);
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_stats_mann_whitney(a, 0, b, 55, &r, &e), -1);
    ck_assert_str_eq(jt_err_msg(&e), "first sample: empty sample");
    jt_err_clear(&e);
}
END_TEST

/* ---- Benjamini–Hochberg ------------------------------------------------ */

/* python3 step-up, by hand:
 *   order = sorted(range(n), key=p.__getitem__); run = 1
 *   for k in range(n, 0, -1): i = order[k-1]; run = min(run, p[i]*n/k); q[i] = run
 * Example 2 is the 25 p-values of McDonald's Handbook of Biological
 * Statistics (BH section, dietary variables). */
static const struct {
    const double *p;
    size_t n;
    const double *q;
} bh_cases[] = {
    {SAMPLE(0.01, 0.04, 0.03, 0.005), A(0.02, 0.04, 0.04, 0.02)},
    {SAMPLE(0.001, 0.008, 0.039, 0.041, 0.042, 0.060, 0.074, 0.205, 0.212, 0.216, 0.222, 0.251,
            0.269, 0.275, 0.340, 0.341, 0.384, 0.569, 0.594, 0.696, 0.762, 0.940, 0.942, 0.975,
            0.986),
     A(0.025, 0.1, 0.21, 0.21, 0.21, 0.25, 0.2642857142857143, 0.49107142857142866,
       0.49107142857142866, 0.49107142857142866, 0.49107142857142866, 0.49107142857142866,
       0.49107142857142866, 0.49107142857142866, 0.5328125, 0.5328125, 0.5647058823529412,
       0.781578947368421, 0.781578947368421, 0.87, 0.9071428571428571, 0.986, 0.986, 0.986,
       0.986)},
    {SAMPLE(0.5, 0.5, 1.0), A(0.75, 0.75, 1.0)},
};

START_TEST(bh_table)
{
    double q[32];
    ck_assert_int_eq(jt_stats_bh(bh_cases[_i].p, bh_cases[_i].n, q, NULL), 0);
    for (size_t i = 0; i < bh_cases[_i].n; i++) ck_near(q[i], bh_cases[_i].q[i], 1e-12);
}
END_TEST

START_TEST(bh_rejects_bad_p)
{
    double q[2];
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_stats_bh(SAMPLE(0.1, 1.5), q, &e), -1);
    ck_assert_str_eq(jt_err_msg(&e), "p-value 1 is not in [0, 1] (1.5)");
    ck_assert_int_eq(jt_stats_bh(SAMPLE(NAN, 0.5), q, &e), -1);
    ck_assert_int_eq(jt_stats_bh(NULL, 0, q, &e), 0);
    jt_err_clear(&e);
}
END_TEST

/* ---- ratio of medians --------------------------------------------------- */

/* python3 statistics.median: NOISY (n = 20) median 100, OTHER (n = 25, same
 * range, different values) median 101, ratio 0.9900990099009901; TWICE =
 * 2·OTHER + 1, median 203, ratio TWICE/NOISY = 2.03. */
#define OTHER                                                                                \
    84.0, 121.0, 99.0, 63.0, 135.0, 110.0, 77.0, 146.0, 92.0, 58.0, 118.0, 104.0, 69.0, 127.0, \
        86.0, 140.0, 101.0, 79.0, 115.0, 94.0, 133.0, 61.0, 107.0, 123.0, 83.0

START_TEST(ratio_ci)
{
    jt_stats_ratio r, r2;
    ck_assert_int_eq(jt_stats_ratio_ci(SAMPLE(NOISY), SAMPLE(OTHER), 5, 0, &r, NULL), 0);
    ck_near(r.ratio, 0.9900990099009901, 1e-14);
    ck_assert_uint_eq(r.seed, 5);
    ck_assert_uint_eq(r.resamples, 10000);
    ck_assert_msg(r.lo < 1.0 && 1.0 < r.hi, "same distribution: [%g, %g] must contain 1", r.lo,
                  r.hi);
    ck_assert(r.lo < r.ratio && r.ratio < r.hi);
    ck_assert(r.lo > 0.6 && r.hi < 1.6);

    /* reproducible with a seed, different (but close) with another */
    ck_assert_int_eq(jt_stats_ratio_ci(SAMPLE(NOISY), SAMPLE(OTHER), 5, 0, &r2, NULL), 0);
    ck_assert(r.lo == r2.lo && r.hi == r2.hi);
    ck_assert_int_eq(jt_stats_ratio_ci(SAMPLE(NOISY), SAMPLE(OTHER), 6, 0, &r2, NULL), 0);
    ck_assert(r.lo != r2.lo || r.hi != r2.hi);
    ck_assert(fabs(r.lo - r2.lo) < 0.05 && fabs(r.hi - r2.hi) < 0.05);

    double twice[25];
    const double other[] = {OTHER};
    for (size_t i = 0; i < 25; i++) twice[i] = 2 * other[i] + 1;
    ck_assert_int_eq(jt_stats_ratio_ci(twice, 25, SAMPLE(NOISY), 11, 0, &r, NULL), 0);
    ck_near(r.ratio, 2.03, 1e-14);
    ck_assert_msg(r.lo > 1.0, "clearly different: [%g, %g] must exclude 1", r.lo, r.hi);
    ck_assert(r.lo < r.ratio && r.ratio < r.hi);

    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_stats_ratio_ci(SAMPLE(NOISY), SAMPLE(1.0, 0.0, 2.0), 1, 0, &r, &e), -1);
    ck_assert_str_eq(jt_err_msg(&e), "ratio denominator: every value must be > 0 (min is 0)");
    jt_err_clear(&e);
}
END_TEST

/* ---- baseline noise ---------------------------------------------------- */

/* By hand: wall median 0.20 s; net median 0.58 J.
 *   SD 1.0 W → noise 0.20 J, threshold 0.40 J: 0.58 ≥ 0.40, not within noise
 *   SD 1.5 W → threshold 0.60 J: 0.58 < 0.60, within noise
 *   one trial at −0.01 J (median then 0.55): below baseline, 1 trial
 *   a trial at exactly 0 J counts as ≤ 0. */
static const struct {
    const double *net;
    size_t n;
    double sd;
    bool below, within;
    size_t nonpos;
    double median, threshold;
} noise_cases[] = {
    {SAMPLE(0.50, 0.62, 0.55, 0.58, 0.60), 1.0, false, false, 0, 0.58, 0.40},
    {SAMPLE(0.50, 0.62, 0.55, 0.58, 0.60), 1.5, false, true, 0, 0.58, 0.60},
    {SAMPLE(0.50, 0.62, 0.55, -0.01, 0.60), 1.0, true, false, 1, 0.55, 0.40},
    {SAMPLE(0.50, 0.0, 0.55, 0.58, 0.60), 0.0, true, false, 1, 0.55, 0.0},
};

START_TEST(baseline_flags_table)
{
    const double wall[] = {0.20, 0.21, 0.20, 0.22, 0.20};
    jt_stats_noise r;
    ck_assert_int_eq(jt_stats_baseline_flags(noise_cases[_i].net, wall, noise_cases[_i].n,
                                             noise_cases[_i].sd, &r, NULL),
                     0);
    ck_assert(r.below_baseline == noise_cases[_i].below);
    ck_assert(r.within_noise == noise_cases[_i].within);
    ck_assert_uint_eq(r.n_nonpositive, noise_cases[_i].nonpos);
    ck_near(r.median_net, noise_cases[_i].median, 1e-15);
    ck_near(r.threshold, noise_cases[_i].threshold, 1e-15);
}
END_TEST

START_TEST(baseline_flags_reject_bad_input)
{
    jt_stats_noise r;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_stats_baseline_flags(A(1.0, 2.0), A(0.2, 0.0), 2, 1.0, &r, &e), -1);
    ck_assert_str_eq(jt_err_msg(&e), "trial windows must be > 0 s (got 0)");
    ck_assert_int_eq(jt_stats_baseline_flags(A(1.0, 2.0), A(0.2, 0.2), 2, -1.0, &r, &e), -1);
    ck_assert_int_eq(jt_stats_baseline_flags(A(1.0, NAN), A(0.2, 0.2), 2, 1.0, &r, &e), -1);
    ck_assert_str_eq(jt_err_msg(&e), "net energies: sample value 1 is not finite (nan)");
    jt_err_clear(&e);
}
END_TEST

#define LOOP(tc, fn, table) tcase_add_loop_test(tc, fn, 0, (int)(sizeof(table) / sizeof((table)[0])))

static Suite *stats_suite(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tcase_create("summary");
    LOOP(tc, summary_table, summary_cases);
    tcase_add_test(tc, summary_two_pass_on_clustered_values);
    tcase_add_test(tc, summary_rejects_bad_input);
    suite_add_tcase(s, tc);

    tc = tcase_create("ci");
    LOOP(tc, order_ci_ranks_table, rank_cases);
    tcase_add_test(tc, order_ci_on_samples);
    tcase_add_test(tc, lag1_autocorrelation);
    suite_add_tcase(s, tc);

    tc = tcase_create("outliers");
    LOOP(tc, outliers_table, outlier_cases);
    suite_add_tcase(s, tc);

    tc = tcase_create("stop");
    LOOP(tc, stop_rule_table, stop_cases);
    tcase_add_test(tc, stop_rule_details);
    suite_add_tcase(s, tc);

    tc = tcase_create("compare");
    LOOP(tc, mann_whitney_table, mwu_cases);
    tcase_add_test(tc, mann_whitney_large_normal);
    LOOP(tc, bh_table, bh_cases);
    tcase_add_test(tc, bh_rejects_bad_p);
    tcase_add_test(tc, ratio_ci);
    suite_add_tcase(s, tc);

    tc = tcase_create("noise");
    LOOP(tc, baseline_flags_table, noise_cases);
    tcase_add_test(tc, baseline_flags_reject_bad_input);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(stats_suite)
