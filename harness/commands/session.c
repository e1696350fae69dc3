/* Host set-up shared by run and calibrate (session.h). */
#include "commands/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    if (jt_energy_open(o->backend, &eo, &s->meter, err) != 0) {
        jt_err_prefix(err, "no usable energy counters for --backend %s", jt_energy_kind_name(o->backend));
        return -1;
    }
    const char *fallback = jt_energy_fallback_reason(s->meter);
    if (fallback)
        json_array_append_new(s->warnings,
                              json_sprintf("energy_source=model: numbers are estimates, not "
                                           "measurements (%s)", fallback));
    char *path = o->lock_path ? jt_xstrdup(o->lock_path) : jt_lock_default_path();
    /* Held or unusable, the lock is why the host is not ready: what `status`
     * says (exit 4) for the same lock. */
    int rc = jt_lock_acquire(&s->lock, path, o->command, o->suite, o->wait, NULL, err);
    free(path);
    if (rc != 0) return -1;
    s->fingerprint = jt_host_fingerprint(&s->topo);
    json_t *advice = jt_host_advice(s->fingerprint);
    json_array_extend(s->warnings, advice);
    json_decref(advice);
    *exit_code = JT_EXIT_OK;
    return 0;
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
