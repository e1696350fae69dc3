/* The built binary run in a private environment, for the tests that run
 * `jouletrace` end to end: a fresh temp dir holds the calibration file, the
 * socket-0 lock, the expected-output cache and the state directory, and the
 * powercap root is /nonexistent (no RAPL) unless a fake tree is named. */
#ifndef JT_TEST_RUNENV_H
#define JT_TEST_RUNENV_H

#include <sys/types.h>

#define JT_RUNENV_MAX_ENV 8
/* What the sandboxed Python runner's command line holds. */
#define JT_RUNENV_RUNNER_MARKER "JouleTrace's Python runner"

typedef struct jt_runenv {
    char *dir;   /* the temp dir, removed by jt_runenv_free */
    char *suite; /* dir/<suite name> when init wrote one, else NULL */
    char *calib; /* dir/calib.json (JOULETRACE_CALIBRATION) */
    char *lock;  /* dir/socket0.lock (JOULETRACE_LOCK_FILE) */
    char *out;   /* dir/run: a run's output directory (not created) */
    char *envs[JT_RUNENV_MAX_ENV + 1]; /* "K=V" for the binary, NULL-terminated */
} jt_runenv;

/* Makes the temp dir, writes `suite_yaml` to dir/`suite_name` when both are
 * given, and sets JOULETRACE_CALIBRATION, _LOCK_FILE, _CACHE (dir/cache),
 * _STATE_DIR (dir/state) and _POWERCAP_ROOT (`powercap_root`, NULL for
 * /nonexistent). */
void jt_runenv_init(jt_runenv *e, const char *suite_name, const char *suite_yaml,
                    const char *powercap_root);
/* Adds one more "K=V" entry for the binary; takes the malloc'd string. */
void jt_runenv_add(jt_runenv *e, char *entry);
void jt_runenv_free(jt_runenv *e);

/* Runs `jouletrace args...` (args NULL-terminated) with the environment;
 * stdout and stderr as jt_test_run. Returns the exit status. */
int jt_runenv_run(const jt_runenv *e, const char *const *args, char **out, char **err);
/* `jouletrace calibrate --backend model --windows 3 --seconds 0.05`; a
 * Check assertion that it exits 0. */
void jt_runenv_calibrate(const jt_runenv *e);
/* Starts `jouletrace args...` in the background with the environment, stdin
 * and stdout on /dev/null, stderr into the file `log`; with `pending`, that
 * signal is already pending (blocked, raised) when the binary starts.
 * Returns the pid (the caller waits for it). */
pid_t jt_runenv_spawn(const jt_runenv *e, const char *const *args, const char *log,
                      const int *pending);
/* How many children of `parent` have `marker` in their command line (other
 * tests may run sandboxed runners at the same time: only ours count). */
int jt_runenv_children_with(pid_t parent, const char *marker);
/* Polls until `parent` has a Python runner child (a trial is under way);
 * 0 when none came within about 30 s. */
int jt_runenv_await_runner(pid_t parent);

#endif
