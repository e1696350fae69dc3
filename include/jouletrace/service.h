/* service — the seed service's API shapes (docs/design.md "Service"):
 * what a request must hold, and the answers seed clients read, built from
 * a journal record. Shared by `measure` (stdin/stdout), the worker (which
 * stores the answer as a task's result) and `serve` (which adds the task's
 * own fields). Seed clients know only `completed` and `failed`: a measured
 * candidate is `completed` with `stability` "stable" or "unstable" beside
 * it; anything else is `failed` with `candidate_status` and `error`.
 * JouleTrace's own fields (stop_reason, flags, ci, energy_source,
 * isolation, ...) are added beside the seed's, never instead. */
#ifndef JOULETRACE_SERVICE_H
#define JOULETRACE_SERVICE_H

#include <jansson.h>

#include "jouletrace/common.h"
#include "jouletrace/queue.h"

/* Largest request body `serve` reads (413 beyond). */
#define JT_SERVICE_MAX_BODY (8u * 1024 * 1024)
/* Default limit of tasks waiting in the queue (429 beyond); --max-queued. */
#define JT_SERVICE_MAX_QUEUED 1000

/* Checks a request's shape (the seed's fields and their types) before it is
 * queued. 0 when it is well formed; otherwise 422 with err naming the
 * field ("test_cases[1].inputs: must be an array, not a string"). The
 * suite built from it (jt_suite_from_request) is checked too, so a request
 * accepted here is one the worker can run. */
int jt_service_check_request(const json_t *req, jt_err *err);

/* The answer to a measure request, from its journal record (or a record of
 * a candidate that failed before measuring). New reference. */
json_t *jt_service_answer(const json_t *record);
/* The answer to a validate request, from `validate`'s per-candidate JSON. */
json_t *jt_service_validation_answer(const json_t *judged);
/* An answer for a task that ended without a record (the worker could not
 * run it): status failed, `error` = why. */
json_t *jt_service_failure(const char *why);

/* GET /api/v1/tasks/{id}: the task's own fields (task_id, status, kind,
 * created_at, started_at, finished_at, attempts, worker, note) and, once it
 * has ended, its answer's fields beside them. New reference. */
json_t *jt_service_task_json(const jt_task *t);

#endif
