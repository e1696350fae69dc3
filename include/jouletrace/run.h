/* run — one run of a suite on socket 0 (docs/design.md "Data flow"), and
 * `merge`, which joins shard runs into one run directory.
 *
 * A run: the plan (suite order, this shard, not yet journaled), the run
 * directory and its run.json (rundir.h), the checks that a resumed run
 * measures like the one it continues (docs/design.md "Resume"), one floor
 * per test set and set of floor-shaping options (docs/design.md "Floor"),
 * expected outputs filled from the reference once per test set, one
 * fsynced journal record per candidate (journal.h), and at the end the
 * host's drift since the start, run.json's final status and the reports.
 * The commands (`run`, `measure`, `merge`) parse their arguments, set the
 * host up and call these; the run borrows the host (jt_run_host).
 *
 * Exit codes are returned as JT_EXIT_* where the caller needs one, with
 * the one-line reason in err; warnings go through jt_warn, and a test set
 * whose expected outputs cannot be computed is said on stderr once (its
 * candidates are journaled as failed).
 *
 * Ownership: a jt_run owns its directory path, run.json document, journal
 * and plan (jt_run_release); the suite and the host are borrowed. */
#ifndef JOULETRACE_RUN_H
#define JOULETRACE_RUN_H

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "jouletrace/calibration.h"
#include "jouletrace/common.h"
#include "jouletrace/energy.h"
#include "jouletrace/engine.h"
#include "jouletrace/journal.h"
#include "jouletrace/sandbox.h"
#include "jouletrace/suite.h"
#include "jouletrace/topology.h"

/* What the command set up before the run touches socket 0 (borrowed). */
typedef struct jt_run_host {
    jt_energy_meter *meter;
    const jt_topology *topo;
    json_t *fingerprint;         /* the host when the run started */
    json_t *warnings;            /* strings: run.json "warnings" (the run may add) */
    const jt_sandbox *sandbox;   /* what candidates get */
    const char *lock_path;       /* the socket-0 lock held */
    const jt_calibration *calib; /* NULL: uncalibrated (idle baseline 0, flagged) */
} jt_run_host;

typedef struct jt_run_opts {
    const char *out_dir;             /* -o DIR, or NULL */
    const char *resume_dir;          /* --resume DIR, or NULL */
    long shard_k, shard_n;           /* --shard K/N; both 0: every candidate */
    unsigned long seed;              /* base seed of the bootstrap */
    jt_energy_kind backend_requested;
    bool allow_uncalibrated;
    double max_age_days;
} jt_run_opts;

typedef struct jt_run {
    jt_suite *suite;          /* borrowed; expected outputs are filled into it */
    const jt_run_host *host;  /* from jt_run_begin on */
    jt_run_opts o;
    char *dir;                /* the run directory (after jt_run_begin) */
    json_t *doc;              /* run.json */
    json_t *done;             /* id -> true: journaled before this process */
    json_t *set_errors;       /* test set id -> why its expected outputs failed */
    jt_journal journal;
    size_t *plan, n_plan;     /* candidate indexes to measure, in order */
    size_t n_journaled;       /* candidate records this process journaled */
} jt_run;

/* "--shard K/N": 1 <= K <= N. */
int jt_run_parse_shard(const char *s, long *k, long *n, jt_err *err);

void jt_run_init(jt_run *r, jt_suite *s, const jt_run_opts *o);
/* With --resume, before the host is set up: DIR/run.json must be a run of
 * the same suite content. Returns JT_EXIT_OK, JT_EXIT_USAGE (not a run),
 * JT_EXIT_BAD_SUITE (the suite changed) or JT_EXIT_FAILURE (unreadable by
 * this version). Without --resume: JT_EXIT_OK. */
int jt_run_check_resume(jt_run *r, jt_err *err);
/* Creates (or takes up) the run directory, writes run.json with status
 * "running" (a resumed run must match the original's energy source,
 * measurement core and shard), opens the journal (warning about the lines
 * it skips) and makes the plan. Returns a JT_EXIT_* code. */
int jt_run_begin(jt_run *r, const jt_run_host *h, jt_err *err);

/* The engine for candidates on this host (on_trial/ctx left NULL). */
jt_engine jt_run_engine(const jt_run_host *h, unsigned long seed, volatile sig_atomic_t *stop);
/* Measures the plan until done or *e->stop: each finished record is
 * journaled, then passed to on_record (may be NULL). 0, or -1 (err) when
 * the journal could not be written. */
int jt_run_measure(jt_run *r, jt_engine *e, void (*on_record)(void *ctx, const json_t *rec),
                   void *ctx, jt_err *err);
/* Closes the run: the host's drift since the start (warned and kept in
 * run.json), status ("completed", "interrupted", "failed"), run.json and
 * every report. 0 or -1 (err). */
int jt_run_end(jt_run *r, const char *status, jt_err *err);
void jt_run_release(jt_run *r);

/* `measure`: the suite's first candidate, without run directory, journal or
 * floor. Returns the engine's outcome; *record as jt_engine_measure. */
jt_engine_outcome jt_run_measure_one(const jt_run_host *h, const jt_suite *s,
                                     volatile sig_atomic_t *stop, json_t **record);

/* `merge`: the runs in dirs[0..n) into out (created; must not hold a
 * journal). Returns a JT_EXIT_* code: 3 when the runs are of different
 * suites, 2 when out holds a journal, 1 on unreadable runs or I/O errors.
 * *candidates counts the merged candidates. */
int jt_run_merge(const char *const *dirs, size_t n, const char *out, size_t *candidates,
                 jt_err *err);

#endif
