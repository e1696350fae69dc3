/* Reports of a run directory (harness/report/): golden files from a fixed
 * journal fixture, the HTML page's structure and escaping (checked by
 * tests/check_html.py with python3's html.parser), determinism and
 * atomicity, and `jouletrace report` on an interrupted run.
 *
 * Fixtures: tests/fixtures/report/{basic,interrupted}/ (run.json +
 * journal.jsonl, written by make_fixture.py there). Goldens:
 * tests/fixtures/report/expected/. After an intended format change, refresh
 * them with `JT_UPDATE_GOLDEN=1 make check TESTS=test_report` and review
 * the diff before committing. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "jouletrace/fsutil.h"
#include "jouletrace/journal.h"
#include "jouletrace/report.h"
#include "support/testutil.h"

/* A fresh copy of fixture `name` (run.json + journal.jsonl); caller frees
 * with jt_test_tmpdir_free. */
static char *copy_fixture(const char *name)
{
    char *dir = jt_test_tmpdir();
    static const char *const files[] = {"run.json", "journal.jsonl"};
    for (size_t i = 0; i < 2; i++) {
        char *src = jt_xasprintf("%s/tests/fixtures/report/%s/%s", jt_test_srcdir(), name, files[i]);
        char *text = jt_test_read_file(src);
        ck_assert_msg(text != NULL, "cannot read %s", src);
        free(jt_test_write_file(dir, files[i], text));
        free(text);
        free(src);
    }
    return dir;
}

static void reports_ok(const char *dir)
{
    jt_err err = JT_ERR_INIT;
    ck_assert_msg(jt_reports_write(dir, &err) == 0, "%s", jt_err_msg(&err));
}

static char *read_in(const char *dir, const char *name)
{
    char *path = jt_xasprintf("%s/%s", dir, name);
    char *text = jt_test_read_file(path);
    ck_assert_msg(text != NULL, "%s was not written", path);
    free(path);
    return text;
}

/* ---- golden files ------------------------------------------------------ */

static const char *const golden[] = {
    "results.csv", "trials.csv", "leaderboard.csv", "leaderboard_groups.csv", "summary.json",
    "index.html",
};

START_TEST(golden_files)
{
    const char *name = golden[_i];
    char *dir = copy_fixture("basic");
    reports_ok(dir);
    char *got = read_in(dir, name);
    char *path = jt_xasprintf("%s/tests/fixtures/report/expected/%s", jt_test_srcdir(), name);
    const char *update = getenv("JT_UPDATE_GOLDEN");
    if (update && !strcmp(update, "1")) {
        jt_err err = JT_ERR_INIT;
        char *slash = strrchr(path, '/');
        *slash = '\0';
        jt_mkdirs(path, 0755, &err);
        *slash = '/';
        ck_assert_msg(jt_write_file_atomic(path, got, strlen(got), &err) == 0, "%s", jt_err_msg(&err));
        jt_err_clear(&err);
    }
    char *want = jt_test_read_file(path);
    ck_assert_msg(want != NULL, "no golden %s (JT_UPDATE_GOLDEN=1 writes it)", path);
    if (strcmp(got, want)) {
        size_t line = 1, i = 0;
        for (; got[i] && got[i] == want[i]; i++) line += got[i] == '\n';
        ck_abort_msg("%s differs from %s from line %zu (JT_UPDATE_GOLDEN=1 refreshes it after an "
                     "intended change)", name, path, line);
    }
    free(want), free(got), free(path);
    jt_test_tmpdir_free(dir);
}
END_TEST

/* Regenerating gives the same bytes (seeds come from ids, the page holds no
 * clock) and leaves no temporary files behind (atomic replace). */
START_TEST(deterministic_and_atomic)
{
    char *dir = copy_fixture("basic");
    reports_ok(dir);
    char *first = read_in(dir, "leaderboard.csv"), *page = read_in(dir, "index.html");
    reports_ok(dir);
    char *second = read_in(dir, "leaderboard.csv"), *page2 = read_in(dir, "index.html");
    ck_assert_str_eq(first, second);
    ck_assert_str_eq(page, page2);
    static const char *const expected[] = {".", "..", "run.json", "journal.jsonl", "results.csv",
                                           "trials.csv", "leaderboard.csv", "leaderboard_groups.csv",
                                           "summary.json", "index.html"};
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;
    while ((e = readdir(d))) {
        bool known = false;
        for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
            known |= !strcmp(e->d_name, expected[i]);
        ck_assert_msg(known, "unexpected file %s in the run directory", e->d_name);
        n++;
    }
    closedir(d);
    ck_assert_uint_eq(n, sizeof expected / sizeof expected[0]);
    free(first), free(second), free(page), free(page2);
    jt_test_tmpdir_free(dir);
}
END_TEST

