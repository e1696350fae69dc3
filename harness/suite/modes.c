/* The mode, comparator and assert-kind tables (jouletrace/modes.h). */
#include "jouletrace/modes.h"

#include <math.h>
#include <string.h>

#define ROW_C(id, name, checker, help) [id] = {id, name, checker, help}
static const jt_comparator_def comparator_table[] = {
    ROW_C(JT_CMP_EXACT, "exact", false, "equal values (float_tolerance where a float meets a number)"),
    ROW_C(JT_CMP_CLOSE, "close", false, "equal, floats within atol + rtol * |expected|"),
    ROW_C(JT_CMP_SET, "set", false, "the same elements in any order"),
    ROW_C(JT_CMP_NOT_NONE, "not_none", false, "any output but None"),
    ROW_C(JT_CMP_CHECKER, "checker", true, "check(inputs, expected, output) from the checker code"),
    ROW_C(JT_CMP_STDOUT, "stdout", false, "stdout and expected_stdout equal line by line, trimmed"),
};
#undef ROW_C
#define N_COMPARATORS (sizeof comparator_table / sizeof comparator_table[0])
_Static_assert(N_COMPARATORS == JT_N_COMPARATORS, "one row per jt_comparator_id");

/* Assert kinds (runners/assert_kinds.py judges them). */
static const jt_assert_kind_def kind_table[] = {
    {"truthy", false, {NULL}, NULL, "bool(output) is true (assert candidate(...))"},
    {"falsy", false, {NULL}, NULL, "bool(output) is false (assert not candidate(...))"},
    {"abs_lt", true, {"tolerance", NULL}, "tolerance",
     "a number with |output - expected| < tolerance; nan never passes"},
    {"isclose", true, {"rel_tol", "abs_tol", NULL}, NULL,
     "a number, math.isclose(output, expected, rel_tol (1e-9), abs_tol (0))"},
};
#define N_KINDS (sizeof kind_table / sizeof kind_table[0])
_Static_assert(N_KINDS < 8, "jt_assert_kind_names: out holds 8");

/* What a Python mode judges with. */
#define PY_CMPS                                                                                    \
    (JT_CMP_BIT(JT_CMP_EXACT) | JT_CMP_BIT(JT_CMP_CLOSE) | JT_CMP_BIT(JT_CMP_SET) |               \
     JT_CMP_BIT(JT_CMP_NOT_NONE) | JT_CMP_BIT(JT_CMP_CHECKER))
#define CMD_CMPS (JT_CMP_BIT(JT_CMP_STDOUT) | JT_CMP_BIT(JT_CMP_EXACT))

#define ROW_M(id, name, lang, cmps, def, fn, outputs, help)                                        \
    [id] = {id, name, lang, cmps, def, fn, outputs, help}
static const jt_mode_def mode_table[] = {
    ROW_M(JT_MODE_CALL, "call", "python", PY_CMPS, JT_CMP_EXACT, true, true,
          "function_name(*inputs) is compared with expected_output"),
    ROW_M(JT_MODE_METHOD, "method", "python", PY_CMPS, JT_CMP_EXACT, true, true,
          "Solution().function_name(*inputs), LeetCode style"),
    ROW_M(JT_MODE_SCRIPT, "script", "python", PY_CMPS, JT_CMP_EXACT, true, false,
          "each test case is a script of asserts run against the candidate"),
    ROW_M(JT_MODE_COMMAND, "command", "command", CMD_CMPS, JT_CMP_STDOUT, false, true,
          "any program: stdin and args in, stdout and exit code compared"),
};
#undef ROW_M
#define N_MODES (sizeof mode_table / sizeof mode_table[0])
_Static_assert(N_MODES == JT_N_MODES, "one row per jt_mode_id");

const jt_mode_def *jt_mode_find(const char *name)
{
    for (size_t i = 0; name && i < N_MODES; i++)
        if (!strcmp(mode_table[i].name, name)) return &mode_table[i];
    return NULL;
}

