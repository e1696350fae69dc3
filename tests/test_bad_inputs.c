/* The bad-input table, run through the built binary: `jouletrace validate
 * --parse-only` over every .yaml file in tests/fixtures/bad_suites (each file's
 * first line is "# expect: LINE:COL: message") and over the cases that
 * cannot live in the tree as fixtures (a directory, a missing file, a
 * 100,000-deep flow sequence). Each must exit 3 with exactly one stderr
 * line "FILE[:LINE:COL]: message", print nothing on stdout and write
 * nothing next to the suite.
 *
 * Then the run directories a user may hand back spoiled (a corrupt or torn
 * journal, files of a newer jouletrace) to `report`, `run --resume` and
 * `merge`, and a calibration of a newer jouletrace to `run`: each case
 * asserts the exit code, the one line that says what happened, and that no
 * journaled record was lost and nothing was half-written. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "jouletrace/common.h"
#include "support/runenv.h"
#include "support/testutil.h"

static size_t entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    size_t n = 0;
    while (readdir(d)) n++;
    closedir(d);
    return n;
}

/* Runs validate on `path`; asserts exit 3, stdout empty, stderr exactly
 * want + "\n", and that `dir` holds as many entries as before. */
static void refuses(const char *path, const char *dir, const char *want)
{
    size_t before = entries(dir);
    const char *argv[] = {jt_test_binary(), "validate", "--parse-only", path, NULL};
    char *out = NULL, *err = NULL;
    int rc = jt_test_run(argv, NULL, NULL, &out, &err);
    char *line = jt_xasprintf("%s\n", want);
    ck_assert_msg(rc == 3, "%s: exit %d (want 3); stderr: %s", path, rc, err);
    ck_assert_msg(!strcmp(err, line), "%s:\n  got  %s  want %s", path, err, line);
    ck_assert_msg(!*out, "%s: printed on stdout: %s", path, out);
    ck_assert_msg(entries(dir) == before, "%s: something was written in %s", path, dir);
    free(line);
    free(out);
    free(err);
}

START_TEST(bad_suite_fixtures_through_the_binary)
{
    char *dir = jt_xasprintf("%s/tests/fixtures/bad_suites", jt_test_srcdir());
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort);
    ck_assert_int_gt(n, 30);
    int checked = 0;
    for (int i = 0; i < n; i++) {
        const char *f = names[i]->d_name;
        size_t len = strlen(f);
        if (len > 5 && !strcmp(f + len - 5, ".yaml")) {
            char *full = jt_xasprintf("%s/%s", dir, f);
            char *text = jt_test_read_file(full);
            ck_assert_ptr_nonnull(text);
            ck_assert_msg(!strncmp(text, "# expect: ", 10), "%s lacks an '# expect:' line", f);
            *strchr(text, '\n') = '\0';
            /* as test_suite: paths in messages are as given, so the repo-relative one */
            char *rel = jt_xasprintf("tests/fixtures/bad_suites/%s", f);
            char *want = jt_xasprintf("%s:%s", rel, text + 10);
            refuses(rel, dir, want);
            free(rel);
            free(want);
            free(text);
            free(full);
            checked++;
        }
        free(names[i]);
    }
    free(names);
    free(dir);
    ck_assert_int_gt(checked, 30);
}
END_TEST

