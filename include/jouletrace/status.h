/* status — what became of one candidate: the `status` word of its journal
 * record, results.csv row and `measure` answer, and of `validate`'s lines
 * (docs/design.md "Journal" lists the statuses). One table (status.c) holds
 * every name; whatever writes or compares a status goes through it, and a
 * name read back from a file that is not in it is refused, never guessed.
 *
 * The names are part of the journal format: never rename one (a journal
 * written by an older build must still parse). */
#ifndef JOULETRACE_STATUS_H
#define JOULETRACE_STATUS_H

#include <stdbool.h>

#include "jouletrace/common.h"
#include "jouletrace/pyrun.h"

typedef enum jt_status {
    JT_STATUS_COMPLETED = 0,  /* measured, the stop rule met */
    JT_STATUS_UNSTABLE,       /* measured, max trials reached first (still ranked) */
    JT_STATUS_INCORRECT,      /* validation: a test failed or raised */
    JT_STATUS_LOAD_ERROR,     /* validation: syntax/import error, no entry point */
    JT_STATUS_BUILD_FAILED,   /* mode command: the build failed */
    JT_STATUS_TIMEOUT,        /* past timeout_seconds */
    JT_STATUS_MEMORY_LIMIT,   /* past memory_limit_mb */
    JT_STATUS_CRASHED,        /* killed by a signal */
    JT_STATUS_FAILED,         /* anything else, with the reason in `error` */
    JT_STATUS_NO_CODE,        /* a corpus sample without code: nothing ran */
    JT_STATUS_CORRECT,        /* `validate` only: judged correct, not measured */
    JT_STATUS_INTERRUPTED,    /* the run was stopped: never journalled */
} jt_status;

#define JT_STATUS_COUNT (JT_STATUS_INTERRUPTED + 1)

/* "completed", "unstable", ...; "?" for a value outside the enum. */
const char *jt_status_name(jt_status s);
/* A name as a journal record or results.csv carries it. -1 (err quotes the
 * name) for NULL, an unknown name, or one no record may carry (correct,
 * interrupted). */
int jt_status_parse(const char *name, jt_status *out, jt_err *err);
/* Measured: the record has energy statistics and the candidate is ranked
 * (completed, unstable). */
bool jt_status_measured(jt_status s);
/* The status of a candidate whose validation gave verdict v. */
jt_status jt_status_of_verdict(jt_verdict v);

#endif
