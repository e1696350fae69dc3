/* The suite's content hash (loader.h). */
#include <string.h>

#include "jouletrace/fsutil.h"
#include "suite/loader.h"
#include "suite/options.h"

/* Canonical JSON (sorted keys, compact) of everything that defines the
 * suite, hashed. Paths and marks are left out on purpose: moving a suite
 * does not change what it measures. */
void jt_ld_compute_hash(jt_suite *s)
{
    jt_sha256 c;
    jt_sha256_init(&c);
    json_t *sets = json_array();
    for (size_t i = 0; i < s->n_test_sets; i++) {
        const jt_test_set *ts = &s->test_sets[i];
        /* everything that decides a verdict or what is measured: the hashed
         * rows of the test-set key table, a dataset's reference code and
         * whether its asserts may be compiled */
        json_t *o = jt_ld_test_set_hash_object(ts);
        json_object_set_new(o, "reference_code",
                            ts->reference_code ? json_string(ts->reference_code) : json_null());
        if (ts->asserts) /* its asserts may be compiled into call cases (asserts.h) */
            json_object_set_new(o, "asserts", json_true());
        json_array_append_new(sets, o);
    }
    json_t *doc = json_pack("{s:s,s:o}", "suite", s->name, "test_sets", sets);
    char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    jt_sha256_update(&c, text, strlen(text));
    free(text);
    json_decref(doc);
    /* Candidates one at a time: memory stays flat for big corpora. */
    for (size_t i = 0; i < s->n_candidates; i++) {
        const jt_candidate *k = &s->candidates[i];
        /* the options the table flags as hashed, whatever they are */
        json_t *cj = json_pack("{s:s,s:s,s:s,s:s?,s:o}", "id", k->id, "test_set",
                               s->test_sets[k->test_set].id, "code", k->code, "group", k->group,
                               "opts", jt_options_hash_object(&k->opts));
        if (k->command) json_object_set(cj, "command", k->command);
        if (k->build) json_object_set_new(cj, "build", json_string(k->build));
        if (k->no_code) json_object_set_new(cj, "no_code", json_string(k->no_code));
        text = json_dumps(cj, JSON_COMPACT | JSON_SORT_KEYS);
        jt_sha256_update(&c, "\n", 1);
        jt_sha256_update(&c, text, strlen(text));
        free(text);
        json_decref(cj);
    }
    jt_sha256_hex(&c, s->content_hash);
}
