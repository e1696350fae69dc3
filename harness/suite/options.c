/* The option table (options.h). A new option is a new row here plus a field
 * in jt_options; loading, range checks, inheritance and help follow. */
#include "suite/options.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const languages[] = {"python", "command", NULL};

#define OFF(f) offsetof(jt_options, f)
#define H JT_OPT_HASHED
#define F JT_OPT_FLOOR
static const jt_opt_def opt_table[] = {
    {"language", JT_OPT_ENUM, OFF(language), 0, 0, languages, "python", H,
     "python: a function checked against test cases; command: any program, stdin -> stdout"},
    {"python", JT_OPT_PROGRAM, OFF(python), 0, 0, NULL, "python3", H | F,
     "Python interpreter; a bare name is looked up in /usr/local/bin:/usr/bin:/bin"},
    {"energy_measurement_trials", JT_OPT_LONG, OFF(energy_measurement_trials), 1, 10000, NULL, "20",
     H | F, "maximum number of trials"},
    {"min_trials", JT_OPT_LONG, OFF(min_trials), 1, 10000, NULL, "5", H | F,
     "trials always run before the stop rule may stop"},
    {"min_trial_seconds", JT_OPT_DOUBLE, OFF(min_trial_seconds), 0.001, 3600, NULL, "0.2", H | F,
     "each trial repeats the test set until it lasts at least this long"},
    {"precision_target", JT_OPT_DOUBLE, OFF(precision_target), 0, 1, NULL, "0.02", H | F,
     "stop once the 95% CI of the median is within +-this fraction (0 = off)"},
    {"cv_target", JT_OPT_DOUBLE, OFF(cv_target), 0, 10, NULL, "0.05", H | F,
     "or stop once the CV of per-iteration energy is below this (0 = off)"},
    {"timeout_seconds", JT_OPT_DOUBLE, OFF(timeout_seconds), 0.01, 86400, NULL, "20", H,
     "limit for loading, for validation and for each trial"},
    {"memory_limit_mb", JT_OPT_LONG, OFF(memory_limit_mb), 16, 1048576, NULL, "1024", H | F,
     "address-space limit of the candidate's process"},
    {"float_tolerance", JT_OPT_DOUBLE, OFF(float_tolerance), 0, 1, NULL, "1e-9", H,
     "relative tolerance where a float is compared"},
    {"fresh_process_per_trial", JT_OPT_BOOL, OFF(fresh_process_per_trial), 0, 0, NULL, "false",
     H | F, "start a new process for every trial"},
    /* not F: the floor never reloads (the engine turns it off there) */
    {"reload_per_iteration", JT_OPT_BOOL, OFF(reload_per_iteration), 0, 0, NULL, "false", H,
     "re-exec the candidate every iteration (defeats caches; the reload is measured)"},
    {"allow_memoization", JT_OPT_BOOL, OFF(allow_memoization), 0, 0, NULL, "false", H,
     "rank candidates the cache check suspects (they are flagged either way)"},
};
#undef H
#undef F
#undef OFF
#define N_OPTS (sizeof opt_table / sizeof opt_table[0])

size_t jt_option_keys(const char **out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < N_OPTS && n + 1 < cap; i++) out[n++] = opt_table[i].key;
    out[n] = NULL;
    return n;
}

/* Finds `name` in a fixed safe PATH (never the caller's PATH: the child runs
 * with a minimal environment and possibly as another user). */
static char *find_program(const char *name)
{
    if (strchr(name, '/')) return access(name, X_OK) == 0 ? jt_xstrdup(name) : NULL;
    static const char *const dirs[] = {"/usr/local/bin", "/usr/bin", "/bin", NULL};
    for (size_t i = 0; dirs[i]; i++) {
        char *p = jt_xasprintf("%s/%s", dirs[i], name);
        if (access(p, X_OK) == 0) return p;
        free(p);
    }
    return NULL;
}

const jt_opt_def *jt_option_table(size_t *n)
{
    *n = N_OPTS;
    return opt_table;
}

