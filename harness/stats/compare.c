/* Comparing candidates: Mann–Whitney U and Benjamini–Hochberg (contract in
 * jouletrace/stats.h; the bootstrap ratio of medians lives in ci.c). */
#include "jouletrace/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sort.h>

/* P(U ≤ umax) under H0 for sample sizes m, n without ties.
 *
 * c(m, n, u), the number of orderings of m a's and n b's in which exactly u
 * (a, b) pairs have a > b, obeys c(m, n, u) = c(m − 1, n, u − n) +
 * c(m, n − 1, u): the largest pooled value is either an a (beating all n
 * b's) or a b (beating nothing). Only u ≤ umax is needed, and row m' of the
 * table is updated in place for each n' (row m' − 1 already holds n').
 * Counts stay exact-ish in doubles: they are only ever added (no
 * cancellation) and C(98, 49) ≈ 2.5e28 is far from overflow. */
static double mwu_exact_cdf(size_t m, size_t n, size_t umax)
{
    size_t w = umax + 1;
    double *c = jt_xcalloc((m + 1) * w, sizeof(*c));
    for (size_t i = 0; i <= m; i++) c[i * w] = 1; /* n' = 0: only u = 0 */
    for (size_t nn = 1; nn <= n; nn++)
        for (size_t mm = 1; mm <= m; mm++)
            for (size_t u = nn; u < w; u++) c[mm * w + u] += c[(mm - 1) * w + u - nn];
    double sum = 0;
    for (size_t u = 0; u < w; u++) sum += c[m * w + u];
    free(c);
    return sum / gsl_sf_choose((unsigned)(m + n), (unsigned)m);
}

int jt_stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
                          jt_stats_mwu *out, jt_err *err)
{
    /* The sorted copies only validate (non-empty, finite); ranks need the
     * pooled order with group membership, so sort an index instead. */
    double *sa = jt_stats_sorted_copy(a, na, err);
    if (!sa) return jt_err_prefix(err, "first sample");
    free(sa);
    double *sb = jt_stats_sorted_copy(b, nb, err);
    if (!sb) return jt_err_prefix(err, "second sample");
    free(sb);

    size_t N = na + nb;
    double *v = jt_xreallocarray(NULL, N, sizeof(*v));
    size_t *perm = jt_xreallocarray(NULL, N, sizeof(*perm));
    memcpy(v, a, na * sizeof(*v));
    memcpy(v + na, b, nb * sizeof(*v));
    gsl_sort_index(perm, v, 1, N);

    /* Midranks: a run of t equal values at sorted positions i..j−1 (0-based)
     * all get the mean rank (i + 1 + j)/2; Σ(t³ − t) feeds the variance. */
    double rank_a = 0, ties = 0;
    for (size_t i = 0, j; i < N; i = j) {
        for (j = i + 1; j < N && v[perm[j]] == v[perm[i]]; j++) {}
        double mid = (double)(i + 1 + j) / 2, t = (double)(j - i);
        ties += t * t * t - t;
        for (size_t k = i; k < j; k++)
            if (perm[k] < na) rank_a += mid;
    }
    free(perm);
    free(v);

    double mn = (double)na * (double)nb;
    jt_stats_mwu r = {.u = rank_a - (double)na * (double)(na + 1) / 2};
    if (ties == 0 && na < JT_STATS_MWU_EXACT_MAX && nb < JT_STATS_MWU_EXACT_MAX) {
        /* Without ties U is an integer; the null distribution is symmetric
         * about mn/2, so the two-sided p doubles the smaller tail. */
        double umin = fmin(r.u, mn - r.u);
        r.exact = true;
        r.z = NAN;
        r.p = fmin(1.0, 2 * mwu_exact_cdf(na, nb, (size_t)llround(umin)));
    } else {
        double Nd = (double)N;
        double var = mn / 12 * ((Nd + 1) - ties / (Nd * (Nd - 1)));
        if (var <= 0) { /* every value equal: no evidence of a difference */
            r.z = 0;
            r.p = 1;
        } else {
            r.z = fmax(0, fabs(r.u - mn / 2) - 0.5) / sqrt(var);
            r.p = fmin(1.0, 2 * gsl_cdf_ugaussian_Q(r.z));
        }
    }
    *out = r;
    return 0;
}

int jt_stats_bh(const double *p, size_t n, double *q, jt_err *err)
{
    for (size_t i = 0; i < n; i++)
        if (!(p[i] >= 0 && p[i] <= 1)) /* also rejects NaN */
            return jt_err_set(err, "p-value %zu is not in [0, 1] (%g)", i, p[i]);
    if (n == 0) return 0;
    size_t *perm = jt_xreallocarray(NULL, n, sizeof(*perm));
    gsl_sort_index(perm, p, 1, n);
    /* Step-up: walk from the largest p down, keeping the running minimum of
     * p_(k)·n/k so the q-values are monotone in p. Equal p-values get equal
     * q-values whatever order the (unstable) index sort left them in. */
    double run = 1.0;
    for (size_t k = n; k >= 1; k--) {
        size_t i = perm[k - 1];
        run = fmin(run, p[i] * (double)n / (double)k);
        q[i] = run;
    }
    free(perm);
    return 0;
}
