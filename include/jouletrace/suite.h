/* suite — loading a YAML job file ("suite") into memory.
 *
 * A suite names test sets (function + test cases) and candidates (code to
 * judge and measure), with per-candidate options inherited from `defaults:`.
 * The format is the contract in docs/design.md "Suite format"; README "Suite format" is the
 * user-facing reference.
 *
 * jt_suite_load() either returns a complete, consistent suite or fails with
 * one line "FILE:LINE:COL: message" — no partial suite ever reaches a run.
 * Every test set a candidate names exists; every id is unique; every file was
 * read. Memory and time are linear in the size of the suite and its files.
 *
 * Ownership: the jt_suite owns everything reachable from it (strings, json
 * values, arrays); jt_suite_free() releases it all. Pointers into it are
 * borrowed and live as long as the suite. */
#ifndef JOULETRACE_SUITE_H
#define JOULETRACE_SUITE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "jouletrace/common.h"

/* Where something was written: file (as the user named it, or relative to
 * the including file's directory), 1-based line and column. */
typedef struct jt_mark {
    const char *file; /* owned by the suite */
    unsigned line, col;
} jt_mark;

/* Per-candidate options. `defaults:` sets them for every candidate; a
 * candidate may override any of them. The option table in
 * harness/suite/options.c gives each one's type, range, default, help and
 * whether it enters the content hash and the floor key. */
typedef struct jt_options {
    char *language;                 /* "python" | "command" */
    char *python;                   /* interpreter, resolved to an absolute path */
    long energy_measurement_trials; /* maximum trials */
    long min_trials;
    double min_trial_seconds;
    double precision_target;        /* relative half-width of the CI of the median */
    double cv_target;
    double timeout_seconds;         /* per trial and per validation */
    long memory_limit_mb;
    double float_tolerance;         /* relative, only where a float is compared */
    bool fresh_process_per_trial;
    bool reload_per_iteration;      /* re-exec the candidate's code every iteration */
    bool allow_memoization;         /* rank a candidate the cache check suspects */
} jt_options;

typedef struct jt_test_set {
    char *id;
    char *function_name;
    char *mode;          /* a name of the mode table (jouletrace/modes.h): "call" ... */
    char *description;   /* may be NULL */
    char *reference;     /* id of the reference candidate, or NULL */
    /* Code of the reference solution when it is not a candidate (a dataset's
     * canonical solution); NULL otherwise. Expected outputs a test case
     * lacks are computed from the reference (candidate or code). */
    char *reference_code;
    /* call/method: array of {test_id, inputs: [...], expected_output?};
     * script: array of {test_id, script}; command: array of {test_id,
     * stdin, args: [...], expected_stdout?, expected_exit_code}. Values in
     * the typed encoding. */
    json_t *test_cases;
    size_t n_cases;
    bool needs_expected; /* some test case has no expected_output yet */
    char *prompt;        /* a dataset's prompt: completions are appended to it */
    char *comparator;    /* a name of the comparator table (jouletrace/modes.h) the mode allows */
    double atol, rtol;   /* comparator close */
    char *checker_code;  /* comparator checker */
    char *setup_code;    /* exec'd once in the candidate's namespace (test imports) */
    char *convert_code;  /* convert_inputs/convert_output (pyrun.h), e.g. LeetCode lists <-> nodes */
    bool prelude;        /* mode method: the LeetCode prelude */
    /* Mode script of a HumanEval/MBPP dataset: its scripts are asserts that
     * the assert compiler (asserts.h) may turn into call cases before
     * judging; once tried, asserts_refused says why it stayed a script test
     * set (NULL: compiled, or not tried yet). */
    bool asserts;
    char *asserts_refused;
    jt_mark mark;
} jt_test_set;

typedef struct jt_candidate {
    char *id;
    size_t test_set;     /* index into jt_suite.test_sets */
    char *code;          /* source text */
    char *source_path;   /* file it came from, NULL when inline */
    char *group;         /* free-form grouping label (e.g. the model), may be NULL */
    char *description;   /* may be NULL */
    json_t *metadata;    /* a corpus line's other fields (model, temperature...), or NULL */
    /* language command: argv template (["{bin}"], ["python3", "{src}"]) and
     * an optional build command line, both with {src} (the source file),
     * {bin} (the built program) and {dir} (the work directory) expanded in
     * the sandbox. The build runs once, before validation, never measured. */
    json_t *command;
    char *build;
    /* Set when the sample holds no code (sanitize found none): the candidate
     * gets status `no_code` with this reason and never runs. */
    char *no_code;
    jt_options opts;     /* defaults with this candidate's overrides applied */
    jt_mark mark;
} jt_candidate;

typedef struct jt_suite {
    char *name;
    char *description;   /* may be NULL */
    char *path;          /* as given to jt_suite_load */
    jt_test_set *test_sets;
    size_t n_test_sets;
    jt_candidate *candidates;
    size_t n_candidates;
    /* SHA-256 over what the suite means once loaded (test sets, candidates'
     * code and options, wherever they came from): included and candidate
     * files count, comments and formatting do not. A resume refuses a suite
     * whose hash changed. */
    char content_hash[65];
    /* Datasets and corpora read: [{role, format, path, sha256}], for run.json. */
    json_t *datasets;
    /* private: array capacities; files named in marks, interned */
    size_t cap_test_sets_, cap_candidates_;
    char **files_;
    size_t n_files_, cap_files_;
} jt_suite;

int jt_suite_load(const char *path, jt_suite **out, jt_err *err);
void jt_suite_free(jt_suite *s);

/* A one-candidate suite from the seed service's request JSON (what
 * `jouletrace measure` reads): candidate_code, function_name, test_cases
 * [{test_id, inputs, expected_output}], and any option (energy_measurement_
 * trials, timeout_seconds, min_trials, ...). Values use the typed encoding
 * ({"__int__": "..."} for integers beyond int64). Unknown keys are errors
 * ("unknown key 'x' (did you mean 'y'?)"). `name` names the suite. */
int jt_suite_from_request(const json_t *req, const char *name, jt_suite **out, jt_err *err);

/* Index of the test set with that id, or -1. */
long jt_suite_find_test_set(const jt_suite *s, const char *id);

/* Built-in defaults (what a suite without `defaults:` gets). Strings are
 * owned by *o; release with jt_options_release(). */
void jt_options_init(jt_options *o);
void jt_options_copy(jt_options *dst, const jt_options *src);
void jt_options_release(jt_options *o);
/* Prints "key  type  default  help" lines (for `jouletrace validate --help-options`). */
void jt_options_describe(FILE *f);

/* The key of the floor a candidate with options o on test set test_set_id
 * shares: the options flagged as shaping the floor in the option table
 * (harness/suite/options.c) and the test set. Caller frees. */
char *jt_options_floor_key(const char *test_set_id, const jt_options *o);

#endif
