/* Tests for harness/exec/pyrun.c and the embedded Python runner: verdicts
 * for well-behaved and hostile candidates, runs, configurations refused.
 * The comparison rules and the other modes are in test_pyrun_*.c.
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

/* 100 digits, and the same plus one */
#define D10 "1234567890"
#define BIG D10 D10 D10 D10 D10 D10 D10 D10 D10 D10
#define BIG1 D10 D10 D10 D10 D10 D10 D10 D10 D10 "1234567891"

static const struct vcase {
    const char *name, *code, *tests;
    double tol, timeout;
    long mem;
    jt_verdict verdict;
    const char *reason; /* substring of the reason, NULL when correct */
} vcases[] = {
    {"correct", "def solve(x):\n    return x * x\n", SQUARE, 1e-9, 10, 1024, JT_VERDICT_CORRECT,
     NULL},
    {"wrong", "def solve(x):\n    return x + x\n", SQUARE, 1e-9, 10, 1024, JT_VERDICT_INCORRECT,
     "test 't2': expected 49, got 14 (1 of 2 tests failed)"},
    {"exception", "def solve(x):\n    raise ValueError('boom %d' % x)\n", SQUARE, 1e-9, 10, 1024,
     JT_VERDICT_INCORRECT, "test 't1' raised ValueError: boom 2 (2 of 2 tests failed)"},
    {"syntax error", "def solve(x) return x\n", SQUARE, 1e-9, 10, 1024, JT_VERDICT_LOAD_ERROR,
     "SyntaxError"},
    {"missing function", "def other(x):\n    return x\n", SQUARE, 1e-9, 10, 1024,
     JT_VERDICT_LOAD_ERROR, "NameError: function 'solve' is not defined"},
    {"not callable", "solve = 3\n", SQUARE, 1e-9, 10, 1024, JT_VERDICT_LOAD_ERROR,
     "TypeError: 'solve' is not callable (it is a int)"},
    {"import error", "import no_such_module_xyz\n", SQUARE, 1e-9, 10, 1024,
     JT_VERDICT_LOAD_ERROR, "ModuleNotFoundError"},
    {"exit at load", "import sys\nsys.exit(2)\n", SQUARE, 1e-9, 10, 1024, JT_VERDICT_LOAD_ERROR,
     "SystemExit: 2"},
    {"main block stays off", "def solve(x):\n    return x * x\nif __name__ == '__main__':\n"
     "    raise SystemExit(1)\n", SQUARE, 1e-9, 10, 1024, JT_VERDICT_CORRECT, NULL},
    {"loop at load", "while True:\n    pass\n", SQUARE, 1e-9, 1, 1024, JT_VERDICT_TIMEOUT,
     "loading ran past timeout_seconds (1 s)"},
    {"infinite loop", "def solve(x):\n    while True:\n        pass\n", SQUARE, 1e-9, 1, 1024,
     JT_VERDICT_TIMEOUT, "validation ran past timeout_seconds (1 s)"},
    {"print forever", "def solve(x):\n    while True:\n        print('y' * 999)\n", SQUARE, 1e-9,
     1, 1024, JT_VERDICT_TIMEOUT, "validation ran past"},
    {"memory hog", "def solve(x):\n    return bytearray(1 << 30)\n", SQUARE, 1e-9, 10, 256,
     JT_VERDICT_MEMORY_LIMIT, "test 't1' raised MemoryError"},
    {"memory creep",
     "def solve(x):\n    l = []\n    while True:\n        l.append(' ' * 1000000)\n", SQUARE,
     1e-9, 10, 256, JT_VERDICT_MEMORY_LIMIT, "MemoryError"},
    {"memory hog at load", "junk = bytearray(1 << 30)\n", SQUARE, 1e-9, 10, 256,
     JT_VERDICT_MEMORY_LIMIT, "MemoryError during loading"},
    /* os.abort() after filling most of the limit: a death the runner could not
     * report, blamed on memory because the peak RSS was near the limit */
    {"killed near the limit", "import os\ndef solve(x):\n    b = b'x' * (240 << 20)\n"
     "    os.abort()\n", SQUARE, 1e-9, 10, 300, JT_VERDICT_MEMORY_LIMIT,
     "near memory_limit_mb (300) during validation"},
    {"segfault", "import ctypes\ndef solve(x):\n    return ctypes.string_at(0)\n", SQUARE, 1e-9,
     10, 1024, JT_VERDICT_CRASHED, "killed by signal 11 (SIGSEGV) during validation"},
    {"sys.exit", "import sys\ndef solve(x):\n    sys.exit(0)\n", SQUARE, 1e-9, 10, 1024,
     JT_VERDICT_INCORRECT, "test 't1' raised SystemExit"},
    {"KeyboardInterrupt", "def solve(x):\n    raise KeyboardInterrupt\n", SQUARE, 1e-9, 10, 1024,
     JT_VERDICT_INCORRECT, "raised KeyboardInterrupt"},
    {"os._exit", "import os\ndef solve(x):\n    os._exit(3)\n", SQUARE, 1e-9, 10, 1024,
     JT_VERDICT_FAILED, "exited with status 3 during validation"},
    {"recursion", "def solve(x):\n    return solve(x)\n", SQUARE, 1e-9, 10, 1024,
     JT_VERDICT_INCORRECT, "raised RecursionError"},
    {"input() gets EOF", "def solve(x):\n    return input()\n", SQUARE, 1e-9, 10, 1024,
     JT_VERDICT_INCORRECT, "raised EOFError"},
    {"big int", "def solve(x):\n    return x + 1\n", ONE("[{\"__int__\": \"" BIG "\"}]",
     "{\"__int__\": \"" BIG1 "\"}"), 1e-9, 10, 1024, JT_VERDICT_CORRECT, NULL},
    {"big int off by one", "def solve(x):\n    return x\n", ONE("[{\"__int__\": \"" BIG "\"}]",
     "{\"__int__\": \"" BIG1 "\"}"), 1e-9, 10, 1024, JT_VERDICT_INCORRECT, "got 12345"},
    {"float within tolerance", "def solve(a, b):\n    return a + b\n", ONE("[0.1, 0.2]", "0.3"),
     1e-9, 10, 1024, JT_VERDICT_CORRECT, NULL},
    {"float exact", "def solve(a, b):\n    return a + b\n", ONE("[0.1, 0.2]", "0.3"), 0, 10,
     1024, JT_VERDICT_INCORRECT, "expected 0.3, got 0.30000000000000004"},
    {"int expected, float got", "def solve(x):\n    return x * 2.0\n", ONE("[2]", "4"), 1e-9,
     10, 1024, JT_VERDICT_CORRECT, NULL},
    {"nan equals nan", "def solve(x):\n    return float('nan')\n",
     ONE("[1]", "{\"__float__\": \"nan\"}"), 1e-9, 10, 1024, JT_VERDICT_CORRECT, NULL},
    {"inf sign", "def solve(x):\n    return float('-inf')\n",
     ONE("[1]", "{\"__float__\": \"inf\"}"), 1e-9, 10, 1024, JT_VERDICT_INCORRECT, "got -inf"},
    {"tuple got, list expected", "def solve(x):\n    return (x, x)\n", ONE("[1]", "[1, 1]"),
     1e-9, 10, 1024, JT_VERDICT_CORRECT, NULL},
    {"list got, tuple expected", "def solve(x):\n    return [x, x]\n",
     ONE("[1]", "{\"__tuple__\": [1, 1]}"), 1e-9, 10, 1024, JT_VERDICT_CORRECT, NULL},
    {"sequence length", "def solve(x):\n    return [x]\n", ONE("[1]", "[1, 1]"), 1e-9, 10, 1024,
     JT_VERDICT_INCORRECT, "expected [1, 1], got [1]"},
    {"dict", "def solve(x):\n    return {'a': x, 'b': [x, 2.0]}\n",
     ONE("[1]", "{\"a\": 1, \"b\": [1, 2]}"), 1e-9, 10, 1024, JT_VERDICT_CORRECT, NULL},
    {"dict keys differ", "def solve(x):\n    return {'a': x}\n", ONE("[1]", "{\"b\": 1}"), 1e-9,
     10, 1024, JT_VERDICT_INCORRECT, "expected {'b': 1}, got {'a': 1}"},
    {"dict with int keys", "def solve(x):\n    return {x: 'one'}\n",
     ONE("[1]", "{\"__dict__\": [[1, \"one\"]]}"), 1e-9, 10, 1024, JT_VERDICT_CORRECT, NULL},
    {"typed inputs", "def solve(t, s, b, c):\n    return [type(t).__name__, sorted(s), b.decode(),"
     " c.imag]\n", ONE("[{\"__tuple__\": [1]}, {\"__set__\": [2, 1]}, {\"__bytes__\": \"aGk=\"},"
     " {\"__complex__\": [1, 2]}]", "[\"tuple\", [1, 2], \"hi\", 2.0]"), 1e-9, 10, 1024,
     JT_VERDICT_CORRECT, NULL},
    {"sets", "def solve(x):\n    return {3, 2, x}\n", ONE("[1]", "{\"__set__\": [1, 2, 3]}"),
     1e-9, 10, 1024, JT_VERDICT_CORRECT, NULL},
    {"None is not 0", "def solve(x):\n    return 0\n", ONE("[1]", "null"), 1e-9, 10, 1024,
     JT_VERDICT_INCORRECT, "expected None, got 0"},
    {"0 is not None", "def solve(x):\n    return None\n", ONE("[1]", "0"), 1e-9, 10, 1024,
     JT_VERDICT_INCORRECT, "expected 0, got None"},
    {"bool is not int", "def solve(x):\n    return 1\n", ONE("[1]", "true"), 1e-9, 10, 1024,
     JT_VERDICT_INCORRECT, "expected True, got 1"},
    {"int is not bool", "def solve(x):\n    return True\n", ONE("[1]", "1"), 1e-9, 10, 1024,
     JT_VERDICT_INCORRECT, "expected 1, got True"},
    {"bool", "def solve(x):\n    return x > 0\n", ONE("[1]", "true"), 1e-9, 10, 1024,
     JT_VERDICT_CORRECT, NULL},
    {"str is not bytes", "def solve(x):\n    return b'a'\n", ONE("[1]", "\"a\""), 1e-9, 10, 1024,
     JT_VERDICT_INCORRECT, "got b'a'"},
    {"undecodable input", "def solve(x):\n    return x\n", ONE("[{\"__int__\": \"12x\"}]", "1"),
     1e-9, 10, 1024, JT_VERDICT_FAILED, "runner: "},
};

