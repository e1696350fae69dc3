/* pyrun — one sandboxed Python child that serves one candidate.
 *
 * The harness starts the embedded runner (the .py files of harness/exec/runners: its
 * loader python_runner.py is the child's `-c` program, the runner's modules
 * follow as the first message on the command channel, so no argv string
 * bounds their size) in a sandboxed child (see child.h), checks that it
 * speaks the harness's protocol version, hands it the candidate's code and
 * its test cases once, then sends commands over a private protocol pipe:
 *   validate        every test case once (also the warm-up), per-test verdicts
 *   run N           N iterations over the whole test set, inputs fresh
 *                   (unmutated) each iteration, elapsed time reported
 *   outputs         every test case once, the outputs themselves returned
 * The energy engine reads its counters between jt_pyrun_run_begin() and
 * jt_pyrun_run_end(), so the window holds the iterations and little else.
 *
 * Values (inputs, expected outputs) are jansson values in JouleTrace's typed
 * encoding (docs/design.md "Typed values", produced by the suite loader): {"__int__": "<digits>"}
 * for integers outside int64, {"__float__": "inf"|"-inf"|"nan"},
 * {"__tuple__": [...]}, {"__set__"|"__frozenset__": [...]}, {"__bytes__":
 * "<base64>"}, {"__complex__": [re, im]}, {"__dict__": [[k, v], ...]}; any
 * other object is a plain dict. Comparison ("exact", the default): ints
 * exactly, a float on either side within float_tolerance (relative; nan ==
 * nan), bool and None only equal themselves, lists and tuples as sequences,
 * dicts by keys then values, sets as sets.
 *
 * Loading: a fresh module namespace gets the prelude (when asked), then the
 * candidate's code, then setup_code; then function_name is looked up (mode
 * method: class Solution with that method). Any failure there is load_error
 * (a setup_code failure says "setup_code: ..." and its traceback is the
 * setup code's).
 *
 * The runner is embedded in the binary; JOULETRACE_PYTHON_RUNNER=<file> makes
 * the harness read that file and send its text instead (development only): a
 * text of "#@module NAME" sections is loaded as the runner's modules (the
 * embedded form), any other text runs as one program. A runner that answers
 * setup in another protocol version, or in none, is verdict failed ("loading:
 * the runner speaks protocol version N, this jouletrace M ...").
 *
 * Ownership: jt_pyrun_start() copies what it needs from the config; the
 * config and its values stay the caller's. Results (jt_validation) are owned
 * by the caller and released with jt_validation_release(). jt_pyrun_free()
 * kills the child's whole process group, reaps it and removes its working
 * directory; it is safe on NULL and after any failure. */
#ifndef JOULETRACE_PYRUN_H
#define JOULETRACE_PYRUN_H

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "jouletrace/child.h"
#include "jouletrace/common.h"

