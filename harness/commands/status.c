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
#include <time.h>

#include "commands/commands.h"
#include "jouletrace/common.h"
#include "commands/session.h"
#include "jouletrace/calibration.h"
#include "jouletrace/energy.h"
#include "jouletrace/host.h"
#include "jouletrace/lock.h"
#include "jouletrace/sandbox.h"
#include "jouletrace/topology.h"

static const char usage_text[] =
    "usage: jouletrace status [--json] [--backend B] [--state-dir DIR | --calibration F]\n"
    "                         [--measurement-core N] [--lock-file FILE] [--max-age-days D]\n"
    "                         [--max-power-watts W]\n"
    "\n"
    "Reports whether this host is ready to measure: every energy backend (perf,\n"
    "powercap, msr, model), whether it is usable here or why not and how to fix\n"
    "it, the domains (package, dram) and units it found, which backend\n"
    "--backend B would use; the measurement and housekeeping CPUs and what about\n"
    "them adds noise (SMT sibling, isolcpus, governor, turbo, ASLR, irqbalance);\n"
    "the calibration (age, and whether it matches this host, backend and core);\n"
    "and the socket-0 lock (free, or who holds it: a run in progress).\n"
    "Also the sandbox candidates would get: full, or what is missing, why and\n"
    "the fix (a weakened sandbox is warned about, not a reason for NOT READY).\n"
    "\n"
    "  --backend B           auto (default: perf, powercap, msr, then the model\n"
    "                        with a warning), hardware (the same without the\n"
    "                        model), perf, powercap, msr or model\n"
    "  --state-dir DIR       state directory: the calibration is\n"
    "                        DIR/socket0_calibration.json (default\n"
    "                        $JOULETRACE_STATE_DIR, else /var/lib/jouletrace for\n"
    "                        root, else $XDG_STATE_HOME/jouletrace or\n"
    "                        ~/.local/state/jouletrace)\n"
    "  --calibration FILE    this calibration file instead ($JOULETRACE_CALIBRATION)\n"
    "  --measurement-core N  the core runs would measure on\n"
    "  --lock-file FILE      socket-0 lock to inspect (default $JOULETRACE_LOCK_FILE,\n"
    "                        else /run/lock/jouletrace-socket0.lock)\n"
    "  --max-age-days D      oldest calibration accepted (default 7)\n"
    "  --max-power-watts W   the most any domain can draw (default: the hardware's\n"
    "                        stated limit, else 1000 W): bounds jumps, wrap periods\n"
    "                        and calibrations; shown per domain with its source\n"
    "  --json                one JSON object on stdout instead of text\n"
    "  -h, --help            this help\n"
    "\n"
    "Environment: JOULETRACE_POWERCAP_ROOT, JOULETRACE_PERF_ROOT,\n"
    "JOULETRACE_MSR_ROOT (fake sysfs/msr trees), JOULETRACE_CPU_VENDOR,\n"
    "JOULETRACE_CPU_FAMILY, JOULETRACE_CPU_MODEL (msr register choice).\n"
    "\n"
    "Exit status: 0 ready: `run` would start (also when auto falls back to the\n"
    "model: its numbers are estimates, labelled energy_source=model); 4 not\n"
    "ready: the chosen backend is not usable, the calibration is missing, stale\n"
    "or taken elsewhere, or the lock is held; 2 usage error.\n";

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
        json_object_set_new(jd, "power_bound_watts", json_real(jt_energy_power_ceiling(r->m, d)));
        json_object_set_new(jd, "power_bound_from",
                            json_string(jt_energy_power_ceiling_from(r->m, d)));
        json_array_append_new(doms, jd);
    }
    json_object_set_new(o, "domains", doms);
    double gi = jt_energy_guard_interval(r->m);
    json_object_set_new(o, "guard_interval_seconds", gi > 0 ? json_real(gi) : json_null());
    char *sw = jt_session_short_wrap(r->m);
    json_object_set_new(o, "short_wrap_warning", sw ? json_string(sw) : json_null());
    free(sw);
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

