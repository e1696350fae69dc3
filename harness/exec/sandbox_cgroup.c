/* The candidate's cgroup as part of the sandbox value (sandbox.h): what
 * `status` prints, the warning a run gives without one, run.json's fields. */
#include <stdlib.h>
#include <string.h>

#include "exec/sandbox_priv.h"
#include "jouletrace/cgroup.h"
#include "jouletrace/common.h"

void jt_sandbox_cgroup_of_child_(const jt_child *c, jt_sandbox *sb)
{
    sb->isolation = jt_xstrdup(jt_child_isolation(c));
    if (!c->cgroup_why) return;
    sb->cgroup_why = jt_xstrdup(c->cgroup_why);
    sb->cgroup_fix = jt_xstrdup(jt_cgroup_fix(c->cgroup_why));
}

void jt_sandbox_cgroup_release_(jt_sandbox *sb)
{
    free(sb->isolation);
    free(sb->cgroup_why);
    free(sb->cgroup_fix);
}

char *jt_sandbox_cgroup_warning(const jt_sandbox *sb)
{
    if (!sb->cgroup_why) return NULL;
    return jt_xasprintf("no cgroup for candidates: memory_limit_mb holds per process only "
                        "(RLIMIT_AS), not for a tree of processes, and a candidate may leave its "
                        "CPU (%s); %s",
                        sb->cgroup_why, sb->cgroup_fix);
}

void jt_sandbox_cgroup_print_(const jt_sandbox *sb, FILE *f)
{
    if (!sb->isolation || !*sb->isolation) return;
    if (!sb->cgroup_why) {
        fprintf(f, "cgroup: %s (memory, swap, pids and cpuset limits per candidate)\n",
                sb->isolation);
        return;
    }
    fprintf(f, "cgroup: NONE (rlimits only): memory_limit_mb holds per process, candidates may "
               "leave their CPU\n      why: %s\n      fix: %s\n",
            sb->cgroup_why, sb->cgroup_fix);
}

json_t *jt_sandbox_cgroup_json_(const jt_sandbox *sb, json_t *o)
{
    if (!o || !sb->isolation) return o;
    json_object_set_new(o, "isolation", json_string(sb->isolation));
    if (sb->cgroup_why) {
        json_object_set_new(o, "cgroup_why", json_string(sb->cgroup_why));
        json_object_set_new(o, "cgroup_fix", json_string(sb->cgroup_fix));
    }
    return o;
}
