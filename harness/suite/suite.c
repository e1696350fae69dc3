/* Suite loader (suite.h): walks the YAML tree against the suite schema.
 *
 * Order of work: top-level keys are checked first (unknown key → error with
 * "did you mean"), then `defaults`, all test sets (inline and included;
 * testset.c), then candidates, then cross-references. Ids are kept in jansson objects used as
 * hash sets, so duplicate detection stays linear in the number of ids. */
#include "jouletrace/suite.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jouletrace/fsutil.h"
#include "suite/loader.h"
#include "suite/options.h"
#include "suite/yamlvalue.h"



static const char *const top_keys[] = {"suite", "description", "defaults", "test_sets",
                                       "candidates", NULL};
/* ---- the suite ---------------------------------------------------------- */

static int valid_suite_name(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *s))
            return 0;
    return 1;
}

static int check_references(loader *ld)
{
    jt_suite *s = ld->s;
    json_t *index = json_object(); /* id → candidate index: linear, whatever the corpus size */
    for (size_t j = 0; j < s->n_candidates; j++)
        json_object_set_new(index, s->candidates[j].id, json_integer((json_int_t)j));
    int rc = 0;
    for (size_t i = 0; i < s->n_test_sets && rc == 0; i++) {
        jt_test_set *ts = &s->test_sets[i];
        if (!ts->reference) continue;
        json_t *jv = json_object_get(index, ts->reference);
        size_t j = jv ? (size_t)json_integer_value(jv) : s->n_candidates;
        if (j == s->n_candidates)
            rc = jt_err_set(ld->err, "%s:%u:%u: test set '%s': reference '%s' is not a candidate",
                            ts->mark.file, ts->mark.line, ts->mark.col, ts->id, ts->reference);
        else if (s->candidates[j].test_set != i)
            rc = jt_err_set(ld->err,
                            "%s:%u:%u: test set '%s': reference '%s' belongs to test set '%s'",
                            ts->mark.file, ts->mark.line, ts->mark.col, ts->id, ts->reference,
                            s->test_sets[s->candidates[j].test_set].id);
    }
    json_decref(index);
    return rc;
}

static int load_root(loader *ld, jt_ydoc *d)
{
    yaml_node_t *root = jt_ydoc_root(d);
    if (!root) return jt_err_set(ld->err, "%s:1:1: the suite is empty", d->file);
    if (jt_ld_expect_type(ld, d, root, YAML_MAPPING_NODE, "a suite")) return -1;
    if (jt_ld_check_keys(ld, d, root, top_keys, 0, "the suite")) return -1;

    yaml_node_t *v = jt_ld_get(d, root, "suite", NULL);
    if (!v) return jt_yerr(ld->err, d, root, "the suite has no 'suite' name");
    if (jt_ld_scalar_string(ld, d, v, "suite", &ld->s->name)) return -1;
    if (!valid_suite_name(ld->s->name))
        return jt_yerr(ld->err, d, v, "suite name '%s' may use only letters, digits, '.', '_', '-'",
                       ld->s->name);
    if ((v = jt_ld_get(d, root, "description", NULL)) &&
        jt_ld_scalar_string(ld, d, v, "description", &ld->s->description))
        return -1;
    if ((v = jt_ld_get(d, root, "defaults", NULL))) {
        static const char *const none[] = {NULL};
        if (jt_ld_expect_type(ld, d, v, YAML_MAPPING_NODE, "'defaults'") ||
            jt_ld_check_keys(ld, d, v, none, 1, "'defaults'"))
            return -1;
        for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++)
            if (jt_option_apply(&ld->defaults, d, jt_ydoc_node(d, p->key),
                                jt_ydoc_node(d, p->value), ld->err) < 0)
                return -1;
        if (jt_options_check(&ld->defaults, jt_ld_get(d, v, "min_trials", NULL) != NULL, d, v,
                             ld->err))
            return -1;
    }
    yaml_node_t *sets = jt_ld_get(d, root, "test_sets", NULL);
    if (!sets) return jt_yerr(ld->err, d, root, "the suite has no 'test_sets'");
    if (jt_ld_expect_type(ld, d, sets, YAML_SEQUENCE_NODE, "'test_sets'") ||
        jt_ld_load_test_set_list(ld, d, sets))
        return -1;
    if (ld->s->n_test_sets == 0) return jt_yerr(ld->err, d, sets, "'test_sets' is empty");

    yaml_node_t *cands = jt_ld_get(d, root, "candidates", NULL);
    if (!cands) return jt_yerr(ld->err, d, root, "the suite has no 'candidates'");
    if (jt_ld_expect_type(ld, d, cands, YAML_SEQUENCE_NODE, "'candidates'")) return -1;
    for (yaml_node_item_t *it = cands->data.sequence.items.start;
         it < cands->data.sequence.items.top; it++)
        if (jt_ld_load_candidate(ld, d, jt_ydoc_node(d, *it))) return -1;
    if (ld->s->n_candidates == 0) return jt_yerr(ld->err, d, cands, "'candidates' is empty");
    return check_references(ld);
}


