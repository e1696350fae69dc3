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

typedef enum { OPT_STR, OPT_ENUM, OPT_LONG, OPT_DOUBLE, OPT_BOOL, OPT_PROGRAM } opt_type;

typedef struct opt_def {
    const char *key;
    opt_type type;
    size_t offset;
    double min, max;             /* numbers: inclusive range */
    const char *const *choices;  /* OPT_ENUM */
    const char *def;             /* default, as text (help) */
    const char *help;
} opt_def;

static const char *const languages[] = {"python", "command", NULL};

#define OFF(f) offsetof(jt_options, f)
static const opt_def opt_table[] = {
    {"language", OPT_ENUM, OFF(language), 0, 0, languages, "python",
     "python: a function checked against test cases; command: any program, stdin -> stdout"},
    {"python", OPT_PROGRAM, OFF(python), 0, 0, NULL, "python3",
     "Python interpreter; a bare name is looked up in /usr/local/bin:/usr/bin:/bin"},
    {"energy_measurement_trials", OPT_LONG, OFF(energy_measurement_trials), 1, 10000, NULL, "20",
     "maximum number of trials"},
    {"min_trials", OPT_LONG, OFF(min_trials), 1, 10000, NULL, "5",
     "trials always run before the stop rule may stop"},
    {"min_trial_seconds", OPT_DOUBLE, OFF(min_trial_seconds), 0.001, 3600, NULL, "0.2",
     "each trial repeats the test set until it lasts at least this long"},
    {"precision_target", OPT_DOUBLE, OFF(precision_target), 0, 1, NULL, "0.02",
     "stop once the 95% CI of the median is within +-this fraction (0 = off)"},
    {"cv_target", OPT_DOUBLE, OFF(cv_target), 0, 10, NULL, "0.05",
     "or stop once the CV of per-iteration energy is below this (0 = off)"},
    {"timeout_seconds", OPT_DOUBLE, OFF(timeout_seconds), 0.01, 86400, NULL, "20",
     "limit for loading, for validation and for each trial"},
    {"memory_limit_mb", OPT_LONG, OFF(memory_limit_mb), 16, 1048576, NULL, "1024",
     "address-space limit of the candidate's process"},
    {"float_tolerance", OPT_DOUBLE, OFF(float_tolerance), 0, 1, NULL, "1e-9",
     "relative tolerance where a float is compared"},
    {"fresh_process_per_trial", OPT_BOOL, OFF(fresh_process_per_trial), 0, 0, NULL, "false",
     "start a new process for every trial"},
    {"reload_per_iteration", OPT_BOOL, OFF(reload_per_iteration), 0, 0, NULL, "false",
     "re-exec the candidate every iteration (defeats caches; the reload is measured)"},
};
#undef OFF
#define N_OPTS (sizeof opt_table / sizeof opt_table[0])

