/* Tests for jt_pyrun_outputs(): the typed encoding of what a reference
 * returns, its bounds and its failures.
 * Every test ends with check_clean(): no process of ours and no workdir left. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "jouletrace/pyrun.h"
#include "support/pyruntest.h"
#include "support/testutil.h"

/* outputs: the typed encoding, errors as {"__error__"}, and a round trip
 * through validation with a type-exact checker. */
#define OUTPUTS_PY                                                                           \
    "import collections, math\n"                                                             \
    "class Weird:\n    pass\n"                                                               \
    "def solve(k):\n"                                                                        \
    "    if isinstance(k, list):\n        k.append(6)\n        return k\n"                   \
    "    if k == 'cycle':\n        c = []\n        c.append(c)\n        return c\n"         \
    "    if k == 'raise':\n        raise KeyError('nope')\n"                                 \
    "    return {'tuple': (1, 'a', [2]), 'set': {3, 1, 2}, 'frozenset': frozenset('ba'),\n" \
    "            'bytes': b'\\x00hi\\xff', 'complex': complex(1.5, -math.inf),\n"            \
    "            'big': 10 ** 30, 'floats': [math.nan, math.inf, -0.0, 1.5],\n"              \
    "            'int64': [2 ** 63 - 1, -2 ** 63, 2 ** 63],\n"                               \
    "            'intkeys': {1: 'one', (2, 3): [4]}, 'marker': {'__tuple__': [1]},\n"        \
    "            'plain': {'a': [1, None, True, 'x']}, 'object': Weird(),\n"                 \
    "            'nested object': [1, {2: Weird()}], 'nul': 'a\\x00b',\n"                    \
    "            'deque': collections.deque([1])}[k]\n"

#define PLAIN "(None, bool, int, float, complex, str, bytes, list, tuple, set, frozenset, dict)"

static const struct {
    const char *input, *output; /* JSON */
    bool round_trips;
} outputs_cases[] = {
    {"\"tuple\"", "{\"__tuple__\": [1, \"a\", [2]]}", true},
    {"\"set\"", "{\"__set__\": [1, 2, 3]}", true},
    {"\"frozenset\"", "{\"__frozenset__\": [\"a\", \"b\"]}", true},
    {"\"bytes\"", "{\"__bytes__\": \"AGhp/w==\"}", true},
    {"\"complex\"", "{\"__complex__\": [1.5, {\"__float__\": \"-inf\"}]}", true},
    {"\"big\"", "{\"__int__\": \"1000000000000000000000000000000\"}", true},
    {"\"floats\"", "[{\"__float__\": \"nan\"}, {\"__float__\": \"inf\"}, -0.0, 1.5]", true},
    {"\"int64\"", "[9223372036854775807, -9223372036854775808,"
                  " {\"__int__\": \"9223372036854775808\"}]", true},
    {"\"intkeys\"", "{\"__dict__\": [[1, \"one\"], [{\"__tuple__\": [2, 3]}, [4]]]}", true},
    {"\"marker\"", "{\"__dict__\": [[\"__tuple__\", [1]]]}", true},
    {"\"plain\"", "{\"a\": [1, null, true, \"x\"]}", true},
    {"[5]", "[5, 6]", true},
    /* only plain data is encoded, by exact type (docs/design.md "Judging") */
    {"\"object\"", "{\"__error__\": \"the output is of type Weird, not plain data " PLAIN "\"}", false},
    {"\"nested object\"", "{\"__error__\": \"the output is of type Weird, not plain data " PLAIN "\"}", false},
    {"\"deque\"", "{\"__error__\": \"the output is of type deque, not plain data " PLAIN "\"}", false},
    {"\"nul\"", "{\"__error__\": \"unencodable str (contains NUL)\"}", false},
    {"\"cycle\"", "{\"__error__\": \"unencodable (nested more than 200 deep, or cyclic)\"}", false},
    {"\"raise\"", "{\"__error__\": \"KeyError: 'nope'\"}", false},
};
#define N_OUTPUTS_CASES (sizeof outputs_cases / sizeof outputs_cases[0])