int jt_suite_load(const char *path, jt_suite **out, jt_err *err)
{
    if (!jt_ld_is_utf8(path, strlen(path))) { /* it names every mark and record */
        char *e = jt_ld_escaped(path);
        jt_err_set(err, "%s:1:1: the suite's file name is not valid UTF-8", e);
        free(e);
        *out = NULL;
        return -1;
    }
    loader ld;
    memset(&ld, 0, sizeof ld);
    ld.s = jt_xcalloc(1, sizeof *ld.s);
    ld.s->path = jt_xstrdup(path);
    ld.err = err;
    ld.budget = JT_YAML_NODE_BUDGET;
    ld.ts_ids = json_object();
    ld.cand_ids = json_object();
    ld.sample_counts = json_object();
    jt_options_init(&ld.defaults);
    jt_ydoc d;
    int rc = -1;
    if (jt_ydoc_load(&d, path, jt_ld_intern_file(ld.s, path), ld.err) == 0) {
        rc = load_root(&ld, &d);
        jt_ydoc_release(&d);
    }
    json_decref(ld.ts_ids);
    json_decref(ld.cand_ids);
    json_decref(ld.sample_counts);
    jt_options_release(&ld.defaults);
    if (rc) {
        jt_suite_free(ld.s);
        *out = NULL;
        return -1;
    }
    jt_ld_compute_hash(ld.s);
    *out = ld.s;
    return 0;
}

long jt_suite_find_test_set(const jt_suite *s, const char *id)
{
    for (size_t i = 0; i < s->n_test_sets; i++)
        if (!strcmp(s->test_sets[i].id, id)) return (long)i;
    return -1;
}

void jt_suite_free(jt_suite *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n_test_sets; i++) {
        jt_test_set *ts = &s->test_sets[i];
        free(ts->id);
        free(ts->function_name);
        free(ts->mode);
        free(ts->description);
        free(ts->reference);
        free(ts->reference_code);
        free(ts->prompt);
        free(ts->comparator);
        free(ts->checker_code);
        free(ts->setup_code);
        free(ts->convert_code);
        free(ts->asserts_refused);
        json_decref(ts->test_cases);
    }
    for (size_t i = 0; i < s->n_candidates; i++) {
        jt_candidate *c = &s->candidates[i];
        free(c->id);
        free(c->code);
        free(c->source_path);
        free(c->group);
        free(c->description);
        free(c->no_code);
        free(c->build);
        json_decref(c->command);
        json_decref(c->metadata);
        jt_options_release(&c->opts);
    }
    json_decref(s->datasets);
    for (size_t i = 0; i < s->n_files_; i++) free(s->files_[i]);
    free(s->files_);
    free(s->test_sets);
    free(s->candidates);
    free(s->name);
    free(s->description);
    free(s->path);
    free(s);
}
