/* jsonfile — the JSON documents JouleTrace writes (run.json, summary.json,
 * calibrations): written atomically, and read back only when their
 * `schema_version` is one this build understands.
 *
 * Writing: pretty-printed, keys sorted, a trailing newline, through
 * jt_write_file_atomic (fsutil.h): a reader sees the old document or the
 * new one, never half of one.
 *
 * Reading: every reader of a file we write refuses a NEWER schema_version
 * with one line, "FILE: schema_version N, this jouletrace reads up to M:
 * upgrade jouletrace to read it" — a newer writer may have renamed or
 * changed the meaning of a field, so guessing would turn its numbers into
 * wrong ones. An older or missing schema_version is read as it is. */
#ifndef JOULETRACE_JSONFILE_H
#define JOULETRACE_JSONFILE_H

#include <jansson.h>

#include "jouletrace/common.h"

/* Writes doc to path atomically. Returns 0 or -1 (err names path). */
int jt_json_write_atomic(const char *path, const json_t *doc, jt_err *err);

/* 0 when doc's "schema_version" is absent or at most max; -1 with the line
 * above (`where` is the file, or "FILE:LINE" for one line of a JSONL file). */
int jt_json_check_schema(const json_t *doc, int max, const char *where, jt_err *err);

#endif
