/* jouletrace validate SUITE — correctness only: every candidate runs its test
 * set once in the sandbox; no energy, no lock, no calibration.
 * Exit: 0 when the suite loaded and every candidate was judged (whatever the
 * verdicts), 3 bad suite, 2 usage, 5 interrupted, 1 when the sandbox itself
 * failed for some candidate. */
#include <fnmatch.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands/commands.h"
#include "commands/judge.h"
#include "jouletrace/asserts.h"
#include "jouletrace/common.h"
#include "jouletrace/expected.h"
#include "jouletrace/modes.h"
#include "jouletrace/pyrun.h"
#include "jouletrace/pyrun_config.h"
#include "jouletrace/sandbox.h"
#include "jouletrace/status.h"
#include "jouletrace/suite.h"

static const char validate_usage[] =
    "usage: jouletrace validate SUITE [--json] [--only PATTERN]... [--quiet] [--parse-only]\n"
    "\n"
    "Checks every candidate of SUITE against its test set, once, in the sandbox.\n"
    "No energy is measured: no lock, no calibration and no RAPL access needed.\n"
    "\n"
    "  --json          print one JSON document (schema_version 1) instead of a table\n"
    "  --only PATTERN  judge only candidates whose id matches the shell PATTERN\n"
    "                  (repeatable)\n"
    "  -q, --quiet     print only the summary line (table mode)\n"
    "  --parse-only    load the suite (every file, dataset and corpus it names) and\n"
    "                  print what it holds; run nothing\n"
    "  -h, --help      this text\n"
    "\n"
    "Statuses: correct, incorrect, load_error, timeout, memory_limit, crashed,\n"
    "build_failed (command candidates), failed.\n"
    "Exit status: 0 every candidate judged (whatever the verdicts), 1 the sandbox\n"
    "failed for some candidate, 2 usage, 3 the suite did not load, 5 interrupted.\n";

/* Set from the signal handler; checked between candidates. The first SIGINT
 * or SIGTERM lets the current candidate finish (bounded by its timeout) and
 * restores the default action, so a second one stops at once. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = 1;
    signal(sig, SIG_DFL);
}

typedef struct vopts {
    int json, quiet, parse_only;
    char **only;
    size_t n_only;
} vopts;

static int selected(const vopts *o, const char *id)
{
    if (!o->n_only) return 1;
    for (size_t i = 0; i < o->n_only; i++)
        if (fnmatch(o->only[i], id, 0) == 0) return 1;
    return 0;
}

/* First failing test, as one line for the table. Caller frees. */
static char *first_failure(const jt_validation *v)
{
    if (v->verdict != JT_VERDICT_INCORRECT || !v->n_results)
        return jt_xstrdup(v->reason ? v->reason : "");
    for (size_t i = 0; i < v->n_results; i++) {
        const jt_test_result *r = &v->results[i];
        if (r->passed) continue;
        if (r->error_type)
            return jt_xasprintf("%s: %s: %s", r->test_id, r->error_type,
                                r->error_message ? r->error_message : "");
        return jt_xasprintf("%s: expected %s, got %s", r->test_id,
                            r->expected ? r->expected : "?", r->got ? r->got : "?");
    }
    return jt_xstrdup(v->reason ? v->reason : "");
}

/* One line, at most `width` display bytes, control characters replaced: the
 * text comes from the candidate and must not move the cursor. */
static void print_clipped(FILE *f, const char *s, size_t width)
{
    size_t n = 0;
    for (; *s && n < width; s++, n++) fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, f);
    if (*s) fputs("...", f);
}

static int parse_args(int argc, char **argv, vopts *o, const char **suite_path)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"only", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"parse-only", no_argument, NULL, 'P'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'j': o->json = 1; break;
        case 'q': o->quiet = 1; break;
        case 'P': o->parse_only = 1; break;
        case 'o':
            o->only = jt_xreallocarray(o->only, o->n_only + 1, sizeof *o->only);
            o->only[o->n_only++] = optarg;
            break;
        case 'h':
            fputs(validate_usage, stdout);
            fputs("\nSuite options (in defaults: or on a candidate):\n", stdout);
            jt_options_describe(stdout);
            jt_modes_describe(stdout);
            return 1;
        default:
            fprintf(stderr, "jouletrace validate: unknown or incomplete option '%s'\n%s",
                    argv[optind - 1], validate_usage);
            return -1;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "jouletrace validate: %s\n%s",
                argc - optind ? "expected exactly one SUITE" : "missing SUITE", validate_usage);
        return -1;
    }
    *suite_path = argv[optind];
    return 0;
}

