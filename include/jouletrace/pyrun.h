/* pyrun — one sandboxed Python child that serves one candidate.
 *
 * The harness starts the embedded runner (harness/exec/runners/python_runner.py)
 * in a sandboxed child (see child.h), hands it the candidate's code and its
 * test cases once, then sends commands over a private protocol pipe:
 *   validate        every test case once (also the warm-up), per-test verdicts
 *   run N           N iterations over the whole test set, inputs fresh
 *                   (unmutated) each iteration, elapsed time reported
 * The energy engine reads its counters between jt_pyrun_run_begin() and
 * jt_pyrun_run_end(), so the window holds the iterations and little else.
 *
 * Values (inputs, expected outputs) are jansson values in JouleTrace's typed
 * encoding (DESIGN §4, produced by the suite loader): {"__int__": "<digits>"}
 * for integers outside int64, {"__float__": "inf"|"-inf"|"nan"},
 * {"__tuple__": [...]}, {"__set__"|"__frozenset__": [...]}, {"__bytes__":
 * "<base64>"}, {"__complex__": [re, im]}, {"__dict__": [[k, v], ...]}; any
 * other object is a plain dict. Comparison: ints exactly, a float on either
 * side within float_tolerance (relative; nan == nan), bool and None only equal
 * themselves, lists and tuples as sequences, dicts by keys then values.
 *
 * The runner is embedded in the binary; JOULETRACE_PYTHON_RUNNER=<file> makes
 * the child run that file instead (development only: as root the sandbox user
 * must be able to read it, and it must lie outside /tmp, /var/tmp and /dev/shm,
 * which the namespace replaces).
 *
 * Ownership: jt_pyrun_start() copies what it needs from the config; the
 * config and its values stay the caller's. Results (jt_validation) are owned
 * by the caller and released with jt_validation_release(). jt_pyrun_free()
 * kills the child's whole process group, reaps it and removes its working
 * directory; it is safe on NULL and after any failure. */
#ifndef JOULETRACE_PYRUN_H
#define JOULETRACE_PYRUN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "jouletrace/common.h"

typedef struct jt_pyrun_config {
    const char *python;          /* path of the interpreter; NULL = /usr/bin/python3 */
    const char *code;            /* candidate source text */
    const char *filename;        /* name shown in tracebacks, e.g. "square-mul.py" */
    const char *function_name;   /* entry point */
    const char *mode;            /* "call" (default when NULL) or "method" */
    const json_t *test_cases;    /* array of {test_id, inputs: [...], expected_output?} */
    double float_tolerance;      /* relative tolerance where a float is compared */
    double timeout_seconds;      /* > 0; for loading, for validate, and for each run */
    long memory_limit_mb;        /* address-space limit of the child; 0 = none */
    int cpu;                     /* pin the child to this CPU; -1 = do not pin */
    const char *sandbox_user;    /* user to drop to when started as root ("nobody") */
    size_t output_cap_bytes;     /* captured stdout/stderr kept per stream (0 = 64 KiB) */

    /* How a test's output is judged (NULL = "exact"): "exact" (the rules
     * above), "close" (floats anywhere in the value compare with
     * math.isclose(rel_tol=rtol, abs_tol=atol); everything else exact),
     * "set" (the output and the expected value compare as sets, order and
     * duplicates ignored), "not_none" (any output but None passes),
     * "checker" (checker_code defines check(inputs, expected, output) and
     * its truth decides; inputs are a fresh copy). */
    const char *comparator;
    double atol, rtol;
    const char *checker_code;
    /* Run once in the candidate's namespace after loading it (imports a
     * dataset's tests need, e.g. MBPP's test_imports). NULL = none. */
    const char *setup_code;
    /* mode "method": exec the usual LeetCode prelude (typing names,
     * collections, heapq, bisect, functools, itertools, math, ListNode,
     * TreeNode) before the candidate. */
    bool prelude;
    /* Exec the candidate's code afresh (a new module namespace) before every
     * iteration of a run, so caches in module globals or lru_cache cannot
     * carry over. The re-exec is inside the timed region (documented). */
    bool reload_per_iteration;
} jt_pyrun_config;

/* Mode "script": each test case is {test_id, script} instead of
 * inputs/expected_output; the script (e.g. HumanEval's `def check(candidate):
 * ...` followed by `check(entry_point)`, or one MBPP assert) is compiled once
 * and exec'd per iteration in a fresh copy of the candidate's globals. It
 * passes when it raises nothing. function_name must still name a callable
 * (the entry point). */

