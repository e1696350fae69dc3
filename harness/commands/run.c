/* jouletrace run SUITE — validate and measure every candidate serially on
 * socket 0, journal each one (fsync) as it finishes, then write summary.json.
 * A run directory can be resumed; SIGINT/SIGTERM/SIGHUP keep what is done
 * (run_signals.h). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands/commands.h"
#include "commands/run_progress.h"
#include "commands/run_signals.h"
#include "commands/session.h"
#include "jouletrace/calibration.h"
#include "jouletrace/clock.h"
#include "jouletrace/engine.h"
#include "jouletrace/expected.h"
#include "jouletrace/fnv.h"
#include "jouletrace/fsutil.h"
#include "jouletrace/host.h"
#include "jouletrace/journal.h"
#include "jouletrace/suite.h"
#include "jouletrace/report.h"
#include "jouletrace/summary.h"

#define RUN_SCHEMA 1 /* run.json "schema_version" */

static const char run_usage[] =
    "usage: jouletrace run SUITE [-o DIR | --resume DIR] [--shard K/N] [--backend B]\n"
    "                      [--allow-uncalibrated] [--state-dir DIR | --calibration F]\n"
    "                      [--max-age-days D] [--measurement-core CPU] [--lock-file F]\n"
    "                      [--wait] [--seed N] [--quiet]\n"
    "\n"
    "Validates every candidate of SUITE, measures the correct ones serially on\n"
    "CPU package 0 and writes run.json, journal.jsonl (one fsynced record per\n"
    "finished candidate) and summary.json into the run directory (default\n"
    "reports/<suite>-<UTC time>/). Every energy and time reported is per\n"
    "iteration: one pass over the candidate's test set.\n"
    "\n"
    "  -o, --output DIR        run directory (created; must not hold a journal)\n"
    "  --resume DIR            continue DIR: skips journaled candidates, refuses\n"
    "                          a suite whose content changed\n"
    "  --shard K/N             measure only shard K of N (stable hash of the id)\n"
    "  --backend B             auto|hardware|perf|powercap|msr|model (default auto;\n"
    "                          cron jobs should use hardware: no silent model)\n"
    "  --allow-uncalibrated    run without a calibration: idle baseline 0, flagged\n"
    "  --state-dir DIR         calibration in DIR/socket0_calibration.json (default:\n"
    "                          /var/lib/jouletrace, ~/.local/state/jouletrace if not root)\n"
    "  --calibration FILE      this calibration file instead\n"
    "  --max-age-days D        oldest calibration accepted (default 7)\n"
    "  --measurement-core N    CPU of package 0 the candidates run on\n"
    "  --lock-file FILE        socket-0 lock (default /run/lock/jouletrace-socket0.lock)\n"
    "  --wait                  wait for the lock instead of failing\n"
    "  --seed N                base seed of the bootstrap (recorded; default 1)\n"
    "  -q, --quiet             no progress output\n"
    "\n"
    "Exit status: 0 done (whatever the verdicts), 2 usage (or --resume of a non-run),\n"
    "3 bad or changed suite, 4 host not ready (calibration missing/stale/foreign/\n"
    "corrupt, lock held, no counters), 5 interrupted by SIGINT/SIGTERM/SIGHUP\n"
    "(resume with --resume DIR), 1 other errors (a report not written).\n";

typedef struct run_opts {
    const char *suite, *out_dir, *resume_dir, *calib_path, *state_dir, *lock_path;
    long shard_k, shard_n;
    double max_age_days;
    unsigned long seed;
    int allow_uncalibrated, quiet, wait;
    jt_energy_kind backend;
    int core;
} run_opts;

static int parse_shard(const char *s, long *k, long *n, jt_err *err)
{
    char *end;
    errno = 0;
    *k = strtol(s, &end, 10);
    if (end == s || *end != '/' || errno) return jt_err_set(err, "--shard: '%s' is not K/N", s);
    const char *ns = end + 1;
    *n = strtol(ns, &end, 10);
    if (end == ns || *end || errno || *n < 1 || *k < 1 || *k > *n)
        return jt_err_set(err, "--shard: '%s' needs 1 <= K <= N", s);
    return 0;
}

