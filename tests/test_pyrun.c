/* Tests for harness/exec/pyrun.c and the embedded Python runner: verdicts
 * for well-behaved and hostile candidates, the comparison rules, runs.
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
#include "support/testutil.h"

extern const char jt_python_runner_source[];

#define setup jt_test_sandbox_setup
#define teardown jt_test_sandbox_teardown
#define check_clean jt_test_sandbox_check_clean
#define now jt_test_now

static jt_pyrun_config config(const char *code, const json_t *tests)
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

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    ck_assert_msg(j != NULL, "bad test JSON: %s", e.text);
    return j;
}

static json_t *parse_any(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &e);
    ck_assert_msg(j != NULL, "bad test JSON: %s", e.text);
    return j;
}

static jt_pyrun *start(const jt_pyrun_config *cfg)
{
    jt_pyrun *r = NULL;
    jt_err err = JT_ERR_INIT;
    ck_assert_msg(jt_pyrun_start(cfg, &r, &err) == 0, "start: %s", jt_err_msg(&err));
    jt_err_clear(&err);
    return r;
}

static void validate(jt_pyrun *r, jt_validation *v)
{
    jt_err err = JT_ERR_INIT;
    ck_assert_msg(jt_pyrun_validate(r, v, &err) == 0, "validate: %s", jt_err_msg(&err));
    jt_err_clear(&err);
}

#define SQUARE "[{\"test_id\": \"t1\", \"inputs\": [2], \"expected_output\": 4}," \
               " {\"test_id\": \"t2\", \"inputs\": [7], \"expected_output\": 49}]"
#define ONE(in, out) "[{\"test_id\": \"t1\", \"inputs\": " in ", \"expected_output\": " out "}]"
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
    if (vc->reason)
        ck_assert_msg(v.reason && strstr(v.reason, vc->reason), "%s: reason '%s' lacks '%s'",
                      vc->name, v.reason ? v.reason : "(null)", vc->reason);
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

/* The contract beyond "exact": comparators, script mode, setup code, the
 * prelude. Zero timeout/mem mean 10 s and 1024 MiB; mode NULL is "call". */
#define SCRIPT(s) "[{\"test_id\": \"s1\", \"script\": \"" s "\"}]"
#define SQUARE_PY "def solve(x):\n    return x * x\n"
#define LEET_PY                                                                              \
    "class Solution:\n    def solve(self, xs: List[int]) -> int:\n        head = None\n"     \
    "        for x in reversed(xs):\n            head = ListNode(x, head)\n"                 \
    "        total = 0\n        while head:\n            total += head.val\n"                \
    "            head = head.next\n        return total + len(deque(xs))\n"
#define REVERSE_PY                                                                           \
    "def solve(head: Optional[ListNode]) -> Optional[ListNode]:\n    prev = None\n"          \
    "    while head:\n        head.next, prev, head = prev, head, head.next\n    return prev\n"
#define CHECK_SQRT "def check(inputs, expected, output):\n    return abs(output * output - inputs[0]) < 1e-9\n"

