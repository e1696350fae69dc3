/* The mode and comparator tables (jouletrace/modes.h). */
#include "jouletrace/modes.h"

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
}