static void print_json(jt_energy_kind want, const probe_result *res, int chosen, json_t *rd,
                       bool ready)
{
    json_t *o = json_object();
    const probe_result *c = chosen >= 0 ? &res[chosen] : NULL;
    bool fallback = c && want == JT_ENERGY_AUTO && c->kind == JT_ENERGY_MODEL;
    json_object_set_new(o, "requested_backend", json_string(jt_energy_kind_name(want)));
    json_object_set_new(o, "selected_backend",
                        c ? json_string(jt_energy_kind_name(c->kind)) : json_null());
    json_object_set_new(o, "ready", json_boolean(ready));
    json_object_set_new(o, "backend_ready", json_boolean(c != NULL));
    json_object_update(o, rd);
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
            printf("            %-8s at most %.4g W: %s\n", "", jt_energy_power_ceiling(r->m, d),
                   jt_energy_power_ceiling_from(r->m, d));
        }
        double gi = jt_energy_guard_interval(r->m);
        if (gi > 0) printf("            wrap guard: a read every %.3g s\n", gi);
        char *sw = jt_session_short_wrap(r->m);
        if (sw) printf("            warning: %s\n", sw);
        free(sw);
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
    if (want == JT_ENERGY_AUTO && c->kind == JT_ENERGY_MODEL) printf("warning: %s\n", model_warning);
    if (jt_energy_filtering(c->m) == 1)
        printf("warning: energy filtering is on: RAPL readings are deliberately noised\n");
}

/* Host, calibration and lock: everything `run` checks besides the backend.
 * Returns a JSON object; sets *ready = false when `run` would refuse. */
static json_t *readiness(const probe_result *c, const char *calib_path, int core,
                         const char *lock_path, double max_age, bool *ready)
{
    json_t *o = json_object();
    jt_topology topo;
    jt_err err = JT_ERR_INIT;
    json_t *host = NULL;
    bool have_topo = jt_topology_read(&topo, core, &err) == 0;
    if (have_topo) {
        json_t *warn = json_array();
        for (size_t i = 0; i < topo.n_warnings; i++) json_array_append_new(warn, json_string(topo.warnings[i]));
        host = jt_host_fingerprint(&topo);
        json_t *adv = jt_host_advice(host);
        json_array_extend(warn, adv);
        json_decref(adv);
        json_object_set_new(o, "topology",
                            json_pack("{s:i,s:i,s:i,s:i,s:i,s:b,s:b}", "packages", topo.n_packages,
                                      "package0_cpus", topo.n_pkg0, "measurement_cpu",
                                      topo.measure_cpu, "housekeeping_cpu", topo.housekeeping_cpu,
                                      "smt_sibling", topo.measure_sibling, "isolated",
                                      topo.measure_isolated, "nohz_full", topo.measure_nohz_full));
        json_object_set_new(o, "host", json_incref(host));
        json_object_set_new(o, "warnings", warn);
    } else {
        json_object_set_new(o, "topology", json_pack("{s:s}", "error", jt_err_msg(&err)));
        *ready = false;
    }
    jt_calibration cal;
    json_t *cj;
    if (jt_calibration_load(calib_path, &cal, &err) != 0) {
        cj = json_pack("{s:s,s:b,s:s}", "path", calib_path, "usable", 0, "reason", jt_err_msg(&err));
        *ready = false;
    } else {
        double age = difftime(time(NULL), cal.created) / 86400.0;
        int ok = c && host && jt_calibration_fits(&cal, calib_path, c->m, &err) == 0 &&
                 jt_calibration_check(&cal, jt_energy_source_name(c->m), topo.measure_cpu, host,
                                      max_age, time(NULL), &err) == 0;
        cj = json_pack("{s:s,s:b,s:s?,s:f,s:s,s:i,s:f,s:o}", "path", calib_path, "usable", ok,
                       "reason", ok ? NULL : (c ? jt_err_msg(&err) : "no usable backend"),
                       "age_days", age, "backend", cal.backend, "measurement_cpu",
                       cal.measurement_cpu, "package_idle_watts", cal.package.median_w,
                       "dram_idle_watts", cal.dram.present ? json_real(cal.dram.median_w) : json_null());
        if (!ok) *ready = false;
        jt_calibration_release(&cal);
    }
    json_object_set_new(o, "calibration", cj);
    /* The probe `run` meets too: status and run's error say the same. */
    static const char *const lock_states[] = {[JT_LOCK_FREE] = "free", [JT_LOCK_HELD] = "held",
                                              [JT_LOCK_UNUSABLE] = "unusable"};
    jt_lock_state ls;
    jt_lock_probe(lock_path, &ls);
    char *what = jt_lock_describe(&ls);
    bool held = ls.status == JT_LOCK_HELD;
    json_object_set_new(o, "lock", json_pack("{s:s,s:s,s:s,s:b,s:s?,s:o,s:s?}", "path", lock_path,
                                             "state", lock_states[ls.status], "description", what,
                                             "held", held, "holder", held ? what : NULL,
                                             "holder_pid", ls.pid ? json_integer(ls.pid) : json_null(),
                                             "error", ls.reason));
    if (ls.status != JT_LOCK_FREE) *ready = false;
    free(what);
    jt_lock_state_release(&ls);
    json_decref(host);
    if (have_topo) jt_topology_release(&topo);
    jt_err_clear(&err);
    return o;
}

