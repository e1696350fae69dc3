/* summary.json (summary.h). */
#include "jouletrace/summary.h"

#include <stdlib.h>
#include <string.h>

#include "jouletrace/fsutil.h"
#include "jouletrace/journal.h"
#include "jouletrace/status.h"

int jt_json_write_atomic(const char *path, const json_t *doc, jt_err *err)
{
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (!text) return jt_err_set(err, "%s: document cannot be encoded as JSON", path);
    size_t len = strlen(text);
    text = jt_xrealloc(text, len + 2);
    text[len++] = '\n';
    text[len] = '\0';
    int rc = jt_write_file_atomic(path, text, len, err);
    free(text);
    return rc;
}

int jt_summary_build(const char *run_dir, json_t **out, jt_err *err)
{
    char *run_path = jt_xasprintf("%s/run.json", run_dir);
    char *journal_path = jt_xasprintf("%s/journal.jsonl", run_dir);
    json_t *records = NULL, *run = NULL;
    int rc = -1;
    json_error_t je;
    run = json_load_file(run_path, 0, &je);
    if (!run) {
        jt_err_set(err, "%s: %s", run_path, je.text);
        goto out;
    }
    jt_journal_info info;
    if (jt_journal_read(journal_path, &records, &info, err) != 0) goto out;
    json_t *cands = json_array(), *floors = json_array();
    size_t i;
    json_t *rec;
    json_array_foreach(records, i, rec) {
        const char *type = json_string_value(json_object_get(rec, "type"));
        json_array_append(type && !strcmp(type, "floor") ? floors : cands, rec);
    }
    json_t *counts = json_object();
    json_array_foreach(cands, i, rec) {
        const char *st = json_string_value(json_object_get(rec, "status"));
        jt_status known;
        jt_err serr = JT_ERR_INIT;
        if (jt_status_parse(st, &known, &serr) != 0) { /* a hand-edited or newer journal */
            const char *id = json_string_value(json_object_get(rec, "id"));
            jt_warn("%s: record '%s': %s; counted as \"unknown\"", journal_path, id ? id : "?",
                    jt_err_msg(&serr));
            st = "unknown";
        }
        jt_err_clear(&serr);
        json_object_set_new(counts, st, json_integer(json_integer_value(json_object_get(counts, st)) + 1));
    }
    *out = json_pack("{s:i,s:O,s:o,s:o,s:o,s:{s:I,s:I,s:b}}", "schema_version", JT_SUMMARY_SCHEMA,
                     "run", run, "status_counts", counts, "floors", floors, "candidates", cands,
                     "journal", "records", (json_int_t)info.records, "skipped_lines",
                     (json_int_t)info.skipped, "torn_tail", info.torn);
    rc = 0;
out:
    json_decref(run);
    json_decref(records);
    free(run_path);
    free(journal_path);
    return rc;
}

int jt_summary_write(const char *run_dir, jt_err *err)
{
    json_t *doc = NULL;
    if (jt_summary_build(run_dir, &doc, err) != 0) return -1;
    char *path = jt_xasprintf("%s/summary.json", run_dir);
    int rc = jt_json_write_atomic(path, doc, err);
    free(path);
    json_decref(doc);
    return rc;
}
