/* The draw of stats/resample.c for the other stats modules (ci.c): it takes
 * their gsl_rng, which the public header does not expose. */
#ifndef JT_STATS_RESAMPLE_H
#define JT_STATS_RESAMPLE_H

#include <gsl/gsl_rng.h>

#include "jouletrace/stats.h"

/* `count` medians of bootstrap resamples of the ascending s[0..n) (n ≥ 1)
 * into out, from rng. */
void jt_stats_resampler_draw(jt_stats_resampler *rs, const gsl_rng *rng, const double *s,
                             size_t n, double *out, size_t count);

#endif
