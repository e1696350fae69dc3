/* modes — the tables of execution modes and comparators.
 *
 * A test set's `mode` says how a candidate is run against its test cases and
 * its `comparator` how an output is judged (docs/design.md "Modes and
 * comparators"). Both stay strings in the suite and in the runner's setup
 * message; what each name means, which comparators a mode allows, and every
 * message that lists them come from these two tables, so the loader, the
 * exec side and their messages cannot drift apart. A new mode or comparator
 * is a new row here (and its code in the runner). */
#ifndef JOULETRACE_MODES_H
#define JOULETRACE_MODES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "jouletrace/common.h"

typedef enum {
    JT_MODE_CALL,    /* call function_name(*inputs) */
    JT_MODE_METHOD,  /* Solution().function_name(*inputs) */
    JT_MODE_SCRIPT,  /* exec an assert script per test case */
    JT_MODE_COMMAND, /* any program: stdin/args -> stdout */
    JT_N_MODES
} jt_mode_id;

#define JT_MODE_BIT(m) (1u << (m))

typedef enum {
    JT_CMP_EXACT, JT_CMP_CLOSE, JT_CMP_SET, JT_CMP_NOT_NONE, JT_CMP_CHECKER, JT_CMP_STDOUT,
    JT_N_COMPARATORS
} jt_comparator_id;

#define JT_CMP_BIT(c) (1u << (c))

typedef struct jt_mode_def {
    jt_mode_id id;
    const char *name;
    const char *language;              /* the language its candidates must have */
    unsigned comparators;              /* allowed: a JT_CMP_BIT set */
    jt_comparator_id default_comparator;
    bool needs_function_name;          /* false: programs have no entry point */
    bool has_outputs;                  /* test cases give inputs and expect an output */
    const char *help;
} jt_mode_def;

typedef struct jt_comparator_def {
    jt_comparator_id id;
    const char *name;
    bool needs_checker;                /* checker code is required (and allowed only here) */
    const char *help;
} jt_comparator_def;

/* The row named `name`, or NULL (also for a NULL name). */
const jt_mode_def *jt_mode_find(const char *name);
const jt_mode_def *jt_mode_get(jt_mode_id id);
const jt_comparator_def *jt_comparator_find(const char *name);
const jt_comparator_def *jt_comparator_get(jt_comparator_id id);

/* The mode the suite format gives a test set without `mode:` ("call"). */
const jt_mode_def *jt_mode_default(void);

/* The name of m's default comparator (a test set without `comparator:`). */
const char *jt_mode_default_comparator(const jt_mode_def *m);

/* Does mode m allow comparator `name`? */
bool jt_mode_allows(const jt_mode_def *m, const char *name);

/* Fills out[] with the name of every mode / every comparator in table
 * order and a NULL after them (for "did you mean" and for messages). */
void jt_mode_names(const char *out[JT_N_MODES + 1]);
void jt_comparator_names(const char *out[JT_N_COMPARATORS + 1]);

/* Bit set (JT_MODE_BIT) of the modes that allow comparator `name`, or whose
 * candidates have language `language`. */
unsigned jt_modes_allowing(const char *comparator);
unsigned jt_modes_of_language(const char *language);

/* Appends names[0..] joined by ", ", the last one by `last` (", " gives
 * "a, b, c"; " or " gives "a, b or c"); quote: each name in '...'. */
void jt_names_join(jt_buf *b, const char *const *names, bool quote, const char *last);
/* The modes in a bit set (JT_MODE_BIT), in table order. */
void jt_modes_join(jt_buf *b, unsigned modes, bool quote, const char *last);
/* The comparators in a bit set (JT_CMP_BIT), in table order. */
void jt_comparators_join(jt_buf *b, unsigned comparators, bool quote, const char *last);

/* Assert kinds: a call/method test case's own `assert` (docs/design.md "Assert
 * kinds"), judging it instead of the test set's comparator. The runner's
 * assert_kinds.py implements each row; its KINDS has the same names. */
typedef struct jt_assert_kind_def {
    const char *name;
    bool takes_expected;   /* compares with expected_output (else it takes none) */
    const char *params[3]; /* the tolerance keys it takes, NULL after them */
    const char *required;  /* the one of them it needs, or NULL */
    const char *help;
} jt_assert_kind_def;

/* The row named `name`, or NULL (also for NULL). */
const jt_assert_kind_def *jt_assert_kind_find(const char *name);
/* Every kind's name in table order, NULL after them (out: at least 8). */
void jt_assert_kind_names(const char **out);
/* Checks the assert keys of test case tc (a JSON object in the typed
 * encoding): `assert` names a kind, each tolerance key belongs to it and is a
 * finite number >= 0, the one it requires is there, and a kind that compares
 * nothing has no expected_output. 0, or -1 with why (no position) and *key
 * the key at fault. */
int jt_assert_case_error(const json_t *tc, const char **key, jt_err *why);
/* Does test case tc compare with an expected_output (no `assert`, or a kind
 * that takes one)? */
bool jt_assert_case_takes_expected(const json_t *tc);

/* Prints "Test set modes", "Comparators" and "Assert kinds" help lines from the rows (for
 * `jouletrace validate --help`). */
void jt_modes_describe(FILE *f);

#endif
