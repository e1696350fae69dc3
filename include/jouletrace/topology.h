/* topology — which CPUs belong to package (socket) 0, which one measures and
 * which one keeps house, and what about them would add noise.
 *
 * Read from sysfs (/sys/devices/system/cpu, overridable with
 * JOULETRACE_SYSFS_CPU_ROOT so tests can build fake trees). The measurement
 * core defaults to the highest-numbered online CPU of package 0 that is not
 * CPU 0 (CPU 0 takes most housekeeping interrupts); the housekeeping CPU is
 * the lowest-numbered other online CPU of package 0, and the harness pins
 * itself there so counter reads never disturb the measured core.
 *
 * Ownership: jt_topology is a plain value with fixed-size arrays; warnings are
 * malloc'd strings owned by it (jt_topology_release). */
#ifndef JOULETRACE_TOPOLOGY_H
#define JOULETRACE_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>

#include "jouletrace/common.h"
#include "jouletrace/sysfile.h" /* JT_MAX_CPUS, jt_cpulist_parse */

typedef struct jt_topology {
    int n_online;                 /* online CPUs, all packages */
    int pkg0_cpus[JT_MAX_CPUS];   /* online CPUs of package 0, ascending */
    int n_pkg0;
    int n_packages;               /* distinct package ids among online CPUs */
    int measure_cpu;              /* -1 when none could be chosen */
    int housekeeping_cpu;         /* -1 when package 0 has a single CPU */
    int measure_sibling;          /* an online SMT sibling of measure_cpu, or -1 */
    bool measure_isolated;        /* listed in isolcpus (…/cpu/isolated) */
    bool measure_nohz_full;       /* listed in nohz_full (…/cpu/nohz_full) */
    char **warnings;              /* human-readable, one line each */
    size_t n_warnings;
} jt_topology;

/* Reads the topology. `requested_cpu` >= 0 picks the measurement core
 * explicitly (it must be an online CPU of package 0); -1 uses the default. */
int jt_topology_read(jt_topology *t, int requested_cpu, jt_err *err);
void jt_topology_release(jt_topology *t);

/* Pins the calling thread to `cpu`. */
int jt_pin_self(int cpu, jt_err *err);

#endif
