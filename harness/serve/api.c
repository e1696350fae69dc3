/* The seed service's request checks and answers (service.h). */
#include "jouletrace/service.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "jouletrace/suite.h"

typedef enum { T_STRING, T_ARRAY, T_OBJECT, T_INTEGER, T_NUMBER, T_ANY } field_type;

typedef struct field_spec {
    const char *name;
    field_type type;
    int required;
} field_spec;

/* The seed's request; any other top-level key is a suite option, which
 * jt_suite_from_request checks by name and range. */
static const field_spec request_fields[] = {
    {"candidate_code", T_STRING, 1},
    {"function_name", T_STRING, 1},
    {"test_cases", T_ARRAY, 1},
    {"energy_measurement_trials", T_INTEGER, 0},
    {"timeout_seconds", T_NUMBER, 0},
};

static const field_spec case_fields[] = {
    {"test_id", T_STRING, 0},
    {"inputs", T_ARRAY, 1},
    {"expected_output", T_ANY, 1},
};

static const char *const type_words[] = {"a string", "an array", "an object", "an integer",
                                         "a number", "a value"};

static const char *json_type_word(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

static int type_ok(const json_t *v, field_type t)
{
    switch (t) {
    case T_STRING: return json_is_string(v);
    case T_ARRAY: return json_is_array(v);
    case T_OBJECT: return json_is_object(v);
    case T_INTEGER: return json_is_integer(v);
    case T_NUMBER: return json_is_number(v);
    default: return 1;
    }
}

/* 0, or 422 with err naming prefix+field. */
static int check_fields(const json_t *obj, const field_spec *spec, size_t n, const char *prefix,
                        jt_err *err)
{
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_object_get(obj, spec[i].name);
        if (!v) {
            if (!spec[i].required) continue;
            jt_err_set(err, "%s%s: missing (required)", prefix, spec[i].name);
            return 422;
        }
        if (!type_ok(v, spec[i].type)) {
            jt_err_set(err, "%s%s: must be %s, not %s", prefix, spec[i].name,
                       type_words[spec[i].type], json_type_word(v));
            return 422;
        }
    }
    return 0;
}

int jt_service_check_request(const json_t *req, jt_err *err)
{
    if (!json_is_object(req)) {
        jt_err_set(err, "request: must be a JSON object, not %s", json_type_word(req));
        return 422;
    }
    int rc = check_fields(req, request_fields, sizeof request_fields / sizeof *request_fields, "",
                          err);
    if (rc) return rc;
    const json_t *cases = json_object_get(req, "test_cases");
    if (!json_array_size(cases)) {
        jt_err_set(err, "test_cases: must hold at least one test case");
        return 422;
    }
    size_t i;
    const json_t *c;
    json_array_foreach(cases, i, c) {
        char prefix[48];
        snprintf(prefix, sizeof prefix, "test_cases[%zu].", i);
        if (!json_is_object(c)) {
            jt_err_set(err, "test_cases[%zu]: must be an object, not %s", i, json_type_word(c));
            return 422;
        }
        if ((rc = check_fields(c, case_fields, sizeof case_fields / sizeof *case_fields, prefix,
                               err)))
            return rc;
    }
    const json_t *trials = json_object_get(req, "energy_measurement_trials");
    if (trials && json_integer_value(trials) < 1) {
        jt_err_set(err, "energy_measurement_trials: must be at least 1, not %lld",
                   (long long)json_integer_value(trials));
        return 422;
    }
    const json_t *timeout = json_object_get(req, "timeout_seconds");
    if (timeout && !(json_number_value(timeout) > 0)) {
        jt_err_set(err, "timeout_seconds: must be more than 0, not %g", json_number_value(timeout));
        return 422;
    }
    jt_suite *s = NULL;
    if (jt_suite_from_request(req, "request", &s, err) != 0) return 422;
    jt_suite_free(s);
    return 0;
}

static json_t *copy_or_null(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return v ? json_deep_copy(v) : json_null();
}

/* {"low", "high", "level"} of a statistic's CI in the record, or null. */
static json_t *ci_of(const json_t *stats, const char *name)
{
    const json_t *d = json_object_get(stats, name);
    const json_t *lo = json_object_get(d, "ci95_low"), *hi = json_object_get(d, "ci95_high");
    if (!json_is_number(lo) || !json_is_number(hi)) return json_null();
    return json_pack("{s:O,s:O,s:O?,s:O?}", "low", lo, "high", hi, "coverage",
                     json_object_get(d, "ci_coverage"), "method", json_object_get(d, "ci_method"));
}

