/* results.csv and trials.csv: column tables (report.h).
 *
 * Each column is one row of a table: its name (units in the name), where the
 * value comes from (the journal record, run.json or one trial) and how it is
 * written. The order of these tables IS the documented file format: append
 * new columns at the end; renaming, removing or re-meaning one bumps
 * JT_CSV_SCHEMA. Every energy and time is per iteration unless the name
 * says otherwise (trials.csv's window columns, which keep the journal's
 * names, are per trial window). */
#include "jouletrace/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef enum src { S_REC, S_RUN, S_TRIAL } src;

typedef enum kind {
    K_SCHEMA,    /* JT_CSV_SCHEMA */
    K_STR,       /* a string (a number is written as one) */
    K_TEXT,      /* a string the candidate controls: written safe (jt_csv_mark_text) */
    K_NUM,       /* a number; null/NaN → empty */
    K_INT,       /* an integer */
    K_BOOL,      /* true | false */
    K_JOIN,      /* an array of strings joined with ';' */
    K_SAMPLES,   /* trials[].total_joules / iterations, ';'-joined, in trial order */
    K_REF,       /* run.json suite.references[<test_set>] */
    K_CAL_AGE,   /* calibration age at run start, days */
    K_PER_ITER,  /* a trial's value / its iterations */
    K_HOST,      /* the record's "host" (set by `jouletrace merge`), else run.json's */
} kind;

typedef struct column {
    const char *name;
    src from;
    const char *path; /* dotted path in the source object */
    kind how;
} column;

