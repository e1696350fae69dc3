/* pyrun's run figures come from the harness (docs/design.md "Trial"): a
 * candidate that patches the clocks the runner reads, or does its work in a
 * forked child, is charged the CPU it really burnt, and the child's own
 * contradicting figure sets a disagreement bit. Each call to solve burns a
 * fixed amount of CPU on its thread's clock (a reference taken before any
 * patching), so what was burnt is known without trusting any timing. */
#include <check.h>
#include <jansson.h>

#include "jouletrace/pyrun.h"
#include "support/pyruntest.h"
#include "support/testutil.h"

#define ITERATIONS 3
#define BURN_S 0.1

/* Burns BURN_S of thread CPU per call, then reports ~0 through every clock
 * and counter the runner (or anyone) could read. */
static const char patched_py[] =
    "import os, resource, time\n"
    "_cpu = time.clock_gettime\n"
    "_T = time.CLOCK_THREAD_CPUTIME_ID\n"
    "def burn():\n"
    "    t0 = _cpu(_T)\n"
    "    while _cpu(_T) - t0 < 0.1:\n"
    "        pass\n"
    "_zero = resource.getrusage(resource.RUSAGE_SELF)\n"
    "_zero = resource.struct_rusage((0.0, 0.0) + tuple(_zero)[2:])\n"
    "time.perf_counter_ns = lambda: 0\n"
    "time.perf_counter = lambda: 0.0\n"
    "time.process_time_ns = lambda: 0\n"
    "time.process_time = lambda: 0.0\n"
    "resource.getrusage = lambda who: _zero\n"
    "os.times = lambda: os.times_result((0.0, 0.0, 0.0, 0.0, 0.0))\n"
    "def solve(x):\n"
    "    burn()\n"
    "    return x * x\n";

/* Burns BURN_S per call in a forked child that it waits for. */
static const char forked_py[] =
    "import os, time\n"
    "def solve(x):\n"
    "    pid = os.fork()\n"
    "    if pid == 0:\n"
    "        t0 = time.clock_gettime(time.CLOCK_THREAD_CPUTIME_ID)\n"
    "        while time.clock_gettime(time.CLOCK_THREAD_CPUTIME_ID) - t0 < 0.1:\n"
    "            pass\n"
    "        os._exit(0)\n"
    "    os.waitpid(pid, 0)\n"
    "    return x * x\n";

static const char *const candidates[] = {patched_py, forked_py};
static const char *const names[] = {"patched clocks", "work in a forked child"};

START_TEST(harness_charges_what_was_burnt)
{
    json_t *tests = parse(ONE("[3]", "9"));
    jt_pyrun_config cfg = config(candidates[_i], tests);
    cfg.timeout_seconds = 60;
    jt_pyrun *r = start(&cfg);
    jt_validation v;
    validate(r, &v);
    ck_assert_msg(v.verdict == JT_VERDICT_CORRECT, "%s: %s", names[_i], jt_verdict_name(v.verdict));
    jt_validation_release(&v);
    jt_err err = JT_ERR_INIT;
    jt_run_result rr;
    jt_verdict verdict = JT_VERDICT_CORRECT;
    ck_assert_int_eq(jt_pyrun_run_begin(r, ITERATIONS, &err), 0);
    ck_assert_msg(jt_pyrun_run_end(r, &rr, &verdict, &err) == 0, "%s", jt_err_msg(&err));
    double burnt = ITERATIONS * BURN_S;
    ck_assert_msg(rr.cpu_seconds >= 0.9 * burnt, "%s: harness cpu %.3f s of %.3f s burnt",
                  names[_i], rr.cpu_seconds, burnt);
    ck_assert_msg(rr.child_cpu_seconds < 0.5 * burnt, "%s: the child claims %.3f s", names[_i],
                  rr.child_cpu_seconds);
    ck_assert_msg(rr.disagreement & JT_RUN_CHILD_CPU_LOW, "%s: disagreement %u", names[_i],
                  rr.disagreement);
    jt_err_clear(&err);
    jt_pyrun_free(r);
    json_decref(tests);
    check_clean();
}
END_TEST

/* Honest single-process work: both sides agree, no bit. */
START_TEST(honest_code_is_not_flagged)
{
    json_t *tests = parse(ONE("[3]", "9"));
    jt_pyrun_config cfg = config("import time\n"
                                 "def solve(x):\n"
                                 "    t0 = time.clock_gettime(time.CLOCK_THREAD_CPUTIME_ID)\n"
                                 "    while time.clock_gettime(time.CLOCK_THREAD_CPUTIME_ID) - t0 < 0.1:\n"
                                 "        pass\n"
                                 "    return x * x\n",
                                 tests);
    cfg.timeout_seconds = 60;
    jt_pyrun *r = start(&cfg);
    jt_err err = JT_ERR_INIT;
    jt_run_result rr;
    jt_verdict verdict = JT_VERDICT_CORRECT;
    ck_assert_int_eq(jt_pyrun_run_begin(r, ITERATIONS, &err), 0);
    ck_assert_msg(jt_pyrun_run_end(r, &rr, &verdict, &err) == 0, "%s", jt_err_msg(&err));
    ck_assert_double_ge(rr.cpu_seconds, 0.9 * ITERATIONS * BURN_S);
    ck_assert_double_ge(rr.child_cpu_seconds, 0.9 * ITERATIONS * BURN_S);
    ck_assert_uint_eq(rr.disagreement, 0);
    jt_err_clear(&err);
    jt_pyrun_free(r);
    json_decref(tests);
    check_clean();
}
END_TEST

static Suite *pyrun_clock_suite(void)
{
    Suite *s = suite_create("pyrun_clock");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 180);
    tcase_add_loop_test(tc, harness_charges_what_was_burnt, 0, 2);
    tcase_add_test(tc, honest_code_is_not_flagged);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(pyrun_clock_suite)