static void print_readiness(const json_t *r)
{
    const json_t *t = json_object_get(r, "topology");
    if (json_object_get(t, "error")) {
        printf("host: %s\n", json_string_value(json_object_get(t, "error")));
    } else {
        printf("host: measurement core %lld, housekeeping CPU %lld (package 0 has %lld CPUs)\n",
               json_integer_value(json_object_get(t, "measurement_cpu")),
               json_integer_value(json_object_get(t, "housekeeping_cpu")),
               json_integer_value(json_object_get(t, "package0_cpus")));
        const json_t *h = json_object_get(r, "host");
        printf("      %s; governor %s, turbo %s, SMT %s, ASLR %s, irqbalance %s\n",
               json_string_value(json_object_get(h, "cpu_model")),
               json_string_value(json_object_get(h, "governor")),
               json_string_value(json_object_get(h, "turbo")),
               json_string_value(json_object_get(h, "smt")),
               json_string_value(json_object_get(h, "aslr")),
               json_string_value(json_object_get(h, "irqbalance")));
        size_t i;
        json_t *w;
        json_array_foreach(json_object_get(r, "warnings"), i, w)
            printf("      warning: %s\n", json_string_value(w));
    }
    const json_t *c = json_object_get(r, "calibration");
    printf("calibration file: %s (location from: %s)\n",
           json_string_value(json_object_get(c, "path")),
           json_string_value(json_object_get(c, "location_from")));
    if (json_is_true(json_object_get(c, "usable")))
        printf("calibration: %s, %.1f days old, %s, package idle %.3f W: usable\n",
               json_string_value(json_object_get(c, "path")),
               json_real_value(json_object_get(c, "age_days")),
               json_string_value(json_object_get(c, "backend")),
               json_real_value(json_object_get(c, "package_idle_watts")));
    else
        printf("calibration: NOT USABLE: %s\n", json_string_value(json_object_get(c, "reason")));
    const json_t *l = json_object_get(r, "lock");
    printf("lock: %s: %s%s\n", json_string_value(json_object_get(l, "path")),
           json_string_value(json_object_get(l, "description")),
           json_is_true(json_object_get(l, "held")) ? " (a run or calibration is in progress)" : "");
}

