/* Tests of the per-test assert kinds (runners/assert_kinds.py, docs/design.md
 * "Assert kinds") through the sandboxed runner: what each kind passes and
 * fails on plain data (bools are not numbers, nan never passes, objects
 * with their own __bool__ or __eq__ are not plain data), that tests without
 * `assert` keep the comparator, and that a kind the runner cannot judge is
 * the suite's fault. The C table (modes.h) and the runner's agree.
 * Every test ends with check_clean(): no process of ours and no workdir left. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jouletrace/modes.h"
#include "jouletrace/pyrun.h"
#include "support/pyruntest.h"
#include "support/testutil.h"

/* solve(tag) returns the value named by tag. */
#define VALUES_PY                                                                            \
    "import math\n"                                                                          \
    "class Sneaky:\n"                                                                        \
    "    def __bool__(self):\n        return True\n"                                        \
    "    def __eq__(self, other):\n        return True\n"                                   \
    "    def __sub__(self, other):\n        return 0.0\n"                                   \
    "    def __abs__(self):\n        return 0.0\n"                                          \
    "def solve(tag):\n"                                                                      \
    "    return {'one': 1, 'zero': 0, 'empty': [], 'list': [1], 'str': 'x', 'none': None,\n" \
    "            'true': True, 'false': False, 'sneaky': Sneaky(), 'f1.05': 1.05,\n"         \
    "            'f1.2': 1.2, 'f1': 1.0, 'nan': math.nan, 'inf': math.inf,\n"               \
    "            'big': 10 ** 400, 'c': 1 + 0.01j, 's1': '1', 'f1+': 1.0 + 1e-12,\n"         \
    "            'f1.001': 1.001, 'f0.4': 0.4, 'five': 5}[tag]\n"    

static const struct {
    const char *tag, *kind, *extra; /* extra: JSON members after "assert" (tolerances, expected) */
    bool pass;
} cases[] = {
    {"one", "truthy", "", true},
    {"str", "truthy", "", true},
    {"empty", "truthy", "", false},
    {"none", "truthy", "", false},
    {"sneaky", "truthy", "", false}, /* not plain data */
    {"zero", "falsy", "", true},
    {"none", "falsy", "", true},
    {"list", "falsy", "", false},
    {"sneaky", "falsy", "", false},
    {"f1.05", "abs_lt", ", \"expected_output\": 1.0, \"tolerance\": 0.1", true},
    {"one", "abs_lt", ", \"expected_output\": 1.0, \"tolerance\": 0.1", true},
    {"c", "abs_lt", ", \"expected_output\": 1, \"tolerance\": 0.1", true},
    {"f1.2", "abs_lt", ", \"expected_output\": 1.0, \"tolerance\": 0.1", false},
    {"f1", "abs_lt", ", \"expected_output\": 1.0, \"tolerance\": 0", false}, /* strictly below */
    {"true", "abs_lt", ", \"expected_output\": 1.0, \"tolerance\": 0.1", false},
    {"s1", "abs_lt", ", \"expected_output\": 1.0, \"tolerance\": 0.1", false},
    {"nan", "abs_lt", ", \"expected_output\": {\"__float__\": \"nan\"}, \"tolerance\": 1", false},
    {"inf", "abs_lt", ", \"expected_output\": {\"__float__\": \"inf\"}, \"tolerance\": 1", false},
    {"big", "abs_lt", ", \"expected_output\": 1.0, \"tolerance\": 1", false},
    {"sneaky", "abs_lt", ", \"expected_output\": 1.0, \"tolerance\": 1", false},
    {"f1+", "isclose", ", \"expected_output\": 1.0", true},
    {"f1.001", "isclose", ", \"expected_output\": 1.0", false},
    {"f1.001", "isclose", ", \"expected_output\": 1.0, \"rel_tol\": 0.01", true},
    {"f0.4", "isclose", ", \"expected_output\": 0, \"abs_tol\": 0.5", true},
    {"f0.4", "isclose", ", \"expected_output\": 0", false},
    {"inf", "isclose", ", \"expected_output\": {\"__float__\": \"inf\"}", true}, /* math.isclose */
    {"nan", "isclose", ", \"expected_output\": {\"__float__\": \"nan\"}, \"abs_tol\": 1", false},
    {"true", "isclose", ", \"expected_output\": 1", false},
    {"c", "isclose", ", \"expected_output\": 1, \"abs_tol\": 1", false},
    {"big", "isclose", ", \"expected_output\": 1.0, \"rel_tol\": 1", false},
    /* no assert: the test set's comparator (exact; a bool is not an int) */
    {"five", NULL, ", \"expected_output\": 5", true},
    {"true", NULL, ", \"expected_output\": 1", false},
    {"true", NULL, ", \"expected_output\": true", true},
};
#define N_CASES (sizeof cases / sizeof cases[0])