#define TYPE_EXACT_CHECKER                                                                   \
    "import math\n"                                                                          \
    "def canon(v):\n"                                                                        \
    "    t = type(v).__name__\n"                                                             \
    "    if isinstance(v, (set, frozenset)):\n"                                              \
    "        return t + repr(sorted(canon(x) for x in v))\n"                                 \
    "    if isinstance(v, (list, tuple)):\n"                                                 \
    "        return t + repr([canon(x) for x in v])\n"                                       \
    "    if isinstance(v, dict):\n"                                                          \
    "        return t + repr(sorted((canon(k), canon(x)) for k, x in v.items()))\n"          \
    "    if isinstance(v, float) and math.isnan(v):\n"                                       \
    "        return 'nan'\n"                                                                 \
    "    return t + repr(v)\n"                                                               \
    "def check(inputs, expected, output):\n"                                                 \
    "    return canon(expected) == canon(output)\n"

START_TEST(outputs_round_trip)
{
    json_t *tests = json_array();
    for (size_t i = 0; i < N_OUTPUTS_CASES; i++)
        json_array_append_new(tests, json_pack("{s:s%,s:[o]}", "test_id", outputs_cases[i].input,
                                               strlen(outputs_cases[i].input), "inputs",
                                               parse_any(outputs_cases[i].input)));
    jt_pyrun_config cfg = config(OUTPUTS_PY, tests);
    jt_pyrun *r = start(&cfg);
    jt_err err = JT_ERR_INIT;
    jt_verdict verdict = JT_VERDICT_CORRECT;
    json_t *outs = NULL;
    for (int pass = 0; pass < 2; pass++) { /* inputs are fresh copies every time */
        json_decref(outs);
        ck_assert_msg(jt_pyrun_outputs(r, &outs, &verdict, &err) == 0, "%s", jt_err_msg(&err));
        ck_assert_uint_eq(json_array_size(outs), N_OUTPUTS_CASES);
        for (size_t i = 0; i < N_OUTPUTS_CASES; i++) {
            json_t *want = parse_any(outputs_cases[i].output);
            char *got = json_dumps(json_array_get(outs, i), JSON_COMPACT | JSON_ENCODE_ANY);
            ck_assert_msg(json_equal(want, json_array_get(outs, i)), "%s: got %s",
                          outputs_cases[i].input, got);
            free(got);
            json_decref(want);
        }
    }
    jt_pyrun_free(r);

    /* what decodes back passes a type-exact checker and the exact comparator */
    json_t *again = json_array();
    for (size_t i = 0; i < N_OUTPUTS_CASES; i++) {
        if (!outputs_cases[i].round_trips) continue;
        json_t *t = json_deep_copy(json_array_get(tests, i));
        json_object_set(t, "expected_output", json_array_get(outs, i));
        json_array_append_new(again, t);
    }
    for (int checker = 1; checker >= 0; checker--) {
        jt_pyrun_config cfg2 = config(OUTPUTS_PY, again);
        cfg2.comparator = checker ? "checker" : "exact";
        cfg2.checker_code = checker ? TYPE_EXACT_CHECKER : NULL;
        r = start(&cfg2);
        jt_validation v;
        validate(r, &v);
        ck_assert_msg(v.verdict == JT_VERDICT_CORRECT, "%s", v.reason);
        ck_assert_uint_eq(v.passed, json_array_size(again));
        jt_validation_release(&v);
        jt_pyrun_free(r);
    }
    json_decref(again);
    json_decref(outs);
    jt_err_clear(&err);
    json_decref(tests);
    check_clean();
}
END_TEST

/* A reference that returns too much cannot flood the harness: each output is
 * capped at 16 MiB encoded (a huge int is refused before it is printed), the
 * reply at 48 MiB in total. */
