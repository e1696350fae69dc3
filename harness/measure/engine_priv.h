/* Private to the trial engine: what engine.c (the trial loop) and
 * engine_record.c (everything that builds a journal record: its fields,
 * statistics and flags) share. Not part of the public API (engine.h). */
#ifndef JT_MEASURE_ENGINE_PRIV_H
#define JT_MEASURE_ENGINE_PRIV_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "jouletrace/engine.h"
#include "jouletrace/pyrun.h"
#include "jouletrace/stats.h"
#include "jouletrace/status.h"
#include "jouletrace/suite.h"
#include "jouletrace/telemetry.h"

/* Failures kept in a record (the first ones; the count is always complete). */
#define MAX_FAILURES_KEPT 10

typedef struct trial {
    uint64_t n;
    double wall;       /* harness clock, between the two energy reads */
    double run_s;      /* harness clock around the run alone (loop calibration) */
    double child_s;    /* the child's own timing of the n iterations (a cross-check) */
    double cpu_s;      /* the child's tree's CPU time for them, measured by the harness */
    double child_cpu_s; /* the child's own CPU figure (a cross-check) */
    unsigned disagreement; /* jt_run_result.disagreement */
    double pkg_raw, pkg_net;
    double ram_raw, ram_net;   /* NAN: no DRAM domain / no DRAM baseline */
    double total, total_net;   /* total_net NAN without a DRAM baseline when DRAM exists */
    bool edge;
    size_t pair;       /* the pair (docs/design.md "Floor") this trial belongs to, 1-based */
    bool first;        /* measured first in its pair */
    jt_telemetry tel;
} trial;

typedef struct outcome {
    jt_status status;     /* interrupted: nothing is journalled */
    char *error;          /* owned, may be NULL */
    trial *trials;
    size_t n_trials, cap;
    uint64_t iterations;
    jt_stats_stop stop;
    size_t retried_samples;
} outcome;

/* What the harness saw of a candidate or a floor, for the cache check
 * (memo.c; docs/design.md "Caches"): its eval passes (the first in a fresh
 * process), its loading, and its trials' iteration (the median and the
 * cheapest trial's), on the harness's clock and as the CPU time of the
 * child's tree (cpuacct.h, read from outside: a preempted child accrues
 * none); NAN where unknown. */
typedef struct jt_engine_timing {
    double pass[3];
    double load;
    double iteration, iteration_min;
    double cpu_pass[3];
    double cpu_iteration, cpu_iteration_min;
} jt_engine_timing;

/* Sets t's trial figures from the n trials: the median and the least of
 * wall / n and of cpu_s / n (the CPU ones NAN when a trial has none). */
void jt_engine_timing_trials_(jt_engine_timing *t, const trial *tr, size_t n);

/* The check's figures and evidence (an object for the record);
 * *suspected when a rule fired. f NULL: nothing to compare with. */
json_t *jt_engine_cache_check_(const jt_engine_timing *c, const jt_engine_timing *f,
                               bool *suspected);
json_t *jt_engine_timing_json_(const jt_engine_timing *t);

/* Frees what the outcome owns (error, trials). */
void jt_engine_outcome_release_(outcome *out);

/* ---- shared by engine.c and floor.c ---------------------------------- */

/* A window whose energy read fails is repeated; this many failures in a row
 * end the candidate (or its floor) as `failed` with the last window's
 * reason (the counters are not trustworthy then). */
#define JT_ENGINE_MAX_SAMPLE_RETRIES 3

void jt_engine_fill_config_(const jt_engine *e, const jt_test_set *ts, const jt_options *o,
                            const char *code, const char *filename, const char *fn,
                            jt_pyrun_config *cfg);
/* Loop calibration's aim (× the target) and the fraction of the target an
 * aimed probe must reach to be taken (docs/design.md "Trial"). */
#define JT_ENGINE_AIM 1.05
#define JT_ENGINE_AIMED_ACCEPT 0.9
bool jt_engine_calib_step_(double elapsed, uint64_t n, bool aimed, double target, uint64_t *next,
                           bool *aimed_next);
/* One energy window around n iterations: 0 with *t filled; 1 when the
 * sample was unusable (*why); -1 when the child failed (*v, err). */
