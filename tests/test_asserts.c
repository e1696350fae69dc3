/* Tests of the assert compiler (exec/asserts.c, exec/asserts/compile_asserts.py):
 * every shape it takes, every reason it refuses, and its wiring — HumanEval-
 * and MBPP-format test sets become call cases before judging (cached, never
 * in `validate --parse-only`), the rest stay scripts and their records say
 * `judged_in_process` in the journal, results.csv, leaderboard.csv and
 * index.html. The compiler runs through the binary's own child, as in a run. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jouletrace/asserts.h"
#include "jouletrace/report.h"
#include "jouletrace/suite.h"
#include "support/runenv.h"
#include "support/testutil.h"

#define PYTHON "/usr/bin/python3"

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &e);
    ck_assert_msg(j != NULL, "bad test JSON: %s: %s", e.text, text);
    return j;
}

/* A request of one set per script (entry f, test id "t"): the compiler's
 * reply sets. */
static json_t *compile_each(const char *const *scripts, size_t n)
{
    json_t *sets = json_array();
    for (size_t i = 0; i < n; i++) {
        char *id = jt_xasprintf("set%zu", i);
        json_array_append_new(sets, json_pack("{s:s,s:s,s:[{s:s,s:s}]}", "id", id, "entry", "f",
                                              "scripts", "test_id", "t", "script", scripts[i]));
        free(id);
    }
    json_t *req = json_pack("{s:o}", "sets", sets), *reply = NULL;
    jt_err err = JT_ERR_INIT;
    ck_assert_msg(jt_asserts_compile(PYTHON, req, &reply, &err) == 0, "%s", jt_err_msg(&err));
    json_decref(req);
    json_t *out = json_incref(json_object_get(reply, "sets"));
    ck_assert_uint_eq(json_array_size(out), n);
    json_decref(reply);
    return out;
}

/* Each shape, and the values in the typed encoding (docs/design.md "Typed values"). */
static const struct {
    const char *script, *cases; /* cases: the JSON the compiler must answer */
} shapes[] = {
    {"assert f(1, 'a') == [1, 2]",
     "[{\"test_id\": \"t\", \"inputs\": [1, \"a\"], \"expected_output\": [1, 2]}]"},
    {"assert (1, -2) == f(-3), 'reversed'",
     "[{\"test_id\": \"t\", \"inputs\": [-3], \"expected_output\": {\"__tuple__\": [1, -2]}}]"},
    {"\n\nMETADATA = {'author': 'jt'}\nimport math\n\"\"\"doc\"\"\"\n"
     "def check(candidate):\n    \"\"\"doc\"\"\"\n    assert candidate(0) is True\n"
     "    assert candidate(1) is False, 'message ignored'\n    assert True\n    pass\n"
     "    assert candidate(2) is None\n    assert f(3) == True\n\ncheck(f)\n",
     "[{\"test_id\": \"t-1\", \"inputs\": [0], \"expected_output\": true},"
     " {\"test_id\": \"t-2\", \"inputs\": [1], \"expected_output\": false},"
     " {\"test_id\": \"t-3\", \"inputs\": [2], \"expected_output\": null},"
     " {\"test_id\": \"t-4\", \"inputs\": [3], \"expected_output\": true}]"},
    {"assert abs(f(1.33) - 0.33) < 1e-6\nassert abs(0.5 - f(2)) <= 0.25\n"
     "assert abs(f(3) - 4) < 1",
     "[{\"test_id\": \"t-1\", \"inputs\": [1.33], \"expected_output\": 0.33, \"assert\": \"abs_lt\","
     " \"tolerance\": 1e-06},"
     " {\"test_id\": \"t-2\", \"inputs\": [2], \"expected_output\": 0.5, \"assert\": \"abs_lt\","
     " \"tolerance\": 0.25000000000000006},"
     " {\"test_id\": \"t-3\", \"inputs\": [3], \"expected_output\": 4, \"assert\": \"abs_lt\","
     " \"tolerance\": 1}]"},
    {"assert math.isclose(f(1), 2.5, rel_tol=1e-3)\nassert isclose(3.0, f(2), abs_tol=0.5)\n"
     "assert math.isclose(f(0), -1)",
     "[{\"test_id\": \"t-1\", \"inputs\": [1], \"expected_output\": 2.5, \"assert\": \"isclose\","
     " \"rel_tol\": 0.001},"
     " {\"test_id\": \"t-2\", \"inputs\": [2], \"expected_output\": 3.0, \"assert\": \"isclose\","
     " \"abs_tol\": 0.5},"
     " {\"test_id\": \"t-3\", \"inputs\": [0], \"expected_output\": -1, \"assert\": \"isclose\"}]"},
    {"assert f([])\nassert not f({1: 'a'})\nassert f()",
     "[{\"test_id\": \"t-1\", \"inputs\": [[]], \"assert\": \"truthy\"},"
     " {\"test_id\": \"t-2\", \"inputs\": [{\"__dict__\": [[1, \"a\"]]}], \"assert\": \"falsy\"},"
     " {\"test_id\": \"t-3\", \"inputs\": [], \"assert\": \"truthy\"}]"},
    {"assert f(b'ab', {'b', 'a'}, set(), 1000000000000000000000, 1e999, -1e999, 1+2j,"
     " {'__int__': 1}, --5, -(2.5)) == {'k': (None, [True])}",
     "[{\"test_id\": \"t\", \"inputs\": [{\"__bytes__\": \"YWI=\"}, {\"__set__\": [\"a\", \"b\"]},"
     " {\"__set__\": []}, {\"__int__\": \"1000000000000000000000\"}, {\"__float__\": \"inf\"},"
     " {\"__float__\": \"-inf\"}, {\"__complex__\": [1.0, 2.0]},"
     " {\"__dict__\": [[\"__int__\", 1]]}, 5, -2.5],"
     " \"expected_output\": {\"k\": {\"__tuple__\": [null, [true]]}}}]"},
};
#define N_SHAPES (sizeof shapes / sizeof shapes[0])