const char *const *jt_option_keys(void)
{
    static const char *keys[N_OPTS + 1];
    if (!keys[0])
        for (size_t i = 0; i < N_OPTS; i++) keys[i] = opt_table[i].key;
    return keys;
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

void jt_options_init(jt_options *o)
{
    memset(o, 0, sizeof *o);
    o->language = jt_xstrdup("python");
    o->python = find_program("python3");
    if (!o->python) o->python = jt_xstrdup("python3");
    o->energy_measurement_trials = 20;
    o->min_trials = 5;
    o->min_trial_seconds = 0.2;
    o->precision_target = 0.02;
    o->cv_target = 0.05;
    o->timeout_seconds = 20;
    o->memory_limit_mb = 1024;
    o->float_tolerance = 1e-9;
    o->fresh_process_per_trial = false;
}

void jt_options_copy(jt_options *dst, const jt_options *src)
{
    *dst = *src;
    for (size_t i = 0; i < N_OPTS; i++) {
        if (opt_table[i].type != OPT_STR && opt_table[i].type != OPT_ENUM &&
            opt_table[i].type != OPT_PROGRAM)
            continue;
        char **d = (char **)((char *)dst + opt_table[i].offset);
        if (*d) *d = jt_xstrdup(*d);
    }
}

void jt_options_release(jt_options *o)
{
    for (size_t i = 0; i < N_OPTS; i++) {
        if (opt_table[i].type != OPT_STR && opt_table[i].type != OPT_ENUM &&
            opt_table[i].type != OPT_PROGRAM)
            continue;
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
    const opt_def *def = NULL;
    for (size_t i = 0; i < N_OPTS && !def; i++)
        if (!strcmp(opt_table[i].key, k)) def = &opt_table[i];
    if (!def) return 0;
    void *field = (char *)o + def->offset;
    jt_scalar_kind kind = val->type == YAML_SCALAR_NODE ? jt_yaml_scalar_kind(val) : JT_SCALAR_NULL;
    if (val->type != YAML_SCALAR_NODE) kind = (jt_scalar_kind)-1;
    const char *s = val->type == YAML_SCALAR_NODE ? jt_yaml_text(val) : "";

    switch (def->type) {
    case OPT_LONG: {
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
    case OPT_DOUBLE: {
        if (kind != JT_SCALAR_INT && kind != JT_SCALAR_FLOAT) return want(d, val, k, "a number", err);
        double v = strtod(s, NULL);
        if (!isfinite(v) || v < def->min || v > def->max)
            return jt_yerr(err, d, val, "'%s' must be between %g and %g, not %s", k, def->min,
                           def->max, s);
        *(double *)field = v;
        return 1;
    }
    case OPT_BOOL:
        if (kind != JT_SCALAR_BOOL) return want(d, val, k, "true or false", err);
        *(bool *)field = s[0] == 't' || s[0] == 'T';
        return 1;
    case OPT_STR:
    case OPT_ENUM:
    case OPT_PROGRAM: {
        if (kind != JT_SCALAR_STR || !*s) return want(d, val, k, "a non-empty string", err);
        char *v = NULL;
        if (def->type == OPT_ENUM) {
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
        } else if (def->type == OPT_PROGRAM) {
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

int jt_options_check(const jt_options *o, jt_ydoc *d, const yaml_node_t *where, jt_err *err)
{
    jt_err why = JT_ERR_INIT;
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
    const opt_def *def = NULL;
    for (size_t i = 0; i < N_OPTS && !def; i++)
        if (!strcmp(opt_table[i].key, key)) def = &opt_table[i];
    if (!def) return 0;
    void *field = (char *)o + def->offset;
    switch (def->type) {
    case OPT_LONG: {
        if (!json_is_integer(val)) return jt_err_set(err, "'%s' must be an integer", key);
        json_int_t v = json_integer_value(val);
        if (v < (json_int_t)def->min || v > (json_int_t)def->max)
            return jt_err_set(err, "'%s' must be between %.0f and %.0f, not %lld", key, def->min,
                              def->max, (long long)v);
        *(long *)field = (long)v;
        return 1;
    }
    case OPT_DOUBLE: {
        if (!json_is_number(val)) return jt_err_set(err, "'%s' must be a number", key);
        double v = json_number_value(val);
        if (!isfinite(v) || v < def->min || v > def->max)
            return jt_err_set(err, "'%s' must be between %g and %g, not %g", key, def->min,
                              def->max, v);
        *(double *)field = v;
        return 1;
    }
    case OPT_BOOL:
        if (!json_is_boolean(val)) return jt_err_set(err, "'%s' must be true or false", key);
        *(bool *)field = json_is_true(val);
        return 1;
    case OPT_STR:
    case OPT_ENUM:
    case OPT_PROGRAM: {
        const char *s = json_string_value(val);
        if (!s || !*s) return jt_err_set(err, "'%s' must be a non-empty string", key);
        char *v = NULL;
        if (def->type == OPT_ENUM) {
            size_t i = 0;
            while (def->choices[i] && strcmp(def->choices[i], s)) i++;
            if (!def->choices[i]) return jt_err_set(err, "'%s' cannot be '%s'", key, s);
            v = jt_xstrdup(s);
        } else if (def->type == OPT_PROGRAM) {
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