/* Under the cgroup's memory limit (as root) the OOM killer ends the runner
 * before Python can raise MemoryError, and the reason says that instead. */
static const char *mem_reason(const jt_pyrun *r, jt_verdict v, const char *rlimit_reason)
{
    if (v == JT_VERDICT_MEMORY_LIMIT && rlimit_reason && strstr(rlimit_reason, "MemoryError") &&
        !strncmp(jt_child_isolation(jt_pyrun_child(r)), "cgroup-", 7))
        return "killed at memory_limit_mb";
    return rlimit_reason;
}

START_TEST(verdicts)
{
    const struct vcase *vc = &vcases[_i];
    json_t *tests = parse(vc->tests);
    jt_pyrun_config cfg = config(vc->code, tests);
    cfg.float_tolerance = vc->tol;
    cfg.timeout_seconds = vc->timeout;
    cfg.memory_limit_mb = vc->mem;
    double t0 = now();
    jt_pyrun *r = start(&cfg);
    jt_validation v;
    validate(r, &v);
    double took = now() - t0;
    ck_assert_msg(v.verdict == vc->verdict, "%s: verdict %s, want %s (%s)", vc->name,
                  jt_verdict_name(v.verdict), jt_verdict_name(vc->verdict),
                  v.reason ? v.reason : "");
    const char *want = mem_reason(r, vc->verdict, vc->reason);
    if (want)
        ck_assert_msg(v.reason && strstr(v.reason, want), "%s: reason '%s' lacks '%s'",
                      vc->name, v.reason ? v.reason : "(null)", want);
    else
        ck_assert_ptr_null(v.reason);
    /* A timeout is the deadline's doing: it cannot come before it. How soon
     * after it the verdict comes depends on the machine's load and is not a
     * unit test's business (the test case's timeout is the hang guard). */
    if (vc->verdict == JT_VERDICT_TIMEOUT)
        ck_assert_msg(took >= vc->timeout, "%s: timeout after %.2f s", vc->name, took);
    if (vc->verdict == JT_VERDICT_CORRECT || vc->verdict == JT_VERDICT_INCORRECT) {
        ck_assert_uint_eq(v.total, json_array_size(tests));
        ck_assert_uint_eq(v.n_results, v.total);
        ck_assert_int_ge(jt_pyrun_pid(r), 1); /* still alive for the trials */
    } else {
        ck_assert_int_eq(jt_pyrun_pid(r), -1); /* gone after any other verdict */
    }
    jt_validation_release(&v);
    jt_pyrun_free(r);
    json_decref(tests);
    check_clean();
}
END_TEST

