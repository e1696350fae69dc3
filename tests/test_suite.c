/* Tests for harness/suite/: the example suite, every bad suite in
 * tests/fixtures/bad_suites (exact FILE:LINE:COL messages), YAML 1.2 core
 * scalar resolution, typed values, includes, globs, inheritance, alias bombs. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jouletrace/suite.h"
#include "support/testutil.h"

static jt_suite *load_ok(const char *path)
{
    jt_suite *s = NULL;
    jt_err e = JT_ERR_INIT;
    if (jt_suite_load(path, &s, &e) != 0) ck_abort_msg("%s: %s", path, jt_err_msg(&e));
    jt_err_clear(&e);
    return s;
}

static const jt_candidate *cand(const jt_suite *s, const char *id)
{
    for (size_t i = 0; i < s->n_candidates; i++)
        if (!strcmp(s->candidates[i].id, id)) return &s->candidates[i];
    ck_abort_msg("no candidate '%s'", id);
    return NULL;
}

START_TEST(quickstart_loads)
{
    char *path = jt_xasprintf("%s/suites/examples/quickstart.yaml", jt_test_srcdir());
    jt_suite *s = load_ok(path);
    ck_assert_str_eq(s->name, "quickstart");
    ck_assert_uint_eq(s->n_test_sets, 5);
    ck_assert_uint_eq(s->n_candidates, 16);
    /* the included test set keeps its own file in its mark */
    long primes = jt_suite_find_test_set(s, "primes");
    ck_assert_int_ge(primes, 0);
    ck_assert(strstr(s->test_sets[primes].mark.file, "sets/primes.yaml") != NULL);
    ck_assert_uint_eq(s->test_sets[primes].n_cases, 4);
    /* glob: ids are file stems, sorted, code read */
    const jt_candidate *c = cand(s, "primes_sieve");
    ck_assert_str_eq(s->test_sets[c->test_set].id, "primes");
    ck_assert(strstr(c->code, "Sieve of Eratosthenes") != NULL);
    ck_assert(strstr(c->source_path, "candidates/primes_sieve.py") != NULL);
    /* file: relative to the suite */
    ck_assert(strstr(cand(s, "square-pow")->code, "x ** 2") != NULL);
    /* defaults inherited */
    ck_assert(cand(s, "lcs-dp")->opts.timeout_seconds == 10);
    ck_assert_int_eq(cand(s, "lcs-dp")->opts.memory_limit_mb, 512);
    ck_assert(cand(s, "lcs-dp")->opts.float_tolerance == 1e-9); /* built-in default */
    /* the big integer survives exactly */
    json_t *tc = json_array_get(s->test_sets[jt_suite_find_test_set(s, "square")].test_cases, 3);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(tc, "expected_output"),
                                                       "__int__")),
                     "152415787532388367501905199875019052100");
    jt_suite_free(s);
    free(path);
}
END_TEST

/* Each bad suite's first line is "# expect: LINE:COL: message"; the loader
 * must fail with exactly "<path>:LINE:COL: message". */
