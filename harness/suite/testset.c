/* Test sets (loader.h): the key table of a test set, walked in order, and
 * the entries of a `test_sets` list (docs/design.md "Suite format"). */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jouletrace/modes.h"
#include "suite/loader.h"
#include "suite/yamlvalue.h"

typedef enum { TK_STRING, TK_NUMBER, TK_BOOL, TK_LIST } tk_type;

struct ts_key;
/* Runs after the row's value (v, NULL when the key is absent) is stored. */
typedef int (*ts_check)(loader *ld, jt_ydoc *d, yaml_node_t *n, yaml_node_t *v, jt_test_set *ts);

typedef struct ts_key {
    const char *key;
    tk_type type;
    size_t offset;    /* of the field in jt_test_set (TK_LIST: a json_t *) */
    double min, max;  /* TK_NUMBER: inclusive range */
    double def;       /* TK_NUMBER: the default */
    unsigned modes;   /* the modes the key applies to */
    bool hashed;      /* enters the suite content hash (it decides a verdict) */
    ts_check check;   /* NULL: none */
} ts_key;

static int check_id(loader *ld, jt_ydoc *d, yaml_node_t *n, yaml_node_t *v, jt_test_set *ts)
{
    if (!v) return jt_yerr(ld->err, d, n, "test set has no 'id'");
    json_t *prev = json_object_get(ld->ts_ids, ts->id);
    if (prev)
        return jt_yerr(ld->err, d, v, "duplicate test set id '%s' (first defined at %s)", ts->id,
                       json_string_value(json_object_get(prev, "at")));
    char *at = jt_ld_mark_text(d, v);
    json_object_set_new(ld->ts_ids, ts->id,
                        json_pack("{s:I,s:s}", "index", (json_int_t)(ld->s->n_test_sets - 1), "at", at));
    free(at);
    return 0;
}