typedef struct jt_pyrun_config {
    const char *python;          /* path of the interpreter; NULL = /usr/bin/python3 */
    const char *code;            /* candidate source text */
    const char *filename;        /* name shown in tracebacks, e.g. "square-mul.py" */
    const char *function_name;   /* entry point */
    const char *mode;            /* "call" (default when NULL), "method", "script" or
                                    "command" (see "Mode command" below) */
    const json_t *test_cases;    /* array of {test_id, inputs: [...], expected_output?}
                                    (mode script: {test_id, script}; mode command:
                                    {test_id, stdin, args: [...], expected_stdout?,
                                    expected_exit_code}) */
    double float_tolerance;      /* relative tolerance where a float is compared */
    double timeout_seconds;      /* > 0; for loading, for validate, and for each run */
    long memory_limit_mb;        /* address-space limit of the child; 0 = none */
    int cpu;                     /* pin the child to this CPU; -1 = do not pin */
    int judge_cpu;               /* and its judge's (a child that runs no candidate code) */
    bool adopts_judged;          /* jt_pyrun_adopt_judged follows: start no judge early */
    const char *sandbox_user;    /* user to drop to when started as root ("nobody") */
    size_t output_cap_bytes;     /* captured stdout/stderr kept per stream (0 = 64 KiB) */

    /* Mode command: the argv template (an array of non-empty strings, e.g.
     * ["{bin}"] or ["python3", "{src}"]; required unless floor), the build
     * command line (NULL = none) and the name the source (`code`) is written
     * under in the workdir. source_name may be a path: its last component is
     * used (the engine passes the candidate's source path, e.g. "wc.c"). NULL
     * (inline code) = "candidate" plus an extension guessed from the first
     * word of the build (cc, gcc, clang, tcc: .c; c++, g++, clang++: .cpp;
     * rustc: .rs; go: .go; javac: .java; ghc: .hs) or, without a build, from
     * the command's program (python*, pypy*: .py; sh, bash, dash, zsh, ksh:
     * .sh; node: .js; ruby: .rb; perl: .pl; lua: .lua; php: .php); else
     * "candidate.src". Compilers pick the language from the extension, so
     * an inline C candidate becomes candidate.c. Ignored in other modes. */
    const json_t *command;
    const char *build;
    const char *source_name;

    /* How a test's output is judged (NULL = "exact"; mode command: "stdout"):
     *  "exact"    the rules above (float_tolerance applies).
     *  "close"    the same walk, but wherever a float meets a number (int,
     *             float; complex: real and imaginary parts apart) they match
     *             when |got - expected| <= atol + rtol * |expected|, the
     *             numpy.allclose formula EvalPlus uses (NOT math.isclose: it
     *             is not symmetric, the tolerance scales with the expected
     *             value); nan matches only nan, inf only the same inf; int vs
     *             int stays exact. atol = rtol = 0 means float equality. The
     *             EvalPlus importer sets rtol 1e-7 and atol from the task
     *             (default 1e-6). float_tolerance does not apply.
     *  "set"      output and expected are lists/tuples/sets/frozensets and
     *             hold the same elements, order and duplicates ignored;
     *             anything else fails. Elements compare as Python sets do
     *             (1 == 1.0 == True); when an element is unhashable (lists of
     *             lists) both sides compare as sets of canonical strings (lists
     *             = tuples, dicts and sets order-free, floats exact except that
     *             an integral float equals the int).
     *  "not_none" any output but None passes (expected_output is ignored).
     *  "checker"  checker_code is compiled once in its own namespace (with
     *             the prelude when `prelude` is set) and must define
     *             check(inputs, expected, output); a truthy result passes.
     *             inputs is a fresh deep copy of the test's inputs (a list),
     *             expected a deep copy (None when the test has none). An
     *             exception in check() fails the test with that error_type
     *             and checker_error set. Checker code that does not compile or
     *             defines no check: jt_pyrun_start succeeds, validate says
     *             failed ("runner: checker_code: ...").
     * Without expected_output, "exact", "close" and "set" pass any output.
     * Mode command takes only these two:
     *  "stdout"   (its default) stdout and expected_stdout compared line by
     *             line ("\n"), trailing whitespace of every line and trailing
     *             empty lines ignored.
     *  "exact"    stdout byte for byte equal to expected_stdout. */
    const char *comparator;
    double atol, rtol;           /* "close"; finite and >= 0 */
    const char *checker_code;    /* "checker": required */
    /* Run once in the candidate's namespace after its code (imports a
     * dataset's tests need, e.g. MBPP's test_imports). NULL = none. Also
     * re-run by every reload (reload_per_iteration). */
    const char *setup_code;
    /* Modes call and method: Python code defining convert_inputs(inputs) ->
     * list (applied once per test case at setup, never measured: e.g.
     * ListNode from a list) and/or convert_output(output) -> value (applied
     * to every judged output: e.g. a list from a ListNode). NULL = none. */
    const char *convert_code;
    /* Exec the usual LeetCode prelude in the candidate's namespace before its
     * code (meant for mode "method"; honoured in every mode): `from typing
     * import *`; the modules bisect, collections, functools, heapq, itertools,
     * math, operator, random, re, string; the common names from them (Counter,
     * defaultdict, deque, heappush, heappop, bisect_left, lru_cache, cache,
     * reduce, accumulate, combinations, permutations, product, inf, gcd, ...);
     * class ListNode(val=0, next=None), class TreeNode(val=0, left=None,
     * right=None) (no __eq__: they stay hashable), and list_to_listnode(),
     * listnode_to_list(), list_to_treenode() (LeetCode level order, None = no
     * child), treenode_to_list() for scripts, setup code and checkers. No
     * `convert` hook (tests hold JSON values; scripts can convert). */
    bool prelude;
    /* Exec the candidate's code afresh (a new module namespace: prelude,
     * code, setup_code, entry point) before every iteration of a run, before
     * the validation pass and before `outputs`, so caches in module globals or
     * lru_cache cannot carry over. The reload is inside the timed region: its
     * cost (module creation, exec of the code's top level) is measured as the
     * candidate's. A reload that fails is load_error. */
    bool reload_per_iteration;
    /* The harness floor. `code` may be NULL (= empty); it is loaded as a
     * candidate's would be, then function_name is (re)bound to a null function
     * `(*args, **kwargs) -> None` (mode method: `Solution` becomes a class whose
     * method of that name returns None), before setup_code. So code can supply
     * helpers the test scripts call (a HumanEval prompt defines e.g. poly(),
     * which HumanEval/32's check uses; the prompt alone is valid Python) and
     * the floor keeps that test work. Modes call and method then run the
     * same loop as a candidate (call overhead, input copies; the comparator
     * never runs in `run`). Mode script runs every test
     * script in a tolerant form: each `assert t, m` becomes the expression `t`
     * (evaluated as a passing assert evaluates it; m is not), and every
     * statement at any depth is wrapped in `try: ... except Exception: pass`,
     * so a None result no longer ends the script at its first assert. The
     * floor then holds the test code's own work (building arguments, the
     * comparisons, helpers, the globals copy and the exec) up to wherever a
     * None breaks an expression — an approximation: the raised-and-caught
     * exceptions cost a little extra, the rest of a broken expression is
     * missing. A script whose loop depends on the candidate's result may not
     * end (then the floor run times out). validate's verdicts mean nothing with
     * floor set; the engine should only run it. */
    bool floor;
    /* Watched while waiting on the child (see jt_child.stop): set it from a
     * signal handler and the child is killed at once; the call then fails. */
    const volatile sig_atomic_t *stop;
} jt_pyrun_config;

