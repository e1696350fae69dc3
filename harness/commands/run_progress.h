/* run_progress — what `run` prints while it measures: on a terminal a
 * "[k/n] id trial t/max, elapsed, ETA, counts by status" line redrawn per
 * trial; one line per finished candidate (its status and median energy);
 * and, when stderr is not a terminal (cron, Slurm logs), a "jouletrace:
 * progress:" line with the same figures at most every `every` seconds
 * (checked at each trial and candidate end; 0: after every candidate).
 * Nothing of it under --quiet.
 * Candidate ids are printed as their printable bytes only. Internal to
 * harness/commands/. */
#ifndef JT_RUN_PROGRESS_H
#define JT_RUN_PROGRESS_H

#include <jansson.h>
#include <stddef.h>

#define JT_RUN_PROGRESS_STATUSES 16 /* distinct statuses counted (more: "other") */

typedef struct jt_run_progress {
    int tty, quiet;
    size_t done, total;
    double t0;
    double every;     /* seconds between plain progress lines (not a TTY) */
    double last_line; /* when the last one was printed (monotonic s; 0: never) */
    size_t line_done; /* `done` in that line */
    struct {
        char name[24];
        size_t n;
    } status[JT_RUN_PROGRESS_STATUSES];
    size_t n_status, other;
    const char *current;
    /* Of the records journaled: how many ended `failed`, and the first one's
     * id and error (owned; jt_run_progress_release). */
    size_t failed;
    char *first_failure;
} jt_run_progress;

void jt_run_progress_release(jt_run_progress *p);

/* The plain progress line now (not on a TTY, not --quiet): run prints one
 * when it ends, so a log always closes with the counts. */
void jt_run_progress_line(jt_run_progress *p);

/* "completed 5, unstable 1, incorrect 2" into buf (n bytes), in the order
 * the statuses first appeared. */
void jt_run_progress_counts(const jt_run_progress *p, char *buf, size_t n);

/* jt_engine.on_trial: ctx is the jt_run_progress. */
void jt_run_on_trial(void *ctx, const char *id, size_t trial, size_t max);
/* One candidate's record is journaled (jt_run_measure's on_record: ctx is
 * the jt_run_progress). */
void jt_run_finished(void *ctx, const json_t *rec);

#endif