/* ---- HTML -------------------------------------------------------------- */

/* Runs tests/check_html.py on path with extra arguments; returns its status
 * and leaves its complaints in *errs. */
static int check_html(const char *path, const char *const *extra, char **errs)
{
    const char *argv[32] = {"python3", NULL, path};
    char *script = jt_xasprintf("%s/tests/check_html.py", jt_test_srcdir());
    argv[1] = script;
    size_t n = 3;
    for (size_t i = 0; extra && extra[i] && n < 31; i++) argv[n++] = extra[i];
    argv[n] = NULL;
    int rc = jt_test_run(argv, NULL, NULL, NULL, errs);
    free(script);
    return rc;
}

START_TEST(html_structure_and_escaping)
{
    char *dir = copy_fixture("basic");
    reports_ok(dir);
    char *path = jt_xasprintf("%s/index.html", dir), *errs = NULL;
    const char *const args[] = {
        "--expect", "evil,\"id\"<script>alert(1)</script>",       /* shown as text */
        "--expect", "boom, \"quoted\", <script>alert('x')</script> & more\nsecond line",
        "--expect", "bad bytes: \xEF\xBF\xBD\xEF\xBF\xBD",
        "--expect", "Stale calibration:",
        "--expect", "1 journal line could not be read",
        "--expect", "2 not ranked",
        "--expect", "Test set grp-b",
        "--expect", "model-y",
        "--expect", "killed by signal 11 (SIGSEGV)",
        "--expect", "powersave",                                   /* host changed during the run */
        "--forbid", "<script", "--forbid", "http:", "--forbid", "https:", "--forbid", "url(",
        NULL,
    };
    int rc = check_html(path, args, &errs);
    ck_assert_msg(rc == 0, "check_html.py: %s", errs);
    free(errs);
    /* The checker itself must catch what it claims to. */
    char *bad = jt_test_write_file(dir, "bad.html",
                                   "<!DOCTYPE html><html><body><div><p>x</div>"
                                   "<a href=\"https://cdn.example/x.js\">y</a></body></html>");
    errs = NULL;
    ck_assert_int_eq(check_html(bad, NULL, &errs), 1);
    ck_assert_msg(strstr(errs, "closes <p>") && strstr(errs, "external reference"), "%s", errs);
    free(errs), free(bad), free(path);
    jt_test_tmpdir_free(dir);
}
END_TEST

/* Banners: model backend and a bypassed calibration. */
START_TEST(html_banners_model_uncalibrated)
{
    char *dir = copy_fixture("basic");
    char *run_path = jt_xasprintf("%s/run.json", dir);
    json_error_t je;
    json_t *run = json_load_file(run_path, 0, &je);
    json_object_set_new(json_object_get(run, "backend"), "energy_source", json_string("model"));
    json_object_set_new(json_object_get(run, "options"), "allow_uncalibrated", json_true());
    json_object_del(run, "calibration");
    ck_assert_int_eq(json_dump_file(run, run_path, 0), 0);
    json_decref(run);
    reports_ok(dir);
    char *page = read_in(dir, "index.html");
    ck_assert_msg(strstr(page, "Model estimates, not measurements."), "no model banner");
    ck_assert_msg(strstr(page, "Calibration bypassed"), "no calibration banner");
    ck_assert_msg(!strstr(page, "Stale calibration"), "stale banner without a calibration");
    ck_assert_msg(!strstr(page, "did not finish"), "run finished");
    char *results = read_in(dir, "results.csv");
    ck_assert_msg(strstr(results, ",lab-01,\"Intel(R) Xeon(R) <Gold> \"\"6338\"\" & co\",,,"),
                  "calibration columns should be empty");
    free(results), free(page), free(run_path);
    jt_test_tmpdir_free(dir);
}
END_TEST

/* Rewrites dir's journal with edit(rec, arg) applied to every record;
 * returns how many records it holds. */
