/* summary.json (summary.h). */
#include "jouletrace/summary.h"

#include <stdlib.h>
#include <string.h>

#include "jouletrace/journal.h"
#include "jouletrace/status.h"
#include "jouletrace/jsonfile.h"
#include "jouletrace/rundir.h"

json_t *jt_summary_of(const char *run_dir, json_t *run, json_t *records,
                      const jt_journal_info *info)
{
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
            char *jp = jt_rundir_journal(run_dir);
            jt_warn("%s: record '%s': %s; counted as \"unknown\"", jp, id ? id : "?",
                    jt_err_msg(&serr));
            free(jp);
            st = "unknown";
        }
        jt_err_clear(&serr);
        json_object_set_new(counts, st, json_integer(json_integer_value(json_object_get(counts, st)) + 1));
    }
    return json_pack("{s:i,s:O,s:o,s:o,s:o,s:{s:I,s:I,s:b}}", "schema_version", JT_SUMMARY_SCHEMA,
                     "run", run, "status_counts", counts, "floors", floors, "candidates", cands,
                     "journal", "records", (json_int_t)info->records, "skipped_lines",
                     (json_int_t)info->skipped, "torn_tail", info->torn);
}

int jt_summary_build(const char *run_dir, json_t **out, jt_err *err)
{
    json_t *records = NULL, *run = jt_rundir_load(run_dir, NULL, err);
    int rc = -1;
    jt_journal_info info;
    if (run && jt_rundir_read_journal(run_dir, &records, &info, err) == 0) {
        *out = jt_summary_of(run_dir, run, records, &info);
        rc = 0;
    }
    json_decref(run);
    json_decref(records);
    return rc;
}

int jt_summary_write_of(const char *run_dir, json_t *run, json_t *records,
                        const jt_journal_info *info, jt_err *err)
{
    json_t *doc = jt_summary_of(run_dir, run, records, info);
    char *path = jt_rundir_summary(run_dir);
    int rc = jt_json_write_atomic(path, doc, err);
    free(path);
    json_decref(doc);
    return rc;
}
