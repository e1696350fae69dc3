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
    double child_s;    /* the child's own timing of the n iterations (a cross-check) */
    double cpu_s;      /* the child's tree's CPU time for them, measured by the harness */
    double child_cpu_s; /* the child's own CPU figure (a cross-check) */
    unsigned disagreement; /* jt_run_result.disagreement */
    double pkg_raw, pkg_net;
    double ram_raw, ram_net;   /* NAN: no DRAM domain / no DRAM baseline */
    double total, total_net;   /* total_net NAN without a DRAM baseline when DRAM exists */
    bool edge;
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

/* What the harness's clock saw of a candidate or a floor, for the cache
 * check (memo.c; docs/design.md "Caches"): its eval passes (the first in
 * a fresh process), its loading and its median trial iteration; NAN where
 * unknown. */
typedef struct jt_engine_timing {
    double pass[3];
    double load;
    double iteration;
} jt_engine_timing;

/* The check's figures and evidence (an object for the record);
 * *suspected when a rule fired. f NULL: nothing to compare with. */
json_t *jt_engine_cache_check_(const jt_engine_timing *c, const jt_engine_timing *f,
                               bool *suspected);
json_t *jt_engine_timing_json_(const jt_engine_timing *t);
void jt_engine_timing_from_json_(const json_t *o, jt_engine_timing *t);

/* Frees what the outcome owns (error, trials). */
void jt_engine_outcome_release_(outcome *out);

/* A new record's head, in journal order: schema_version, type, id,
 * test_set, energy_source, started; a candidate's also group, metadata and
 * source_path; then seed. */
json_t *jt_engine_candidate_record_(const jt_engine *e, const jt_test_set *ts,
                                    const jt_candidate *c, unsigned long seed);
json_t *jt_engine_floor_record_(const jt_engine *e, const jt_test_set *ts, const char *id,
                                unsigned long seed);
/* "validation" and "failures" of v into rec. */
void jt_engine_add_validation_(json_t *rec, const jt_validation *v);
/* Status, error and finish time: the record's last fields. */
void jt_engine_finish_record_(json_t *rec, jt_status status, const char *error);

/* Stats, energy_metrics, flags and trials of a measured outcome into rec. */
/* With the candidate's timing (its iteration filled in here) and, for a
 * candidate, the floor's record: the cache check, `ranked` and the flag. */
void jt_engine_add_measurement_(jt_engine *e, const outcome *out, size_t n_cases,
                                unsigned long seed, const json_t *floor, jt_engine_timing *timing,
                                bool allow_memoization, json_t *rec);

/* The record's cache check fired; confirm_ re-checks it with the timing of
 * a fresh process and drops the flag (ranked again) when that one is clean. */
bool jt_engine_cache_suspected_(const json_t *rec);
void jt_engine_cache_confirm_(json_t *rec, const json_t *floor, const jt_engine_timing *again);

#endif