START_TEST(kinds_judge_plain_data)
{
    jt_buf b = JT_BUF_INIT;
    jt_buf_adds(&b, "[");
    for (size_t i = 0; i < N_CASES; i++) {
        jt_buf_addf(&b, "%s{\"test_id\": \"c%zu\", \"inputs\": [\"%s\"]", i ? ", " : "", i, cases[i].tag);
        if (cases[i].kind) jt_buf_addf(&b, ", \"assert\": \"%s\"", cases[i].kind);
        jt_buf_addf(&b, "%s}", cases[i].extra);
    }
    jt_buf_adds(&b, "]");
    json_t *tests = parse(jt_buf_str(&b));
    jt_buf_release(&b);
    jt_pyrun_config cfg = config(VALUES_PY, tests);
    jt_pyrun *r = start(&cfg);
    jt_validation v;
    validate(r, &v);
    ck_assert_uint_eq(v.n_results, N_CASES);
    for (size_t i = 0; i < N_CASES; i++)
        ck_assert_msg(v.results[i].passed == cases[i].pass, "c%zu: %s %s%s: passed %d (%s %s)", i,
                      cases[i].tag, cases[i].kind ? cases[i].kind : "(comparator)", cases[i].extra,
                      v.results[i].passed, v.results[i].error_type ? v.results[i].error_type : "",
                      v.results[i].error_message ? v.results[i].error_message : "");
    ck_assert_int_eq(v.verdict, JT_VERDICT_INCORRECT);
    jt_validation_release(&v);
    jt_pyrun_free(r);
    json_decref(tests);

    /* every kind of the C table is one the runner judges (the cases above
     * all ran, so none was refused), and the cases use each of them */
    const char *names[8];
    jt_assert_kind_names(names);
    size_t n = 0;
    for (; names[n]; n++) {
        bool used = false;
        for (size_t i = 0; i < N_CASES && !used; i++) used = cases[i].kind && !strcmp(cases[i].kind, names[n]);
        ck_assert_msg(used, "no case uses assert kind %s", names[n]);
    }
    ck_assert_uint_eq(n, 4);
    check_clean();
}
END_TEST

/* A test set the runner cannot judge is the suite's fault (failed), never
 * the candidate's. */
START_TEST(kinds_the_runner_refuses)
{
    static const struct {
        const char *tests, *reason;
    } bad[] = {
        {"[{\"test_id\": \"t\", \"inputs\": [\"one\"], \"assert\": \"maybe\"}]", "unknown assert 'maybe'"},
        {"[{\"test_id\": \"t\", \"inputs\": [\"one\"], \"assert\": \"abs_lt\", \"expected_output\": 1}]",
         "assert abs_lt needs tolerance"},
        {"[{\"test_id\": \"t\", \"inputs\": [\"one\"], \"assert\": \"isclose\", \"expected_output\": 1,"
         " \"rel_tol\": -1}]",
         "rel_tol must be a finite number >= 0"},
        {"[{\"test_id\": \"t\", \"inputs\": [\"one\"], \"assert\": \"isclose\", \"expected_output\": 1,"
         " \"abs_tol\": true}]",
         "abs_tol must be a finite number >= 0"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *tests = parse(bad[i].tests);
        jt_pyrun_config cfg = config(VALUES_PY, tests);
        jt_pyrun *r = start(&cfg);
        jt_validation v;
        validate(r, &v);
        ck_assert_msg(v.verdict == JT_VERDICT_FAILED && v.reason && strstr(v.reason, bad[i].reason),
                      "%zu: %s: %s", i, jt_verdict_name(v.verdict), v.reason ? v.reason : "");
        jt_validation_release(&v);
        jt_pyrun_free(r);
        json_decref(tests);
    }
    check_clean();
}
END_TEST

static Suite *assert_kinds_suite(void)
{
    Suite *s = suite_create("assert_kinds");
    TCase *tc = tcase_create("runner");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, kinds_judge_plain_data);
    tcase_add_test(tc, kinds_the_runner_refuses);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(assert_kinds_suite)