/* Every field from its row's default text (the rows are the only copy). */
void jt_options_init(jt_options *o)
{
    memset(o, 0, sizeof *o);
    for (size_t i = 0; i < N_OPTS; i++) {
        const jt_opt_def *r = &opt_table[i];
        void *field = (char *)o + r->offset;
        switch (r->type) {
        case JT_OPT_LONG: *(long *)field = strtol(r->def, NULL, 10); break;
        case JT_OPT_DOUBLE: *(double *)field = strtod(r->def, NULL); break;
        case JT_OPT_BOOL: *(bool *)field = !strcmp(r->def, "true"); break;
        case JT_OPT_PROGRAM: {
            char *p = find_program(r->def);
            *(char **)field = p ? p : jt_xstrdup(r->def);
            break;
        }
        case JT_OPT_STR:
        case JT_OPT_ENUM: *(char **)field = jt_xstrdup(r->def); break;
        }
    }
}

static bool is_string(const jt_opt_def *r)
{
    return r->type == JT_OPT_STR || r->type == JT_OPT_ENUM || r->type == JT_OPT_PROGRAM;
}

/* Row r's value in o as JSON (strings may be NULL: json null). */
static json_t *value_json(const jt_opt_def *r, const void *o)
{
    const void *field = (const char *)o + r->offset;
    switch (r->type) {
    case JT_OPT_LONG: return json_integer((json_int_t) * (const long *)field);
    case JT_OPT_DOUBLE: return json_real(*(const double *)field);
    case JT_OPT_BOOL: return json_boolean(*(const bool *)field);
    case JT_OPT_STR:
    case JT_OPT_ENUM:
    case JT_OPT_PROGRAM: {
        const char *s = *(char *const *)field;
        return s ? json_string(s) : json_null();
    }
    }
    return json_null();
}

json_t *jt_opt_hash_object(const jt_opt_def *t, size_t n, const void *o)
{
    json_t *obj = json_object();
    for (size_t i = 0; i < n; i++)
        if (t[i].flags & JT_OPT_HASHED) json_object_set_new(obj, t[i].key, value_json(&t[i], o));
    return obj;
}

char *jt_opt_floor_key(const jt_opt_def *t, size_t n, const char *test_set_id, const void *o)
{
    jt_buf b = JT_BUF_INIT;
    jt_buf_adds(&b, test_set_id);
    for (size_t i = 0; i < n; i++) {
        if (!(t[i].flags & JT_OPT_FLOOR)) continue;
        const void *field = (const char *)o + t[i].offset;
        jt_buf_addf(&b, "\x1f%s=", t[i].key);
        switch (t[i].type) {
        case JT_OPT_LONG: jt_buf_addf(&b, "%ld", *(const long *)field); break;
        case JT_OPT_DOUBLE: jt_buf_addf(&b, "%.17g", *(const double *)field); break;
        case JT_OPT_BOOL: jt_buf_adds(&b, *(const bool *)field ? "true" : "false"); break;
        case JT_OPT_STR:
        case JT_OPT_ENUM:
        case JT_OPT_PROGRAM: {
            const char *s = *(char *const *)field;
            jt_buf_adds(&b, s ? s : "");
            break;
        }
        }
    }
    return jt_buf_detach(&b);
}

json_t *jt_options_hash_object(const jt_options *o)
{
    return jt_opt_hash_object(opt_table, N_OPTS, o);
}

char *jt_options_floor_key(const char *test_set_id, const jt_options *o)
{
    return jt_opt_floor_key(opt_table, N_OPTS, test_set_id, o);
}

void jt_options_copy(jt_options *dst, const jt_options *src)
{
    *dst = *src;
    for (size_t i = 0; i < N_OPTS; i++) {
        if (!is_string(&opt_table[i])) continue;
        char **d = (char **)((char *)dst + opt_table[i].offset);
        if (*d) *d = jt_xstrdup(*d);
    }
}