START_TEST(inputs_that_are_no_fixture)
{
    char *tmp = jt_test_tmpdir();
    /* a directory as SUITE */
    char *sub = jt_xasprintf("%s/suite.yaml", tmp);
    ck_assert_int_eq(mkdir(sub, 0755), 0);
    char *want = jt_xasprintf("%s: is a directory, not a YAML file", sub);
    refuses(sub, tmp, want);
    free(want);
    /* a missing file */
    char *missing = jt_xasprintf("%s/none.yaml", tmp);
    want = jt_xasprintf("%s: cannot open: No such file or directory", missing);
    refuses(missing, tmp, want);
    free(want);
    /* 100,000-deep flow sequence: refused where it crosses the limit (it
     * took 55 s inside libyaml before any limit applied) */
    jt_buf y = JT_BUF_INIT;
    jt_buf_adds(&y, "suite: deep\nv: ");
    for (int i = 0; i < 100000; i++) jt_buf_addc(&y, '[');
    for (int i = 0; i < 100000; i++) jt_buf_addc(&y, ']');
    jt_buf_addc(&y, '\n');
    char *deep = jt_test_write_file(tmp, "deep.yaml", jt_buf_str(&y));
    jt_buf_release(&y);
    want = jt_xasprintf("%s:2:547: YAML nested more than 544 levels deep", deep);
    refuses(deep, tmp, want);
    free(want);
    free(deep);
    free(missing);
    free(sub);
    jt_test_tmpdir_free(tmp);
}
END_TEST

/* ---- spoiled run directories ------------------------------------------ */

static const char two_suite[] =
    "suite: two\n"
    "defaults: {min_trial_seconds: 0.02, min_trials: 3, energy_measurement_trials: 3}\n"
    "test_sets: [{id: s, function_name: f, test_cases: [{inputs: [3], expected_output: 9}]}]\n"
    "candidates: [{id: a, candidate_code: 'def f(x): return x * x'},\n"
    "             {id: b, candidate_code: 'def f(x): return x ** 2'}]\n";

/* One finished run (the records of a and b, each with its floor), made once for the
 * cases below, which each spoil a copy of it. */
static jt_runenv base;
static char *base_journal, *base_run;

static void base_setup(void)
{
    jt_runenv_init(&base, "two.yaml", two_suite, NULL);
    const char *a[] = {"run", base.suite, "-o", base.out, "--backend", "model",
                       "--allow-uncalibrated", "--quiet", NULL};
    char *out = NULL, *err = NULL;
    int rc = jt_runenv_run(&base, a, &out, &err);
    ck_assert_msg(rc == 0, "base run: exit %d: %s", rc, err);
    free(out), free(err);
    char *p = jt_xasprintf("%s/journal.jsonl", base.out);
    base_journal = jt_test_read_file(p);
    free(p);
    p = jt_xasprintf("%s/run.json", base.out);
    base_run = jt_test_read_file(p);
    free(p);
    ck_assert(base_journal && base_run);
}

static void base_teardown(void)
{
    free(base_journal), free(base_run);
    jt_runenv_free(&base);
}

