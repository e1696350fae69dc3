/* jouletrace status — is this host ready to measure? This part reports the
 * energy backends: each one's usability (or why not, with the fix), the
 * domains and units it found, and which one `--backend` would use. Exit 0
 * when the chosen backend is usable (auto falling back to the model is ready
 * but warned about loudly), 4 (JT_EXIT_NOT_READY) when it is not. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "jouletrace/common.h"
#include "jouletrace/energy.h"

static const char usage_text[] =
    "usage: jouletrace status [--json] [--backend B]\n"
    "\n"
    "Reports whether this host can measure energy: every energy backend (perf,\n"
    "powercap, msr, model), whether it is usable here or why not and how to fix\n"
    "it, the domains (package, dram) and units it found, and which backend\n"
    "--backend B would use.\n"
    "\n"
    "  --backend B   auto (default: perf, powercap, msr, then the model with a\n"
    "                warning), hardware (the same without the model), perf,\n"
    "                powercap, msr or model\n"
    "  --json        one JSON object on stdout instead of text\n"
    "  -h, --help    this help\n"
    "\n"
    "Environment: JOULETRACE_POWERCAP_ROOT, JOULETRACE_PERF_ROOT,\n"
    "JOULETRACE_MSR_ROOT (fake sysfs/msr trees), JOULETRACE_CPU_VENDOR,\n"
    "JOULETRACE_CPU_FAMILY, JOULETRACE_CPU_MODEL (msr register choice).\n"
    "\n"
    "Exit status: 0 ready (also when auto falls back to the model: its numbers\n"
    "are estimates, labelled energy_source=model), 4 the chosen backend is not\n"
    "usable, 2 usage error.\n";

static const jt_energy_kind concrete[] = {JT_ENERGY_PERF, JT_ENERGY_POWERCAP, JT_ENERGY_MSR,
                                          JT_ENERGY_MODEL};
#define N_CONCRETE (sizeof concrete / sizeof concrete[0])

typedef struct probe_result {
    jt_energy_kind kind;
    jt_energy_meter *m; /* NULL when not usable */
    jt_err why;
} probe_result;

static const char model_warning[] =
    "no energy counters are usable on this host, so `auto` uses the model backend: its numbers "
    "are ESTIMATES (energy_source=model), not measurements. Fix one of the reasons above, or use "
    "--backend hardware to refuse the model.";

/* Index into res of the backend `want` resolves to, or -1. */
static int choose(jt_energy_kind want, const probe_result *res)
{
    for (size_t i = 0; i < N_CONCRETE; i++) {
        bool model = res[i].kind == JT_ENERGY_MODEL;
        if (want == JT_ENERGY_AUTO || (want == JT_ENERGY_HARDWARE && !model)) {
            if (res[i].m) return (int)i;
        } else if (want == res[i].kind) {
            return res[i].m ? (int)i : -1;
        }
    }
    return -1;
}

static json_t *backend_json(const probe_result *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(jt_energy_kind_name(r->kind)));
    json_object_set_new(o, "usable", json_boolean(r->m != NULL));
    if (!r->m) {
        json_object_set_new(o, "reason", json_string(jt_err_msg(&r->why)));
        return o;
    }
    json_object_set_new(o, "estimate", json_boolean(jt_energy_is_estimate(r->m)));
    json_t *doms = json_array();
    for (int d = 0; d < JT_ENERGY_NDOMAINS; d++) {
        const jt_energy_domain_info *info = jt_energy_domain(r->m, d);
        if (!info) continue;
        json_t *jd = json_object();
        json_object_set_new(jd, "name", json_string(info->name));
        json_object_set_new(jd, "unit_joules", json_real(info->unit_joules));
        json_object_set_new(jd, "units", json_string(info->units));
        json_object_set_new(jd, "source", json_string(info->where));
        json_object_set_new(jd, "wrap_joules", info->wrap_joules > 0 ? json_real(info->wrap_joules)
                                                                     : json_null());
        json_array_append_new(doms, jd);
    }
    json_object_set_new(o, "domains", doms);
    double gi = jt_energy_guard_interval(r->m);
    json_object_set_new(o, "guard_interval_seconds", gi > 0 ? json_real(gi) : json_null());
    int f = jt_energy_filtering(r->m);
    json_object_set_new(o, "energy_filtering", f < 0 ? json_null() : json_boolean(f));
    json_t *notes = json_array();
    const char *n = jt_energy_notes(r->m);
    while (*n) {
        size_t len = strcspn(n, "\n");
        json_array_append_new(notes, json_stringn(n, len));
        n += len + (n[len] == '\n');
    }
    json_object_set_new(o, "notes", notes);
    return o;
}