START_TEST(outputs_are_bounded)
{
    json_t *tests = parse("[{\"test_id\": \"s\", \"inputs\": [\"str\"]},"
                          " {\"test_id\": \"l\", \"inputs\": [\"list\"]},"
                          " {\"test_id\": \"i\", \"inputs\": [\"bigint\"]},"
                          " {\"test_id\": \"c1\", \"inputs\": [\"chunk\"]},"
                          " {\"test_id\": \"c2\", \"inputs\": [\"chunk\"]},"
                          " {\"test_id\": \"c3\", \"inputs\": [\"chunk\"]},"
                          " {\"test_id\": \"c4\", \"inputs\": [\"chunk\"]},"
                          " {\"test_id\": \"x\", \"inputs\": [\"small\"]}]");
    jt_pyrun_config cfg = config("def solve(k):\n"
                                 "    if k == 'str':\n        return 'x' * (17 << 20)\n"
                                 "    if k == 'list':\n        return list(range(3000000))\n"
                                 "    if k == 'bigint':\n        return 1 << (64 << 20)\n"
                                 "    if k == 'chunk':\n        return 'y' * (15 << 20)\n"
                                 "    return k\n", tests);
    jt_pyrun *r = start(&cfg);
    jt_err err = JT_ERR_INIT;
    jt_verdict verdict = JT_VERDICT_CORRECT;
    json_t *outs = NULL;
    ck_assert_msg(jt_pyrun_outputs(r, &outs, &verdict, &err) == 0, "%s", jt_err_msg(&err));
    const char *big = "output exceeds 16 MiB encoded";
    for (int i = 0; i < 3; i++)
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(outs, i), "__error__")),
                         big);
    for (int i = 3; i < 6; i++)
        ck_assert_uint_eq(json_string_length(json_array_get(outs, i)), 15 << 20);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(outs, 6), "__error__")),
                     "outputs exceed 48 MiB in total");
    ck_assert_str_eq(json_string_value(json_array_get(outs, 7)), "small");
    json_decref(outs);
    jt_pyrun_free(r);
    jt_err_clear(&err);
    json_decref(tests);
    check_clean();
}
END_TEST

START_TEST(outputs_failures)
{
    /* mode script has no outputs: refused, the child stays */
    json_t *tests = parse(SCRIPT("assert solve(2) == 4"));
    jt_pyrun_config cfg = config(SQUARE_PY, tests);
    cfg.mode = "script";
    jt_pyrun *r = start(&cfg);
    jt_err err = JT_ERR_INIT;
    jt_verdict verdict = JT_VERDICT_CORRECT;
    json_t *outs = NULL;
    ck_assert_int_eq(jt_pyrun_outputs(r, &outs, &verdict, &err), -1);
    ck_assert_int_eq(verdict, JT_VERDICT_FAILED);
    ck_assert_ptr_null(outs);
    ck_assert_int_ge(jt_pyrun_pid(r), 1);
    jt_validation v;
    validate(r, &v);
    ck_assert_int_eq(v.verdict, JT_VERDICT_CORRECT);
    jt_validation_release(&v);
    jt_pyrun_free(r);
    json_decref(tests);

    /* not while a run is pending */
    tests = parse(SQUARE);
    cfg = config(SQUARE_PY, tests);
    r = start(&cfg);
    jt_run_result rr;
    ck_assert_int_eq(jt_pyrun_run_begin(r, 1, &err), 0);
    ck_assert_int_eq(jt_pyrun_outputs(r, &outs, &verdict, &err), -1);
    ck_assert_int_eq(jt_pyrun_run_end(r, &rr, &verdict, &err), 0);
    ck_assert_int_eq(jt_pyrun_outputs(r, &outs, &verdict, &err), 0);
    ck_assert_int_eq(json_integer_value(json_array_get(outs, 1)), 49);
    json_decref(outs);
    outs = NULL;
    jt_pyrun_free(r);

    /* bounded by timeout_seconds */
    cfg = config("def solve(x):\n    while x == 7:\n        pass\n    return x\n", tests);
    cfg.timeout_seconds = 1;
    r = start(&cfg);
    double t0 = now();
    ck_assert_int_eq(jt_pyrun_outputs(r, &outs, &verdict, &err), -1);
    ck_assert_double_ge(now() - t0, cfg.timeout_seconds); /* it loops forever: the deadline ended it */
    ck_assert_int_eq(verdict, JT_VERDICT_TIMEOUT);
    ck_assert_ptr_nonnull(strstr(jt_err_msg(&err), "outputs ran past timeout_seconds"));
    ck_assert_int_eq(jt_pyrun_pid(r), -1);
    ck_assert_int_eq(jt_pyrun_outputs(r, &outs, &verdict, &err), -1); /* and stays gone */
    ck_assert_int_eq(verdict, JT_VERDICT_TIMEOUT);
    jt_pyrun_free(r);
    jt_err_clear(&err);
    json_decref(tests);
    check_clean();
}
END_TEST

static Suite *pyrun_outputs_suite(void)
{
    Suite *s = suite_create("pyrun_outputs");
    TCase *tc = tcase_create("runner");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, outputs_round_trip);
    tcase_add_test(tc, outputs_are_bounded);
    tcase_add_test(tc, outputs_failures);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(pyrun_outputs_suite)