static void write_bytes(const char *dir, const char *name, const char *data, size_t len)
{
    char *p = jt_xasprintf("%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    ck_assert_msg(f && fwrite(data, 1, len, f) == len && fclose(f) == 0, "cannot write %s", p);
    free(p);
}

static char *read_in(const char *dir, const char *name)
{
    char *p = jt_xasprintf("%s/%s", dir, name);
    char *t = jt_test_read_file(p);
    free(p);
    return t;
}

/* The base journal with `extra` (len bytes) inserted after its first line. */
static void journal_with_line_2(const char *dir, const char *extra, size_t len)
{
    const char *nl = strchr(base_journal, '\n');
    jt_buf b = JT_BUF_INIT;
    jt_buf_add(&b, base_journal, (size_t)(nl + 1 - base_journal));
    jt_buf_add(&b, extra, len);
    jt_buf_adds(&b, nl + 1);
    write_bytes(dir, "journal.jsonl", b.data, b.len);
    jt_buf_release(&b);
}

static const char torn[] = "{\"schema_version\": 1, \"type\": \"candidate\", \"id\": \"c\", \"sta";

static void spoil_garbage(const char *dir) { journal_with_line_2(dir, "{not json\n", 10); }
static void spoil_binary(const char *dir) { journal_with_line_2(dir, "\xff\xfe\0\0{}\n", 7); }
static void spoil_newer_record(const char *dir)
{
    static const char rec[] = "{\"schema_version\": 99, \"type\": \"candidate\", \"id\": \"z\"}\n";
    journal_with_line_2(dir, rec, sizeof rec - 1);
}
static void spoil_torn(const char *dir)
{
    char *t = jt_xasprintf("%s%s", base_journal, torn);
    write_bytes(dir, "journal.jsonl", t, strlen(t));
    free(t);
}
static void spoil_garbage_and_torn(const char *dir)
{
    spoil_garbage(dir);
    char *j = read_in(dir, "journal.jsonl");
    char *t = jt_xasprintf("%s%s", j, torn);
    write_bytes(dir, "journal.jsonl", t, strlen(t));
    free(t), free(j);
}
static void spoil_newer_run(const char *dir)
{
    char *r = jt_xstrdup(base_run);
    char *v = strstr(r, "\"schema_version\": 1");
    ck_assert_ptr_nonnull(v);
    v[strlen("\"schema_version\": ")] = '2';
    write_bytes(dir, "run.json", r, strlen(r));
    free(r);
}
static void spoil_journal_dir(const char *dir)
{
    char *p = jt_xasprintf("%s/journal.jsonl", dir);
    ck_assert_int_eq(unlink(p), 0);
    ck_assert_int_eq(mkdir(p, 0755), 0);
    free(p);
}

typedef enum { REPORT, RESUME, MERGE } dir_command;

typedef struct dir_case {
    const char *what;
    void (*spoil)(const char *dir);
    dir_command cmd;
    int rc;
    const char *line; /* the line that says it; '@' stands for the run directory */
} dir_case;

static const char skipped_tail[] = ": what they held is not a record of this run";

static const dir_case dir_cases[] = {
    {"corrupt interior line", spoil_garbage, REPORT, 0,
     "jouletrace: warning: @/journal.jsonl: skipped 1 unreadable line (2)"},
    {"NUL bytes and invalid UTF-8", spoil_binary, REPORT, 0,
     "jouletrace: warning: @/journal.jsonl: skipped 1 unreadable line (2)"},
    {"torn last line", spoil_torn, REPORT, 0,
     "jouletrace: warning: @/journal.jsonl: skipped a torn last line (3)"},
    {"corrupt line and torn tail", spoil_garbage_and_torn, RESUME, 0,
     "jouletrace: warning: @/journal.jsonl: skipped 1 unreadable line (2) and a torn last line (4)"},
    {"corrupt input of a merge", spoil_garbage, MERGE, 0,
     "jouletrace: warning: @/journal.jsonl: skipped 1 unreadable line (2)"},
    {"record of a newer jouletrace", spoil_newer_record, REPORT, 1,
     "jouletrace report: @/journal.jsonl:2: schema_version 99, this jouletrace reads up to 1: "
     "upgrade jouletrace to read it"},
    {"record of a newer jouletrace", spoil_newer_record, RESUME, 1,
     "jouletrace run: @/journal.jsonl:2: schema_version 99, this jouletrace reads up to 1: "
     "upgrade jouletrace to read it"},
    {"record of a newer jouletrace", spoil_newer_record, MERGE, 1,
     "jouletrace merge: @/journal.jsonl:2: schema_version 99, this jouletrace reads up to 1: "
     "upgrade jouletrace to read it"},
    {"run.json of a newer jouletrace", spoil_newer_run, REPORT, 1,
     "jouletrace report: @/run.json: schema_version 2, this jouletrace reads up to 1: upgrade "
     "jouletrace to read it"},
    {"run.json of a newer jouletrace", spoil_newer_run, RESUME, 1,
     "jouletrace run: @/run.json: schema_version 2, this jouletrace reads up to 1: upgrade "
     "jouletrace to read it"},
    {"run.json of a newer jouletrace", spoil_newer_run, MERGE, 1,
     "jouletrace merge: @/run.json: schema_version 2, this jouletrace reads up to 1: upgrade "
     "jouletrace to read it"},
    {"journal that is a directory", spoil_journal_dir, REPORT, 1,
     "jouletrace report: cannot read '@/journal.jsonl': Is a directory"},
};

/* tmpl with every '@' replaced by dir. */
static char *subst(const char *tmpl, const char *dir)
{
    jt_buf b = JT_BUF_INIT;
    for (const char *c = tmpl; *c; c++) {
        if (*c == '@') jt_buf_adds(&b, dir);
        else jt_buf_addc(&b, *c);
    }
    return jt_buf_detach(&b);
}

/* How many lines of text contain needle. */
static int lines_with(const char *text, const char *needle)
{
    int n = 0;
    for (const char *l = text; *l;) {
        const char *nl = strchr(l, '\n');
        size_t len = nl ? (size_t)(nl - l) : strlen(l);
        char *line = jt_xstrndup(l, len);
        n += strstr(line, needle) != NULL;
        free(line);
        l += len + (nl ? 1 : 0);
    }
    return n;
}

/* Every record line of the base run is still in dir's journal (read as
 * bytes: a spoiled one may hold NULs). */
static void records_kept(const char *dir, const char *what)
{
    char *p = jt_xasprintf("%s/journal.jsonl", dir);
    FILE *f = fopen(p, "rb");
    ck_assert_msg(f != NULL, "%s: no journal", what);
    jt_buf j = JT_BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) jt_buf_add(&j, chunk, n);
    fclose(f);
    for (const char *l = base_journal; *l;) {
        const char *nl = strchr(l, '\n');
        size_t len = (size_t)(nl - l + 1);
        ck_assert_msg(j.len && memmem(j.data, j.len, l, len), "%s: lost the record %.60s", what, l);
        l = nl + 1;
    }
    jt_buf_release(&j);
    free(p);
}

