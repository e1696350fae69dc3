/* session — what `run` and `calibrate` set up before touching socket 0:
 * topology (measurement and housekeeping CPUs), the harness pinned to the
 * housekeeping CPU, the energy meter, and the socket-0 lock; for commands
 * that run candidates, the sandbox probe (its warning line on stderr when
 * the sandbox is weakened). Internal to
 * harness/commands/. On failure the exit code says why (JT_EXIT_NOT_READY
 * for a busy lock or unusable counters) and err has the one-line reason. */
#ifndef JT_SESSION_H
#define JT_SESSION_H

#include <jansson.h>
#include <stdbool.h>

#include "jouletrace/energy.h"
#include "jouletrace/lock.h"
#include "jouletrace/sandbox.h"
#include "jouletrace/topology.h"

typedef struct jt_session_opts {
    jt_energy_kind backend;
    int measurement_core;   /* -1: default */
    const char *lock_path;  /* NULL: jt_lock_default_path() */
    bool wait;              /* wait for the lock instead of failing */
    const char *command;    /* recorded in the lock file */
    const char *suite;      /* ditto, may be NULL */
} jt_session_opts;

typedef struct jt_session {
    jt_topology topo;
    jt_energy_meter *meter;
    jt_lock lock;
    json_t *fingerprint;    /* jt_host_fingerprint at open */
    json_t *warnings;       /* array of strings for run.json / calibration */
    jt_sandbox sandbox;     /* after jt_session_sandbox: what candidates will get */
} jt_session;

int jt_session_open(jt_session *s, const jt_session_opts *o, int *exit_code, jt_err *err);
void jt_session_close(jt_session *s);

/* For commands that run candidates, once the session is open and before
 * any candidate runs: probes the sandbox into s->sandbox (sandbox.h) and
 * prints its warning line on stderr when it is weakened. */
void jt_session_sandbox(jt_session *s);

/* Parses "--backend" values and the measurement core for both commands. */
int jt_session_parse_core(const char *s, int *core, jt_err *err);

#endif