int jt_cmd_validate(int argc, char **argv)
{
    vopts o = {0};
    const char *path = NULL;
    int prc = parse_args(argc, argv, &o, &path);
    if (prc) {
        free(o.only);
        return prc > 0 ? JT_EXIT_OK : JT_EXIT_USAGE;
    }
    jt_suite *s = NULL;
    jt_err err = JT_ERR_INIT;
    if (jt_suite_load(path, &s, &err) != 0) {
        fprintf(stderr, "%s\n", jt_err_msg(&err));
        jt_err_clear(&err);
        free(o.only);
        return JT_EXIT_BAD_SUITE;
    }
    if (o.parse_only) {
        size_t cases = 0;
        for (size_t i = 0; i < s->n_test_sets; i++) cases += s->test_sets[i].n_cases;
        printf("%s: suite '%s': %zu test sets, %zu test cases, %zu candidates, content %.16s\n",
               s->path, s->name, s->n_test_sets, cases, s->n_candidates, s->content_hash);
        jt_suite_free(s);
        free(o.only);
        return JT_EXIT_OK;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    jt_sandbox sandbox; /* never silently weaker than the README's sandbox */
    jt_sandbox_probe("nobody", &sandbox);
    jt_sandbox_warn(&sandbox, stderr);
    jt_judge_compile_asserts(s);

    int exit_code = JT_EXIT_OK;
    size_t counts[JT_VERDICT_COUNT] = {0}, judged = 0, no_code = 0;
    json_t *rows = json_array();
    json_t *set_errors = json_object(); /* test set id → why it has no expected outputs */
    if (!o.json && !o.quiet)
        printf("%-28s %-14s %7s  %-12s %s\n", "CANDIDATE", "TEST SET", "PASSED", "STATUS",
               "FIRST FAILURE");
    for (size_t i = 0; i < s->n_candidates && !interrupted; i++) {
        const jt_candidate *c = &s->candidates[i];
        if (!selected(&o, c->id)) continue;
        const jt_test_set *ts = &s->test_sets[c->test_set];
        jt_validation v;
        const char *bad_set = json_string_value(json_object_get(set_errors, ts->id));
        if (!bad_set && ts->needs_expected) {
            jt_err xerr = JT_ERR_INIT;
            json_t *warn = json_array();
            if (jt_expected_fill(s, c->test_set, warn, &xerr) != 0)
                json_object_set_new(set_errors, ts->id, json_string(jt_err_msg(&xerr)));
            bad_set = json_string_value(json_object_get(set_errors, ts->id));
            size_t wi;
            json_t *wv;
            json_array_foreach(warn, wi, wv) jt_warn("%s", json_string_value(wv));
            json_decref(warn);
            jt_err_clear(&xerr);
        }
        if (bad_set) {
            memset(&v, 0, sizeof v);
            v.verdict = JT_VERDICT_FAILED;
            v.total = ts->n_cases;
            v.reason = jt_xstrdup(bad_set);
        } else if (jt_judge(s, c, &interrupted, &v) != 0) {
            exit_code = JT_EXIT_FAILURE;
        }
        if (interrupted) { /* that verdict is the interruption's, not the candidate's */
            jt_validation_release(&v);
            break;
        }
        if (c->no_code) no_code++;
        else counts[v.verdict]++;
        judged++;
        if (o.json) {
            json_array_append_new(rows, jt_judge_json(c, ts, &v));
        } else if (!o.quiet) {
            char *why = first_failure(&v);
            char passed[32];
            snprintf(passed, sizeof passed, "%zu/%zu", v.passed, v.total);
            print_clipped(stdout, c->id, 28);
            printf("%*s ", (int)(strlen(c->id) < 28 ? 28 - strlen(c->id) : 0), "");
            print_clipped(stdout, ts->id, 14);
            printf("%*s %7s  %-12s ", (int)(strlen(ts->id) < 14 ? 14 - strlen(ts->id) : 0), "",
                   passed, jt_judge_status(c, &v));
            print_clipped(stdout, why, 100);
            putchar('\n');
            fflush(stdout);
            free(why);
        }
        jt_validation_release(&v);
    }
    if (o.json) {
        json_t *doc = json_pack("{s:i,s:s,s:s,s:b,s:o,s:o}", "schema_version", 1, "suite", s->name,
                                "suite_path", s->path, "interrupted", (int)interrupted,
                                "sandbox", jt_sandbox_json(&sandbox), "candidates", rows);
        json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
        putchar('\n');
        json_decref(doc);
    } else {
        json_decref(rows);
        printf("%zu judged: %zu correct, %zu incorrect, %zu load_error, %zu timeout, "
               "%zu memory_limit, %zu crashed, %zu build_failed, %zu failed",
               judged, counts[JT_VERDICT_CORRECT], counts[JT_VERDICT_INCORRECT],
               counts[JT_VERDICT_LOAD_ERROR], counts[JT_VERDICT_TIMEOUT],
               counts[JT_VERDICT_MEMORY_LIMIT], counts[JT_VERDICT_CRASHED],
               counts[JT_VERDICT_BUILD_FAILED], counts[JT_VERDICT_FAILED]);
        if (no_code) printf(", %zu no_code", no_code);
        printf("%s\n", interrupted ? " (interrupted)" : "");
    }
    if (o.n_only && judged == 0) {
        fprintf(stderr, "jouletrace validate: --only matched no candidate of '%s'\n", s->path);
        exit_code = JT_EXIT_USAGE;
    }
    json_decref(set_errors);
    jt_sandbox_release(&sandbox);
    jt_suite_free(s);
    free(o.only);
    return interrupted ? JT_EXIT_INTERRUPTED : exit_code;
}