/* Mode "command": any program, stdin/args -> stdout. The runner (still the
 * sandboxed Python child) is only the driver:
 *   setup     writes `code` to <workdir>/<source_name> (0600), expands {src}
 *             (that file's absolute path), {bin} (<workdir>/candidate.bin,
 *             where a build is expected to write the program) and {dir} (the
 *             workdir) in `build` (shell-quoted where a path needs it) and
 *             in every word of `command`; runs the build once with /bin/sh -c
 *             in the workdir (stdin empty, stdout and stderr captured, 64 KiB
 *             kept); a non-zero exit is verdict build_failed, its reason
 *             "build exited with status N: " plus the first lines of the
 *             output (workdir prefix removed), the output itself (2000 chars)
 *             in jt_validation.traceback. Then command[0] is resolved once
 *             (a word with '/' must be an executable file, relative to the
 *             workdir; else a PATH search, PATH=/usr/local/bin:/usr/bin:/bin):
 *             not found is load_error. The build counts against the loading
 *             timeout and is never measured.
 *   validate  every test: the command with the test's args appended (an argv
 *             list, no shell), stdin fed from a pipe, stdout kept up to 16 MiB
 *             (beyond: killed, the test fails "output flood"), stderr's last
 *             lines kept for messages. A test passes when the program exited
 *             with expected_exit_code (default 0) and stdout matches (the
 *             comparator; no expected_stdout: any). A program killed by a
 *             signal, or one that cannot be started (EAGAIN at RLIMIT_NPROC),
 *             only fails its test; only the runner's own death is `crashed`.
 *   run N     N iterations x every test, each a fresh process with its stdin;
 *             stdout drained and thrown away, not compared, but an exit
 *             status other than expected_exit_code ends the run (incorrect).
 *             elapsed covers the spawns, pipes and waits; the harness's
 *             cpu_seconds holds the runner and every program it ran (the
 *             child's own figure: RUSAGE_SELF plus RUSAGE_CHILDREN).
 *   outputs   each test's stdout as a string ({"__error__"} when the exit
 *             status differs, stdout is not UTF-8 or holds NUL, or passes
 *             16 MiB): expected outputs from a reference program.
 * Each program runs in its own session with the sandbox's environment; when
 * it exits or is killed, everything it left behind is killed too (as PID 1
 * of the sandbox's PID namespace: every other process there; in the fallback
 * without namespaces: its process group, so a program that calls setsid()
 * can outlive its test there). A program that runs past the deadline (the
 * phase's timeout_seconds, less a margin of min(0.25 s, timeout / 10) so the
 * runner answers before the harness gives up) is killed by the runner, and
 * the phase ends with verdict timeout ("validation ran past timeout_seconds
 * (1 s): test 'ID'"). RLIMIT_NPROC (64, per user, as root) bounds fork bombs.
 * The floor (floor = true): no source, no build; every program is /bin/true
 * with the test's args and stdin, so it holds the harness's own per-process
 * cost (spawn, exec of a small dynamically linked program, pipes, feeding
 * stdin, draining stdout, reaping) and the exit status is not checked. A
 * statically linked or very small candidate can cost less than /bin/true:
 * its net-of-floor energy can be negative. */

