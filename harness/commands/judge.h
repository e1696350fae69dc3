/* judge — one candidate's correctness, judged in the sandbox as `run`
 * judges it (a validation, then one exchange more that a forged reply on
 * the protocol channel cannot survive). Used by `validate` and by the
 * service's validate tasks. Internal to harness/commands/. */
#ifndef JT_JUDGE_H
#define JT_JUDGE_H

#include <jansson.h>
#include <signal.h>

#include "jouletrace/pyrun.h"
#include "jouletrace/suite.h"

/* Compiles the HumanEval/MBPP asserts into call cases (asserts.h) before
 * anything is judged; a failure leaves them script test sets (warned). */
void jt_judge_compile_asserts(jt_suite *s);
/* Judges c (expected outputs already filled). *stop set kills a long
 * validation at once. Returns 0, or -1 when the sandbox could not be set up
 * (v then holds verdict failed with the reason). */
int jt_judge(const jt_suite *s, const jt_candidate *c, volatile sig_atomic_t *stop,
             jt_validation *v);
/* The status word: a verdict, or no_code for a sample without code. */
const char *jt_judge_status(const jt_candidate *c, const jt_validation *v);
/* `validate --json`'s row for c. New reference. */
json_t *jt_judge_json(const jt_candidate *c, const jt_test_set *ts, const jt_validation *v);

#endif
