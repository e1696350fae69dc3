/* clock — the one monotonic clock every timeout, deadline, energy-sample
 * time and progress line uses: CLOCK_MONOTONIC in seconds. Differences of
 * its values are elapsed seconds; the origin is arbitrary (boot), so its
 * values are never written into results as times of day (jt_utc_now is). */
#ifndef JOULETRACE_CLOCK_H
#define JOULETRACE_CLOCK_H

/* CLOCK_MONOTONIC now, in seconds (nanosecond resolution). */
double jt_monotonic_s(void);

#endif