START_TEST(bad_suites_fail_with_exact_messages)
{
    char *dir = jt_xasprintf("%s/tests/fixtures/bad_suites", jt_test_srcdir());
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort);
    ck_assert_int_gt(n, 20);
    int checked = 0, mismatches = 0;
    for (int i = 0; i < n; i++) {
        const char *f = names[i]->d_name;
        size_t len = strlen(f);
        if (len < 5 || strcmp(f + len - 5, ".yaml")) {
            free(names[i]);
            continue;
        }
        /* Paths in messages are as given: use the repo-relative one. */
        char *rel = jt_xasprintf("tests/fixtures/bad_suites/%s", f);
        char *full = jt_xasprintf("%s/%s", dir, f);
        char *text = jt_test_read_file(full);
        ck_assert_ptr_nonnull(text);
        ck_assert_msg(!strncmp(text, "# expect: ", 10), "%s lacks an '# expect:' line", f);
        char *nl = strchr(text, '\n');
        *nl = '\0';
        char *want = jt_xasprintf("%s:%s", rel, text + 10);
        jt_suite *s = NULL;
        jt_err e = JT_ERR_INIT;
        int rc = jt_suite_load(rel, &s, &e);
        ck_assert_msg(rc == -1 && s == NULL, "%s loaded but should fail", f);
        if (strcmp(jt_err_msg(&e), want)) {
            fprintf(stderr, "%s:\n  got  %s\n  want %s\n", f, jt_err_msg(&e), want);
            mismatches++;
        }
        ck_assert_msg(!strchr(jt_err_msg(&e), '\n'), "%s: message spans lines", f);
        jt_err_clear(&e);
        free(want);
        free(text);
        free(full);
        free(rel);
        free(names[i]);
        checked++;
    }
    free(names);
    free(dir);
    ck_assert_int_gt(checked, 20);
    ck_assert_msg(mismatches == 0, "%d bad suites gave other messages (listed on stderr)", mismatches);
}
END_TEST

/* YAML 1.2 core schema: the scalar as written → its typed JSON encoding. */
static const struct {
    const char *yaml, *json;
} scalars[] = {
    {"4", "4"},
    {"-17", "-17"},
    {"+5", "5"},
    {"010", "10"}, /* decimal in 1.2, not octal */
    {"0o17", "15"},
    {"0x1F", "31"},
    {"4.0", "4.0"},
    {"1e3", "1000.0"},
    {".5", "0.5"},
    {"-2.5E-1", "-0.25"},
    {".inf", "{\"__float__\":\"inf\"}"},
    {"-.Inf", "{\"__float__\":\"-inf\"}"},
    {".nan", "{\"__float__\":\"nan\"}"},
    {".NaN", "{\"__float__\":\"nan\"}"},
    {"true", "true"},
    {"False", "false"},
    {"TRUE", "true"},
    {"yes", "\"yes\""}, /* 1.1 booleans are strings in 1.2 */
    {"no", "\"no\""},
    {"on", "\"on\""},
    {"null", "null"},
    {"~", "null"},
    {"", "null"},
    {"NULL", "null"},
    {"\"4\"", "\"4\""},
    {"'true'", "\"true\""},
    {"\"null\"", "\"null\""},
    {"1_000", "\"1_000\""},
    {"0b101", "\"0b101\""},
    {"2001-12-14", "\"2001-12-14\""},
    {"inf", "\"inf\""},
    {"9223372036854775807", "9223372036854775807"},
    {"-9223372036854775808", "-9223372036854775808"},
    {"9223372036854775808", "{\"__int__\":\"9223372036854775808\"}"},
    {"-000123456789012345678901234567890", "{\"__int__\":\"-123456789012345678901234567890\"}"},
    {"1234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890",
     "{\"__int__\":\"1234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890\"}"},
    {"[1, [2.5, x]]", "[1,[2.5,\"x\"]]"},
    {"{b: 1, a: [null]}", "{\"a\":[null],\"b\":1}"},
    {"{1: one, x: two}", "{\"__dict__\":[[1,\"one\"],[\"x\",\"two\"]]}"},
    {"{__tuple__: [1, 2]}", "{\"__tuple__\":[1,2]}"},
    {"!!str 4", "\"4\""}, /* explicit tag (libyaml cannot tell it from plain: see README) */
};

