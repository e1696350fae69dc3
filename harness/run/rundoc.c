/* run.json's content: what a run records when it starts, resumes and ends
 * (run_priv.h; docs/design.md "Run directory"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jouletrace/host.h"
#include "jouletrace/rundir.h"
#include "run/run_priv.h"

static void shard_text(const jt_run_opts *o, char buf[64])
{
    buf[0] = '\0';
    if (o->shard_n) snprintf(buf, 64, "%ld/%ld", o->shard_k, o->shard_n);
}

static json_t *options_json(const jt_run_opts *o, const jt_run_host *h)
{
    char shard[64];
    shard_text(o, shard);
    return json_pack("{s:s,s:s?,s:b,s:f,s:I,s:i,s:i,s:s?}", "backend_requested",
                     jt_energy_kind_name(o->backend_requested), "shard", o->shard_n ? shard : NULL,
                     "allow_uncalibrated", o->allow_uncalibrated, "max_age_days", o->max_age_days,
                     "seed", (json_int_t)o->seed, "measurement_cpu", h->topo->measure_cpu,
                     "housekeeping_cpu", h->topo->housekeeping_cpu, "lock_file", h->lock_path);
}

static json_t *backend_json(jt_energy_meter *m)
{
    json_t *doms = json_object();
    for (int d = 0; d < JT_ENERGY_NDOMAINS; d++) {
        const jt_energy_domain_info *info = jt_energy_domain(m, d);
        if (info)
            json_object_set_new(doms, info->name,
                                json_pack("{s:f,s:s,s:s,s:f,s:f,s:s}", "unit_joules",
                                          info->unit_joules, "units", info->units, "where",
                                          info->where, "wrap_joules", info->wrap_joules,
                                          "power_bound_watts", jt_energy_power_ceiling(m, d),
                                          "power_bound_from", jt_energy_power_ceiling_from(m, d)));
    }
    int filt = jt_energy_filtering(m);
    return json_pack("{s:s,s:b,s:s?,s:o,s:s,s:o}", "energy_source", jt_energy_source_name(m),
                     "estimate", jt_energy_is_estimate(m), "fallback_reason",
                     jt_energy_fallback_reason(m), "domains", doms, "notes", jt_energy_notes(m),
                     "energy_filtering", filt < 0 ? json_null() : json_boolean(filt));
}

json_t *jt_rundoc_new(const jt_suite *s, const jt_run_opts *o, const jt_run_host *h)
{
    char *started = jt_utc_now();
    json_t *refs = json_object();
    for (size_t t = 0; t < s->n_test_sets; t++)
        if (s->test_sets[t].reference)
            json_object_set_new(refs, s->test_sets[t].id, json_string(s->test_sets[t].reference));
    json_t *run = json_pack(
        "{s:i,s:s,s:{s:s,s:s,s:s,s:O?,s:o},s:o,s:o,s:O,s:o?,s:s,s:O,s:o}", "schema_version",
        JT_RUN_SCHEMA, "jouletrace_version", JT_VERSION, "suite", "name", s->name, "path", s->path,
        "content_hash", s->content_hash, "datasets", s->datasets, "references", refs, "options",
        options_json(o, h), "backend", backend_json(h->meter), "host_start", h->fingerprint,
        "calibration", h->calib ? jt_calibration_json(h->calib) : NULL, "started", started,
        "warnings", h->warnings, "sandbox", jt_sandbox_json(h->sandbox));
    free(started);
    return run;
}

int jt_rundoc_resume(json_t *run, const jt_run_opts *o, const jt_run_host *h, const char *dir,
                     jt_err *err)
{
    const json_t *ropts = json_object_get(run, "options");
    const char *was_src = json_string_value(json_object_get(json_object_get(run, "backend"), "energy_source"));
    const char *was_shard = json_string_value(json_object_get(ropts, "shard"));
    json_int_t was_cpu = json_integer_value(json_object_get(ropts, "measurement_cpu"));
    char shard_now[64];
    shard_text(o, shard_now);
    /* In order: the first difference is the one reported. */
    const struct {
        bool differs;
        const char *why;
        int code;
    } checks[] = {
        {was_src && strcmp(was_src, jt_energy_source_name(h->meter)), "the energy source differs",
         JT_EXIT_NOT_READY},
        {was_cpu != h->topo->measure_cpu, "the measurement core differs", JT_EXIT_NOT_READY},
        {strcmp(was_shard ? was_shard : "", shard_now) != 0, "the shard differs", JT_EXIT_USAGE},
    };
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        if (!checks[i].differs) continue;
        jt_err_set(err, "--resume %s: %s from the run being resumed (%s, core %lld, shard %s); "
                        "resume with the same settings or start a new run",
                   dir, checks[i].why, was_src ? was_src : "?", (long long)was_cpu,
                   was_shard ? was_shard : "none");
        return checks[i].code;
    }
    json_t *resumes = json_object_get(run, "resumes");
    if (!resumes) json_object_set_new(run, "resumes", resumes = json_array());
    char *when = jt_utc_now();
    json_t *cal_now = h->calib ? jt_calibration_json(h->calib) : json_null();
    json_t *cal_then = json_object_get(run, "calibration");
    if (!json_equal(json_object_get(cal_now, "created"), json_object_get(cal_then, "created"))) {
        json_t *w = json_object_get(run, "warnings");
        if (!json_is_array(w)) json_object_set_new(run, "warnings", w = json_array());
        json_array_append_new(w, json_sprintf("resumed at %s with another calibration: records "
                                              "after that use its baseline (see resumes[])", when));
    }
    json_array_append_new(resumes, json_pack("{s:s,s:O,s:o,s:o}", "at", when, "host", h->fingerprint,
                                             "calibration", cal_now, "sandbox",
                                             jt_sandbox_json(h->sandbox)));
    free(when);
    return JT_EXIT_OK;
}

void jt_rundoc_close(json_t *run, const jt_run_host *h, const char *status)
{
    json_t *end_fp = jt_host_fingerprint(h->topo);
    json_t *diff = jt_host_diff(json_object_get(run, "host_start"), end_fp, "during the run");
    json_t *warn = json_object_get(run, "warnings");
    if (!json_is_array(warn)) json_object_set_new(run, "warnings", warn = json_array());
    json_array_extend(warn, diff);
    size_t i;
    json_t *w;
    json_array_foreach(diff, i, w) jt_warn("%s", json_string_value(w));
    json_decref(diff);
    json_object_set_new(run, "host_end", end_fp);
    char *ended = jt_utc_now();
    json_object_set_new(run, "finished", json_string(ended));
    free(ended);
    json_object_set_new(run, "status", json_string(status));
    json_object_set_new(run, "guard_failures",
                        json_integer((json_int_t)jt_energy_guard_failures(h->meter)));
}
