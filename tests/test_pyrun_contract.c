/* Tests for the Python runner's contract beyond "exact": comparators,
 * script mode, setup code, the prelude, HumanEval scripts, the floors of
 * modes call, method and script, reload_per_iteration.
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

/* The contract beyond "exact": comparators, script mode, setup code, the
 * prelude. Zero timeout/mem mean 10 s and 1024 MiB; mode NULL is "call". */
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

/* Floors of modes call and method: no candidate code, a null entry point
 * that returns each test's expected output (so its encoding and proof cost
 * what a correct candidate's do); its eval passes are not judged. */
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
        ck_assert_msg(v.verdict == JT_VERDICT_CORRECT, "%s: %s", modes[i], v.reason);
        ck_assert_uint_eq(v.n_results, 0); /* nothing judged */
        jt_validation_release(&v);
        json_t *outs = NULL;
        jt_verdict ov = JT_VERDICT_CORRECT;
        jt_err oerr = JT_ERR_INIT;
        ck_assert_int_eq(jt_pyrun_outputs(r, &outs, &ov, &oerr), 0);
        for (size_t k = 0; k < json_array_size(tests); k++)
            ck_assert(json_equal(json_array_get(outs, k),
                                 json_object_get(json_array_get(tests, k), "expected_output")));
        json_decref(outs);
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
    ck_assert_msg(v.verdict == JT_VERDICT_CORRECT, "%s", v.reason); /* loaded: setup passed */
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

static Suite *pyrun_contract_suite(void)
{
    Suite *s = suite_create("pyrun_contract");
    TCase *tc = tcase_create("runner");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, contract_verdicts, 0, sizeof ccases / sizeof ccases[0]);
    tcase_add_loop_test(tc, humaneval_scripts, 0,
                        sizeof humaneval_tasks / sizeof humaneval_tasks[0]);
    tcase_add_test(tc, script_floor);
    tcase_add_test(tc, call_and_method_floor);
    tcase_add_loop_test(tc, reload_per_iteration, 0, sizeof stateful / sizeof stateful[0]);
    tcase_add_test(tc, reload_failure_is_load_error);
    suite_add_tcase(s, tc);
    return s;
}

JT_TEST_MAIN(pyrun_contract_suite)