START_TEST(compiler_takes_each_shape)
{
    const char *scripts[N_SHAPES];
    for (size_t i = 0; i < N_SHAPES; i++) scripts[i] = shapes[i].script;
    json_t *sets = compile_each(scripts, N_SHAPES);
    for (size_t i = 0; i < N_SHAPES; i++) {
        json_t *a = json_array_get(sets, i), *want = parse(shapes[i].cases);
        char *got = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
        ck_assert_msg(json_is_true(json_object_get(a, "ok")), "shape %zu refused: %s", i, got);
        ck_assert_msg(json_equal(json_object_get(a, "cases"), want), "shape %zu:\n  got  %s\n  want %s",
                      i, got, shapes[i].cases);
        free(got);
        json_decref(want);
    }
    json_decref(sets);
}
END_TEST

/* Each refusal: the whole set stays a script test set, the first reason said. */
static const struct {
    const char *script, *reason;
} refusals[] = {
    {"for x in [1]:\n    assert f(x) == 1", "test t, line 1: a for loop"},
    {"assert f(1) == 1\nwhile True:\n    break", "test t, line 2: a while loop"},
    {"x = 1\nassert f(x) == 1", "line 1: an assignment"},
    {"def helper():\n    return 1\nassert f(1) == helper()", "line 1: a helper function"},
    {"assert f(1) == f(2)", "a comparison of candidate results with each other"},
    {"assert f(x=1) == 1", "a call of the candidate with keyword arguments"},
    {"assert f(*[1]) == 1", "a call of the candidate with star arguments"},
    {"assert f([1] * 3) == 1", "argument 1 is not a literal"},
    {"assert f(1) == 2 * 3", "the expected value is not a literal"},
    {"assert f(1) != 2", "a comparison the compiler does not take (f(1) != 2)"},
    {"assert f(1) == 1 == 1", "a comparison the compiler does not take"},
    {"assert f(1) is 2", "an 'is' comparison other than candidate(...) is True/False/None"},
    {"assert len(f(1)) == 2", "a comparison that does not call the candidate"},
    {"assert g(1) == 1", "a comparison that does not call the candidate"},
    {"assert abs(f(1) - 2) < tol", "the tolerance is not a literal"},
    {"assert abs(f(1) - 2) < -1", "the tolerance is not a finite number >= 0"},
    {"assert abs(f(1) + 2) < 1", "a '<' comparison other than abs(candidate(...) - EXPR) < TOL"},
    {"assert math.isclose(f(1), 2, rel=1)", "isclose() with keyword rel"},
    {"assert math.isclose(f(1), 2, rel_tol='x')", "rel_tol is not a number"},
    {"assert isclose(f(1))", "isclose() without two positional arguments"},
    {"assert f(1) == 1 and f(2) == 2", "an and/or of several conditions"},
    {"assert sorted(f(1))", "an assert of sorted(f(1))"},
    {"print(f(1))", "line 1: a call outside an assert"},
    {"f(1)\n", "line 1: a call outside an assert"},
    {"def check(candidate):\n    assert candidate(1) == 1\n", "check() is defined but never called with f"},
    {"def check(candidate):\n    import os\n    assert candidate(1) == 1\ncheck(f)\n",
     "line 2: an import inside check()"},
    {"def check(candidate):\n    assert candidate(1) == 1\n    for i in []:\n        pass\ncheck(f)\n",
     "test t, line 3: a for loop"},
    {"assert f(1) ==", "the script does not parse"},
    {"assert True\n", "no assert calls the candidate"},
    {"assert f(...) == 1", "a value of type ellipsis (the typed encoding has none)"},
    {"assert f('a\\0b') == 1", "a string holding NUL"},
    {"assert f(1) == 1, 'm'\nwith open('x') as h:\n    pass", "line 2: a with statement"},
};
#define N_REFUSALS (sizeof refusals / sizeof refusals[0])