START_TEST(per_test_details_and_traceback)
{
    json_t *tests = parse(SQUARE);
    jt_pyrun_config cfg = config("def solve(x):\n    if x == 7:\n        raise KeyError('k')\n"
                                 "    return x * 3\n", tests);
    jt_pyrun *r = start(&cfg);
    jt_validation v;
    validate(r, &v);
    ck_assert_int_eq(v.verdict, JT_VERDICT_INCORRECT);
    ck_assert_uint_eq(v.passed, 0);
    ck_assert_str_eq(v.results[0].test_id, "t1");
    ck_assert_str_eq(v.results[0].expected, "4");
    ck_assert_str_eq(v.results[0].got, "6");
    ck_assert_ptr_null(v.results[0].error_type);
    ck_assert_str_eq(v.results[1].error_type, "KeyError");
    ck_assert_str_eq(v.results[1].error_message, "'k'");
    ck_assert_ptr_null(v.results[1].got);
    ck_assert_double_gt(v.elapsed_seconds, 0);
    jt_validation_release(&v);
    jt_pyrun_free(r);

    /* load errors carry the candidate's traceback, without the runner's frames */
    cfg.code = "x = 1\ndef helper():\n    return 1 / 0\nhelper()\n";
    r = start(&cfg);
    validate(r, &v);
    ck_assert_int_eq(v.verdict, JT_VERDICT_LOAD_ERROR);
    ck_assert_str_eq(v.reason, "ZeroDivisionError: division by zero");
    ck_assert_ptr_nonnull(v.traceback);
    ck_assert_ptr_nonnull(strstr(v.traceback, "File \"cand.py\", line 3, in helper"));
    ck_assert_ptr_null(strstr(v.traceback, "<string>"));
    ck_assert_uint_eq(v.n_results, 0);
    jt_validation_release(&v);
    jt_pyrun_free(r);
    json_decref(tests);
    check_clean();
}
END_TEST

