/* The run module's pieces, without a host (harness/run/, run.h, rundir.h,
 * jsonfile.h): the schema check every reader uses, the one warning line for
 * skipped journal lines, run-directory paths and run.json loading, the
 * shard split and the plan, and which candidates share a floor. The runs
 * themselves are tested end to end in test_run*, test_torture and
 * test_bad_inputs. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jouletrace/jsonfile.h"
#include "jouletrace/journal.h"
#include "jouletrace/rundir.h"
#include "jouletrace/suite.h"
#include "run/run_priv.h"
#include "support/testutil.h"

START_TEST(schema_check_refuses_only_newer)
{
    static const struct {
        const char *doc;
        int ok;
    } cases[] = {
        {"{}", 1},                        /* none: read as it is */
        {"{\"schema_version\": 1}", 1},
        {"{\"schema_version\": 0}", 1},   /* older */
        {"{\"schema_version\": \"9\"}", 1}, /* not a number: not a version */
        {"{\"schema_version\": 2}", 0},
        {"{\"schema_version\": 1.5}", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *doc = json_loads(cases[i].doc, 0, NULL);
        jt_err err = JT_ERR_INIT;
        int rc = jt_json_check_schema(doc, 1, "x/run.json", &err);
        ck_assert_msg(rc == (cases[i].ok ? 0 : -1), "%s: %d", cases[i].doc, rc);
        if (!cases[i].ok)
            ck_assert_msg(!strncmp(jt_err_msg(&err), "x/run.json: schema_version ", 27) &&
                              strstr(jt_err_msg(&err), ", this jouletrace reads up to 1: upgrade"),
                          "%s", jt_err_msg(&err));
        jt_err_clear(&err);
        json_decref(doc);
    }
    jt_err err = JT_ERR_INIT;
    json_t *two = json_pack("{s:i}", "schema_version", 2);
    ck_assert_int_eq(jt_json_check_schema(two, 1, "f.json:3", &err), -1);
    ck_assert_str_eq(jt_err_msg(&err), "f.json:3: schema_version 2, this jouletrace reads up to 1: "
                                       "upgrade jouletrace to read it");
    json_decref(two);
    jt_err_clear(&err);
}
END_TEST