static const struct ccase {
    const char *name, *mode, *code, *tests, *comparator, *checker, *setup;
    double atol, rtol;
    bool prelude;
    jt_verdict verdict;
    const char *reason;    /* substring of the reason, NULL when correct */
    const char *traceback; /* substring of the traceback, or NULL */
} ccases[] = {
    /* close: |got - expected| <= atol + rtol * |expected|, floats anywhere */
    {.name = "close within atol", .code = "def solve(a, b):\n    return [a + b, [a * 10]]\n",
     .tests = ONE("[0.1, 0.2]", "[0.3, [1.0000001]]"), .comparator = "close", .atol = 1e-6,
     .rtol = 1e-7, .verdict = JT_VERDICT_CORRECT},
    {.name = "close beyond atol", .code = "def solve(a, b):\n    return [a + b, [a * 10]]\n",
     .tests = ONE("[0.1, 0.2]", "[0.3, [1.00001]]"), .comparator = "close", .atol = 1e-6,
     .rtol = 1e-7, .verdict = JT_VERDICT_INCORRECT,
     .reason = "expected [0.3, [1.00001]], got [0.30000000000000004, [1.0]]"},
    /* not math.isclose: the tolerance scales with the expected value only */
    {.name = "close scales with expected (fail)", .code = "def solve(x):\n    return 2.0\n",
     .tests = ONE("[1]", "1.0"), .comparator = "close", .rtol = 0.5,
     .verdict = JT_VERDICT_INCORRECT, .reason = "expected 1.0, got 2.0"},
    {.name = "close scales with expected (pass)", .code = "def solve(x):\n    return 1.0\n",
     .tests = ONE("[1]", "2.0"), .comparator = "close", .rtol = 0.5,
     .verdict = JT_VERDICT_CORRECT},
    {.name = "close: ints stay exact", .code = "def solve(x):\n    return 4\n",
     .tests = ONE("[1]", "3"), .comparator = "close", .atol = 2, .verdict = JT_VERDICT_INCORRECT,
     .reason = "expected 3, got 4"},
    {.name = "close: int expected, float got", .code = "def solve(x):\n    return 3.0000001\n",
     .tests = ONE("[1]", "3"), .comparator = "close", .atol = 1e-6, .verdict = JT_VERDICT_CORRECT},
    {.name = "close: nan matches nan", .code = "def solve(x):\n    return [float('nan'), 1e300]\n",
     .tests = ONE("[1]", "[{\"__float__\": \"nan\"}, 1e300]"), .comparator = "close",
     .verdict = JT_VERDICT_CORRECT},
    {.name = "close: nan is not a number", .code = "def solve(x):\n    return float('nan')\n",
     .tests = ONE("[1]", "1.0"), .comparator = "close", .atol = 1e9,
     .verdict = JT_VERDICT_INCORRECT, .reason = "got nan"},
    {.name = "close: strings exact", .code = "def solve(x):\n    return ['a', 1.0]\n",
     .tests = ONE("[1]", "[\"b\", 1.0]"), .comparator = "close", .atol = 1,
     .verdict = JT_VERDICT_INCORRECT, .reason = "got ['a', 1.0]"},
    /* set */
    {.name = "set", .code = "def solve(x):\n    return [3, 1, 2, 1]\n",
     .tests = ONE("[1]", "{\"__set__\": [1, 2, 3]}"), .comparator = "set",
     .verdict = JT_VERDICT_CORRECT},
    {.name = "set: tuple vs list", .code = "def solve(x):\n    return (2, 1)\n",
     .tests = ONE("[1]", "[1, 2]"), .comparator = "set", .verdict = JT_VERDICT_CORRECT},
    {.name = "set: element missing", .code = "def solve(x):\n    return [1, 2]\n",
     .tests = ONE("[1]", "[1, 2, 3]"), .comparator = "set", .verdict = JT_VERDICT_INCORRECT,
     .reason = "expected [1, 2, 3], got [1, 2]"},
    {.name = "set: unhashable elements", .code = "def solve(x):\n    return [[2, 1], [3]]\n",
     .tests = ONE("[1]", "[[3], [2, 1], [3]]"), .comparator = "set",
     .verdict = JT_VERDICT_CORRECT},
    {.name = "set: unhashable, inner order counts", .code = "def solve(x):\n    return [[1, 2], [3]]\n",
     .tests = ONE("[1]", "[[3], [2, 1]]"), .comparator = "set", .verdict = JT_VERDICT_INCORRECT,
     .reason = "got [[1, 2], [3]]"},
    {.name = "set: not a collection", .code = "def solve(x):\n    return 5\n",
     .tests = ONE("[1]", "[5]"), .comparator = "set", .verdict = JT_VERDICT_INCORRECT,
     .reason = "got 5"},
    /* not_none */
    {.name = "not_none", .code = "def solve(x):\n    return 0\n", .tests = ONE("[1]", "99"),
     .comparator = "not_none", .verdict = JT_VERDICT_CORRECT},
    {.name = "not_none: None", .code = "def solve(x):\n    return None\n",
     .tests = ONE("[1]", "99"), .comparator = "not_none", .verdict = JT_VERDICT_INCORRECT,
     .reason = "got None"},
    /* checker */
    {.name = "checker", .code = "def solve(x):\n    return x ** 0.5\n",
     .tests = ONE("[2]", "null"), .comparator = "checker", .checker = CHECK_SQRT,
     .verdict = JT_VERDICT_CORRECT},
    {.name = "checker says no", .code = "def solve(x):\n    return x / 2\n",
     .tests = ONE("[2]", "null"), .comparator = "checker", .checker = CHECK_SQRT,
     .verdict = JT_VERDICT_INCORRECT, .reason = "got 1.0"},
    {.name = "checker raises", .code = "def solve(x):\n    return x / 2\n",
     .tests = ONE("[2]", "null"), .comparator = "checker",
     .checker = "def check(inputs, expected, output):\n    return output[0]\n",
     .verdict = JT_VERDICT_INCORRECT,
     .reason = "test 't1': the checker raised TypeError: 'float' object is not subscriptable"},
    {.name = "checker gets fresh copies", .code = "def solve(xs):\n    xs.clear()\n    return 3\n",
     .tests = ONE("[[1, 2, 3]]", "{\"__tuple__\": [9]}"), .comparator = "checker",
     .checker = "def check(inputs, expected, output):\n"
                "    return inputs == [[1, 2, 3]] and expected == (9,) and output == 3\n",
     .verdict = JT_VERDICT_CORRECT},
    {.name = "checker does not compile", .code = SQUARE_PY, .tests = SQUARE,
     .comparator = "checker", .checker = "def check(:\n", .verdict = JT_VERDICT_FAILED,
     .reason = "runner: checker_code: SyntaxError"},
    {.name = "checker without check", .code = SQUARE_PY, .tests = SQUARE,
     .comparator = "checker", .checker = "x = 1\n", .verdict = JT_VERDICT_FAILED,
     .reason = "checker_code does not define a function check"},
    /* script mode */
    {.name = "script", .mode = "script",
     .code = "def helper(x):\n    return x * x\ndef solve(x):\n    return helper(x)\n",
     .tests = "[{\"test_id\": \"s1\", \"script\": \"assert solve(2) == 4\\nassert helper(3) == 9\\n\"},"
              " {\"test_id\": \"s2\", \"script\": \"assert solve(-1) == 1\"}]",
     .verdict = JT_VERDICT_CORRECT},
    {.name = "script: assert fails", .mode = "script", .code = "def solve(x):\n    return x + x\n",
     .tests = SCRIPT("assert solve(2) == 4\\nassert solve(3) == 9\\n"),
     .verdict = JT_VERDICT_INCORRECT,
     .reason = "test 's1' raised AssertionError: line 2: assert solve(3) == 9 (1 of 1 tests failed)"},
    {.name = "script: assert message", .mode = "script", .code = "def solve(x):\n    return x + x\n",
     .tests = SCRIPT("assert solve(3) == 9, 'three: %d' % solve(3)"),
     .verdict = JT_VERDICT_INCORRECT,
     .reason = "raised AssertionError: line 1: assert solve(3) == 9, 'three: %d' % solve(3): three: 6"},
    {.name = "script: check(candidate)", .mode = "script", .code = "def solve(x):\n    return x + x\n",
     .tests = SCRIPT("def check(candidate):\\n    assert candidate(2) == 4\\n"
                     "    assert candidate(3) == 9\\n\\ncheck(solve)\\n"),
     .verdict = JT_VERDICT_INCORRECT,
     .reason = "raised AssertionError: line 3: assert candidate(3) == 9 ("},
    {.name = "script: exception", .mode = "script",
     .code = "def solve(x):\n    raise ValueError('boom')\n", .tests = SCRIPT("assert solve(2) == 4"),
     .verdict = JT_VERDICT_INCORRECT, .reason = "test 's1' raised ValueError: boom"},
    {.name = "script: SystemExit", .mode = "script", .code = SQUARE_PY,
     .tests = SCRIPT("raise SystemExit(3)"), .verdict = JT_VERDICT_INCORRECT,
     .reason = "raised SystemExit: 3"},
    {.name = "script: missing entry point", .mode = "script", .code = "def other(x):\n    return x\n",
     .tests = SCRIPT("assert other(2) == 2"), .verdict = JT_VERDICT_LOAD_ERROR,
     .reason = "NameError: function 'solve' is not defined"},
    {.name = "script: fresh globals per test", .mode = "script", .code = SQUARE_PY,
     .tests = "[{\"test_id\": \"s1\", \"script\": \"solve = None\\nseen = 1\\n\"},"
              " {\"test_id\": \"s2\", \"script\": \"assert solve(2) == 4\\nassert 'seen' not in globals()\"}]",
     .verdict = JT_VERDICT_CORRECT},
    {.name = "script does not compile", .mode = "script", .code = SQUARE_PY,
     .tests = SCRIPT("assert solve(2) ==\\n"), .verdict = JT_VERDICT_FAILED,
     .reason = "runner: test 's1': the script does not compile"},
    {.name = "script without script", .mode = "script", .code = SQUARE_PY, .tests = SQUARE,
     .verdict = JT_VERDICT_FAILED, .reason = "runner: test 't1': mode script needs a script"},
    /* setup_code */
    {.name = "setup code", .mode = "script", .code = SQUARE_PY,
     .setup = "import math\nlimit = 10\n", .tests = SCRIPT("assert math.isqrt(solve(3)) == 3 < limit"),
     .verdict = JT_VERDICT_CORRECT},
    {.name = "setup code after the candidate", .code = "def solve(x):\n    return x * x + EXTRA\n",
     .setup = "EXTRA = 3\nassert solve(2) == 7\n", .tests = ONE("[2]", "7"),
     .verdict = JT_VERDICT_CORRECT},
    {.name = "setup code fails", .mode = "script", .code = SQUARE_PY,
     .setup = "import math\nimport no_such_module_xyz\n", .tests = SCRIPT("assert solve(2) == 4"),
     .verdict = JT_VERDICT_LOAD_ERROR,
     .reason = "ModuleNotFoundError: setup_code: No module named 'no_such_module_xyz'",
     .traceback = "File \"<setup_code>\", line 2, in <module>"},
    {.name = "setup code does not compile", .code = SQUARE_PY, .setup = "import\n",
     .tests = SQUARE, .verdict = JT_VERDICT_LOAD_ERROR, .reason = "SyntaxError: setup_code: "},
    /* the LeetCode prelude */
    {.name = "prelude", .mode = "method", .code = LEET_PY, .prelude = true,
     .tests = ONE("[[1, 2, 3]]", "9"), .verdict = JT_VERDICT_CORRECT},
    {.name = "no prelude", .mode = "method", .code = LEET_PY, .tests = ONE("[[1, 2, 3]]", "9"),
     .verdict = JT_VERDICT_LOAD_ERROR, .reason = "NameError: name 'List' is not defined"},
    {.name = "prelude helpers in scripts", .mode = "script", .code = REVERSE_PY, .prelude = true,
     .tests = SCRIPT("assert listnode_to_list(solve(list_to_listnode([1, 2, 3]))) == [3, 2, 1]\\n"
                     "assert solve(None) is None\\n"
                     "assert treenode_to_list(list_to_treenode([1, None, 2, 3])) == [1, None, 2, 3]\\n"
                     "assert isinstance(list_to_treenode([5]), TreeNode)\\n"
                     "assert heappop([3, 1]) == 3 and bisect_left([1, 2], 2) == 1\\n"),
     .verdict = JT_VERDICT_CORRECT},
};