json_t *jt_service_answer(const json_t *rec)
{
    const char *st = json_string_value(json_object_get(rec, "status"));
    int measured = st && (!strcmp(st, "completed") || !strcmp(st, "unstable"));
    json_t *a = json_object();
    json_object_set_new(a, "status", json_string(measured ? "completed" : "failed"));
    json_object_set_new(a, "validation", copy_or_null(rec, "validation"));
    json_object_set_new(a, "energy_metrics",
                        measured ? copy_or_null(rec, "energy_metrics") : json_null());
    json_object_set_new(a, "stability",
                        measured ? json_string(strcmp(st, "completed") ? "unstable" : "stable")
                                 : json_null());
    json_object_set_new(a, "candidate_status", st ? json_string(st) : json_null());
    static const char *const extras[] = {"stop_reason", "flags", "error", "energy_source",
                                         "isolation", "sandbox_level", "peak_memory_bytes",
                                         "ranked"};
    for (size_t i = 0; i < sizeof extras / sizeof *extras; i++)
        json_object_set_new(a, extras[i], copy_or_null(rec, extras[i]));
    const json_t *stats = json_object_get(rec, "stats");
    json_object_set_new(a, "n_trials", copy_or_null(stats, "n_trials"));
    json_object_set_new(a, "iterations_per_trial", copy_or_null(stats, "iterations_per_trial"));
    json_object_set_new(a, "ci",
                        json_pack("{s:o,s:o}", "median_total_energy_joules",
                                  ci_of(stats, "total_energy"), "median_execution_time_seconds",
                                  ci_of(stats, "time")));
    if (!measured && json_is_null(json_object_get(a, "error")) && st) {
        json_object_set_new(a, "error", json_sprintf("the candidate was not measured: %s", st));
    }
    return a;
}

json_t *jt_service_validation_answer(const json_t *judged)
{
    const char *st = json_string_value(json_object_get(judged, "status"));
    int judged_ok = st && (!strcmp(st, "correct") || !strcmp(st, "incorrect"));
    json_t *a = json_object();
    json_object_set_new(a, "status", json_string(judged_ok ? "completed" : "failed"));
    json_object_set_new(a, "validation", copy_or_null(judged, "validation"));
    json_object_set_new(a, "candidate_status", st ? json_string(st) : json_null());
    json_object_set_new(a, "failures", copy_or_null(judged, "failures"));
    json_object_set_new(a, "error", copy_or_null(judged, "reason"));
    return a;
}

json_t *jt_service_failure(const char *why)
{
    return json_pack("{s:s,s:n,s:n,s:s}", "status", "failed", "validation", "energy_metrics",
                     "error", why);
}

static json_t *iso_time(double t)
{
    if (t <= 0) return json_null();
    time_t s = (time_t)t;
    struct tm tm;
    char buf[32];
    if (!gmtime_r(&s, &tm) || !strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm))
        return json_null();
    return json_string(buf);
}

json_t *jt_service_task_json(const jt_task *t)
{
    json_t *o = json_object();
    json_object_set_new(o, "task_id", json_string(t->id));
    json_object_set_new(o, "kind", json_string(jt_task_kind_name(t->kind)));
    if (t->result && (t->state == JT_TASK_COMPLETED || t->state == JT_TASK_FAILED)) {
        json_object_update(o, t->result);
        /* the queue may fail a task itself (its worker died twice) */
        if (t->state == JT_TASK_FAILED) json_object_set_new(o, "status", json_string("failed"));
    }
    if (!json_object_get(o, "status"))
        json_object_set_new(o, "status", json_string(jt_task_state_name(t->state)));
    json_object_set_new(o, "created_at", iso_time(t->created));
    json_object_set_new(o, "started_at", iso_time(t->started));
    json_object_set_new(o, "finished_at", iso_time(t->finished));
    json_object_set_new(o, "attempts", json_integer(t->attempts));
    json_object_set_new(o, "worker", t->worker ? json_string(t->worker) : json_null());
    json_object_set_new(o, "note", t->note ? json_string(t->note) : json_null());
    return o;
}