START_TEST(compiler_refuses_with_the_first_reason)
{
    const char *scripts[N_REFUSALS];
    for (size_t i = 0; i < N_REFUSALS; i++) scripts[i] = refusals[i].script;
    json_t *sets = compile_each(scripts, N_REFUSALS);
    for (size_t i = 0; i < N_REFUSALS; i++) {
        json_t *a = json_array_get(sets, i);
        const char *why = json_string_value(json_object_get(a, "reason"));
        ck_assert_msg(json_is_false(json_object_get(a, "ok")) && why && strstr(why, refusals[i].reason),
                      "refusal %zu (%s): reason %s, want %s", i, refusals[i].script,
                      why ? why : "(compiled)", refusals[i].reason);
    }
    json_decref(sets);

    /* several scripts: one refused refuses the set and names its test id;
     * a set whose scripts all compile keeps their ids; no entry point */
    json_t *req = parse("{\"sets\": ["
                        "{\"id\": \"a\", \"entry\": \"f\", \"scripts\": [{\"test_id\": \"x\", \"script\": "
                        "\"assert f(1) == 1\"}, {\"test_id\": \"y\", \"script\": \"assert f(2) == [f]\"}]},"
                        "{\"id\": \"b\", \"entry\": \"f\", \"scripts\": [{\"test_id\": \"x\", \"script\": "
                        "\"assert f(1) == 1\"}, {\"test_id\": \"y\", \"script\": \"assert not f(2)\"}]},"
                        "{\"id\": \"c\", \"entry\": \"not a name\", \"scripts\": []}]}");
    json_t *reply = NULL;
    jt_err err = JT_ERR_INIT;
    ck_assert_msg(jt_asserts_compile(PYTHON, req, &reply, &err) == 0, "%s", jt_err_msg(&err));
    json_t *s = json_object_get(reply, "sets");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(s, 0), "reason")),
                     "test y, line 1: the expected value is not a literal");
    json_t *want = parse("[{\"test_id\": \"x\", \"inputs\": [1], \"expected_output\": 1},"
                         " {\"test_id\": \"y\", \"inputs\": [2], \"assert\": \"falsy\"}]");
    ck_assert(json_equal(json_object_get(json_array_get(s, 1), "cases"), want));
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(s, 2), "reason")),
                     "no entry point to call");
    json_decref(want);
    json_decref(reply);
    json_decref(req);
}
END_TEST

/* A bad request is the harness's fault and says so; an unusable
 * interpreter fails with the child's end. */
START_TEST(compiler_failures_are_errors)
{
    json_t *req = parse("{\"sets\": 5}"), *reply = NULL;
    jt_err err = JT_ERR_INIT;
    ck_assert_int_eq(jt_asserts_compile(PYTHON, req, &reply, &err), -1);
    ck_assert_msg(strstr(jt_err_msg(&err), "assert compiler: it refused the request"), "%s", jt_err_msg(&err));
    ck_assert_ptr_null(reply);
    jt_err_clear(&err);
    json_decref(req);
    req = parse("{\"sets\": []}");
    ck_assert_int_eq(jt_asserts_compile("/bin/false", req, &reply, &err), -1);
    ck_assert_msg(strstr(jt_err_msg(&err), "without answering"), "%s", jt_err_msg(&err));
    jt_err_clear(&err);
    json_decref(req);
    ck_assert_ptr_nonnull(strstr(jt_asserts_compiler_source(), "def compile_request"));
}
END_TEST

