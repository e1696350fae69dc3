/* calibration — the idle baseline of socket 0: what package (and DRAM) draw
 * while the measurement core is idle, under the same pinning, governor,
 * turbo and backend as the runs that subtract it.
 *
 * File: STATE/socket0_calibration.json, STATE being the state directory
 * (statedir.h: /var/lib/jouletrace for root, else the XDG state directory),
 * written atomically; the directory is created on demand. `schema_version`
 * is what consumers key on: bump it on any incompatible change.
 *
 * Ownership: jt_calibration owns its strings and JSON (jt_calibration_release). */
#ifndef JOULETRACE_CALIBRATION_H
#define JOULETRACE_CALIBRATION_H

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#include "jouletrace/common.h"
#include "jouletrace/energy.h"

#define JT_CALIBRATION_SCHEMA 1
#define JT_CALIBRATION_FILE "socket0_calibration.json" /* in the state directory */

typedef struct jt_calib_domain {
    bool present;
    double median_w;   /* idle power, median over windows */
    double mad_w;      /* median absolute deviation */
    double sd_w;       /* sample SD (what the within-noise flag scales) */
    double cv;
    double ci_low_w, ci_high_w; /* 95 % CI of the median */
} jt_calib_domain;

typedef struct jt_calibration {
    time_t created;        /* UTC seconds */
    char *backend;         /* "powercap", "perf", "msr", "model" */
    int measurement_cpu;
    json_t *host;          /* jt_host_fingerprint() at calibration time */
    json_t *units;         /* backend's domain descriptions (free-form) */
    long windows;
    double window_seconds;
    jt_calib_domain package, dram;
    json_t *warnings;      /* array of strings (noisy idle, ...) */
} jt_calibration;

/* The calibration file, first match wins: `file` (--calibration FILE), the
 * state directory `state_dir` (--state-dir DIR), $JOULETRACE_CALIBRATION,
 * then the state directory of jt_dir_locate (JOULETRACE_STATE_DIR or the
 * default); command-line values before environment ones, a file before a
 * directory. Both arguments may be NULL. Returns a malloc'd path and sets
 * *source (may be NULL) to static text naming what chose it; NULL with err
 * when no state directory can be found. */
char *jt_calibration_path(const char *file, const char *state_dir, const char **source,
                          jt_err *err);

int jt_calibration_save(const char *path, const jt_calibration *c, jt_err *err);
/* Missing file: -1 with "no calibration at PATH: run `jouletrace calibrate`".
 * A baseline that cannot be one is refused with the file and the field
 * ("PATH: 'package.median_watts' is negative (-500; ...)"): every watt and
 * spread finite and >= 0, watts at most JT_ENERGY_MAX_POWER_W, the CI holding
 * the median, window_seconds > 0. */
int jt_calibration_load(const char *path, jt_calibration *c, jt_err *err);
void jt_calibration_release(jt_calibration *c);
/* Whether a loaded calibration can be a baseline for this meter: its watts
 * at most the meter's ceilings (jt_energy_power_ceiling), no DRAM baseline
 * when the meter has no DRAM. 0, or -1 naming `path` and the field. */
int jt_calibration_fits(const jt_calibration *c, const char *path, const jt_energy_meter *m,
                        jt_err *err);

/* Whether `c` applies to a run with this backend, measurement CPU and host
 * fingerprint at time `now`: 0 when it does; -1 with the reason and what to
 * run ("calibration is 9.2 days old (limit 7): run `jouletrace calibrate`"). */
int jt_calibration_check(const jt_calibration *c, const char *backend, int measurement_cpu,
                         const json_t *host, double max_age_days, time_t now, jt_err *why);

/* The calibration as JSON (what run.json and reports embed). New reference. */
json_t *jt_calibration_json(const jt_calibration *c);

#endif
