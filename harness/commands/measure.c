/* jouletrace measure < request.json — one candidate in the seed service's
 * request JSON, answered with the seed's response JSON on stdout, so
 * existing API clients can shell out to it. Same host checks as `run`
 * (lock, calibration, backend); no run directory, no journal, no floor. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands/commands.h"
#include "commands/session.h"
#include "jouletrace/calibration.h"
#include "jouletrace/engine.h"
#include "jouletrace/suite.h"

static const char measure_usage[] =
    "usage: jouletrace measure [--backend B] [--allow-uncalibrated]\n"
    "                          [--state-dir DIR | --calibration F] [--max-age-days D]\n"
    "                          [--measurement-core N] [--lock-file F] [--wait] [--full]\n"
    "                          < request.json\n"
    "\n"
    "Reads one request in the seed service's format on stdin:\n"
    "  {\"candidate_code\": \"def solve(x): ...\", \"function_name\": \"solve\",\n"
    "   \"test_cases\": [{\"test_id\": \"t1\", \"inputs\": [2], \"expected_output\": 4}],\n"
    "   \"energy_measurement_trials\": 20, \"timeout_seconds\": 20}\n"
    "(any suite option may be added: min_trials, min_trial_seconds, ...; integers\n"
    "beyond 64 bits as {\"__int__\": \"digits\"}), validates and measures it like\n"
    "`run` does, and prints the seed's response:\n"
    "  {\"status\", \"validation\": {\"is_correct\", \"passed_tests\", \"total_tests\"},\n"
    "   \"energy_metrics\": {\"median_package_energy_joules\", \"median_ram_energy_joules\",\n"
    "   \"median_total_energy_joules\", \"median_execution_time_seconds\",\n"
    "   \"energy_per_test_case_joules\", \"power_consumption_watts\"}}\n"
    "plus energy_source, stop_reason, flags and error. Energies and times are per\n"
    "iteration (one pass over the test cases). --full prints the whole record\n"
    "(stats and trials) instead.\n"
    "\n"
    "The calibration is STATE/socket0_calibration.json, STATE being --state-dir\n"
    "DIR, $JOULETRACE_STATE_DIR, /var/lib/jouletrace for root, else\n"
    "$XDG_STATE_HOME/jouletrace or ~/.local/state/jouletrace; --calibration F (or\n"
    "$JOULETRACE_CALIBRATION) names the file itself. The socket-0 lock is\n"
    "/run/lock/jouletrace-socket0.lock (--lock-file F or $JOULETRACE_LOCK_FILE).\n"
    "\n"
    "Exit status: 0 answered (whatever the candidate's status), 2 usage or bad\n"
    "request, 4 host not ready (calibration, lock, counters), 5 interrupted.\n";

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = 1;
    signal(sig, SIG_DFL);
}

int jt_cmd_measure(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"backend", required_argument, NULL, 'b'},
        {"allow-uncalibrated", no_argument, NULL, 'U'},
        {"calibration", required_argument, NULL, 'c'},
        {"state-dir", required_argument, NULL, 'D'},
        {"max-age-days", required_argument, NULL, 'A'},
        {"measurement-core", required_argument, NULL, 'm'},
        {"lock-file", required_argument, NULL, 'l'},
        {"wait", no_argument, NULL, 'w'},
        {"full", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    jt_session_opts so = {JT_ENERGY_AUTO, -1, NULL, false, "measure", NULL};
    const char *calib_arg = NULL, *state_arg = NULL;
    double max_age = 7;
    int uncal = 0, full = 0, ch;
    jt_err err = JT_ERR_INIT;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int bad = 0;
        switch (ch) {
        case 'b': bad = jt_energy_kind_parse(optarg, &so.backend, &err); break;
        case 'U': uncal = 1; break;
        case 'c': calib_arg = optarg; break;
        case 'D': state_arg = optarg; break;
        case 'A': bad = jt_parse_double(optarg, 0, 3650, &max_age, "--max-age-days", &err); break;
        case 'm': bad = jt_session_parse_core(optarg, &so.measurement_core, &err); break;
        case 'l': so.lock_path = optarg; break;
        case 'w': so.wait = true; break;
        case 'f': full = 1; break;
        case 'h': fputs(measure_usage, stdout); return JT_EXIT_OK;
        default: bad = jt_err_set(&err, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
        if (bad) {
            fprintf(stderr, "jouletrace measure: %s\n%s", jt_err_msg(&err), measure_usage);
            jt_err_clear(&err);
            return JT_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "jouletrace measure: unexpected argument '%s' (the request comes on stdin)\n",
                argv[optind]);
        return JT_EXIT_USAGE;
    }
    json_error_t je;
    json_t *req = json_loadf(stdin, 0, &je);
    if (!req) {
        fprintf(stderr, "jouletrace measure: <stdin>:%d:%d: bad request JSON: %s\n", je.line,
                je.column, je.text);
        return JT_EXIT_USAGE;
    }
    jt_suite *s = NULL;
    int code = JT_EXIT_FAILURE;
    jt_session ses;
    memset(&ses, 0, sizeof ses);
    ses.lock.fd = -1;
    jt_calibration cal;
    memset(&cal, 0, sizeof cal);
    int have_cal = 0;
    if (jt_suite_from_request(req, "measure", &s, &err) != 0) {
        fprintf(stderr, "jouletrace measure: request: %s\n", jt_err_msg(&err));
        code = JT_EXIT_USAGE;
        goto out;
    }
    if (jt_session_open(&ses, &so, &code, &err) != 0) {
        fprintf(stderr, "jouletrace measure: %s\n", jt_err_msg(&err));
        goto out;
    }
    jt_session_sandbox(&ses);
    if (!uncal) {
        char *path = jt_calibration_path(calib_arg, state_arg, NULL, &err);
        if (!path) {
            fprintf(stderr, "jouletrace measure: %s\n", jt_err_msg(&err));
            code = JT_EXIT_NOT_READY;
            goto out;
        }
        if (jt_calibration_load(path, &cal, &err) != 0 ||
            (have_cal = 1, jt_calibration_fits(&cal, path, ses.meter, &err)) != 0 ||
            jt_calibration_check(&cal, jt_energy_source_name(ses.meter), ses.topo.measure_cpu,
                                 ses.fingerprint, max_age, time(NULL), &err) != 0) {
            fprintf(stderr, "jouletrace measure: %s: %s (or pass --allow-uncalibrated)\n", path,
                    jt_err_msg(&err));
            free(path);
            code = JT_EXIT_NOT_READY;
            goto out;
        }
        free(path);
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    jt_energy_guard_start(ses.meter, ses.topo.housekeeping_cpu, &err);
    jt_engine eng = {.meter = ses.meter,
                     .calib = have_cal ? &cal : NULL,
                     .measure_cpu = ses.topo.measure_cpu,
                     .sandbox_user = "nobody",
                     .seed = 1,
                     .stop = &interrupted};
    json_t *rec = NULL;
    if (jt_engine_measure(&eng, s, &s->candidates[0], NULL, &rec) == JT_ENGINE_INTERRUPTED) {
        fprintf(stderr, "jouletrace measure: interrupted\n");
        code = JT_EXIT_INTERRUPTED;
        goto out;
    }
    json_t *resp = rec;
    if (!full) {
        resp = json_pack("{s:O,s:O,s:O,s:O,s:O,s:O,s:O}", "status", json_object_get(rec, "status"),
                         "validation", json_object_get(rec, "validation"), "energy_metrics",
                         json_object_get(rec, "energy_metrics"), "energy_source",
                         json_object_get(rec, "energy_source"), "stop_reason",
                         json_object_get(rec, "stop_reason") ? json_object_get(rec, "stop_reason")
                                                             : json_null(),
                         "flags", json_object_get(rec, "flags") ? json_object_get(rec, "flags") : json_null(),
                         "error", json_object_get(rec, "error"));
        json_decref(rec);
    }
    json_dumpf(resp, stdout, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    putchar('\n');
    json_decref(resp);
    code = JT_EXIT_OK;
out:
    if (have_cal) jt_calibration_release(&cal);
    jt_session_close(&ses);
    jt_suite_free(s);
    json_decref(req);
    jt_err_clear(&err);
    return code;
}
