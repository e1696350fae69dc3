/* The calibration file (calibration.h). */
#include "jouletrace/calibration.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jouletrace/fsutil.h"
#include "jouletrace/jsonfile.h"
#include "jouletrace/statedir.h"

char *jt_calibration_path(const char *file, const char *state_dir, const char **source,
                          jt_err *err)
{
    const char *dummy;
    if (!source) source = &dummy;
    const char *env = getenv("JOULETRACE_CALIBRATION");
    if (file && *file) {
        *source = "--calibration";
        return jt_xstrdup(file);
    }
    if (!(state_dir && *state_dir) && env && *env) {
        *source = "JOULETRACE_CALIBRATION";
        return jt_xstrdup(env);
    }
    char *dir = jt_dir_locate(JT_DIR_STATE, state_dir, source, err);
    if (!dir) return NULL;
    char *path = jt_xasprintf("%s/%s", dir, JT_CALIBRATION_FILE);
    free(dir);
    return path;
}

static json_t *domain_json(const jt_calib_domain *d)
{
    if (!d->present) return json_null();
    return json_pack("{s:f,s:f,s:f,s:f,s:f,s:f}", "median_watts", d->median_w, "mad_watts",
                     d->mad_w, "sd_watts", d->sd_w, "cv", d->cv, "ci95_low_watts", d->ci_low_w,
                     "ci95_high_watts", d->ci_high_w);
}

json_t *jt_calibration_json(const jt_calibration *c)
{
    char when[32];
    struct tm tm;
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&c->created, &tm));
    return json_pack("{s:i,s:s,s:I,s:s,s:i,s:O?,s:O?,s:I,s:f,s:o,s:o,s:O?}", "schema_version",
                     JT_CALIBRATION_SCHEMA, "created", when, "created_unix", (json_int_t)c->created,
                     "backend", c->backend ? c->backend : "", "measurement_cpu", c->measurement_cpu,
                     "host", c->host, "units", c->units, "windows", (json_int_t)c->windows,
                     "window_seconds", c->window_seconds, "package", domain_json(&c->package),
                     "dram", domain_json(&c->dram), "warnings", c->warnings);
}

int jt_calibration_save(const char *path, const jt_calibration *c, jt_err *err)
{
    json_t *j = jt_calibration_json(c);
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(j);
    size_t len = strlen(text);
    text = jt_xrealloc(text, len + 2);
    text[len++] = '\n';
    text[len] = '\0';
    /* The state directory may not exist yet (first calibration, a new --state-dir). */
    char *dir = jt_xstrdup(path);
    char *slash = strrchr(dir, '/');
    int rc = 0;
    if (slash && slash != dir) {
        *slash = '\0';
        rc = jt_mkdirs(dir, 0755, err);
    }
    free(dir);
    if (rc == 0) rc = jt_write_file_atomic(path, text, len, err);
    free(text);
    return rc;
}

static int domain_from(json_t *j, jt_calib_domain *d, const char *name, const char *path,
                       jt_err *err)
{
    memset(d, 0, sizeof *d);
    if (!j || json_is_null(j)) return 0;
    json_error_t je;
    if (json_unpack_ex(j, &je, 0, "{s:F,s:F,s:F,s:F,s:F,s:F}", "median_watts", &d->median_w,
                       "mad_watts", &d->mad_w, "sd_watts", &d->sd_w, "cv", &d->cv,
                       "ci95_low_watts", &d->ci_low_w, "ci95_high_watts", &d->ci_high_w))
        return jt_err_set(err, "%s: '%s': %s", path, name, je.text);
    d->present = true;
    return 0;
}

/* The fields of a baseline that are watts or spreads: each must be a finite
 * number >= 0 (and the watts at most `ceiling_w`), and the CI must hold the
 * median; anything else is a damaged or edited file, never a baseline. */
