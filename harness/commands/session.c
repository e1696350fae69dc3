/* Host set-up shared by run, measure and calibrate, and their flags (session.h). */
#include "commands/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jouletrace/common.h"
#include "jouletrace/host.h"

int jt_session_parse_core(const char *s, int *core, jt_err *err)
{
    long v;
    if (jt_parse_long(s, 0, JT_MAX_CPUS - 1, &v, "--measurement-core", err)) return -1;
    *core = (int)v;
    return 0;
}

int jt_session_open(jt_session *s, const jt_session_opts *o, int *exit_code, jt_err *err)
{
    memset(s, 0, sizeof *s);
    s->lock.fd = -1;
    s->warnings = json_array();
    *exit_code = JT_EXIT_NOT_READY;
    if (jt_topology_read(&s->topo, o->measurement_core, err) != 0) {
        *exit_code = o->measurement_core >= 0 ? JT_EXIT_USAGE : JT_EXIT_FAILURE;
        return -1;
    }
    for (size_t i = 0; i < s->topo.n_warnings; i++)
        json_array_append_new(s->warnings, json_string(s->topo.warnings[i]));
    /* The harness and its counter reads stay off the measurement core. */
    if (s->topo.housekeeping_cpu >= 0) {
        jt_err perr = JT_ERR_INIT;
        if (jt_pin_self(s->topo.housekeeping_cpu, &perr) != 0)
            json_array_append_new(s->warnings, json_string(jt_err_msg(&perr)));
        jt_err_clear(&perr);
    }
    jt_energy_opts eo;
    jt_energy_opts_init(&eo);
    eo.cpu = s->topo.housekeeping_cpu >= 0 ? s->topo.housekeeping_cpu : s->topo.measure_cpu;
    eo.pkg0_cpus = s->topo.pkg0_cpus;
    eo.n_pkg0 = s->topo.n_pkg0;
    eo.max_power_w = o->max_power_w;
    if (jt_energy_open(o->backend, &eo, &s->meter, err) != 0) {
        jt_err_prefix(err, "no usable energy counters for --backend %s", jt_energy_kind_name(o->backend));
        return -1;
    }
    char *short_wrap = jt_session_short_wrap(s->meter);
    if (short_wrap) json_array_append_new(s->warnings, json_string(short_wrap));
    free(short_wrap);
    const char *fallback = jt_energy_fallback_reason(s->meter);
    if (fallback)
        json_array_append_new(s->warnings,
                              json_sprintf("energy_source=model: numbers are estimates, not "
                                           "measurements (%s)", fallback));
    char *path = o->lock_path ? jt_xstrdup(o->lock_path) : jt_lock_default_path();
    /* Held or unusable, the lock is why the host is not ready: what `status`
     * says (exit 4) for the same lock. */
    int rc = o->no_lock ? 0 : jt_lock_acquire(&s->lock, path, o->command, o->suite, o->wait, NULL, err);
    free(path);
    if (rc != 0) return -1;
    s->fingerprint = jt_host_fingerprint(&s->topo);
    json_t *advice = jt_host_advice(s->fingerprint);
    json_array_extend(s->warnings, advice);
    json_decref(advice);
    *exit_code = JT_EXIT_OK;
    return 0;
}

char *jt_session_short_wrap(const jt_energy_meter *m)
{
    double w = jt_energy_shortest_wrap(m);
    if (w <= 0 || w >= JT_ENERGY_SHORT_WRAP_S) return NULL;
    return jt_xasprintf("%s: a package counter can wrap within %.3g s at the bound of %.4g W (%s): "
                        "any window whose reads are further apart is rejected; set "
                        "--max-power-watts to the part's real maximum if that is lower",
                        jt_energy_source_name(m), w, jt_energy_power_ceiling(m, JT_ENERGY_PACKAGE),
                        jt_energy_power_ceiling_from(m, JT_ENERGY_PACKAGE));
}

void jt_session_sandbox(jt_session *s)
{
    jt_sandbox_release(&s->sandbox);
    jt_sandbox_probe("nobody", &s->sandbox);
    jt_sandbox_warn(&s->sandbox, stderr); /* never silently weaker */
}

void jt_session_close(jt_session *s)
{
    if (s->meter) jt_energy_guard_stop(s->meter);
    jt_energy_close(s->meter);
    s->meter = NULL;
    jt_lock_release(&s->lock);
    jt_topology_release(&s->topo);
    json_decref(s->fingerprint);
    json_decref(s->warnings);
    s->fingerprint = s->warnings = NULL;
    jt_sandbox_release(&s->sandbox);
}