/* Mode "script": each test case is {test_id, script} instead of
 * inputs/expected_output; the script (e.g. HumanEval's `def check(candidate):
 * ...` followed by `check(entry_point)`, or one MBPP assert) is compiled once
 * (filename "<test:ID>"; a script that does not compile is the suite's fault:
 * validate says failed, "runner: test 'ID': the script does not compile") and
 * exec'd per iteration in a fresh shallow copy (dict) of the candidate's
 * module globals, so the script sees the entry point, the candidate's helpers
 * and setup_code's imports, and its own definitions do not leak into the next
 * test. A test passes when its script raises nothing; an AssertionError's
 * error_message is "line N: <that line of the script>[: <assert message>]",
 * other exceptions carry their message. function_name must still name a
 * callable (the entry point), else load_error. The comparator does not apply.
 * `outputs` is refused in this mode. A run's timed region is the scripts
 * themselves (assert code and candidate together); the floor flag above says
 * how the harness floor of this mode is measured. */

/* Candidate-level verdicts of validation; also the statuses `validate` prints. */
typedef enum jt_verdict {
    JT_VERDICT_CORRECT = 0,
    JT_VERDICT_INCORRECT,    /* loaded, but at least one test failed or raised */
    JT_VERDICT_LOAD_ERROR,   /* syntax error, import error, missing/non-callable entry point */
    JT_VERDICT_TIMEOUT,      /* loading or a test ran past timeout_seconds */
    JT_VERDICT_MEMORY_LIMIT, /* MemoryError or killed while over memory_limit_mb */
    JT_VERDICT_CRASHED,      /* killed by a signal (SIGSEGV, ...) */
    JT_VERDICT_FAILED,       /* anything else (child exited, protocol broken), with reason */
    JT_VERDICT_BUILD_FAILED, /* mode command: the build exited non-zero (or was killed) */
} jt_verdict;

#define JT_VERDICT_COUNT (JT_VERDICT_BUILD_FAILED + 1)

const char *jt_verdict_name(jt_verdict v); /* "correct", "incorrect", ... */

typedef struct jt_test_result {
    char *test_id;
    bool passed;
    char *expected;      /* repr of the expected value, truncated; NULL if none */
    char *got;           /* repr of what the candidate returned, truncated; NULL if it raised */
    char *error_type;    /* exception class name when the test raised, else NULL */
    char *error_message; /* exception message (truncated), else NULL */
    bool checker_error;  /* the exception was the checker's, not the candidate's */
} jt_test_result;

typedef struct jt_validation {
    jt_verdict verdict;
    size_t passed, total;
    jt_test_result *results; /* one per test case, in suite order (empty on load errors) */
    size_t n_results;
    char *reason;            /* one line explaining a non-correct verdict; NULL when correct */
    double elapsed_seconds;  /* the harness's clock around the pass (command, the
                                candidate's work, encoding and reply) */
    double cpu_seconds;      /* the CPU of the child's whole tree over the same span,
                                read from outside (cpuacct.h); NAN where that figure
                                would be coarse (mode command counted by /proc: its
                                reaped programs are clock ticks) or unavailable */
    bool judged_in_process;  /* mode script: the asserts ran in the candidate's process */
    char *stdout_head;       /* captured candidate output (capped, may hold any bytes:
                                escape before writing it anywhere), NULL when none */
    char *stderr_head;
    char *traceback;         /* load errors: the candidate's traceback tail; build_failed:
                                the build's output (head); else NULL */
    size_t stdout_dropped;   /* bytes beyond the cap, counted and discarded */
    size_t stderr_dropped;
} jt_validation;