void jt_options_release(jt_options *o)
{
    for (size_t i = 0; i < N_OPTS; i++) {
        if (!is_string(&opt_table[i])) continue;
        char **p = (char **)((char *)o + opt_table[i].offset);
        free(*p);
        *p = NULL;
    }
}

static int want(jt_ydoc *d, const yaml_node_t *val, const char *key, const char *what,
                jt_err *err)
{
    const char *got = val->type == YAML_SCALAR_NODE
                          ? jt_yaml_scalar_kind_name(jt_yaml_scalar_kind(val))
                          : val->type == YAML_SEQUENCE_NODE ? "a list" : "a mapping";
    return jt_yerr(err, d, val, "'%s' must be %s, not %s", key, what, got);
}

int jt_option_apply(jt_options *o, jt_ydoc *d, const yaml_node_t *key, const yaml_node_t *val,
                    jt_err *err)
{
    const char *k = jt_yaml_text(key);
    const jt_opt_def *def = NULL;
    for (size_t i = 0; i < N_OPTS && !def; i++)
        if (!strcmp(opt_table[i].key, k)) def = &opt_table[i];
    if (!def) return 0;
    void *field = (char *)o + def->offset;
    jt_scalar_kind kind = val->type == YAML_SCALAR_NODE ? jt_yaml_scalar_kind(val) : JT_SCALAR_NULL;
    if (val->type != YAML_SCALAR_NODE) kind = (jt_scalar_kind)-1;
    const char *s = val->type == YAML_SCALAR_NODE ? jt_yaml_text(val) : "";

    switch (def->type) {
    case JT_OPT_LONG: {
        if (kind != JT_SCALAR_INT) return want(d, val, k, "an integer", err);
        /* YAML 1.2: "010" is decimal ten; only 0o/0x prefixes change the base. */
        int base = !strncmp(s, "0o", 2) ? 8 : !strncmp(s, "0x", 2) ? 16 : 10;
        errno = 0;
        char *end;
        long v = strtol(base == 10 ? s : s + 2, &end, base);
        if (errno || *end || v < (long)def->min || v > (long)def->max)
            return jt_yerr(err, d, val, "'%s' must be between %.0f and %.0f, not %s", k, def->min,
                           def->max, s);
        *(long *)field = v;
        return 1;
    }
    case JT_OPT_DOUBLE: {
        if (kind != JT_SCALAR_INT && kind != JT_SCALAR_FLOAT) return want(d, val, k, "a number", err);
        double v = strtod(s, NULL);
        if (!isfinite(v) || v < def->min || v > def->max)
            return jt_yerr(err, d, val, "'%s' must be between %g and %g, not %s", k, def->min,
                           def->max, s);
        *(double *)field = v;
        return 1;
    }
    case JT_OPT_BOOL:
        if (kind != JT_SCALAR_BOOL) return want(d, val, k, "true or false", err);
        *(bool *)field = s[0] == 't' || s[0] == 'T';
        return 1;
    case JT_OPT_STR:
    case JT_OPT_ENUM:
    case JT_OPT_PROGRAM: {
        if (kind != JT_SCALAR_STR || !*s) return want(d, val, k, "a non-empty string", err);
        char *v = NULL;
        if (def->type == JT_OPT_ENUM) {
            size_t i = 0;
            while (def->choices[i] && strcmp(def->choices[i], s)) i++;
            if (!def->choices[i]) {
                jt_buf b = JT_BUF_INIT;
                for (size_t j = 0; def->choices[j]; j++)
                    jt_buf_addf(&b, "%s'%s'", j ? ", " : "", def->choices[j]);
                jt_yerr(err, d, val, "'%s' must be one of %s, not '%s'", k, jt_buf_str(&b), s);
                jt_buf_release(&b);
                return -1;
            }
            v = jt_xstrdup(s);
        } else if (def->type == JT_OPT_PROGRAM) {
            v = find_program(s);
            if (!v)
                return jt_yerr(err, d, val, "'%s': no executable '%s'%s", k, s,
                               strchr(s, '/') ? "" : " in /usr/local/bin:/usr/bin:/bin");
        } else {
            v = jt_xstrdup(s);
        }
        free(*(char **)field);
        *(char **)field = v;
        return 1;
    }
    }
    return 0;
}

