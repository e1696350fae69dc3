/* The monotonic clock (clock.h). */
#include "jouletrace/clock.h"

#include <time.h>

double jt_monotonic_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); /* cannot fail with a valid clock id */
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