START_TEST(contract_verdicts)
{
    const struct ccase *cc = &ccases[_i];
    json_t *tests = parse(cc->tests);
    jt_pyrun_config cfg = config(cc->code, tests);
    cfg.mode = cc->mode;
    cfg.float_tolerance = 0;
    cfg.comparator = cc->comparator;
    cfg.atol = cc->atol;
    cfg.rtol = cc->rtol;
    cfg.checker_code = cc->checker;
    cfg.setup_code = cc->setup;
    cfg.prelude = cc->prelude;
    jt_pyrun *r = start(&cfg);
    jt_validation v;
    validate(r, &v);
    ck_assert_msg(v.verdict == cc->verdict, "%s: verdict %s, want %s (%s)", cc->name,
                  jt_verdict_name(v.verdict), jt_verdict_name(cc->verdict),
                  v.reason ? v.reason : "");
    if (cc->reason)
        ck_assert_msg(v.reason && strstr(v.reason, cc->reason), "%s: reason '%s' lacks '%s'",
                      cc->name, v.reason ? v.reason : "(null)", cc->reason);
    else
        ck_assert_ptr_null(v.reason);
    if (cc->traceback)
        ck_assert_msg(v.traceback && strstr(v.traceback, cc->traceback),
                      "%s: traceback '%s' lacks '%s'", cc->name,
                      v.traceback ? v.traceback : "(null)", cc->traceback);
    if (cc->verdict == JT_VERDICT_CORRECT || cc->verdict == JT_VERDICT_INCORRECT) {
        ck_assert_uint_eq(v.n_results, json_array_size(tests));
        /* checker_error marks exactly the checker's exceptions */
        bool checker_raised = cc->reason && strstr(cc->reason, "the checker raised");
        ck_assert_int_eq(v.results[0].checker_error, checker_raised);
        ck_assert_int_ge(jt_pyrun_pid(r), 1);
    } else {
        ck_assert_int_eq(jt_pyrun_pid(r), -1);
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
    ck_assert_int_eq(jt_test_count_procs(marker), 2); /* the runner + its sleeper */
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
    ck_assert_msg(strstr(jt_err_msg(&err), rc->reason), "reason '%s'", jt_err_msg(&err));
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

/* Mode script on real HumanEval problems (../shared/corpora, read through
 * python3 since the tests have no zlib): the canonical solution passes its
 * check(candidate), a stub fails it, and the floor (the prompt as code, a
 * null entry point, tolerant scripts) runs every test. */
static const char *const humaneval_tasks[] = {"HumanEval/0", "HumanEval/2", "HumanEval/32"};

static json_t *humaneval_problem(const char *task)
{
    char *path = jt_xasprintf("%s/../shared/corpora/HumanEval.jsonl.gz", jt_test_srcdir());
    const char *argv[] = {"python3", "-c",
                          "import gzip, json, sys\n"
                          "for line in gzip.open(sys.argv[1], 'rt'):\n"
                          "    p = json.loads(line)\n"
                          "    if p['task_id'] == sys.argv[2]:\n"
                          "        print(json.dumps(p))\n",
                          path, task, NULL};
    char *out = NULL, *err = NULL;
    int rc = jt_test_run(argv, NULL, NULL, &out, &err);
    ck_assert_msg(rc == 0 && out && *out, "cannot read %s from %s: %s", task, path, err ? err : "");
    json_t *p = parse(out);
    free(out);
    free(err);
    free(path);
    return p;
}

START_TEST(humaneval_scripts)
{
    json_t *p = humaneval_problem(humaneval_tasks[_i]);
    const char *prompt = json_string_value(json_object_get(p, "prompt"));
    const char *solution = json_string_value(json_object_get(p, "canonical_solution"));
    const char *entry = json_string_value(json_object_get(p, "entry_point"));
    const char *test = json_string_value(json_object_get(p, "test"));
    ck_assert(prompt && solution && entry && test);
    char *code = jt_xasprintf("%s%s", prompt, solution);
    char *script = jt_xasprintf("%s\ncheck(%s)\n", test, entry);
    json_t *tests = json_pack("[{s:s,s:s}]", "test_id", humaneval_tasks[_i], "script", script);
    jt_pyrun_config cfg = config(code, tests);
    cfg.mode = "script";
    cfg.function_name = entry;
    cfg.filename = "HumanEval.py";
    jt_pyrun *r = start(&cfg);
    jt_validation v;
    validate(r, &v);
    ck_assert_msg(v.verdict == JT_VERDICT_CORRECT, "%s: %s", humaneval_tasks[_i], v.reason);
    jt_validation_release(&v);
    jt_err err = JT_ERR_INIT;
    jt_run_result rr;
    jt_verdict verdict = JT_VERDICT_CORRECT;
    ck_assert_int_eq(jt_pyrun_run_begin(r, 3, &err), 0);
    ck_assert_msg(jt_pyrun_run_end(r, &rr, &verdict, &err) == 0, "%s", jt_err_msg(&err));
    ck_assert_uint_eq(rr.iterations, 3);
    jt_pyrun_free(r);

    /* the prompt alone (a stub returning None) fails its check */
    cfg.code = prompt;
    r = start(&cfg);
    validate(r, &v);
    ck_assert_msg(v.verdict == JT_VERDICT_INCORRECT, "%s: %s", humaneval_tasks[_i], v.reason);
    ck_assert_ptr_nonnull(strstr(v.reason, "raised"));
    jt_validation_release(&v);
    jt_pyrun_free(r);

    /* the floor runs to the end */
    cfg.floor = true;
    r = start(&cfg);
    validate(r, &v);
    ck_assert_msg(v.verdict == JT_VERDICT_CORRECT, "floor %s: %s", humaneval_tasks[_i], v.reason);
    jt_validation_release(&v);
    ck_assert_int_eq(jt_pyrun_run_begin(r, 3, &err), 0);
    ck_assert_msg(jt_pyrun_run_end(r, &rr, &verdict, &err) == 0, "%s", jt_err_msg(&err));
    jt_pyrun_free(r);
    jt_err_clear(&err);
    json_decref(tests);
    free(script);
    free(code);
    json_decref(p);
    check_clean();
}
END_TEST

/* The floor of mode script: every statement runs although the null entry
 * point breaks each assert; an assert's message is not evaluated; only a
 * BaseException that is not an Exception gets through. Without `floor` the
 * same script stops at its first assert. */
#define FLOOR_SCRIPT                                                                         \
    "[{\"test_id\": \"f\", \"script\": \"calls.clear()\\n"                                   \
    "def check(candidate):\\n"                                                               \
    "    calls.append(1)\\n"                                                                 \
    "    assert candidate(1) == 2, calls.append('message')\\n"                               \
    "    calls.append(2)\\n"                                                                 \
    "    assert abs(candidate(2) - 4) < 1e-6\\n"                                             \
    "    calls.append(3)\\n"                                                                 \
    "    for i in range(3):\\n"                                                              \
    "        assert candidate(i) == i * i\\n"                                                \
    "        calls.append(4)\\n"                                                             \
    "    if candidate(5) is None:\\n"                                                        \
    "        raise ValueError('still caught')\\n"                                            \
    "    calls.append(5)\\n"                                                                 \
    "check(solve)\\n"                                                                        \
    "if calls != [1, 2, 3, 4, 4, 4, 5]:\\n"                                                  \
    "    raise SystemExit('floor skipped statements: %r' % calls)\\n\"}]"

START_TEST(script_floor)
{
    json_t *tests = parse(FLOOR_SCRIPT);
    jt_pyrun_config cfg = config(NULL, tests);
    cfg.mode = "script";
    cfg.setup_code = "calls = []\n";
    cfg.floor = true;
    jt_pyrun *r = start(&cfg);
    jt_validation v;
    validate(r, &v);
    ck_assert_msg(v.verdict == JT_VERDICT_CORRECT, "%s", v.reason);
    jt_validation_release(&v);
    jt_err err = JT_ERR_INIT;
    jt_run_result rr;
    jt_verdict verdict = JT_VERDICT_CORRECT;
    ck_assert_int_eq(jt_pyrun_run_begin(r, 5, &err), 0);
    ck_assert_msg(jt_pyrun_run_end(r, &rr, &verdict, &err) == 0, "%s", jt_err_msg(&err));
    ck_assert_uint_eq(rr.iterations, 5);
    jt_pyrun_free(r);

    cfg.floor = false; /* the same against a real null function */
    cfg.code = "def solve(*args):\n    return None\n";
    r = start(&cfg);
    validate(r, &v);
    ck_assert_int_eq(v.verdict, JT_VERDICT_INCORRECT);
    ck_assert_str_eq(v.results[0].error_message,
                     "line 4: assert candidate(1) == 2, calls.append('message'): None");
    jt_validation_release(&v);
    jt_pyrun_free(r);
    jt_err_clear(&err);
    json_decref(tests);
    check_clean();
}
END_TEST

/* Floors of modes call and method: no candidate code, a null entry point. */
START_TEST(call_and_method_floor)
{
    static const char *const modes[] = {"call", "method"};
    json_t *tests = parse(SQUARE);
    for (int i = 0; i < 2; i++) {
        jt_pyrun_config cfg = config(NULL, tests);
        cfg.mode = modes[i];
        cfg.floor = true;
        jt_pyrun *r = start(&cfg);
        jt_validation v;
        validate(r, &v);
        ck_assert_msg(v.verdict == JT_VERDICT_INCORRECT, "%s: %s", modes[i], v.reason);
        ck_assert_str_eq(v.results[0].got, "None");
        jt_validation_release(&v);
        jt_err err = JT_ERR_INIT;
        jt_run_result rr;
        jt_verdict verdict = JT_VERDICT_CORRECT;
        ck_assert_int_eq(jt_pyrun_run_begin(r, 10, &err), 0);
        ck_assert_msg(jt_pyrun_run_end(r, &rr, &verdict, &err) == 0, "%s", jt_err_msg(&err));
        jt_pyrun_free(r);
        jt_err_clear(&err);
    }
    /* code given with floor: its helpers stay, the entry point is replaced */
    jt_pyrun_config cfg = config("def solve(x):\n    raise RuntimeError('not null')\n"
                                 "def helper():\n    return 1\n", tests);
    cfg.floor = true;
    cfg.setup_code = "assert helper() == 1 and solve(3) is None\n";
    jt_pyrun *r = start(&cfg);
    jt_validation v;
    validate(r, &v);
    ck_assert_msg(v.verdict == JT_VERDICT_INCORRECT, "%s", v.reason); /* loaded: setup passed */
    jt_validation_release(&v);
    jt_pyrun_free(r);
    json_decref(tests);
    check_clean();
}
END_TEST

/* reload_per_iteration: state kept in module globals or an lru_cache does not
 * carry over from one iteration to the next (nor from validation to runs). */
static const char *const stateful[] = {
    "n = [0]\ndef solve(x):\n    n[0] += 1\n    if n[0] > 1:\n"
    "        raise RuntimeError('state carried over: %d calls' % n[0])\n    return x * x\n",
    "import functools\n@functools.lru_cache(maxsize=None)\ndef sq(x):\n    return x * x\n"
    "def solve(x):\n    r = sq(x)\n    if sq.cache_info().hits:\n"
    "        raise RuntimeError('state carried over: cache hit')\n    return r\n",
};

START_TEST(reload_per_iteration)
{
    static const char *const modes[] = {"call", "script"};
    json_t *call_tests = parse(ONE("[3]", "9"));
    json_t *script_tests = parse(SCRIPT("assert solve(3) == 9"));
    for (int m = 0; m < 2; m++) {
        for (int reload = 1; reload >= 0; reload--) {
            jt_pyrun_config cfg = config(stateful[_i], m ? script_tests : call_tests);
            cfg.mode = modes[m];
            cfg.reload_per_iteration = reload;
            jt_pyrun *r = start(&cfg);
            jt_validation v;
            validate(r, &v);
            ck_assert_msg(v.verdict == JT_VERDICT_CORRECT, "%s", v.reason);
            jt_validation_release(&v);
            jt_err err = JT_ERR_INIT;
            jt_run_result rr;
            jt_verdict verdict = JT_VERDICT_CORRECT;
            ck_assert_int_eq(jt_pyrun_run_begin(r, 3, &err), 0);
            int rc = jt_pyrun_run_end(r, &rr, &verdict, &err);
            if (reload) {
                ck_assert_msg(rc == 0, "%s reload: %s", modes[m], jt_err_msg(&err));
                ck_assert_uint_eq(rr.iterations, 3);
                if (m == 0) { /* outputs reload too */
                    json_t *outs = NULL;
                    ck_assert_int_eq(jt_pyrun_outputs(r, &outs, &verdict, &err), 0);
                    ck_assert_int_eq(json_integer_value(json_array_get(outs, 0)), 9);
                    json_decref(outs);
                }
                validate(r, &v); /* and validation again */
                ck_assert_msg(v.verdict == JT_VERDICT_CORRECT, "%s", v.reason);
                jt_validation_release(&v);
            } else {
                ck_assert_int_eq(rc, -1);
                ck_assert_int_eq(verdict, JT_VERDICT_INCORRECT);
                ck_assert_msg(strstr(jt_err_msg(&err), "RuntimeError: state carried over"), "%s",
                              jt_err_msg(&err));
            }
            jt_err_clear(&err);
            jt_pyrun_free(r);
        }
    }
    json_decref(call_tests);
    json_decref(script_tests);
    check_clean();
}
END_TEST

/* A reload that fails is load_error, with the traceback. */
START_TEST(reload_failure_is_load_error)
{
    json_t *tests = parse(SQUARE);
    jt_pyrun_config cfg = config("import builtins\n"
                                 "builtins.jt_loads = getattr(builtins, 'jt_loads', 0) + 1\n"
                                 "if builtins.jt_loads > 2:\n"
                                 "    raise ImportError('load %d' % builtins.jt_loads)\n"
                                 SQUARE_PY, tests);
    cfg.reload_per_iteration = true;
    jt_pyrun *r = start(&cfg); /* load 1 */
    jt_validation v;
    validate(r, &v); /* load 2 */
    ck_assert_msg(v.verdict == JT_VERDICT_CORRECT, "%s", v.reason);
    jt_validation_release(&v);
    jt_err err = JT_ERR_INIT;
    jt_run_result rr;
    jt_verdict verdict = JT_VERDICT_CORRECT;
    ck_assert_int_eq(jt_pyrun_run_begin(r, 3, &err), 0);
    ck_assert_int_eq(jt_pyrun_run_end(r, &rr, &verdict, &err), -1);
    ck_assert_int_eq(verdict, JT_VERDICT_LOAD_ERROR);
    ck_assert_str_eq(jt_err_msg(&err), "ImportError: load 3");
    validate(r, &v);
    ck_assert_int_eq(v.verdict, JT_VERDICT_LOAD_ERROR);
    ck_assert_ptr_nonnull(v.traceback);
    ck_assert_ptr_nonnull(strstr(v.traceback, "File \"cand.py\", line 4"));
    jt_validation_release(&v);
    jt_err_clear(&err);
    jt_pyrun_free(r);
    json_decref(tests);
    check_clean();
}
END_TEST

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
    {"\"object\"", "{\"__error__\": \"unencodable Weird\"}", false},
    {"\"nested object\"", "{\"__error__\": \"unencodable Weird\"}", false},
    {"\"deque\"", "{\"__error__\": \"unencodable deque\"}", false},
    {"\"nul\"", "{\"__error__\": \"unencodable str (contains NUL)\"}", false},
    {"\"cycle\"", "{\"__error__\": \"unencodable (nested too deeply, or cyclic)\"}", false},
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

/* JOULETRACE_PYTHON_RUNNER swaps the runner: the harness reads the file and
 * passes its text like the embedded runner's (the sandbox's private root
 * hides the checkout): the tree's own runner works; one that answers
 * garbage is a failure, not a verdict about the candidate. */
static const struct {
    const char *file;
    jt_verdict verdict;
    const char *reason;
} overrides[] = {
    {"harness/exec/runners/python_runner.py", JT_VERDICT_CORRECT, NULL},
    {"tests/fixtures/candidates/garbage_runner.py", JT_VERDICT_FAILED,
     "loading: malformed reply from the runner"},
};

START_TEST(runner_override)
{
    char *path = jt_xasprintf("%s/%s", jt_test_srcdir(), overrides[_i].file);
    setenv("JOULETRACE_PYTHON_RUNNER", path, 1);
    json_t *tests = parse(SQUARE);
    jt_pyrun_config cfg = config("def solve(x):\n    return x * x\n", tests);
    jt_pyrun *r = start(&cfg);
    jt_validation v;
    validate(r, &v);
    ck_assert_msg(v.verdict == overrides[_i].verdict, "%s", v.reason);
    if (overrides[_i].reason) ck_assert_str_eq(v.reason, overrides[_i].reason);
    jt_validation_release(&v);
    jt_pyrun_free(r);
    unsetenv("JOULETRACE_PYTHON_RUNNER");
    free(path);
    json_decref(tests);
    check_clean();
}
END_TEST

/* An override that cannot be read is the harness's error, said as such. */
START_TEST(runner_override_unreadable)
{
    char *path = jt_xasprintf("%s/tests/fixtures/no-such-runner.py", jt_test_srcdir());
    setenv("JOULETRACE_PYTHON_RUNNER", path, 1);
    json_t *tests = parse(SQUARE);
    jt_pyrun_config cfg = config("def solve(x):\n    return x * x\n", tests);
    jt_pyrun *r = NULL;
    jt_err err = JT_ERR_INIT;
    ck_assert_int_eq(jt_pyrun_start(&cfg, &r, &err), -1);
    ck_assert_ptr_null(r);
    char *want = jt_xasprintf("pyrun: JOULETRACE_PYTHON_RUNNER: cannot open '%s': No such file "
                              "or directory",
                              path);
    ck_assert_str_eq(jt_err_msg(&err), want);
    unsetenv("JOULETRACE_PYTHON_RUNNER");
    free(want);
    free(path);
    jt_err_clear(&err);
    json_decref(tests);
    check_clean();
}
END_TEST

/* The embedded copy is the file in the tree (catches a stale runner_blob.o). */
START_TEST(embedded_runner_is_current)
{
    char *path = jt_xasprintf("%s/harness/exec/runners/python_runner.py", jt_test_srcdir());
    char *text = jt_test_read_file(path);
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(strcmp(text, jt_python_runner_source) == 0,
                  "runner_blob.o is stale: rebuild it after editing python_runner.py");
    free(text);
    free(path);
    ck_assert_str_eq(jt_verdict_name(JT_VERDICT_MEMORY_LIMIT), "memory_limit");
    ck_assert_str_eq(jt_verdict_name(JT_VERDICT_LOAD_ERROR), "load_error");
    ck_assert_str_eq(jt_verdict_name(JT_VERDICT_BUILD_FAILED), "build_failed");
}
END_TEST

/* ---- mode command: any program, stdin/args -> stdout ------------------- */

#define WC_C                                                                                 \
    "#include <ctype.h>\n#include <stdio.h>\nint main(void) {\n  int c, in = 0;\n  long n = 0;\n" \
    "  while ((c = getchar()) != EOF) {\n    if (isspace(c)) in = 0;\n"                      \
    "    else if (!in) { in = 1; n++; }\n  }\n  printf(\"%ld\\n\", n);\n  return 0;\n}\n"
#define WC_SH "wc -w | tr -d ' '\n"
#define WC_PY "import sys\nprint(len(sys.stdin.read().split()))\n"
/* stdout comparator: "spaces" expects trailing blanks and empty lines the
 * programs do not print */
#define WC_TESTS                                                                             \
    "[{\"test_id\": \"simple\", \"stdin\": \"a b c\\n\", \"expected_stdout\": \"3\\n\"},"     \
    " {\"test_id\": \"empty\", \"stdin\": \"\", \"expected_stdout\": \"0\"},"                 \
    " {\"test_id\": \"spaces\", \"stdin\": \"  x   y \\n\\n\", \"expected_stdout\": \"2  \\n\\n\\n\"}]"
#define SH "[\"sh\", \"{src}\"]"
#define PY "[\"python3\", \"{src}\"]"
#define BIN "[\"{bin}\"]"
/* Forks until RLIMIT_NPROC says no (children wait forever), then answers. */
#define BOMB_C                                                                               \
    "#include <stdio.h>\n#include <unistd.h>\nint main(void) {\n  int n = 0;\n"               \
    "  for (int i = 0; i < 1000; i++) {\n    pid_t p = fork();\n"                             \
    "    if (p == 0) { pause(); _exit(0); }\n    if (p < 0) break;\n    n++;\n  }\n"          \
    "  puts(n > 0 ? \"ok\" : \"none\");\n  return 0;\n}\n"
#define OK_TWICE                                                                             \
    "[{\"test_id\": \"a\", \"stdin\": \"\", \"expected_stdout\": \"ok\\n\"},"                  \
    " {\"test_id\": \"b\", \"stdin\": \"\", \"expected_stdout\": \"ok\\n\"}]"

static jt_pyrun_config command_config(const char *code, const json_t *command, const char *build,
                                      const json_t *tests)
{
    jt_pyrun_config cfg = config(code, tests);
    cfg.mode = "command";
    cfg.function_name = NULL; /* programs have no entry point */
    cfg.command = command;
    cfg.build = build;
    return cfg;
}

static const struct kcase {
    const char *name, *code, *command, *build, *source_name, *tests, *comparator;
    double timeout;        /* 0 = 10 s */
    bool root_only;        /* needs RLIMIT_NPROC, which only the root sandbox sets */
    jt_verdict verdict;
    const char *reason;    /* substring of the reason, NULL when correct */
    const char *traceback; /* substring of the traceback (build output), or NULL */
} kcases[] = {
    {.name = "C with a build, source named after its file", .code = WC_C, .command = BIN,
     .build = "test \"$(basename {src})\" = wc.c && cc -O2 -o {bin} {src}",
     .source_name = "examples/commands/wc.c", .tests = WC_TESTS, .verdict = JT_VERDICT_CORRECT},
    {.name = "inline C becomes candidate.c", .code = WC_C, .command = BIN,
     .build = "CFLAGS=-O2 cc -o {bin} {src} && test \"$(basename {src})\" = candidate.c",
     .tests = WC_TESTS, .verdict = JT_VERDICT_CORRECT},
    {.name = "build failure", .code = "int main(void) { return missing_function(); }\n",
     .command = BIN, .build = "cc -Werror -o {bin} {src}", .tests = WC_TESTS,
     .verdict = JT_VERDICT_BUILD_FAILED, .reason = "build exited with status 1: candidate.c",
     .traceback = "missing_function"},
    {.name = "build timeout", .code = WC_C, .command = BIN, .build = "sleep 30",
     .tests = WC_TESTS, .timeout = 1, .verdict = JT_VERDICT_TIMEOUT,
     .reason = "loading ran past timeout_seconds (1 s): the build"},
    {.name = "build writes no program", .code = WC_C, .command = BIN, .build = "true",
     .tests = WC_TESTS, .verdict = JT_VERDICT_LOAD_ERROR,
     .reason = "{bin} is not an executable file"},
    {.name = "command not found", .code = WC_SH, .command = "[\"no-such-tool-xyz\", \"{src}\"]",
     .tests = WC_TESTS, .verdict = JT_VERDICT_LOAD_ERROR,
     .reason = "command not found: 'no-such-tool-xyz'"},
    {.name = "shell script", .code = WC_SH, .command = SH, .tests = WC_TESTS,
     .verdict = JT_VERDICT_CORRECT},
    {.name = "python script", .code = WC_PY, .command = PY, .tests = WC_TESTS,
     .verdict = JT_VERDICT_CORRECT},
    {.name = "wrong output", .code = "wc -l | tr -d ' '\n", .command = SH, .tests = WC_TESTS,
     .verdict = JT_VERDICT_INCORRECT,
     .reason = "test 'simple': expected '3\\n', got '1\\n' (1 of 3 tests failed)"},
    {.name = "exact comparator", .code = WC_SH, .command = SH, .tests = WC_TESTS,
     .comparator = "exact", .verdict = JT_VERDICT_INCORRECT,
     .reason = "test 'empty': expected '0', got '0\\n' (2 of 3 tests failed)"},
    {.name = "wrong exit status", .code = WC_SH "exit 3\n", .command = SH, .tests = WC_TESTS,
     .verdict = JT_VERDICT_INCORRECT,
     .reason = "test 'simple': exited with status 3, expected exit status 0 (3 of 3"},
    {.name = "expected exit status", .code = "echo usage >&2\nexit 2\n", .command = SH,
     .tests = "[{\"test_id\": \"u\", \"stdin\": \"\", \"expected_stdout\": \"\","
              " \"expected_exit_code\": 2}]",
     .verdict = JT_VERDICT_CORRECT},
    {.name = "stderr explains", .code = "import sys\nsys.stdin.read()\n1 / 0\n", .command = PY,
     .tests = WC_TESTS, .verdict = JT_VERDICT_INCORRECT,
     .reason = "exited with status 1, expected exit status 0; stderr: ZeroDivisionError: "
               "division by zero"},
    {.name = "killed by a signal", .code = "kill -SEGV $$\n", .command = SH, .tests = WC_TESTS,
     .verdict = JT_VERDICT_INCORRECT,
     .reason = "test 'simple': killed by signal 11 (SIGSEGV) (3 of 3"},
    {.name = "args", .code = "printf '%s|' \"$@\"\necho\n", .command = SH,
     .tests = "[{\"test_id\": \"a\", \"stdin\": \"\", \"args\": [\"x\", \"y z\", \"$HOME\"],"
              " \"expected_stdout\": \"x|y z|$HOME|\"}]",
     .verdict = JT_VERDICT_CORRECT},
    {.name = "prints forever", .code = "yes\n", .command = SH, .tests = WC_TESTS,
     .verdict = JT_VERDICT_INCORRECT, .reason = "output flood: more than 16 MiB on stdout"},
    {.name = "sleeps", .code = "sleep 30\n", .command = SH, .tests = WC_TESTS, .timeout = 1,
     .verdict = JT_VERDICT_TIMEOUT,
     .reason = "validation ran past timeout_seconds (1 s): test 'simple'"},
    {.name = "reads on after EOF", .code = "import sys\nwhile True:\n    sys.stdin.read()\n",
     .command = PY, .tests = WC_TESTS, .timeout = 1, .verdict = JT_VERDICT_TIMEOUT,
     .reason = "validation ran past timeout_seconds (1 s)"},
    {.name = "closes stdout, runs on", .code = "exec >&- 2>&-\nsleep 30\n", .command = SH,
     .tests = WC_TESTS, .timeout = 1, .verdict = JT_VERDICT_TIMEOUT,
     .reason = "validation ran past timeout_seconds (1 s)"},
    /* the background sleep holds stdout: it dies when its program exits */
    {.name = "leaves a process behind", .code = "sleep 30 &\n" WC_SH, .command = SH,
     .tests = WC_TESTS, .verdict = JT_VERDICT_CORRECT},
    {.name = "fork bomb", .code = BOMB_C, .command = BIN, .build = "cc -o {bin} {src}",
     .tests = OK_TWICE, .root_only = true, .verdict = JT_VERDICT_CORRECT},
};

START_TEST(command_verdicts)
{
    const struct kcase *kc = &kcases[_i];
    if (kc->root_only && geteuid() != 0) return;
    json_t *tests = parse(kc->tests), *command = parse(kc->command);
    jt_pyrun_config cfg = command_config(kc->code, command, kc->build, tests);
    cfg.source_name = kc->source_name;
    cfg.comparator = kc->comparator;
    if (kc->timeout) cfg.timeout_seconds = kc->timeout;
    double t0 = now();
    jt_pyrun *r = start(&cfg);
    jt_validation v;
    validate(r, &v);
    double took = now() - t0;
    ck_assert_msg(v.verdict == kc->verdict, "%s: verdict %s, want %s (%s)", kc->name,
                  jt_verdict_name(v.verdict), jt_verdict_name(kc->verdict),
                  v.reason ? v.reason : "");
    if (kc->reason)
        ck_assert_msg(v.reason && strstr(v.reason, kc->reason), "%s: reason '%s' lacks '%s'",
                      kc->name, v.reason ? v.reason : "(null)", kc->reason);
    else
        ck_assert_ptr_null(v.reason);
    if (kc->traceback)
        ck_assert_msg(v.traceback && strstr(v.traceback, kc->traceback), "%s: traceback '%s'",
                      kc->name, v.traceback ? v.traceback : "(null)");
    /* a timeout cannot come before its deadline (see verdicts) */
    if (kc->verdict == JT_VERDICT_TIMEOUT)
        ck_assert_msg(took >= cfg.timeout_seconds, "%s: timeout after %.2f s", kc->name, took);
    if (kc->verdict == JT_VERDICT_CORRECT || kc->verdict == JT_VERDICT_INCORRECT) {
        ck_assert_uint_eq(v.n_results, json_array_size(tests));
        ck_assert_int_ge(jt_pyrun_pid(r), 1);
    } else {
        ck_assert_int_eq(jt_pyrun_pid(r), -1);
    }
    jt_validation_release(&v);
    jt_pyrun_free(r);
    json_decref(tests);
    json_decref(command);
    check_clean();
}
END_TEST

/* 1 MiB through cat (the runner feeds stdin while it drains stdout), and a
 * program that never reads its stdin (EPIPE on our side, not a failure). */
START_TEST(command_big_stdin)
{
    size_t n = 1 << 20;
    char *big = jt_xcalloc(n + 1, 1);
    for (size_t i = 0; i < n; i++) big[i] = i % 64 == 63 ? '\n' : (char)('a' + i % 26);
    json_t *tests = json_pack("[{s:s,s:s,s:s}]", "test_id", "big", "stdin", big,
                              "expected_stdout", big);
    json_t *command = parse(SH);
    jt_pyrun_config cfg = command_config("cat\n", command, NULL, tests);
    cfg.comparator = "exact";
    jt_pyrun *r = start(&cfg);
    jt_validation v;
    validate(r, &v);
    ck_assert_msg(v.verdict == JT_VERDICT_CORRECT, "%s", v.reason);
    jt_validation_release(&v);
    jt_pyrun_free(r);
    json_decref(tests);

    tests = json_pack("[{s:s,s:s,s:s}]", "test_id", "unread", "stdin", big, "expected_stdout",
                      "hi\n");
    cfg = command_config("echo hi\n", command, NULL, tests);
    r = start(&cfg);
    validate(r, &v);
    ck_assert_msg(v.verdict == JT_VERDICT_CORRECT, "%s", v.reason);
    jt_validation_release(&v);
    jt_pyrun_free(r);
    json_decref(tests);
    json_decref(command);
    free(big);
    check_clean();
}
END_TEST

/* What a program leaves behind dies when it exits, not only with the
 * runner: after validation (runner alive) no marked process is left. */
START_TEST(command_leftovers_die_per_test)
{
    char marker[64];
    snprintf(marker, sizeof marker, "jt-cmd-leftover-%d", (int)getpid());
    char *code = jt_xasprintf("sh -c 'sleep 300; :' %s >/dev/null 2>&1 &\n"
                              "sh -c 'sleep 300; :' %s &\n" WC_SH, marker, marker);
    json_t *tests = parse(WC_TESTS), *command = parse(SH);
    jt_pyrun_config cfg = command_config(code, command, NULL, tests);
    jt_pyrun *r = start(&cfg);
    jt_validation v;
    validate(r, &v);
    ck_assert_msg(v.verdict == JT_VERDICT_CORRECT, "%s", v.reason);
    ck_assert_int_ge(jt_pyrun_pid(r), 1);
    ck_assert_int_eq(jt_test_count_procs(marker), 1); /* the runner (our child) alone */
    jt_validation_release(&v);
    jt_pyrun_free(r);
    json_decref(tests);
    json_decref(command);
    free(code);
    check_clean();
}
END_TEST

/* run N: N x every test, a fresh process each; the programs' CPU counts. */
START_TEST(command_runs_count_the_programs_cpu)
{
    json_t *tests = parse("[{\"test_id\": \"busy\", \"stdin\": \"\", \"expected_stdout\": \"done\"}]");
    json_t *command = parse(BIN);
    jt_pyrun_config cfg = command_config(
        "#include <stdio.h>\n#include <time.h>\n"
        "static double cpu(void) {\n  struct timespec t;\n"
        "  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);\n  return t.tv_sec + t.tv_nsec * 1e-9;\n}\n"
        "int main(void) {\n  while (cpu() < 0.1) ;\n  puts(\"done\");\n  return 0;\n}\n",
        command, "cc -O0 -o {bin} {src}", tests);
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
    ck_assert_double_gt(rr.elapsed_seconds, 0);
    /* each start burns 0.1 s of CPU by its own clock (however loaded the
     * machine), so three starts hold >= 0.3 s whatever the machine's speed;
     * the runner alone spends a few ms: this holds only when the programs'
     * CPU counts */
    ck_assert_msg(rr.cpu_seconds >= 0.3, "cpu %g s, elapsed %g s", rr.cpu_seconds,
                  rr.elapsed_seconds);
    ck_assert_double_le(rr.cpu_seconds, rr.elapsed_seconds * 1.5 + 0.05);
    jt_err_clear(&err);
    jt_pyrun_free(r);
    json_decref(tests);
    json_decref(command);
    check_clean();
}
END_TEST

/* A program that goes wrong during a run: the run ends with a verdict. The
 * count of starts lives in the workdir ({dir}). */
static const struct {
    const char *late; /* what the 3rd and later starts do */
    jt_verdict verdict;
    const char *reason;
} krun[] = {
    {"exit 4", JT_VERDICT_INCORRECT, "test 'simple': exited with status 4, expected exit status 0"},
    {"sleep 30", JT_VERDICT_TIMEOUT, "a run ran past timeout_seconds (1 s): test 'simple'"},
};

START_TEST(command_run_failures)
{
    char *code = jt_xasprintf("n=$(cat count 2>/dev/null || echo 0)\necho $((n + 1)) > count\n"
                              "if [ \"$n\" -ge 2 ]; then %s; fi\ncat >/dev/null\necho 3\n",
                              krun[_i].late);
    json_t *tests = parse("[{\"test_id\": \"simple\", \"stdin\": \"a b c\\n\", \"expected_stdout\": \"3\"}]");
    json_t *command = parse(SH);
    jt_pyrun_config cfg = command_config(code, command, NULL, tests);
    cfg.timeout_seconds = 1;
    jt_pyrun *r = start(&cfg);
    jt_validation v;
    validate(r, &v);
    ck_assert_msg(v.verdict == JT_VERDICT_CORRECT, "%s", v.reason);
    jt_validation_release(&v);
    jt_err err = JT_ERR_INIT;
    jt_run_result rr;
    jt_verdict verdict = JT_VERDICT_CORRECT;
    double t0 = now();
    ck_assert_int_eq(jt_pyrun_run_begin(r, 100, &err), 0);
    ck_assert_int_eq(jt_pyrun_run_end(r, &rr, &verdict, &err), -1);
    if (krun[_i].verdict == JT_VERDICT_TIMEOUT) /* sleep 30 is cut at the deadline */
        ck_assert_double_ge(now() - t0, cfg.timeout_seconds);
    ck_assert_msg(verdict == krun[_i].verdict, "verdict %s (%s)", jt_verdict_name(verdict),
                  jt_err_msg(&err));
    ck_assert_msg(strstr(jt_err_msg(&err), krun[_i].reason), "reason '%s'", jt_err_msg(&err));
    jt_err_clear(&err);
    jt_pyrun_free(r);
    json_decref(tests);
    json_decref(command);
    free(code);
    check_clean();
}
END_TEST

/* The floor: no source, no build, /bin/true per test with the same stdin;
 * exit statuses are not checked (a test expecting 3 still runs). */
START_TEST(command_floor)
{
    json_t *tests = parse("[{\"test_id\": \"a\", \"stdin\": \"a b c\\n\", \"args\": [\"x\"],"
                          " \"expected_stdout\": \"3\", \"expected_exit_code\": 3}]");
    jt_pyrun_config cfg = command_config(NULL, NULL, NULL, tests);
    cfg.floor = true;
    jt_pyrun *r = start(&cfg);
    jt_err err = JT_ERR_INIT;
    jt_run_result rr;
    jt_verdict verdict = JT_VERDICT_CORRECT;
    ck_assert_int_eq(jt_pyrun_run_begin(r, 20, &err), 0);
    ck_assert_msg(jt_pyrun_run_end(r, &rr, &verdict, &err) == 0, "%s", jt_err_msg(&err));
    ck_assert_uint_eq(rr.iterations, 20);
    ck_assert_double_gt(rr.elapsed_seconds, 0);
    ck_assert_double_gt(rr.cpu_seconds, 0);
    jt_err_clear(&err);
    jt_pyrun_free(r);
    json_decref(tests);
    check_clean();
}
END_TEST

/* outputs: each test's stdout, for expected outputs from a reference program. */
START_TEST(command_outputs)
{
    json_t *tests = parse("[{\"test_id\": \"a\", \"stdin\": \"a b c\\n\"},"
                          " {\"test_id\": \"b\", \"stdin\": \"\", \"args\": [\"fail\"]},"
                          " {\"test_id\": \"c\", \"stdin\": \"x\", \"args\": [\"bytes\"]}]");
    json_t *command = parse(SH);
    jt_pyrun_config cfg = command_config(
        "[ \"$1\" = fail ] && exit 5\n[ \"$1\" = bytes ] && printf '\\377' && exit 0\n" WC_SH,
        command, NULL, tests);
    jt_pyrun *r = start(&cfg);
    json_t *outs = NULL;
    jt_verdict verdict = JT_VERDICT_CORRECT;
    jt_err err = JT_ERR_INIT;
    ck_assert_msg(jt_pyrun_outputs(r, &outs, &verdict, &err) == 0, "%s", jt_err_msg(&err));
    ck_assert_uint_eq(json_array_size(outs), 3);
    ck_assert_str_eq(json_string_value(json_array_get(outs, 0)), "3\n");
    const char *e1 = json_string_value(json_object_get(json_array_get(outs, 1), "__error__"));
    ck_assert_msg(e1 && strstr(e1, "exited with status 5, expected exit status 0"), "%s", e1);
    const char *e2 = json_string_value(json_object_get(json_array_get(outs, 2), "__error__"));
    ck_assert_msg(e2 && strstr(e2, "not valid UTF-8"), "%s", e2);
    json_decref(outs);
    jt_err_clear(&err);
    jt_pyrun_free(r);
    json_decref(tests);
    json_decref(command);
    check_clean();
}
END_TEST

START_TEST(command_config_errors)
{
    json_t *tests = parse(WC_TESTS), *command = parse(SH), *bad = parse("[\"sh\", \"\"]");
    static const struct {
        bool with_command, bad_command;
        const char *mode, *comparator, *message;
    } cases[] = {
        {false, false, "command", NULL, "mode command needs command"},
        {true, true, "command", NULL, "mode command needs command"},
        {true, false, "command", "close", "mode command has no comparator 'close'"},
        {true, false, "call", "stdout", "mode call has no comparator 'stdout'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        jt_pyrun_config cfg = command_config(WC_SH, cases[i].with_command ? command : NULL, NULL,
                                             tests);
        if (cases[i].bad_command) cfg.command = bad;
        cfg.mode = cases[i].mode;
        cfg.comparator = cases[i].comparator;
        if (strcmp(cfg.mode, "command")) cfg.function_name = "solve";
        jt_pyrun *r = NULL;
        jt_err err = JT_ERR_INIT;
        ck_assert_int_eq(jt_pyrun_start(&cfg, &r, &err), -1);
        ck_assert_ptr_null(r);
        ck_assert_msg(strstr(jt_err_msg(&err), cases[i].message), "%zu: %s", i, jt_err_msg(&err));
        jt_err_clear(&err);
    }
    json_decref(tests);
    json_decref(command);
    json_decref(bad);
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
    tcase_add_loop_test(tc, contract_verdicts, 0, sizeof ccases / sizeof ccases[0]);
    tcase_add_test(tc, per_test_details_and_traceback);
    tcase_add_test(tc, output_flood_is_capped);
    tcase_add_test(tc, spawned_processes_die_with_the_child);
    tcase_add_test(tc, inputs_are_fresh_every_iteration);
    tcase_add_test(tc, runs_report_time);
    tcase_add_loop_test(tc, run_failures, 0, sizeof rcases / sizeof rcases[0]);
    tcase_add_test(tc, method_mode);
    tcase_add_test(tc, harness_side_errors);
    tcase_add_loop_test(tc, humaneval_scripts, 0,
                        sizeof humaneval_tasks / sizeof humaneval_tasks[0]);
    tcase_add_test(tc, script_floor);
    tcase_add_test(tc, call_and_method_floor);
    tcase_add_loop_test(tc, reload_per_iteration, 0, sizeof stateful / sizeof stateful[0]);
    tcase_add_test(tc, reload_failure_is_load_error);
    tcase_add_test(tc, outputs_round_trip);
    tcase_add_test(tc, outputs_are_bounded);
    tcase_add_test(tc, outputs_failures);
    tcase_add_test(tc, config_errors);
    tcase_add_loop_test(tc, command_verdicts, 0, sizeof kcases / sizeof kcases[0]);
    tcase_add_test(tc, command_big_stdin);
    tcase_add_test(tc, command_leftovers_die_per_test);
    tcase_add_test(tc, command_runs_count_the_programs_cpu);
    tcase_add_loop_test(tc, command_run_failures, 0, sizeof krun / sizeof krun[0]);
    tcase_add_test(tc, command_floor);
    tcase_add_test(tc, command_outputs);
    tcase_add_test(tc, command_config_errors);
    tcase_add_loop_test(tc, runner_override, 0, 2);
    tcase_add_test(tc, runner_override_unreadable);
    tcase_add_test(tc, embedded_runner_is_current);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(pyrun_suite)