int jt_options_check(jt_options *o, bool min_trials_here, jt_ydoc *d, const yaml_node_t *where,
                     jt_err *err)
{
    jt_err why = JT_ERR_INIT;
    if (!min_trials_here && o->min_trials > o->energy_measurement_trials)
        o->min_trials = o->energy_measurement_trials;
    if (o->timeout_seconds < 2 * o->min_trial_seconds)
        jt_err_set(&why,
                   "timeout_seconds (%g) must be at least twice min_trial_seconds (%g): every "
                   "trial runs that long",
                   o->timeout_seconds, o->min_trial_seconds);
    else if (o->min_trials > o->energy_measurement_trials)
        jt_err_set(&why, "min_trials (%ld) is larger than energy_measurement_trials (%ld)",
                   o->min_trials, o->energy_measurement_trials);
    else
        return 0;
    if (d) jt_yerr(err, d, where, "%s", jt_err_msg(&why));
    else jt_err_set(err, "%s", jt_err_msg(&why));
    jt_err_clear(&why);
    return -1;
}

void jt_options_describe(FILE *f)
{
    for (size_t i = 0; i < N_OPTS; i++)
        fprintf(f, "  %-26s default %-8s %s\n", opt_table[i].key, opt_table[i].def,
                opt_table[i].help);
}

int jt_option_apply_json(jt_options *o, const char *key, const json_t *val, jt_err *err)
{
    const jt_opt_def *def = NULL;
    for (size_t i = 0; i < N_OPTS && !def; i++)
        if (!strcmp(opt_table[i].key, key)) def = &opt_table[i];
    if (!def) return 0;
    void *field = (char *)o + def->offset;
    switch (def->type) {
    case JT_OPT_LONG: {
        if (!json_is_integer(val)) return jt_err_set(err, "'%s' must be an integer", key);
        json_int_t v = json_integer_value(val);
        if (v < (json_int_t)def->min || v > (json_int_t)def->max)
            return jt_err_set(err, "'%s' must be between %.0f and %.0f, not %lld", key, def->min,
                              def->max, (long long)v);
        *(long *)field = (long)v;
        return 1;
    }
    case JT_OPT_DOUBLE: {
        if (!json_is_number(val)) return jt_err_set(err, "'%s' must be a number", key);
        double v = json_number_value(val);
        if (!isfinite(v) || v < def->min || v > def->max)
            return jt_err_set(err, "'%s' must be between %g and %g, not %g", key, def->min,
                              def->max, v);
        *(double *)field = v;
        return 1;
    }
    case JT_OPT_BOOL:
        if (!json_is_boolean(val)) return jt_err_set(err, "'%s' must be true or false", key);
        *(bool *)field = json_is_true(val);
        return 1;
    case JT_OPT_STR:
    case JT_OPT_ENUM:
    case JT_OPT_PROGRAM: {
        const char *s = json_string_value(val);
        if (!s || !*s) return jt_err_set(err, "'%s' must be a non-empty string", key);
        char *v = NULL;
        if (def->type == JT_OPT_ENUM) {
            size_t i = 0;
            while (def->choices[i] && strcmp(def->choices[i], s)) i++;
            if (!def->choices[i]) return jt_err_set(err, "'%s' cannot be '%s'", key, s);
            v = jt_xstrdup(s);
        } else if (def->type == JT_OPT_PROGRAM) {
            if (!(v = find_program(s))) return jt_err_set(err, "'%s': no executable '%s'", key, s);
        } else {
            v = jt_xstrdup(s);
        }
        free(*(char **)field);
        *(char **)field = v;
        return 1;
    }
    }
    return 0;
}
