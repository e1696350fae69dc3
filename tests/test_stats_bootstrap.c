/* Tests for harness/stats/ci.c's percentile bootstrap (and resample.c's law), which only ratios of
 * medians use now (the median's own CI is exact at every n): replicates are
 * drawn from the exact order-statistic distribution of a resample (odd and
 * even n), reproducibly under a seed. The bootstrap of one median is read
 * through jt_stats_ratio_ci with a denominator of ones, whose resampled
 * median is always 1, so each replicate is exactly median(resample of x).
 * Expected numbers from python3's math.comb, as each test says. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

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

/* The law the resampler tabulates, against every one of the n^n resamples
 * of n = 1..7 counted by brute force: for each index i, the probability
 * that the lower middle order statistic of a resample is the sample's i-th
 * smallest, and (even n) that the upper one is then a larger index. */
START_TEST(resampler_law_matches_enumeration)
{
    size_t n = (size_t)_i + 1, total = 1;
    for (size_t i = 0; i < n; i++) total *= n;
    size_t k = n % 2 ? (n + 1) / 2 : n / 2;
    double at[8] = {0}, split[8] = {0};
    size_t pick[8];
    for (size_t code = 0; code < total; code++) {
        size_t c = code, count[8] = {0};
        for (size_t j = 0; j < n; j++) pick[j] = c % n, c /= n, count[pick[j]]++;
        size_t cum = 0, a = n, b = n;
        for (size_t i = 0; i < n; i++) {
            cum += count[i];
            if (a == n && cum >= k) a = i;
            if (b == n && cum >= k + 1) b = i;
        }
        at[a] += 1.0 / (double)total;
        if (n % 2 == 0 && b > a) split[a] += 1.0 / (double)total;
    }
    jt_stats_resampler *rs = jt_stats_resampler_new();
    for (size_t i = 0; i < n; i++) {
        double p_a, p_split;
        ck_assert_int_eq(jt_stats_resampler_index_law(rs, n, i, &p_a, &p_split, NULL), 0);
        ck_near(p_a, at[i], 1e-12);
        ck_near(p_split, at[i] > 0 ? split[i] / at[i] : 0.0, 1e-12);
    }
    jt_err e = JT_ERR_INIT;
    double p_a, p_split;
    ck_assert_int_eq(jt_stats_resampler_index_law(rs, n, n, &p_a, &p_split, &e), -1);
    jt_err_clear(&e);
    jt_stats_resampler_free(rs);
}
END_TEST

/* The draws follow that law: n = 6, sample values 0..5 (so a replicate
 * median names its pair of indices), 200 000 replicates through
 * jt_stats_median_replicates; each median's share within 5 of its
 * binomial SDs of the exact probability from the enumeration above. */
START_TEST(resampler_draws_follow_the_law)
{
    enum { N = 6, B = 200000 };
    const double x[N] = {3, 0, 5, 1, 4, 2};
    size_t total = 46656, pick[N];
    double exact[2 * N] = {0}; /* index: a + b, the median is (a + b) / 2 */
    for (size_t code = 0; code < total; code++) {
        size_t c = code, count[N] = {0};
        for (size_t j = 0; j < N; j++) pick[j] = c % N, c /= N, count[pick[j]]++;
        size_t cum = 0, a = N, b = N;
        for (size_t i = 0; i < N; i++) {
            cum += count[i];
            if (a == N && cum >= N / 2) a = i;
            if (b == N && cum >= N / 2 + 1) b = i;
        }
        exact[a + b] += 1.0 / (double)total;
    }
    double *reps = calloc(B, sizeof *reps), median;
    ck_assert_ptr_nonnull(reps);
    ck_assert_int_eq(jt_stats_median_replicates(NULL, x, N, 42, B, reps, &median, NULL), 0);
    ck_near(median, 2.5, 0);
    size_t seen[2 * N] = {0};
    for (size_t r = 0; r < B; r++) {
        double twice = 2 * reps[r];
        ck_assert(twice == floor(twice) && twice >= 0 && twice <= 2 * N - 2);
        seen[(size_t)twice]++;
    }
    for (size_t v = 0; v < 2 * N - 1; v++) {
        double p = exact[v], got = (double)seen[v] / B, sd = sqrt(p * (1 - p) / B);
        ck_assert_msg(fabs(got - p) <= 5 * sd + 1e-12, "median %g: %.5f drawn, %.5f exact",
                      v / 2.0, got, p);
    }
    free(reps);
}
END_TEST

/* The percentile interval is GSL's quantile of the sorted replicates, bit
 * for bit, though it is found by selection (B = 100, 2000, 2001, 10000). */
START_TEST(percentiles_are_gsl_quantiles)
{
    static const size_t bs[] = {100, 2000, 2001, 10000};
    size_t b = bs[_i];
    double *ra = calloc(b, sizeof *ra), *rb = calloc(b, sizeof *rb), *q = calloc(b, sizeof *q);
    ck_assert(ra && rb && q);
    unsigned long x = 88172645463325252UL;
    for (size_t i = 0; i < b; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
        ra[i] = 1.0 + (double)(x % 1000003) / 1000003.0;
        rb[i] = 0.5 + (double)((x >> 20) % 999983) / 999983.0;
        q[i] = ra[i] / rb[i];
    }
    jt_stats_ratio r;
    ck_assert_int_eq(jt_stats_ratio_ci_replicates(1.0, ra, rb, b, &r, NULL), 0);
    gsl_sort(q, 1, b);
    double tail = (1.0 - JT_STATS_LEVEL) / 2; /* as ci.c writes 2.5 % */
    ck_assert(r.lo == gsl_stats_quantile_from_sorted_data(q, 1, b, tail));
    ck_assert(r.hi == gsl_stats_quantile_from_sorted_data(q, 1, b, 1.0 - tail));
    free(ra), free(rb), free(q);
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
    tcase_add_loop_test(tc, resampler_law_matches_enumeration, 0, 7);
    tcase_add_test(tc, resampler_draws_follow_the_law);
    tcase_add_loop_test(tc, percentiles_are_gsl_quantiles, 0, 4);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(bootstrap_suite)
