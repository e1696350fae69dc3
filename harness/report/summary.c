/* summary.json (summary.h). */
#include "jouletrace/summary.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jouletrace/journal.h"
#include "jouletrace/status.h"
#include "jouletrace/jsonfile.h"
#include "jouletrace/rundir.h"

/* One more candidate record of status `st` in counts; a status this build
 * does not know (a hand-edited or newer journal) is counted as "unknown". */
static void count_status(const char *run_dir, json_t *counts, const json_t *rec)
{
    const char *st = json_string_value(json_object_get(rec, "status"));
    jt_status known;
    jt_err serr = JT_ERR_INIT;
    if (jt_status_parse(st, &known, &serr) != 0) {
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

/* Everything but the candidates (new reference). */
static json_t *rest_of(json_t *run, json_t *floors, json_t *counts, const jt_journal_info *info)
{
    return json_pack("{s:i,s:O,s:O,s:O,s:{s:I,s:I,s:b}}", "schema_version", JT_SUMMARY_SCHEMA,
                     "run", run, "status_counts", counts, "floors", floors, "journal", "records",
                     (json_int_t)info->records, "skipped_lines", (json_int_t)info->skipped,
                     "torn_tail", info->torn);
}

json_t *jt_summary_of(const char *run_dir, json_t *run, json_t *records,
                      const jt_journal_info *info)
{
    json_t *cands = json_array(), *floors = json_array(), *counts = json_object();
    size_t i;
    json_t *rec;
    json_array_foreach(records, i, rec) {
        bool floor = jt_report_is_floor(rec);
        json_array_append(floor ? floors : cands, rec);
        if (!floor) count_status(run_dir, counts, rec);
    }
    json_t *doc = rest_of(run, floors, counts, info);
    json_object_set_new(doc, "candidates", cands);
    json_decref(floors);
    json_decref(counts);
    return doc;
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

/* ---- streaming ---------------------------------------------------------- */

static int put(jt_summary_stream *s, const char *text)
{
    return jt_csv_sink_add(s->out, text, strlen(text));
}

int jt_summary_stream_begin(jt_summary_stream *s, const char *run_dir, jt_csv_sink *out)
{
    *s = (jt_summary_stream){run_dir, out, 0, json_array(), json_object()};
    /* "candidates" sorts first: the sorted keys of the rest follow it */
    return put(s, "{\n  \"candidates\": [");
}

int jt_summary_stream_record(jt_summary_stream *s, json_t *rec, const char *line, size_t len)
{
    if (jt_report_is_floor(rec)) return json_array_append(s->floors, rec) == 0 ? 0 : -1;
    count_status(s->run_dir, s->counts, rec);
    if (put(s, s->candidates++ ? ",\n" : "\n") != 0) return -1;
    return jt_csv_sink_add(s->out, line, len);
}

int jt_summary_stream_end(jt_summary_stream *s, json_t *run, const jt_journal_info *info)
{
    json_t *rest = rest_of(run, s->floors, s->counts, info);
    char *text = json_dumps(rest, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(rest);
    if (!text) {
        errno = EINVAL;
        return -1;
    }
    /* text is "{\n  \"floors\": ...}": the candidates' list closes, then its keys */
    int rc = put(s, s->candidates ? "\n  ],\n" : "],\n");
    if (rc == 0) rc = put(s, text + 2);
    if (rc == 0) rc = put(s, "\n");
    free(text);
    return rc;
}

void jt_summary_stream_release(jt_summary_stream *s)
{
    json_decref(s->floors);
    json_decref(s->counts);
    s->floors = s->counts = NULL;
}