static int parse_args(int argc, char **argv, run_opts *o, jt_err *err)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"resume", required_argument, NULL, 'r'},
        {"shard", required_argument, NULL, 'S'},
        {"backend", required_argument, NULL, 'b'},
        {"allow-uncalibrated", no_argument, NULL, 'U'},
        {"calibration", required_argument, NULL, 'c'},
        {"state-dir", required_argument, NULL, 'D'},
        {"max-age-days", required_argument, NULL, 'A'},
        {"measurement-core", required_argument, NULL, 'm'},
        {"lock-file", required_argument, NULL, 'l'},
        {"wait", no_argument, NULL, 'w'},
        {"seed", required_argument, NULL, 's'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    long v;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
        int bad = 0;
        switch (ch) {
        case 'o': o->out_dir = optarg; break;
        case 'r': o->resume_dir = optarg; break;
        case 'S': bad = parse_shard(optarg, &o->shard_k, &o->shard_n, err); break;
        case 'b': bad = jt_energy_kind_parse(optarg, &o->backend, err); break;
        case 'U': o->allow_uncalibrated = 1; break;
        case 'c': o->calib_path = optarg; break;
        case 'D': o->state_dir = optarg; break;
        case 'A': bad = jt_parse_double(optarg, 0, 3650, &o->max_age_days, "--max-age-days", err); break;
        case 'm': bad = jt_session_parse_core(optarg, &o->core, err); break;
        case 'l': o->lock_path = optarg; break;
        case 'w': o->wait = 1; break;
        case 's':
            bad = jt_parse_long(optarg, 1, 0x7fffffffL, &v, "--seed", err);
            o->seed = (unsigned long)v;
            break;
        case 'q': o->quiet = 1; break;
        case 'h': return 1;
        default: bad = jt_err_set(err, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
        if (bad) return -1;
    }
    if (argc - optind != 1)
        return jt_err_set(err, argc == optind ? "missing SUITE" : "expected exactly one SUITE");
    if (o->out_dir && o->resume_dir) return jt_err_set(err, "-o and --resume exclude each other");
    o->suite = argv[optind];
    return 0;
}

/* reports/<suite>-<UTC> (with -2, -3... when taken). */
static char *new_run_dir(const char *suite, jt_err *err)
{
    char stamp[32];
    time_t t = time(NULL);
    struct tm tm;
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", gmtime_r(&t, &tm));
    if (jt_mkdirs("reports", 0755, err) != 0) return NULL;
    for (int i = 1; i < 1000; i++) {
        char *d = i == 1 ? jt_xasprintf("reports/%s-%s", suite, stamp)
                         : jt_xasprintf("reports/%s-%s-%d", suite, stamp, i);
        if (mkdir(d, 0755) == 0) return d;
        int e = errno;
        if (e != EEXIST) {
            jt_err_set(err, "cannot create run directory '%s': %s", d, strerror(e));
            free(d);
            return NULL;
        }
        free(d);
    }
    jt_err_set(err, "cannot find a free run directory name under reports/");
    return NULL;
}

static json_t *options_json(const run_opts *o, const jt_session *ses)
{
    return json_pack("{s:s,s:s?,s:b,s:f,s:I,s:i,s:i,s:s?}", "backend_requested",
                     jt_energy_kind_name(o->backend), "shard",
                     NULL, "allow_uncalibrated", o->allow_uncalibrated, "max_age_days",
                     o->max_age_days, "seed", (json_int_t)o->seed, "measurement_cpu",
                     ses->topo.measure_cpu, "housekeeping_cpu", ses->topo.housekeeping_cpu,
                     "lock_file", ses->lock.path);
}

static json_t *backend_json(jt_energy_meter *m)
{
    json_t *doms = json_object();
    for (int d = 0; d < JT_ENERGY_NDOMAINS; d++) {
        const jt_energy_domain_info *info = jt_energy_domain(m, d);
        if (info)
            json_object_set_new(doms, info->name,
                                json_pack("{s:f,s:s,s:s,s:f}", "unit_joules", info->unit_joules,
                                          "units", info->units, "where", info->where,
                                          "wrap_joules", info->wrap_joules));
    }
    int filt = jt_energy_filtering(m);
    return json_pack("{s:s,s:b,s:s?,s:o,s:s,s:o}", "energy_source", jt_energy_source_name(m),
                     "estimate", jt_energy_is_estimate(m), "fallback_reason",
                     jt_energy_fallback_reason(m), "domains", doms, "notes", jt_energy_notes(m),
                     "energy_filtering", filt < 0 ? json_null() : json_boolean(filt));
}

/* Floors are shared by candidates whose floor would be measured alike. */
static char *floor_key(const jt_test_set *ts, const jt_options *o)
{
    return jt_options_floor_key(ts->id, o); /* the option table's floor rows */
}

/* Loads and checks the calibration; -1 with the reason (exit "not ready"). */
static int load_calibration(const run_opts *o, const jt_session *ses, jt_calibration *c,
                            jt_err *err)
{
    char *path = jt_calibration_path(o->calib_path, o->state_dir, NULL, err);
    if (!path) return -1;
    int rc = jt_calibration_load(path, c, err);
    if (rc == 0 && jt_calibration_fits(c, path, ses->meter, err) != 0) {
        jt_calibration_release(c);
        rc = -1;
    }
    if (rc == 0 &&
        jt_calibration_check(c, jt_energy_source_name(ses->meter), ses->topo.measure_cpu,
                             ses->fingerprint, o->max_age_days, time(NULL), err) != 0) {
        jt_err_prefix(err, "%s", path);
        jt_calibration_release(c);
        rc = -1;
    }
    free(path);
    return rc;
}

/* Resume: run.json must exist and name the same suite content. Returns the
 * exit code: 0, JT_EXIT_USAGE (DIR is not a run), JT_EXIT_BAD_SUITE (changed). */
static int check_resume(const char *dir, const jt_suite *s, json_t **run, jt_err *err)
{
    char *p = jt_xasprintf("%s/run.json", dir);
    json_error_t je;
    *run = json_load_file(p, 0, &je);
    free(p);
    if (!*run || !json_is_object(json_object_get(*run, "suite"))) {
        jt_err_set(err, "--resume %s: not a run directory (run.json: %s)", dir,
                   *run ? "no 'suite' object" : je.text);
        return JT_EXIT_USAGE;
    }
    const char *h = json_string_value(json_object_get(json_object_get(*run, "suite"), "content_hash"));
    if (!h || strcmp(h, s->content_hash)) {
        jt_err_set(err, "--resume %s: the suite changed since that run started (content hash "
                        "%.12s… then, %.12s… now); start a new run",
                   dir, h ? h : "?", s->content_hash);
        return JT_EXIT_BAD_SUITE;
    }
    return 0;
}

int jt_cmd_run(int argc, char **argv)
{
    run_opts o = {.max_age_days = 7, .seed = 1, .backend = JT_ENERGY_AUTO, .core = -1};
    jt_err err = JT_ERR_INIT;
    int prc = parse_args(argc, argv, &o, &err);
    if (prc) {
        if (prc > 0) fputs(run_usage, stdout);
        else fprintf(stderr, "jouletrace run: %s\n%s", jt_err_msg(&err), run_usage);
        jt_err_clear(&err);
        return prc > 0 ? JT_EXIT_OK : JT_EXIT_USAGE;
    }
    jt_suite *s = NULL;
    if (jt_suite_load(o.suite, &s, &err) != 0) {
        fprintf(stderr, "%s\n", jt_err_msg(&err));
        jt_err_clear(&err);
        return JT_EXIT_BAD_SUITE;
    }
    int code = JT_EXIT_FAILURE;
    volatile sig_atomic_t *stop = jt_run_signals_flag();
    json_t *run = NULL, *records = NULL, *done = json_object(), *floors = json_object(),
           *set_errors = json_object();
    char *dir = NULL;
    jt_journal journal = {-1, NULL};
    jt_calibration calib;
    memset(&calib, 0, sizeof calib);
    int have_calib = 0;
    jt_session ses;
    memset(&ses, 0, sizeof ses);
    ses.lock.fd = -1;

    if (o.resume_dir && (code = check_resume(o.resume_dir, s, &run, &err)) != 0) {
        fprintf(stderr, "jouletrace run: %s\n", jt_err_msg(&err));
        goto out;
    }
    jt_session_opts so = {o.backend, o.core, o.lock_path, o.wait != 0, "run", s->name};
    if (jt_session_open(&ses, &so, &code, &err) != 0) {
        fprintf(stderr, "jouletrace run: %s\n", jt_err_msg(&err));
        goto out;
    }
    jt_session_sandbox(&ses);
    if (!o.allow_uncalibrated) {
        if (load_calibration(&o, &ses, &calib, &err) != 0) {
            fprintf(stderr, "jouletrace run: %s (or pass --allow-uncalibrated)\n", jt_err_msg(&err));
            code = JT_EXIT_NOT_READY;
            goto out;
        }
        have_calib = 1;
    } else {
        json_array_append_new(ses.warnings, json_string("--allow-uncalibrated: idle baseline 0; "
                                                        "every energy is raw, not net"));
    }

    /* From here on files are written: a signal only ends the run (reports
     * for what is done, exit 5), it never cuts a write. */
    jt_run_signals_install();
    /* Run directory, run.json, journal. */
    if (o.resume_dir) {
        dir = jt_xstrdup(o.resume_dir);
    } else if (o.out_dir) {
        dir = jt_xstrdup(o.out_dir);
        char *j = jt_xasprintf("%s/journal.jsonl", dir);
        int exists = access(j, F_OK) == 0;
        free(j);
        if (exists) {
            fprintf(stderr, "jouletrace run: %s already holds a journal: use --resume %s\n", dir, dir);
            code = JT_EXIT_USAGE;
            goto out;
        }
        if (jt_mkdirs(dir, 0755, &err) != 0) goto fail;
    } else if (!(dir = new_run_dir(s->name, &err))) {
        goto fail;
    }
    if (!run) {
        char *started = jt_utc_now();
        char shard[64] = "";
        if (o.shard_n) snprintf(shard, sizeof shard, "%ld/%ld", o.shard_k, o.shard_n);
        json_t *opts = options_json(&o, &ses);
        if (o.shard_n) json_object_set_new(opts, "shard", json_string(shard));
        json_t *refs = json_object();
        for (size_t t = 0; t < s->n_test_sets; t++)
            if (s->test_sets[t].reference)
                json_object_set_new(refs, s->test_sets[t].id, json_string(s->test_sets[t].reference));
        run = json_pack("{s:i,s:s,s:{s:s,s:s,s:s,s:O?,s:o},s:o,s:o,s:O,s:o?,s:s,s:O,s:o}", "schema_version",
                        RUN_SCHEMA, "jouletrace_version", JT_VERSION, "suite", "name", s->name,
                        "path", s->path, "content_hash", s->content_hash, "datasets", s->datasets,
                        "references", refs, "options", opts,
                        "backend", backend_json(ses.meter), "host_start", ses.fingerprint,
                        "calibration", have_calib ? jt_calibration_json(&calib) : NULL,
                        "started", started, "warnings", ses.warnings, "sandbox",
                        jt_sandbox_json(&ses.sandbox));
        free(started);
    } else {
        /* A resumed run must measure like the run it continues. */
        const json_t *ropts = json_object_get(run, "options");
        const char *was_src = json_string_value(json_object_get(json_object_get(run, "backend"), "energy_source"));
        const char *was_shard = json_string_value(json_object_get(ropts, "shard"));
        char shard_now[64] = "";
        if (o.shard_n) snprintf(shard_now, sizeof shard_now, "%ld/%ld", o.shard_k, o.shard_n);
        const char *why = NULL;
        if (was_src && strcmp(was_src, jt_energy_source_name(ses.meter)))
            why = "the energy source differs";
        else if (json_integer_value(json_object_get(ropts, "measurement_cpu")) != ses.topo.measure_cpu)
            why = "the measurement core differs";
        else if (strcmp(was_shard ? was_shard : "", shard_now))
            why = "the shard differs";
        if (why) {
            fprintf(stderr, "jouletrace run: --resume %s: %s from the run being resumed (%s, core %lld, "
                            "shard %s); resume with the same settings or start a new run\n",
                    dir, why, was_src ? was_src : "?",
                    (long long)json_integer_value(json_object_get(ropts, "measurement_cpu")),
                    was_shard ? was_shard : "none");
            code = !strcmp(why, "the shard differs") ? JT_EXIT_USAGE : JT_EXIT_NOT_READY;
            goto out;
        }
        json_t *resumes = json_object_get(run, "resumes");
        if (!resumes) json_object_set_new(run, "resumes", resumes = json_array());
        char *when = jt_utc_now();
        json_t *cal_now = have_calib ? jt_calibration_json(&calib) : json_null();
        json_t *cal_then = json_object_get(run, "calibration");
        if (!json_equal(json_object_get(cal_now, "created"), json_object_get(cal_then, "created"))) {
            json_t *w = json_object_get(run, "warnings");
            if (!json_is_array(w)) json_object_set_new(run, "warnings", w = json_array());
            json_array_append_new(w, json_sprintf("resumed at %s with another calibration: records "
                                                  "after that use its baseline (see resumes[])", when));
        }
        json_array_append_new(resumes, json_pack("{s:s,s:O,s:o,s:o}", "at", when, "host", ses.fingerprint,
                                                 "calibration", cal_now, "sandbox",
                                                 jt_sandbox_json(&ses.sandbox)));
        free(when);
    }
    json_object_set_new(run, "status", json_string("running"));
    char *run_path = jt_xasprintf("%s/run.json", dir);
    int wrc = jt_json_write_atomic(run_path, run, &err);
    free(run_path);
    if (wrc != 0) goto fail;
    char *jpath = jt_xasprintf("%s/journal.jsonl", dir);
    jt_journal_info info;
    int jrc = jt_journal_read(jpath, &records, &info, &err);
    if (jrc == 0) jrc = jt_journal_open(jpath, &journal, &err);
    free(jpath);
    if (jrc != 0) goto fail;
    size_t i;
    json_t *rec;
    json_array_foreach(records, i, rec) {
        const char *type = json_string_value(json_object_get(rec, "type"));
        if (type && !strcmp(type, "floor")) {
            const char *fk = json_string_value(json_object_get(rec, "floor_key"));
            json_object_set(floors, fk ? fk : json_string_value(json_object_get(rec, "test_set")), rec);
        }
        else if (json_string_value(json_object_get(rec, "id")))
            json_object_set_new(done, json_string_value(json_object_get(rec, "id")), json_true());
    }

    /* Plan: suite order, this shard, not yet journaled. */
    size_t *plan = jt_xcalloc(s->n_candidates + 1, sizeof *plan), n_plan = 0;
    for (i = 0; i < s->n_candidates; i++) {
        const jt_candidate *c = &s->candidates[i];
        if (o.shard_n && (long)(jt_id_hash(c->id) % (uint64_t)o.shard_n) != o.shard_k - 1) continue;
        if (json_object_get(done, c->id)) continue;
        plan[n_plan++] = i;
    }
    if (!o.quiet) {
        fprintf(stderr, "jouletrace run: %s: %zu candidates to measure%s (backend %s%s), run directory %s\n",
                s->name, n_plan, o.resume_dir ? " (resumed)" : "", jt_energy_source_name(ses.meter),
                jt_energy_is_estimate(ses.meter) ? ": ESTIMATES, not measurements" : "", dir);
    }
    /* --quiet silences progress, never a warning */
    json_array_foreach(ses.warnings, i, rec) jt_warn("%s", json_string_value(rec));

    if (jt_energy_guard_start(ses.meter, ses.topo.housekeeping_cpu, &err) != 0) {
        jt_warn("%s", jt_err_msg(&err));
        jt_err_clear(&err);
    }
    jt_run_progress pr = {isatty(STDERR_FILENO), o.quiet, 0, n_plan, jt_monotonic_s(), NULL};
    jt_engine eng = {
        .meter = ses.meter,
        .calib = have_calib ? &calib : NULL,
        .measure_cpu = ses.topo.measure_cpu,
        .sandbox_user = "nobody",
        .seed = o.seed,
        .stop = stop,
        .on_trial = jt_run_on_trial,
        .ctx = &pr,
    };
    code = JT_EXIT_OK;
    for (size_t k = 0; k < n_plan && !*stop; k++) {
        const jt_candidate *c = &s->candidates[plan[k]];
        const jt_test_set *ts = &s->test_sets[c->test_set];
        /* Ground truth from the reference first (once per test set). */
        const char *bad_set = json_string_value(json_object_get(set_errors, ts->id));
        if (!bad_set && ts->needs_expected) {
            jt_err xerr = JT_ERR_INIT;
            if (jt_expected_fill(s, c->test_set, ses.warnings, &xerr) != 0) {
                json_object_set_new(set_errors, ts->id, json_string(jt_err_msg(&xerr)));
                bad_set = json_string_value(json_object_get(set_errors, ts->id));
                fprintf(stderr, "jouletrace run: %s\n", bad_set);
            }
            jt_err_clear(&xerr);
        }
        if (bad_set) {
            json_t *frec = jt_engine_failed_record(&eng, s, c, bad_set);
            int arc = jt_journal_append(&journal, frec, &err);
            if (arc == 0) jt_run_finished(&pr, frec);
            json_decref(frec);
            if (arc != 0) {
                code = JT_EXIT_FAILURE;
                break;
            }
            continue;
        }
        /* One floor per test set and per set of options that shape it: a
         * candidate with another interpreter or trial length gets its own. */
        char *fkey = floor_key(ts, &c->opts);
        json_t *floor = json_object_get(floors, fkey);
        if (!floor) {
            json_t *frec = NULL;
            if (jt_engine_floor(&eng, s, c->test_set, &c->opts, &frec) == JT_ENGINE_INTERRUPTED) {
                free(fkey);
                break;
            }
            json_object_set_new(frec, "floor_key", json_string(fkey));
            if (jt_journal_append(&journal, frec, &err) != 0) {
                json_decref(frec);
                free(fkey);
                code = JT_EXIT_FAILURE;
                break;
            }
            json_object_set_new(floors, fkey, frec);
            floor = frec;
        }
        free(fkey);
        json_t *crec = NULL;
        if (jt_engine_measure(&eng, s, c, floor, &crec) == JT_ENGINE_INTERRUPTED) break;
        if (jt_journal_append(&journal, crec, &err) != 0) {
            json_decref(crec);
            code = JT_EXIT_FAILURE;
            break;
        }
        jt_run_finished(&pr, crec);
        json_decref(crec);
    }
    free(plan);
    jt_energy_guard_stop(ses.meter);
    if (code == JT_EXIT_FAILURE) fprintf(stderr, "jouletrace run: %s\n", jt_err_msg(&err));
    if (*stop) {
        if (pr.tty && !o.quiet) fputs("\r\033[K", stderr);
        fprintf(stderr, "jouletrace run: interrupted; %zu candidates journaled; resume with: "
                        "jouletrace run %s --resume %s\n",
                pr.done, s->path, dir);
        code = JT_EXIT_INTERRUPTED;
    }

    /* Close the run: end fingerprint, what changed, summary. */
    json_t *end_fp = jt_host_fingerprint(&ses.topo);
    json_t *diff = jt_host_diff(json_object_get(run, "host_start"), end_fp, "during the run");
    json_t *warn = json_object_get(run, "warnings");
    if (!warn) json_object_set_new(run, "warnings", warn = json_array());
    json_array_extend(warn, diff);
    size_t w;
    json_t *wv;
    json_array_foreach(diff, w, wv) jt_warn("%s", json_string_value(wv));
    json_decref(diff);
    json_object_set_new(run, "host_end", end_fp);
    char *ended = jt_utc_now();
    json_object_set_new(run, "finished", json_string(ended));
    free(ended);
    json_object_set_new(run, "status", json_string(*stop ? "interrupted"
                                                  : code == JT_EXIT_OK ? "completed" : "failed"));
    json_object_set_new(run, "guard_failures",
                        json_integer((json_int_t)jt_energy_guard_failures(ses.meter)));
    run_path = jt_xasprintf("%s/run.json", dir);
    jt_err werr = JT_ERR_INIT;
    int written = jt_json_write_atomic(run_path, run, &werr) == 0 && jt_reports_write(dir, &werr) == 0;
    if (!written) {
        fprintf(stderr, "jouletrace run: %s\n", jt_err_msg(&werr));
        if (code == JT_EXIT_OK || code == JT_EXIT_INTERRUPTED) code = JT_EXIT_FAILURE;
    }
    jt_err_clear(&werr);
    free(run_path);
    if (!o.quiet && !*stop && written && code == JT_EXIT_OK)
        fprintf(stderr, "jouletrace run: done: %s/index.html (results.csv, leaderboard.csv, summary.json)\n", dir);
    goto out;
fail:
    fprintf(stderr, "jouletrace run: %s\n", jt_err_msg(&err));
    code = JT_EXIT_FAILURE;
out:
    jt_journal_close(&journal);
    if (have_calib) jt_calibration_release(&calib);
    jt_session_close(&ses);
    json_decref(run);
    json_decref(records);
    json_decref(done);
    json_decref(floors);
    json_decref(set_errors);
    free(dir);
    jt_suite_free(s);
    jt_err_clear(&err);
    return code;
}
