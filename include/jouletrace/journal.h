/* journal — journal.jsonl, the crash-safe record of a run.
 *
 * One JSON object per line, one line per finished candidate, appended with a
 * single write and fsynced before the harness moves on, so a crash (even
 * SIGKILL or power loss) loses at most the candidate in flight. A reader
 * ignores a torn last line (no trailing newline and unparsable); reopening
 * for append cuts such a tail off first so the next record starts clean.
 * A last line that lacks only its newline but parses as an object is a
 * record (no strict prefix of an object is an object): it is kept, and
 * reopening for append ends it with the newline.
 * Interior lines that do not parse are skipped and counted, never fatal:
 * the other records are still the user's measurements. A record whose
 * schema_version is newer than JT_RECORD_SCHEMA is fatal (jsonfile.h): this
 * build would misread it.
 *
 * Ownership: jt_journal owns its fd and path; records passed to append stay
 * the caller's; jt_journal_read returns a new JSON array the caller decrefs. */
#ifndef JOULETRACE_JOURNAL_H
#define JOULETRACE_JOURNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "jouletrace/common.h"

/* "schema_version" of journal records (the engine writes them); readers
 * refuse newer ones. */
#define JT_RECORD_SCHEMA 1

/* How many skipped line numbers jt_journal_info keeps. */
#define JT_JOURNAL_SKIPPED_SHOWN 5

typedef struct jt_journal {
    int fd;
    char *path;
} jt_journal;

/* Opens (creating if needed) for appending; a torn tail is truncated. */
int jt_journal_open(const char *path, jt_journal *j, jt_err *err);
/* Appends `record` as one compact line and fsyncs. */
int jt_journal_append(jt_journal *j, const json_t *record, jt_err *err);
void jt_journal_close(jt_journal *j);

typedef struct jt_journal_info {
    size_t records;     /* complete, parsed records */
    size_t skipped;     /* interior lines that did not parse */
    bool torn;          /* the last line was incomplete and ignored */
    bool unterminated;  /* the last record is whole but lacks its newline */
    size_t good_bytes;  /* length of the file up to the end of the last record */
    /* 1-based line numbers: the first skipped lines, and the torn one (0: none). */
    size_t skipped_line[JT_JOURNAL_SKIPPED_SHOWN];
    size_t torn_line;
} jt_journal_info;

/* Reads every complete record into *records (a JSON array). A missing file
 * is an empty journal. */
int jt_journal_read(const char *path, json_t **records, jt_journal_info *info, jt_err *err);

/* The same, one record at a time, holding one line in memory: fn gets the
 * parsed record (borrowed: freed after fn returns) and its line as written
 * (len bytes, no newline). A non-zero return from fn stops the read and is
 * returned (fn sets err). */
typedef int (*jt_journal_fn)(json_t *rec, const char *line, size_t len, void *ctx, jt_err *err);
int jt_journal_each(const char *path, jt_journal_fn fn, void *ctx, jt_journal_info *info,
                    jt_err *err);

/* What the reader skipped, as one line for jt_warn: "PATH: skipped 2
 * unreadable lines (3, 7) and a torn last line (9): ..."; NULL when nothing
 * was skipped. Caller frees. */
char *jt_journal_skipped_note(const char *path, const jt_journal_info *info);

#endif
