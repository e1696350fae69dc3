/* The queue's backends (queue.h): each fills a jt_queue's operations.
 * Internal to harness/serve/. */
#ifndef JT_QUEUE_PRIV_H
#define JT_QUEUE_PRIV_H

#include "jouletrace/queue.h"

typedef struct jt_queue_ops {
    const char *scheme; /* "sqlite:", "redis://" */
    /* rest: the URL after the scheme */
    int (*open)(jt_queue *q, const char *rest, jt_err *err);
    void (*close)(jt_queue *q);
    int (*submit)(jt_queue *q, jt_task_kind kind, const json_t *request, size_t max_queued,
                  const char *id, double now, jt_err *err);
    int (*get)(jt_queue *q, const char *id, jt_task *t, jt_err *err);
    int (*claim)(jt_queue *q, const char *worker, double wait_s, jt_task *t, jt_err *err);
    int (*finish)(jt_queue *q, const jt_task *t, jt_task_state state, const char *result,
                  double now, jt_err *err);
    int (*recover)(jt_queue *q, size_t *given, jt_err *err);
    int (*beat)(jt_queue *q, const char *worker, const char *status, double now, jt_err *err);
    int (*keepalive)(jt_queue *q, const char *worker, jt_err *err);
    int (*leave)(jt_queue *q, const char *worker, jt_err *err);
    int (*status)(jt_queue *q, json_t *workers, size_t *queued, jt_err *err);
} jt_queue_ops;

struct jt_queue {
    const jt_queue_ops *ops;
    char *url;
    void *impl; /* the backend's own state */
};

extern const jt_queue_ops jt_queue_sqlite_ops;
extern const jt_queue_ops jt_queue_redis_ops;

/* What every backend writes when the queue gives a task back or fails it. */
#define JT_QUEUE_RERUN_NOTE "re-run from the start: the worker %s died while measuring it (attempt 1)"
#define JT_QUEUE_DIED_TWICE "the worker died while measuring this task, twice (last: %s); not retried"

/* Parses one of the strings the backends store; -1 when it is none. */
int jt_task_state_parse(const char *s);
int jt_task_kind_parse(const char *s);
/* Wall-clock now, UTC seconds. */
double jt_queue_now(void);

#endif