static size_t edit_journal(const char *dir, void (*edit)(json_t *rec, int arg), int arg)
{
    char *jpath = jt_xasprintf("%s/journal.jsonl", dir);
    json_t *recs = NULL;
    jt_journal_info info;
    jt_err err = JT_ERR_INIT;
    ck_assert_int_eq(jt_journal_read(jpath, &recs, &info, &err), 0);
    jt_buf text = JT_BUF_INIT;
    size_t i;
    json_t *rec;
    json_array_foreach(recs, i, rec) {
        edit(rec, arg);
        char *line = json_dumps(rec, JSON_COMPACT);
        jt_buf_addf(&text, "%s\n", line);
        free(line);
    }
    ck_assert_int_eq(jt_write_file_atomic(jpath, text.data, text.len, &err), 0);
    size_t n = json_array_size(recs);
    jt_buf_release(&text);
    json_decref(recs);
    free(jpath);
    return n;
}

static bool is_slow(const json_t *rec)
{
    return !strcmp(json_string_value(json_object_get(rec, "id")), "sq-slow");
}

static void slow_on_node_2(json_t *rec, int arg)
{
    (void)arg;
    if (is_slow(rec)) json_object_set_new(rec, "host", json_string("node-2"));
}

/* arg 1: the slow candidate ran weakened (text to be escaped), the rest full */
static void set_sandbox(json_t *rec, int arg)
{
    bool weak = arg == 1 && is_slow(rec);
    json_object_set_new(rec, "sandbox_level", json_string(weak ? "no-namespaces" : "full"));
    json_object_set_new(rec, "sandbox", json_string(weak ? "no namespaces (<b>clone</b>: x)"
                                                         : "pid,net,mount,ipc namespaces"));
}

/* A merged run (`jouletrace merge` tags each record with its node's host):
 * the host column follows the record, and the page says that one test set
 * ranks measurements from different machines. */
START_TEST(merged_run_hosts)
{
    char *dir = copy_fixture("basic");
    edit_journal(dir, slow_on_node_2, 0);
    reports_ok(dir);
    char *results = read_in(dir, "results.csv"), *page = read_in(dir, "index.html");
    ck_assert_msg(strstr(results, ",node-2,"), "host column should follow the record");
    ck_assert_msg(strstr(page, "different machines together: test set &#39;square&#39;") &&
                      strstr(page, "&#39;node-2&#39;"), "no mixed-host note");
    free(results), free(page);
    jt_test_tmpdir_free(dir);
}
END_TEST

/* The sandbox banner: there for a record that ran weakened (its text
 * escaped), absent when every record ran with the full sandbox. */
