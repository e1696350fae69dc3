/* engine — measures one candidate: validate → loop calibration → trials with
 * an energy window around each → stop rule → statistics → one journal
 * record. docs/design.md "Measurement" and "Numbers" define every number;
 * "Journal" lists the record's fields and the statuses (status.h).
 *
 * Per trial i (window of wall_i seconds, n_i iterations):
 *   package_raw = Δ package counter, package_net = package_raw − P_idle_pkg·wall
 *   ram_raw     = Δ DRAM counter (null without a DRAM domain)
 *   ram_net     = ram_raw − P_idle_dram·wall (null without a DRAM baseline)
 *   total       = package_net + ram_raw (the seed's definition)
 *   total_net   = package_net + ram_net
 * Reported energies and times are per iteration (÷ n_i): one pass over the
 * test set. The stop rule and the CI work on per-iteration `total`.
 *
 * Ownership: the engine borrows everything in jt_engine; records returned
 * are new JSON references owned by the caller. */
#ifndef JOULETRACE_ENGINE_H
#define JOULETRACE_ENGINE_H

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>

#include "jouletrace/calibration.h"
#include "jouletrace/common.h"
#include "jouletrace/energy.h"
#include "jouletrace/pyrun.h"
#include "jouletrace/suite.h"

#include "jouletrace/journal.h" /* JT_RECORD_SCHEMA: the records this engine writes */

typedef struct jt_engine {
    jt_energy_meter *meter;          /* open meter (its source labels every record) */
    const jt_calibration *calib;     /* NULL with --allow-uncalibrated: baseline 0, flagged */
    int measure_cpu;                 /* the child is pinned here (-1: not pinned) */
    int judge_cpu;                   /* its judge here: the housekeeping CPU (-1: not pinned) */
    const char *sandbox_user;        /* "nobody" */
    unsigned long seed;              /* base seed; each candidate's is derived from its id */
    volatile sig_atomic_t *stop;     /* set by SIGINT/SIGTERM: abandon the candidate */
    /* Called after each trial (may be NULL): for the progress line. */
    void (*on_trial)(void *ctx, const char *id, size_t trial, size_t max_trials);
    void *ctx;
    /* Engine state (start at 0): the measured children's CPU seconds inside
     * energy windows, the clock the model backend integrates. */
    double cpu_clock;
} jt_engine;

/* Outcome of jt_engine_measure beyond the record. */
typedef enum jt_engine_outcome {
    JT_ENGINE_DONE = 0,      /* *record holds a finished candidate (any status) */
    JT_ENGINE_INTERRUPTED,   /* *stop was set (status interrupted): nothing to journal */
} jt_engine_outcome;

/* Measures candidate c; with_floor: with its paired harness floor — a null
 * function (def f(*a): return None) run over the same inputs the same way,
 * one floor trial of the candidate's iteration count next to each of its
 * trials (docs/design.md "Floor"), its figures in the record's `floor`.
 * Always returns a record unless interrupted; the candidate's own failures
 * are statuses in the record (status.h), among them a meter that gave no
 * usable window: `failed`, with the meter's reason for the last one in
 * `error`. */
jt_engine_outcome jt_engine_measure(jt_engine *e, const jt_suite *s, const jt_candidate *c,
                                    bool with_floor, json_t **record);

/* A record for a candidate the harness could not judge through no fault of
 * its own code (e.g. its test set's expected outputs could not be computed):
 * status "failed" with `reason`, nothing measured. New reference. */
json_t *jt_engine_failed_record(const jt_engine *e, const jt_suite *s, const jt_candidate *c,
                                const char *reason);

#endif
