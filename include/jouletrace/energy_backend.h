/* energy_backend — the contract between harness/energy/energy.c (the meter:
 * wrap correction, continuity, guard, edges) and each backend (how to find
 * and read raw counters). Users of the meter include energy.h only.
 *
 * A backend is one const jt_energy_ops with designated initialisers (as
 * fio's ioengines), listed in the explicit table in energy.c: adding one is a
 * new file and a new row. open() describes what it found in a
 * jt_energy_backend: one jt_energy_source per raw counter (a powercap zone, a
 * register, a perf event), each tied to a domain; a domain's sources share
 * its unit and are summed (the dies of package 0). read() returns raw values
 * only; the meter turns them into monotonic joules.
 *
 * Ownership: everything in a jt_energy_backend (priv, where/units strings,
 * notes) belongs to it; the backend's close() frees priv, the meter frees the
 * rest with jt_energy_backend_release(). */
#ifndef JOULETRACE_ENERGY_BACKEND_H
#define JOULETRACE_ENERGY_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jouletrace/common.h"
#include "jouletrace/energy.h"

#define JT_ENERGY_MAX_SOURCES 16

typedef struct jt_energy_source {
    int domain;
    /* Raw values lie in [0, modulus) and wrap to 0 there: 2^32 for RAPL
     * MSRs, max_energy_range_uj + 1 for powercap. 0: the value never wraps
     * (perf's 64-bit count, the model), so going backwards is an error. */
    uint64_t modulus;
    char *where; /* file, register or event, for status and error messages */
} jt_energy_source;

typedef struct jt_energy_backend {
    void *priv;
    size_t nsrc;
    jt_energy_source src[JT_ENERGY_MAX_SOURCES];
    bool present[JT_ENERGY_NDOMAINS];
    double unit_joules[JT_ENERGY_NDOMAINS];
    char *units[JT_ENERGY_NDOMAINS]; /* human description of unit and width */
    jt_buf notes;                    /* remarks, one per line */
    int energy_filtering;            /* -1 unknown, 0 off, 1 on */
    /* The most a domain can draw as the hardware states it (W; powercap's
     * constraint_*_max_power_uw / _power_limit_uw, summed over the domain's
     * zones); 0 when the backend does not know. */
    double power_ceiling_w[JT_ENERGY_NDOMAINS];
    const char *power_ceiling_from[JT_ENERGY_NDOMAINS]; /* static text: which registers/files */
} jt_energy_backend;

/* What the meter knows at the time of a read; the model uses it. */
typedef struct jt_energy_input {
    double t;           /* CLOCK_MONOTONIC seconds */
    double cpu_seconds; /* the measured child's CPU time so far */
} jt_energy_input;

typedef struct jt_energy_ops {
    const char *name;      /* "perf", "powercap", "msr", "model" */
    jt_energy_kind kind;
    bool estimate;         /* true only for the model: never a measurement */
    bool has_edges;        /* counters update in steps align_edge can wait for */
    /* Usable here? 0, or -1 with a reason a human can act on (the fix). */
    int (*probe)(const jt_energy_opts *o, jt_err *why);
    /* Finds and opens the counters of package 0; fills b (zeroed by the
     * caller, energy_filtering preset to -1). On failure b needs no close. */
    int (*open)(jt_energy_backend *b, const jt_energy_opts *o, jt_err *err);
    /* Raw value of every source; errs[i] = 0 or an errno (EIO for a
     * register the part lacks). Called with the meter's lock held. */
    void (*read)(jt_energy_backend *b, const jt_energy_input *in, uint64_t *raw, int *errs);
    void (*close)(jt_energy_backend *b);
} jt_energy_ops;

extern const jt_energy_ops jt_energy_perf_ops;
extern const jt_energy_ops jt_energy_powercap_ops;
extern const jt_energy_ops jt_energy_msr_ops;
extern const jt_energy_ops jt_energy_model_ops;

/* Opens a meter on `ops` itself rather than a row of the backend table, as
 * jt_energy_open does for one backend (o NULL: the defaults): a backend
 * under test, such as tests/test_engine.c's meter whose reads fail. */
int jt_energy_open_ops(const jt_energy_ops *ops, const jt_energy_opts *o, jt_energy_meter **out,
                       jt_err *err);

/* probe() for backends whose only honest check is opening: open, close. */
int jt_energy_probe_by_open(const jt_energy_ops *ops, const jt_energy_opts *o, jt_err *why);

/* Adds a source (where is copied); -1 with err when the table is full. */
int jt_energy_add_source(jt_energy_backend *b, int domain, uint64_t modulus, const char *where,
                         jt_err *err);
/* Marks a domain present with its unit and a description (copied). */
void jt_energy_set_domain(jt_energy_backend *b, int domain, double unit_joules,
                          const char *units);
void jt_energy_note(jt_energy_backend *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void jt_energy_backend_release(jt_energy_backend *b);

/* --- helpers shared by backends (harness/energy/sysfs.c) ---------------- */

/* opt if set, else $env if set and non-empty, else def. */
const char *jt_energy_root(const char *opt, const char *env, const char *def);
/* Whole small file, trailing whitespace stripped. 0, or an errno. */
int jt_energy_slurp(const char *path, jt_buf *out);
/* A decimal unsigned value (leading/trailing blanks allowed). 0 or an errno
 * (EINVAL when the text is not a number). */
int jt_energy_parse_u64(const char *s, uint64_t *v);
int jt_energy_pread_u64(int fd, uint64_t *v);
/* The CPU to read package 0 through: o->cpu, else the lowest of
 * o->pkg0_cpus, else 0. */
int jt_energy_pkg0_cpu(const jt_energy_opts *o);

/* --- perf sysfs parsing (harness/energy/perf.c), exposed for tests ------ */

typedef struct jt_energy_perf_event {
    uint64_t config;  /* perf_event_attr.config, built through format/ */
    double scale;     /* joules per count (the .scale file) */
    char *unit;       /* the .unit file, "Joules" expected; owned */
} jt_energy_perf_event;

/* Parses events/<name>, <name>.scale and <name>.unit under a PMU directory.
 * -1 with err (naming the file) when any is missing or malformed. */
int jt_energy_perf_parse_event(const char *pmu, const char *name, jt_energy_perf_event *ev,
                               jt_err *err);
void jt_energy_perf_event_release(jt_energy_perf_event *ev);
/* The PMU's `type` and the CPU of package 0 from its `cpumask`: the first
 * listed CPU that is one of pkg0_cpus[0..n_pkg0), else the first listed. */
int jt_energy_perf_parse_pmu(const char *pmu, const int *pkg0_cpus, int n_pkg0, int *type,
                             int *cpu, jt_err *err);

/* Sets b's package ceiling from the powercap tree's package-0 constraints
 * (o->powercap_root, $JOULETRACE_POWERCAP_ROOT, /sys/class/powercap) when it
 * states one; for the backends that read the counters elsewhere (msr, perf). */
void jt_energy_powercap_limit(jt_energy_backend *b, const jt_energy_opts *o);

/* --- msr decoding (harness/energy/msr.c), exposed for tests ------------- */

/* Joules per count from a RAPL power-unit register: 2^-ESU, ESU = bits 12:8. */
double jt_energy_msr_energy_unit(uint64_t power_unit_reg);

/* True for the Intel server parts whose DRAM counter uses a fixed 2^-16 J
 * unit whatever the power-unit register says (the kernel's list). */
bool jt_energy_msr_dram_fixed_unit(const char *vendor, int family, int model);

#endif