START_TEST(output_flood_is_capped)
{
    json_t *tests = parse(SQUARE);
    jt_pyrun_config cfg = config("import sys\ndef solve(x):\n    for _ in range(10000):\n"
                                 "        print('y' * 999)\n        sys.stderr.write('e' * 999)\n"
                                 "    return x * x\n", tests);
    cfg.output_cap_bytes = 4096;
    jt_pyrun *r = start(&cfg);
    jt_validation v;
    validate(r, &v);
    ck_assert_int_eq(v.verdict, JT_VERDICT_CORRECT);
    ck_assert_uint_eq(strlen(v.stdout_head), 4096);
    ck_assert_uint_eq(v.stdout_dropped, 2 * 10000 * 1000 - 4096);
    ck_assert_uint_eq(strlen(v.stderr_head), 4096);
    ck_assert_uint_eq(v.stderr_dropped, 2 * 10000 * 999 - 4096);
    ck_assert_int_eq(v.stdout_head[0], 'y');
    jt_validation_release(&v);
    jt_pyrun_free(r);
    json_decref(tests);
    check_clean();
}
END_TEST

/* A candidate that leaves a process behind: it must die with the child. */
START_TEST(spawned_processes_die_with_the_child)
{
    char marker[64];
    snprintf(marker, sizeof marker, "jt-pyrun-sleeper-%d", (int)getpid());
    /* solve returns only once the sleeper is up and says so (a wrong answer
     * if it died), so the count below never races its start */
    char *code = jt_xasprintf("import subprocess, sys\n"
                              "def solve(x):\n"
                              "    p = subprocess.Popen([sys.executable, '-c', 'import time; "
                              "print(\"up\", flush=True); time.sleep(300)', 'jt-pyrun-' + "
                              "'sleeper-%d'], stdout=subprocess.PIPE)\n"
                              "    if p.stdout.readline() != b'up\\n':\n"
                              "        return 'sleeper died: %%s' %% p.wait()\n"
                              "    return x * x\n",
                              (int)getpid());
    json_t *tests = parse(ONE("[3]", "9"));
    jt_pyrun_config cfg = config(code, tests);
    jt_pyrun *r = start(&cfg);
    jt_validation v;
    validate(r, &v);
    ck_assert_int_eq(v.verdict, JT_VERDICT_CORRECT);
    ck_assert_int_eq(jt_test_count_procs(marker), 3); /* the runner, the judge + its sleeper */
    jt_validation_release(&v);
    jt_pyrun_free(r);
    ck_assert_int_eq(jt_test_count_procs(marker), 0);
    json_decref(tests);
    free(code);
    check_clean();
}
END_TEST

