/* Sample literals and a tolerant comparison for the statistics tests. */
#ifndef JT_TEST_CKMATH_H
#define JT_TEST_CKMATH_H

#include <check.h>
#include <math.h>

/* A(1, 2, 3): an array literal; N(...): its length; SAMPLE(...): both, as
 * the (const double *x, size_t n) pair the stats functions take. */
#define A(...) (const double[]){__VA_ARGS__}
#define N(...) (sizeof((const double[]){__VA_ARGS__}) / sizeof(double))
#define SAMPLE(...) A(__VA_ARGS__), N(__VA_ARGS__)

/* |got − want| ≤ rel · max(1, |want|); NAN expects NAN. */
#define ck_near(got, want, rel)                                                              \
    do {                                                                                     \
        double g_ = (got), w_ = (want);                                                      \
        if (isnan(w_))                                                                       \
            ck_assert_msg(isnan(g_), "%s = %.17g, expected NaN", #got, g_);                  \
        else                                                                                 \
            ck_assert_msg(fabs(g_ - w_) <= (rel) * fmax(1.0, fabs(w_)),                      \
                          "%s = %.17g, expected %.17g", #got, g_, w_);                       \
    } while (0)

#endif
