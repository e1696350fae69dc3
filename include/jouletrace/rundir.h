/* rundir — the files of a run directory and the run.json schema
 * (docs/design.md "Run directory").
 *
 * A run directory holds run.json (what was run, where, how: written when
 * the run starts and again when it ends), journal.jsonl (journal.h: the
 * records, the source of truth) and the reports derived from both
 * (report.h). Every path of a run directory is built here, one function per
 * file, so no two places can disagree on a name.
 *
 * Ownership: path functions return malloc'd strings the caller frees;
 * jt_rundir_load returns a new reference. */
#ifndef JOULETRACE_RUNDIR_H
#define JOULETRACE_RUNDIR_H

#include <jansson.h>
#include <stdbool.h>

#include "jouletrace/common.h"
#include "jouletrace/journal.h"

/* run.json "schema_version", written by `run` and `merge`; readers refuse
 * a newer one (jsonfile.h). */
#define JT_RUN_SCHEMA 1

char *jt_rundir_run_json(const char *dir);
char *jt_rundir_journal(const char *dir);
char *jt_rundir_summary(const char *dir);
char *jt_rundir_index(const char *dir);

/* Whether dir already holds a journal (a run to --resume, not to overwrite). */
bool jt_rundir_has_journal(const char *dir);
/* Creates reports/<suite>-<UTC time> (with -2, -3... when taken) and
 * returns its path, or NULL (err). */
char *jt_rundir_create(const char *suite_name, jt_err *err);

/* Loads dir/run.json. NULL (err) when it is missing, not a JSON object
 * ("DIR/run.json: why (is 'DIR' a run directory?)") or of a newer schema
 * (*newer, when given, is then true). */
json_t *jt_rundir_load(const char *dir, bool *newer, jt_err *err);
/* Writes dir/run.json atomically. */
int jt_rundir_save(const char *dir, const json_t *run, jt_err *err);

/* Reads dir/journal.jsonl (jt_journal_read). */
int jt_rundir_read_journal(const char *dir, json_t **records, jt_journal_info *info, jt_err *err);
/* The one "jouletrace: warning:" line for the journal lines the reader
 * skipped (jt_journal_skipped_note); nothing when none was. */
void jt_rundir_warn_skipped(const char *dir, const jt_journal_info *info);

#endif
