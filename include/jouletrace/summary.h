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

#define JT_SUMMARY_SCHEMA 1

/* Builds the summary document (new reference) from the run directory. */
int jt_summary_build(const char *run_dir, json_t **out, jt_err *err);
/* The summary document (new reference) from a run.json and journal already
 * read (borrowed: the document shares their records, no second parse), and
 * the same written to run_dir/summary.json. */
json_t *jt_summary_of(const char *run_dir, json_t *run, json_t *records,
                      const jt_journal_info *info);
int jt_summary_write_of(const char *run_dir, json_t *run, json_t *records,
                        const jt_journal_info *info, jt_err *err);

#endif
