/* energy — cumulative energy of CPU package 0 (and its DRAM) from one of four
 * backends: perf (kernel power PMU), powercap (sysfs), msr (/dev/cpu/C/msr)
 * or model (an estimate for hosts without counters, always labelled so).
 *
 * How the trial engine uses it (all reads from a housekeeping CPU):
 *
 *     jt_energy_meter *m;
 *     if (jt_energy_open(JT_ENERGY_AUTO, &opts, &m, &err)) ...;   // once per run
 *     jt_energy_guard_start(m, housekeeping_cpu, &err);          // wrap guard
 *     jt_energy_sample a = {0}, b = {0};
 *     a.cpu_seconds = child_cpu_seconds();        // only the model uses it
 *     jt_energy_align_edge(m, &a, &err);          // start on a counter update
 *     ... child runs N iterations ...
 *     b.cpu_seconds = child_cpu_seconds();
 *     jt_energy_read(m, &b, &err);
 *     jt_energy_delta d;
 *     if (jt_energy_diff(&a, &b, &d, &err)) -> drop the trial, repeat it
 *     jt_energy_guard_stop(m); jt_energy_close(m);
 *
 * Guarantees: a sample's joules are cumulative since open, wrap-corrected and
 * never decrease. A read that fails, a counter that goes backwards where no
 * wrap can explain it, a jump no real package could make, or a gap between
 * reads longer than the counter's wrap period is never turned into a number:
 * the sample is marked invalid and the domain's `breaks` count goes up, so
 * jt_energy_diff refuses every window that spans it.
 *
 * Ownership: jt_energy_open allocates the meter; jt_energy_close frees it and
 * everything the accessors returned (strings and domain infos are borrowed
 * from the meter). Samples and deltas are plain caller-owned values. A meter
 * may be read from several threads (reads are serialised by a mutex); open,
 * guard start/stop and close belong to one thread.
 *
 * Environment (used when the matching jt_energy_opts field is NULL/unset):
 *   JOULETRACE_POWERCAP_ROOT  default /sys/class/powercap
 *   JOULETRACE_PERF_ROOT      default /sys/bus/event_source/devices/power
 *   JOULETRACE_MSR_ROOT       default /dev/cpu   (files C/msr)
 *   JOULETRACE_CPU_VENDOR, JOULETRACE_CPU_FAMILY, JOULETRACE_CPU_MODEL
 *                             default from /proc/cpuinfo (msr backend only) */
#ifndef JOULETRACE_ENERGY_H
#define JOULETRACE_ENERGY_H

#include <stdbool.h>
#include <stdint.h>

#include "jouletrace/common.h"

/* --backend values. AUTO tries perf, powercap, msr, then falls back to the
 * model (loudly); HARDWARE is AUTO without the model (what cron jobs use). */
typedef enum jt_energy_kind {
    JT_ENERGY_AUTO,
    JT_ENERGY_HARDWARE,
    JT_ENERGY_PERF,
    JT_ENERGY_POWERCAP,
    JT_ENERGY_MSR,
    JT_ENERGY_MODEL,
} jt_energy_kind;

/* Domains. core/uncore/psys are deliberately absent: they are subsets or
 * supersets of the package and must never be added to it. */
enum jt_energy_domain {
    JT_ENERGY_PACKAGE, /* package 0, all of its dies summed */
    JT_ENERGY_DRAM,    /* DRAM of package 0; absent on AMD and many clients */
    JT_ENERGY_NDOMAINS
};

