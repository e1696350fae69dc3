/* calibration — the idle baseline of socket 0: what package (and DRAM) draw
 * while the measurement core is idle, under the same pinning, governor,
 * turbo and backend as the runs that subtract it.
 *
 * File: calibration/socket0_calibration.json by default (JOULETRACE_CALIBRATION
 * or --calibration override), written atomically. `schema_version` is what
 * consumers key on: bump it on any incompatible change.
 *
 * Ownership: jt_calibration owns its strings and JSON (jt_calibration_release). */
#ifndef JOULETRACE_CALIBRATION_H
#define JOULETRACE_CALIBRATION_H

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#include "jouletrace/common.h"

#define JT_CALIBRATION_SCHEMA 1
#define JT_CALIBRATION_DEFAULT_PATH "calibration/socket0_calibration.json"

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

char *jt_calibration_default_path(void); /* caller frees */

int jt_calibration_save(const char *path, const jt_calibration *c, jt_err *err);
/* Missing file: -1 with "no calibration at PATH: run `jouletrace calibrate`". */
int jt_calibration_load(const char *path, jt_calibration *c, jt_err *err);
void jt_calibration_release(jt_calibration *c);

/* Whether `c` applies to a run with this backend, measurement CPU and host
 * fingerprint at time `now`: 0 when it does; -1 with the reason and what to
 * run ("calibration is 9.2 days old (limit 7): run `jouletrace calibrate`"). */
int jt_calibration_check(const jt_calibration *c, const char *backend, int measurement_cpu,
                         const json_t *host, double max_age_days, time_t now, jt_err *why);

/* The calibration as JSON (what run.json and reports embed). New reference. */
json_t *jt_calibration_json(const jt_calibration *c);

#endif
