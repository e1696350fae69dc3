/* jouletrace run SUITE — validate and measure every candidate serially on
 * socket 0, journal each one (fsync) as it finishes, then write summary.json.
 * A run directory can be resumed; SIGINT/SIGTERM/SIGHUP keep what is done
 * (run_signals.h). The run itself is the run module's (run.h): this file
 * parses the command line, sets the host up (session.h) and prints. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands/commands.h"
#include "commands/run_progress.h"
#include "commands/run_signals.h"
#include "commands/session.h"
#include "jouletrace/clock.h"
#include "jouletrace/run.h"
#include "jouletrace/suite.h"

static const char run_usage[] =
    "usage: jouletrace run SUITE [-o DIR | --resume DIR] [--shard K/N] [--backend B]\n"
    "                      [--allow-uncalibrated] [--state-dir DIR | --calibration F]\n"
    "                      [--max-age-days D] [--measurement-core CPU] [--lock-file F]\n"
    "                      [--wait] [--max-power-watts W] [--seed N]\n"
    "                      [--progress-every S] [--quiet]\n"
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
    "  --max-power-watts W     the most package 0 can draw (default: its stated limit,\n"
    "                          else 1000 W): bounds jumps, wrap periods, calibrations\n"
    "  --seed N                base seed of the bootstrap (recorded; default 1)\n"
    "  --progress-every S      not on a terminal (cron, Slurm): a progress line\n"
    "                          (done/total, elapsed, ETA, counts by status) every\n"
    "                          S seconds (default 60; 0: after every candidate)\n"
    "  -q, --quiet             no progress output\n"
    "\n"
    "Exit status: 0 done (whatever the verdicts), 2 usage (or --resume of a non-run),\n"
    "3 bad or changed suite, 4 host not ready (calibration missing/stale/foreign/\n"
    "corrupt, lock held, no counters), 5 interrupted by SIGINT/SIGTERM/SIGHUP\n"
    "(resume with --resume DIR), 6 every candidate ended `failed` (nothing measured:\n"
    "reports are written, the first reason is printed), 1 other errors (a report not\n"
    "written).\n";

typedef struct run_args {
    const char *suite;
    jt_session_flags sf;
    jt_run_opts ro;
    bool quiet;
    double progress_every;
} run_args;

static int parse_args(int argc, char **argv, run_args *a, jt_err *err)
{
    static const struct option own[] = {
        {"output", required_argument, NULL, 'o'},
        {"resume", required_argument, NULL, 'r'},
        {"shard", required_argument, NULL, 'S'},
        {"seed", required_argument, NULL, 's'},
        {"quiet", no_argument, NULL, 'q'},
        {"progress-every", required_argument, NULL, 'P'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct option *longopts = jt_session_longopts(JT_SESSION_HOST | JT_SESSION_BASELINE, own);
    int ch, rc = 0;
    long v;
    opterr = 0;
    optind = 1;
    while (rc == 0 && (ch = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
        int flag = jt_session_flag(ch, optarg, &a->sf, err);
        if (flag) {
            rc = flag < 0 ? -1 : 0;
            continue;
        }
        switch (ch) {
        case 'o': a->ro.out_dir = optarg; break;
        case 'r': a->ro.resume_dir = optarg; break;
        case 'S': rc = jt_run_parse_shard(optarg, &a->ro.shard_k, &a->ro.shard_n, err); break;
        case 's':
            rc = jt_parse_long(optarg, 1, 0x7fffffffL, &v, "--seed", err);
            a->ro.seed = (unsigned long)v;
            break;
        case 'q': a->quiet = true; break;
        case 'P': rc = jt_parse_long(optarg, 0, 86400, &v, "--progress-every", err);
            a->progress_every = (double)v;
            break;
        case 'h': rc = 1; break;
        default: rc = jt_err_set(err, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    free(longopts);
    if (rc) return rc;
    if (argc - optind != 1)
        return jt_err_set(err, argc == optind ? "missing SUITE" : "expected exactly one SUITE");
    if (a->ro.out_dir && a->ro.resume_dir) return jt_err_set(err, "-o and --resume exclude each other");
    a->suite = argv[optind];
    a->ro.backend_requested = a->sf.open.backend;
    a->ro.allow_uncalibrated = a->sf.allow_uncalibrated;
    a->ro.max_age_days = a->sf.max_age_days;
    return 0;
}

/* From an open session, with its calibration unless --allow-uncalibrated:
 * the host the run borrows. JT_EXIT_NOT_READY (err) without a usable one. */
static int take_host(const run_args *a, jt_session *ses, jt_calibration *cal, jt_run_host *h,
                     jt_err *err)
{
    *h = (jt_run_host){ses->meter, &ses->topo, ses->fingerprint, ses->warnings, &ses->sandbox,
                       ses->lock.path, NULL};
    if (a->sf.allow_uncalibrated) {
        json_array_append_new(ses->warnings, json_string("--allow-uncalibrated: idle baseline 0; "
                                                         "every energy is raw, not net"));
        return JT_EXIT_OK;
    }
    if (jt_session_calibration(ses, &a->sf, cal, err) != 0) {
        char *why = jt_xstrdup(jt_err_msg(err));
        jt_err_set(err, "%s (or pass --allow-uncalibrated)", why);
        free(why);
        return JT_EXIT_NOT_READY;
    }
    h->calib = cal;
    return JT_EXIT_OK;
}