typedef struct jt_energy_opts {
    const char *powercap_root; /* NULL: environment, then the default */
    const char *perf_root;
    const char *msr_root;
    const char *cpu_vendor;    /* "GenuineIntel", "AuthenticAMD", "HygonGenuine" */
    int cpu_family;            /* -1: environment, then /proc/cpuinfo */
    int cpu_model;
    int cpu;                   /* CPU of package 0 to read through; -1: lowest one */
    /* The online CPUs of package 0, ascending, from the caller's topology
     * (measure/ reads it; energy/ never does). Borrowed: read only during
     * jt_energy_open and jt_energy_probe. NULL (n_pkg0 0) when unknown: the
     * msr backend then reads through CPU 0 (cpu -1) and perf through the
     * first CPU its PMU lists (the kernel lists package 0 first). */
    const int *pkg0_cpus;
    int n_pkg0;
    /* --max-power-watts: the bound on any domain's power (W); 0 (default):
     * the hardware's stated limit where the backend reads one (powercap
     * constraints; msr: MSR_PKG_POWER_INFO / MSR_PKG_POWER_LIMIT), else
     * JT_ENERGY_MAX_POWER_W. The bound turns a counter range into a wrap
     * period (guard interval, gap check), rejects jumps no real part can
     * make and bounds a calibration's watts (jt_energy_power_ceiling). */
    double max_power_w;
    /* model backend, see harness/energy/model.c for why these defaults */
    double model_idle_w;       /* package, whole wall time of the window */
    double model_active_w;     /* per CPU-second of the measured child */
    double model_dram_w;       /* DRAM, whole wall time */
} jt_energy_opts;

#define JT_ENERGY_MAX_POWER_W 1000.0
#define JT_ENERGY_MODEL_IDLE_W 10.0
#define JT_ENERGY_MODEL_ACTIVE_W 15.0
#define JT_ENERGY_MODEL_DRAM_W 2.0

/* Fills the defaults above (roots NULL, cpu/family/model -1, no pkg0_cpus). */
void jt_energy_opts_init(jt_energy_opts *o);

/* One read of every domain. cpu_seconds is an INPUT: the CPU time consumed so
 * far by the measured child (any fixed origin, non-decreasing between reads);
 * only the model backend uses it. Everything else is output. */
typedef struct jt_energy_sample {
    double cpu_seconds;                    /* in */
    double t;                              /* CLOCK_MONOTONIC seconds of the read */
    bool valid[JT_ENERGY_NDOMAINS];        /* false: read failed or continuity lost */
    double joules[JT_ENERGY_NDOMAINS];     /* cumulative since open */
    uint64_t counts[JT_ENERGY_NDOMAINS];   /* same in the domain's native unit */
    uint64_t breaks[JT_ENERGY_NDOMAINS];   /* continuity losses since open */
    uint64_t wraps[JT_ENERGY_NDOMAINS];    /* counter wraps corrected since open */
    bool edge;                             /* align_edge saw the counter update */
} jt_energy_sample;

typedef struct jt_energy_delta {
    double seconds;
    bool valid[JT_ENERGY_NDOMAINS];        /* false for absent or broken domains */
    double joules[JT_ENERGY_NDOMAINS];     /* 0 where !valid */
} jt_energy_delta;

/* What a meter measures in one domain; borrowed from the meter. */
typedef struct jt_energy_domain_info {
    const char *name;    /* "package", "dram" */
    double unit_joules;  /* joules per count */
    const char *units;   /* human text: unit, width, wrap, quirks */
    const char *where;   /* the files/registers/events read */
    double wrap_joules;  /* energy of one counter wrap; 0 when the kernel handles it */
} jt_energy_domain_info;

typedef struct jt_energy_meter jt_energy_meter;

int jt_energy_kind_parse(const char *s, jt_energy_kind *out, jt_err *err);
const char *jt_energy_kind_name(jt_energy_kind k); /* "auto", ..., "model" */
const char *jt_energy_domain_name(int domain);     /* "package", "dram" */

/* Is this concrete backend usable here? -1 with the reason and the fix. */
int jt_energy_probe(jt_energy_kind k, const jt_energy_opts *o, jt_err *why);

/* Opens a backend (AUTO/HARDWARE choose, see above) and takes a first read
 * as the origin. On failure *out is NULL and err has every reason. */
