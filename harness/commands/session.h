/* session — what `run`, `measure` and `calibrate` set up before touching socket 0:
 * topology (measurement and housekeeping CPUs), the harness pinned to the
 * housekeeping CPU, the energy meter, and the socket-0 lock; for commands
 * that run candidates, the sandbox probe (its warning line on stderr when
 * the sandbox is weakened). Internal to
 * harness/commands/. On failure the exit code says why (JT_EXIT_NOT_READY
 * for a busy lock or unusable counters) and err has the one-line reason. */
#ifndef JT_SESSION_H
#define JT_SESSION_H

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>

#include "jouletrace/calibration.h"
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
    double max_power_w;     /* --max-power-watts; 0: the hardware's limit (energy.h) */
    bool no_lock;           /* a probe (the worker's readiness): the lock is not taken */
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

/* The warning for a meter whose counters can wrap within
 * JT_ENERGY_SHORT_WRAP_S at their bound (caller frees), or NULL. */
char *jt_session_short_wrap(const jt_energy_meter *m);

/* Parses the value of --measurement-core. */
int jt_session_parse_core(const char *s, int *core, jt_err *err);

/* ---- the session flags, one parser for every command that opens a session
 * (run, measure, calibrate, and `serve` later) ---------------------------- */

typedef struct jt_session_flags {
    jt_session_opts open;     /* --backend, --measurement-core, --lock-file, --wait,
                                 --max-power-watts */
    const char *calibration;  /* --calibration FILE */
    const char *state_dir;    /* --state-dir DIR */
    double max_age_days;      /* --max-age-days D (default 7) */
    bool allow_uncalibrated;  /* --allow-uncalibrated */
} jt_session_flags;

/* Which flags a command takes. */
enum jt_session_flag_set {
    JT_SESSION_HOST = 1u << 0,  /* backend, core, lock, wait, calibration, state dir */
    JT_SESSION_BASELINE = 1u << 1, /* --allow-uncalibrated, --max-age-days: it subtracts one */
};

/* Defaults; `command` is what the lock file records. */
void jt_session_flags_init(jt_session_flags *f, const char *command);
/* The getopt_long table: the session flags of `sets` followed by the
 * command's own rows (`own`, up to its all-zero row), then the zero row.
 * Session rows have val >= JT_SESSION_FLAG_VAL. Caller frees. */
#define JT_SESSION_FLAG_VAL 0x1000
struct option *jt_session_longopts(unsigned sets, const struct option *own);
/* For what getopt_long returned: 0 when ch is no session flag; 1 when it is
 * one and `arg` was taken; -1 (err) when it is one and `arg` is bad. */
int jt_session_flag(int ch, const char *arg, jt_session_flags *f, jt_err *err);

/* The calibration a session subtracts: the file --calibration or
 * --state-dir name (calibration.h), checked against the open session's
 * meter, measurement core, host and --max-age-days. -1 with the reason
 * (the command exits "not ready"); *c is then released. */
int jt_session_calibration(const jt_session *s, const jt_session_flags *f, jt_calibration *c,
                           jt_err *err);

#endif