static void run_dir_case(const dir_case *c)
{
    char *tmp = jt_test_tmpdir();
    char *dir = jt_xasprintf("%s/run", tmp), *merged = jt_xasprintf("%s/merged", tmp);
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    write_bytes(dir, "run.json", base_run, strlen(base_run));
    write_bytes(dir, "journal.jsonl", base_journal, strlen(base_journal));
    c->spoil(dir);
    char *journal_before = read_in(dir, "journal.jsonl"), *run_before = read_in(dir, "run.json");
    const char *report[] = {"report", dir, NULL};
    const char *resume[] = {"run", base.suite, "--resume", dir, "--backend", "model",
                            "--allow-uncalibrated", "--quiet", NULL};
    const char *merge[] = {"merge", dir, "-o", merged, NULL};
    const char *const *args = c->cmd == REPORT ? report : c->cmd == RESUME ? resume : merge;
    char *out = NULL, *err = NULL;
    int rc = jt_runenv_run(&base, args, &out, &err);
    char *want = subst(c->line, dir);
    ck_assert_msg(rc == c->rc, "%s (%s): exit %d, want %d: %s", c->what, args[0], rc, c->rc, err);
    /* said once, on its own line (after a refusal: the last line) */
    ck_assert_msg(lines_with(err, want) == 1, "%s (%s): want one line\n  %s\ngot:\n%s", c->what,
                  args[0], want, err);
    if (c->rc != 0) {
        char *last = jt_xasprintf("%s\n", want);
        size_t n = strlen(err), m = strlen(last);
        ck_assert_msg(n >= m && !strcmp(err + n - m, last), "%s: not the last line: %s", c->what, err);
        free(last);
    } else if (c->cmd != MERGE && strstr(c->line, "warning")) {
        ck_assert_msg(lines_with(err, "journal.jsonl") == 1, "%s: %s", c->what, err);
    }
    if (c->rc == 0 && strstr(c->line, "warning"))
        ck_assert_msg(strstr(err, skipped_tail) != NULL, "%s: %s", c->what, err);
    /* nothing lost, nothing half-written */
    char *run_after = read_in(dir, "run.json");
    if (c->rc != 0) {
        char *journal_after = read_in(dir, "journal.jsonl");
        ck_assert_msg((!journal_before && !journal_after) ||
                          (journal_after && !strcmp(journal_before, journal_after)),
                      "%s: the journal changed", c->what);
        ck_assert_msg(!strcmp(run_before, run_after), "%s: run.json changed", c->what);
        ck_assert_msg(access(merged, F_OK) != 0, "%s: merge created %s", c->what, merged);
        free(journal_after);
        static const char *const reports[] = {"summary.json", "results.csv", "index.html"};
        for (size_t i = 0; i < 3; i++) {
            char *r = read_in(dir, reports[i]);
            ck_assert_msg(!r, "%s: wrote %s", c->what, reports[i]);
        }
    } else {
        records_kept(dir, c->what);
        const char *holder = c->cmd == MERGE ? merged : dir;
        char *results = read_in(holder, "results.csv");
        ck_assert_msg(results && strstr(results, ",a,") && strstr(results, ",b,"),
                      "%s: results.csv lacks a candidate: %s", c->what, results);
        free(results);
        if (c->cmd == RESUME) {
            char *j = read_in(dir, "journal.jsonl");
            ck_assert_msg(!strstr(j, torn) && j[strlen(j) - 1] == '\n', "%s: torn tail kept", c->what);
            free(j);
        } else if (c->cmd == REPORT) {
            char *j = read_in(dir, "journal.jsonl");
            ck_assert_msg(!strcmp(j, journal_before) || !journal_before, "%s: report changed the journal", c->what);
            free(j);
        }
    }
    free(run_after), free(run_before), free(journal_before);
    free(want), free(out), free(err);
    free(dir), free(merged);
    jt_test_tmpdir_free(tmp);
}