void jt_session_flags_init(jt_session_flags *f, const char *command)
{
    memset(f, 0, sizeof *f);
    f->open.backend = JT_ENERGY_AUTO;
    f->open.measurement_core = -1;
    f->open.command = command;
    f->max_age_days = 7;
}

static int flag_backend(const char *a, jt_session_flags *f, jt_err *err)
{
    return jt_energy_kind_parse(a, &f->open.backend, err);
}
static int flag_core(const char *a, jt_session_flags *f, jt_err *err)
{
    return jt_session_parse_core(a, &f->open.measurement_core, err);
}
static int flag_lock(const char *a, jt_session_flags *f, jt_err *err)
{
    (void)err;
    f->open.lock_path = a;
    return 0;
}
static int flag_wait(const char *a, jt_session_flags *f, jt_err *err)
{
    (void)a;
    (void)err;
    f->open.wait = true;
    return 0;
}
static int flag_calibration(const char *a, jt_session_flags *f, jt_err *err)
{
    (void)err;
    f->calibration = a;
    return 0;
}
static int flag_state_dir(const char *a, jt_session_flags *f, jt_err *err)
{
    (void)err;
    f->state_dir = a;
    return 0;
}
static int flag_uncalibrated(const char *a, jt_session_flags *f, jt_err *err)
{
    (void)a;
    (void)err;
    f->allow_uncalibrated = true;
    return 0;
}
static int flag_max_power(const char *a, jt_session_flags *f, jt_err *err)
{
    return jt_parse_double(a, 1, 100000, &f->open.max_power_w, "--max-power-watts", err);
}
static int flag_max_age(const char *a, jt_session_flags *f, jt_err *err)
{
    return jt_parse_double(a, 0, 3650, &f->max_age_days, "--max-age-days", err);
}

static const struct session_flag {
    const char *name;
    int has_arg;
    unsigned set;
    int (*parse)(const char *arg, jt_session_flags *f, jt_err *err);
} session_flags[] = {
    {"backend", required_argument, JT_SESSION_HOST, flag_backend},
    {"measurement-core", required_argument, JT_SESSION_HOST, flag_core},
    {"lock-file", required_argument, JT_SESSION_HOST, flag_lock},
    {"wait", no_argument, JT_SESSION_HOST, flag_wait},
    {"max-power-watts", required_argument, JT_SESSION_HOST, flag_max_power},
    {"calibration", required_argument, JT_SESSION_HOST, flag_calibration},
    {"state-dir", required_argument, JT_SESSION_HOST, flag_state_dir},
    {"allow-uncalibrated", no_argument, JT_SESSION_BASELINE, flag_uncalibrated},
    {"max-age-days", required_argument, JT_SESSION_BASELINE, flag_max_age},
};
#define N_SESSION_FLAGS (sizeof session_flags / sizeof session_flags[0])

struct option *jt_session_longopts(unsigned sets, const struct option *own)
{
    size_t n_own = 0;
    while (own && own[n_own].name) n_own++;
    struct option *o = jt_xcalloc(N_SESSION_FLAGS + n_own + 1, sizeof *o);
    size_t n = 0;
    for (size_t i = 0; i < N_SESSION_FLAGS; i++)
        if (session_flags[i].set & sets)
            o[n++] = (struct option){session_flags[i].name, session_flags[i].has_arg, NULL,
                                     JT_SESSION_FLAG_VAL + (int)i};
    for (size_t i = 0; i < n_own; i++) o[n++] = own[i];
    return o; /* the last row stays zero */
}

int jt_session_flag(int ch, const char *arg, jt_session_flags *f, jt_err *err)
{
    if (ch < JT_SESSION_FLAG_VAL || ch >= JT_SESSION_FLAG_VAL + (int)N_SESSION_FLAGS) return 0;
    return session_flags[ch - JT_SESSION_FLAG_VAL].parse(arg, f, err) == 0 ? 1 : -1;
}

int jt_session_calibration(const jt_session *s, const jt_session_flags *f, jt_calibration *c,
                           jt_err *err)
{
    memset(c, 0, sizeof *c);
    char *path = jt_calibration_path(f->calibration, f->state_dir, NULL, err);
    if (!path) return -1;
    int rc = jt_calibration_load(path, c, err);
    if (rc == 0 && jt_calibration_fits(c, path, s->meter, err) != 0) rc = -1;
    if (rc == 0 &&
        jt_calibration_check(c, jt_energy_source_name(s->meter), s->topo.measure_cpu, s->fingerprint,
                             f->max_age_days, time(NULL), err) != 0) {
        jt_err_prefix(err, "%s", path);
        rc = -1;
    }
    if (rc != 0) jt_calibration_release(c);
    free(path);
    return rc;
}