/* The MBPP-style assert scripts of suites/examples (hand-written mode script
 * test sets, tried by the compiler like datasets' and kept as scripts when
 * they do not compile fully): how many compile, each on its own and as
 * whole test sets. Printed for the log. */
START_TEST(example_mbpp_style_asserts_counted)
{
    jt_suite *s = NULL;
    jt_err err = JT_ERR_INIT;
    char *path = jt_xasprintf("%s/suites/examples/mbpp_style.yaml", jt_test_srcdir());
    ck_assert_msg(jt_suite_load(path, &s, &err) == 0, "%s", jt_err_msg(&err));
    json_t *each = json_array(), *whole = json_array();
    for (size_t i = 0; i < s->n_test_sets; i++) {
        const jt_test_set *ts = &s->test_sets[i];
        if (strcmp(ts->mode, "script")) continue;
        ck_assert(ts->asserts); /* every script test set is tried (docs/design.md "Assert compiler") */
        json_t *scripts = json_array();
        size_t k;
        json_t *tc;
        json_array_foreach(ts->test_cases, k, tc) {
            json_t *one = json_pack("{s:O,s:O}", "test_id", json_object_get(tc, "test_id"), "script",
                                    json_object_get(tc, "script"));
            json_array_append(scripts, one);
            json_array_append_new(each, json_pack("{s:s,s:s,s:[o]}", "id", ts->id, "entry",
                                                  ts->function_name, "scripts", one));
        }
        json_array_append_new(whole, json_pack("{s:s,s:s,s:o}", "id", ts->id, "entry",
                                               ts->function_name, "scripts", scripts));
    }
    json_t *req = json_pack("{s:o}", "sets", each), *reply = NULL;
    ck_assert_int_eq(jt_asserts_compile(PYTHON, req, &reply, &err), 0);
    size_t n = json_array_size(json_object_get(reply, "sets")), ok = 0, i;
    json_t *a;
    json_array_foreach(json_object_get(reply, "sets"), i, a) ok += json_is_true(json_object_get(a, "ok"));
    json_decref(reply);
    json_decref(req);
    req = json_pack("{s:o}", "sets", whole);
    ck_assert_int_eq(jt_asserts_compile(PYTHON, req, &reply, &err), 0);
    size_t sets = json_array_size(json_object_get(reply, "sets")), sets_ok = 0;
    json_array_foreach(json_object_get(reply, "sets"), i, a) {
        sets_ok += json_is_true(json_object_get(a, "ok"));
        if (!json_is_true(json_object_get(a, "ok")))
            printf("mbpp_style.yaml %s stays a script: %s\n",
                   json_string_value(json_object_get(a, "id")),
                   json_string_value(json_object_get(a, "reason")));
    }
    printf("suites/examples MBPP-style asserts: %zu of %zu compile; %zu of %zu script test sets "
           "compile fully\n", ok, n, sets_ok, sets);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(ok, 2); /* c: isclose(sum(...)) is not a candidate call */
    ck_assert_uint_eq(sets_ok, 0);
    json_decref(reply);
    json_decref(req);
    jt_suite_free(s);
    free(path);
}
END_TEST

/* An MBPP file and a HumanEval file (tests/fixtures/asserts), a canonical
 * and a wrong candidate on each kind of test set. */
static char *datasets_suite(const char *dir)
{
    char *fx = jt_xasprintf("%s/tests/fixtures/asserts", jt_test_srcdir());
    char *yaml = jt_xasprintf(
        "suite: asserts\n"
        "defaults: {min_trial_seconds: 0.02, min_trials: 3, energy_measurement_trials: 4,\n"
        "           timeout_seconds: 10}\n"
        "test_sets:\n"
        "  - problems: {format: mbpp, path: %s/mbpp.jsonl, canonical_candidates: true}\n"
        "  - problems: {format: humaneval, path: %s/humaneval.jsonl, canonical_candidates: true}\n"
        "candidates:\n"
        "  - {id: add-wrong, test_set: MBPP/1, candidate_code: 'def add(a, b): return a - b'}\n"
        "  - {id: even-int, test_set: MBPP/2, candidate_code: 'def is_even(x): return int(x %% 2 == 0)'}\n"
        "  - {id: rng-wrong, test_set: MBPP/3, candidate_code: 'def upto(n): return [0, 1, 2]'}\n"
        "  - {id: mean-wrong, test_set: HE/1, candidate_code: 'def mean(xs): return 0.0'}\n"
        "  - {id: sq-wrong, test_set: HE/2, candidate_code: 'def square(x): return x + x'}\n",
        fx, fx);
    char *p = jt_test_write_file(dir, "asserts.yaml", yaml);
    free(yaml);
    free(fx);
    return p;
}