const jt_mode_def *jt_mode_get(jt_mode_id id)
{
    return (unsigned)id < N_MODES ? &mode_table[id] : NULL;
}

const jt_mode_def *jt_mode_default(void)
{
    return &mode_table[JT_MODE_CALL];
}

const jt_comparator_def *jt_comparator_find(const char *name)
{
    for (size_t i = 0; name && i < N_COMPARATORS; i++)
        if (!strcmp(comparator_table[i].name, name)) return &comparator_table[i];
    return NULL;
}

const jt_comparator_def *jt_comparator_get(jt_comparator_id id)
{
    return (unsigned)id < N_COMPARATORS ? &comparator_table[id] : NULL;
}

const char *jt_mode_default_comparator(const jt_mode_def *m)
{
    return comparator_table[m->default_comparator].name;
}

bool jt_mode_allows(const jt_mode_def *m, const char *name)
{
    const jt_comparator_def *c = jt_comparator_find(name);
    return c && (m->comparators & JT_CMP_BIT(c->id));
}

void jt_mode_names(const char *out[JT_N_MODES + 1])
{
    for (size_t i = 0; i < N_MODES; i++) out[i] = mode_table[i].name;
    out[N_MODES] = NULL;
}

void jt_comparator_names(const char *out[JT_N_COMPARATORS + 1])
{
    for (size_t i = 0; i < N_COMPARATORS; i++) out[i] = comparator_table[i].name;
    out[N_COMPARATORS] = NULL;
}

unsigned jt_modes_allowing(const char *comparator)
{
    unsigned bits = 0;
    for (size_t i = 0; i < N_MODES; i++)
        if (jt_mode_allows(&mode_table[i], comparator)) bits |= JT_MODE_BIT(mode_table[i].id);
    return bits;
}

unsigned jt_modes_of_language(const char *language)
{
    unsigned bits = 0;
    for (size_t i = 0; language && i < N_MODES; i++)
        if (!strcmp(mode_table[i].language, language)) bits |= JT_MODE_BIT(mode_table[i].id);
    return bits;
}

void jt_names_join(jt_buf *b, const char *const *names, bool quote, const char *last)
{
    const char *q = quote ? "'" : "";
    for (size_t i = 0; names[i]; i++)
        jt_buf_addf(b, "%s%s%s%s", i == 0 ? "" : names[i + 1] ? ", " : last, q, names[i], q);
}

void jt_modes_join(jt_buf *b, unsigned modes, bool quote, const char *last)
{
    const char *names[N_MODES + 1];
    size_t n = 0;
    for (size_t i = 0; i < N_MODES; i++)
        if (modes & JT_MODE_BIT(mode_table[i].id)) names[n++] = mode_table[i].name;
    names[n] = NULL;
    jt_names_join(b, names, quote, last);
}

void jt_comparators_join(jt_buf *b, unsigned comparators, bool quote, const char *last)
{
    const char *names[N_COMPARATORS + 1];
    size_t n = 0;
    for (size_t i = 0; i < N_COMPARATORS; i++)
        if (comparators & JT_CMP_BIT(comparator_table[i].id)) names[n++] = comparator_table[i].name;
    names[n] = NULL;
    jt_names_join(b, names, quote, last);
}

void jt_modes_describe(FILE *f)
{
    fprintf(f, "\nTest set modes (mode:, default %s) and the comparators each allows (the first\n"
               "is its default):\n", jt_mode_default()->name);
    for (size_t i = 0; i < N_MODES; i++) {
        const jt_mode_def *m = &mode_table[i];
        jt_buf b = JT_BUF_INIT;
        jt_buf_adds(&b, comparator_table[m->default_comparator].name);
        for (size_t c = 0; c < N_COMPARATORS; c++)
            if ((m->comparators & JT_CMP_BIT(c)) && c != (size_t)m->default_comparator)
                jt_buf_addf(&b, ",%s", comparator_table[c].name);
        fprintf(f, "  %-8s %-34s %s\n", m->name, jt_buf_str(&b), m->help);
        jt_buf_release(&b);
    }
    fputs("\nComparators (comparator:):\n", f);
    for (size_t i = 0; i < N_COMPARATORS; i++)
        fprintf(f, "  %-8s %s\n", comparator_table[i].name, comparator_table[i].help);
    fputs("\nAssert kinds (a call or method test case's assert:, instead of the comparator):\n", f);
    for (size_t i = 0; i < N_KINDS; i++)
        fprintf(f, "  %-8s %s\n", kind_table[i].name, kind_table[i].help);
}