int jt_energy_open(jt_energy_kind k, const jt_energy_opts *o, jt_energy_meter **out,
                   jt_err *err);
void jt_energy_close(jt_energy_meter *m); /* stops the guard; NULL is fine */

const char *jt_energy_source_name(const jt_energy_meter *m); /* "perf"|"powercap"|"msr"|"model" */
jt_energy_kind jt_energy_source_kind(const jt_energy_meter *m);
bool jt_energy_is_estimate(const jt_energy_meter *m); /* true for the model */
/* Why AUTO fell back to the model (every hardware backend's reason), or NULL. */
const char *jt_energy_fallback_reason(const jt_energy_meter *m);
/* NULL when the domain is absent. */
const jt_energy_domain_info *jt_energy_domain(const jt_energy_meter *m, int domain);
/* The most power `domain` can plausibly draw (W): max_power_w when set,
 * else the hardware's stated limit where the backend knows it, else
 * JT_ENERGY_MAX_POWER_W. A window, or an idle baseline, above it is not a
 * measurement; every rejection names the bound and where it came from. */
double jt_energy_power_ceiling(const jt_energy_meter *m, int domain);
/* Where that bound comes from, for messages and `status` (static text). */
const char *jt_energy_power_ceiling_from(const jt_energy_meter *m, int domain);
/* The fastest any counter of the meter can wrap (s, its range at its
 * domain's bound); 0 when none wraps. */
double jt_energy_shortest_wrap(const jt_energy_meter *m);
/* Below this shortest wrap period a late guard read loses windows:
 * session start and `status` say so (one warning line). */
#define JT_ENERGY_SHORT_WRAP_S 1.0
/* Newline-separated remarks (ignored zones, quirks, disabled domains); "" if none. */
const char *jt_energy_notes(const jt_energy_meter *m);
/* MSR 0xBC bit 0 (Intel energy filtering, deliberately noised RAPL):
 * 1 on, 0 off, -1 unknown (not readable with this backend). */
int jt_energy_filtering(const jt_energy_meter *m);

/* Reads every domain into *s (s->cpu_seconds must be set). Returns 0 when
 * every present domain is valid; -1 (err names the domains and why) when one
 * is not — the flags in *s still say which. */
int jt_energy_read(jt_energy_meter *m, jt_energy_sample *s, jt_err *err);

/* Like jt_energy_read, but first waits (at most 2 ms) for the package counter
 * to change, so a window starts on an update edge instead of up to ~1 ms
 * after one. s->edge says whether an edge was seen (never for the model). */
int jt_energy_align_edge(jt_energy_meter *m, jt_energy_sample *s, jt_err *err);

/* Energy between two samples of one meter. Returns -1 (err says why) when the
 * package is not valid in both or lost continuity in between: drop the trial
 * and repeat it. DRAM problems only clear d->valid[JT_ENERGY_DRAM]. */
int jt_energy_diff(const jt_energy_sample *a, const jt_energy_sample *b, jt_energy_delta *d,
                   jt_err *err);

/* Seconds between guard reads: min(60 s, shortest wrap period / 4), where a
 * wrap period is the counter's range at max_power_w; 0 when no counter
 * wraps (perf, model) and the guard is not needed. */
double jt_energy_guard_interval(const jt_energy_meter *m);
/* Starts a thread that reads the meter every guard interval so no window
 * loses a wrap. cpu >= 0 pins it there (a housekeeping CPU of package 0).
 * Does nothing (returns 0) when the interval is 0. */
int jt_energy_guard_start(jt_energy_meter *m, int cpu, jt_err *err);
void jt_energy_guard_stop(jt_energy_meter *m); /* no-op when not running */
/* Guard reads that failed. A failed read leaves the meter's state alone, so
 * the next good read still diffs against the last good one; the gap check
 * (no more than one wrap period between good reads) keeps that safe. */
uint64_t jt_energy_guard_failures(jt_energy_meter *m);

#endif
