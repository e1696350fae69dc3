/* CSV writing and reading with libcsv (harness/report/csv.c, columns.c):
 * hostile strings round-trip exactly (commas, quotes, newlines, CR, blanks,
 * <script>, multi-byte UTF-8; invalid bytes become U+FFFD before writing),
 * numbers read back to the same double with the fewest digits, malformed
 * files are refused with the record number, and python3's csv module reads
 * results.csv with the documented header and the same cell values. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jouletrace/journal.h"
#include "jouletrace/report.h"
#include "support/testutil.h"

static const char *const hostile[] = {
    "plain", "a,b", "say \"hi\"", "\"", "line1\nline2", "cr\r\nlf\r", " leading", "trailing ",
    "\ttab", "<script>alert(1)</script>", "=1+2", ";;", "\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80",
    "x\xFF\xFEy", "ends with newline\n", "",
};
#define N_HOSTILE (sizeof hostile / sizeof hostile[0])

/* Cell (r, c) of t is written as `got` (safe text in a marked column). */
static void assert_written(const jt_csv_table *t, size_t r, size_t c, const char *got)
{
    char *want = t->text[c] ? jt_csv_safe_text(jt_csv_get(t, r, c)) : NULL;
    const char *w = t->text[c] ? (want ? want : "") : jt_csv_get(t, r, c);
    ck_assert_msg(!strcmp(w, got), "row %zu col %zu: want '%s', got '%s'", r, c, w, got);
    free(want);
}

static void parse_ok(const char *text, jt_csv_table *t)
{
    jt_err err = JT_ERR_INIT;
    ck_assert_msg(jt_csv_parse(text, strlen(text), "test", t, &err) == 0, "%s", jt_err_msg(&err));
}

START_TEST(hostile_strings_round_trip)
{
    jt_csv_table t, back;
    static const char *const names[] = {"id", "value, with comma", "note"};
    jt_csv_init(&t, names, 3);
    for (size_t i = 0; i < N_HOSTILE; i++) {
        size_t r = jt_csv_add_row(&t);
        jt_csv_set_int(&t, r, 0, (long long)i);
        jt_csv_set(&t, r, 1, hostile[i]);
        jt_csv_set(&t, r, 2, hostile[N_HOSTILE - 1 - i]);
    }
    /* Invalid UTF-8 is replaced when stored, so what is written is what is read. */
    ck_assert_str_eq(jt_csv_get(&t, 13, 1), "x\xEF\xBF\xBD\xEF\xBF\xBDy");
    jt_buf text = JT_BUF_INIT;
    jt_csv_format(&t, &text);
    ck_assert_msg(!strstr(jt_buf_str(&text), "\xFF"), "raw invalid byte written");
    ck_assert_msg(!strncmp(jt_buf_str(&text), "id,\"value, with comma\",note\n", 28), "%s",
                  jt_buf_str(&text));
    parse_ok(jt_buf_str(&text), &back);
    ck_assert_uint_eq(back.ncols, 3);
    ck_assert_uint_eq(back.nrows, N_HOSTILE);
    ck_assert_str_eq(back.names[1], "value, with comma");
    for (size_t r = 0; r < N_HOSTILE; r++)
        for (size_t c = 0; c < 3; c++)
            ck_assert_msg(!strcmp(jt_csv_get(&t, r, c), jt_csv_get(&back, r, c)),
                          "row %zu col %zu: wrote '%s', read '%s'", r, c, jt_csv_get(&t, r, c),
                          jt_csv_get(&back, r, c));
    /* Plain cells are not quoted (readable with cut/awk); quoted ones are. */
    ck_assert_msg(strstr(jt_buf_str(&text), "\n0,plain,\n"), "%s", jt_buf_str(&text));
    ck_assert_msg(strstr(jt_buf_str(&text), ",\"say \"\"hi\"\"\","), "%s", jt_buf_str(&text));
    jt_buf_release(&text);
    jt_csv_free(&t);
    jt_csv_free(&back);
}
END_TEST

/* Candidate-controlled cells (README "Safe cells"): control characters as
 * visible escapes, a leading formula trigger behind a quote; the table keeps
 * the text, only the file has it safe; and writing a cell read back from a
 * file changes nothing (leaderboard re-reads results.csv). */
