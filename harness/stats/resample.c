/* The median of a bootstrap resample, drawn from its exact distribution
 * (contract in jouletrace/stats.h, docs/design.md "Comparisons").
 *
 * A resample of the sorted s[0..n) is n picks of indices, iid uniform on
 * 0..n−1; with c_i the number of picks ≤ i, its k-th smallest value is s[a]
 * for a = min{i : c_i ≥ k}, and c_i ~ Binom(n, (i + 1)/n), so
 *     P(a ≤ i) = P(Binom(n, (i + 1)/n) ≥ k).
 * n odd: the median is s[a] with k = (n + 1)/2. n even: it is (s[a] +
 * s[b])/2 with k = n/2 and b the index of the (k + 1)-th smallest pick; b = a
 * unless exactly k picks are ≤ a, which has
 *     P(a = i, b > i) = P(c_i = k) − P(c_(i−1) = k, no pick at i)
 *                     = pmf(k; n, (i + 1)/n) · (1 − (i/(i + 1))^k),
 * and then the other n − k picks are iid uniform above a and b is the least:
 * P(b ≥ a + 1 + t) = (1 − t/(n − 1 − a))^(n−k), drawn by inversion.
 * A draw is a uniform and a binary search (n even: one or two uniforms
 * more), against two gamma variates for the Beta order statistic this
 * replaces; the distribution is the same, the numbers are not. The table of
 * each n is built once per resampler and shared by every sample of that
 * size. */
#include "stats/resample.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

typedef struct table {
    size_t n;
    double *cdf;   /* P(a ≤ i), i = 0..n−1; cdf[n−1] = 1 */
    double *split; /* n even: P(b > a | a = i); NULL for odd n */
} table;

struct jt_stats_resampler {
    table *t;
    size_t n, cap;
};

jt_stats_resampler *jt_stats_resampler_new(void)
{
    return jt_xcalloc(1, sizeof(jt_stats_resampler));
}

void jt_stats_resampler_free(jt_stats_resampler *rs)
{
    if (!rs) return;
    for (size_t i = 0; i < rs->n; i++) free(rs->t[i].cdf), free(rs->t[i].split);
    free(rs->t);
    free(rs);
}

static void build(table *t, size_t n)
{
    t->n = n;
    t->cdf = jt_xreallocarray(NULL, n, sizeof *t->cdf);
    t->split = NULL;
    unsigned k = (unsigned)(n % 2 ? (n + 1) / 2 : n / 2);
    for (size_t i = 0; i + 1 < n; i++)
        t->cdf[i] = gsl_cdf_binomial_Q(k - 1, (double)(i + 1) / (double)n, (unsigned)n);
    t->cdf[n - 1] = 1.0;
    if (n % 2) return;
    t->split = jt_xreallocarray(NULL, n, sizeof *t->split);
    for (size_t i = 0; i < n; i++) {
        double p_a = t->cdf[i] - (i ? t->cdf[i - 1] : 0.0);
        double joint = gsl_ran_binomial_pdf(k, (double)(i + 1) / (double)n, (unsigned)n) *
                       -expm1((double)k * log((double)i / (double)(i + 1)));
        double q = p_a > 0 ? joint / p_a : 0.0;
        t->split[i] = i + 1 == n ? 0.0 : q < 0 ? 0.0 : q > 1 ? 1.0 : q;
    }
}

static const table *table_of(jt_stats_resampler *rs, size_t n)
{
    for (size_t i = 0; i < rs->n; i++)
        if (rs->t[i].n == n) return &rs->t[i];
    JT_GROW(rs->t, rs->n + 1, rs->cap);
    build(&rs->t[rs->n], n);
    return &rs->t[rs->n++];
}

/* The least i with cdf[i] > u (cdf ascending, cdf[n−1] = 1 > u). */
static size_t invert(const double *cdf, size_t n, double u)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cdf[mid] > u) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

void jt_stats_resampler_draw(jt_stats_resampler *rs, const gsl_rng *rng, const double *s,
                             size_t n, double *out, size_t count)
{
    const table *t = table_of(rs, n);
    size_t k = n / 2;
    for (size_t r = 0; r < count; r++) {
        size_t a = invert(t->cdf, n, gsl_rng_uniform(rng));
        if (!t->split) {
            out[r] = s[a];
            continue;
        }
        size_t b = a;
        if (gsl_rng_uniform(rng) < t->split[a]) {
            double span = (double)(n - 1 - a);
            double f = floor(span * -expm1(log(gsl_rng_uniform_pos(rng)) / (double)(n - k)));
            size_t step = f < 0 ? 0 : f > span - 1 ? (size_t)span - 1 : (size_t)f;
            b = a + 1 + step;
        }
        out[r] = (s[a] + s[b]) / 2;
    }
}

int jt_stats_resampler_index_law(jt_stats_resampler *rs, size_t n, size_t i, double *p_a,
                                 double *p_split, jt_err *err)
{
    if (n == 0 || i >= n) return jt_err_set(err, "no index %zu in a sample of %zu", i, n);
    const table *t = table_of(rs, n);
    *p_a = t->cdf[i] - (i ? t->cdf[i - 1] : 0.0);
    *p_split = t->split ? t->split[i] : 0.0;
    return 0;
}