/* The reader counts and numbers the lines it skips; the note says which. */
START_TEST(skipped_lines_note)
{
    char *dir = jt_test_tmpdir();
    jt_buf j = JT_BUF_INIT;
    jt_buf_adds(&j, "{\"id\": \"a\"}\n");
    for (int i = 0; i < 7; i++) jt_buf_adds(&j, "garbage\n");
    jt_buf_adds(&j, "{\"id\": \"b\"}\n{\"id\": \"c\", \"sta");
    char *path = jt_test_write_file(dir, "journal.jsonl", jt_buf_str(&j));
    json_t *recs = NULL;
    jt_journal_info info;
    jt_err err = JT_ERR_INIT;
    ck_assert_int_eq(jt_journal_read(path, &recs, &info, &err), 0);
    ck_assert_uint_eq(json_array_size(recs), 2);
    ck_assert_uint_eq(info.skipped, 7);
    ck_assert(info.torn);
    ck_assert_uint_eq(info.torn_line, 10);
    char *note = jt_journal_skipped_note("J", &info);
    ck_assert_str_eq(note, "J: skipped 7 unreadable lines (2, 3, 4, 5, 6 and 2 more) and a torn last "
                           "line (10): what they held is not a record of this run");
    free(note);
    json_decref(recs);
    jt_journal_info clean = {0};
    ck_assert_ptr_null(jt_journal_skipped_note("J", &clean));
    /* a newer record stops the read: this build would misread it */
    free(jt_test_write_file(dir, "journal.jsonl", "{\"id\": \"a\"}\n{\"schema_version\": 2}\n"));
    ck_assert_int_eq(jt_journal_read(path, &recs, &info, &err), -1);
    ck_assert_ptr_null(recs);
    ck_assert_msg(strstr(jt_err_msg(&err), "journal.jsonl:2: schema_version 2"), "%s", jt_err_msg(&err));
    jt_err_clear(&err);
    jt_buf_release(&j);
    free(path);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(rundir_paths_and_load)
{
    static const struct {
        char *(*fn)(const char *);
        const char *want;
    } paths[] = {
        {jt_rundir_run_json, "d/run.json"},
        {jt_rundir_journal, "d/journal.jsonl"},
        {jt_rundir_summary, "d/summary.json"},
        {jt_rundir_index, "d/index.html"},
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        char *p = paths[i].fn("d");
        ck_assert_str_eq(p, paths[i].want);
        free(p);
    }
    char *dir = jt_test_tmpdir();
    jt_err err = JT_ERR_INIT;
    bool newer = true;
    ck_assert_ptr_null(jt_rundir_load(dir, &newer, &err)); /* no run.json */
    ck_assert(!newer && strstr(jt_err_msg(&err), "a run directory?"));
    ck_assert(!jt_rundir_has_journal(dir));
    json_t *run = json_pack("{s:i,s:s}", "schema_version", JT_RUN_SCHEMA, "status", "running");
    ck_assert_int_eq(jt_rundir_save(dir, run, &err), 0);
    json_t *back = jt_rundir_load(dir, &newer, &err);
    ck_assert(back && json_equal(back, run) && !newer);
    json_decref(back);
    json_object_set_new(run, "schema_version", json_integer(JT_RUN_SCHEMA + 1));
    ck_assert_int_eq(jt_rundir_save(dir, run, &err), 0);
    ck_assert_ptr_null(jt_rundir_load(dir, &newer, &err));
    ck_assert(newer && strstr(jt_err_msg(&err), "run.json: schema_version 2"));
    free(jt_test_write_file(dir, "run.json", "[1, 2]\n"));
    ck_assert_ptr_null(jt_rundir_load(dir, &newer, &err));
    ck_assert(!newer && strstr(jt_err_msg(&err), "not a JSON object"));
    json_decref(run);
    jt_err_clear(&err);
    jt_test_tmpdir_free(dir);
}
END_TEST

static jt_suite *load(const char *dir, const char *yaml)
{
    char *p = jt_test_write_file(dir, "s.yaml", yaml);
    jt_suite *s = NULL;
    jt_err err = JT_ERR_INIT;
    ck_assert_msg(jt_suite_load(p, &s, &err) == 0, "%s", jt_err_msg(&err));
    free(p);
    return s;
}

/* Shards split the suite: every candidate in exactly one shard of N, each
 * shard in suite order; journaled candidates are left out. */
START_TEST(shards_partition_the_plan)
{
    char *dir = jt_test_tmpdir();
    jt_buf y = JT_BUF_INIT;
    jt_buf_adds(&y, "suite: p\ntest_sets: [{id: s, function_name: f, test_cases: "
                    "[{inputs: [1], expected_output: 1}]}]\ncandidates:\n");
    for (int i = 0; i < 40; i++) jt_buf_addf(&y, "  - {id: c%d, candidate_code: 'def f(x): return x'}\n", i);
    jt_suite *s = load(dir, jt_buf_str(&y));
    size_t *plan = jt_xcalloc(s->n_candidates, sizeof *plan);
    json_t *done = json_object();
    ck_assert_uint_eq(jt_run_plan(s, 0, 0, done, plan), 40);
    for (long n = 1; n <= 5; n++) {
        int *seen = jt_xcalloc(s->n_candidates, sizeof *seen);
        size_t total = 0;
        for (long k = 1; k <= n; k++) {
            size_t m = jt_run_plan(s, k, n, done, plan);
            for (size_t i = 0; i < m; i++) {
                seen[plan[i]]++;
                if (i) ck_assert_uint_lt(plan[i - 1], plan[i]);
            }
            total += m;
        }
        ck_assert_uint_eq(total, 40);
        for (size_t i = 0; i < s->n_candidates; i++) ck_assert_int_eq(seen[i], 1);
        free(seen);
    }
    json_object_set_new(done, "c3", json_true());
    json_object_set_new(done, "c17", json_true());
    size_t m = jt_run_plan(s, 0, 0, done, plan);
    ck_assert_uint_eq(m, 38);
    for (size_t i = 0; i < m; i++)
        ck_assert(strcmp(s->candidates[plan[i]].id, "c3") && strcmp(s->candidates[plan[i]].id, "c17"));
    json_decref(done);
    free(plan);
    jt_suite_free(s);
    jt_buf_release(&y);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(shard_flag)
{
    static const struct {
        const char *arg;
        long k, n; /* 0: refused */
    } cases[] = {{"1/1", 1, 1}, {"3/4", 3, 4}, {"0/4", 0, 0}, {"5/4", 0, 0}, {"1/0", 0, 0},
                 {"2", 0, 0},   {"a/b", 0, 0}, {"1/2x", 0, 0}, {"", 0, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long k = -1, n = -1;
        jt_err err = JT_ERR_INIT;
        int rc = jt_run_parse_shard(cases[i].arg, &k, &n, &err);
        if (cases[i].n) ck_assert_msg(rc == 0 && k == cases[i].k && n == cases[i].n, "%s", cases[i].arg);
        else ck_assert_msg(rc == -1 && strstr(jt_err_msg(&err), "--shard"), "%s", cases[i].arg);
        jt_err_clear(&err);
    }
}
END_TEST

/* Candidates share a floor when nothing that shapes it differs: a
 * candidate with longer trials gets its own. */
START_TEST(floor_key_follows_the_options)
{
    char *dir = jt_test_tmpdir();
    jt_suite *s = load(dir, "suite: f\n"
                            "test_sets: [{id: s, function_name: f, test_cases: [{inputs: [1], expected_output: 1}]}]\n"
                            "candidates:\n"
                            "  - {id: a, candidate_code: 'def f(x): return x'}\n"
                            "  - {id: b, candidate_code: 'def f(x): return +x'}\n"
                            "  - {id: c, candidate_code: 'def f(x): return x', min_trial_seconds: 0.7}\n");
    const jt_test_set *ts = &s->test_sets[0];
    char *ka = jt_run_floor_key(ts, &s->candidates[0].opts);
    char *kb = jt_run_floor_key(ts, &s->candidates[1].opts);
    char *kc = jt_run_floor_key(ts, &s->candidates[2].opts);
    ck_assert_str_eq(ka, kb);
    ck_assert_str_ne(ka, kc);
    free(ka), free(kb), free(kc);
    jt_suite_free(s);
    jt_test_tmpdir_free(dir);
}
END_TEST

static Suite *run_module_suite(void)
{
    Suite *s = suite_create("run_module");
    TCase *tc = tcase_create("pieces");
    tcase_add_test(tc, schema_check_refuses_only_newer);
    tcase_add_test(tc, skipped_lines_note);
    tcase_add_test(tc, rundir_paths_and_load);
    tcase_add_test(tc, shards_partition_the_plan);
    tcase_add_test(tc, shard_flag);
    tcase_add_test(tc, floor_key_follows_the_options);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(run_module_suite)