/* Inputs reach every call unmutated, also inside immutable-looking tuples. */
START_TEST(inputs_are_fresh_every_iteration)
{
    json_t *tests = parse(
        "[{\"test_id\": \"l\", \"inputs\": [[3, 1, 2]], \"expected_output\": [1, 2, 3]},"
        " {\"test_id\": \"t\", \"inputs\": [{\"__tuple__\": [[5, 4]]}],"
        " \"expected_output\": [4, 5]},"
        " {\"test_id\": \"d\", \"inputs\": [{\"k\": [2, 1]}], \"expected_output\": [1, 2]}]");
    jt_pyrun_config cfg = config("def solve(xs):\n"
                                 "    if isinstance(xs, tuple): xs = xs[0]\n"
                                 "    if isinstance(xs, dict): xs = xs['k']\n"
                                 "    if xs == sorted(xs):\n"
                                 "        raise ValueError('already sorted: %r' % xs)\n"
                                 "    xs.sort()\n"
                                 "    return xs\n", tests);
    jt_pyrun *r = start(&cfg);
    jt_validation v;
    validate(r, &v);
    ck_assert_msg(v.verdict == JT_VERDICT_CORRECT, "%s", v.reason);
    jt_validation_release(&v);
    jt_err err = JT_ERR_INIT;
    jt_run_result rr;
    jt_verdict verdict = JT_VERDICT_CORRECT;
    ck_assert_int_eq(jt_pyrun_run_begin(r, 3, &err), 0);
    ck_assert_msg(jt_pyrun_run_end(r, &rr, &verdict, &err) == 0, "%s", jt_err_msg(&err));
    ck_assert_uint_eq(rr.iterations, 3);
    validate(r, &v); /* and validation again after the runs */
    ck_assert_int_eq(v.verdict, JT_VERDICT_CORRECT);
    jt_validation_release(&v);
    jt_pyrun_free(r);
    json_decref(tests);
    check_clean();
}
END_TEST

START_TEST(runs_report_time)
{
    json_t *tests = parse(SQUARE);
    jt_pyrun_config cfg = config("def solve(x):\n    return sum(range(x * 1000))\n", tests);
    jt_pyrun *r = start(&cfg);
    jt_validation v;
    validate(r, &v);
    ck_assert_int_eq(v.verdict, JT_VERDICT_INCORRECT); /* the runs do not compare */
    jt_validation_release(&v);
    jt_err err = JT_ERR_INIT;
    jt_run_result rr;
    jt_verdict verdict;
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(jt_pyrun_run_begin(r, 50, &err), 0);
        ck_assert_int_eq(jt_pyrun_run_begin(r, 50, &err), -1); /* one at a time */
        ck_assert_msg(jt_pyrun_run_end(r, &rr, &verdict, &err) == 0, "%s", jt_err_msg(&err));
        ck_assert_uint_eq(rr.iterations, 50);
        ck_assert_double_gt(rr.elapsed_seconds, 0);
        ck_assert_double_gt(rr.cpu_seconds, 0);
        ck_assert_double_lt(rr.elapsed_seconds, 10);
    }
    ck_assert_int_ge(jt_pyrun_pid(r), 1);
    jt_err_clear(&err);
    jt_pyrun_free(r);
    json_decref(tests);
    check_clean();
}
END_TEST