/* ---- assert kinds -------------------------------------------------------- */

const jt_assert_kind_def *jt_assert_kind_find(const char *name)
{
    for (size_t i = 0; name && i < N_KINDS; i++)
        if (!strcmp(kind_table[i].name, name)) return &kind_table[i];
    return NULL;
}

void jt_assert_kind_names(const char **out)
{
    for (size_t i = 0; i < N_KINDS; i++) out[i] = kind_table[i].name;
    out[N_KINDS] = NULL;
}

/* The kinds whose params include key, joined ("abs_lt"), into b. */
static void kinds_taking(jt_buf *b, const char *key)
{
    const char *names[N_KINDS + 1];
    size_t n = 0;
    for (size_t i = 0; i < N_KINDS; i++)
        for (size_t j = 0; kind_table[i].params[j]; j++)
            if (!strcmp(kind_table[i].params[j], key)) names[n++] = kind_table[i].name;
    names[n] = NULL;
    jt_names_join(b, names, false, " or ");
}

static bool takes_param(const jt_assert_kind_def *k, const char *key)
{
    for (size_t j = 0; k->params[j]; j++)
        if (!strcmp(k->params[j], key)) return true;
    return false;
}

int jt_assert_case_error(const json_t *tc, const char **key, jt_err *why)
{
    const json_t *a = json_object_get(tc, "assert");
    const jt_assert_kind_def *k = jt_assert_kind_find(json_string_value(a));
    const char *names[N_KINDS + 1];
    jt_assert_kind_names(names);
    *key = "assert";
    if (a && !k) {
        jt_buf b = JT_BUF_INIT;
        jt_names_join(&b, names, false, " or ");
        const char *near = json_is_string(a) ? jt_did_you_mean(json_string_value(a), names) : NULL;
        jt_err_set(why, "'assert' must be %s%s%s%s", jt_buf_str(&b), near ? " (did you mean '" : "",
                   near ? near : "", near ? "'?)" : "");
        jt_buf_release(&b);
        return -1;
    }
    for (size_t i = 0; i < N_KINDS; i++) {
        for (size_t j = 0; kind_table[i].params[j]; j++) {
            const char *p = kind_table[i].params[j];
            const json_t *v = json_object_get(tc, p);
            if (!v) continue;
            *key = p;
            if (!k || !takes_param(k, p)) {
                jt_buf b = JT_BUF_INIT;
                kinds_taking(&b, p);
                jt_err_set(why, "'%s' needs 'assert: %s'%s%s", p, jt_buf_str(&b), k ? ", not " : "",
                           k ? k->name : "");
                jt_buf_release(&b);
                return -1;
            }
            if (!json_is_number(v) || !isfinite(json_number_value(v)) || json_number_value(v) < 0)
                return jt_err_set(why, "'%s' must be a finite number >= 0", p);
        }
    }
    if (!k) return 0;
    *key = "assert";
    if (k->required && !json_object_get(tc, k->required))
        return jt_err_set(why, "assert %s needs '%s'", k->name, k->required);
    *key = "expected_output";
    if (!k->takes_expected && json_object_get(tc, "expected_output"))
        return jt_err_set(why, "assert %s takes no 'expected_output' (it judges the output alone)",
                          k->name);
    return 0;
}

bool jt_assert_case_takes_expected(const json_t *tc)
{
    const jt_assert_kind_def *k = jt_assert_kind_find(json_string_value(json_object_get(tc, "assert")));
    return !k || k->takes_expected;
}