/* results.csv, csv_schema 1 (README "results.csv" documents each). */
static const column results_cols[] = {
    {"csv_schema", S_REC, NULL, K_SCHEMA},
    {"suite", S_RUN, "suite.name", K_STR},
    {"run_started", S_RUN, "started", K_STR},
    {"test_set", S_REC, "test_set", K_STR},
    {"test_set_reference", S_RUN, NULL, K_REF},
    {"candidate", S_REC, "id", K_STR},
    {"group", S_REC, "group", K_STR},
    {"status", S_REC, "status", K_STR},
    {"error", S_REC, "error", K_TEXT},
    {"is_correct", S_REC, "validation.is_correct", K_BOOL},
    {"passed_tests", S_REC, "validation.passed_tests", K_INT},
    {"total_tests", S_REC, "validation.total_tests", K_INT},
    {"median_total_energy_joules", S_REC, "energy_metrics.median_total_energy_joules", K_NUM},
    {"ci95_low_total_energy_joules", S_REC, "stats.total_energy.ci95_low", K_NUM},
    {"ci95_high_total_energy_joules", S_REC, "stats.total_energy.ci95_high", K_NUM},
    {"ci_method", S_REC, "stats.total_energy.ci_method", K_STR},
    {"ci_coverage", S_REC, "stats.total_energy.ci_coverage", K_NUM},
    {"ci_rel_half_width", S_REC, "stats.total_energy.rel_half_width", K_NUM},
    {"mean_total_energy_joules", S_REC, "stats.total_energy.mean", K_NUM},
    {"sd_total_energy_joules", S_REC, "stats.total_energy.sd", K_NUM},
    {"cv_total_energy", S_REC, "stats.total_energy.cv", K_NUM},
    {"robust_cv_total_energy", S_REC, "stats.total_energy.robust_cv", K_NUM},
    {"min_total_energy_joules", S_REC, "stats.total_energy.min", K_NUM},
    {"max_total_energy_joules", S_REC, "stats.total_energy.max", K_NUM},
    {"outliers_total_energy", S_REC, "stats.total_energy.outliers", K_INT},
    {"median_total_net_energy_joules", S_REC, "stats.total_net_energy.median", K_NUM},
    {"ci95_low_total_net_energy_joules", S_REC, "stats.total_net_energy.ci95_low", K_NUM},
    {"ci95_high_total_net_energy_joules", S_REC, "stats.total_net_energy.ci95_high", K_NUM},
    {"median_package_energy_joules", S_REC, "energy_metrics.median_package_energy_joules", K_NUM},
    {"median_package_raw_energy_joules", S_REC, "stats.package_raw_energy.median", K_NUM},
    {"median_ram_energy_joules", S_REC, "energy_metrics.median_ram_energy_joules", K_NUM},
    {"median_ram_net_energy_joules", S_REC, "stats.ram_net_energy.median", K_NUM},
    {"median_execution_time_seconds", S_REC, "energy_metrics.median_execution_time_seconds", K_NUM},
    {"ci95_low_execution_time_seconds", S_REC, "stats.time.ci95_low", K_NUM},
    {"ci95_high_execution_time_seconds", S_REC, "stats.time.ci95_high", K_NUM},
    {"energy_per_test_case_joules", S_REC, "energy_metrics.energy_per_test_case_joules", K_NUM},
    {"power_consumption_watts", S_REC, "energy_metrics.power_consumption_watts", K_NUM},
    {"floor_total_energy_joules", S_REC, "floor_total_energy_joules", K_NUM},
    {"median_total_energy_net_of_floor_joules", S_REC, "median_total_energy_net_of_floor_joules",
     K_NUM},
    {"n_trials", S_REC, "stats.n_trials", K_INT},
    {"iterations_per_trial", S_REC, "stats.iterations_per_trial", K_INT},
    {"stop_reason", S_REC, "stop_reason", K_STR},
    {"flags", S_REC, "flags", K_JOIN},
    {"retried_samples", S_REC, "stats.retried_samples", K_INT},
    {"energy_source", S_REC, "energy_source", K_STR},
    {"host", S_RUN, "host_start.hostname", K_HOST},
    {"cpu_model", S_RUN, "host_start.cpu_model", K_STR},
    {"calibration_created", S_RUN, "calibration.created", K_STR},
    {"calibration_age_days", S_RUN, NULL, K_CAL_AGE},
    {"seed", S_REC, "seed", K_INT},
    {"started", S_REC, "started", K_STR},
    {"finished", S_REC, "finished", K_STR},
    {"source_path", S_REC, "source_path", K_STR},
    {"trial_total_energy_joules", S_REC, NULL, K_SAMPLES},
    {"ranked", S_REC, "ranked", K_BOOL},
    {"cache_check_evidence", S_REC, "cache_check.evidence", K_STR},
    {"judged_in_process", S_REC, "judged_in_process", K_BOOL},
    /* the candidate's confinement: cgroup-v2, cgroup-v1 (maybe "; swap not limited") or "rlimits: WHY" */
    {"isolation", S_REC, "isolation", K_STR},
    /* the peak memory of its whole process tree, from its cgroup (bytes) */
    {"peak_memory_bytes", S_REC, "peak_memory_bytes", K_INT},
    /* the paired floor (docs/design.md "Floor") */
    {"floor_key", S_REC, "floor.floor_key", K_STR},
    {"floor_n_trials", S_REC, "floor.n_trials", K_INT},
    {"floor_ci95_low_total_energy_joules", S_REC, "floor.total_energy.ci95_low", K_NUM},
    {"floor_ci95_high_total_energy_joules", S_REC, "floor.total_energy.ci95_high", K_NUM},
    {"ci95_low_total_energy_net_of_floor_joules", S_REC, "stats.net_of_floor_energy.ci95_low",
     K_NUM},
    {"ci95_high_total_energy_net_of_floor_joules", S_REC, "stats.net_of_floor_energy.ci95_high",
     K_NUM},
    {"median_execution_time_net_of_floor_seconds", S_REC,
     "median_execution_time_net_of_floor_seconds", K_NUM},
    {"ci95_low_execution_time_net_of_floor_seconds", S_REC, "stats.net_of_floor_time.ci95_low",
     K_NUM},
    {"ci95_high_execution_time_net_of_floor_seconds", S_REC, "stats.net_of_floor_time.ci95_high",
     K_NUM},
    {"floor_error", S_REC, "floor.error", K_TEXT},
};

/* trials.csv, csv_schema 1: the journal's trial fields (per trial window)
 * plus per-iteration values derived from them. */