START_TEST(safe_text_cells)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"},
        {"+1", "'+1"}, {"-2+3", "'-2+3"}, {"@SUM(A1)", "'@SUM(A1)"},
        {"\t=1", "\\t=1"}, {"\r=1", "\\r=1"},
        {"\x1b[31mred\nnext\r\n", "\\x1b[31mred\\nnext\\r\\n"},
        {"bell\a del\x7f", "bell\\x07 del\\x7f"},
        {"csi \xC2\x9B" "2J", "csi \\u009b2J"},          /* C1 control, as UTF-8 */
        {"caf\xC3\xA9 \xE4\xB8\xAD", "caf\xC3\xA9 \xE4\xB8\xAD"}, /* text stays */
        {"x\xFF", "x\xEF\xBF\xBD"},                     /* invalid UTF-8: U+FFFD */
        {"a=b, -c", "a=b, -c"}, {"'=already", "'=already"}, {"back\\slash", "back\\slash"},
    };
    static const char *const names[] = {"candidate", "error"};
    jt_csv_table t, back;
    jt_csv_init(&t, names, 2);
    jt_csv_mark_text(&t, 1);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = jt_csv_safe_text(cases[i].in), *again = jt_csv_safe_text(got);
        ck_assert_msg(!strcmp(got, cases[i].out), "'%s': got '%s', want '%s'", cases[i].in, got,
                      cases[i].out);
        ck_assert_str_eq(again, got);
        free(got), free(again);
        size_t r = jt_csv_add_row(&t);
        jt_csv_set(&t, r, 0, "-id"); /* a suite author's id stays exact */
        jt_csv_set(&t, r, 1, cases[i].in);
    }
    ck_assert_str_eq(jt_csv_get(&t, 6, 1), "\x1b[31mred\nnext\r\n"); /* kept for the HTML */
    ck_assert_ptr_null(jt_csv_safe_text(""));
    ck_assert_ptr_null(jt_csv_safe_text(NULL));
    jt_buf text = JT_BUF_INIT, again = JT_BUF_INIT;
    jt_csv_format(&t, &text);
    ck_assert_msg(!strchr(jt_buf_str(&text), '\x1b') && !strchr(jt_buf_str(&text), '\r'), "%s",
                  jt_buf_str(&text));
    parse_ok(jt_buf_str(&text), &back);
    for (size_t r = 0; r < t.nrows; r++) {
        ck_assert_str_eq(jt_csv_get(&back, r, 0), "-id");
        ck_assert_str_eq(jt_csv_get(&back, r, 1), cases[r].out);
    }
    jt_csv_mark_text(&back, 1); /* written once more: the same file */
    jt_csv_format(&back, &again);
    ck_assert_str_eq(jt_buf_str(&again), jt_buf_str(&text));
    jt_buf_release(&text);
    jt_buf_release(&again);
    jt_csv_free(&t);
    jt_csv_free(&back);
}
END_TEST

/* A value reads back to the same double, written with the fewest of
 * 15/16/17 significant digits that manage it. */
START_TEST(numbers_round_trip)
{
    static const struct { double v; const char *text; } known[] = {
        {0.1, "0.1"}, {-2.5e-06, "-2.5e-06"}, {1.0 / 3, "0.3333333333333333"},
        {8.342331354457284e-06, "8.342331354457284e-06"}, {0, "0"}, {1e300, "1e+300"},
        {NAN, ""}, {INFINITY, ""}, {-INFINITY, ""},
    };
    char buf[32];
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        jt_csv_format_num(known[i].v, buf);
        ck_assert_str_eq(buf, known[i].text);
    }
    uint64_t x = 0x9E3779B97F4A7C15u; /* xorshift: many bit patterns, reproducibly */
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double v;
        memcpy(&v, &x, sizeof v);
        if (!isfinite(v)) continue;
        jt_csv_format_num(v, buf);
        double back;
        ck_assert(jt_csv_parse_num(buf, &back));
        ck_assert_msg(back == v, "%.17g written as %s", v, buf);
    }
    double v;
    ck_assert(!jt_csv_parse_num("", &v) && isnan(v));
    ck_assert(!jt_csv_parse_num("1.5x", &v));
    ck_assert(!jt_csv_parse_num("nan", &v));
    ck_assert(!jt_csv_parse_num("1e999", &v));
}
END_TEST

