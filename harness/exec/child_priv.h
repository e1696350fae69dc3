/* Private helpers shared by child.c (spawn, reap, cleanup) and child_io.c
 * (the poll loop and the line protocol). Not part of the public API. */
#ifndef JT_EXEC_CHILD_PRIV_H
#define JT_EXEC_CHILD_PRIV_H

#include <stdbool.h>

#include "jouletrace/child.h"

/* A reply line longer than this is protocol abuse (a validate reply for
 * 10 000 tests is a few MiB). */
#define JT_CHILD_MAX_REPLY ((size_t)64 << 20)

/* Kills the child's group when `why` != RUNNING, kills stragglers of the
 * group in any case, reaps with wait4, records how it ended. */
void jt_child_reap_(jt_child *c, jt_child_end why);
/* Reads what the capture pipes still hold without blocking (after a reap). */
void jt_child_drain_all_(jt_child *c);

#endif
