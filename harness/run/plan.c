/* The plan: which candidates this run measures, in which order, and which
 * share a floor (run_priv.h, run.h). */
#include <errno.h>
#include <stdlib.h>

#include "jouletrace/fnv.h"
#include "run/run_priv.h"

/* The shard of a candidate is its id's jt_id_hash (FNV-1a, fnv.h) mod N: stable across
 * hosts and runs, so every node of a cluster job agrees on the split. */

int jt_run_parse_shard(const char *s, long *k, long *n, jt_err *err)
{
    char *end;
    errno = 0;
    *k = strtol(s, &end, 10);
    if (end == s || *end != '/' || errno) return jt_err_set(err, "--shard: '%s' is not K/N", s);
    const char *ns = end + 1;
    *n = strtol(ns, &end, 10);
    if (end == ns || *end || errno || *n < 1 || *k < 1 || *k > *n)
        return jt_err_set(err, "--shard: '%s' needs 1 <= K <= N", s);
    return 0;
}

size_t jt_run_plan(const jt_suite *s, long k, long n, const json_t *done, size_t *plan)
{
    size_t n_plan = 0;
    for (size_t i = 0; i < s->n_candidates; i++) {
        const jt_candidate *c = &s->candidates[i];
        if (n && (long)(jt_id_hash(c->id) % (uint64_t)n) != k - 1) continue;
        if (json_object_get(done, c->id)) continue;
        plan[n_plan++] = i;
    }
    return n_plan;
}

char *jt_run_floor_key(const jt_test_set *ts, const jt_options *o)
{
    return jt_options_floor_key(ts->id, o); /* the option table's floor rows */
}
