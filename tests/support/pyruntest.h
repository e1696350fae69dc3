/* Shared by the tests of harness/exec/pyrun.c and the Python runner
 * (tests/test_pyrun*.c): a candidate's config, JSON parsing, start and
 * validate that assert they worked, and the test sets several files use.
 * Static inline: each test binary uses its own part. */
#ifndef JT_TEST_PYRUNTEST_H
#define JT_TEST_PYRUNTEST_H

#include <jansson.h>

#include "jouletrace/pyrun.h"
#include "support/testutil.h"

#define setup jt_test_sandbox_setup
#define teardown jt_test_sandbox_teardown
#define check_clean jt_test_sandbox_check_clean
#define now jt_test_now

static inline jt_pyrun_config config(const char *code, const json_t *tests)
{
    jt_pyrun_config cfg = {
        .python = "/usr/bin/python3",
        .code = code,
        .filename = "cand.py",
        .function_name = "solve",
        .test_cases = tests,
        .float_tolerance = 1e-9,
        .timeout_seconds = 10,
        .memory_limit_mb = 1024,
        .cpu = -1,
    };
    return cfg;
}

static inline json_t *parse(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    ck_assert_msg(j != NULL, "bad test JSON: %s", e.text);
    return j;
}

static inline json_t *parse_any(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &e);
    ck_assert_msg(j != NULL, "bad test JSON: %s", e.text);
    return j;
}

static inline jt_pyrun *start(const jt_pyrun_config *cfg)
{
    jt_pyrun *r = NULL;
    jt_err err = JT_ERR_INIT;
    ck_assert_msg(jt_pyrun_start(cfg, &r, &err) == 0, "start: %s", jt_err_msg(&err));
    jt_err_clear(&err);
    return r;
}

static inline void validate(jt_pyrun *r, jt_validation *v)
{
    jt_err err = JT_ERR_INIT;
    ck_assert_msg(jt_pyrun_validate(r, v, &err) == 0, "validate: %s", jt_err_msg(&err));
    jt_err_clear(&err);
}

#define SQUARE "[{\"test_id\": \"t1\", \"inputs\": [2], \"expected_output\": 4}," \
               " {\"test_id\": \"t2\", \"inputs\": [7], \"expected_output\": 49}]"
#define ONE(in, out) "[{\"test_id\": \"t1\", \"inputs\": " in ", \"expected_output\": " out "}]"
#define SCRIPT(s) "[{\"test_id\": \"s1\", \"script\": \"" s "\"}]"
#define SQUARE_PY "def solve(x):\n    return x * x\n"

#endif