static const struct {
    const char *key;
    size_t off;
    bool watts; /* bounded by the power ceiling */
} domain_fields[] = {
    {"median_watts", offsetof(jt_calib_domain, median_w), true},
    {"mad_watts", offsetof(jt_calib_domain, mad_w), true},
    {"sd_watts", offsetof(jt_calib_domain, sd_w), true},
    {"cv", offsetof(jt_calib_domain, cv), false},
    {"ci95_low_watts", offsetof(jt_calib_domain, ci_low_w), true},
    {"ci95_high_watts", offsetof(jt_calib_domain, ci_high_w), true},
};

static int domain_check(const jt_calib_domain *d, const char *name, const char *path,
                        double ceiling_w, const char *ceiling_from, jt_err *err)
{
    if (!d->present) return 0;
    for (size_t i = 0; i < sizeof domain_fields / sizeof domain_fields[0]; i++) {
        double v = *(const double *)(const void *)((const char *)d + domain_fields[i].off);
        const char *why = !isfinite(v)                              ? "is not a finite number"
                          : v < 0                                   ? "is negative"
                          : domain_fields[i].watts && v > ceiling_w ? "is above the power ceiling"
                                                                    : NULL;
        if (why)
            return jt_err_set(err, "%s: '%s.%s' %s (%g; ceiling %g W, %s): recalibrate with "
                                   "`jouletrace calibrate`",
                              path, name, domain_fields[i].key, why, v, ceiling_w, ceiling_from);
    }
    if (!(d->ci_low_w <= d->median_w && d->median_w <= d->ci_high_w))
        return jt_err_set(err, "%s: '%s.ci95_low_watts'..'ci95_high_watts' [%g, %g] does not hold "
                               "'%s.median_watts' %g: recalibrate with `jouletrace calibrate`",
                          path, name, d->ci_low_w, d->ci_high_w, name, d->median_w);
    return 0;
}

int jt_calibration_fits(const jt_calibration *c, const char *path, const jt_energy_meter *m,
                        jt_err *err)
{
    if (c->dram.present && !jt_energy_domain(m, JT_ENERGY_DRAM))
        return jt_err_set(err, "%s: 'dram' baseline, but this meter has no DRAM domain: "
                               "recalibrate with `jouletrace calibrate`",
                          path);
    if (domain_check(&c->package, "package", path, jt_energy_power_ceiling(m, JT_ENERGY_PACKAGE),
                     jt_energy_power_ceiling_from(m, JT_ENERGY_PACKAGE), err) ||
        domain_check(&c->dram, "dram", path, jt_energy_power_ceiling(m, JT_ENERGY_DRAM),
                     jt_energy_power_ceiling_from(m, JT_ENERGY_DRAM), err))
        return -1;
    return 0;
}

