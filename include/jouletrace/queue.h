/* queue — the service's durable task queue (docs/design.md "Service").
 *
 * `jouletrace serve` puts every accepted request here as a task; workers
 * (`jouletrace worker`, or the one `serve` starts) claim tasks one at a
 * time, measure them under the socket-0 lock and finish them with their
 * result. Two backends behind one table of operations:
 *   sqlite:PATH             embedded, the default (STATE/service/queue.db):
 *                           WAL, synchronous=FULL; workers on this host only
 *   redis://HOST[:PORT][/DB]  many measurement hosts sharing one Redis
 *
 * Guarantees, on both:
 *   - a task submitted (the call returned 0) survives kill -9 of anything;
 *   - a task is finished once: jt_queue_finish succeeds only for the worker
 *     and attempt that hold it;
 *   - a task whose worker died while running it is given back by
 *     jt_queue_recover and re-run from the start once (its `note` says so);
 *     a second death fails it with the reason;
 *   - validate tasks are claimed before measure tasks (they are short, and
 *     they run on the measurement host too, under the lock, so a
 *     validation never adds energy to a measurement).
 * Liveness: sqlite workers are processes on this host (pid and start time
 * in the workers table); redis workers refresh a key with a TTL
 * (JT_QUEUE_WORKER_TTL_S) from a small heartbeat process.
 *
 * Ownership: a jt_queue is used by one thread at a time (the server holds a
 * mutex around it); jt_task owns its strings and JSON (jt_task_release). */
#ifndef JOULETRACE_QUEUE_H
#define JOULETRACE_QUEUE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "jouletrace/common.h"

#define JT_QUEUE_WORKER_TTL_S 10
#define JT_TASK_ID_LEN 36 /* a UUID, version 4, lower case */

typedef enum jt_task_state {
    JT_TASK_QUEUED,
    JT_TASK_RUNNING,
    JT_TASK_COMPLETED,
    JT_TASK_FAILED,
} jt_task_state;

typedef enum jt_task_kind { JT_TASK_MEASURE, JT_TASK_VALIDATE } jt_task_kind;

typedef struct jt_task {
    char id[JT_TASK_ID_LEN + 1];
    jt_task_kind kind;
    jt_task_state state;
    json_t *request;   /* the request as accepted */
    json_t *result;    /* the worker's answer once ended, else NULL */
    int attempts;      /* claims so far (2 after a re-run) */
    char *worker;      /* who holds or held it ("host:pid:start"), or NULL */
    char *note;        /* why it was re-run or failed by the queue, or NULL */
    double created, started, finished; /* UTC seconds; 0 when not yet */
} jt_task;

typedef struct jt_queue jt_queue;

/* "queued", "running", "completed", "failed" */
const char *jt_task_state_name(jt_task_state s);
const char *jt_task_kind_name(jt_task_kind k);
void jt_task_release(jt_task *t);

/* The default queue URL for a state directory: "sqlite:STATE/service/queue.db".
 * Caller frees. */
char *jt_queue_default_url(const char *state_dir);
/* Opens (creating what is missing) the queue at `url`. 0, or -1 (err names
 * the URL and what failed). */
int jt_queue_open(const char *url, jt_queue **q, jt_err *err);
void jt_queue_close(jt_queue *q);
/* What it is, for logs and status: "sqlite:/var/lib/...", "redis://h:6379/0". */
const char *jt_queue_url(const jt_queue *q);

/* Accepts a task: a fresh id into id_out. 0 accepted, 1 refused because
 * `max_queued` tasks are already waiting (0: no limit), -1 (err). */
int jt_queue_submit(jt_queue *q, jt_task_kind kind, const json_t *request, size_t max_queued,
                    char id_out[JT_TASK_ID_LEN + 1], jt_err *err);
/* 0 found (*t filled), 1 no such task, -1 (err). */
int jt_queue_get(jt_queue *q, const char *id, jt_task *t, jt_err *err);
/* Claims the next task for `worker`, waiting up to wait_s seconds for one.
 * 0 claimed (*t filled, state running), 1 none, -1 (err). */
int jt_queue_claim(jt_queue *q, const char *worker, double wait_s, jt_task *t, jt_err *err);
/* Ends a claimed task (state completed or failed) with its result. 0 done,
 * 1 the task is no longer this worker's attempt (given back after its
 * heartbeat lapsed: the result is dropped), -1 (err). */
int jt_queue_finish(jt_queue *q, const jt_task *t, jt_task_state state, const json_t *result,
                    jt_err *err);
/* Gives back the running tasks of workers that are gone (see above);
 * *given (may be NULL) counts them. 0 or -1 (err). */
int jt_queue_recover(jt_queue *q, size_t *given, jt_err *err);

/* A worker says it is alive, with its readiness (a JSON object: host,
 * calibration, isolation, ...). Its identity is `worker`. 0 or -1 (err). */
int jt_queue_worker_beat(jt_queue *q, const char *worker, const json_t *status, jt_err *err);
/* Keeps `worker` alive in the queue's eyes while this process lives, even
 * while it measures (redis: a heartbeat process refreshing the TTL key,
 * killed with this one; sqlite: nothing, liveness is the process). 0 or -1. */
int jt_queue_keepalive(jt_queue *q, const char *worker, jt_err *err);
/* A worker that stops cleanly. 0 or -1 (err). */
int jt_queue_worker_leave(jt_queue *q, const char *worker, jt_err *err);
/* The live workers' statuses (array, new reference) and the number of
 * queued tasks. 0 or -1 (err). */
int jt_queue_status(jt_queue *q, json_t **workers, size_t *queued, jt_err *err);

/* This process as a worker identity, "host:pid:start" (start: the process's
 * start time in clock ticks since boot, so a reused pid is another worker).
 * Caller frees. */
char *jt_queue_worker_id(void);
/* Whether a worker identity names a live process on this host: 1 yes, 0 no
 * (or another host: -1). */
int jt_queue_worker_alive_here(const char *worker);

#endif