START_TEST(spoiled_run_directories)
{
    run_dir_case(&dir_cases[_i]);
}
END_TEST

/* A calibration written by a newer jouletrace: `run` is not ready (4) and
 * says which file and why, and creates no run directory. */
START_TEST(calibration_of_a_newer_jouletrace)
{
    jt_runenv e;
    jt_runenv_init(&e, "two.yaml", two_suite, NULL);
    jt_runenv_calibrate(&e);
    char *cal = jt_test_read_file(e.calib);
    char *v = strstr(cal, "\"schema_version\": 1");
    ck_assert_ptr_nonnull(v);
    v[strlen("\"schema_version\": ")] = '2';
    free(jt_test_write_file(e.dir, "calib.json", cal));
    const char *a[] = {"run", e.suite, "-o", e.out, "--backend", "model", NULL};
    char *out = NULL, *err = NULL;
    int rc = jt_runenv_run(&e, a, &out, &err);
    char *want = jt_xasprintf("jouletrace run: %s: schema_version 2, this jouletrace reads up to 1: "
                              "upgrade jouletrace to read it (or pass --allow-uncalibrated)\n",
                              e.calib);
    size_t n = strlen(err), m = strlen(want);
    ck_assert_msg(rc == 4 && n >= m && !strcmp(err + n - m, want), "exit %d: %s", rc, err);
    ck_assert_msg(access(e.out, F_OK) != 0, "a run directory was created");
    free(want), free(out), free(err), free(cal);
    jt_runenv_free(&e);
}
END_TEST

static Suite *bad_inputs_suite(void)
{
    Suite *s = suite_create("bad_inputs");
    TCase *tc = tcase_create("validate");
    tcase_add_test(tc, bad_suite_fixtures_through_the_binary);
    tcase_add_test(tc, inputs_that_are_no_fixture);
    suite_add_tcase(s, tc);
    TCase *dirs = tcase_create("run_directories");
    tcase_add_unchecked_fixture(dirs, base_setup, base_teardown);
    tcase_set_timeout(dirs, 300);
    tcase_add_loop_test(dirs, spoiled_run_directories, 0, (int)(sizeof dir_cases / sizeof dir_cases[0]));
    tcase_add_test(dirs, calibration_of_a_newer_jouletrace);
    suite_add_tcase(s, dirs);
    return s;
}

JT_TEST_MAIN(bad_inputs_suite)