int jt_engine_one_trial_(jt_engine *e, jt_pyrun *r, uint64_t n, trial *t, jt_verdict *v,
                         jt_err *why, jt_err *err);
/* A fresh child for the next trial that reproduces what *rp was judged on. */
int jt_engine_fresh_child_(jt_pyrun **rp, const jt_pyrun_config *cfg, jt_verdict *v, jt_err *err);
/* The timing of a fresh child after its first eval pass v (r, v NULL: all unknown). */
void jt_engine_timing_init_(jt_engine_timing *t, const jt_pyrun *r, const jt_validation *v);
/* Eval passes 2 and 3: their timings; -1 with status and error in *out. */
int jt_engine_later_passes_(jt_pyrun *r, jt_engine_timing *t, outcome *out);
/* {n, median, mean, sd, cv, robust_cv, min, max, mad[, CI, outliers]} of x. */
json_t *jt_engine_dist_json_(const double *x, size_t n, unsigned long seed, bool with_ci);
double jt_engine_median_(const double *x, size_t n);
json_t *jt_engine_trial_json_(const trial *t, size_t i, const char *kind);

/* ---- the paired floor (floor.c; docs/design.md "Floor") --------------- */

/* The floor child of one candidate: the null function over the candidate's
 * test set and options, one trial of the candidate's iteration count next
 * to each candidate trial. */
typedef struct jt_floor {
    jt_pyrun *r;           /* NULL: not started, or lost (out.status failed) */
    jt_pyrun_config cfg;
    jt_engine_timing timing; /* its passes and loading (iteration: from its trials) */
    outcome out;           /* its trials; status failed + error when it was lost */
    char *key;             /* the floor key (jt_options_floor_key) */
} jt_floor;

/* Starts the floor child and runs its three eval passes; a floor that
 * cannot start is lost (f->out.status failed, the reason in f->out.error):
 * the candidate is measured without one. */
void jt_floor_start_(jt_engine *e, const jt_test_set *ts, const jt_options *o, jt_floor *f);
bool jt_floor_live_(const jt_floor *f);
/* The floor trial of pair `pair` (n iterations), repeated like the
 * candidate's on an unusable window; a floor that fails is lost. */
void jt_floor_trial_(jt_engine *e, jt_floor *f, uint64_t n, size_t pair, bool first,
                     bool fresh_process);
/* The `floor` object, floor_total_energy_joules, the net of floor with its
 * CI and the below_floor flag, into rec (a measured candidate's). */
void jt_floor_add_(const jt_floor *f, const outcome *cand, unsigned long seed, json_t *flags,
                   json_t *rec);
void jt_floor_release_(jt_floor *f);

/* A new record's head, in journal order: schema_version, type, id,
 * test_set, energy_source, started; a candidate's also group, metadata and
 * source_path; then seed. */
json_t *jt_engine_candidate_record_(const jt_engine *e, const jt_test_set *ts,
                                    const jt_candidate *c, unsigned long seed);
/* "validation" and "failures" of v into rec. */
void jt_engine_add_validation_(json_t *rec, const jt_validation *v);
/* Status, error and finish time: the record's last fields. */
void jt_engine_finish_record_(json_t *rec, jt_status status, const char *error);

/* Stats, energy_metrics, flags and trials of a measured outcome into rec,
 * with the candidate's timing (its iteration filled in here) and its paired
 * floor (NULL: none): the floor's figures, the cache check, `ranked`. */
void jt_engine_add_measurement_(jt_engine *e, const outcome *out, size_t n_cases,
                                unsigned long seed, const jt_floor *floor,
                                jt_engine_timing *timing, bool allow_memoization, json_t *rec);

/* The record's cache check fired; confirm_ re-checks it with the timing of
 * a fresh process and drops the flag (ranked again) when that one is clean.
 * ft: the paired floor's timing (fresh too, where it could start again);
 * failed: no fresh process could be had, why (the suspicion stands). */
bool jt_engine_cache_suspected_(const json_t *rec);
void jt_engine_cache_confirm_(json_t *rec, const jt_engine_timing *ft,
                              const jt_engine_timing *again, const char *failed);

#endif