int jt_calibration_load(const char *path, jt_calibration *c, jt_err *err)
{
    memset(c, 0, sizeof *c);
    if (access(path, F_OK) != 0 && errno == ENOENT)
        return jt_err_set(err, "Socket 0 not calibrated: no calibration at %s; run `jouletrace "
                               "calibrate` first",
                          path);
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (!j && je.line > 0)
        return jt_err_set(err, "%s:%d:%d: not a calibration file: %s (run `jouletrace calibrate`)",
                          path, je.line, je.column, je.text);
    if (!j) /* no position: unreadable, a directory, ... */
        return jt_err_set(err, "%s: not a calibration file: %s (run `jouletrace calibrate`)",
                          path, je.text);
    int rc = -1;
    json_int_t schema = 0, created = 0, windows = 0;
    int cpu = -1;
    const char *backend = NULL;
    json_t *host = NULL, *units = NULL, *pkg = NULL, *dram = NULL, *warnings = NULL;
    if (jt_json_check_schema(j, JT_CALIBRATION_SCHEMA, path, err) != 0) goto out;
    if (json_unpack_ex(j, &je, 0, "{s:I,s:I,s:s,s:i,s?o,s?o,s:I,s:F,s:o,s?o,s?o}",
                       "schema_version", &schema, "created_unix", &created, "backend", &backend,
                       "measurement_cpu", &cpu, "host", &host, "units", &units, "windows",
                       &windows, "window_seconds", &c->window_seconds, "package", &pkg, "dram",
                       &dram, "warnings", &warnings)) {
        jt_err_set(err, "%s: %s (recalibrate with `jouletrace calibrate`)", path, je.text);
        goto out;
    }
    if (schema != JT_CALIBRATION_SCHEMA) {
        jt_err_set(err, "%s: schema_version %lld, this jouletrace reads %d: run `jouletrace calibrate`",
                   path, (long long)schema, JT_CALIBRATION_SCHEMA);
        goto out;
    }
    if (domain_from(pkg, &c->package, "package", path, err) ||
        domain_from(dram, &c->dram, "dram", path, err))
        goto out;
    if (!c->package.present) {
        jt_err_set(err, "%s: no package baseline: run `jouletrace calibrate`", path);
        goto out;
    }
    /* Meter-free bounds now; the meter's own ceilings in jt_calibration_fits. */
    if (domain_check(&c->package, "package", path, JT_ENERGY_MAX_POWER_W, "the default bound", err) ||
        domain_check(&c->dram, "dram", path, JT_ENERGY_MAX_POWER_W, "the default bound", err))
        goto out;
    if (!isfinite(c->window_seconds) || c->window_seconds <= 0) {
        jt_err_set(err, "%s: 'window_seconds' is %g, not a positive number: recalibrate with "
                        "`jouletrace calibrate`", path, c->window_seconds);
        goto out;
    }
    c->created = (time_t)created;
    c->backend = jt_xstrdup(backend);
    c->measurement_cpu = cpu;
    c->windows = (long)windows;
    c->host = host ? json_incref(host) : NULL;
    c->units = units ? json_incref(units) : NULL;
    c->warnings = warnings ? json_incref(warnings) : json_array();
    rc = 0;
out:
    json_decref(j);
    if (rc) jt_calibration_release(c);
    return rc;
}

void jt_calibration_release(jt_calibration *c)
{
    free(c->backend);
    json_decref(c->host);
    json_decref(c->units);
    json_decref(c->warnings);
    memset(c, 0, sizeof *c);
}

/* Fingerprint keys that must match for a baseline to apply: they change
 * idle power or what the measurement core does. */
static const char *const must_match[] = {"hostname", "cpu_model", "microcode", "kernel",
                                         "governor", "turbo", "smt", NULL};

int jt_calibration_check(const jt_calibration *c, const char *backend, int measurement_cpu,
                         const json_t *host, double max_age_days, time_t now, jt_err *why)
{
    double age_days = difftime(now, c->created) / 86400.0;
    if (age_days > max_age_days)
        return jt_err_set(why, "calibration is %.1f days old (limit %g): run `jouletrace calibrate`",
                          age_days, max_age_days);
    if (age_days < -1.0 / 24)
        return jt_err_set(why, "calibration is dated in the future (clock changed?): run "
                               "`jouletrace calibrate`");
    if (strcmp(c->backend, backend))
        return jt_err_set(why, "calibration was taken with backend '%s', this run uses '%s': run "
                               "`jouletrace calibrate --backend %s`",
                          c->backend, backend, backend);
    if (c->measurement_cpu != measurement_cpu)
        return jt_err_set(why, "calibration was taken with measurement core %d, this run uses %d: "
                               "run `jouletrace calibrate`",
                          c->measurement_cpu, measurement_cpu);
    for (size_t i = 0; host && must_match[i]; i++) {
        json_t *a = c->host ? json_object_get(c->host, must_match[i]) : NULL;
        json_t *b = json_object_get(host, must_match[i]);
        if (!a || !b || !json_equal(a, b))
            return jt_err_set(why, "calibration was taken with %s '%s', the host now has '%s': run "
                                   "`jouletrace calibrate`",
                              must_match[i], a && json_string_value(a) ? json_string_value(a) : "?",
                              b && json_string_value(b) ? json_string_value(b) : "?");
    }
    return 0;
}
