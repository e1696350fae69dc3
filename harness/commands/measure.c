/* jouletrace measure < request.json — one candidate in the seed service's
 * request JSON, answered with the seed's response JSON on stdout, so
 * existing API clients can shell out to it. Same host checks as `run`
 * (lock, calibration, backend, signals: session.h, run_signals.h) and the
 * run module's measurement (run.h) with its paired floor; no run directory, no journal. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "commands/run_signals.h"
#include "commands/session.h"
#include "jouletrace/run.h"
#include "jouletrace/service.h"
#include "jouletrace/suite.h"

static const char measure_usage[] =
    "usage: jouletrace measure [--backend B] [--allow-uncalibrated]\n"
    "                          [--state-dir DIR | --calibration F] [--max-age-days D]\n"
    "                          [--measurement-core N] [--lock-file F] [--wait] [--full]\n"
    "                          [--max-power-watts W]\n"
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
    "with status \"completed\" for a measured candidate (\"stability\": \"stable\"\n"
    "or \"unstable\" beside it: the stop rule met, or max trials first) and\n"
    "\"failed\" otherwise (\"candidate_status\": incorrect, timeout, ... and\n"
    "\"error\"), plus stop_reason, flags, ci, energy_source and isolation.\n"
    "Energies and times are per iteration (one pass over the test cases). --full\n"
    "prints the whole journal record (stats and trials) instead.\n"
    "\n"
    "The calibration is STATE/socket0_calibration.json, STATE being --state-dir\n"
    "DIR, $JOULETRACE_STATE_DIR, /var/lib/jouletrace for root, else\n"
    "$XDG_STATE_HOME/jouletrace or ~/.local/state/jouletrace; --calibration F (or\n"
    "$JOULETRACE_CALIBRATION) names the file itself. The socket-0 lock is\n"
    "/run/lock/jouletrace-socket0.lock (--lock-file F or $JOULETRACE_LOCK_FILE).\n"
    "\n"
    "Exit status: 0 answered (whatever the candidate's status), 2 usage or bad\n"
    "request, 4 host not ready (calibration, lock, counters), 5 interrupted.\n";

/* -1 usage error (err), 1 --help, 0 parsed. */
static int parse_args(int argc, char **argv, jt_session_flags *sf, int *full, jt_err *err)
{
    static const struct option own[] = {
        {"full", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct option *longopts = jt_session_longopts(JT_SESSION_HOST | JT_SESSION_BASELINE, own);
    int ch, rc = 0;
    opterr = 0;
    optind = 1;
    while (rc == 0 && (ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int flag = jt_session_flag(ch, optarg, sf, err);
        if (flag) rc = flag < 0 ? -1 : 0;
        else if (ch == 'f') *full = 1;
        else if (ch == 'h') rc = 1;
        else rc = jt_err_set(err, "unknown or incomplete option '%s'", argv[optind - 1]);
    }
    free(longopts);
    return rc;
}

int jt_cmd_measure(int argc, char **argv)
{
    jt_session_flags sf;
    jt_session_flags_init(&sf, "measure");
    int full = 0;
    jt_err err = JT_ERR_INIT;
    int prc = parse_args(argc, argv, &sf, &full, &err);
    if (prc) {
        if (prc > 0) fputs(measure_usage, stdout);
        else fprintf(stderr, "jouletrace measure: %s\n%s", jt_err_msg(&err), measure_usage);
        jt_err_clear(&err);
        return prc > 0 ? JT_EXIT_OK : JT_EXIT_USAGE;
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
    if (jt_suite_from_request(req, "measure", &s, &err) != 0) {
        fprintf(stderr, "jouletrace measure: request: %s\n", jt_err_msg(&err));
        code = JT_EXIT_USAGE;
        goto out;
    }
    if (jt_session_open(&ses, &sf.open, &code, &err) != 0) {
        fprintf(stderr, "jouletrace measure: %s\n", jt_err_msg(&err));
        goto out;
    }
    jt_session_sandbox(&ses);
    if (!sf.allow_uncalibrated && jt_session_calibration(&ses, &sf, &cal, &err) != 0) {
        fprintf(stderr, "jouletrace measure: %s (or pass --allow-uncalibrated)\n", jt_err_msg(&err));
        code = JT_EXIT_NOT_READY;
        goto out;
    }
    jt_run_host host = {ses.meter, &ses.topo, ses.fingerprint, ses.warnings, &ses.sandbox,
                        ses.lock.path, sf.allow_uncalibrated ? NULL : &cal};
    jt_run_signals_install();
    json_t *rec = NULL;
    if (jt_run_measure_one(&host, s, jt_run_signals_flag(), &rec) == JT_ENGINE_INTERRUPTED) {
        fprintf(stderr, "jouletrace measure: interrupted\n");
        code = JT_EXIT_INTERRUPTED;
        goto out;
    }
    json_t *resp = full ? json_incref(rec) : jt_service_answer(rec);
    json_decref(rec);
    json_dumpf(resp, stdout, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    putchar('\n');
    json_decref(resp);
    code = JT_EXIT_OK;
out:
    jt_calibration_release(&cal);
    jt_session_close(&ses);
    jt_suite_free(s);
    json_decref(req);
    jt_err_clear(&err);
    return code;
}