START_TEST(scalar_resolution_table)
{
    char *dir = jt_test_tmpdir();
    char *yaml = jt_xasprintf("suite: scalars\n"
                              "test_sets:\n"
                              "  - id: s\n"
                              "    function_name: f\n"
                              "    test_cases:\n"
                              "      - test_id: t\n"
                              "        inputs: []\n"
                              "        expected_output: %s\n"
                              "candidates:\n"
                              "  - {id: a, candidate_code: \"def f(): pass\"}\n",
                              scalars[_i].yaml);
    char *path = jt_test_write_file(dir, "s.yaml", yaml);
    jt_suite *s = load_ok(path);
    json_t *v = json_object_get(json_array_get(s->test_sets[0].test_cases, 0), "expected_output");
    char *got = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    const char *want = scalars[_i].json;
    if (!strcmp(scalars[_i].yaml, "!!str 4")) want = "4"; /* documented limitation */
    ck_assert_msg(!strcmp(got, want), "%s: got %s, want %s", scalars[_i].yaml, got, want);
    free(got);
    jt_suite_free(s);
    free(path);
    free(yaml);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(candidate_overrides_defaults_and_single_test_set_is_implicit)
{
    char *dir = jt_test_tmpdir();
    char *path = jt_test_write_file(dir, "s.yaml",
                                    "suite: o\n"
                                    "defaults: {timeout_seconds: 3, min_trials: 2}\n"
                                    "test_sets:\n"
                                    "  - {id: s, function_name: f, test_cases: [{inputs: [], expected_output: 1}]}\n"
                                    "candidates:\n"
                                    "  - {id: a, candidate_code: 'def f(): return 1'}\n"
                                    "  - {id: b, timeout_seconds: 7.5, group: gpt, candidate_code: 'def f(): return 1'}\n");
    jt_suite *s = load_ok(path);
    ck_assert(s->candidates[0].opts.timeout_seconds == 3);
    ck_assert(s->candidates[1].opts.timeout_seconds == 7.5);
    ck_assert_int_eq(s->candidates[1].opts.min_trials, 2);
    ck_assert_uint_eq(s->candidates[1].test_set, 0);
    ck_assert_str_eq(s->candidates[1].group, "gpt");
    ck_assert_ptr_null(s->candidates[0].group);
    jt_suite_free(s);
    free(path);
    jt_test_tmpdir_free(dir);
}
END_TEST

/* energy_measurement_trials below an inherited or default min_trials lowers
 * it (the seed's requests send `energy_measurement_trials: 3` alone); a
 * min_trials set beside it stays an error (also bad_suites/min_over_max.yaml). */
START_TEST(fewer_trials_lower_an_inherited_min_trials)
{
    char *dir = jt_test_tmpdir();
    char *path = jt_test_write_file(dir, "s.yaml",
                                    "suite: o\n"
                                    "defaults: {energy_measurement_trials: 3}\n"
                                    "test_sets:\n"
                                    "  - {id: s, function_name: f, test_cases: [{inputs: [], expected_output: 1}]}\n"
                                    "candidates:\n"
                                    "  - {id: a, candidate_code: 'def f(): return 1'}\n"
                                    "  - {id: b, energy_measurement_trials: 2, candidate_code: 'def f(): return 1'}\n"
                                    "  - {id: c, energy_measurement_trials: 9, candidate_code: 'def f(): return 1'}\n");
    jt_suite *s = load_ok(path);
    ck_assert_int_eq(s->candidates[0].opts.min_trials, 3);
    ck_assert_int_eq(s->candidates[0].opts.energy_measurement_trials, 3);
    ck_assert_int_eq(s->candidates[1].opts.min_trials, 2);
    ck_assert_int_eq(s->candidates[2].opts.min_trials, 3); /* inherited from the defaults */
    jt_suite_free(s);
    free(path);
    char *bad = jt_test_write_file(dir, "b.yaml",
                                   "suite: o\n"
                                   "test_sets:\n"
                                   "  - {id: s, function_name: f, test_cases: [{inputs: [], expected_output: 1}]}\n"
                                   "candidates:\n"
                                   "  - {id: a, min_trials: 4, energy_measurement_trials: 3, candidate_code: 'def f(): return 1'}\n");
    jt_suite *t = NULL;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_suite_load(bad, &t, &e), -1);
    ck_assert_msg(strstr(jt_err_msg(&e), "min_trials (4) is larger than energy_measurement_trials (3)"),
                  "%s", jt_err_msg(&e));
    jt_err_clear(&e);
    free(bad);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(include_list_and_nested_relative_paths)
{
    char *dir = jt_test_tmpdir();
    char *p1 = jt_test_write_file(dir, "sets/all.yaml",
                                  "test_sets:\n"
                                  "  - {id: a, function_name: f, test_cases: [{inputs: [], expected_output: 1}]}\n"
                                  "  - include: more/b.yaml\n");
    char *p2 = jt_test_write_file(dir, "sets/more/b.yaml",
                                  "- {id: b, function_name: g, test_cases: [{inputs: [1], expected_output: 2}]}\n");
    char *p3 = jt_test_write_file(dir, "code/x.py", "def f(): return 1\n");
    char *path = jt_test_write_file(dir, "s.yaml",
                                    "suite: inc\n"
                                    "test_sets: [{include: sets/all.yaml}]\n"
                                    "candidates:\n"
                                    "  - {test_set: a, file: code/x.py}\n"
                                    "  - {id: y, test_set: b, candidate_code: 'def g(x): return 2'}\n");
    jt_suite *s = load_ok(path);
    ck_assert_uint_eq(s->n_test_sets, 2);
    ck_assert_str_eq(s->test_sets[1].id, "b");
    ck_assert(strstr(s->test_sets[1].mark.file, "sets/more/b.yaml") != NULL);
    ck_assert_str_eq(s->candidates[0].id, "x"); /* id from the file stem */
    jt_suite_free(s);
    free(p1);
    free(p2);
    free(p3);
    free(path);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(self_include_is_bounded)
{
    char *dir = jt_test_tmpdir();
    char *p1 = jt_test_write_file(dir, "loop.yaml", "- include: loop.yaml\n");
    char *path = jt_test_write_file(dir, "s.yaml",
                                    "suite: loop\ntest_sets: [{include: loop.yaml}]\ncandidates: []\n");
    jt_suite *s = NULL;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_suite_load(path, &s, &e), -1);
    ck_assert_msg(strstr(jt_err_msg(&e), "includes nested more than 8 deep") != NULL, "%s",
                  jt_err_msg(&e));
    jt_err_clear(&e);
    free(p1);
    free(path);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(alias_bomb_fails_cleanly)
{
    /* ten levels of ten-fold aliases: 10^10 nodes if expanded */
    jt_buf y = JT_BUF_INIT;
    jt_buf_adds(&y, "suite: bomb\ntest_sets:\n  - id: s\n    function_name: f\n    test_cases:\n"
                    "      - test_id: t\n        expected_output: 1\n        inputs:\n"
                    "          - &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n");
    for (int lvl = 1; lvl <= 10; lvl++) {
        jt_buf_addf(&y, "          - &a%d [", lvl);
        for (int k = 0; k < 10; k++) jt_buf_addf(&y, "%s*a%d", k ? ", " : "", lvl - 1);
        jt_buf_adds(&y, "]\n");
    }
    jt_buf_adds(&y, "candidates: [{id: a, candidate_code: 'def f(*a): return 1'}]\n");
    char *dir = jt_test_tmpdir();
    char *path = jt_test_write_file(dir, "s.yaml", jt_buf_str(&y));
    jt_suite *s = NULL;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_suite_load(path, &s, &e), -1);
    ck_assert_msg(strstr(jt_err_msg(&e), ":9:11: value expands to more than") != NULL, "%s",
                  jt_err_msg(&e));
    jt_err_clear(&e);
    jt_buf_release(&y);
    free(path);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(aliases_nested_deep_fail_cleanly)
{
    /* each anchor is 200 lists deep and holds the previous one: 2000 levels
     * once expanded (the review's stack-overflow case, scaled down) */
    jt_buf y = JT_BUF_INIT;
    jt_buf_adds(&y, "suite: deep\ntest_sets:\n  - id: s\n    function_name: f\n    test_cases:\n"
                    "      - test_id: t\n        expected_output: 1\n        inputs:\n");
    for (int a = 0; a < 10; a++) {
        jt_buf_addf(&y, "          - &a%d ", a);
        for (int k = 0; k < 200; k++) jt_buf_addc(&y, '[');
        if (a) jt_buf_addf(&y, "*a%d", a - 1);
        else jt_buf_addc(&y, '1');
        for (int k = 0; k < 200; k++) jt_buf_addc(&y, ']');
        jt_buf_addc(&y, '\n');
    }
    jt_buf_adds(&y, "candidates: [{id: a, candidate_code: 'def f(*a): return 1'}]\n");
    char *dir = jt_test_tmpdir();
    char *path = jt_test_write_file(dir, "s.yaml", jt_buf_str(&y));
    jt_suite *s = NULL;
    jt_err e = JT_ERR_INIT;
    ck_assert_int_eq(jt_suite_load(path, &s, &e), -1);
    ck_assert_msg(strstr(jt_err_msg(&e), "value is nested more than 512 levels deep") != NULL, "%s",
                  jt_err_msg(&e));
    jt_err_clear(&e);
    jt_buf_release(&y);
    free(path);
    jt_test_tmpdir_free(dir);
}
END_TEST

START_TEST(content_hash_tracks_meaning_not_formatting)
{
    char *dir = jt_test_tmpdir();
    const char *base = "suite: h\n"
                       "test_sets:\n"
                       "  - {id: s, function_name: f, test_cases: [{inputs: [1], expected_output: 1}]}\n"
                       "candidates:\n"
                       "  - {id: a, file: a.py}\n";
    char *py = jt_test_write_file(dir, "a.py", "def f(x): return x\n");
    char *p1 = jt_test_write_file(dir, "one.yaml", base);
    char *p2 = jt_test_write_file(dir, "two.yaml",
                                  "# same suite, other layout\nsuite: h\ncandidates:\n  - file: a.py\n    id: a\n"
                                  "test_sets:\n  - id: s\n    function_name: f\n    test_cases:\n"
                                  "      - inputs: [1]\n        expected_output: 1\n");
    jt_suite *s1 = load_ok(p1), *s2 = load_ok(p2);
    ck_assert_uint_eq(strlen(s1->content_hash), 64);
    ck_assert_str_eq(s1->content_hash, s2->content_hash);
    /* the candidate's file changes → the hash changes */
    free(jt_test_write_file(dir, "a.py", "def f(x): return x  # edited\n"));
    jt_suite *s3 = load_ok(p1);
    ck_assert_str_ne(s1->content_hash, s3->content_hash);
    jt_suite_free(s1);
    jt_suite_free(s2);
    jt_suite_free(s3);
    free(py);
    free(p1);
    free(p2);
    jt_test_tmpdir_free(dir);
}
END_TEST

static Suite *suite_suite(void)
{
    Suite *s = suite_create("suite");
    TCase *tc = tcase_create("load");
    tcase_add_test(tc, quickstart_loads);
    tcase_add_test(tc, bad_suites_fail_with_exact_messages);
    tcase_add_loop_test(tc, scalar_resolution_table, 0, sizeof scalars / sizeof scalars[0]);
    tcase_add_test(tc, candidate_overrides_defaults_and_single_test_set_is_implicit);
    tcase_add_test(tc, fewer_trials_lower_an_inherited_min_trials);
    tcase_add_test(tc, include_list_and_nested_relative_paths);
    tcase_add_test(tc, self_include_is_bounded);
    tcase_add_test(tc, alias_bomb_fails_cleanly);
    tcase_add_test(tc, content_hash_tracks_meaning_not_formatting);
    tcase_add_test(tc, aliases_nested_deep_fail_cleanly);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(suite_suite)
