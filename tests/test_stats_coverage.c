/* Coverage of the CI of a median (harness/stats/ci.c, docs/design.md
 * "Numbers"): simulated samples from distributions whose median is known,
 * at several n, R repetitions each, from a seeded gsl_rng (the same
 * numbers on every run). For each (distribution, n) the share of intervals
 * that hold the true median must reach the coverage the CI states, up to
 * its sampling error: observed ≥ c − 3·sqrt(c(1 − c)/R).
 *
 * Distributions: normal (median 0), lognormal (1), a bimodal mixture
 * ½N(0, 1) + ½N(4, 1) (2, where the density is low), Cauchy (0, heavy
 * tails), and a quantised one with many ties, round(N(10, 1.5)) (10: P(X <
 * 10) = Φ(−⅓) ≈ 0.37 < ½ < P(X ≤ 10) ≈ 0.63, so the median is unique). n = 5
 * and 6 check the lower coverage a below_level interval states.
 *
 * That the test can fail: the same harness on the interval one rank
 * narrower, [x_(l+1), x_(u−1)], whose true coverage is 0.959 at n = 20 and
 * 0.957 at n = 30 (1 − 2·P(Binom(n, ½) ≤ l)), must observe less than the
 * median level 0.975 − 3·sqrt(0.975·0.025/R). (The level is 97.5 % at a
 * fixed n so that the interval is a 95 % one at the stop rule's stop:
 * tests/test_stats_stop.c.) The old percentile bootstrap (0.933–0.944 at
 * these n) is not checked that way: at an R that keeps this test fast its
 * shortfall is inside the tolerance, so such a check would not be reliable. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>

#include "jouletrace/stats.h"
#include "support/testutil.h"

#define R 4000        /* repetitions per (distribution, n) */
#define MAX_N 100

typedef enum { D_NORMAL, D_LOGNORMAL, D_BIMODAL, D_CAUCHY, D_QUANTISED, D_COUNT } dist;

static const struct {
    const char *name;
    double median;
    bool continuous;
} dists[D_COUNT] = {
    {"normal", 0.0, true},   {"lognormal", 1.0, true}, {"bimodal", 2.0, true},
    {"cauchy", 0.0, true},   {"quantised", 10.0, false},
};

static const size_t sizes[] = {5, 6, 10, 20, 30, 50, 100};
#define N_SIZES (sizeof sizes / sizeof sizes[0])

static double draw(dist d, const gsl_rng *rng)
{
    switch (d) {
    case D_NORMAL: return gsl_ran_gaussian(rng, 1.0);
    case D_LOGNORMAL: return gsl_ran_lognormal(rng, 0.0, 1.0);
    case D_BIMODAL: return (gsl_rng_uniform(rng) < 0.5 ? 0.0 : 4.0) + gsl_ran_gaussian(rng, 1.0);
    case D_CAUCHY: return gsl_ran_cauchy(rng, 1.0);
    case D_QUANTISED: return round(10.0 + gsl_ran_gaussian(rng, 1.5));
    case D_COUNT: break;
    }
    return NAN;
}

static double tolerance(double c)
{
    return 3.0 * sqrt(c * (1.0 - c) / R);
}

/* One (distribution, n) cell: R samples; counts how often the CI, and the
 * interval one rank narrower (n ≥ 6 only), hold the true median. */
static void run_cell(dist d, size_t n, unsigned long seed, jt_stats_ci *ci, size_t *hit,
                     size_t *hit_narrow)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    double x[MAX_N];
    double m = dists[d].median;
    *hit = *hit_narrow = 0;
    for (size_t r = 0; r < R; r++) {
        for (size_t i = 0; i < n; i++) x[i] = draw(d, rng);
        jt_err err = JT_ERR_INIT;
        ck_assert_msg(jt_stats_median_ci(x, n, 0, 0, ci, &err) == 0, "%s", jt_err_msg(&err));
        *hit += ci->lo <= m && m <= ci->hi;
        if (ci->hi_rank - ci->lo_rank >= 2) {
            gsl_sort(x, 1, n);
            *hit_narrow += x[ci->lo_rank] <= m && m <= x[ci->hi_rank - 2];
        }
    }
    gsl_rng_free(rng);
}

START_TEST(median_ci_reaches_stated_coverage)
{
    dist d = (dist)(_i / (int)N_SIZES);
    size_t n = sizes[(size_t)_i % N_SIZES];
    jt_stats_ci ci;
    size_t hit, hit_narrow;
    run_cell(d, n, 20261202UL + (unsigned long)_i, &ci, &hit, &hit_narrow);
    ck_assert_int_eq(ci.method, JT_STATS_CI_ORDER_STATISTIC);
    ck_assert(ci.below_level == (n <= 6));
    double c = ci.coverage, got = (double)hit / R;
    ck_assert_msg(got >= c - tolerance(c), "%s, n = %zu: observed coverage %.4f < stated %.4f − %.4f",
                  dists[d].name, n, got, c, tolerance(c));
    /* The power check (file comment): only where the narrower interval's
     * true coverage is far enough below the level to be told apart at this R. */
    if (dists[d].continuous && (n == 20 || n == 30)) {
        double narrow = (double)hit_narrow / R;
        ck_assert_msg(narrow < JT_STATS_MEDIAN_LEVEL - tolerance(JT_STATS_MEDIAN_LEVEL),
                      "%s, n = %zu: the narrower interval covered %.4f; the test cannot tell a "
                      "too-narrow CI", dists[d].name, n, narrow);
    }
}
END_TEST

/* Large n: the ranks are found without a walk from l = 1 and still give an
 * interval of the stated coverage (one cell, fewer repetitions: R / 8). */
START_TEST(median_ci_large_n)
{
    enum { BIG = 2001, REPS = R / 8 };
    double *x = calloc(BIG, sizeof *x);
    ck_assert_ptr_nonnull(x);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 77);
    size_t hit = 0;
    jt_stats_ci ci;
    for (size_t r = 0; r < REPS; r++) {
        for (size_t i = 0; i < BIG; i++) x[i] = draw(D_LOGNORMAL, rng);
        ck_assert_int_eq(jt_stats_median_ci(x, BIG, 0, 0, &ci, NULL), 0);
        hit += ci.lo <= 1.0 && 1.0 <= ci.hi;
    }
    double c = ci.coverage, got = (double)hit / REPS;
    ck_assert(c >= JT_STATS_MEDIAN_LEVEL && c < 0.98);
    ck_assert_msg(got >= c - 3.0 * sqrt(c * (1 - c) / REPS), "n = %d: observed %.4f, stated %.4f",
                  BIG, got, c);
    gsl_rng_free(rng);
    free(x);
}
END_TEST

static Suite *coverage_suite(void)
{
    Suite *s = suite_create("stats_coverage");
    TCase *tc = tcase_create("coverage");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, median_ci_reaches_stated_coverage, 0, (int)(D_COUNT * N_SIZES));
    tcase_add_test(tc, median_ci_large_n);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(coverage_suite)