/* Candidate-level verdicts of validation; also the statuses `validate` prints. */
typedef enum jt_verdict {
    JT_VERDICT_CORRECT = 0,
    JT_VERDICT_INCORRECT,    /* loaded, but at least one test failed or raised */
    JT_VERDICT_LOAD_ERROR,   /* syntax error, import error, missing/non-callable entry point */
    JT_VERDICT_TIMEOUT,      /* loading or a test ran past timeout_seconds */
    JT_VERDICT_MEMORY_LIMIT, /* MemoryError or killed while over memory_limit_mb */
    JT_VERDICT_CRASHED,      /* killed by a signal (SIGSEGV, ...) */
    JT_VERDICT_FAILED,       /* anything else (child exited, protocol broken), with reason */
} jt_verdict;

const char *jt_verdict_name(jt_verdict v); /* "correct", "incorrect", ... */

typedef struct jt_test_result {
    char *test_id;
    bool passed;
    char *expected;      /* repr of the expected value, truncated; NULL if none */
    char *got;           /* repr of what the candidate returned, truncated; NULL if it raised */
    char *error_type;    /* exception class name when the test raised, else NULL */
    char *error_message; /* exception message (truncated), else NULL */
} jt_test_result;

typedef struct jt_validation {
    jt_verdict verdict;
    size_t passed, total;
    jt_test_result *results; /* one per test case, in suite order (empty on load errors) */
    size_t n_results;
    char *reason;            /* one line explaining a non-correct verdict; NULL when correct */
    double elapsed_seconds;  /* wall time of the validation pass inside the child */
    char *stdout_head;       /* captured candidate output (capped, may hold any bytes:
                                escape before writing it anywhere), NULL when none */
    char *stderr_head;
    char *traceback;         /* load errors: the candidate's traceback tail, else NULL */
    size_t stdout_dropped;   /* bytes beyond the cap, counted and discarded */
    size_t stderr_dropped;
} jt_validation;

void jt_validation_release(jt_validation *v);

typedef struct jt_run_result {
    uint64_t iterations;
    double elapsed_seconds;  /* measured by the child around the N iterations */
    double cpu_seconds;      /* child's process CPU time for the same span */
} jt_run_result;

typedef struct jt_pyrun jt_pyrun;

/* Starts the child, sends it the candidate and waits (up to timeout_seconds)
 * until the code is loaded. A candidate that fails to load is NOT an error
 * here: *out is returned and jt_pyrun_validate() reports load_error, timeout,
 * crashed etc. -1 only when the sandbox itself could not be set up. */
int jt_pyrun_start(const jt_pyrun_config *cfg, jt_pyrun **out, jt_err *err);

/* Runs every test case once. Always fills *out (verdict + reason), returns 0;
 * -1 only on harness-side failures (e.g. out of file descriptors). After a
 * verdict other than correct/incorrect, the child is gone. */
int jt_pyrun_validate(jt_pyrun *r, jt_validation *out, jt_err *err);

/* Tells the child to run `iterations` passes over the test set and returns at
 * once; jt_pyrun_run_end() waits for the answer (bounded by timeout_seconds).
 * On timeout, crash or protocol failure run_end returns -1 with the verdict in
 * *verdict and a reason in err; the child is then gone. */
int jt_pyrun_run_begin(jt_pyrun *r, uint64_t iterations, jt_err *err);
int jt_pyrun_run_end(jt_pyrun *r, jt_run_result *out, jt_verdict *verdict, jt_err *err);

/* Runs the candidate once per test case on fresh copies of the inputs and
 * returns what it returned, in the typed encoding (so the caller can store
 * them as expected outputs: ground truth from a reference solution, as
 * EvalPlus does). *outputs is a new array, one entry per test case; a test
 * whose call raised is {"__error__": "Type: message"}; an output that has no
 * encoding (an arbitrary object) is {"__error__": "unencodable <type>"}.
 * -1 with *verdict when the child failed (timeout, crash, ...). Modes call
 * and method only. */
int jt_pyrun_outputs(jt_pyrun *r, json_t **outputs, jt_verdict *verdict, jt_err *err);

/* pid of the child (for /proc telemetry), or -1 when gone. */
int jt_pyrun_pid(const jt_pyrun *r);

/* Which isolation applied (namespaces or the fallback and why), for reports. */
const char *jt_pyrun_sandbox_desc(const jt_pyrun *r);

void jt_pyrun_free(jt_pyrun *r);

#endif
