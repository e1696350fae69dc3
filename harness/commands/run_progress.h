/* run_progress — what `run` prints while it measures: on a terminal a
 * "[k/n] id trial t/max ETA" line redrawn per trial, and one line per
 * finished candidate (its status and median energy) unless --quiet.
 * Candidate ids are printed as their printable bytes only. Internal to
 * harness/commands/. */
#ifndef JT_RUN_PROGRESS_H
#define JT_RUN_PROGRESS_H

#include <jansson.h>
#include <stddef.h>

typedef struct jt_run_progress {
    int tty, quiet;
    size_t done, total;
    double t0;
    const char *current;
    /* Of the records journaled: how many ended `failed`, and the first one's
     * id and error (owned; jt_run_progress_release). */
    size_t failed;
    char *first_failure;
} jt_run_progress;

void jt_run_progress_release(jt_run_progress *p);

/* jt_engine.on_trial: ctx is the jt_run_progress. */
void jt_run_on_trial(void *ctx, const char *id, size_t trial, size_t max);
/* One candidate's record is journaled (jt_run_measure's on_record: ctx is
 * the jt_run_progress). */
void jt_run_finished(void *ctx, const json_t *rec);

#endif
