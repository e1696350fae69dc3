/* The run module's pieces (run.h), shared inside harness/run/ only:
 * plan.c (shard hash, plan, floor key) and rundoc.c (run.json's content). */
#ifndef JT_RUN_PRIV_H
#define JT_RUN_PRIV_H

#include "jouletrace/run.h"

/* Fills plan[] (room for every candidate) with the candidates of shard
 * k/n (n == 0: all) not in done, in suite order; returns how many. */
size_t jt_run_plan(const jt_suite *s, long k, long n, const json_t *done, size_t *plan);
/* Candidates whose floors would be measured alike share one: the key
 * names the test set and every option that shapes the floor. Caller frees. */
char *jt_run_floor_key(const jt_test_set *ts, const jt_options *o);

/* run.json of a new run (status not yet set). New reference. */
json_t *jt_rundoc_new(const jt_suite *s, const jt_run_opts *o, const jt_run_host *h);
/* A resumed run must measure like the run it continues: the same energy
 * source, measurement core and shard (else a JT_EXIT_* code and err). Then
 * a resumes[] entry is added (and a warning when the calibration changed). */
int jt_rundoc_resume(json_t *doc, const jt_run_opts *o, const jt_run_host *h, const char *dir,
                     jt_err *err);
/* The end: the host's drift since the start (each a warning), host_end,
 * finished, status and guard_failures. */
void jt_rundoc_close(json_t *doc, const jt_run_host *h, const char *status);

#endif
