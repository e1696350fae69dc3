/* Fake RAPL hardware for tests: powercap zone trees, MSR device files and a
 * perf power PMU directory in a temporary directory, plus a background
 * thread that advances counters at a given power (1 kHz by default, like
 * real RAPL), wrapping exactly where the hardware would: powercap at the
 * zone's own max_energy_range_uj (value max+1 reads as 0), MSRs at 2^32.
 *
 * Point the backends at it with jt_energy_opts.{powercap,msr,perf}_root or
 * JOULETRACE_{POWERCAP,MSR,PERF}_ROOT. The tree is world-readable (0755
 * dirs, 0644 files) so a test may drop to `nobody` to see real EACCES.
 *
 * Ownership: jt_fake_rapl_new allocates; jt_fake_rapl_free stops the thread
 * and removes the tree. Counter ids are small ints valid until then. */
#ifndef JT_FAKE_RAPL_H
#define JT_FAKE_RAPL_H

#include <stdint.h>
#include <sys/types.h>

#include "jouletrace/energy.h"

typedef struct jt_fake_rapl jt_fake_rapl;

jt_fake_rapl *jt_fake_rapl_new(void);
void jt_fake_rapl_free(jt_fake_rapl *f);

const char *jt_fake_rapl_dir(const jt_fake_rapl *f);
const char *jt_fake_powercap_root(const jt_fake_rapl *f); /* <dir>/powercap */
const char *jt_fake_msr_root(const jt_fake_rapl *f);      /* <dir>/msr */
const char *jt_fake_perf_root(const jt_fake_rapl *f);     /* <dir>/power (the PMU dir) */

/* A powercap zone <root>/<dir>/{name,energy_uj,max_energy_range_uj}.
 * max_range_uj 0 leaves max_energy_range_uj out. Returns the counter id. */
int jt_fake_zone_add(jt_fake_rapl *f, const char *dir, const char *name, uint64_t max_range_uj,
                     uint64_t energy_uj);
/* Path of the zone's energy_uj (borrowed). */
const char *jt_fake_zone_path(const jt_fake_rapl *f, int id);

/* An MSR counter: register `reg` of <msr>/<cpu>/msr (a sparse file holding
 * 8-byte little-endian values at their register offsets), 32-bit, advancing
 * in units of `unit_joules`. Returns the counter id. */
int jt_fake_msr_counter(jt_fake_rapl *f, int cpu, uint32_t reg, double unit_joules,
                        uint64_t value);
/* Writes any register once (unit registers, 0xBC, garbage in high bits). */
void jt_fake_msr_set(jt_fake_rapl *f, int cpu, uint32_t reg, uint64_t value);
/* Cuts <msr>/<cpu>/msr to `size` bytes: registers past it read short (EIO). */
void jt_fake_msr_truncate(jt_fake_rapl *f, int cpu, off_t size);

/* Sets a counter's raw value now (powercap: µJ; msr: counts). */
void jt_fake_counter_set(jt_fake_rapl *f, int id, uint64_t raw);
/* Power at which the background thread advances the counter. */
void jt_fake_counter_power(jt_fake_rapl *f, int id, double watts);
/* The counter's raw value as last written (powercap: µJ; msr: counts). */
uint64_t jt_fake_counter_get(jt_fake_rapl *f, int id);

/* Active power: on top of its constant power the counter also advances by
 * `watts` × the CPU seconds used by every live process whose command line
 * (/proc/PID/cmdline, first 8 KiB, raw bytes) contains `marker` and that
 * descends from the calling process (so a test counts only the processes
 * it started, never a concurrent test's) — a package whose power rises
 * only while the measured code runs.
 *
 * Each tick reads the processes' CPU clocks (clock_getcpuclockid +
 * clock_gettime, ns) and credits what they used since the last tick. The
 * kernel brings another process's clock up to date only when that process
 * is scheduled or at a scheduler tick (4 ms at HZ=250), so while it runs on
 * another CPU the credit trails its true CPU time by up to one scheduler
 * tick; a sleeping process's clock is exact. Processes already running now
 * count from now on; ones found later (a scanner thread rereads /proc every
 * 20 ms, apart from the real-time writer) count from their start (fork),
 * credited when found. A process that exits loses the CPU after its last
 * credited tick, and one that lives less than a rescan may go unseen. At
 * most 64 such processes live at once. watts 0 or marker NULL turns it
 * off. The writer must be running (jt_fake_rapl_start). */
void jt_fake_counter_active(jt_fake_rapl *f, int id, double watts, const char *marker);
/* Longest interval between two writer ticks so far, in seconds (how late
 * the fake's counters ever were: a test's tolerance can name it). */
double jt_fake_rapl_max_gap(jt_fake_rapl *f);
/* CPU seconds credited to the counter so far and the number of distinct
 * processes that matched its marker (either pointer may be NULL). */
void jt_fake_counter_active_stats(jt_fake_rapl *f, int id, double *cpu_seconds,
                                  unsigned *processes);

/* Starts/stops the thread writing every counter with power at `hz`. */
void jt_fake_rapl_start(jt_fake_rapl *f, double hz);
void jt_fake_rapl_stop(jt_fake_rapl *f);

/* A perf power PMU with energy-pkg (and energy-ram when with_ram). */
void jt_fake_perf_pmu(jt_fake_rapl *f, const char *type, const char *cpumask, int with_ram);

/* Test helpers: open a backend / read a meter, failing the test with the
 * error text when it does not work. */
jt_energy_meter *jt_fake_open_ok(jt_energy_kind kind, const jt_energy_opts *o);
void jt_fake_read_ok(jt_energy_meter *m, jt_energy_sample *s);

#endif