/* Failures during a run end the child with a verdict. */
static const struct rcase {
    const char *code;
    jt_verdict verdict;
    const char *reason;
} rcases[] = {
    {"n = [0]\ndef solve(x):\n    n[0] += 1\n    while n[0] > 2:\n        pass\n    return x * x\n",
     JT_VERDICT_TIMEOUT, "a run ran past timeout_seconds (1 s)"},
    {"n = [0]\ndef solve(x):\n    n[0] += 1\n    if n[0] > 2:\n        raise IndexError('late')\n"
     "    return x * x\n", JT_VERDICT_INCORRECT, "IndexError: late"},
    {"n = [0]\ndef solve(x):\n    n[0] += 1\n    if n[0] > 2:\n        return bytearray(1 << 30)\n"
     "    return x * x\n", JT_VERDICT_MEMORY_LIMIT, "MemoryError during a run"},
    {"import ctypes\nn = [0]\ndef solve(x):\n    n[0] += 1\n    if n[0] > 2:\n"
     "        ctypes.string_at(0)\n    return x * x\n", JT_VERDICT_CRASHED, "SIGSEGV"},
};

START_TEST(run_failures)
{
    const struct rcase *rc = &rcases[_i];
    json_t *tests = parse(SQUARE);
    jt_pyrun_config cfg = config(rc->code, tests);
    cfg.timeout_seconds = 1;
    cfg.memory_limit_mb = 256;
    jt_pyrun *r = start(&cfg);
    jt_validation v;
    validate(r, &v);
    ck_assert_int_eq(v.verdict, JT_VERDICT_CORRECT);
    jt_validation_release(&v);
    jt_err err = JT_ERR_INIT;
    jt_run_result rr;
    jt_verdict verdict = JT_VERDICT_CORRECT;
    double t0 = now();
    ck_assert_int_eq(jt_pyrun_run_begin(r, 1000000, &err), 0);
    ck_assert_int_eq(jt_pyrun_run_end(r, &rr, &verdict, &err), -1);
    if (rc->verdict == JT_VERDICT_TIMEOUT) /* the deadline ended it, not an early exit */
        ck_assert_double_ge(now() - t0, cfg.timeout_seconds);
    ck_assert_msg(verdict == rc->verdict, "verdict %s (%s)", jt_verdict_name(verdict),
                  jt_err_msg(&err));
    ck_assert_msg(strstr(jt_err_msg(&err), mem_reason(r, rc->verdict, rc->reason)), "reason '%s'",
                  jt_err_msg(&err));
    ck_assert_int_eq(jt_pyrun_pid(r), -1);
    ck_assert_int_eq(jt_pyrun_run_begin(r, 1, &err), -1);
    jt_err_clear(&err);
    jt_pyrun_free(r);
    json_decref(tests);
    check_clean();
}
END_TEST

START_TEST(method_mode)
{
    json_t *tests = parse(SQUARE);
    jt_pyrun_config cfg = config("class Solution:\n    def __init__(self):\n        self.n = 0\n"
                                 "    def solve(self, x):\n        self.n += 1\n"
                                 "        return x * x * self.n\n", tests);
    cfg.mode = "method";
    jt_pyrun *r = start(&cfg);
    jt_validation v;
    validate(r, &v); /* a fresh Solution per call, so self.n is always 1 */
    ck_assert_msg(v.verdict == JT_VERDICT_CORRECT, "%s", v.reason);
    jt_validation_release(&v);
    jt_pyrun_free(r);
    json_decref(tests);
    check_clean();
}
END_TEST