static int check_mode(loader *ld, jt_ydoc *d, yaml_node_t *n, yaml_node_t *v, jt_test_set *ts)
{
    (void)n;
    if (!v) {
        ts->mode = jt_xstrdup(jt_mode_default()->name);
        return 0;
    }
    if (jt_mode_find(ts->mode)) {
        /* Every script test set's asserts may be compiled into call cases
         * judged outside the candidate's process (docs/design.md "Assert
         * compiler"); one that does not compile stays judged in process. */
        if (jt_mode_find(ts->mode)->id == JT_MODE_SCRIPT) ts->asserts = true;
        return 0;
    }
    const char *names[JT_N_MODES + 1];
    jt_mode_names(names);
    jt_buf b = JT_BUF_INIT;
    jt_names_join(&b, names, false, ", ");
    const char *near = jt_did_you_mean(ts->mode, names);
    jt_yerr(ld->err, d, v, "mode '%s' is not one of %s%s%s%s", ts->mode, jt_buf_str(&b),
            near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
    jt_buf_release(&b);
    return -1;
}

static int check_function_name(loader *ld, jt_ydoc *d, yaml_node_t *n, yaml_node_t *v,
                               jt_test_set *ts)
{
    if (v) return 0;
    if (jt_mode_find(ts->mode)->needs_function_name)
        return jt_yerr(ld->err, d, n, "test set '%s' has no 'function_name'", ts->id);
    ts->function_name = jt_xstrdup(""); /* programs have no entry point */
    return 0;
}

static int check_comparator(loader *ld, jt_ydoc *d, yaml_node_t *n, yaml_node_t *v,
                            jt_test_set *ts)
{
    (void)n;
    const jt_mode_def *m = jt_mode_find(ts->mode);
    if (!v) {
        ts->comparator = jt_xstrdup(jt_mode_default_comparator(m));
        return 0;
    }
    if (jt_mode_allows(m, ts->comparator)) return 0;
    jt_buf b = JT_BUF_INIT;
    unsigned modes = jt_modes_allowing(ts->comparator);
    if (modes && !(modes & (modes - 1))) { /* known, and one mode takes it */
        jt_modes_join(&b, modes, false, " or ");
        jt_yerr(ld->err, d, v, "comparator '%s' needs 'mode: %s'", ts->comparator, jt_buf_str(&b));
    } else if (modes) {
        jt_comparators_join(&b, m->comparators, true, " or ");
        jt_yerr(ld->err, d, v, "mode %s compares output with %s", m->name, jt_buf_str(&b));
    } else {
        const char *names[JT_N_COMPARATORS + 1];
        size_t k = 0;
        jt_comparator_names(names);
        for (size_t i = 0; names[i]; i++)
            if (jt_mode_allows(m, names[i])) names[k++] = names[i];
        names[k] = NULL;
        jt_names_join(&b, names, false, ", ");
        const char *near = jt_did_you_mean(ts->comparator, names);
        jt_yerr(ld->err, d, v, "comparator '%s' is not one of %s%s%s%s", ts->comparator,
                jt_buf_str(&b), near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
    }
    jt_buf_release(&b);
    return -1;
}

static int check_checker(loader *ld, jt_ydoc *d, yaml_node_t *n, yaml_node_t *v, jt_test_set *ts)
{
    if (jt_comparator_find(ts->comparator)->needs_checker == (ts->checker_code != NULL)) return 0;
    return jt_yerr(ld->err, d, v ? v : n,
                   ts->checker_code ? "'checker' needs 'comparator: checker'"
                                    : "'comparator: checker' needs 'checker' code "
                                      "defining check(inputs, expected, output)");
}

static int check_test_cases(loader *ld, jt_ydoc *d, yaml_node_t *n, yaml_node_t *cases,
                            jt_test_set *ts)
{
    if (!cases) return jt_yerr(ld->err, d, n, "test set '%s' has no 'test_cases'", ts->id);
    if (jt_ld_expect_type(ld, d, cases, YAML_SEQUENCE_NODE, "'test_cases'")) return -1;
    size_t count = (size_t)(cases->data.sequence.items.top - cases->data.sequence.items.start);
    if (count == 0) return jt_yerr(ld->err, d, cases, "test set '%s' has no test cases", ts->id);
    ts->test_cases = json_array();
    json_t *seen = json_object();
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++)
        rc = jt_ld_load_test_case(ld, d, jt_ydoc_node(d, cases->data.sequence.items.start[i]), i,
                                  seen, ts);
    json_decref(seen);
    ts->n_cases = json_array_size(ts->test_cases);
    return rc;
}

#define ALL (JT_MODE_BIT(JT_N_MODES) - 1)
#define OFF(f) offsetof(jt_test_set, f)
/* In the order they are read: a row may rely on the rows above it (the
 * mode decides the comparator's default, the comparator the checker). */
static const ts_key test_set_keys[] = {
    {"id", TK_STRING, OFF(id), 0, 0, 0, ALL, true, check_id},
    {"mode", TK_STRING, OFF(mode), 0, 0, 0, ALL, true, check_mode},
    {"function_name", TK_STRING, OFF(function_name), 0, 0, 0, ALL, true, check_function_name},
    {"description", TK_STRING, OFF(description), 0, 0, 0, ALL, false, NULL},
    {"reference", TK_STRING, OFF(reference), 0, 0, 0, ALL, true, NULL},
    {"comparator", TK_STRING, OFF(comparator), 0, 0, 0, ALL, true, check_comparator},
    /* EvalPlus's defaults for float outputs */
    {"atol", TK_NUMBER, OFF(atol), 0, 1e300, 1e-6, ALL, true, NULL},
    {"rtol", TK_NUMBER, OFF(rtol), 0, 1, 1e-7, ALL, true, NULL},
    {"checker", TK_STRING, OFF(checker_code), 0, 0, 0, ALL, true, check_checker},
    {"setup_code", TK_STRING, OFF(setup_code), 0, 0, 0, ALL, true, NULL},
    {"convert", TK_STRING, OFF(convert_code), 0, 0, 0,
     JT_MODE_BIT(JT_MODE_CALL) | JT_MODE_BIT(JT_MODE_METHOD), true, NULL},
    {"prompt", TK_STRING, OFF(prompt), 0, 0, 0, ALL, true, NULL},
    {"prelude", TK_BOOL, OFF(prelude), 0, 0, 0, ALL, true, NULL},
    {"test_cases", TK_LIST, OFF(test_cases), 0, 0, 0, ALL, true, check_test_cases},
};
#undef OFF
#define N_TS_KEYS (sizeof test_set_keys / sizeof test_set_keys[0])

/* Stores v (present) into ts by the row's type. */
static int store(loader *ld, jt_ydoc *d, const ts_key *r, yaml_node_t *v, jt_test_set *ts)
{
    void *field = (char *)ts + r->offset;
    jt_scalar_kind k = v->type == YAML_SCALAR_NODE ? jt_yaml_scalar_kind(v) : JT_SCALAR_NULL;
    switch (r->type) {
    case TK_STRING: return jt_ld_scalar_string(ld, d, v, r->key, (char **)field);
    case TK_NUMBER: {
        double x = (k == JT_SCALAR_INT || k == JT_SCALAR_FLOAT) ? strtod(jt_yaml_text(v), NULL) : NAN;
        if (!(x >= r->min && x <= r->max))
            return jt_yerr(ld->err, d, v, "'%s' must be a number between %g and %g", r->key,
                           r->min, r->max);
        *(double *)field = x;
        return 0;
    }
    case TK_BOOL:
        if (v->type != YAML_SCALAR_NODE || k != JT_SCALAR_BOOL)
            return jt_yerr(ld->err, d, v, "'%s' must be true or false", r->key);
        *(bool *)field = jt_yaml_text(v)[0] == 't' || jt_yaml_text(v)[0] == 'T';
        return 0;
    case TK_LIST: return 0; /* its check reads it */
    }
    return 0;
}

json_t *jt_ld_test_set_hash_object(const jt_test_set *ts)
{
    json_t *o = json_object();
    for (size_t i = 0; i < N_TS_KEYS; i++) {
        const ts_key *r = &test_set_keys[i];
        const void *field = (const char *)ts + r->offset;
        if (!r->hashed) continue;
        json_t *v = json_null();
        switch (r->type) {
        case TK_STRING: {
            const char *text = *(char *const *)field;
            v = text ? json_string(text) : json_null();
            break;
        }
        case TK_NUMBER: v = json_real(*(const double *)field); break;
        case TK_BOOL: v = json_boolean(*(const bool *)field); break;
        case TK_LIST: v = json_incref(*(json_t *const *)field); break;
        }
        json_object_set_new(o, r->key, v);
    }
    return o;
}

void jt_ld_test_set_defaults(jt_test_set *ts)
{
    for (size_t i = 0; i < N_TS_KEYS; i++)
        if (test_set_keys[i].type == TK_NUMBER)
            *(double *)((char *)ts + test_set_keys[i].offset) = test_set_keys[i].def;
}

static int load_test_set(loader *ld, jt_ydoc *d, yaml_node_t *n);

/* `- include: FILE`: a test set, a list of them, or {test_sets: [...]}. */
static int load_include(loader *ld, jt_ydoc *d, yaml_node_t *n)
{
    yaml_node_t *inc = jt_ld_get(d, n, "include", NULL);
    if (n->data.mapping.pairs.top - n->data.mapping.pairs.start != 1)
        return jt_yerr(ld->err, d, n, "an 'include' entry takes no other keys");
    char *rel = NULL;
    if (jt_ld_scalar_string(ld, d, inc, "include", &rel)) return -1;
    if (ld->depth >= MAX_INCLUDE_DEPTH) {
        free(rel);
        return jt_yerr(ld->err, d, inc, "includes nested more than %d deep", MAX_INCLUDE_DEPTH);
    }
    char *path = jt_ld_resolve_path(d->file, rel);
    const char *display = jt_ld_intern_file(ld->s, path);
    jt_ydoc sub;
    int rc = -1;
    struct stat st;
    int missing = stat(path, &st);
    if (missing || !S_ISREG(st.st_mode)) { /* never wait on a FIFO or a device */
        jt_yerr(ld->err, d, inc, "cannot include '%s': %s", rel,
                missing ? strerror(errno) : "not a regular file");
        goto out;
    }
    if (jt_ydoc_load(&sub, path, display, ld->err)) goto out;
    yaml_node_t *root = jt_ydoc_root(&sub);
    ld->depth++;
    if (!root) {
        jt_yerr(ld->err, &sub, NULL, "included file is empty");
    } else if (root->type == YAML_SEQUENCE_NODE) {
        rc = jt_ld_load_test_set_list(ld, &sub, root);
    } else if (root->type == YAML_MAPPING_NODE && jt_ld_get(&sub, root, "test_sets", NULL) &&
               root->data.mapping.pairs.top - root->data.mapping.pairs.start == 1) {
        yaml_node_t *list = jt_ld_get(&sub, root, "test_sets", NULL);
        rc = jt_ld_expect_type(ld, &sub, list, YAML_SEQUENCE_NODE, "'test_sets'")
                 ? -1
                 : jt_ld_load_test_set_list(ld, &sub, list);
    } else if (root->type == YAML_MAPPING_NODE) {
        rc = load_test_set(ld, &sub, root); /* a single test set */
    } else {
        jt_yerr(ld->err, &sub, root, "an included file must hold a test set or a list of them");
    }
    ld->depth--;
    jt_ydoc_release(&sub);
out:
    free(rel);
    free(path);
    return rc;
}

/* Entries of `test_sets` that are not a test set, by the key that marks them. */
static const struct {
    const char *key;
    int (*load)(loader *ld, jt_ydoc *d, yaml_node_t *n);
} entry_kinds[] = {
    {"include", load_include},
    {"problems", jt_ld_load_problems},
};
#define N_ENTRY_KINDS (sizeof entry_kinds / sizeof entry_kinds[0])

static int load_test_set(loader *ld, jt_ydoc *d, yaml_node_t *n)
{
    if (jt_ld_expect_type(ld, d, n, YAML_MAPPING_NODE, "a test set")) return -1;
    for (size_t i = 0; i < N_ENTRY_KINDS; i++)
        if (jt_ld_get(d, n, entry_kinds[i].key, NULL)) return entry_kinds[i].load(ld, d, n);
    /* every key this entry could have had (a typo of 'include' is suggested too) */
    const char *names[N_TS_KEYS + N_ENTRY_KINDS + 1];
    for (size_t i = 0; i < N_TS_KEYS; i++) names[i] = test_set_keys[i].key;
    for (size_t i = 0; i < N_ENTRY_KINDS; i++) names[N_TS_KEYS + i] = entry_kinds[i].key;
    names[N_TS_KEYS + N_ENTRY_KINDS] = NULL;
    if (jt_ld_check_keys(ld, d, n, names, 0, "a test set")) return -1;

    jt_suite *s = ld->s;
    JT_GROW(s->test_sets, s->n_test_sets + 1, s->cap_test_sets_);
    jt_test_set *ts = &s->test_sets[s->n_test_sets];
    memset(ts, 0, sizeof *ts);
    ts->mark = jt_ld_mark_of(d, n);
    s->n_test_sets++; /* owned from here on: freed with the suite even on error */
    jt_ld_test_set_defaults(ts);
    for (size_t i = 0; i < N_TS_KEYS; i++) {
        const ts_key *r = &test_set_keys[i];
        yaml_node_t *v = jt_ld_get(d, n, r->key, NULL);
        if (v && store(ld, d, r, v, ts)) return -1;
        if (r->check && r->check(ld, d, n, v, ts)) return -1;
        if (v && r->modes != ALL && !(r->modes & JT_MODE_BIT(jt_mode_find(ts->mode)->id))) {
            jt_buf b = JT_BUF_INIT;
            jt_modes_join(&b, r->modes, false, " and ");
            jt_yerr(ld->err, d, v, "'%s' applies to mode%s %s", r->key,
                    r->modes & (r->modes - 1) ? "s" : "", jt_buf_str(&b));
            jt_buf_release(&b);
            return -1;
        }
    }
    return 0;
}

int jt_ld_load_test_set_list(loader *ld, jt_ydoc *d, yaml_node_t *list)
{
    for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top;
         it++)
        if (load_test_set(ld, d, jt_ydoc_node(d, *it))) return -1;
    return 0;
}
