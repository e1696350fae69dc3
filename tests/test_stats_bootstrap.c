/* Tests for harness/stats/ci.c's percentile bootstrap, which only ratios of
 * medians use now (the median's own CI is exact at every n): replicates are
 * drawn from the exact order-statistic distribution of a resample (odd and
 * even n), reproducibly under a seed. The bootstrap of one median is read
 * through jt_stats_ratio_ci with a denominator of ones, whose resampled
 * median is always 1, so each replicate is exactly median(resample of x).
 * Expected numbers from python3's math.comb, as each test says. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jouletrace/stats.h"
#include "support/ckmath.h"
#include "support/testutil.h"


/* ---- bootstrap CI ------------------------------------------------------ */

static const double ones[30] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                                1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};

/* The percentile bootstrap CI of median(x) (B = resamples, 0: 10 000). */
static int boot_median(const double *x, size_t n, unsigned long seed, size_t resamples,
                       jt_stats_ratio *r, jt_err *err)
{
    return jt_stats_ratio_ci(x, n, ones, 30, seed, resamples, r, err);
}

/* n = 27 distinct values 100, 100.5, …, 113 in a shuffled order
 * (x_(k) = 100 + 0.5(k − 1)). For odd n the bootstrap median is an order
 * statistic of the sample and, exactly (python3, math.comb):
 *   P(M* ≤ x_(k)) = P(Binom(27, k/27) ≥ 14)
 *   k = 8: 0.01272  k = 9: 0.03593  k = 10: 0.08326
 *   k = 18: 0.96407  k = 19: 0.98728  k = 20: 0.99647
 * so the 2.5 % and 97.5 % percentiles of 10 000 replicates are x_(9) = 104
 * and x_(19) = 109 whatever the seed: each boundary is ≥ 5.8 Monte Carlo
 * SDs away (e.g. (0.03593 − 0.025) / sqrt(0.03593·0.96407/10000)). A 90 %
 * interval would give x_(10), x_(18) instead, so the level is pinned too. */
static const unsigned long boot_seeds[] = {1, 2, 12345, 0xdeadbeef};

START_TEST(bootstrap_ci_matches_exact_distribution)
{
    double x[27];
    for (size_t i = 0; i < 27; i++) x[i] = 100.0 + 0.5 * (double)((8 * i) % 27);
    jt_stats_ratio ci;
    ck_assert_int_eq(boot_median(x, 27, boot_seeds[_i], 0, &ci, NULL), 0);
    ck_assert_uint_eq(ci.seed, boot_seeds[_i]);
    ck_assert_uint_eq(ci.resamples, 10000);
    ck_near(ci.ratio, 106.5, 0);
    ck_near(ci.lo, 104.0, 0);
    ck_near(ci.hi, 109.0, 0);
}
END_TEST

/* n = 20, even: the bootstrap median is (X*_(10) + X*_(11)) / 2. With
 * x_(i) = 2^i (i = 1..20) it lies in (2^(j−1), 2^j] exactly when X*_(11) =
 * 2^j, so P(M* ≤ 2^j) = P(Binom(20, j/20) ≥ 11) (python3, math.comb):
 *   j = 6: 0.01714  j = 7: 0.05317  j = 14: 0.95204  j = 15: 0.98614
 * so with 10 000 replicates lo lies in (2^6, 2^7] and hi in (2^14, 2^15]
 * whatever the seed (each boundary ≥ 6 Monte Carlo SDs away). This pins
 * the pair of middle order statistics a replicate is drawn from. */
START_TEST(bootstrap_ci_even_n_matches_exact_distribution)
{
    double x[20];
    for (size_t i = 0; i < 20; i++) x[i] = ldexp(1.0, (int)((7 * i) % 20) + 1);
    jt_stats_ratio ci;
    ck_assert_int_eq(boot_median(x, 20, boot_seeds[_i], 0, &ci, NULL), 0);
    ck_near(ci.ratio, (1024.0 + 2048.0) / 2, 0);
    ck_assert_msg(ci.lo > 64.0 && ci.lo <= 128.0, "lo %g", ci.lo);
    ck_assert_msg(ci.hi > 16384.0 && ci.hi <= 32768.0, "hi %g", ci.hi);
}
END_TEST

START_TEST(bootstrap_ci_reproducible)
{
    /* n = 30, even: replicate medians are midpoints, many distinct values */
    double x[30];
    for (size_t i = 0; i < 30; i++) x[i] = 50.0 + 1.7 * (double)((11 * i) % 30) + 0.01 * (double)i;
    jt_stats_ratio a, b, c;
    ck_assert_int_eq(boot_median(x, 30, 7, 0, &a, NULL), 0);
    ck_assert_int_eq(boot_median(x, 30, 7, 0, &b, NULL), 0);
    ck_assert(a.lo == b.lo && a.hi == b.hi); /* same seed: bit-identical */
    ck_assert_int_eq(boot_median(x, 30, 8, 0, &c, NULL), 0);
    ck_assert_uint_eq(c.seed, 8);
    /* close: within one spacing (≈ 1.7) of each other */
    ck_assert(fabs(a.lo - c.lo) < 2.0 && fabs(a.hi - c.hi) < 2.0);
    /* sane: contains the median, inside [min, max], and not degenerate */
    ck_assert(a.lo < a.ratio && a.ratio < a.hi);
    ck_assert(a.lo >= 50.0 && a.hi <= 50.0 + 1.7 * 29 + 0.3);
    double w = fmax(a.ratio - a.lo, a.hi - a.ratio) / a.ratio;
    ck_assert(w > 0.02 && w < 0.3);

    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(boot_median(x, 30, 7, 10, &a, &e), -1);
    ck_assert_str_eq(jt_err_msg(&e), "bootstrap needs at least 100 resamples (got 10)");
    jt_err_clear(&e);
}
END_TEST

#define LOOP(tc, fn, table) tcase_add_loop_test(tc, fn, 0, (int)(sizeof(table) / sizeof((table)[0])))

static Suite *bootstrap_suite(void)
{
    Suite *s = suite_create("stats_bootstrap");
    TCase *tc = tcase_create("bootstrap");
    LOOP(tc, bootstrap_ci_matches_exact_distribution, boot_seeds);
    LOOP(tc, bootstrap_ci_even_n_matches_exact_distribution, boot_seeds);
    tcase_add_test(tc, bootstrap_ci_reproducible);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(bootstrap_suite)