/* Configurations the harness refuses before starting anything. */
START_TEST(config_errors)
{
    json_t *tests = parse(SQUARE);
    static const struct {
        const char *mode, *comparator, *checker, *code;
        double atol, rtol;
        const char *message;
    } bad[] = {
        {"loop", NULL, NULL, SQUARE_PY, 0, 0, "unknown mode 'loop'"},
        {NULL, "fuzzy", NULL, SQUARE_PY, 0, 0, "unknown comparator 'fuzzy'"},
        {NULL, "checker", NULL, SQUARE_PY, 0, 0, "comparator checker needs checker_code"},
        {NULL, "close", NULL, SQUARE_PY, -1e-6, 0, "atol and rtol must be finite and >= 0"},
        {NULL, "close", NULL, SQUARE_PY, 0, NAN, "atol and rtol must be finite and >= 0"},
        {NULL, NULL, "def check(\xff", SQUARE_PY, 0, 0, "must be valid UTF-8"},
        {NULL, NULL, NULL, NULL, 0, 0, "code, function_name and test_cases are required"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        jt_pyrun_config cfg = config(bad[i].code, tests);
        cfg.mode = bad[i].mode;
        cfg.comparator = bad[i].comparator;
        cfg.checker_code = bad[i].checker;
        if (bad[i].checker) cfg.comparator = "checker";
        cfg.atol = bad[i].atol;
        cfg.rtol = bad[i].rtol;
        jt_pyrun *r = NULL;
        jt_err err = JT_ERR_INIT;
        ck_assert_int_eq(jt_pyrun_start(&cfg, &r, &err), -1);
        ck_assert_ptr_null(r);
        ck_assert_msg(strstr(jt_err_msg(&err), bad[i].message), "%zu: %s", i, jt_err_msg(&err));
        jt_err_clear(&err);
    }
    json_decref(tests);
    check_clean();
}
END_TEST

START_TEST(harness_side_errors)
{
    json_t *tests = parse(SQUARE);
    jt_pyrun_config cfg = config("def solve(x):\n    return x * x\n", tests);
    jt_pyrun *r = NULL;
    jt_err err = JT_ERR_INIT;
    cfg.python = "/nonexistent/python3";
    ck_assert_int_eq(jt_pyrun_start(&cfg, &r, &err), -1);
    ck_assert_ptr_null(r);
    ck_assert_ptr_nonnull(strstr(jt_err_msg(&err), "execve: No such file"));
    cfg.python = "/usr/bin/python3";
    cfg.timeout_seconds = 0;
    ck_assert_int_eq(jt_pyrun_start(&cfg, &r, &err), -1);
    cfg.timeout_seconds = 10;
    cfg.code = "def solve(x):\n    return '\xff'\n"; /* not UTF-8: no child at all */
    r = start(&cfg);
    ck_assert_int_eq(jt_pyrun_pid(r), -1);
    jt_validation v;
    validate(r, &v);
    ck_assert_int_eq(v.verdict, JT_VERDICT_LOAD_ERROR);
    jt_validation_release(&v);
    jt_pyrun_free(r);
    jt_pyrun_free(NULL);
    jt_err_clear(&err);
    json_decref(tests);
    check_clean();
}
END_TEST

static Suite *pyrun_suite(void)
{
    Suite *s = suite_create("pyrun");
    TCase *tc = tcase_create("runner");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, verdicts, 0, sizeof vcases / sizeof vcases[0]);
    tcase_add_test(tc, per_test_details_and_traceback);
    tcase_add_test(tc, output_flood_is_capped);
    tcase_add_test(tc, spawned_processes_die_with_the_child);
    tcase_add_test(tc, inputs_are_fresh_every_iteration);
    tcase_add_test(tc, runs_report_time);
    tcase_add_loop_test(tc, run_failures, 0, sizeof rcases / sizeof rcases[0]);
    tcase_add_test(tc, method_mode);
    tcase_add_test(tc, harness_side_errors);
    tcase_add_test(tc, config_errors);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(pyrun_suite)