static json_t *row_of(json_t *rows, const char *id)
{
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) if (!strcmp(json_string_value(json_object_get(r, "id")), id)) return r;
    ck_abort_msg("no row %s", id);
    return NULL;
}

static size_t files_in(const char *dir)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    for (struct dirent *e; d && (e = readdir(d));) n += e->d_name[0] != '.';
    if (d) closedir(d);
    return n;
}

START_TEST(datasets_compile_before_judging_and_cache)
{
    jt_runenv e;
    jt_runenv_init(&e, NULL, NULL, NULL);
    char *suite = datasets_suite(e.dir), *cache = jt_xasprintf("%s/cache", e.dir);
    char *out = NULL, *err = NULL;
    const char *parse_only[] = {"validate", "--parse-only", suite, NULL};
    ck_assert_int_eq(jt_runenv_run(&e, parse_only, &out, &err), 0);
    ck_assert_uint_eq(files_in(cache), 0); /* nothing compiled, no child */
    free(out), free(err);
    for (int round = 0; round < 2; round++) { /* the second from the cache */
        const char *a[] = {"validate", "--json", suite, NULL};
        ck_assert_int_eq(jt_runenv_run(&e, a, &out, &err), 0);
        json_t *doc = parse(out), *rows = json_object_get(doc, "candidates");
        static const struct {
            const char *id, *status;
            bool in_process;
        } want[] = {
            {"MBPP/1#canonical", "correct", false}, {"MBPP/2#canonical", "correct", false},
            {"MBPP/3#canonical", "correct", true},  {"HE/1#canonical", "correct", false},
            {"HE/2#canonical", "correct", true},    {"add-wrong", "incorrect", false},
            {"even-int", "incorrect", false},       {"rng-wrong", "incorrect", true},
            {"mean-wrong", "incorrect", false},     {"sq-wrong", "incorrect", true},
        };
        for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
            json_t *r = row_of(rows, want[i].id);
            ck_assert_msg(!strcmp(json_string_value(json_object_get(r, "status")), want[i].status),
                          "%s: %s", want[i].id, json_string_value(json_object_get(r, "status")));
            ck_assert_msg(json_is_true(json_object_get(r, "judged_in_process")) == want[i].in_process,
                          "%s judged_in_process", want[i].id);
        }
        /* compiled: per assert, MBPP's ids; `is True` wants a bool (1 is not) */
        json_t *f = json_array_get(json_object_get(row_of(rows, "even-int"), "failures"), 0);
        ck_assert_str_eq(json_string_value(json_object_get(f, "test_id")), "assert-2");
        ck_assert_uint_eq(json_integer_value(json_object_get(json_object_get(row_of(rows, "even-int"),
                                                                              "validation"), "passed_tests")), 2);
        f = json_array_get(json_object_get(row_of(rows, "mean-wrong"), "failures"), 0);
        ck_assert_str_eq(json_string_value(json_object_get(f, "test_id")), "check-1");
        ck_assert_uint_eq(json_array_size(json_object_get(row_of(rows, "mean-wrong"), "failures")), 3);
        /* not compiled: the reason, and the script's own assertion failure */
        ck_assert_str_eq(json_string_value(json_object_get(row_of(rows, "rng-wrong"), "judged_in_process_reason")),
                         "test assert-1, line 1: a for loop");
        ck_assert_str_eq(json_string_value(json_object_get(row_of(rows, "sq-wrong"), "judged_in_process_reason")),
                         "test check, line 4: an assignment");
        f = json_array_get(json_object_get(row_of(rows, "sq-wrong"), "failures"), 0);
        ck_assert_str_eq(json_string_value(json_object_get(f, "error_type")), "AssertionError");
        ck_assert_uint_eq(files_in(cache), 5); /* one answer per test set with candidates */
        json_decref(doc);
        free(out), free(err);
    }
    free(cache), free(suite);
    jt_runenv_free(&e);
}
END_TEST

