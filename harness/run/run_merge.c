/* `merge`: shard runs into one run directory (run.h). Each part's records
 * are tagged with the host that measured them; floors are kept per host; a
 * candidate in several parts keeps the record that finished last. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jouletrace/fsutil.h"
#include "jouletrace/report.h"
#include "jouletrace/rundir.h"
#include "jouletrace/run.h"

typedef struct merge {
    json_t *parts, *warnings, *by_id, *order, *floors, *shards_seen, *first;
    long shard_n;
} merge;

static const char *suite_hash(const json_t *run)
{
    return json_string_value(json_object_get(json_object_get(run, "suite"), "content_hash"));
}

static void note_shard(merge *m, const char *dir, const char *shard)
{
    long k = 0, n = 0;
    if (!shard || sscanf(shard, "%ld/%ld", &k, &n) != 2) return;
    if (m->shard_n && n != m->shard_n)
        json_array_append_new(m->warnings, json_sprintf("%s is shard %s of another split (%ld shards)", dir,
                                                        shard, m->shard_n));
    m->shard_n = n;
    if (json_object_get(m->shards_seen, shard))
        json_array_append_new(m->warnings, json_sprintf("shard %s appears twice (%s)", shard, dir));
    json_object_set_new(m->shards_seen, shard, json_true());
}

static void add_records(merge *m, const char *dir, const char *host, json_t *recs)
{
    size_t j;
    json_t *rec;
    json_array_foreach(recs, j, rec) {
        if (host) json_object_set_new(rec, "host", json_string(host));
        const char *type = json_string_value(json_object_get(rec, "type"));
        const char *id = json_string_value(json_object_get(rec, "id"));
        if (!id) continue;
        /* floors are per host: keep each node's */
        if (type && !strcmp(type, "floor")) {
            char *fk = jt_xasprintf("%s@%s", id, host ? host : dir);
            json_object_set(m->floors, fk, rec);
            free(fk);
            continue;
        }
        json_t *prev = json_object_get(m->by_id, id);
        if (prev) {
            const char *a = json_string_value(json_object_get(prev, "finished"));
            const char *b = json_string_value(json_object_get(rec, "finished"));
            json_array_append_new(m->warnings, json_sprintf("candidate '%s' measured twice; kept the one "
                                                            "that finished last", id));
            if (a && b && strcmp(b, a) < 0) continue;
        } else {
            json_array_append_new(m->order, json_string(id));
        }
        json_object_set(m->by_id, id, rec);
    }
}

/* One part: its run.json and journal. A JT_EXIT_* code. */
static int add_part(merge *m, const char *dir, jt_err *err)
{
    json_t *run = jt_rundir_load(dir, NULL, err);
    if (!run) return JT_EXIT_FAILURE;
    if (!m->first) {
        m->first = json_incref(run);
    } else if (!suite_hash(run) || !suite_hash(m->first) || strcmp(suite_hash(run), suite_hash(m->first))) {
        jt_err_set(err, "%s is a run of another suite (content hash %.12s…, not %.12s…)", dir,
                   suite_hash(run) ? suite_hash(run) : "?", suite_hash(m->first) ? suite_hash(m->first) : "?");
        json_decref(run);
        return JT_EXIT_BAD_SUITE;
    }
    const char *host = json_string_value(json_object_get(json_object_get(run, "host_start"), "hostname"));
    const char *shard = json_string_value(json_object_get(json_object_get(run, "options"), "shard"));
    note_shard(m, dir, shard);
    json_array_append_new(m->parts, json_pack("{s:s,s:s?,s:s?,s:O?,s:O?,s:O?,s:O?}", "dir", dir, "host", host,
                                              "shard", shard, "started", json_object_get(run, "started"),
                                              "finished", json_object_get(run, "finished"), "status",
                                              json_object_get(run, "status"), "energy_source",
                                              json_object_get(json_object_get(run, "backend"), "energy_source")));
    json_t *recs = NULL;
    jt_journal_info info;
    int rc = jt_rundir_read_journal(dir, &recs, &info, err);
    if (rc == 0) {
        char *jpath = jt_rundir_journal(dir);
        char *note = jt_journal_skipped_note(jpath, &info);
        if (note) json_array_append_new(m->warnings, json_string(note));
        free(note);
        free(jpath);
        add_records(m, dir, host, recs);
    }
    json_decref(recs);
    json_decref(run);
    return rc == 0 ? JT_EXIT_OK : JT_EXIT_FAILURE;
}

/* out/journal.jsonl: the floors, then every candidate in first-seen order. */
static int write_journal(const merge *m, const char *out, jt_err *err)
{
    char *jpath = jt_rundir_journal(out);
    jt_journal jr;
    int rc = jt_journal_open(jpath, &jr, err);
    free(jpath);
    if (rc != 0) return -1;
    const char *fk;
    json_t *rec;
    json_object_foreach(m->floors, fk, rec) if (rc == 0) rc = jt_journal_append(&jr, rec, err);
    size_t i;
    json_t *idv;
    json_array_foreach(m->order, i, idv) if (rc == 0)
        rc = jt_journal_append(&jr, json_object_get(m->by_id, json_string_value(idv)), err);
    jt_journal_close(&jr);
    return rc;
}

static int write_run(const merge *m, const char *out, jt_err *err)
{
    json_t *run = json_deep_copy(m->first);
    char *now = jt_utc_now();
    json_object_set_new(run, "schema_version", json_integer(JT_RUN_SCHEMA));
    json_object_set_new(run, "merged", json_string(now));
    free(now);
    json_object_set_new(run, "merged_from", json_incref(m->parts));
    json_t *w = json_object_get(run, "warnings");
    if (!json_is_array(w)) json_object_set_new(run, "warnings", w = json_array());
    json_array_extend(w, m->warnings);
    json_object_del(json_object_get(run, "options"), "shard");
    int rc = jt_rundir_save(out, run, err);
    json_decref(run);
    return rc;
}

int jt_run_merge(const char *const *dirs, size_t n, const char *out, size_t *candidates,
                 jt_err *err)
{
    merge m = {json_array(), json_array(), json_object(), json_array(), json_object(), json_object(), NULL, 0};
    int code = JT_EXIT_OK;
    for (size_t i = 0; i < n && code == JT_EXIT_OK; i++) code = add_part(&m, dirs[i], err);
    for (long k = 1; code == JT_EXIT_OK && k <= m.shard_n; k++) {
        char key[64];
        snprintf(key, sizeof key, "%ld/%ld", k, m.shard_n);
        if (!json_object_get(m.shards_seen, key))
            json_array_append_new(m.warnings, json_sprintf("shard %s is missing: its candidates are not in this run", key));
    }
    if (code == JT_EXIT_OK && jt_rundir_has_journal(out)) {
        jt_err_set(err, "%s already holds a journal", out);
        code = JT_EXIT_USAGE;
    }
    if (code == JT_EXIT_OK && (jt_mkdirs(out, 0755, err) != 0 || write_journal(&m, out, err) != 0 ||
                               write_run(&m, out, err) != 0 || jt_reports_write(out, err) != 0))
        code = JT_EXIT_FAILURE;
    if (code == JT_EXIT_OK) {
        size_t i;
        json_t *w;
        json_array_foreach(m.warnings, i, w) jt_warn("%s", json_string_value(w));
        *candidates = json_array_size(m.order);
    }
    json_decref(m.parts);
    json_decref(m.warnings);
    json_decref(m.by_id);
    json_decref(m.order);
    json_decref(m.floors);
    json_decref(m.shards_seen);
    json_decref(m.first);
    return code;
}
