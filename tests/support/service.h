/* The service driven over real HTTP for the tests: `jouletrace serve` (and
 * workers) started from the built binary on a free loopback port with a
 * jt_runenv's environment, and requests made with curl(1). */
#ifndef JT_TEST_SERVICE_H
#define JT_TEST_SERVICE_H

#include <jansson.h>
#include <sys/types.h>

#include "support/runenv.h"

/* A loopback port nobody listens on right now. */
unsigned jt_svc_free_port(void);

/* Starts `jouletrace serve --listen 127.0.0.1:PORT` + extra (NULL-terminated)
 * with e's environment, stderr into `log`, and waits until /ping answers
 * (a Check failure after 30 s, with the log). Returns the pid. */
pid_t jt_svc_start(const jt_runenv *e, unsigned port, const char *const *extra, const char *log);
/* SIGTERM, then waits (SIGKILL after 60 s). */
void jt_svc_stop(pid_t pid);

/* One request: METHOD http://127.0.0.1:PORT PATH with `body` (may be NULL)
 * and, when token is non-NULL, the bearer token. Returns the HTTP status
 * and the body parsed as JSON in *resp (NULL when not JSON; resp may be
 * NULL). */
int jt_svc_http(unsigned port, const char *method, const char *path, const char *body,
                const char *token, json_t **resp);

/* Polls GET /api/v1/tasks/ID until its status is completed or failed, up
 * to `limit_s`. Returns the task's JSON (a Check failure on timeout). */
json_t *jt_svc_await(unsigned port, const char *id, double limit_s);

/* The seed's quick-start request (two tests, 3 trials) with extra options
 * spliced in (e.g. "\"min_trial_seconds\": 0.05", or ""). Caller frees. */
char *jt_svc_seed_request(const char *extra);

/* The README's seed quick-start block (after "<!-- seed-quickstart"), with
 * 127.0.0.1:8000 replaced by 127.0.0.1:PORT. Caller frees. */
char *jt_svc_readme_quickstart(unsigned port);

/* How many candidate records a run directory's journal holds. */
int jt_svc_journal_records(const char *run_dir);

/* Starts redis-server (PATH) on a free loopback port with its files in
 * `dir`, no persistence; waits until it answers PING. Returns the pid and
 * sets *port; -1 when redis-server is not installed. */
pid_t jt_svc_redis_start(const char *dir, unsigned *port);
/* Stops it (SIGTERM, then SIGKILL) and waits. */
void jt_svc_redis_stop(pid_t pid);

#endif