/* A run: records, results.csv, leaderboard.csv and index.html say which
 * candidates were judged in their own process. */
START_TEST(run_reports_judged_in_process)
{
    jt_runenv e;
    jt_runenv_init(&e, NULL, NULL, NULL);
    jt_runenv_calibrate(&e);
    char *suite = datasets_suite(e.dir), *out = NULL, *err = NULL;
    const char *a[] = {"run", suite, "-o", e.out, "--backend", "model", "--quiet", NULL};
    int rc = jt_runenv_run(&e, a, &out, &err);
    ck_assert_msg(rc == 0, "run: %d\n%s", rc, err);
    char *jpath = jt_xasprintf("%s/journal.jsonl", e.out), *journal = jt_test_read_file(jpath);
    ck_assert_ptr_nonnull(journal);
    size_t flagged = 0, said = 0;
    for (char *line = strtok(journal, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *rec = parse(line);
        const char *type = json_string_value(json_object_get(rec, "type"));
        if (!strcmp(type, "candidate")) {
            const char *id = json_string_value(json_object_get(rec, "id"));
            bool script = !strncmp(id, "MBPP/3", 6) || !strncmp(id, "HE/2", 4) ||
                          !strcmp(id, "rng-wrong") || !strcmp(id, "sq-wrong");
            ck_assert_msg(json_is_boolean(json_object_get(rec, "judged_in_process")), "%s", id);
            ck_assert_msg(json_is_true(json_object_get(rec, "judged_in_process")) == script, "%s", id);
            flagged += script;
            said++;
        }
        json_decref(rec);
    }
    ck_assert_uint_ge(flagged, 2);
    ck_assert_uint_ge(said, 5);
    static const char *const files[] = {"results.csv", "leaderboard.csv"};
    for (size_t i = 0; i < 2; i++) { /* the column, by name: HE/2 is judged in process */
        char *p = jt_xasprintf("%s/%s", e.out, files[i]);
        jt_csv_table t;
        jt_err cerr = JT_ERR_INIT;
        ck_assert_msg(jt_csv_read_file(p, &t, &cerr) == 0, "%s", jt_err_msg(&cerr));
        long jip = jt_csv_col(&t, "judged_in_process"), tsc = jt_csv_col(&t, "test_set");
        ck_assert_msg(jip >= 0 && tsc >= 0, "%s: no judged_in_process or test_set column", files[i]);
        size_t he2 = 0;
        for (size_t r = 0; r < t.nrows; r++) {
            if (strcmp(jt_csv_get(&t, r, (size_t)tsc), "HE/2")) continue;
            he2++;
            ck_assert_msg(!strcmp(jt_csv_get(&t, r, (size_t)jip), "true"),
                          "%s: HE/2 row not judged_in_process", files[i]);
        }
        ck_assert_msg(he2 > 0, "%s has no HE/2 row", files[i]);
        jt_csv_free(&t);
        free(p);
    }
    char *hp = jt_xasprintf("%s/index.html", e.out), *html = jt_test_read_file(hp);
    ck_assert_ptr_nonnull(strstr(html, "judged in process</span>"));
    free(html), free(hp), free(journal), free(jpath), free(out), free(err), free(suite);
    jt_runenv_free(&e);
}
END_TEST

static Suite *asserts_suite(void)
{
    Suite *s = suite_create("asserts");
    TCase *tc = tcase_create("compiler");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, jt_test_sandbox_setup, jt_test_sandbox_teardown);
    tcase_add_test(tc, compiler_takes_each_shape);
    tcase_add_test(tc, compiler_refuses_with_the_first_reason);
    tcase_add_test(tc, compiler_failures_are_errors);
    tcase_add_test(tc, example_mbpp_style_asserts_counted);
    suite_add_tcase(s, tc);
    TCase *wired = tcase_create("wiring");
    tcase_set_timeout(wired, 240);
    tcase_add_test(wired, datasets_compile_before_judging_and_cache);
    tcase_add_test(wired, run_reports_judged_in_process);
    suite_add_tcase(s, wired);
    return s;
}

JT_TEST_MAIN(asserts_suite)
