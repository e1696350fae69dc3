/* jouletrace calibrate — the idle baseline of socket 0: package (and DRAM)
 * power while the measurement core is idle, in W windows of S seconds,
 * taken with the same pinning, backend and lock as runs. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands/commands.h"
#include "commands/run_signals.h"
#include "commands/session.h"
#include "jouletrace/calibration.h"
#include "jouletrace/common.h"
#include "jouletrace/stats.h"

static const char calibrate_usage[] =
    "usage: jouletrace calibrate [--seconds S] [--windows N] [--backend B]\n"
    "                            [--state-dir DIR | --calibration FILE]\n"
    "                            [--measurement-core CPU] [--lock-file FILE] [--wait]\n"
    "                            [--max-power-watts W]\n"
    "                            [--quiet]\n"
    "\n"
    "Measures the idle power of CPU package 0 (and its DRAM) with the measurement\n"
    "core idle, in N windows of S seconds (default 30 x 1 s), and writes the\n"
    "median, MAD, SD, CV and 95% CI per domain to socket0_calibration.json in the\n"
    "state directory: /var/lib/jouletrace for root, else $XDG_STATE_HOME/jouletrace\n"
    "or ~/.local/state/jouletrace (created on demand; it prints where). `run`\n"
    "subtracts this baseline and refuses one that is stale (7 days) or was taken\n"
    "on another host, backend or measurement core. Keep the host quiet meanwhile.\n"
    "\n"
    "  --seconds S           window length (default 1)\n"
    "  --windows N           number of windows (default 30, at least 3)\n"
    "  --backend B           auto|hardware|perf|powercap|msr|model (default auto)\n"
    "  --state-dir DIR       state directory (default $JOULETRACE_STATE_DIR, else\n"
    "                        the one above)\n"
    "  --calibration FILE    write this file instead ($JOULETRACE_CALIBRATION)\n"
    "  --measurement-core N  the CPU of package 0 runs will measure on\n"
    "  --lock-file FILE      socket-0 lock (default $JOULETRACE_LOCK_FILE, else\n"
    "                        /run/lock/jouletrace-socket0.lock)\n"
    "  --wait                wait for the lock instead of failing\n"
    "  --max-power-watts W   the most package 0 can draw (default: its stated limit,\n"
    "                        else 1000 W); idle watts above it are refused\n"
    "  -q, --quiet           no progress output\n"
    "\n"
    "Exit status: 0 written, 2 usage, 4 not ready (lock held, no counters), 5 interrupted.\n";

static void sleep_seconds(double s, volatile sig_atomic_t *interrupted)
{
    struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
    while (!*interrupted && clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR) {
    }
}

static int domain_stats(const double *w, size_t n, unsigned long seed, jt_calib_domain *d,
                        jt_err *err)
{
    jt_stats_summary s;
    jt_stats_ci ci;
    if (jt_stats_summarize(w, n, &s, err) != 0 || jt_stats_median_ci(w, n, seed, 0, &ci, err) != 0)
        return -1;
    d->present = true;
    d->median_w = s.median;
    d->mad_w = s.mad;
    d->sd_w = isfinite(s.sd) ? s.sd : 0;
    d->cv = isfinite(s.cv) ? s.cv : 0;
    d->ci_low_w = ci.lo;
    d->ci_high_w = ci.hi;
    return 0;
}

int jt_cmd_calibrate(int argc, char **argv)
{
    static const struct option own[] = {
        {"seconds", required_argument, NULL, 's'},
        {"windows", required_argument, NULL, 'n'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    double seconds = 1.0;
    long windows = 30;
    jt_session_flags sf;
    jt_session_flags_init(&sf, "calibrate");
    const char *source = NULL;
    char *path = NULL;
    int quiet = 0, ch, argrc = 0;
    jt_err err = JT_ERR_INIT;
    struct option *longopts = jt_session_longopts(JT_SESSION_HOST, own);
    opterr = 0;
    optind = 1;
    while (!argrc && (ch = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        int flag = jt_session_flag(ch, optarg, &sf, &err);
        if (flag) {
            argrc = flag < 0 ? -1 : 0;
            continue;
        }
        switch (ch) {
        case 's': argrc = jt_parse_double(optarg, 0.01, 3600, &seconds, "--seconds", &err); break;
        case 'n': argrc = jt_parse_long(optarg, 3, 100000, &windows, "--windows", &err); break;
        case 'q': quiet = 1; break;
        case 'h': argrc = 1; break;
        default: argrc = jt_err_set(&err, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    free(longopts);
    if (argrc > 0) {
        fputs(calibrate_usage, stdout);
        return JT_EXIT_OK;
    }
    if (argrc) {
        fprintf(stderr, "jouletrace calibrate: %s\n%s", jt_err_msg(&err), calibrate_usage);
        jt_err_clear(&err);
        return JT_EXIT_USAGE;
    }
    if (optind != argc) {
        fprintf(stderr, "jouletrace calibrate: unexpected argument '%s'\n%s", argv[optind],
                calibrate_usage);
        return JT_EXIT_USAGE;
    }
    if (!(path = jt_calibration_path(sf.calibration, sf.state_dir, &source, &err))) {
        fprintf(stderr, "jouletrace calibrate: %s\n", jt_err_msg(&err));
        jt_err_clear(&err);
        return JT_EXIT_FAILURE;
    }

    jt_session ses;
    int code;
    if (jt_session_open(&ses, &sf.open, &code, &err) != 0) {
        fprintf(stderr, "jouletrace calibrate: %s\n", jt_err_msg(&err));
        jt_session_close(&ses);
        jt_err_clear(&err);
        free(path);
        return code;
    }
    volatile sig_atomic_t *interrupted = jt_run_signals_flag();
    jt_run_signals_install();
    if (jt_energy_guard_start(ses.meter, ses.topo.housekeeping_cpu, &err) != 0) {
        jt_warn("%s", jt_err_msg(&err));
        jt_err_clear(&err);
    }
    bool has_dram = jt_energy_domain(ses.meter, JT_ENERGY_DRAM) != NULL;
    double *pkg = jt_xcalloc((size_t)windows, sizeof *pkg);
    double *dram = jt_xcalloc((size_t)windows, sizeof *dram);
    size_t n = 0, n_dram = 0, dropped = 0;
    int tty = isatty(STDERR_FILENO);
    while ((long)n < windows && !*interrupted && dropped <= (size_t)windows) {
        jt_energy_sample a, b;
        memset(&a, 0, sizeof a);
        memset(&b, 0, sizeof b);
        jt_err serr = JT_ERR_INIT;
        int bad = jt_energy_align_edge(ses.meter, &a, &serr) != 0;
        sleep_seconds(seconds, interrupted);
        bad |= jt_energy_align_edge(ses.meter, &b, &serr) != 0; /* whole update periods */
        jt_energy_delta d;
        if (*interrupted) break;
        if (bad || jt_energy_diff(&a, &b, &d, &serr) != 0 || d.seconds <= 0) {
            dropped++; /* never a number from a failed read: repeat the window */
            if (!quiet) fprintf(stderr, "jouletrace calibrate: window dropped: %s\n", jt_err_msg(&serr));
            jt_err_clear(&serr);
            continue;
        }
        jt_err_clear(&serr);
        pkg[n++] = d.joules[JT_ENERGY_PACKAGE] / d.seconds;
        if (has_dram && d.valid[JT_ENERGY_DRAM]) dram[n_dram++] = d.joules[JT_ENERGY_DRAM] / d.seconds;
        if (!quiet && tty)
            fprintf(stderr, "\rcalibrating: window %zu/%ld, package %.3f W   ", n, windows, pkg[n - 1]);
    }
    if (!quiet && tty) fputc('\n', stderr);
    int rc = JT_EXIT_OK;
    jt_calibration c;
    memset(&c, 0, sizeof c);
    if (*interrupted) {
        fprintf(stderr, "jouletrace calibrate: interrupted; nothing written\n");
        rc = JT_EXIT_INTERRUPTED;
        goto out;
    }
    if ((long)n < windows) {
        fprintf(stderr, "jouletrace calibrate: %zu windows dropped (unreadable counters); nothing written\n",
                dropped);
        rc = JT_EXIT_NOT_READY;
        goto out;
    }
    c.created = time(NULL);
    c.backend = jt_xstrdup(jt_energy_source_name(ses.meter));
    c.measurement_cpu = ses.topo.measure_cpu;
    c.host = json_incref(ses.fingerprint);
    c.units = json_object();
    for (int dom = 0; dom < JT_ENERGY_NDOMAINS; dom++) {
        const jt_energy_domain_info *info = jt_energy_domain(ses.meter, dom);
        if (info) json_object_set_new(c.units, info->name, json_string(info->units));
    }
    c.windows = windows;
    c.window_seconds = seconds;
    c.warnings = json_deep_copy(ses.warnings);
    if (domain_stats(pkg, n, 20261127, &c.package, &err) != 0 ||
        (n_dram >= 3 && domain_stats(dram, n_dram, 20261128, &c.dram, &err) != 0)) {
        fprintf(stderr, "jouletrace calibrate: %s\n", jt_err_msg(&err));
        rc = JT_EXIT_FAILURE;
        goto out;
    }
    if (c.package.cv > 0.05)
        json_array_append_new(c.warnings,
                              json_sprintf("idle package power is noisy (CV %.1f %% > 5 %%): quiet "
                                           "the host and recalibrate",
                                           100 * c.package.cv));
    if (dropped)
        json_array_append_new(c.warnings, json_sprintf("%zu windows dropped (unreadable counters)", dropped));
    if (jt_calibration_save(path, &c, &err) != 0) {
        fprintf(stderr, "jouletrace calibrate: %s\n", jt_err_msg(&err));
        rc = JT_EXIT_FAILURE;
        goto out;
    }
    if (!quiet) {
        printf("calibration written to %s (backend %s, measurement core %d)\n", path, c.backend,
               c.measurement_cpu);
        printf("  location from: %s\n", source);
        printf("  package idle: %.4f W (95%% CI %.4f..%.4f, CV %.2f %%)\n", c.package.median_w,
               c.package.ci_low_w, c.package.ci_high_w, 100 * c.package.cv);
        if (c.dram.present)
            printf("  dram idle:    %.4f W (95%% CI %.4f..%.4f, CV %.2f %%)\n", c.dram.median_w,
                   c.dram.ci_low_w, c.dram.ci_high_w, 100 * c.dram.cv);
    }
    size_t i;
    json_t *w;
    json_array_foreach(c.warnings, i, w) jt_warn("%s", json_string_value(w)); /* even with --quiet */
out:
    jt_calibration_release(&c);
    jt_err_clear(&err);
    free(pkg);
    free(dram);
    free(path);
    jt_session_close(&ses);
    return rc;
}