void jt_validation_release(jt_validation *v);

/* A run's figures come from the harness (docs/design.md "Measurement"):
 * elapsed_seconds is the harness's monotonic clock from just before the
 * `run` command is sent to just after the reply arrived, cpu_seconds the CPU
 * time of the child's whole process tree over the same span, read from
 * outside (cpuacct.h: its cgroup, else /proc). Both include the runner's
 * handling of the command and the reply (microseconds; the harness floor
 * holds the same). What the child itself reported (its perf_counter_ns and
 * getrusage, which its candidate can patch, and which miss work forked to
 * other processes) are kept as cross-checks only; `disagreement` says
 * where they contradict the harness (JT_RUN_CHILD_* bits, thresholds in
 * pyrun.c). */
typedef struct jt_run_result {
    uint64_t iterations;
    double elapsed_seconds;       /* harness clock around the run */
    double cpu_seconds;           /* the child's tree, measured by the harness */
    double child_elapsed_seconds; /* the child's own timing of the N iterations */
    double child_cpu_seconds;     /* the child's own CPU figure (mode command: plus the
                                     programs it reaped) */
    unsigned disagreement;        /* 0, or JT_RUN_CHILD_* bits */
} jt_run_result;

/* The child claims its iterations took longer than the harness's window
 * around them. */
#define JT_RUN_CHILD_ELAPSED_HIGH 1u
/* The child claims much less CPU than the harness measured for its tree. */
#define JT_RUN_CHILD_CPU_LOW 2u

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

/* Runs the candidate once per test case on fresh (deep) copies of the inputs
 * and returns what it returned, in the typed encoding (so the caller can
 * store them as expected outputs: ground truth from a reference solution, as
 * EvalPlus does). *outputs is a new array (caller decrefs), one entry per test
 * case, in order: None, bools, ints within int64, finite floats, str, lists
 * and dicts with str keys as plain JSON; bigger ints {"__int__"}, inf/nan
 * {"__float__"}, tuple, set, frozenset (elements in a stable order), bytes
 * (and bytearray), complex and dicts with other keys (or whose only key looks
 * like a typed marker) in their typed forms; int/float/str/list/dict
 * subclasses as their base type. A test whose call raised is {"__error__":
 * "Type: message"}; an output with no encoding is {"__error__": "unencodable
 * <type>"} (also a str holding NUL or a lone surrogate, nesting deeper than
 * Python's recursion limit, a cycle). Bounds: one output over 16 MiB encoded
 * is {"__error__": "output exceeds 16 MiB encoded"} (a huge int is refused
 * from its bit length, before it is printed), and an output that would take
 * the reply past 48 MiB in total is {"__error__": "outputs exceed 48 MiB in
 * total"}; the whole pass is bounded by timeout_seconds. An {"__error__"}
 * object is never a valid expected value: the caller must not store it as one.
 * -1 with *verdict when the child failed (timeout, crash, ...; the child is
 * then gone) or when called in mode script or while a run is pending
 * (*verdict failed, the child stays). Modes call, method and command (there:
 * each test's stdout as a string, see "Mode command"). */
int jt_pyrun_outputs(jt_pyrun *r, json_t **outputs, jt_verdict *verdict, jt_err *err);

/* A fresh child of the same candidate (fresh_process_per_trial) takes what
 * `judged_by` judged: its eval passes and runs must reproduce those outputs
 * (docs/design.md "Output proof"). Call before its first validate. */
int jt_pyrun_adopt_judged(jt_pyrun *r, const jt_pyrun *judged_by, jt_err *err);

/* The harness's clock around the setup command: loading the candidate
 * (its top level runs there; docs/design.md "Caches"). */
double jt_pyrun_load_seconds(const jt_pyrun *r);

/* pid of the child (for /proc telemetry), or -1 when gone. */
int jt_pyrun_pid(const jt_pyrun *r);

/* The sandboxed child (its isolation, for reports: sandbox.h); NULL for NULL. */
const jt_child *jt_pyrun_child(const jt_pyrun *r);

void jt_pyrun_free(jt_pyrun *r);

#endif