START_TEST(malformed_input_refused)
{
    static const struct { const char *text, *msg; } bad[] = {
        {"a,b\n1,2\n3\n", "record 3 has 1 fields, the header has 2"},
        {"a,b\n1,2,3\n", "record 2 has 3 fields"},
        {"a,b\n\"unterminated,2\n", "malformed CSV"},
        {"", "empty file"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        jt_csv_table t;
        jt_err err = JT_ERR_INIT;
        ck_assert_int_eq(jt_csv_parse(bad[i].text, strlen(bad[i].text), "in.csv", &t, &err), -1);
        ck_assert_msg(strstr(jt_err_msg(&err), bad[i].msg) && !strncmp(jt_err_msg(&err), "in.csv: ", 8),
                      "case %zu: %s", i, jt_err_msg(&err));
        jt_err_clear(&err);
    }
    /* A spreadsheet's BOM and CRLF, and a missing final newline, are fine. */
    jt_csv_table t;
    parse_ok("\xEF\xBB\xBFname,x\r\n\"a\r\nb\",1\r\nc,\r\n\r\nd,4", &t);
    ck_assert_str_eq(t.names[0], "name");
    ck_assert_uint_eq(t.nrows, 3);
    ck_assert_str_eq(jt_csv_get(&t, 0, 0), "a\r\nb");
    ck_assert_str_eq(jt_csv_get(&t, 1, 1), "");
    ck_assert_str_eq(jt_csv_get(&t, 2, 1), "4");
    ck_assert_int_eq(jt_csv_col(&t, "x"), 1);
    ck_assert_int_eq(jt_csv_col(&t, "y"), -1);
    jt_csv_free(&t);
}
END_TEST

/* results.csv of the fixture run, as a table. */
static void fixture_results(jt_csv_table *t, json_t **run_out, json_t **recs_out)
{
    char *dir = jt_xasprintf("%s/tests/fixtures/report/basic", jt_test_srcdir());
    char *run_path = jt_xasprintf("%s/run.json", dir), *jpath = jt_xasprintf("%s/journal.jsonl", dir);
    json_error_t je;
    json_t *run = json_load_file(run_path, 0, &je), *recs = NULL;
    ck_assert_msg(run != NULL, "%s", je.text);
    jt_journal_info info;
    jt_err err = JT_ERR_INIT;
    ck_assert_int_eq(jt_journal_read(jpath, &recs, &info, &err), 0);
    ck_assert_uint_eq(info.skipped, 1); /* the line with raw invalid UTF-8 */
    jt_report_results_table(run, recs, t);
    *run_out = run;
    *recs_out = recs;
    free(dir), free(run_path), free(jpath);
}

/* The documented column order (README "results.csv"); consumers key on it. */
static const char *const results_header[] = {
    "csv_schema", "suite", "run_started", "test_set", "test_set_reference", "candidate", "group",
    "status", "error", "is_correct", "passed_tests", "total_tests", "median_total_energy_joules",
    "ci95_low_total_energy_joules", "ci95_high_total_energy_joules", "ci_method", "ci_coverage",
    "ci_rel_half_width", "mean_total_energy_joules", "sd_total_energy_joules", "cv_total_energy",
    "robust_cv_total_energy", "min_total_energy_joules", "max_total_energy_joules",
    "outliers_total_energy", "median_total_net_energy_joules", "ci95_low_total_net_energy_joules",
    "ci95_high_total_net_energy_joules", "median_package_energy_joules",
    "median_package_raw_energy_joules", "median_ram_energy_joules", "median_ram_net_energy_joules",
    "median_execution_time_seconds", "ci95_low_execution_time_seconds",
    "ci95_high_execution_time_seconds", "energy_per_test_case_joules", "power_consumption_watts",
    "floor_total_energy_joules", "median_total_energy_net_of_floor_joules", "n_trials",
    "iterations_per_trial", "stop_reason", "flags", "retried_samples", "energy_source", "host",
    "cpu_model", "calibration_created", "calibration_age_days", "seed", "started", "finished",
    "source_path", "trial_total_energy_joules", "ranked", "cache_check_evidence",
    "judged_in_process", "isolation", "peak_memory_bytes", "floor_key", "floor_n_trials",
    "floor_ci95_low_total_energy_joules",
    "floor_ci95_high_total_energy_joules", "ci95_low_total_energy_net_of_floor_joules",
    "ci95_high_total_energy_net_of_floor_joules", "median_execution_time_net_of_floor_seconds",
    "ci95_low_execution_time_net_of_floor_seconds", "ci95_high_execution_time_net_of_floor_seconds",
    "floor_error",
};

START_TEST(results_table_from_journal)
{
    jt_csv_table t, back;
    json_t *run, *recs;
    fixture_results(&t, &run, &recs);
    ck_assert_uint_eq(t.ncols, sizeof results_header / sizeof results_header[0]);
    for (size_t c = 0; c < t.ncols; c++) ck_assert_str_eq(t.names[c], results_header[c]);
    ck_assert_uint_eq(t.nrows, 19); /* 21 records read, of which 2 are floors */
    /* Per-iteration values; empty where nothing applies; samples per trial. */
    long med = jt_csv_col(&t, "median_total_energy_joules"), st = jt_csv_col(&t, "status"),
         smp = jt_csv_col(&t, "trial_total_energy_joules"), ref = jt_csv_col(&t, "test_set_reference"),
         age = jt_csv_col(&t, "calibration_age_days"), err = jt_csv_col(&t, "error");
    ck_assert_str_eq(jt_csv_get(&t, 0, (size_t)med), "1e-05");
    ck_assert_str_eq(jt_csv_get(&t, 0, (size_t)ref), "sq-ref");
    ck_assert_str_eq(jt_csv_get(&t, 0, (size_t)smp), /* total_joules / iterations, as computed */
                     "9.800000000000001e-06;9.9e-06;1e-05;1.0100000000000002e-05;1.02e-05");
    ck_assert_str_eq(jt_csv_get(&t, 0, (size_t)age), "9.333333333333334");
    ck_assert_str_eq(jt_csv_get(&t, 5, (size_t)st), "incorrect");
    ck_assert_str_eq(jt_csv_get(&t, 5, (size_t)med), "");
    ck_assert_str_eq(jt_csv_get(&t, 5, (size_t)smp), "");
    ck_assert_msg(strstr(jt_csv_get(&t, 5, (size_t)err), "<script>alert('x')</script>"), "%s",
                  jt_csv_get(&t, 5, (size_t)err));
    /* judged_in_process: as the record says; empty for records from before it */
    long jip = jt_csv_col(&t, "judged_in_process"), cand = jt_csv_col(&t, "candidate");
    for (size_t r = 0; r < t.nrows; r++) {
        const char *id = jt_csv_get(&t, r, (size_t)cand), *v = jt_csv_get(&t, r, (size_t)jip);
        const char *want = !strcmp(id, "x3") || !strcmp(id, "y4") ? "true"
                           : !strcmp(id, "b-ref") || !strcmp(id, "y3") ? "false" : "";
        ck_assert_msg(!strcmp(v, want), "%s: judged_in_process '%s', want '%s'", id, v, want);
    }
    /* Round trip through text. */
    jt_buf text = JT_BUF_INIT;
    jt_csv_format(&t, &text);
    parse_ok(jt_buf_str(&text), &back);
    ck_assert_uint_eq(back.nrows, t.nrows);
    for (size_t r = 0; r < t.nrows; r++)
        for (size_t c = 0; c < t.ncols; c++)
            assert_written(&t, r, c, jt_csv_get(&back, r, c));
    jt_buf_release(&text);
    jt_csv_free(&t);
    jt_csv_free(&back);
    json_decref(run);
    json_decref(recs);
}
END_TEST

/* python3's csv module (what pandas users and scripts use) reads the file
 * with the documented header and exactly our cell values. */
START_TEST(python_csv_reads_results)
{
    jt_csv_table t;
    json_t *run, *recs;
    fixture_results(&t, &run, &recs);
    char *dir = jt_test_tmpdir(), *path = jt_xasprintf("%s/results.csv", dir);
    jt_err err = JT_ERR_INIT;
    ck_assert_int_eq(jt_csv_write_file(path, &t, &err), 0);
    const char *argv[] = {"python3", "-c",
                          "import csv, json, sys\n"
                          "with open(sys.argv[1], newline='', encoding='utf-8') as f:\n"
                          "    rows = list(csv.reader(f))\n"
                          "json.dump(rows, sys.stdout)\n",
                          path, NULL};
    char *out = NULL, *errs = NULL;
    ck_assert_msg(jt_test_run(argv, NULL, NULL, &out, &errs) == 0, "%s", errs);
    json_error_t je;
    json_t *rows = json_loads(out, 0, &je);
    ck_assert_msg(rows != NULL, "%s", je.text);
    ck_assert_uint_eq(json_array_size(rows), t.nrows + 1);
    for (size_t c = 0; c < t.ncols; c++)
        ck_assert_str_eq(json_string_value(json_array_get(json_array_get(rows, 0), c)),
                         results_header[c]);
    for (size_t r = 0; r < t.nrows; r++) {
        json_t *row = json_array_get(rows, r + 1);
        ck_assert_uint_eq(json_array_size(row), t.ncols);
        for (size_t c = 0; c < t.ncols; c++)
            assert_written(&t, r, c, json_string_value(json_array_get(row, c)));
    }
    json_decref(rows);
    free(out), free(errs), free(path);
    jt_test_tmpdir_free(dir);
    jt_csv_free(&t);
    json_decref(run);
    json_decref(recs);
}
END_TEST

static Suite *report_csv_suite(void)
{
    Suite *s = suite_create("report_csv");
    TCase *tc = tcase_create("csv");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, hostile_strings_round_trip);
    tcase_add_test(tc, safe_text_cells);
    tcase_add_test(tc, numbers_round_trip);
    tcase_add_test(tc, malformed_input_refused);
    tcase_add_test(tc, results_table_from_journal);
    tcase_add_test(tc, python_csv_reads_results);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(report_csv_suite)
