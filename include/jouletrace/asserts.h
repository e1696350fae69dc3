/* asserts — assert-style test sets turned into call cases (docs/design.md
 * "Assert compiler"), so that a candidate's verdict does not depend on
 * asserts run inside its own process.
 *
 * A HumanEval or MBPP test set (suite.h: `asserts`) is mode script: its
 * scripts are `def check(candidate): <asserts>` plus `check(ENTRY)`, or bare
 * asserts. Before judging, the trusted compiler
 * (exec/asserts/compile_asserts.py, embedded in the binary by
 * asserts_blob.S) reads them — with Python's ast and ast.literal_eval only,
 * never running them — in the sandbox, as its own child (child.h), and
 * answers either the call cases they mean or the first reason they cannot
 * be compiled ("test check, line 7: a for loop"). A test set that compiles
 * fully becomes mode call with those cases (comparator and float_tolerance
 * unchanged, its asserts judged as the `assert` kinds of modes.h say); one
 * that does not stays mode script (its candidates' records then say
 * `judged_in_process`), with asserts_refused holding the reason.
 *
 * Results are cached like expected outputs (expected.h): files
 * asserts-<sha256>.json in $JOULETRACE_CACHE (statedir.h), keyed by cache
 * schema, the compiler's text, the interpreter, the entry point and the
 * scripts. Like expected outputs, this happens during run/validate after the
 * content hash was taken, never in `validate --parse-only`. */
#ifndef JOULETRACE_ASSERTS_H
#define JOULETRACE_ASSERTS_H

#include <jansson.h>

#include "jouletrace/common.h"
#include "jouletrace/suite.h"

/* Compiles every test set of s that has `asserts`, is still mode script
 * and has a candidate (one compiler child per interpreter, cached sets
 * skipped), and applies the answers. Warnings (a cache file not written) are
 * appended to `warnings` (an array; may be NULL). -1 with err when the
 * compiler could not run or answered something malformed: the test sets not
 * yet applied then stay mode script. */
int jt_asserts_fill(jt_suite *s, json_t *warnings, jt_err *err);

/* The compiler itself, for jt_asserts_fill and tests: `request` is
 * {"sets": [{"id", "entry", "scripts": [{"test_id", "script"}]}]}, *reply
 * (caller owns) {"ok": true, "sets": [{"id", "ok": true, "cases": [...]} |
 * {"id", "ok": false, "reason": "..."}]} in request order. `python` is an
 * absolute path. -1 with err when the child failed or the reply is not that
 * shape. */
int jt_asserts_compile(const char *python, const json_t *request, json_t **reply, jt_err *err);

/* The embedded compiler's text (NUL-terminated). */
const char *jt_asserts_compiler_source(void);

#endif
