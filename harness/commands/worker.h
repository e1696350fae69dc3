/* worker — takes tasks from the service's queue (queue.h) one at a time and
 * runs each as `run` runs a suite: a measure task is a one-candidate suite
 * measured under the socket-0 lock into its own run directory
 * (STATE/service/runs/TASK_ID, journal and reports included, so `report`
 * and `leaderboard` work on the service's history); a validate task is
 * judged as `validate` judges, also under the lock, so it never runs
 * beside a measurement. Used by `jouletrace worker` and by the worker
 * process `jouletrace serve` starts. Internal to harness/commands/. */
#ifndef JT_WORKER_H
#define JT_WORKER_H

#include <signal.h>
#include <stdbool.h>

#include "commands/session.h"
#include "jouletrace/common.h"

typedef struct jt_worker_opts {
    const char *queue_url;   /* NULL: the state directory's sqlite queue */
    jt_session_flags sf;     /* backend, core, lock, calibration, state dir, ... */
    bool quiet;              /* no line per task on stderr */
    bool once;               /* return when no task is waiting (tests, cron) */
} jt_worker_opts;

/* The state directory the worker writes runs under (--state-dir or the
 * default). Caller frees; NULL with err. */
char *jt_worker_state_dir(const jt_session_flags *sf, jt_err *err);

/* Serves the queue until *stop (or, with once, until it is empty).
 * Returns JT_EXIT_OK, or JT_EXIT_FAILURE / JT_EXIT_USAGE with err. */
int jt_worker_loop(const jt_worker_opts *o, volatile sig_atomic_t *stop, jt_err *err);

/* Runs one claimed task (its request) and returns its answer (service.h)
 * with host, worker and run_dir added; *failed is set when the answer's
 * status is "failed". `runs_dir` holds the run directories. */
json_t *jt_worker_run_task(const jt_worker_opts *o, const char *runs_dir, const char *task_id,
                           int kind, const json_t *request, const char *worker,
                           volatile sig_atomic_t *stop, bool *interrupted);

/* What the worker tells the queue about itself: host, energy source,
 * calibration usable or why not, isolation, state. New reference. */
json_t *jt_worker_readiness(const jt_worker_opts *o, const char *state, const char *task_id);

#endif