int jt_cmd_run(int argc, char **argv)
{
    run_args a = {.ro = {.seed = 1}, .progress_every = 60};
    jt_session_flags_init(&a.sf, "run");
    jt_err err = JT_ERR_INIT;
    int prc = parse_args(argc, argv, &a, &err);
    if (prc) {
        if (prc > 0) fputs(run_usage, stdout);
        else fprintf(stderr, "jouletrace run: %s\n%s", jt_err_msg(&err), run_usage);
        jt_err_clear(&err);
        return prc > 0 ? JT_EXIT_OK : JT_EXIT_USAGE;
    }
    jt_suite *s = NULL;
    if (jt_suite_load(a.suite, &s, &err) != 0) {
        fprintf(stderr, "%s\n", jt_err_msg(&err));
        jt_err_clear(&err);
        return JT_EXIT_BAD_SUITE;
    }
    volatile sig_atomic_t *stop = jt_run_signals_flag();
    jt_calibration cal;
    memset(&cal, 0, sizeof cal);
    jt_session ses;
    memset(&ses, 0, sizeof ses);
    ses.lock.fd = -1;
    jt_run r;
    jt_run_init(&r, s, &a.ro);
    jt_run_host host;
    a.sf.open.suite = s->name;
    int code = jt_run_check_resume(&r, &err);
    if (code == JT_EXIT_OK && jt_session_open(&ses, &a.sf.open, &code, &err) == 0) {
        jt_session_sandbox(&ses);
        code = take_host(&a, &ses, &cal, &host, &err);
    }
    if (code != JT_EXIT_OK) {
        fprintf(stderr, "jouletrace run: %s\n", jt_err_msg(&err));
        goto out;
    }
    /* From here on files are written: a signal only ends the run (reports
     * for what is done, exit 5), it never cuts a write. */
    jt_run_signals_install();
    if ((code = jt_run_begin(&r, &host, &err)) != JT_EXIT_OK) {
        fprintf(stderr, "jouletrace run: %s\n", jt_err_msg(&err));
        goto out;
    }
    if (!a.quiet)
        fprintf(stderr, "jouletrace run: %s: %zu candidates to measure%s (backend %s%s), run directory %s\n",
                s->name, r.n_plan, a.ro.resume_dir ? " (resumed)" : "", jt_energy_source_name(ses.meter),
                jt_energy_is_estimate(ses.meter) ? ": ESTIMATES, not measurements" : "", r.dir);
    size_t i;
    json_t *w;
    /* --quiet silences progress, never a warning */
    json_array_foreach(ses.warnings, i, w) jt_warn("%s", json_string_value(w));

    jt_run_progress pr = {.tty = isatty(STDERR_FILENO), .quiet = a.quiet, .total = r.n_plan,
                          .t0 = jt_monotonic_s(), .every = a.progress_every};
    jt_engine eng = jt_run_engine(&host, a.ro.seed, stop);
    eng.on_trial = jt_run_on_trial;
    eng.ctx = &pr;
    code = JT_EXIT_OK;
    if (jt_run_measure(&r, &eng, jt_run_finished, &pr, &err) != 0) {
        fprintf(stderr, "jouletrace run: %s\n", jt_err_msg(&err));
        code = JT_EXIT_FAILURE;
    }
    if (pr.tty && !a.quiet) fputs("\r\033[K", stderr);
    jt_run_progress_line(&pr); /* a log ends with the counts (not a TTY) */
    if (*stop) {
        fprintf(stderr, "jouletrace run: interrupted; %zu candidates journaled; resume with: "
                        "jouletrace run %s --resume %s\n",
                pr.done, s->path, r.dir);
        code = JT_EXIT_INTERRUPTED;
    }
    /* Nothing measured, and not for the candidates' sake: the harness or the
     * host failed every one (docs/design.md "Exit codes"). */
    if (code == JT_EXIT_OK && !*stop && pr.done > 0 && pr.failed == pr.done) {
        fprintf(stderr, "jouletrace run: every candidate (%zu) failed: nothing was measured; the "
                        "first: %s\n", pr.done, pr.first_failure);
        code = JT_EXIT_ALL_FAILED;
    }
    jt_err werr = JT_ERR_INIT;
    int written = jt_run_end(&r, *stop ? "interrupted" : code == JT_EXIT_OK ? "completed" : "failed",
                             &werr) == 0;
    if (!written) {
        fprintf(stderr, "jouletrace run: %s\n", jt_err_msg(&werr));
        if (code != JT_EXIT_FAILURE) code = JT_EXIT_FAILURE;
    }
    jt_err_clear(&werr);
    if (!a.quiet && !*stop && written && (code == JT_EXIT_OK || code == JT_EXIT_ALL_FAILED))
        fprintf(stderr, "jouletrace run: done: %s/index.html (results.csv, leaderboard.csv, summary.json)\n", r.dir);
    jt_run_progress_release(&pr);
out:
    jt_run_release(&r);
    jt_calibration_release(&cal);
    jt_session_close(&ses);
    jt_suite_free(s);
    jt_err_clear(&err);
    return code;
}