int jt_cmd_status(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"backend", required_argument, NULL, 'b'},
        {"calibration", required_argument, NULL, 'c'},
        {"state-dir", required_argument, NULL, 'D'},
        {"measurement-core", required_argument, NULL, 'm'},
        {"lock-file", required_argument, NULL, 'l'},
        {"max-age-days", required_argument, NULL, 'A'},
        {"max-power-watts", required_argument, NULL, 'P'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool json = false;
    jt_energy_kind want = JT_ENERGY_AUTO;
    jt_err err = JT_ERR_INIT;
    const char *calib_arg = NULL, *state_arg = NULL, *calib_source = NULL, *lock_arg = NULL;
    int core = -1;
    double max_age = 7, max_power = 0;
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
        case 'c': calib_arg = optarg; break;
        case 'D': state_arg = optarg; break;
        case 'l': lock_arg = optarg; break;
        case 'm':
        case 'A':
        case 'P':
            if ((c == 'm' && jt_session_parse_core(optarg, &core, &err)) ||
                (c == 'A' && jt_parse_double(optarg, 0, 3650, &max_age, "--max-age-days", &err)) ||
                (c == 'P' &&
                 jt_parse_double(optarg, 1, 100000, &max_power, "--max-power-watts", &err))) {
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
    char *calib_path = jt_calibration_path(calib_arg, state_arg, &calib_source, &err);
    if (!calib_path) {
        fprintf(stderr, "jouletrace status: %s\n", jt_err_msg(&err));
        jt_err_clear(&err);
        return JT_EXIT_NOT_READY;
    }
    jt_energy_opts opts;
    jt_energy_opts_init(&opts);
    opts.max_power_w = max_power;
    jt_topology *topo = jt_xcalloc(1, sizeof *topo); /* package 0's CPUs for the backends */
    jt_err terr = JT_ERR_INIT;
    if (jt_topology_read(topo, -1, &terr) == 0) {
        opts.pkg0_cpus = topo->pkg0_cpus;
        opts.n_pkg0 = topo->n_pkg0;
    }
    jt_err_clear(&terr);
    probe_result res[N_CONCRETE];
    for (size_t i = 0; i < N_CONCRETE; i++) {
        res[i] = (probe_result){.kind = concrete[i], .m = NULL, .why = JT_ERR_INIT};
        jt_energy_open(concrete[i], &opts, &res[i].m, &res[i].why);
    }
    jt_topology_release(topo);
    free(topo);
    int chosen = choose(want, res);
    bool ready = chosen >= 0;
    char *lock_path = lock_arg ? jt_xstrdup(lock_arg) : jt_lock_default_path();
    json_t *rd = readiness(chosen >= 0 ? &res[chosen] : NULL, calib_path, core, lock_path, max_age,
                           &ready);
    json_object_set_new(json_object_get(rd, "calibration"), "location_from",
                        json_string(calib_source));
    free(calib_path);
    free(lock_path);
    /* Sandbox section: what candidates would get (sandbox.h); shown, never NOT READY. */
    jt_sandbox sandbox;
    jt_sandbox_probe("nobody", &sandbox);
    json_object_set_new(rd, "sandbox", jt_sandbox_json(&sandbox));
    /* JSON goes to scripts; the model warning still reaches a human. */
    if (json && chosen >= 0 && want == JT_ENERGY_AUTO && res[chosen].kind == JT_ENERGY_MODEL)
        jt_warn("%s", model_warning);
    if (json) {
        print_json(want, res, chosen, rd, ready);
    } else {
        print_text(want, res, chosen);
        print_readiness(rd);
        jt_sandbox_print(&sandbox, stdout);
        printf("%s\n", ready ? "READY" : "NOT READY (exit 4)");
    }
    json_decref(rd);
    jt_sandbox_release(&sandbox);
    for (size_t i = 0; i < N_CONCRETE; i++) {
        jt_energy_close(res[i].m);
        jt_err_clear(&res[i].why);
    }
    return ready ? JT_EXIT_OK : JT_EXIT_NOT_READY;
}