START_TEST(html_banner_weakened_sandbox)
{
    char *dir = copy_fixture("basic");
    size_t n = edit_journal(dir, set_sandbox, _i);
    reports_ok(dir);
    char *page = read_in(dir, "index.html");
    char *want = jt_xasprintf("<div class=\"banner alert\"><strong>Weakened sandbox:</strong> 1 of "
                              "%zu records ran with less isolation than the README describes (no "
                              "namespaces (&lt;b&gt;clone&lt;/b&gt;: x)): a hostile candidate",
                              n);
    if (_i == 1) ck_assert_msg(strstr(page, want), "no sandbox banner:\n%s", page);
    else ck_assert_msg(!strstr(page, "Weakened sandbox"), "banner for a full sandbox");
    free(want), free(page);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(escape_and_format_helpers)
{
    static const struct { const char *in; size_t max; const char *out; } esc[] = {
        {"<a href='x'>&\"</a>", 0, "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"},
        {"bad\xFF\xC3", 0, "bad\xEF\xBF\xBD\xEF\xBF\xBD"},
        {"bell\a esc\x1b ok\ttab", 0, "bell\xEF\xBF\xBD esc\xEF\xBF\xBD ok\ttab"},
        {"caf\xC3\xA9\xC3\xA9", 5, "caf\xC3\xA9\xE2\x80\xA6"},  /* never cut mid-character */
        {"abc", 3, "abc"},
        {NULL, 0, ""},
    };
    for (size_t i = 0; i < sizeof esc / sizeof esc[0]; i++) {
        jt_buf b = JT_BUF_INIT;
        jt_report_html_escape(&b, esc[i].in, esc[i].max);
        ck_assert_str_eq(jt_buf_str(&b), esc[i].out);
        jt_buf_release(&b);
    }
    static const struct { double v; const char *unit, *out; } si[] = {
        {8.342331e-6, "J", "8.342 \xC2\xB5J"}, {0.3036, "J", "303.6 mJ"}, {0, "J", "0 J"},
        {999.96e-6, "J", "1 mJ"}, {2.5, "s", "2.5 s"}, {-4e-9, "J", "-4 nJ"},
        {1e-15, "J", "0.001 pJ"}, {NAN, "J", "\xE2\x80\x93"},
    };
    for (size_t i = 0; i < sizeof si / sizeof si[0]; i++) {
        jt_buf b = JT_BUF_INIT;
        jt_report_fmt_si(&b, si[i].v, si[i].unit);
        ck_assert_str_eq(jt_buf_str(&b), si[i].out);
        jt_buf_release(&b);
    }
}
END_TEST

/* ---- jouletrace report ------------------------------------------------- */

static int jt_cmd(const char *const *args, char **out, char **err)
{
    const char *argv[16] = {jt_test_binary()};
    size_t n = 1;
    for (; args[n - 1] && n < 15; n++) argv[n] = args[n - 1];
    argv[n] = NULL;
    return jt_test_run(argv, NULL, NULL, out, err);
}

/* An interrupted run (status "running", journal ending in a torn line):
 * reports cover the complete records, the page says the run did not
 * finish, and a leaderboard_groups.csv from before (no groups now) goes. */
START_TEST(report_command_interrupted_run)
{
    char *dir = copy_fixture("interrupted"), *out = NULL, *err = NULL;
    free(jt_test_write_file(dir, "leaderboard_groups.csv", "stale\n"));
    ck_assert_msg(jt_cmd((const char *const[]){"report", dir, NULL}, &out, &err) == 0, "%s", err);
    ck_assert_msg(strstr(out, "index.html"), "%s", out);
    jt_csv_table t;
    jt_err e = JT_ERR_INIT;
    char *path = jt_xasprintf("%s/results.csv", dir);
    ck_assert_int_eq(jt_csv_read_file(path, &t, &e), 0);
    ck_assert_uint_eq(t.nrows, 5);
    ck_assert_str_eq(jt_csv_get(&t, 4, (size_t)jt_csv_col(&t, "candidate")), "sq-slow");
    jt_csv_free(&t);
    char *gpath = jt_xasprintf("%s/leaderboard_groups.csv", dir);
    ck_assert_msg(access(gpath, F_OK) != 0, "stale leaderboard_groups.csv kept");
    char *page = read_in(dir, "index.html"), *html = jt_xasprintf("%s/index.html", dir), *errs = NULL;
    ck_assert_msg(strstr(page, "This run did not finish</strong> (status: running)"), "no banner");
    ck_assert_msg(strstr(page, "last line was incomplete"), "torn tail not reported");
    ck_assert_msg(strstr(page, "(run did not finish)"), "host at end should say so");
    ck_assert_msg(check_html(html, NULL, &errs) == 0, "%s", errs);
    char *summary = read_in(dir, "summary.json");
    ck_assert_msg(strstr(summary, "\"torn_tail\": true"), "summary.json: no torn_tail");
    free(summary), free(errs), free(html), free(page), free(gpath), free(path), free(out), free(err);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(report_command_usage_and_errors)
{
    char *out = NULL, *err = NULL;
    ck_assert_int_eq(jt_cmd((const char *const[]){"report", NULL}, &out, &err), 2);
    ck_assert_msg(strstr(err, "missing RUN_DIR") && strstr(err, "usage:"), "%s", err);
    free(out), free(err);
    ck_assert_int_eq(jt_cmd((const char *const[]){"report", "--help", NULL}, &out, &err), 0);
    ck_assert_msg(strstr(out, "Exit status: 0"), "%s", out);
    free(out), free(err);
    ck_assert_int_eq(jt_cmd((const char *const[]){"report", "a", "b", NULL}, &out, &err), 2);
    free(out), free(err);
    ck_assert_int_eq(jt_cmd((const char *const[]){"report", "--bogus", "x", NULL}, &out, &err), 2);
    free(out), free(err);
    char *dir = jt_test_tmpdir();
    ck_assert_int_eq(jt_cmd((const char *const[]){"report", dir, NULL}, &out, &err), 1);
    ck_assert_msg(strstr(err, "run.json") && strstr(err, "is '"), "%s", err);
    free(out), free(err);
    jt_test_tmpdir_free(dir);
}
END_TEST

static Suite *report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("report");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, golden_files, 0, (int)(sizeof golden / sizeof golden[0]));
    tcase_add_test(tc, deterministic_and_atomic);
    tcase_add_test(tc, html_structure_and_escaping);
    tcase_add_test(tc, html_banners_model_uncalibrated);
    tcase_add_test(tc, merged_run_hosts);
    tcase_add_loop_test(tc, html_banner_weakened_sandbox, 0, 2);
    tcase_add_test(tc, escape_and_format_helpers);
    tcase_add_test(tc, report_command_interrupted_run);
    tcase_add_test(tc, report_command_usage_and_errors);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(report_suite)