static const column trials_cols[] = {
    {"csv_schema", S_REC, NULL, K_SCHEMA},
    {"suite", S_RUN, "suite.name", K_STR},
    {"run_started", S_RUN, "started", K_STR},
    {"test_set", S_REC, "test_set", K_STR},
    {"candidate", S_REC, "id", K_STR},
    {"record_type", S_REC, "type", K_STR},
    {"status", S_REC, "status", K_STR},
    {"energy_source", S_REC, "energy_source", K_STR},
    {"host", S_RUN, "host_start.hostname", K_HOST},
    {"trial", S_TRIAL, "trial", K_INT},
    {"iterations", S_TRIAL, "iterations", K_INT},
    {"wall_seconds", S_TRIAL, "wall_seconds", K_NUM},
    {"child_seconds", S_TRIAL, "child_seconds", K_NUM},
    {"cpu_seconds", S_TRIAL, "cpu_seconds", K_NUM},
    {"package_raw_joules", S_TRIAL, "package_raw_joules", K_NUM},
    {"package_net_joules", S_TRIAL, "package_net_joules", K_NUM},
    {"ram_raw_joules", S_TRIAL, "ram_raw_joules", K_NUM},
    {"ram_net_joules", S_TRIAL, "ram_net_joules", K_NUM},
    {"total_joules", S_TRIAL, "total_joules", K_NUM},
    {"total_net_joules", S_TRIAL, "total_net_joules", K_NUM},
    {"total_energy_per_iteration_joules", S_TRIAL, "total_joules", K_PER_ITER},
    {"total_net_energy_per_iteration_joules", S_TRIAL, "total_net_joules", K_PER_ITER},
    {"time_per_iteration_seconds", S_TRIAL, "wall_seconds", K_PER_ITER},
    {"edge_aligned", S_TRIAL, "edge_aligned", K_BOOL},
    {"voluntary_context_switches", S_TRIAL, "voluntary_context_switches", K_INT},
    {"involuntary_context_switches", S_TRIAL, "involuntary_context_switches", K_INT},
    {"interrupts", S_TRIAL, "interrupts", K_INT},
    {"frequency_mhz", S_TRIAL, "frequency_mhz", K_NUM},
    {"temperature_celsius", S_TRIAL, "temperature_celsius", K_NUM},
    /* the paired floor: a floor trial's row names the candidate it is paired with */
    {"kind", S_TRIAL, "kind", K_STR},
    {"floor_key", S_REC, "floor.floor_key", K_STR},
    {"pair", S_TRIAL, "pair", K_INT},
    {"first_in_pair", S_TRIAL, "first_in_pair", K_BOOL},
};

#define NCOLS(t) (sizeof(t) / sizeof((t)[0]))

/* Object at a dotted path, or NULL. */
static const json_t *at(const json_t *o, const char *path)
{
    if (!o || !path) return NULL;
    char key[96];
    while (o && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof key) return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        o = json_object_get(o, key);
        path += n + (path[n] == '.');
    }
    return o;
}

static time_t parse_utc(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *end = s ? strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm) : NULL;
    return end && !*end ? timegm(&tm) : (time_t)-1;
}

double jt_report_calibration_age_days(const json_t *run)
{
    const json_t *created = at(run, "calibration.created_unix");
    time_t started = parse_utc(json_string_value(json_object_get(run, "started")));
    if (!json_is_number(created) || started == (time_t)-1) return NAN;
    return ((double)started - json_number_value(created)) / 86400.0;
}

static void set_samples(jt_csv_table *t, size_t row, size_t col, const json_t *rec)
{
    jt_buf b = JT_BUF_INIT;
    size_t i;
    const json_t *tr;
    json_array_foreach(json_object_get(rec, "trials"), i, tr) {
        double e = json_number_value(json_object_get(tr, "total_joules"));
        double n = json_number_value(json_object_get(tr, "iterations"));
        char num[32];
        jt_csv_format_num(n > 0 ? e / n : NAN, num);
        if (!num[0]) { /* a sample that cannot be used spoils the list: leave it empty */
            jt_buf_reset(&b);
            break;
        }
        if (i) jt_buf_addc(&b, ';');
        jt_buf_adds(&b, num);
    }
    jt_csv_set(t, row, col, jt_buf_str(&b));
    jt_buf_release(&b);
}

static void set_cell(jt_csv_table *t, size_t row, size_t col, const column *c, const json_t *run,
                     const json_t *rec, const json_t *trial)
{
    const json_t *base = c->from == S_RUN ? run : c->from == S_TRIAL ? trial : rec;
    const json_t *v = at(base, c->path);
    switch (c->how) {
    case K_SCHEMA: jt_csv_set_int(t, row, col, JT_CSV_SCHEMA); break;
    case K_STR:
    case K_TEXT:
        if (json_is_string(v)) jt_csv_set(t, row, col, json_string_value(v));
        else if (json_is_integer(v)) jt_csv_set_int(t, row, col, json_integer_value(v));
        else if (json_is_number(v)) jt_csv_set_num(t, row, col, json_number_value(v));
        break;
    case K_NUM:
        if (json_is_number(v)) jt_csv_set_num(t, row, col, json_number_value(v));
        break;
    case K_INT:
        if (json_is_integer(v)) jt_csv_set_int(t, row, col, json_integer_value(v));
        else if (json_is_number(v)) jt_csv_set_num(t, row, col, json_number_value(v));
        break;
    case K_BOOL:
        if (json_is_boolean(v)) jt_csv_set(t, row, col, json_is_true(v) ? "true" : "false");
        break;
    case K_JOIN: {
        jt_buf b = JT_BUF_INIT;
        size_t i;
        const json_t *s;
        json_array_foreach(v, i, s) {
            if (!json_is_string(s)) continue;
            if (b.len) jt_buf_addc(&b, ';');
            jt_buf_adds(&b, json_string_value(s));
        }
        jt_csv_set(t, row, col, jt_buf_str(&b));
        jt_buf_release(&b);
        break;
    }
    case K_SAMPLES: set_samples(t, row, col, rec); break;
    case K_REF: {
        const char *ts = json_string_value(json_object_get(rec, "test_set"));
        /* run.json keeps them with the suite (docs/design.md "Run directory") */
        const json_t *refs = json_object_get(json_object_get(run, "suite"), "references");
        jt_csv_set(t, row, col, ts ? json_string_value(json_object_get(refs, ts)) : NULL);
        break;
    }
    case K_HOST: {
        const char *h = json_string_value(json_object_get(rec, "host"));
        jt_csv_set(t, row, col, h ? h : json_string_value(v));
        break;
    }
    case K_CAL_AGE: jt_csv_set_num(t, row, col, jt_report_calibration_age_days(run)); break;
    case K_PER_ITER: {
        double n = json_number_value(json_object_get(trial, "iterations"));
        if (json_is_number(v) && n > 0) jt_csv_set_num(t, row, col, json_number_value(v) / n);
        break;
    }
    }
}

