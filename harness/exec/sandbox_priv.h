/* Shared by sandbox.c and sandbox_cgroup.c (the cgroup's part of the
 * sandbox value); not part of the public API (sandbox.h). */
#ifndef JT_EXEC_SANDBOX_PRIV_H
#define JT_EXEC_SANDBOX_PRIV_H

#include <stdio.h>

#include "jouletrace/sandbox.h"

void jt_sandbox_cgroup_of_child_(const jt_child *c, jt_sandbox *sb);
void jt_sandbox_cgroup_release_(jt_sandbox *sb);
/* "cgroup: cgroup-v1 (...)" or "cgroup: NONE ...", why and fix. */
void jt_sandbox_cgroup_print_(const jt_sandbox *sb, FILE *f);
/* Adds "isolation" (and "cgroup_why", "cgroup_fix" without one) to o. */
json_t *jt_sandbox_cgroup_json_(const jt_sandbox *sb, json_t *o);

#endif