static void print_json(jt_energy_kind want, const probe_result *res, int chosen)
{
    json_t *o = json_object();
    const probe_result *c = chosen >= 0 ? &res[chosen] : NULL;
    bool fallback = c && want == JT_ENERGY_AUTO && c->kind == JT_ENERGY_MODEL;
    json_object_set_new(o, "requested_backend", json_string(jt_energy_kind_name(want)));
    json_object_set_new(o, "selected_backend",
                        c ? json_string(jt_energy_kind_name(c->kind)) : json_null());
    json_object_set_new(o, "ready", json_boolean(c != NULL));
    json_object_set_new(o, "estimate", json_boolean(c && jt_energy_is_estimate(c->m)));
    json_object_set_new(o, "warning", fallback ? json_string(model_warning) : json_null());
    json_t *arr = json_array();
    for (size_t i = 0; i < N_CONCRETE; i++) json_array_append_new(arr, backend_json(&res[i]));
    json_object_set_new(o, "backends", arr);
    char *s = json_dumps(o, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    if (s) printf("%s\n", s);
    free(s);
    json_decref(o);
}

static void print_text(jt_energy_kind want, const probe_result *res, int chosen)
{
    printf("energy backends (package 0, in `auto` order):\n");
    for (size_t i = 0; i < N_CONCRETE; i++) {
        const probe_result *r = &res[i];
        const char *name = jt_energy_kind_name(r->kind);
        if (!r->m) {
            printf("  %-9s not usable: %s\n", name, jt_err_msg(&r->why));
            continue;
        }
        printf("  %-9s usable%s\n", name,
               jt_energy_is_estimate(r->m) ? " (ESTIMATE, not a measurement)" : "");
        for (int d = 0; d < JT_ENERGY_NDOMAINS; d++) {
            const jt_energy_domain_info *info = jt_energy_domain(r->m, d);
            if (!info) continue;
            printf("            %-8s %s\n", info->name, info->units);
            printf("            %-8s from %s\n", "", info->where);
        }
        double gi = jt_energy_guard_interval(r->m);
        if (gi > 0) printf("            wrap guard: a read every %.3g s\n", gi);
        const char *n = jt_energy_notes(r->m);
        while (*n) {
            size_t len = strcspn(n, "\n");
            printf("            note: %.*s\n", (int)len, n);
            n += len + (n[len] == '\n');
        }
    }
    const char *wname = jt_energy_kind_name(want);
    if (chosen < 0) {
        printf("backend: %s -> none usable: NOT READY\n", wname);
        return;
    }
    const probe_result *c = &res[chosen];
    printf("backend: %s -> %s\n", wname, jt_energy_kind_name(c->kind));
    if (want == JT_ENERGY_AUTO && c->kind == JT_ENERGY_MODEL) printf("WARNING: %s\n", model_warning);
    if (jt_energy_filtering(c->m) == 1)
        printf("WARNING: energy filtering is on: RAPL readings are deliberately noised\n");
}

int jt_cmd_status(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"backend", required_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool json = false;
    jt_energy_kind want = JT_ENERGY_AUTO;
    jt_err err = JT_ERR_INIT;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+hjb:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(usage_text, stdout);
            return JT_EXIT_OK;
        case 'j':
            json = true;
            break;
        case 'b':
            if (jt_energy_kind_parse(optarg, &want, &err)) {
                fprintf(stderr, "jouletrace status: %s\n", jt_err_msg(&err));
                jt_err_clear(&err);
                return JT_EXIT_USAGE;
            }
            break;
        default:
            fprintf(stderr, "jouletrace status: unknown or incomplete option '%s'\n%s",
                    argv[optind - 1], usage_text);
            return JT_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "jouletrace status: unexpected argument '%s'\n%s", argv[optind],
                usage_text);
        return JT_EXIT_USAGE;
    }
    jt_energy_opts opts;
    jt_energy_opts_init(&opts);
    probe_result res[N_CONCRETE];
    for (size_t i = 0; i < N_CONCRETE; i++) {
        res[i] = (probe_result){.kind = concrete[i], .m = NULL, .why = JT_ERR_INIT};
        jt_energy_open(concrete[i], &opts, &res[i].m, &res[i].why);
    }
    int chosen = choose(want, res);
    /* JSON goes to scripts; the model warning still reaches a human. */
    if (json && chosen >= 0 && want == JT_ENERGY_AUTO && res[chosen].kind == JT_ENERGY_MODEL)
        fprintf(stderr, "jouletrace status: WARNING: %s\n", model_warning);
    if (json) print_json(want, res, chosen);
    else print_text(want, res, chosen);
    for (size_t i = 0; i < N_CONCRETE; i++) {
        jt_energy_close(res[i].m);
        jt_err_clear(&res[i].why);
    }
    return chosen >= 0 ? JT_EXIT_OK : JT_EXIT_NOT_READY;
}
