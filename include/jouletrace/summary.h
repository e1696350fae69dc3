/* summary — summary.json from a run directory's run.json + journal.jsonl.
 *
 * The journal is the source of truth; summary.json is derived and can always
 * be regenerated (`jouletrace report`). Per candidate it keeps the seed
 * service's response shape (status, validation{...}, energy_metrics{...})
 * plus stats, stop_reason, flags and trials. Candidates appear in journal
 * order; the harness floors of the test sets are listed separately. Written
 * atomically. `schema_version` is what consumers key on. */
#ifndef JOULETRACE_SUMMARY_H
#define JOULETRACE_SUMMARY_H

#include <jansson.h>

#include "jouletrace/common.h"
#include "jouletrace/journal.h"
#include "jouletrace/report.h"

#define JT_SUMMARY_SCHEMA 1

/* Builds the summary document (new reference) from the run directory. */
int jt_summary_build(const char *run_dir, json_t **out, jt_err *err);
/* The summary document (new reference) from a run.json and journal already
 * read (borrowed: the document shares their records, no second parse), and
 * the same written to run_dir/summary.json. */
json_t *jt_summary_of(const char *run_dir, json_t *run, json_t *records,
                      const jt_journal_info *info);

/* The same document written while the journal is read, a record at a time
 * (report.c): each candidate is its journal line as written (the record,
 * byte for byte), the rest is indented with sorted keys as before. begin
 * writes the head to out, record takes every record (floors are kept for
 * the end), end writes the rest. out is borrowed; -1 with errno when a
 * write failed. */
typedef struct jt_summary_stream {
    const char *run_dir;
    jt_csv_sink *out;
    size_t candidates;
    json_t *floors, *counts;
} jt_summary_stream;
int jt_summary_stream_begin(jt_summary_stream *s, const char *run_dir, jt_csv_sink *out);
int jt_summary_stream_record(jt_summary_stream *s, json_t *rec, const char *line, size_t len);
int jt_summary_stream_end(jt_summary_stream *s, json_t *run, const jt_journal_info *info);
void jt_summary_stream_release(jt_summary_stream *s);

#endif