static void init_table(jt_csv_table *t, const column *cols, size_t n)
{
    const char **names = jt_xcalloc(n, sizeof *names);
    for (size_t i = 0; i < n; i++) names[i] = cols[i].name;
    jt_csv_init(t, names, n);
    for (size_t i = 0; i < n; i++)
        if (cols[i].how == K_TEXT) jt_csv_mark_text(t, i);
    free(names);
}

char *jt_report_key(const char *test_set, const char *id)
{
    return jt_xasprintf("%s\x1f%s", test_set ? test_set : "", id ? id : "");
}

char *jt_report_record_key(const json_t *rec)
{
    return jt_report_key(json_string_value(json_object_get(rec, "test_set")),
                         json_string_value(json_object_get(rec, "id")));
}

bool jt_report_is_floor(const json_t *rec)
{
    const char *type = json_string_value(json_object_get(rec, "type"));
    return type && !strcmp(type, "floor");
}

void jt_report_results_init(jt_csv_table *t)
{
    init_table(t, results_cols, NCOLS(results_cols));
}

void jt_report_trials_init(jt_csv_table *t)
{
    init_table(t, trials_cols, NCOLS(trials_cols));
}

void jt_report_results_row(const json_t *run, const json_t *rec, jt_csv_table *t)
{
    size_t row = jt_csv_add_row(t);
    for (size_t c = 0; c < NCOLS(results_cols); c++)
        set_cell(t, row, c, &results_cols[c], run, rec, NULL);
}

void jt_report_trials_rows(const json_t *run, const json_t *rec, jt_csv_table *t)
{
    /* the candidate's trials, then its paired floor's (kind floor) */
    const json_t *lists[2] = {json_object_get(rec, "trials"),
                              json_object_get(json_object_get(rec, "floor"), "trials")};
    size_t k;
    const json_t *trial;
    for (size_t l = 0; l < 2; l++)
        json_array_foreach(lists[l], k, trial) {
            size_t row = jt_csv_add_row(t);
            for (size_t c = 0; c < NCOLS(trials_cols); c++)
                set_cell(t, row, c, &trials_cols[c], run, rec, trial);
        }
}

void jt_report_results_table(const json_t *run, const json_t *records, jt_csv_table *out)
{
    jt_report_results_init(out);
    /* (test set, id) → index of its last record: a re-measured candidate
     * keeps only its newest measurement, at that record's place. */
    json_t *last = json_object();
    size_t i;
    const json_t *rec;
    json_array_foreach(records, i, rec) {
        if (jt_report_is_floor(rec)) continue;
        char *key = jt_report_record_key(rec);
        json_object_set_new(last, key, json_integer((json_int_t)i));
        free(key);
    }
    json_array_foreach(records, i, rec) {
        if (jt_report_is_floor(rec)) continue;
        char *key = jt_report_record_key(rec);
        bool keep = json_integer_value(json_object_get(last, key)) == (json_int_t)i;
        free(key);
        if (keep) jt_report_results_row(run, rec, out);
    }
    json_decref(last);
}

void jt_report_trials_table(const json_t *run, const json_t *records, jt_csv_table *out)
{
    jt_report_trials_init(out);
    size_t i;
    const json_t *rec;
    json_array_foreach(records, i, rec) jt_report_trials_rows(run, rec, out);
}
