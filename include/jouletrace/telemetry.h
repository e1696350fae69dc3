/* telemetry — what explains a noisy trial: the child's context switches, the
 * interrupts the measurement core took, its frequency and the package
 * temperature. Every field is optional: -1 (or NAN) where the host does not
 * expose it, never a guess. */
#ifndef JOULETRACE_TELEMETRY_H
#define JOULETRACE_TELEMETRY_H

#include <sys/types.h>

typedef struct jt_telemetry {
    long long voluntary_cs;    /* of the child process, cumulative; -1 unknown */
    long long involuntary_cs;
    long long cpu_interrupts;  /* sum over /proc/interrupts for the CPU; -1 unknown */
    double freq_mhz;           /* scaling_cur_freq of the CPU; NAN unknown */
    double temp_c;             /* package temperature; NAN unknown */
} jt_telemetry;

/* Snapshot for child `pid` (threads summed: /proc/PID/status) and `cpu`. */
void jt_telemetry_read(pid_t pid, int cpu, jt_telemetry *t);

/* b − a for the counters (-1 when either side is unknown); freq and temp
 * are taken from b (end of window). */
void jt_telemetry_delta(const jt_telemetry *a, const jt_telemetry *b, jt_telemetry *d);

#endif
